# fullfs.sh -- a full disk. Every program that writes a file with -o, run into a
# small tmpfs that is full, fails with status 1 and one line naming its file and
# "No space left on device", leaves the file it would have replaced as it was and no
# temporary file, and writes the same output as on a roomy disk once there is room.
# padmine -d into a folder with room for one source but not two keeps the first
# source's pads with their manifest rows, writes nothing of the second, and a run
# with room completes the folder. Each test mounts its own tmpfs in a private mount
# namespace (unshare -m, as root); where that is not allowed the script says so.
if [ -z "${SHARDS_FULLFS_NS:-}" ]; then
	if unshare -m --propagation private sh -c 'mount -t tmpfs -o size=64k tmpfs /mnt' 2>/dev/null; then
		SHARDS_FULLFS_NS=1 exec unshare -m --propagation private sh "$0" "$@"
	fi
	echo "# skipped: no private mount namespace here (needs root): the full-disk tests did not run"
	exit 0
fi
T=fullfs
. "$(dirname "$0")/lib.sh"
I=$W/in
. "$(dirname "$0")/writers.inc"
make_writer_inputs
M=$W/disk
mkdir -p "$M"

# mount a fresh tmpfs of $1 KiB on $M
fresh_disk() {
	umount "$M" 2>/dev/null
	mount -t tmpfs -o "size=${1}k" tmpfs "$M"
}
# fill $M to the last block
fill_disk() { dd if=/dev/zero of="$M/filler" bs=4k 2>/dev/null; sync; }

writers all | while read -r prog ext args; do
	command -v "$prog" >/dev/null || continue
	args=$(writer_args "$prog" "$args")
	mkdir -p "$W/ref"
	ref=$W/ref/$prog.$ext
	# shellcheck disable=SC2046
	if ! $prog $(writer_line "$args" 1 "$ref") >/dev/null 2>"$W/err"; then
		fail "$prog: reference run" "$(head -c 300 "$W/err")"; continue
	fi
	fresh_disk $(( $(stat -c %s "$ref") / 1024 + 1024 ))
	printf 'an older file\n' >"$M/out.$ext"
	fill_disk
	# shellcheck disable=SC2046
	check_fail "$prog -o: a full disk is one line naming the file" 1 "out\\.$ext.*No space left on device" \
		$prog $(writer_line "$args" 1 "$M/out.$ext")
	left=$(ls -A "$M" | grep -v -e '^filler$' -e "^out\\.$ext\$" | tr '\n' ' ')
	if [ -n "$left" ]; then fail "$prog -o: a full disk leaves no temporary file" "left: $left"
	elif [ "$(cat "$M/out.$ext")" != "an older file" ]; then fail "$prog -o: a full disk keeps the old file" "it changed"
	else pass "$prog -o: a full disk keeps the old file and leaves nothing else"; fi
	rm -f "$M/filler"
	# shellcheck disable=SC2046
	if $prog $(writer_line "$args" 1 "$M/out.$ext") >/dev/null 2>"$W/err"; then
		same_file "$prog -o: with room again the run completes, as on a roomy disk" "$M/out.$ext" "$ref"
	else fail "$prog -o: with room again the run completes" "$(head -c 300 "$W/err")"; fi
done
umount "$M" 2>/dev/null

# ---- padmine's export folder
if command -v padmine >/dev/null; then
	sox -n -r 22050 "$I/hum.wav" synth 8 sine 110 sine 165 tremolo 0.3 15 gain -9
	sox -n -r 22050 "$I/drone.wav" synth 8 sine 220 sine 330 tremolo 0.2 20 gain -9
	padmine -d "$W/ref/hum" -n 2 "$I/hum.wav" 2>/dev/null
	padmine -d "$W/ref/both" -n 2 "$I/hum.wav" "$I/drone.wav" 2>/dev/null
	one=$(du -sk "$W/ref/hum" | cut -f1)
	fresh_disk $((one * 2 + 256))
	fill_disk
	rm -f "$M/filler"
	# room for one source's pads and manifest and a little more, not for two
	dd if=/dev/zero of="$M/filler" bs=1k count=$((one * 2 + 256 - one - 96)) 2>/dev/null
	check_fail "padmine -d: a full disk stops the run with one line" 1 "drone.*No space left on device" \
		padmine -d "$M/ex" -n 2 "$I/hum.wav" "$I/drone.wav"
	check "padmine -d: the source that fitted is whole, its rows listed" diff -r "$M/ex/hum" "$W/ref/both/hum"
	check "...the manifest lists only that source" diff "$M/ex/manifest.csv" "$W/ref/hum/manifest.csv"
	check "...and nothing of the source that did not fit is left, not even its folder" test ! -e "$M/ex/drone"
	check "...nor any temporary file" test -z "$(find "$M/ex" -name '.*.shards-*')"
	rm -f "$M/filler"
	check "padmine -d: with room the next run completes the folder" padmine -d "$M/ex" -n 2 "$I/hum.wav" "$I/drone.wav"
	check "...as one run on a roomy disk writes it" diff -r "$M/ex" "$W/ref/both"
	umount "$M" 2>/dev/null
fi
