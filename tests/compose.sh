# manifest and compose: a three-part track folder (a still, a folder of
# pictures, a clip; flat red, green and blue) as a manifest (valid JSON, parts
# in order with kinds, durations, tempos and keys) and as a Makefile that make
# renders to an MP4 (one H.264 and one AAC stream, as long as the parts' cut
# lists, each part's colour at its place); touching one sample re-renders only
# that part and the final steps; --preview; bad manifests refused before any
# work, naming the part and the key.
. "$(dirname "$0")/lib.sh"
cd "$W"
mkdir -p track/01-kick track/02-break track/03-texture other
# 120 BPM pulses, about 4 s a part; the third a plucked A minor chord
sox -n -r 44100 -c 1 track/01-kick/sample.wav synth 0.06 sine 880 fade 0 0.06 0.05 pad 0 0.44 repeat 7
sox -n -r 44100 -c 1 track/02-break/sample.wav synth 0.06 square 220 fade 0 0.06 0.05 pad 0 0.4175 repeat 7
sox -n -r 48000 -c 2 track/03-texture/sample.wav synth 0.5 pluck A3 pluck C4 pluck E4 remix - remix 1 1 repeat 7
convert -size 320x240 xc:'#ff0000' track/01-kick/visual.png
for i in 1 2 3; do convert -size 320x240 xc:"rgb(0,$((100 + 50 * i)),0)" track/02-break/00$i.png; done
ff -f lavfi -i color=c=blue:s=320x240:r=30:d=2 -pix_fmt yuv420p track/03-texture/visual.mp4

# the manifest
check "manifest writes a template" manifest -o track/manifest.json track
check "it is JSON" python3 -c 'import json,sys; json.load(open(sys.argv[1]))' track/manifest.json
check "parts in folder order, kinds, paths relative to the manifest" python3 - track/manifest.json <<'PY'
import json, sys
m = json.load(open(sys.argv[1]))
assert m["format"] == "shards-track" and m["version"] == 1, m
p = m["parts"]
assert [x["name"] for x in p] == ["01-kick", "02-break", "03-texture"], p
assert [x["kind"] for x in p] == ["still", "pictures", "clip"], p
assert [x["sample"] for x in p] == ["01-kick/sample.wav", "02-break/sample.wav", "03-texture/sample.wav"], p
assert [x["visual"] for x in p] == ["01-kick/visual.png", "02-break", "03-texture/visual.mp4"], p
assert abs(p[0]["duration"] - 4.0) < 0.01 and abs(p[1]["duration"] - 3.82) < 0.01, p
for x in p:
    assert x["start"] is None and x["gain"] == 0 and set(x["microsample"]) == {
        "slice", "shuffle", "stutter", "reverse", "drop", "max_repeats", "seed"}, x
assert abs(p[0]["bpm"] - 120) < 1.5 and min(abs(p[2]["bpm"] - b) for b in (60, 120)) < 1.5, p
assert p[2]["key"] == "A minor", p[2]
PY
check "stdout and -o agree (from the track's folder)" sh -c 'cd track && manifest . | cmp - manifest.json'

# the Makefile, and make
G="--x264-preset ultrafast -s 160x120 --seed 5" # a small film renders fast
mkdir -p run
check "compose writes a Makefile" compose $G -o run/Makefile track/manifest.json
check "make -j2 renders it" make -C run -f Makefile -j2
check "the part at the track's tempo takes no stretch pass (part 1), the others do" sh -c '
	grep -q "^# part 1: 01-kick .*the track.s tempo, not stretched" run/Makefile &&
	! grep -q "^\$(B)/01-kick/sample.wav" run/Makefile && grep -q "^\$(B)/02-break/sample.wav" run/Makefile'
probe() { ffprobe -v error -select_streams "$2" -show_entries "stream=$3" -of csv=p=0 "$1"; }
check "one h264 and one aac stream" test "$(ffprobe -v error -show_entries stream=codec_name -of csv=p=0 run/track.mp4 | tr '\n' ' ')" = "h264 aac "
d1=$(cutinfo --json run/track.build/01-kick/cuts.json | jq .output_duration)
d2=$(cutinfo --json run/track.build/02-break/cuts.json | jq .output_duration)
d3=$(cutinfo --json run/track.build/03-texture/cuts.json | jq .output_duration)
total=$(echo "$d1 $d2 $d3" | awk '{ print $1 + $2 + $3 }')
near "video as long as the three cut lists" "$(probe run/track.mp4 v:0 duration)" "$total" 0.034
near "audio too, within a frame" "$(probe run/track.mp4 a:0 duration)" "$total" 0.034
# each part's colour in the middle of its place: red, green, blue
colour() { ff -ss "$2" -i "$1" -frames:v 1 -vf scale=1:1 -f rawvideo -pix_fmt rgb24 - | od -An -tu1 |
	awk '{ c = ($1 > $2 && $1 > $3) ? "red" : ($2 > $3) ? "green" : "blue"; print c }'; }
