# micro-sampling: cutgen, cutapply, chop, cutinfo, cutviz
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# raw float samples, whatever the container, for byte comparisons
pcm() { sox "$1" -t f32 - 2>/dev/null; }

# --- determinism and identity
cutgen --seed 42 "$F/break48.wav" >a.json
cutgen --seed 42 "$F/break48.wav" >b.json
same_file "cutgen: same seed, same list" a.json b.json
cutgen --seed 43 "$F/break48.wav" >c.json
if cmp -s a.json c.json; then fail "cutgen: another seed, another list"; else pass "cutgen: another seed, another list"; fi
check "cutgen: jq reads the list" jq -e '.format == "shards-cutlist" and .version == 1 and (.cuts | length) > 50' a.json
check "cutgen: seed recorded" jq -e '.seed == 42' a.json

cutgen --seed 1 --shuffle 0 --stutter 0 --reverse 0 --drop 0 "$F/break48.au" >id.json
cutapply id.json "$F/break48.au" >id.au
cmp -s <(tail -c +29 id.au) <(tail -c +"$(( $(od -An -tu1 -j4 -N4 "$F/break48.au" | awk '{print $1*16777216+$2*65536+$3*256+$4}') + 1 ))" "$F/break48.au") \
	&& pass "cutapply: identity list reproduces the source bit-exact" || fail "cutapply: identity list reproduces the source bit-exact"
cutapply id.json "$F/break48.wav" -o id.wav --bits 16
same_file "cutapply: identity to 16-bit WAV keeps 16-bit samples exact" <(sox id.wav -t s16 -) <(sox "$F/break48.wav" -t s16 -)

# --- rendering is deterministic and sox/ffmpeg read it
cutapply a.json "$F/break48.wav" >a1.au
cutapply a.json "$F/break48.wav" >a2.au
same_file "cutapply: same list, same source, same bytes" a1.au a2.au
check "cutapply: sox reads the AU stream" sh -c 'sox a1.au -n stat 2>&1 | grep -q "Length (seconds)"'
check "cutapply: ffmpeg reads the AU stream" ffmpeg -v error -i a1.au -f null -
near "cutapply: output length is the list's length" "$(sox a1.au -n stat 2>&1 | awk '/Length/ {print $3}')" "$(jq '[.cuts[].dur] | add' a.json)" 0.0001
for fmt in wav flac aiff au; do
	cutapply a.json "$F/break48.wav" -o "out.$fmt"
	if sox -V2 "out.$fmt" -n 2>&1 | grep -qi warn; then fail "cutapply -o out.$fmt: sox reads it without warnings" "$(sox -V2 "out.$fmt" -n 2>&1 | grep -i warn)"
	else pass "cutapply -o out.$fmt: sox reads it without warnings"; fi
done
check "cutapply -o out.wav: ffmpeg reads it without errors" ffmpeg -v error -i out.wav -f null -
same_file "cutapply -o wav holds the same samples as stdout" <(pcm out.wav) <(pcm a1.au)

# --- block-size invariance: the source trickles in through the pipe
sox "$F/break48.wav" -t au -e floating-point - 2>/dev/null | trickle 7 1 | cutapply a.json - >t1.au
sox "$F/break48.wav" -t au -e floating-point - 2>/dev/null | trickle 4096 2 | cutapply a.json - >t2.au
same_file "cutapply: output independent of pipe chunking (1..7 bytes)" t1.au a1.au
same_file "cutapply: output independent of pipe chunking (1..4096 bytes)" t2.au a1.au
sox "$F/break48.wav" -t wav - 2>/dev/null | trickle 5 3 | cutapply a.json - >t3.au
same_file "cutapply: WAV on a trickling pipe" t3.au a1.au
# a seekable file is read piece by piece (exact reads, the next piece from what
# is buffered, repeats and reversals read again): the bytes a pipe gives, for
# float and 32-bit integer sources, in short pieces and long ones
cutgen --seed 5 --slice 7ms --shuffle 1 --stutter 0.4 --reverse 0.3 "$F/break48.wav" >s.json
cutgen --seed 5 --slice 900ms --shuffle 0.5 --stutter 0.3 --reverse 0.3 "$F/break48.wav" >l.json
sox "$F/break48.wav" -e floating-point -b 32 f32.au
sox "$F/break48.wav" -e signed-integer -b 32 s32.wav
for src in f32.au s32.wav; do
	for list in s l; do
		cutapply $list.json "$src" >pf.au
		cat "$src" | trickle 4093 1 | cutapply $list.json - >pp.au
		same_file "cutapply: $src read in place gives what its pipe gives ($list.json)" pf.au pp.au
	done
