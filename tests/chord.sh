# tests/chord.sh -- chord: the vocabulary in all twelve keys against interval
# tables written here, roman numerals against chords spelt by hand, inversions and
# voicings, progressions per bar and per trigger, strum times, notes in, param
# events, bad input, and an hour of music through midiout. Checked with python
# and jq, never with chord itself.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export XDG_CONFIG_HOME="$W/xdg" # no user file of the machine's

# the chords as a textbook spells them, in semitones above the root
cat >vocab.py <<'PY'
VOCAB = {
    "maj": [0, 4, 7], "min": [0, 3, 7], "dim": [0, 3, 6], "aug": [0, 4, 8],
    "sus2": [0, 2, 7], "sus4": [0, 5, 7], "5": [0, 7], "power": [0, 7, 12],
    "6": [0, 4, 7, 9], "min6": [0, 3, 7, 9],
    "maj7": [0, 4, 7, 11], "7": [0, 4, 7, 10], "min7": [0, 3, 7, 10], "minmaj7": [0, 3, 7, 11],
    "m7b5": [0, 3, 6, 10], "dim7": [0, 3, 6, 9], "aug7": [0, 4, 8, 10], "7sus4": [0, 5, 7, 10],
    "add9": [0, 4, 7, 14], "madd9": [0, 3, 7, 14],
    "9": [0, 4, 7, 10, 14], "maj9": [0, 4, 7, 11, 14], "min9": [0, 3, 7, 10, 14],
    "min11": [0, 3, 7, 10, 14, 17],
    "mu": [0, 2, 4, 7], "quartal": [0, 5, 10], "quartal4": [0, 5, 10, 15],
    "cluster": [0, 1, 2], "cluster4": [0, 1, 2, 3], "wcluster": [0, 2, 4],
}
PY

# chords: time -> pitches in output order, from an event file
cat >chords.py <<'PY'
import json, collections
def chords(path, key="t"):
    out = collections.OrderedDict()
    for line in open(path):
        e = json.loads(line)
        if e["type"] == "note":
            out.setdefault(e[key], []).append(e["pitch"])
    return out
PY

# ---- the vocabulary: names, and every chord on every one of the twelve roots
chord --list-chords >list.txt
check "--list-chords names exactly the chords of the table here" $PY -c '
import sys; sys.path.insert(0, ".")
from vocab import VOCAB
names = [l.split()[0] for l in open("list.txt")]
assert sorted(names) == sorted(VOCAB), (sorted(set(names) ^ set(VOCAB)))'

# twelve keys set by param events, a trigger in each (on the key) and a note
# (on its own pitch, an octave and a half lower)
$PY -c '
import json
for r in range(12):
    print(json.dumps({"t": r, "type": "param", "target": "chord", "param": "key", "value": 60 + r}))
    print(json.dumps({"t": r, "type": "trigger", "name": "rhythm_hit", "value": 1}))
    print(json.dumps({"t": r + 0.5, "type": "note", "pitch": 42 + r, "velocity": 0.5, "gate": 0.5}))
' >keys.ev
: >vocab.out
for name in $(cut -d' ' -f1 list.txt); do
	chord -C "$name" keys.ev >"v-$name.ev" || echo "$name: chord failed" >>vocab.out
done
check "every chord of the vocabulary, in all 12 keys, from triggers and notes: right pitches and pitch classes" $PY -c '
import sys, json; sys.path.insert(0, ".")
from vocab import VOCAB
from chords import chords
bad = open("vocab.out").read().split("\n")[:-1]
for name, iv in VOCAB.items():
    got = chords("v-%s.ev" % name)
    for r in range(12):
        for t, root in ((r, 60 + r), (r + 0.5, 42 + r)):
            want = [root + i for i in iv]
            p = got.get(t)
            if p != want:
                bad.append("%s on %d: %s, want %s" % (name, root, p, want))
            elif {x % 12 for x in p} != {(root + i) % 12 for i in iv}:
                bad.append("%s on %d: pitch classes" % (name, root))
assert not bad, bad[:5]'
check "a chord from a note keeps the note's velocity and gate; a trigger's takes the defaults" \
	test "$(jq -c 'select(.t == 0.5 or .t == 0) | [.velocity, .gate, .channel]' v-maj.ev | sort -u | tr '\n' ' ')" = \
	"[0.5,0.5,null] [0.8,1,0] "

