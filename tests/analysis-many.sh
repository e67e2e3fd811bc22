#!/bin/sh
# tests/analysis-many.sh -- bpm, keydetect and onsets on several files (one
# line per file as md5sum writes it, JSON Lines with --json), bad files among
# good ones (named once, skipped, exit 1), sections (--start, --duration, onset
# and beat times still the file's), onsets -t as a floor on the printed
# strength, and stretch -k saying which key it heard.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# click BPM SECONDS OUT: a click track with an accented downbeat every 4 clicks,
# about SECONDS long (as tests/analysis.sh makes them)
click() {
	p=$(awk -v b="$1" 'BEGIN { printf "%.6f", 60 / b - 0.02 }')
	sox -n -r 44100 -c 1 acc.wav synth 0.02 sine 2500 fade 0 0.02 0.019 pad 0 "$p"
	sox -n -r 44100 -c 1 wk.wav synth 0.02 sine 1200 fade 0 0.02 0.019 vol 0.4 pad 0 "$p"
	sox acc.wav wk.wav wk.wav wk.wav bar.wav
	sox bar.wav "$3" repeat "$(awk -v b="$1" -v s="$2" 'BEGIN { printf "%d", s * b / 240 - 1 }')"
}
click 100 12 c100.wav
click 140 12 c140.wav
sox c100.wav c140.wav both.wav # 100 BPM, then 140 BPM from 12 s on
half=$(soxi -D c100.wav)
# triads held: C major, then F# minor
sox -n -r 44100 cmaj.wav synth 6 pluck C4 pluck E4 pluck G4 vol 0.3
sox -n -r 44100 fsm.wav synth 6 pluck F#3 pluck A3 pluck C#4 vol 0.3
sox cmaj.wav fsm.wav keys.wav
# a kick on every half second, a faint closed hat between: 4 s
sox -n -r 44100 -c 1 kick.wav synth 0.25 sine 120-45 fade q 0.002 0.25 0.2 vol 0.9
sox -n -r 44100 -c 1 hat.wav synth 0.04 whitenoise vol 0.5 highpass 7000 fade q 0.001 0.04 0.038 vol 0.16 pad 0 0.21
sox kick.wav hat.wav pair.wav
sox pair.wav kh.wav repeat 7
# bad inputs: a folder, text, nothing, a WAV cut short
mkdir folder.wav
echo "not audio at all" >text.wav
: >empty.wav
head -c 3000 c100.wav >trunc.wav

# ---- several files: one line each, md5sum's form --------------------------------
one100=$(bpm c100.wav); one140=$(bpm c140.wav)
check "bpm: one file is the bare number, as before" sh -c "echo '$one100' | grep -Eqx '[0-9]+\.[0-9]{2}'"
bpm c100.wav c140.wav >two.txt
check "bpm: two files, two lines 'VALUE  FILE' with each file's single answer" \
	test "$(cat two.txt)" = "$one100  c100.wav
$one140  c140.wav"
check "bpm: the values are the click tempos (2%)" awk '
	NR == 1 && ($1 < 98 || $1 > 102 || $2 != "c100.wav") { exit 1 }
	NR == 2 && ($1 < 137.2 || $1 > 142.8 || $2 != "c140.wav") { exit 1 }
	END { exit NR != 2 }' two.txt
keydetect cmaj.wav fsm.wav >k2.txt
check "keydetect: two files, 'KEY  FILE'" test "$(cat k2.txt)" = "C major  cmaj.wav
F# minor  fsm.wav"
bpm c140.wav - <c100.wav >stdin.txt
check "bpm: standard input among files is '-'" test "$(sed -n 2p stdin.txt)" = "$one100  -"
cp c100.wav 'back\slash.wav'
bpm c140.wav 'back\slash.wav' >esc.txt
check "bpm: a name with a backslash is escaped as md5sum does" \
	test "$(sed -n 2p esc.txt)" = "\\$one100  back\\\\slash.wav"

