# libshards audio I/O: formats in, resampling
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# every input format libsndfile and our parser take gives the same samples
sox "$F/break48.wav" -b 16 in.flac
sox "$F/break48.wav" -b 16 in.aiff
sox "$F/break48.wav" -b 16 -e signed-integer in16.au
sox "$F/break48.wav" -b 24 in24.wav
sox "$F/break48.wav" -e floating-point -b 64 in64.wav
cutgen --seed 1 --shuffle 0 --stutter 0 --reverse 0 "$F/break48.wav" >id.json
cutapply id.json "$F/break48.wav" >ref.au
for f in in.flac in.aiff in16.au in24.wav in64.wav; do
	same_file "reads $f with the same samples" <(cutapply id.json "$f") ref.au
done
sox "$F/break48.wav" -t wav -e u-law - 2>/dev/null | cutapply id.json - >ulaw.au
check "mu-law WAV on stdin" sh -c 'sox ulaw.au -n stat 2>&1 | grep -q "Length (seconds):      4.000000"'
sox "$F/break48.wav" -t au -L - 2>/dev/null | cutapply id.json - >le.au 2>le.err || true
check "little-endian AU on stdin" sh -c 'test -s le.au || grep -q . le.err'
check "AIFF on stdin (spooled) reads as the named file" sh -c \
	'cutapply id.json - <in.aiff >aiff-pipe.au && cutapply id.json in.aiff >aiff-file.au && cmp -s aiff-pipe.au aiff-file.au'

# resampling with libsoxr: a 1 kHz tone stays at 1 kHz, the length is kept
resample 44100 "$F/sine1k.wav" >r44.au
check "resampled stream is 44.1 kHz" sh -c 'soxi r44.au | grep -q "Sample Rate    : 44100"'
near "resampled length kept" "$(soxi -D r44.au)" 2.0 0.001
f=$(sox r44.au -n stat -freq 2>&1 | awk '$1 ~ /^[0-9.]+$/ && $2 > m { m = $2; f = $1 } END { print f }')
near "resampled tone stays at 1 kHz" "$f" 1000 15
sox "$F/sine1k.wav" -t wav - 2>/dev/null | trickle 11 5 | resample 44100 - >r44t.au
same_file "resampling does not depend on pipe chunking" r44t.au r44.au

# lossy formats in and out through libsndfile
sox "$F/break48.wav" in.ogg
sox "$F/break48.wav" in.mp3
for f in in.ogg in.mp3; do
	cutgen --seed 1 --shuffle 0 --stutter 0 --reverse 0 "$f" >l.json
	check "reads $f (length kept)" sh -c "cutapply l.json $f | sox - -n stat 2>&1 | awk '/Length/ { exit !(\$3 > 3.9 && \$3 < 4.1) }'"
done
cutapply id.json "$F/break48.wav" -o out.ogg
check "writes .ogg that sox reads" sh -c 'soxi out.ogg | grep -q Vorbis'
cutapply id.json "$F/break48.wav" -o out.mp3
check "writes .mp3 that ffmpeg reads" sh -c 'ffprobe -v error -show_streams out.mp3 | grep -q codec_name=mp3'
check_fail "--bits with a lossy format is a usage error" 2 'lossy' cutapply --bits 16 id.json "$F/break48.wav" -o x.ogg
check_fail "unknown output extension" 2 'unknown output format' cutapply id.json "$F/break48.wav" -o x.xyz
# what the user must change is a usage error (2); what the system refuses is a runtime one (1)
check_fail "float FLAC is a usage error" 2 'FLAC holds 16 or 24 bits' cutapply --bits 32f id.json "$F/break48.wav" -o x.flac
check_fail "--bits 16 on stdout is a usage error" 2 'stdout always carries 32-bit float' sh -c "chop --seed 1 --bits 16 '$F/break48.wav' >/dev/null"
check_fail "an output in a missing folder is a runtime error" 1 '^chop: no-such-dir/x.wav: ' chop --seed 1 -o no-such-dir/x.wav "$F/break48.wav"
check "and nothing is left behind" test ! -e no-such-dir

# every audio writer takes the format's default bits when --bits is not given
for p in specsmear specmangle chop; do
	check "$p -o x.flac writes 24-bit FLAC by default" sh -c "$p --seed 1 -o $p.flac '$F/break48.wav' && soxi $p.flac | grep -q '24-bit'"
done

# what sox and ffmpeg users pipe: sox's WAV (its placeholder length) and the
# formats libsndfile reads only with seeking (spooled), the same samples as the file
sox -n -r 44100 -c 2 -e signed -b 16 tone.wav synth 2 sine 440 gain -3
cat tone.wav | resample 44100 - >tone-file.au
for t in wav flac aiff; do
	sox tone.wav -t $t - 2>/dev/null | resample 44100 - >tone-$t.au
	same_file "sox's $t on a pipe reads as the file does" tone-file.au tone-$t.au
done
sox tone.wav -t wav - 2>/dev/null | trickle 7 | resample 44100 - >tone-trickled.au
same_file "sox's WAV on a pipe in small writes: its placeholder still known" tone-file.au tone-trickled.au
check "cutgen measures sox's piped WAV in small writes" \
	sh -c 'sox tone.wav -t wav - 2>/dev/null | trickle 7 | cutgen --seed 1 - | jq -e ".source.duration == 2" >/dev/null'
sox tone.wav -t ogg - 2>/dev/null | resample 44100 - >tone-ogg.au
check "Ogg Vorbis on a pipe: the whole length" test "$(( ($(wc -c <tone-ogg.au) - 28) / 8 ))" -eq 88200
check_fail "random bytes on a pipe: the formats read there named" 1 "AU, WAV, FLAC" sh -c 'head -c 5000 tone.wav | tail -c 3000 | resample 44100 -'

# stdout redirected into a file whose name says a format gets that format, as
# sox writes it; a pipe, an appended file or a .au name keep the AU stream
cutapply id.json "$F/break48.wav" >named.wav
check "> out.wav: a WAV file" sh -c 'test "$(head -c 4 named.wav)" = RIFF && test "$(soxi -s named.wav)" -eq 192000'
cutapply id.json "$F/break48.wav" --bits 16 >named.flac 2>named.err
check "> out.flac with --bits 16: a 16-bit FLAC" sh -c 'soxi named.flac | grep -q "16-bit FLAC"'
cutapply id.json "$F/break48.wav" >named.au
check "> out.au: the AU stream" test "$(head -c 4 named.au)" = .snd
cutapply id.json "$F/break48.wav" | cat >piped.wav
check "| cat > out.wav: AU, as the program cannot know" test "$(head -c 4 piped.wav)" = .snd