done
sox "$F/break48.wav" -t au -e floating-point - 2>/dev/null | trickle 9 4 | cutgen --seed 42 >t.json
same_file "cutgen: audio on a trickling pipe gives the same list" <(jq -c .cuts t.json) <(jq -c .cuts a.json)
cutapply --memory 1 a.json - <a1.au >/dev/null 2>&1; # warm
sox "$F/break48.wav" -t au -e floating-point - 2>/dev/null | cutapply --memory 1 a.json - >sp.au
same_file "cutapply: a pipe spooled to a temporary file renders the same" sp.au a1.au

# --- chaining: list then pass == render then pass
cutgen --seed 42 --slice 30ms "$F/break48.wav" >p1.json
cutgen --seed 7 --slice 1/16 --bpm 120 --stutter 0.5 --max-repeats 6 --reverse 0.4 --drop 0.1 <p1.json >chain.json
cutapply p1.json "$F/break48.wav" -o r1.wav
cutgen --seed 7 --slice 1/16 --bpm 120 --stutter 0.5 --max-repeats 6 --reverse 0.4 --drop 0.1 r1.wav >p2.json
cutapply p2.json r1.wav >twostep.au
cutapply chain.json "$F/break48.wav" >chained.au
same_file "cutgen: chained list renders the same bytes as rendering in between" chained.au twostep.au
check "cutgen: the chain is still one list over the source" jq -e '.source.duration == 4' chain.json
cutgen --seed 3 --slices 10 --shuffle 1 <chain.json | cutapply - "$F/break48.wav" >three.au
check "cutgen: a third pass chains too" test -s three.au

# compose at a frame rate that does not divide the sample rate
cutgen --seed 5 --fps 30000/1001 --slice 2f "$F/break44.wav" >f1.json
cutgen --seed 6 --fps 30000/1001 --slice 3f --reverse 0.5 <f1.json >f2.json
cutapply f1.json "$F/break44.wav" -o f1.wav
cutgen --seed 6 --fps 30000/1001 --slice 3f --reverse 0.5 f1.wav >f1b.json
same_file "cutgen: chaining at 30000/1001 fps and 44.1 kHz is exact" <(cutapply f2.json "$F/break44.wav") <(cutapply f1b.json f1.wav)

# --- frame grid
cutgen --seed 9 --fps 25 --slice 3f "$F/break48.wav" >g.json
check "cutgen --fps 25: every boundary on the frame grid" jq -e '[foreach .cuts[].dur as $d (0; . + $d; . * 25 | (. - (. | round)) | fabs < 1e-6)] | all' g.json
check "cutgen --fps: every source position on the frame grid" jq -e '[.cuts[] | select(.silence | not) | .src * 25 | (. - round) | fabs < 1e-6] | all' g.json
# --whole-frames: the source's last part of a frame left out, every piece whole frames
sox -n -r 48000 -c 1 odd.wav synth 1.23 sine 440 # 30.75 frames at 25 fps
cutgen --seed 9 --fps 25 --slice 3f --stutter 0.5 --whole-frames odd.wav >wf.json
check "cutgen --whole-frames: every piece whole frames" jq -e '[.cuts[].dur * 25 | (. - round) | fabs < 1e-6] | all' wf.json
check "cutgen --whole-frames: the source's 30 whole frames, all heard" sh -c 'cutinfo --json wf.json | jq -e ".coverage * 1.23 * 25 | . - 30 | fabs < 1e-6"'
check "cutgen --whole-frames: its sound lasts exactly the frames of its picture" sh -c 'n=$(cutapply wf.json odd.wav -o wf.wav && soxi -s wf.wav) && f=$(cutinfo --json wf.json | jq ".output_duration * 25 | round") && test "$n" -eq $((f * 1920))'
check_fail "cutgen --whole-frames without a frame grid" 2 "needs a frame grid" cutgen --whole-frames -D 3