# ---- JSON Lines: each the single-file document plus "file" -----------------------
jl_same() { # WHAT PROG [OPTION] : the lines of PROG on c100, kh, c140 vs each alone
	what=$1; shift
	"$@" c100.wav kh.wav c140.wav >jl.txt
	for f in c100 kh c140; do "$@" $f.wav >"one-$f.json"; done
	check "$what" $PY -c '
import json, sys
lines = open("jl.txt").read().split("\n")
assert lines[-1] == "" and len(lines) == 4, lines
for line, f in zip(lines, ["c100", "kh", "c140"]):
    d = json.loads(line)
    assert list(d)[0] == "file" and d.pop("file") == f + ".wav", d
    assert d == json.load(open("one-%s.json" % f)), f'
}
jl_same "bpm --json: JSON Lines, each the single report plus file" bpm --json
jl_same "keydetect --json: JSON Lines, each the single report plus file" keydetect --json
jl_same "onsets: JSON Lines, each the single document plus file" onsets

# ---- bad files among good ones -------------------------------------------------
# bad PROG [OPTION]: two good files around four bad ones
bad() {
	"$@" c100.wav folder.wav text.wav empty.wav trunc.wav c140.wav >bad.out 2>bad.err
	st=$?
	check "$1: bad files among good: exit 1" test $st = 1
	check "$1: each bad file named once on stderr, 'prog: FILE: reason'" $PY -c '
import sys
err = open("bad.err").read().splitlines()
assert len(err) == 4, err
for name in ["folder.wav", "text.wav", "empty.wav", "trunc.wav"]:
    mine = [l for l in err if name in l]
    assert len(mine) == 1 and mine[0].startswith(sys.argv[1] + ": " + name + ": "), (name, err)' "$1"
	check "$1: the good files still reported" $PY -c '
import json, sys
lines = open("bad.out").read().splitlines()
assert len(lines) == 2, lines
names = [json.loads(l)["file"] if l.startswith("{") else l.split("  ", 1)[1] for l in lines]
assert names == ["c100.wav", "c140.wav"], names'
}
bad bpm
bad keydetect --json
bad onsets
bpm c100.wav c140.wav -o two-o.txt
same_file "bpm -o FILE: the same lines, written whole" two.txt two-o.txt
check_fail "bpm -o FILE, the one file bad: exit 1, named" 1 "^bpm: empty\.wav: " bpm empty.wav -o none.txt
bpm empty.wav text.wav -o none.txt 2>none.err
check "bpm -o FILE, every file bad: exit 1, each named" test $? = 1 -a "$(wc -l <none.err)" = 2
check "bpm -o FILE, every file bad: nothing written" test ! -e none.txt
check_fail "bpm --plot with two files: usage error" 2 "plot" bpm --plot p.png c100.wav c140.wav

# ---- sections ----------------------------------------------------------------------
near_bpm() { # WHAT GOT WANT: within 2%
	if awk -v g="$2" -v w="$3" 'BEGIN { exit !(g > w * 0.98 && g < w * 1.02) }'; then pass "$1 ($2)"
	else fail "$1" "got '$2', wanted $3"; fi
}
near_bpm "bpm --duration: the first half is 100" "$(bpm --duration "$half" both.wav)" 100
near_bpm "bpm --start: the second half is 140" "$(bpm --start "$half" both.wav)" 140
near_bpm "bpm --start in ms" "$(bpm --start 12500ms both.wav)" 140
near_bpm "bpm --start in samples" "$(bpm --start "$(soxi -s c100.wav)smp" both.wav)" 140
near_bpm "bpm --start on a pipe" "$(sox both.wav -t au - | bpm --start "$half")" 140
near_bpm "bpm: the whole file from --start 0" "$(bpm --start 0 --duration 10 both.wav)" 100
check "keydetect --duration: the C major half" test "$(keydetect --duration 6 keys.wav)" = "C major"
check "keydetect --start: the F# minor half" test "$(keydetect --start 6 keys.wav)" = "F# minor"
keydetect --start 6 keys.wav cmaj.wav fsm.wav 2>sec.err >sec.txt
check "keydetect --start with several: each file's section, the short ones past the end" \
	test "$(cat sec.txt)" = "F# minor  keys.wav"