got=$(for t in $(echo "$d1 $d2 $d3" | awk '{ print $1 / 2, $1 + $2 / 2, $1 + $2 + $3 / 2 }'); do
	colour run/track.mp4 "$t"; done | tr '\n' ' ')
check "the parts in order at their times: $got" test "$got" = "red green blue "
check "the sound of part 1 stays in part 1's span (silence-free mix)" test "$(sox run/track.build/master.wav -n stat 2>&1 | awk '/Length/ { print ($3 > 10) }')" = 1

# incremental: one sample touched, only its part and the last steps
touch track/02-break/sample.wav
make -C run -f Makefile -n >plan.txt 2>&1
check "make -n: part 2's five steps, nothing of parts 1 and 3" sh -c '
	test "$(grep -cE "^(stretch|avbond|cutgen|cutapply)" plan.txt)" -eq 5 &&
	! grep -E "^(stretch|avbond|cutgen|cutapply)" plan.txt | grep -qv 02-break &&
	grep -q "^amix" plan.txt && grep -q "^loudnorm" plan.txt && grep -q "^avmux" plan.txt'

# a preview, written to a pipe and run from another folder (the parts built
# above serve again: only part 2, touched, and the last steps run)
check "compose --preview 10 | make -f - -j2" sh -c "cd other && compose $G --preview 10 ../track | make -f - -j2 OUT=preview.mp4 B=../run/track.build >/dev/null"
near "the preview is 10 s" "$(probe other/preview.mp4 v:0 duration)" 10 0.034
near "its audio too" "$(probe other/preview.mp4 a:0 duration)" 10 0.034

bad() { # NAME JQ-EXPR
	jq "$2" track/manifest.json >"track/$1.json"
}

# starts of their own: part 2 at 2 s (part 1 cut there), part 3 at 14 s (a
# black, silent gap before it)
jq '.parts[1].start = 2 | .parts[2].start = 14' track/manifest.json >track/fixed.json
mkdir -p fixed
check "compose and make with starts of their own" sh -c "compose $G -o fixed/Makefile track/fixed.json && make -C fixed -f Makefile -j2 >/dev/null"
e2=$(cutinfo --json fixed/track.build/02-break/cuts.json | jq .output_duration)
e3=$(cutinfo --json fixed/track.build/03-texture/cuts.json | jq .output_duration)
near "the film ends with part 3: 14 s + its length" "$(probe fixed/track.mp4 v:0 duration)" "$(echo "$e3" | awk '{ print 14 + $1 }')" 0.034
near "its sound too" "$(probe fixed/track.mp4 a:0 duration)" "$(echo "$e3" | awk '{ print 14 + $1 }')" 0.034
colour4() { ff -ss "$2" -i "$1" -frames:v 1 -vf scale=1:1 -f rawvideo -pix_fmt rgb24 - | od -An -tu1 |
	awk '{ c = ($1 < 30 && $2 < 30 && $3 < 30) ? "black" : ($1 > $2 && $1 > $3) ? "red" : ($2 > $3) ? "green" : "blue"; print c }'; }
got=$(for t in 1 3 $(echo "$e2" | awk '{ print (2 + $1 + 14) / 2 }') 14.5; do colour4 fixed/track.mp4 "$t"; done | tr '\n' ' ')
check "red, green from 2 s, a black gap, blue from 14 s: $got" test "$got" = "red green black blue "
check "the gap is silent" sh -c "sox fixed/track.build/master.wav -n trim $(echo "$e2" | awk '{ print 2 + $1 + 0.1 }') =13.9 stat 2>&1 | grep -Eq '^Maximum amplitude: +0\.000000'"
bad early '.parts[1].start = 5 | .parts[2].start = 3'

# bad manifests: one line naming the part and the key, status 2, nothing written
bad missing '.parts[1].sample = "02-break/gone.wav"'
bad unknown '.parts[2].microsample.shufle = 0.5'
bad short '.parts[0].microsample.slice = "8s"'
bad version '.version = 2'
bad range '.parts[1].microsample.stutter = 1.5'
check_fail "a missing file" 2 "part '02-break': sample: .*gone.wav: no such file" compose -o M1 track/missing.json
check_fail "an unknown key" 2 "part '03-texture': shufle: unknown key" compose -o M2 track/unknown.json
check_fail "a part shorter than its slice" 2 "part '01-kick': slice: '8s' is .* longer than the part" compose -o M3 track/short.json
check_fail "a wrong version" 2 "version: this shards reads version 1" compose -o M4 track/version.json
check_fail "a value out of range" 2 "part '02-break': stutter: 1.5 is out of range" compose -o M5 track/range.json
check_fail "a start before an earlier part's" 2 "part '03-texture': start: 3 s is before part '02-break' starts" compose -o M6 track/early.json
check "nothing written, no build folder" sh -c '! ls M1 M2 M3 M4 M5 M6 *.build 2>/dev/null | grep -q .'