# --- options
check "cutgen --slices 8 --shuffle 0: eight pieces in order" sh -c 'cutgen --seed 1 --slices 8 --shuffle 0 --stutter 0 --reverse 0 --duration 4 | jq -e "[.cuts[].src] == [0,0.5,1,1.5,2,2.5,3,3.5]"'
check "cutgen --slice 1/16 --bpm 120: 125 ms pieces" sh -c 'cutgen --seed 1 --shuffle 0 --stutter 0 --reverse 0 --slice 1/16 --bpm 120 --duration 1 | jq -e "[.cuts[].dur] | all(. == 0.125)"'
check "cutgen --slice 40: a bare number is milliseconds" sh -c 'cutgen --seed 1 --stutter 0 --slice 40 --duration 1 | jq -e "(.cuts | length) == 25"'
check "cutgen --shuffle 0.2..0.8: drawn per run and recorded" sh -c 'cutgen --seed 1 --shuffle 0.2..0.8 --duration 1 | jq -e ".made_by.drawn.shuffle >= 0.2 and .made_by.drawn.shuffle <= 0.8"'
check "cutgen --drop 1: all silence" sh -c 'cutgen --seed 1 --drop 1 --duration 1 | jq -e "[.cuts[].silence] | all"'
check "cutgen: stutter repeats up to --max-repeats" sh -c 'cutgen --seed 2 --stutter 1 --max-repeats 3 --shuffle 0 --slices 4 --duration 1 | jq -e "(.cuts | length) >= 8 and (.cuts | length) <= 12"'
echo '{"reverse": 0.5, "slice": "20ms"}' >rev.json
check "cutgen --preset FILE then flags" sh -c 'cutgen --preset ./rev.json --slice 10ms --print-config | jq -e ".reverse == 0.5 and .slice == \"10ms\""'
mkdir -p presets/cutgen && echo '{"shuffle": 1}' >presets/cutgen/all.json
check "cutgen --preset NAME from ./presets/cutgen/" sh -c 'cutgen --preset all --print-config | jq -e ".shuffle == 1"'
cutgen --print-config >pc.json
check "--print-config is itself a valid preset" sh -c 'cutgen --preset ./pc.json --print-config | cmp - pc.json'
check "--help and --version" sh -c 'cutgen --help | grep -q usage && cutapply --version | grep -q shards'

# --- fit
cutgen --seed 11 --slice 50ms "$F/break48.wav" >long.json
sox "$F/break48.wav" short.wav trim 0 2
check_fail "cutapply: a cut past the source's end is an error" 1 'past the source' cutapply long.json short.wav
check "cutapply --fit scale reuses a list on a shorter source" sh -c 'cutapply --fit scale long.json short.wav | sox - -n stat 2>&1 | grep -q Length'
check "cutapply --fit wrap reuses a list on a shorter source" sh -c 'cutapply --fit wrap long.json short.wav | sox - -n stat 2>&1 | grep -q Length'
cutapply --declick 2 a.json "$F/break48.wav" >dc.au
if cmp -s dc.au a1.au; then fail "cutapply --declick changes the edges"; else pass "cutapply --declick changes the edges"; fi

# --- chop
chop --seed 5 --slices 16 --reverse 0.3 -c chop.json "$F/break48.wav" >chop.au
same_file "chop: its --cutlist renders to the same audio" <(cutapply chop.json "$F/break48.wav") chop.au
check "chop: shuffles every slice by default" jq -e '.made_by.drawn.shuffle == 1' chop.json
chop --seed 5 --slices 16 -o chop16.wav --bits 16 "$F/break48.wav"
check "chop -o FILE --bits 16" sh -c 'soxi chop16.wav | grep -q "16-bit"'

# --- cutinfo and cutviz
check "cutinfo: identity list moves nothing, covers everything" sh -c 'cutinfo --json id.json | jq -e ".moved_share == 0 and .coverage == 1 and .dropped_share == 0"'
check "cutinfo: drops counted" sh -c 'cutgen --seed 1 --drop 1 --duration 1 | cutinfo --json | jq -e ".dropped_share == 1 and .coverage == 0"'
check "cutinfo: text summary" sh -c 'cutinfo a.json | grep -q "^coverage: "'
cutviz -o viz.png a.json
check "cutviz: a PNG of the requested size" sh -c 'identify viz.png | grep -q "PNG 1200x400"'
cutviz --width 300 --height 100 <a.json >small.png
check "cutviz: size options and stdout" sh -c 'identify small.png | grep -q "PNG 300x100"'
# the reversed pieces show in magenta, the forward ones in cyan
check "cutviz: reversed pieces drawn" sh -c 'cutgen --seed 1 --reverse 1 --duration 1 | cutviz | convert png:- -format "%[fx:maxima.r]" info: | grep -q "^1"'

# --- bad input: one line, exit 1, no -o file left behind
check_fail "empty stdin" 1 'empty' cutapply a.json -
printf '.snd\0\0\0\034\377\377\377\377\0\0\0\6\0\0\273\200\0\0\0\2\0\0\0\0\1\2\3' >trunc.au
check_fail "truncated AU frame" 1 'truncated' cutapply a.json trunc.au
head -c 1000 "$F/break48.wav" >trunc.wav
check_fail "WAV whose header lies about its size" 1 'lying header|truncated' cutapply a.json trunc.wav
python3 -c '
import struct,sys
s=[0.1]*48000; s[30000]=float("nan")
d=struct.pack(">6I",0x2e736e64,28,0xffffffff,6,48000,1)+b"\0"*4+struct.pack(">48000f",*s)
open("nan.au","wb").write(d)'
cutgen --seed 1 --duration 1 >nan.json
check_fail "NaN samples are refused, naming the frame" 1 'frame 30000 channel 0 is NaN' cutapply nan.json nan.au -o nan-out.wav
check "no output file after an error" sh -c '! ls | grep -q nan-out'
check_fail "cutgen refuses NaN samples on stdin, naming the frame" 1 'stdin: frame 30000 channel 0 is NaN' sh -c 'cutgen - <nan.au'
echo 'not json' >bad.json
check_fail "non-JSON cut list" 1 "bad.json: not a JSON object \(it starts with 'n'\)" cutapply bad.json "$F/break48.wav"
check_fail "/dev/zero as a cut list: refused at its first byte" 1 'stdin: not a JSON object \(it starts with byte 0x00\)' sh -c 'cutapply - "$F/break48.wav" </dev/zero'
check_fail "a piped cut list is parsed as it comes: refused at its first bad byte, not read whole" 1 'stdin: not a cut list: JSON error at line 1 column 2: a string expected' \
	sh -c '(printf "{"; cat /dev/zero) | cutapply - "$F/break48.wav"'