# ---- roman numerals, spelt by hand (C = 60)
numerals() { # SCALE LIST EXPECTED...: one trigger per numeral, --advance trigger
	_scale=$1 _list=$2; shift 2
	$PY -c 'import json, sys
for i in range(int(sys.argv[1])): print(json.dumps({"t": i, "type": "trigger", "name": "rhythm_hit", "value": 1}))' $# >num.ev
	chord -A trigger -S "$_scale" -P "$_list" num.ev >num.out &&
		$PY -c '
import sys; sys.path.insert(0, ".")
from chords import chords
got = [p for p in chords("num.out").values()]
want = [[int(x) for x in a.split(",")] for a in sys.argv[1:]]
assert got == want, [(i, g, w) for i, (g, w) in enumerate(zip(got, want)) if g != w] or (len(got), len(want))' "$@"
}
check "major: the diatonic triads I ii iii IV V vi vii, sevenths I7 V7 ii7 vii7" numerals major \
	I,ii,iii,IV,V,vi,vii,I7,V7,ii7,vii7 \
	60,64,67 62,65,69 64,67,71 65,69,72 67,71,74 69,72,76 71,74,77 \
	60,64,67,71 67,71,74,77 62,65,69,72 71,74,77,81
check "major: case against the scale (iv, III, i7), accidentals (bVII bIII bVI #iv bII)" numerals major \
	iv,III,i7,bVII,bIII,bVI,#iv,bII \
	65,68,72 64,68,71 60,63,67,70 70,74,77 63,67,70 68,72,75 66,69,73 61,65,68
check "marks and names: viio viio7 viih7 vii° viiø7 I+ I+7 Vsus4 IVmaj7 I5 iiadd9" numerals major \
	viio,viio7,viih7,vii°,viiø7,I+,I+7,Vsus4,IVmaj7,I5,iiadd9 \
	71,74,77 71,74,77,80 71,74,77,81 71,74,77 71,74,77,81 60,64,68 60,64,68,70 67,72,74 65,69,72,76 60,67 62,66,69,76
check "natural minor: i iio III iv v VI VII, V and V7 against it, bVII = VII, bVI = VI" numerals minor \
	i,iio,ii,III,iv,v,VI,VII,V,V7,bVII,bVI,i7 \
	60,63,67 62,65,68 62,65,68 63,67,70 65,68,72 67,70,74 68,72,75 70,74,77 67,71,74 67,71,74,77 70,74,77 68,72,75 60,63,67,70
check "harmonic minor: III is augmented, V major, viio7 diminished" numerals harmonic_minor \
	III,V,viio7 63,67,71 67,71,74 71,74,77,80
check "dorian: IV major, ii minor, bVII = VII" numerals dorian IV,ii,bVII,VII 65,69,72 62,65,69 70,74,77 70,74,77
check "a five-note scale: the numerals walk its notes, VI an octave above I" numerals major_pentatonic \
	I,ii,VI 60,64,67 62,65,69 72,76,79
check "--chord replaces each numeral's quality, the roots stay" sh -c \
	'printf "%s\n" "{\"t\":0,\"type\":\"trigger\",\"name\":\"rhythm_hit\"}" "{\"t\":4,\"type\":\"trigger\",\"name\":\"rhythm_hit\"}" |
	chord -P ii,bVII -C 7 | jq -c .pitch | tr "\n" " " | grep -qx "62 66 69 72 70 74 77 80 "'

# ---- inversions and voicings
$PY -c '
import json
for r in range(13):
    print(json.dumps({"t": r, "type": "param", "target": "chord", "param": "inversion", "value": r}))
    print(json.dumps({"t": r, "type": "note", "pitch": 24 + (r * 5) % 12, "velocity": 0.8, "gate": 1}))
' >inv.ev
: >inv.out
for name in $(cut -d' ' -f1 list.txt); do
	chord -C "$name" inv.ev >"i-$name.ev" || echo "$name: chord failed" >>inv.out
