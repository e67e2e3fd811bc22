# vfx-media: the video effects read media files (mp4, mkv, a still picture...)
# as well as y4m; stdin stays y4m, and input that is neither says what it is
# and what to do.
. "$SHARDS_TOP/tests/lib.sh"
DRIVER="vnoise posterize rgbsplit scanlines pixcorrupt analog colorgrade"

# clip CODEC-ARGS SIZE FILE: 10 frames of a moving test picture
clip() {
	# shellcheck disable=SC2086
	ffmpeg -v error -f lavfi -i "testsrc2=size=$2:rate=25" -frames:v 10 $1 "$3"
}
clip "-c:v ffv1 -pix_fmt yuv420p" 64x48 "$W/c.mkv"
clip "-c:v libx264 -pix_fmt yuv420p -preset ultrafast" 64x48 "$W/c.mp4"
# stabilize's motion search wants 96x96 at least
clip "-c:v ffv1 -pix_fmt yuv420p" 128x96 "$W/big.mkv"
clip "-c:v libx264 -pix_fmt yuv420p -preset ultrafast" 128x96 "$W/big.mp4"
# the reference: what ffmpeg itself decodes from the same files
for f in c.mkv c.mp4 big.mkv big.mp4; do
	ffmpeg -v error -i "$W/$f" -f yuv4mpegpipe - >"$W/$f.y4m"
done
ffmpeg -v error -f lavfi -i testsrc2=size=64x48 -frames:v 1 "$W/still.png"
ffmpeg -v error -f lavfi -i testsrc2=size=128x96 -frames:v 1 "$W/bigstill.png"

# same_frames WHAT A B: the same geometry and frame rate, the same frames (the
# headers' X-tags may differ: ffmpeg adds its own)
same_frames() {
	if [ "$(head -1 "$2" | cut -d' ' -f1-4)" != "$(head -1 "$3" | cut -d' ' -f1-4)" ]; then
		fail "$1" "headers: $(head -1 "$2") / $(head -1 "$3")"
	elif ! tail -n +2 "$2" | cmp -s - "$3.body"; then
		fail "$1" "frames differ"
	else pass "$1"; fi
}

for prog in $DRIVER stabilize; do
	# stabilize has no randomness, hence no --seed
	case $prog in stabilize) pre=big still=bigstill seed= ;; *) pre=c still=still seed="--seed 7" ;; esac
	for ext in mkv mp4; do
		f=$W/$pre.$ext
		$prog $seed "$f.y4m" >"$W/ref.y4m" 2>"$W/err" || fail "$prog: runs on y4m" "$(cat "$W/err")"
		tail -n +2 "$W/ref.y4m" >"$W/ref.y4m.body"
		if $prog $seed "$f" >"$W/got.y4m" 2>"$W/err"; then
			same_frames "$prog: an $ext file gives the frames of ffmpeg's y4m of it" "$W/got.y4m" "$W/ref.y4m"
		else fail "$prog: an $ext file gives the frames of ffmpeg's y4m of it" "$(cat "$W/err")"; fi
		if [ "$prog" != stabilize ]; then
			$prog $seed -j 3 "$f" >"$W/j3.y4m" 2>"$W/err"
			same_file "$prog: -j 3 on an $ext file, the same bytes" "$W/got.y4m" "$W/j3.y4m"
		fi
	done
	check "$prog: a still PNG is one frame of its size" sh -c "$prog $seed '$W/$still.png' >'$W/st.y4m' &&
		ffprobe -v error -count_frames -show_entries stream=width,height,nb_read_frames -of csv=p=0 '$W/st.y4m' |
		grep -qx '$(case $still in still) echo 64,48 ;; *) echo 128,96 ;; esac),1'"
done

# what is not y4m and cannot be decoded: one line naming what it saw, and a way on
printf 'just some notes, not a video\n' >"$W/notes.txt"
head -c 3000 /dev/urandom >"$W/noise.bin"
ffmpeg -v error -f lavfi -i sine=d=0.2 "$W/tone.wav"
for prog in $DRIVER stabilize; do
	check_fail "$prog: a text file names what it starts with" 1 \
		"^$prog: .*notes\\.txt: not a y4m stream \\(bad magic: it starts with \"just some notes.*\\), nor a media file FFmpeg reads.*; give a video, a picture or a y4m stream$" \
		$prog "$W/notes.txt"
	check_fail "$prog: an mp4 on stdin says to name it or convert it" 1 \
		"^$prog: stdin: not a y4m stream \\(bad magic: it looks like .*MOV.*\\); name the file instead \\($prog FILE\\) or convert it: ffmpeg -i FILE -f yuv4mpegpipe - \\| $prog$" \
		sh -c "$prog <'$W/c.mp4'"
done
check_fail "random bytes are refused in one line" 1 "^vnoise: .*noise\\.bin: not a y4m stream \\(bad magic: .*\\), nor a media file" \
	vnoise "$W/noise.bin"
check_fail "garbage on stdin is refused with the hint" 1 "^posterize: stdin: not a y4m stream \\(bad magic: .*\\); name the file instead" \
	sh -c "posterize <'$W/notes.txt'"
check_fail "a sound has no video" 1 "^analog: .*tone\\.wav: no video stream in it \\(audio only" analog "$W/tone.wav"
mkfifo "$W/fifo"
{ cat "$W/c.mp4" >"$W/fifo" 2>/dev/null & } 
check_fail "a named pipe is y4m only, and says so" 1 \
	"^rgbsplit: .*fifo: not a y4m stream \\(bad magic: it looks like .*\\), and a pipe is read as y4m only" rgbsplit "$W/fifo"
exec 3<>"$W/fifo" # the writer goes even if rgbsplit never opened the pipe
exec 3<&-
wait
# a y4m stream still reads from stdin and from a pipe, byte for byte as before
vnoise --seed 7 <"$W/c.mkv.y4m" >"$W/in.y4m"
vnoise --seed 7 "$W/c.mkv.y4m" >"$W/named.y4m"
same_file "y4m on stdin and as a named file, the same bytes" "$W/in.y4m" "$W/named.y4m"