check_fail "...by cutgen too" 1 'stdin: not a cut list: JSON error at line 1 column 2' sh -c '(printf "{"; cat /dev/zero) | cutgen -'
check_fail "a cut list file over 2 GiB is refused by its size" 1 'sparse.json: larger than 2147483648 bytes' sh -c 'truncate -s 3G sparse.json && cutinfo sparse.json'
rm -f sparse.json
check_fail "...as an arrangement too" 1 'stdin: not a JSON object \(it starts with byte 0x00\)' sh -c 'arrange --render - </dev/zero'
head -c 3000000 /dev/zero >big.json
check_fail "a file over an arrangement's 256 MiB cap is refused by its size" 1 'larger than' sh -c 'truncate -s 300M big.json && arrange --render big.json'
jq '.version = 99' a.json >v99.json
check_fail "unknown schema version" 1 'version 99' cutinfo v99.json
jq '.cuts[3].dur = -0.5' a.json >neg.json
check_fail "negative duration names the cut and field" 1 "cut 3: field 'dur'" cutinfo neg.json
jq '.cuts[2].dur = 0' a.json >zero.json
check_fail "zero duration" 1 "cut 2: field 'dur'" cutapply zero.json "$F/break48.wav"
jq '.cuts[0].src = 1e308' a.json >huge.json
check_fail "absurd numbers" 1 "cut 0: field 'src'" cutapply huge.json "$F/break48.wav"
jq '.cuts[1].revers = true' a.json >typo.json
check_fail "unknown field named" 1 "unknown field 'revers'" cutinfo typo.json
check_fail "missing file" 1 'No such file' cutapply a.json nonexistent.wav
check_fail "a directory" 1 'directory' cutapply a.json .
check_fail "bad option value names the option and range" 2 'shuffle.*range 0..1' cutgen --shuffle 2 --duration 1
script -qec "cutapply a.json $F/break48.wav; echo status=\$?" /dev/null </dev/null >tty.log 2>&1
check "a terminal as stdout is refused with status 1" sh -c 'grep -q "refusing to write binary data to a terminal" tty.log && grep -q "status=1" tty.log'
cutapply a.json "$F/break48.wav" 2>epipe.err | head -c 100 >/dev/null
st=${PIPESTATUS[0]}
check "EPIPE (| head) ends quietly with status 0" sh -c "test $st -eq 0 && ! test -s epipe.err"

# --- slicing at onsets: every piece starts on a detected hit
onsets "$F/break48.wav" >hits.json
cutgen --seed 2 --onsets hits.json --shuffle 0 --stutter 0 --reverse 0 "$F/break48.wav" >on.json
check "cutgen --onsets: boundaries are the onsets" sh -c 'test "$(jq -c "[.onsets[].t | select(. > 0)]" hits.json)" = "$(jq -c "[.cuts[1:][].src]" on.json)"'

# --- outputs that are not regular files are written in place, never replaced
mkfifo fifo.au
sox fifo.au -n stat 2>fifo.stat &
spid=$!
cutapply -o fifo.au a.json "$F/break48.wav" || : >fifo.au # a failed run still lets sox go, so the check fails, not hangs
wait $spid
check "-o into a FIFO streams AU through it" grep -q "Length" fifo.stat
check "-o into a FIFO leaves it a FIFO" test -p fifo.au
check "-o /dev/null works and leaves /dev/null a device" sh -c "cutapply -o /dev/null a.json $F/break48.wav && test -c /dev/null"
check "cutgen -o /dev/null keeps the device" sh -c 'cutgen --duration 1 -o /dev/null && test -c /dev/null'
check "--print-config: an unset duration is null, and loads back" sh -c 'cutgen --print-config >pc2.json && jq -e ".duration == null" pc2.json && cutgen --preset ./pc2.json --print-config >/dev/null'
