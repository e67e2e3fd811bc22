#!/bin/sh
# tests/analysis-honest.sh -- keydetect answers "none" for sound without a tonal
# centre (noise, hi-hats, drum loops) and still names keys of tonal material
# (chords, scales, real music); bpm and keydetect report a confidence and say on
# standard error when it is low; bpm reports the metre (3 vs 4) and its ranked
# readings; stretch --to-bpm takes the octave of the detected tempo nearest the
# target, says so, and refuses extreme ratios on a detected tempo.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
GEN=$SHARDS_TOP/tests/devset/gen.py
[ -n "${SHARDS_TOP:-}" ] || GEN=$(cd "$(dirname "$0")" && pwd)/devset/gen.py
kits=/usr/share/hydrogen/data/drumkits
music=/usr/share/games/wesnoth/1.16/data/core/music

# key_is WHAT FILE WANT: keydetect's first line, exit 0.
key_is() {
	got=$(keydetect "$2" 2>"$W/kerr"); rc=$?
	if [ $rc -eq 0 ] && [ "$got" = "$3" ]; then pass "$1"; else fail "$1" "exit $rc, '$got', wanted '$3': $(cat "$W/kerr")"; fi
}

# No tonal centre: noise of two colours, hi-hats, a drum loop.
sox -n -r 44100 "$W/white.wav" synth 8 whitenoise vol 0.5
sox -n -r 44100 "$W/pink.wav" synth 8 pinknoise vol 0.5
key_is "keydetect: white noise is none" "$W/white.wav" none
check "keydetect: none is a plain answer, stderr quiet" test ! -s "$W/kerr"
key_is "keydetect: pink noise is none" "$W/pink.wav" none
keydetect --json "$W/white.wav" >"$W/wn.json" 2>/dev/null
check "keydetect --json: none has null tonic and mode, confidence 0" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert d["key"] == "none" and d["tonic"] is None and d["mode"] is None and d["confidence"] == 0, d
assert d["tonality"] < 0.12 and len(d["chroma"]) == 12, d' "$W/wn.json"
if [ -d "$kits/GMRockKit" ]; then
	sox "$kits/GMRockKit/HatClosed-Hard.wav" -r 44100 -c 1 "$W/hh.wav" pad 0 0.2 repeat 15
	sox "$kits/GMRockKit/HatOpen-Hard.wav" -r 44100 -c 1 "$W/ho.wav" pad 0 0.1 repeat 8
	rm -rf "$W/kit"; cp -r "$kits/GMRockKit" "$W/kit"
	$PY "$GEN" drums "$W/kit" "$W/loop.wav" 100 rock 3 12 2>/dev/null
	rm -rf "$W/kit"; cp -r "$kits/TR808EmulationKit" "$W/kit"
	$PY "$GEN" drums "$W/kit" "$W/808.wav" 124 halfbar 5 12 2>/dev/null
else
	# Without the kits: noise bursts shaped like hats and a noise-and-thump loop.
	sox -n -r 44100 "$W/hb.wav" synth 0.05 whitenoise highpass 6000 fade 0 0.05 0.045 pad 0 0.2
	sox "$W/hb.wav" "$W/hh.wav" repeat 30
	sox -n -r 44100 "$W/ob.wav" synth 0.4 whitenoise highpass 4000 fade 0 0.4 0.35 pad 0 0.1
	sox "$W/ob.wav" "$W/ho.wav" repeat 15
	sox -n -r 44100 "$W/lb.wav" synth 0.3 brownnoise lowpass 150 fade 0 0.3 0.25 pad 0 0.3
	sox "$W/lb.wav" "$W/hb.wav" "$W/loop.wav" repeat 12
	cp "$W/loop.wav" "$W/808.wav"
fi
key_is "keydetect: closed hi-hats are none" "$W/hh.wav" none
key_is "keydetect: open hi-hats are none" "$W/ho.wav" none
key_is "keydetect: an acoustic drum loop is none" "$W/loop.wav" none
key_is "keydetect: a drum-machine loop (tuned kick) is none" "$W/808.wav" none