check "keydetect --start past the end of two files: both named" \
	test "$(grep -c 'past the end' sec.err)" = 2
check_fail "bpm --start past the end: one line naming the file and its length" 1 \
	"^bpm: both.wav: --start 40 is past the end \(2[0-9.]+ s\)$" bpm --start 40 both.wav
check_fail "bpm --start past the end of a pipe" 1 "^bpm: stdin: --start 40 is past the end" \
	sh -c 'sox both.wav -t au - | bpm --start 40'
check_fail "onsets --start at exactly the end: past it" 1 "past the end" onsets --start 4 kh.wav
check_fail "--start in frames: usage error" 2 "start" bpm --start 2f c100.wav
check_fail "--start negative: usage error" 2 "start" keydetect --start -1 c100.wav
check_fail "--duration in beats: usage error" 2 "duration" onsets --duration 2b c100.wav
bpm --json --start "$half" both.wav >sec.json
check "bpm --json --start: beats at the file's times, start member" $PY -c '
import json, sys
d = json.load(open("sec.json")); h = float(sys.argv[1])
assert abs(d["start"] - h) < 1e-3 and d["beats"][0] >= h and d["beats"][-1] > 2 * h - 1, d
assert abs(d["duration"] - h) < 0.05, d' "$half"

# ---- onsets: file times for sections, -t on strength, full precision --------------
onsets kh.wav >all.json
onsets --start 1 --duration 2 kh.wav >part.json
check "onsets section: times are the file's (those of the whole run within it)" $PY -c '
import json
a = [o["t"] for o in json.load(open("all.json"))["onsets"]]
d = json.load(open("part.json")); p = [o["t"] for o in d["onsets"]]
assert d["start"] == 1 and abs(d["duration"] - 2) < 1e-9, d
want = [t for t in a if 1.02 < t < 2.98]
assert want and all(min(abs(t - x) for x in p) < 0.001 for t in want), (want, p)
assert all(1 <= t < 3 for t in p), p'
onsets -t 0.4 kh.wav >strong.json
check "onsets -t 0.4: only the kicks (every 0.5 s), no hat (0.25 s after each)" $PY -c '
import json
d = json.load(open("strong.json")); t = [o["t"] for o in d["onsets"]]
assert len(t) == 8 and all(abs(x - 0.5 * i) < 0.005 for i, x in enumerate(t)), t
assert all(o["strength"] >= 0.4 for o in d["onsets"]) and d["count"] == 8, d'
check "onsets default: the hats are there, weaker than 0.4" $PY -c '
import json
d = json.load(open("all.json"))["onsets"]
hats = [o for o in d if abs((o["t"] - 0.25) % 0.5) < 0.005 or abs((o["t"] - 0.25) % 0.5 - 0.5) < 0.005]
assert len(hats) == 8 and all(0.1 <= o["strength"] < 0.4 for o in hats), d'
check "onsets -t 0.4 is the default run with strength >= 0.4, times and strengths the same" $PY -c '
import json
a = json.load(open("all.json"))["onsets"]; s = json.load(open("strong.json"))["onsets"]
assert s == [o for o in a if o["strength"] >= 0.4], (a, s)'
check "onsets: times to the sample (44.1 kHz), not rounded to 0.1 ms" $PY -c '
import json
t = [o["t"] for o in json.load(open("all.json"))["onsets"]]
assert all(abs(x * 44100 - round(x * 44100)) < 1e-6 for x in t), t
assert any(round(x, 4) != x for x in t), t'

# ---- stretch -k says which key it heard ------------------------------------------
stretch -k Am fsm.wav -o am.wav 2>k.err
check "stretch -k: the detected key and the shift on stderr" grep -qx "stretch: detected key F# minor: +3 semitones to A minor" k.err
stretch --from-key "F# minor" -k Am fsm.wav -o am2.wav 2>k2.err
check "stretch -k --from-key: nothing detected, nothing said" test ! -s k2.err
