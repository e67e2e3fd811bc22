# crashsafe.sh -- files a program writes appear whole or not at all:
#  * kill -9 at random moments during an -o write over an existing file, and once the
#    moment its temporary file appears, leaves either the old file or the complete new
#    one, byte for byte;
#  * SIGTERM and SIGINT mid-write leave the old file and no temporary file;
#  * concurrent runs writing into one folder (the same name and different names)
#    each leave a complete file, and the same name ends as one whole output;
#  * padmine's export folder: killed runs leave each pad and the manifest old or whole
#    new, and two sources mined into one folder at once serialise on its lock.
# Every writer marked in tests/writers.inc's table that exists in bin/ is tested; CRASHSAFE_KILLS sets
# the kills per writer (default 3).
T=crashsafe
. "$(dirname "$0")/lib.sh"
I=$W/in
KILLS=${CRASHSAFE_KILLS:-3}
# runs killed with -9 skip the leak check at exit: a kill during the check leaves
# LeakSanitizer's tracer reporting the thread it lost, and a killed run has no leaks to show
killed_asan=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0
. "$(dirname "$0")/writers.inc"
make_writer_inputs

# a command line for writer $1 with seed $2 and output $3
line() { writer_line "$args" "$2" "$3"; }

rand_delay() { # a seeded delay in 0 .. $1 seconds
	awk -v max="$1" -v s="$2" 'BEGIN { srand(s); printf "%.3f", rand() * max }'
}

