# tests/events-notesynth.sh -- notesynth: pitch, timing, length, polyphony, determinism.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

echo '{"t":0,"type":"note","pitch":69,"velocity":1,"gate":2}' | notesynth -w sine -o a440.wav
near "pitch 69 sounds at 440 Hz (sox)" "$(sox a440.wav -n stat 2>&1 | awk '/Rough/ {print $3}')" 440 3
near "length = gate (2 beats at 120 bpm) + release (0.15 s)" "$(soxi -D a440.wav)" 1.15 0.0001
near "a full-velocity voice peaks at --gain 0.25" "$(sox a440.wav -n stat 2>&1 | awk '/Maximum amp/ {print $3}')" 0.25 0.002
printf '%s\n' '{"t":0,"type":"tempo","bpm":60}' '{"t":1,"type":"note","pitch":60,"velocity":1,"gate":1}' | notesynth -w sine -R 10ms -o late.wav
check "a note at beat 1 at 60 bpm starts after 1 s of silence" \
	test "$(sox late.wav -n trim 0 0.999 stat 2>&1 | awk '/Maximum amp/ {print $3}')" = 0.000000
near "and sounds right after" "$(sox late.wav -n trim 1.0 0.5 stat 2>&1 | awk '/Maximum amp/ {print $3}')" 0.25 0.01
euclid --beats 8 -k 16 -n 16 | arp -D 0,2,4,6 -g 1 -O 2 --seed 1 >chords.ev
notesynth -w saw -C 2 <chords.ev >chords.au
check "stereo AU float on stdout, read by sox" test "$(soxi -c chords.au)/$(soxi -r chords.au)/$(soxi -e chords.au | head -c 14)" = "2/48000/Floating Point"
check "same input, same bytes" sh -c 'notesynth -w saw -C 2 <chords.ev | cmp -s - chords.au'
trickle 23 3 <chords.ev | notesynth -w saw -C 2 >trickled.au
same_file "output does not depend on how the pipe delivers the events" chords.au trickled.au
check "polyphony: overlapping notes sum without clipping" \
	test "$(sox chords.au -n stat 2>&1 | awk '/Maximum amp/ {print ($3 > 0.3 && $3 < 1)}')" = 1
notesynth --voices 1 -w saw <chords.ev >mono.au
check "--voices 1 steals: quieter than the chord" \
	test "$(sox mono.au -n stat 2>&1 | awk '/Maximum amp/ {print ($3 <= 0.26)}')" = 1
check_fail "a pitch outside 0..127" 1 'line 1: note needs a "pitch" within 0..127' sh -c 'echo "{\"t\":0,\"type\":\"note\",\"pitch\":200}" | notesynth -o x.wav'
check "no partial file after an error" sh -c '! ls -a | grep -q "x.wav"'
check "empty input: a valid empty file" sh -c 'notesynth -o empty.wav </dev/null && test "$(soxi -s empty.wav)" = 0'

# ---- N bars render exactly N bars (the clock's end event), --tail adds releases
clock --bars 8 --bpm 120 | euclid -k 5 | arp >bars.ev
notesynth -o bars.wav bars.ev
check "8 bars at 120 bpm from clock: exactly 16 s (768000 samples)" test "$(soxi -s bars.wav)" -eq 768000
clock --bars 2 --bpm 120 -s 1 | euclid -k 8 -n 8 | arp -g 1 >long.ev
notesynth -R 300 -o cut.wav long.ev; notesynth -R 300 --tail -o tail.wav long.ev
check "a release past the end is cut at the end" test "$(soxi -s cut.wav)" -eq 192000
check "--tail lets it ring: 300 ms more" test "$(soxi -s tail.wav)" -eq $((192000 + 14400))
check "--tail: the same audio up to the end" \
	sh -c 'sox cut.wav -t f32 a.f32 && sox tail.wav -t f32 b.f32 trim 0 192000s && cmp -s a.f32 b.f32'
grep -v '"end"' bars.ev >noend.ev
check "a stream without an end event ends with the last release" sh -c 'notesynth -o ne.wav noend.ev && test "$(soxi -s ne.wav)" -lt 768000'