# Tonal material still has its key: chords, a scale, a melody over noise.
tri() { echo "sine $1 sine $2 sine $3"; }
sox -n -r 44100 "$W/gmaj.wav" synth 1 $(tri 196.00 246.94 293.66) : synth 1 $(tri 261.63 329.63 392.00) : synth 1 $(tri 293.66 369.99 440.00) : synth 1.5 $(tri 196.00 246.94 293.66) remix - gain -6
key_is "keydetect: I-IV-V-I in G is G major" "$W/gmaj.wav" "G major"
sc=""; for s in 0 2 3 5 7 8 11 12 11 8 7 5 3 2 0; do sc="$sc synth 0.3 pluck %$((s - 7)) :"; done
sox -n -r 22050 "$W/dmin.wav" ${sc%:}
key_is "keydetect: a D harmonic minor scale is D minor" "$W/dmin.wav" "D minor"
sox -m -v 1 "$W/gmaj.wav" -v 0.3 "$W/pink.wav" "$W/gnoisy.wav" trim 0 4.5
key_is "keydetect: G major chords under pink noise are still G major" "$W/gnoisy.wav" "G major"
keydetect --json "$W/gmaj.wav" >"$W/g.json"
check "keydetect --json: confidence 0..1, tonal measures reported" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert 0.5 <= d["confidence"] <= 1 and d["tonality"] > 0.5 and d["pitch_classes"] >= 3, d' "$W/g.json"
n=0
for f in elf-land.ogg battle-epic.ogg frantic.ogg; do
	[ -f "$music/$f" ] || continue
	n=$((n + 1))
	sox "$music/$f" -r 22050 -c 1 "$W/m.wav" trim 0 45
	got=$(keydetect "$W/m.wav" 2>/dev/null)
	check "keydetect: real music ($f) has a key ($got)" test -n "$got" -a "$got" != none
done
[ $n -gt 0 ] || fail "keydetect: real music" "missing: install wesnoth-1.16-music"

# Low key confidence is said on stderr: a bare C major triad is C major, but
# A minor is close (confidence below the warning threshold).
sox -n -r 44100 "$W/ce.wav" synth 4 sine 261.63 sine 329.63 remix - gain -6
got=$(keydetect --json "$W/ce.wav" 2>"$W/kerr")
check "keydetect: low confidence is said on stderr" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
err = open(sys.argv[2]).read()
assert d["key"] == "none" or (d["confidence"] < 0.25) == ("low confidence" in err), (d, err)' /dev/stdin "$W/kerr" <<EOF
$got
EOF

