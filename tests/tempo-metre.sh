#!/bin/sh
# tests/tempo-metre.sh -- bpm's decision between a tempo and its metrical
# neighbours (double, half, two thirds, three halves) on General MIDI pieces of
# known tempo rendered with fluidsynth: a fast shuffle, a 6/8 piece (the beat a
# dotted quarter), a half-time groove, a drumless 3/4 waltz, drum and bass, a
# slow break and a slow march, each within 4% of the notated tempo, not at
# another reading. And stretch --to-bpm on
# 4-second excerpts of 121 BPM material: whichever octave bpm reads, the time
# ratio is 121/140 within 1%, said on standard error; --from-bpm overrides.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
GEN=$SHARDS_TOP/tests/devset/gen.py
[ -n "${SHARDS_TOP:-}" ] || GEN=$(cd "$(dirname "$0")" && pwd)/devset/gen.py
SF=/usr/share/sounds/sf2/FluidR3_GM.sf2

# render STYLE BPM SEED SECONDS OUT: a gen.py sketch through the GM soundfont.
render() {
	$PY "$GEN" groove "$W/p.mid" "$2" "$1" "D major" "$3" "$4" &&
		fluidsynth -ni -q -F "$5" -r 44100 "$SF" "$W/p.mid" >/dev/null 2>&1 && [ -s "$5" ]
}

# reads WHAT STYLE BPM [METRE]: bpm --json within 4% of BPM (and the metre named).
reads() {
	if ! render "$2" "$3" 11 16 "$W/$2.wav"; then fail "$1" "cannot render: install fluidsynth, fluid-soundfont-gm, python3-mido"; return; fi
	bpm --json "$W/$2.wav" >"$W/$2.json" 2>/dev/null
	check "$1" $PY -c '
import json, sys
d = json.load(open(sys.argv[1])); want = float(sys.argv[2]); metre = sys.argv[3]
assert abs(d["bpm"] / want - 1) < 0.04, "read %s BPM, readings %s" % (d["bpm"], [r["bpm"] for r in d["readings"]])
assert not metre or d["metre"] == metre, "metre %s" % d["metre"]' "$W/$2.json" "$3" "${4:-}"
}

[ -r "$SF" ] || fail "tempo: the General MIDI soundfont" "missing $SF: install fluid-soundfont-gm"
reads "bpm: a 180 BPM shuffle is 180, not 90 (swung hats on both halves of the beat)" shuffle 180 4/4
reads "bpm: a 6/8 piece at a dotted quarter of 66 is 66, not 132 or 44" sixeight 66
reads "bpm: a half-time groove at 85 (snare on 3) is 85, not 170" halftime 85
reads "bpm: a drumless waltz at 130 is 130 in 3/4, not 65 or 195" waltz 130 3/4
# The backbeat: the octave where the kick and the snare take turns on the beats.
reads "bpm: drum and bass at 176 (kick on 1, snare on 2 and 4) is 176, not 88" dnb 176
reads "bpm: a slow break at 73 is 73, not 146" break 73
reads "bpm: a march at 65 is 65, not 130" march 65

# stretch --to-bpm 140 on excerpts of a 121 BPM groove.
if render rock 121 5 20 "$W/r121.wav"; then
	for off in 0 3 6.5 10 13; do
		sox "$W/r121.wav" "$W/ex.wav" trim "$off" 4
		stretch -t 140 "$W/ex.wav" -o "$W/ex140.wav" 2>"$W/serr"
		read_as=$(bpm "$W/ex.wav" 2>/dev/null)
		check "stretch -t 140 on 4 s of 121 BPM from ${off} s (bpm reads $read_as): ratio 121/140, said on stderr" $PY -c '
import re, subprocess, sys
a, b = (int(subprocess.run(["soxi", "-s", f], capture_output=True, text=True).stdout) for f in sys.argv[1:3])
err = open(sys.argv[3]).read()
assert abs(b / a / (121 / 140) - 1) < 0.01, (a, b, err)
m = re.search(r"detected ([0-9.]+) BPM.*time ratio ([0-9.]+)", err)
assert m and abs(float(m.group(2)) / (121 / 140) - 1) < 0.01, err' "$W/ex.wav" "$W/ex140.wav" "$W/serr"
	done
	stretch -t 140 --from-bpm 60.5 "$W/ex.wav" -o "$W/ex60.wav" 2>"$W/serr"
	check "stretch --from-bpm 60.5 -t 140 takes the other reading: ratio 60.5/140, with a warning" $PY -c '
import subprocess, sys
a, b = (int(subprocess.run(["soxi", "-s", f], capture_output=True, text=True).stdout) for f in sys.argv[1:3])
assert abs(b / a / (60.5 / 140) - 1) < 0.01 and "warning" in open(sys.argv[3]).read(), (a, b)' "$W/ex.wav" "$W/ex60.wav" "$W/serr"
else
	fail "stretch: 121 BPM material" "cannot render: install fluidsynth, fluid-soundfont-gm, python3-mido"
fi