done
check "inversions 0..12 of every chord: the same pitch classes, chord note k lowest (an octave up per round)" $PY -c '
import sys; sys.path.insert(0, ".")
from vocab import VOCAB
from chords import chords
bad = open("inv.out").read().split("\n")[:-1]
for name, iv in VOCAB.items():
    got = chords("i-%s.ev" % name)
    n = len(iv)
    for k in range(13):
        root = 24 + (k * 5) % 12
        p = got.get(k)
        if not p:
            bad.append("%s inv %d: nothing" % (name, k)); continue
        if {x % 12 for x in p} != {(root + i) % 12 for i in iv}:
            bad.append("%s inv %d: pitch classes %s" % (name, k, p))
        if min(p) != root + iv[k % n] + 12 * (k // n):
            bad.append("%s inv %d: lowest %d, want %d" % (name, k, min(p), root + iv[k % n] + 12 * (k // n)))
        if p != sorted(set(p)):
            bad.append("%s inv %d: not ascending or a pitch twice: %s" % (name, k, p))
        if max(p) - min(p) >= 12 * (1 + max(iv) // 12):
            bad.append("%s inv %d: spread wider than the chord: %s" % (name, k, p))
assert not bad, bad[:5]'
voiced() { # EXPECTED ARGS...: the pitches of one trigger's chord on C4
	_want=$1; shift
	_got=$(echo '{"t":0,"type":"trigger","name":"rhythm_hit"}' | chord "$@" | jq -c .pitch | tr '\n' ' ')
	test "$_got" = "$_want " || { echo "got $_got"; false; }
}
check "open: C E G is C G E'" voiced "60 67 76" -C maj --voicing open
check "drop2: Cmaj7 is G, C E B" voiced "55 60 64 71" -C maj7 --voicing drop2
check "drop3: Cmaj7 is E, C G B" voiced "52 60 67 71" -C maj7 --voicing drop3
check "drop24: Cmaj7 is C G, E B" voiced "48 55 64 71" -C maj7 --voicing drop24
check "drop2 on a second inversion: G C E is C, G E" voiced "60 67 76" -C maj -I 2 --voicing drop2
check "--octave -2, and a power chord's C reached twice in inversion 1 played once" voiced "43 48" -C power -I 1 -O -2

# ---- progressions: per bar, per trigger
clock --bars 12 -L 16 | euclid -k 5 -n 16 >bars.ev
chord -K 57 -P I,vi,IV,V bars.ev >bars.out
cat >perbar.py <<'PY'
import sys, json; sys.path.insert(0, ".")
from chords import chords
out, bpb, every, key = sys.argv[1], float(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
steps = [[int(x) for x in s.split(",")] for s in sys.argv[5:]]
hits = [json.loads(l)["t"] for l in open("bars.ev") if '"trigger"' in l]
got = chords(out)
assert list(got) == hits, "one chord per trigger"
for t, p in got.items():
    want = [key + x for x in steps[int(t // bpb) // every % len(steps)]]
    assert p == want, (t, p, want)
PY
check "per bar: I vi IV V in A, the chord of each trigger by its bar" $PY perbar.py bars.out 4 1 57 0,4,7 9,12,16 5,9,12 7,11,14
chord -K 57 -P I,vi,IV,V -e 2 --beats-per-bar 3 bars.ev >bars3.out
check "per bar: two bars of 3 beats a chord" $PY perbar.py bars3.out 3 2 57 0,4,7 9,12,16 5,9,12 7,11,14
check "ticks and every other line pass through byte for byte" \
	test "$(grep -v '"trigger"' bars.ev | md5sum)" = "$(grep -v '"note"' bars.out | md5sum)"
chord -A trigger -e 3 -P I,ii,iii bars.ev >trig.out
check "per trigger: three triggers a chord, in turn" $PY -c '
import sys; sys.path.insert(0, ".")
from chords import chords
got = list(chords("trig.out").values())
want = [[60, 64, 67], [62, 65, 69], [64, 67, 71]]
assert len(got) == 60 and all(p == want[i // 3 % 3] for i, p in enumerate(got)), got[:7]'
printf '%s\n' '{"t":0,"type":"trigger","name":"rhythm_hit"}' '{"t":0.5,"type":"note","pitch":50}' \
	'{"t":1,"type":"trigger","name":"rhythm_hit"}' '{"t":1.5,"type":"note","pitch":50}' >tn.ev
check "per trigger: a note takes the chord of the latest trigger" \
	test "$(chord -A trigger -P I,ii tn.ev | jq -c .pitch | tr '\n' ' ')" = "60 64 67 50 54 57 62 65 69 50 53 57 "

# ---- strums
printf '%s\n' '{"t":0,"type":"tempo","bpm":120}' '{"t":1,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":2,"type":"trigger","name":"rhythm_hit"}' '{"t":3,"type":"tempo","bpm":90}' \
	'{"t":3,"type":"trigger","name":"rhythm_hit"}' '{"t":4,"type":"trigger","name":"rhythm_hit"}' >strum.ev
check "strum 1/32 up: the k-th note 0.125 k beats late, lowest first" \
	test "$(chord -C maj7 -s 1/32 strum.ev | jq -c 'select(.type == "note" and .t < 2) | [.t, .pitch]' | tr '\n' ' ')" = \
	"[1,60] [1.125,64] [1.25,67] [1.375,71] "
check "strum down: highest first; alternate: up, down, up, down" $PY -c '
import json, subprocess as sp
def run(*a):
    out = sp.run(["chord", "-C", "maj7", "-s", "0.1"] + list(a) + ["strum.ev"], capture_output=True, text=True, check=True).stdout
    ch = {}
    for l in out.splitlines():
        e = json.loads(l)
        if e["type"] == "note":
            ch.setdefault(int(e["t"]), []).append((e["t"], e["pitch"]))
    return ch
down = run("--direction", "down")
assert all([p for _, p in c] == [71, 67, 64, 60] for c in down.values()), down
assert all(abs(t - (c[0][0] + 0.1 * k)) < 1e-12 for c in down.values() for k, (t, _) in enumerate(c))
alt = run("--direction", "alternate")
assert [[p for _, p in alt[k]] for k in sorted(alt)] == [[60, 64, 67, 71], [71, 67, 64, 60]] * 2, alt'
check "strum 20ms: 0.04 beats at 120 BPM, 0.03 after a tempo of 90; exact to 1e-9" $PY -c '
import json, subprocess as sp
out = sp.run(["chord", "-C", "maj", "-s", "20ms", "strum.ev"], capture_output=True, text=True, check=True).stdout
ts = [json.loads(l)["t"] for l in out.splitlines() if "\"note\"" in l]
want = [b + k * s for b, s in ((1, 0.04), (2, 0.04), (3, 0.03), (4, 0.03)) for k in range(3)]
assert len(ts) == 12 and all(abs(a - b) < 1e-9 for a, b in zip(ts, want)), ts'
chord -C min9 -s 0.2 bars.ev >rolled.ev
check "a strum longer than the ticks' step: output in time order, every tick as it was" $PY -c '
import json
ev = [json.loads(l) for l in open("rolled.ev")]
ts = [e["t"] for e in ev]
assert ts == sorted(ts), "out of order"
ticks = [l for l in open("rolled.ev") if "\"tick\"" in l]
assert ticks == [l for l in open("bars.ev") if "\"tick\"" in l]
n = sum(1 for l in open("bars.ev") if "\"trigger\"" in l)
assert sum(e["type"] == "note" for e in ev) == 5 * n'

check "the input in small writes, or --live: the same bytes" sh -c '
	trickle 5 3 <bars.ev | chord -P I,vi,IV,V -s 0.3 >whole.ev.1 &&
	chord -P I,vi,IV,V -s 0.3 bars.ev >whole.ev.2 && chord -l -P I,vi,IV,V -s 0.3 <bars.ev >whole.ev.3 &&
	cmp whole.ev.1 whole.ev.2 && cmp whole.ev.2 whole.ev.3'

# ---- notes in
printf '%s\n' '{"t":0,"type":"note","pitch":62,"velocity":0.123456789012345678,"gate":0.3,"channel":3,"id":"x"}' \
	'{"t":0.5,"type":"note","pitch":62,"velocity":0,"gate":0.3}' \
	'{"t":1,"type":"trigger","name":"other","value":1}' '{"t":1,"type":"value","name":"v","value":0.3333333333333333}' >notes.ev
chord -C min -s 0.25 notes.ev >notes.out
check "a note's chord: each note its line with only pitch and time replaced" test "$(sed -n 1,3p notes.out)" = \
	"$(printf '%s\n' '{"t":0,"type":"note","pitch":62,"velocity":0.123456789012345678,"gate":0.3,"channel":3,"id":"x"}' \
		'{"t":0.25,"type":"note","pitch":65,"velocity":0.123456789012345678,"gate":0.3,"channel":3,"id":"x"}' \
		'{"t":0.5,"type":"note","pitch":69,"velocity":0.123456789012345678,"gate":0.3,"channel":3,"id":"x"}')"
check "a rest, other triggers and other events pass through byte for byte" \
	test "$(sed -n '4,$p' notes.out)" = "$(sed -n '2,$p' notes.ev)"
check "--from trigger: notes pass through untouched" sh -c 'chord --from trigger notes.ev | cmp -s - notes.ev'
check "--from note: triggers pass through untouched" \
	test "$(chord --from note bars.ev | md5sum)" = "$(md5sum <bars.ev)"

# ---- param events
printf '%s\n' '{"t":0,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":1,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":1,"type":"param","target":"chord","param":"chord","value":"min7"}' \
	'{"t":1,"type":"param","target":"other","param":"chord","value":"nope"}' \
	'{"t":1.5,"type":"param","target":"chord","param":"key","value":"A3"}' \
	'{"t":2,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":2,"type":"param","target":"chord","param":"inversion","value":1}' \
	'{"t":2,"type":"param","target":"chord","param":"strum","value":"1/16"}' \
	'{"t":3,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":4,"type":"param","target":"chord","param":"chord","value":""}' \
	'{"t":4,"type":"param","target":"chord","param":"trigger","value":"hit"}' \
	'{"t":4,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":5,"type":"trigger","name":"hit"}' >param.ev
chord param.ev >param.out
check "param events take effect from the next event on, at the same beat too" \
	test "$(jq -c 'select(.type == "note") | [.t, .pitch]' param.out | tr '\n' ' ')" = \
	"[0,60] [0,64] [0,67] [1,60] [1,64] [1,67] [2,57] [2,60] [2,64] [2,67] [3,60] [3.25,64] [3.5,67] [3.75,69] [5,61] [5.25,64] [5.5,69] "
check "params for others and the old trigger name pass through" \
	test "$(jq -c 'select(.type != "note") | .target // .name' param.out | tr '\n' ' ')" = '"other" "rhythm_hit" '
# a new progression starts on its first chord, in the bar of its next chord
printf '%s\n' '{"t":0,"type":"trigger","name":"rhythm_hit"}' '{"t":4,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":8,"type":"param","target":"chord","param":"progression","value":["vi","ii"]}' \
	'{"t":9,"type":"trigger","name":"rhythm_hit"}' '{"t":13,"type":"trigger","name":"rhythm_hit"}' \
	'{"t":17,"type":"trigger","name":"rhythm_hit"}' >prog.ev
check "a progression set by a param event (as an array) starts again from its first chord" \
	test "$(chord -P I,IV,V prog.ev | jq -c .pitch | tr '\n' ' ')" = \
	"60 64 67 65 69 72 69 72 76 62 65 69 69 72 76 "
printf '%s\n' '{"t":0,"type":"param","target":"chord","param":"chord","value":"nope"}' >bp1.ev
check_fail "a param naming an unknown chord: the line, and the known ones" 1 "line 1: param 'chord': unknown chord 'nope' \(known: 5, 6, 7,.* wcluster\)" chord bp1.ev
printf '%s\n' '{"t":0,"type":"param","target":"chord","param":"progression","value":"I,Q"}' >bp2.ev
check_fail "a param with a bad numeral: the line, and the symbols" 1 "line 1: param 'progression': 'Q' is not a chord symbol: roman numerals I..VII" chord bp2.ev
printf '%s\n' '{"t":0,"type":"param","target":"chord","param":"chords","value":"x.json"}' >bp3.ev
check_fail "the chords file cannot change while running" 1 "line 1: param 'chords'.*cannot change" chord bp3.ev

# ---- the user's chords file, and an extra one
mkdir -p xdg/shards
echo '{"maj":[0,4,7,12],"stack":[0,7,14]}' >xdg/shards/chords.json
echo '{"stack":[0,5,10,15]}' >extra.json
check "the user's file replaces a chord" \
	test "$(echo '{"t":0,"type":"trigger","name":"rhythm_hit"}' | chord -C maj | jq -c .pitch | tr '\n' ' ')" = "60 64 67 72 "
check "the user's file adds a chord, for numerals too" \
	test "$(echo '{"t":0,"type":"trigger","name":"rhythm_hit"}' | chord -P IVstack | jq -c .pitch | tr '\n' ' ')" = "65 72 79 "
check "--chords FILE comes last" \
	test "$(echo '{"t":0,"type":"trigger","name":"rhythm_hit"}' | chord --chords extra.json -C stack | jq -c .pitch | tr '\n' ' ')" = "60 65 70 75 "
rm -r xdg/shards

# ---- bad input
check_fail "an unknown --chord lists the known ones" 2 "^chord: --chord: unknown chord 'zz' \(known: 5, 6, 7, 7sus4, 9, add9, aug,.*wcluster\)$" chord -C zz bars.ev
check_fail "an unknown numeral lists the symbols and the chord names" 2 "^chord: --progression: 'X' is not a chord symbol: roman numerals I..VII.*\(5, 6, 7,.*wcluster\)$" chord -P I,X bars.ev
check_fail "VIII is VII and a chord named I, which there is not" 2 "'VIII': unknown chord 'I' after the numeral" chord -P VIII bars.ev
check_fail "an unknown chord after a numeral names it and lists the names" 2 "'Vfoo': unknown chord 'foo' after the numeral.*one of 5, 6, 7" chord -P I,Vfoo bars.ev
check_fail "a numeral of mixed case" 2 "'Iv': unknown chord 'v' after the numeral" chord -P Iv bars.ev
check_fail "an empty progression" 2 "--progression: no chords" chord -P , bars.ev
check_fail "an unknown scale lists the scales" 2 "--scale: unknown scale 'nope' \(known: .*dorian" chord -S nope bars.ev
check_fail "a key that is no note" 2 "--key: 'H2' is not a MIDI note 0..127 or a note name" chord -K H2 bars.ev
check_fail "a key above MIDI" 2 "--key: 'G#9'" chord -K 'G#9' bars.ev
check_fail "a strum in frames" 2 "--strum: '2f' is not a strum time" chord -s 2f bars.ev
check_fail "a strum of 20 beats" 2 "--strum: '20': a strum is 0 or up to 16 beats" chord -s 20 bars.ev
check_fail "an unknown voicing lists them" 2 "close.*open.*drop2.*drop3.*drop24" chord --voicing wide bars.ev
check_fail "an inversion out of range" 2 "-I: 25 is out of range 0..24" chord -I 25 bars.ev
echo '{"x":[0,7,3]}' >bad1.json
check_fail "a chords file out of order names file, chord and values" 1 "bad1.json: chord 'x': offsets must be strictly ascending \(3 after 7\)" chord --chords bad1.json bars.ev
echo '{"x":[0,4.5,7]}' >bad2.json
check_fail "a chords file with a fraction names file, chord and value" 1 "bad2.json: chord 'x': offset 4.5 is not a whole number" chord --chords bad2.json bars.ev
echo '{"x":[0,49]}' >bad3.json
check_fail "a chords file with an offset beyond four octaves" 1 "bad3.json: chord 'x': offset 49 is outside 0..48" chord --chords bad3.json bars.ev
echo '{"x":[]}' >bad4.json
check_fail "a chord of no notes" 1 "bad4.json: chord 'x': must be an array of 1 to 12 offsets" chord --chords bad4.json bars.ev
echo '{"a,b":[0]}' >bad5.json
check_fail "a chord name with a comma" 1 "bad5.json: chord 'a,b': a name is not empty and has no comma" chord --chords bad5.json bars.ev
echo '[0,4,7]' >bad6.json
check_fail "a chords file that is not an object" 1 "bad6.json: must be a JSON object" chord --chords bad6.json bars.ev
echo '{"x":[0,4' >bad7.json
check_fail "a chords file that is not JSON names file and line" 1 "bad7.json: line [0-9]+:" chord --chords bad7.json bars.ev
check_fail "a missing chords file" 1 "nothere.json" chord --chords nothere.json bars.ev
echo '{"t":0,"type":"trigger","name":"rhythm_hit"}' >one.ev
check_fail "a chord above MIDI's 127 names the line, root and inversion" 1 "line 1: chord note 132 is outside MIDI's 0..127 \(root 120, inversion 0, octave 1\)" chord -K 120 -O 1 one.ev
check "--skip-bad leaves out that chord with a warning" sh -c 'test -z "$(chord --skip-bad -K 120 -O 1 one.ev 2>err)" && grep -q "line 1" err'
echo '{"t":0,"type":"note","pitch":200}' >badnote.ev
check_fail "a note out of range" 1 "line 1: note needs a \"pitch\" within 0..127" chord badnote.ev

# ---- an hour of music (4/4 at 120 BPM: 1800 bars) through midiout
clock --bars 1800 -L 16 | euclid -k 5 -n 16 | chord -K C3 -P i,bVII,bVI,V7 -I 1 -s 10ms --direction alternate |
	tee hour.ev | midiout -o hour.mid
check "an hour: every chord note in the MIDI file, read back by mido" $PY -c '
import json, mido
n = sum(1 for l in open("hour.ev") if "\"note\"" in l)
f = mido.MidiFile("hour.mid")
on = sum(1 for m in f.tracks[0] if m.type == "note_on" and m.velocity > 0)
assert n == 1800 // 4 * 5 * (3 + 3 + 3 + 4) and on == n, (n, on)
assert abs(f.length - 3600) < 1, f.length'