# bpm: click tracks in 3 and in 4, downbeats accented by a broadband burst.
click() { # BPM BEATS_PER_BAR OUT
	p=$(awk -v b="$1" 'BEGIN { printf "%.6f", 60 / b - 0.05 }')
	sox -n -r 22050 -c 1 "$W/acc.wav" synth 0.05 pinknoise fade 0 0.05 0.045 pad 0 "$p"
	sox -n -r 22050 -c 1 "$W/wk.wav" synth 0.05 sine 1200 fade 0 0.05 0.045 vol 0.3 pad 0 "$p"
	set -- "$1" "$2" "$3" "$W/acc.wav"
	i=1; while [ $i -lt "$2" ]; do set -- "$@" "$W/wk.wav"; i=$((i + 1)); done
	b=$1 m=$2 o=$3; shift 3
	sox "$@" "$W/bar.wav"
	sox "$W/bar.wav" "$o" repeat "$(awk -v b="$b" -v m="$m" 'BEGIN { printf "%d", 20 * b / (60 * m) }')"
}
click 150 3 "$W/w3.wav"
click 120 4 "$W/w4.wav"
bpm --json "$W/w3.wav" >"$W/b3.json"
bpm --json "$W/w4.wav" >"$W/b4.json"
check "bpm --json: a waltz click is 3/4 at 150, readings ranked, scores sum to 1" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["bpm"] / 150 - 1) < 0.02 and d["beats_per_bar"] == 3 and d["metre"] == "3/4", d["bpm"]
r = d["readings"]; assert r[0]["bpm"] == d["bpm"] and len(r) >= 3
assert all(a["score"] >= b["score"] for a, b in zip(r[1:], r[2:]))
assert abs(sum(x["score"] for x in r) - 1) < 0.01
assert {round(x["factor"], 3) for x in r} <= {1, 2, 0.5, 0.667, 1.5}
assert 0 <= d["confidence"] <= 1 and d["alternative"]["bpm"] == r[1]["bpm"]' "$W/b3.json"
check "bpm --json: a 4/4 click is 4/4 at 120" $PY -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert abs(d["bpm"] / 120 - 1) < 0.02 and d["beats_per_bar"] == 4 and d["metre"] == "4/4" and not d["compound"], d["metre"]' "$W/b4.json"
# The confidence warning agrees with the JSON, and stdout's first line stays the number.
got=$(bpm "$W/loop.wav" 2>"$W/berr")
conf=$(bpm --json "$W/loop.wav" 2>/dev/null | $PY -c 'import json,sys; print(json.load(sys.stdin)["confidence"])')
check "bpm: first line is the number, low confidence ($conf) said on stderr iff below 0.3" $PY -c '
import sys
got, conf, err = sys.argv[1], float(sys.argv[2]), open(sys.argv[3]).read()
float(got.splitlines()[0])
assert (conf < 0.3) == ("low confidence" in err), (conf, err)' "$got" "$conf" "$W/berr"
click 100 4 "$W/e100.wav"
got=$(bpm --prior 60 --range 40..120 "$W/e100.wav" 2>/dev/null)
check "bpm --range 40..120 keeps a 100 BPM click at 100 or 50 ($got)" $PY -c '
import sys; g = float(sys.argv[1]); assert abs(g / 100 - 1) < 0.02 or abs(g / 50 - 1) < 0.02, g' "$got"
got=$(bpm --range 150..220 "$W/e100.wav" 2>/dev/null)
check "bpm --range 150..220 moves a 100 BPM click to 200 ($got)" $PY -c '
import sys; g = float(sys.argv[1]); assert abs(g / 200 - 1) < 0.02, g' "$got"
check_fail "bpm: a bad --range is a usage error" 2 "range" bpm --range 180..70x "$W/e100.wav"
check_fail "bpm: --range upside down is a usage error" 2 "min|range" bpm --range 180..70 "$W/e100.wav"

# stretch --to-bpm: the octave nearest the target, said on stderr.
click 70 4 "$W/c70.wav"
stretch -t 140 "$W/c70.wav" -o "$W/s140.wav" 2>"$W/serr"
check "stretch -t 140 on a 70 BPM click assumes 140 and keeps the length" $PY -c '
import sys, subprocess
a, b = (int(subprocess.run(["soxi", "-s", f], capture_output=True, text=True).stdout) for f in sys.argv[1:3])
err = open(sys.argv[3]).read()
assert abs(b / a - 1) < 0.01, (a, b, err)
assert "detected" in err and "assumed" in err and "x2" in err, err' "$W/c70.wav" "$W/s140.wav" "$W/serr"
stretch -t 60 "$W/w4.wav" -o "$W/s60.wav" 2>"$W/serr"
check "stretch -t 60 on a 120 BPM click assumes 60 (x0.5), ratio 1" $PY -c '
import sys, subprocess
a, b = (int(subprocess.run(["soxi", "-s", f], capture_output=True, text=True).stdout) for f in sys.argv[1:3])
assert abs(b / a - 1) < 0.01 and "x0.5" in open(sys.argv[3]).read(), (a, b)' "$W/w4.wav" "$W/s60.wav" "$W/serr"
check_fail "stretch -t 1000 on a detected 120: extreme ratio refused" 1 "ratio .* outside 0.5..2.*from-bpm" \
	stretch -t 1000 "$W/w4.wav" -o "$W/x.wav"
check "stretch: nothing written when refused" test ! -e "$W/x.wav"
stretch -t 300 --from-bpm 100 "$W/e100.wav" -o "$W/s300.wav" 2>"$W/serr"
check "stretch --from-bpm 100 -t 300: done as asked, with a warning" $PY -c '
import sys, subprocess
a, b = (int(subprocess.run(["soxi", "-s", f], capture_output=True, text=True).stdout) for f in sys.argv[1:3])
assert abs(b / a - 1 / 3) < 0.01 and "warning" in open(sys.argv[3]).read(), (a, b)' "$W/e100.wav" "$W/s300.wav" "$W/serr"