writers | while read -r prog ext args; do
	command -v "$prog" >/dev/null || continue
	args=$(writer_args "$prog" "$args")
	D=$W/$prog
	mkdir -p "$D/ref"
	start=$(date +%s.%N)
	# shellcheck disable=SC2046
	if ! $prog $(line "$prog" 1 "$D/ref/new.$ext") >/dev/null 2>"$D/err"; then
		fail "$prog: reference run" "$(head -c 300 "$D/err")"; continue
	fi
	took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	# shellcheck disable=SC2046
	$prog $(line "$prog" 2 "$D/ref/old.$ext") >/dev/null 2>&1
	if cmp -s "$D/ref/new.$ext" "$D/ref/old.$ext"; then
		# a program without randomness: make the old file different by hand
		printf 'an older file' >"$D/ref/old.$ext"
	fi
	# same seed, same bytes: otherwise "the complete new file" cannot be recognised
	# shellcheck disable=SC2046
	$prog $(line "$prog" 1 "$D/ref/again.$ext") >/dev/null 2>&1
	if ! cmp -s "$D/ref/new.$ext" "$D/ref/again.$ext"; then
		fail "$prog: two runs with one seed give the same file" "$(cmp "$D/ref/new.$ext" "$D/ref/again.$ext" 2>&1)"; continue
	fi
	# kill -9 at random moments
	bad="" outcomes=""
	for k in $(seq 1 "$KILLS"); do
		rm -rf "$D/run"; mkdir -p "$D/run"
		cp "$D/ref/old.$ext" "$D/run/out.$ext"
		delay=$(rand_delay "$(awk -v t="$took" 'BEGIN { print t * 1.1 + 0.02 }')" "$k")
		# shellcheck disable=SC2046
		ASAN_OPTIONS=$killed_asan $prog $(line "$prog" 1 "$D/run/out.$ext") >/dev/null 2>&1 &
		pid=$!
		sleep "$delay"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if cmp -s "$D/run/out.$ext" "$D/ref/old.$ext"; then outcomes="${outcomes}o"
		elif cmp -s "$D/run/out.$ext" "$D/ref/new.$ext"; then outcomes="${outcomes}n"
		else bad="$bad kill at ${delay}s: out.$ext is neither old nor new ($(stat -c %s "$D/run/out.$ext" 2>/dev/null || echo missing) bytes);"
		fi
	done
	# and once more the moment its temporary file appears: surely mid-write
	rm -rf "$D/run"; mkdir -p "$D/run"
	cp "$D/ref/old.$ext" "$D/run/out.$ext"
	# shellcheck disable=SC2046
	ASAN_OPTIONS=$killed_asan $prog $(line "$prog" 1 "$D/run/out.$ext") >/dev/null 2>&1 &
	pid=$!
	seen=""
	for _ in $(seq 1 400); do
		[ -n "$(ls -A "$D/run" | grep -v "^out.$ext\$")" ] && { seen=1; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.005
	done
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if [ -n "$seen" ]; then
		if cmp -s "$D/run/out.$ext" "$D/ref/old.$ext"; then outcomes="${outcomes}, mid-write o"
		elif cmp -s "$D/run/out.$ext" "$D/ref/new.$ext"; then outcomes="${outcomes}, mid-write n"
		else bad="$bad kill while its temporary file exists: out.$ext is neither old nor new;"
		fi
	fi
	if [ -z "$bad" ]; then pass "$prog: kill -9 during -o leaves the old or the whole new file ($outcomes)"
	else fail "$prog: kill -9 during -o leaves the old or the whole new file" "$bad"; fi
	# TERM and INT: the old file stays and the temporary file is removed
	for sig in TERM INT; do
		rm -rf "$D/run"; mkdir -p "$D/run"
		cp "$D/ref/old.$ext" "$D/run/out.$ext"
		# shellcheck disable=SC2046
		$prog $(line "$prog" 1 "$D/run/out.$ext") >/dev/null 2>"$D/err" &
		pid=$!
		sleep "$(awk -v t="$took" 'BEGIN { printf "%.3f", t / 3 }')"
		kill -s "$sig" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		left=$(ls -A "$D/run" | grep -v "^out.$ext\$" | tr '\n' ' ')
		if ! cmp -s "$D/run/out.$ext" "$D/ref/old.$ext" && ! cmp -s "$D/run/out.$ext" "$D/ref/new.$ext"; then
			fail "$prog: SIG$sig mid-write" "out.$ext is neither old nor new"
		elif [ -n "$left" ]; then fail "$prog: SIG$sig mid-write" "left behind: $left"
		else pass "$prog: SIG$sig mid-write keeps a whole file and removes its temporary"; fi
	done
	# concurrent runs into one folder: three to one name, three to their own names
	rm -rf "$D/run"; mkdir -p "$D/run"
	for s in 11 12 13; do
		# shellcheck disable=SC2046
		$prog $(line "$prog" $s "$D/run/same.$ext") >/dev/null 2>&1 &
		# shellcheck disable=SC2046
		$prog $(line "$prog" $s "$D/run/own-$s.$ext") >/dev/null 2>&1 &
	done
	wait
	ok=1 why=""
	for s in 11 12 13; do
		[ -s "$D/run/own-$s.$ext" ] || { ok=0; why="$why own-$s.$ext missing;"; }
	done
	match=""
	for s in 11 12 13; do cmp -s "$D/run/same.$ext" "$D/run/own-$s.$ext" && match=$s; done
	[ -n "$match" ] || { ok=0; why="$why same.$ext is not any one whole output;"; }
	n=$(ls -A "$D/run" | wc -l)
	[ "$n" -eq 4 ] || { ok=0; why="$why $n files in the folder, wanted 4: $(ls -A "$D/run" | tr '\n' ' ')"; }
	if [ $ok = 1 ]; then pass "$prog: 6 concurrent runs into one folder each leave a whole file"
	else fail "$prog: 6 concurrent runs into one folder each leave a whole file" "$why"; fi
done

# ---- padmine's export folder. kill -9 at random moments during a run into a folder
# that holds an earlier run leaves every file the old one or the whole new one (a
# pad's WAV, the manifest); two sources mined into one folder at once serialise on
# its lock: each file and each manifest row is what a run on its own gives.
if command -v padmine >/dev/null; then
	E=$W/export
	mkdir -p "$E"
	sox -n -r 44100 "$I/drift.wav" synth 12 pinknoise lowpass 900 tremolo 0.2 20 gain -12
	sox -n -r 44100 "$I/hum.wav" synth 12 sine 110 tremolo 0.3 15 gain -9
	padmine -d "$E/old" -n 2 --durations 2 "$I/drift.wav" 2>/dev/null
	cp -r "$E/old" "$E/new"
	padmine -d "$E/new" -n 3 --durations 1.5 "$I/drift.wav" 2>/dev/null
	start=$(date +%s.%N)
	cp -r "$E/old" "$E/timed"
	padmine -d "$E/timed" -n 3 --durations 1.5 "$I/drift.wav" 2>/dev/null
	took=$(awk -v a="$start" -v b="$(date +%s.%N)" 'BEGIN { print b - a }')
	# files of $1 that are neither the old nor the new one of that name
	mixed() {
		(cd "$1" && find . -type f ! -name '.*') | while read -r f; do
			cmp -s "$1/$f" "$E/old/$f" || cmp -s "$1/$f" "$E/new/$f" || echo "$f"
		done
	}
	bad="" outcomes=""
	for k in $(seq 1 $((KILLS * 2))); do
		rm -rf "$E/run"; cp -r "$E/old" "$E/run"
		ASAN_OPTIONS=$killed_asan padmine -d "$E/run" -n 3 --durations 1.5 "$I/drift.wav" 2>/dev/null &
		pid=$!
		# the analysis comes first: kill in the later part of the run, where it writes
		sleep "$(awk -v t="$took" -v d="$(rand_delay "$took" "$((k + 40))")" 'BEGIN { printf "%.3f", 0.4 * t + 0.7 * d }')"
		kill -9 "$pid" 2>/dev/null; wait "$pid" 2>/dev/null
		m=$(mixed "$E/run")
		[ -z "$m" ] || bad="$bad kill $k: $m;"
		if cmp -s "$E/run/manifest.csv" "$E/old/manifest.csv"; then outcomes="${outcomes}o"
		elif cmp -s "$E/run/manifest.csv" "$E/new/manifest.csv"; then outcomes="${outcomes}n"
		else bad="$bad kill $k: the manifest is neither;"; fi
	done
	if [ -z "$bad" ]; then pass "padmine -d: kill -9 at $((KILLS * 2)) moments leaves each pad and the manifest old or whole new ($outcomes)"
	else fail "padmine -d: kill -9 at $((KILLS * 2)) moments leaves each pad and the manifest old or whole new" "$bad"; fi

	padmine -d "$E/a" -n 2 "$I/drift.wav" 2>/dev/null
	padmine -d "$E/b" -n 2 "$I/hum.wav" 2>/dev/null
	rows() { grep -hv '^filename,' "$@" | sort; }
	bad=""
	for round in 1 2 3; do
		rm -rf "$E/both"
		padmine -d "$E/both" -n 2 "$I/drift.wav" 2>/dev/null & p1=$!
		padmine -d "$E/both" -n 2 "$I/hum.wav" 2>/dev/null & p2=$!
		wait $p1 $p2
		for f in $(cd "$E/both" && find . -type f ! -name '.*' ! -name manifest.csv); do
			cmp -s "$E/both/$f" "$E/a/$f" || cmp -s "$E/both/$f" "$E/b/$f" || bad="$bad round $round: $f;"
		done
		[ "$(rows "$E/both/manifest.csv")" = "$(rows "$E/a/manifest.csv" "$E/b/manifest.csv")" ] ||
			bad="$bad round $round: the manifest is not both runs' rows;"
		[ -z "$(find "$E/both" -name '.*.??????')" ] || bad="$bad round $round: a temporary file is left;"
	done
	if [ -z "$bad" ] && [ -s "$E/a/manifest.csv" ] && [ -s "$E/b/manifest.csv" ]; then
		pass "padmine -d: two sources mined into one folder at once (3 rounds) serialise: every pad and row whole"
	else fail "padmine -d: two sources mined into one folder at once serialise" "$bad"; fi
fi

# ---- what a killed run leaves is cleared by the next run that commits a file into
# that folder; a live writer's temporary file is left alone
S=$W/stale
mkdir -p "$S"
dsp -i "$I/long.wav" gain >"$I/long.au"
# a writer held mid-write: its input is a FIFO this shell keeps open
held_writer() {
	rm -f "$S/in.fifo"; mkfifo "$S/in.fifo"
	dsp -i "$S/in.fifo" gain -o "$S/$1" 2>/dev/null & held=$!
	exec 3>"$S/in.fifo"
	head -c 400000 "$I/long.au" >&3
	wait_for "$held" sh -c "ls -A '$S' | grep -q '^\\.$1\\.shards-'"
}
held_writer killed.wav
kill -9 "$held"; wait "$held" 2>/dev/null; exec 3>&-
left=$(ls -A "$S" | grep '^\.killed\.wav\.shards-')
check "kill -9 mid-write leaves its temporary file" test -n "$left"
held_writer live.wav
cutgen --seed 1 "$I/six.wav" -o "$S/cuts.json"
check "the next commit into the folder removes what the killed run left" test ! -e "$S/$left"
check "...and leaves a live writer's temporary file alone" sh -c "ls -A '$S' | grep -q '^\\.live\\.wav\\.shards-'"
tail -c +400001 "$I/long.au" >&3; exec 3>&-
wait "$held"
check "the live writer then finishes whole" sh -c "test \"\$(soxi -s '$S/live.wav')\" -eq \"\$(soxi -s '$I/long.wav')\""
