# pattern: every hit of explicit, Euclidean and chance grids on its exact
# sample (single-sample impulses as the samples), accents as gains, swing and
# humanize moving hits by the promised amounts (reproducible by seed), the
# same bytes through `pattern --events | sampler`, a real Hydrogen kit whose
# hits onsets(1) finds, and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# three impulse samples of different heights, so each hit says whose it is
$PY - <<'PY'
import numpy as np
def au(path, data, rate=48000):
    data = np.asarray(data, dtype=np.float32)
    hdr = b".snd" + (28).to_bytes(4, "big") + (0xffffffff).to_bytes(4, "big") + (6).to_bytes(4, "big") \
        + rate.to_bytes(4, "big") + (1).to_bytes(4, "big") + b"\0\0\0\0"
    open(path, "wb").write(hdr + data.astype(">f4").tobytes())
for name, h in (("kick", 1), ("snare", 0.5), ("hat", 0.25)):
    d = np.zeros(8); d[0] = h
    au(name + ".au", d)
PY
cat >grid.py <<'PY'
import numpy as np, sys
def au(p):
    d = open(p, "rb").read()
    return np.frombuffer(d[int.from_bytes(d[4:8], "big"):], ">f4").astype(np.float64).reshape(-1, 2)[:, 0]
def frame(beats, bpm, rate=48000):
    return int(np.floor(beats * 60 / bpm * rate + 0.5))
def hits(x):
    return {int(i): x[i] for i in np.nonzero(x)[0]}
PY
export PYTHONPATH=$W

# ---- explicit, Euclidean, accents: every hit on its exact sample
G1='x...X...x...x.x.'
check "a grid renders" sh -c "pattern kick.au snare.au hat.au --bpm 140 --steps 16 --bars 3 \
	-g '$G1' -e 5,16,2 -g 'X.x.X.x.X.x.X.x.' >straight.au"
# E(5,16) rotated by 2, from the suite's own Euclidean rhythm program when built
E=$(euclid --show -k 5 -n 16 -R 2 2>/dev/null) || E=..x..x..x..x..x.
check "every hit on round(step x 60/bpm x rate), x at 0.7, X at 1" $PY - "$G1" "$E" <<'PY'
import sys
from grid import *
x = au("straight.au")
g1 = sys.argv[1]
rows = [(g1, 1), (sys.argv[2], 0.5), ("X.x.X.x.X.x.X.x.", 0.25)]
want = {}
for bar in range(3):
    for s in range(16):
        for cells, h in rows:
            c = cells[s]
            if c in "xX":
                f = frame((bar * 16 + s) * 0.25, 140)
                want[f] = want.get(f, 0) + h * (1 if c == "X" else 0.7)
got = hits(x)
assert sorted(got) == sorted(want), (sorted(set(got) ^ set(want)))
for f in want:
    assert abs(got[f] - want[f]) < 1e-6, (f, got[f], want[f])
assert len(x) == frame(12, 140), len(x)
PY

# ---- swing: every second step later by swing x a step
check "--swing 0.3 renders" sh -c "pattern kick.au --bpm 140 --bars 2 -g 'xxxxxxxxxxxxxxxx' --swing 0.3 >swing.au"
check "odd steps land on round((k + 0.3) x step), even steps stay" $PY - <<'PY'
from grid import *
got = sorted(hits(au("swing.au")))
want = sorted(frame((k + (0.3 if k % 2 else 0)) * 0.25, 140) for k in range(32))
assert got == want, (got[:4], want[:4])
step = 0.25 * 60 / 140 * 48000
d = [got[k] - frame(k * 0.25, 140) for k in range(1, 32, 2)]
assert all(abs(v - 0.3 * step) <= 1 for v in d), d   # 1542.9 samples at 140 BPM
PY

# ---- humanize: within +-MS, the same for a seed, another for another seed
pattern kick.au --bpm 120 --bars 8 -g 'x.x.x.x.x.x.x.x.' --humanize 7 --seed 11 >hum1.au
pattern kick.au --bpm 120 --bars 8 -g 'x.x.x.x.x.x.x.x.' --humanize 7 --seed 11 >hum2.au
pattern kick.au --bpm 120 --bars 8 -g 'x.x.x.x.x.x.x.x.' --humanize 7 --seed 12 >hum3.au
same_file "--humanize is reproducible by --seed" hum1.au hum2.au
check "every hit within +-7 ms (336 samples) of its step, spread over the range; another seed differs" $PY - <<'PY'
from grid import *
import numpy as np
got = sorted(hits(au("hum1.au")))
nominal = [frame(k * 0.5, 120) for k in range(64)]
assert len(got) == 64, len(got)
d = np.array(got) - np.array(nominal)
assert d[0] >= 0 and np.all(np.abs(d) <= 336 + 1), d
assert d.max() > 200 and d.min() < -200 and len(set(d)) > 40, d
assert sorted(hits(au("hum3.au"))) != got
PY

# ---- chance steps: 9 = 90%, 1 = 10%, reproducible
pattern kick.au snare.au --bars 100 -g '9999999999999999' -g '1111111111111111' --seed 5 --events >chance.ev
pattern kick.au snare.au --bars 100 -g '9999999999999999' -g '1111111111111111' --seed 5 --events >chance2.ev
same_file "chance steps are reproducible by --seed" chance.ev chance2.ev
check "9 fires about 90% of the time, 1 about 10%" sh -c \
	'k=$(grep -c "\"kick\"" chance.ev); s=$(grep -c "\"snare\"" chance.ev);
	 test "$k" -gt 1370 && test "$k" -lt 1510 && test "$s" -gt 110 && test "$s" -lt 220'

# ---- the events drive sampler to the same bytes
ARGS="kick.au snare.au hat.au --bpm 133 --bars 4 -g 'X..x..x...X.x..7' -e 3,16,1 -g 'x.x.x.x.x5x.x.x.' --swing 0.2 --humanize 3 --seed 9"
check "pattern --events writes a tempo, the triggers and an end" sh -c "pattern $ARGS --events >ev.jsonl &&
	head -1 ev.jsonl | grep -qx '{\"t\":0,\"type\":\"tempo\",\"bpm\":133}' &&
	tail -1 ev.jsonl | grep -qx '{\"t\":16,\"type\":\"end\"}' &&
	jq -s -e 'map(select(.type == \"trigger\")) | length > 20 and all(.name and .value)' ev.jsonl >/dev/null"
check "pattern renders" sh -c "pattern $ARGS >direct.au"
check "sampler plays the events" sh -c 'sampler --map kick=kick.au --map snare=snare.au --map hat=hat.au ev.jsonl >viasampler.au'
same_file "pattern --events | sampler --map ... gives pattern's bytes" direct.au viasampler.au

# ---- --notes: the same hits as notes, for midiout (and sampler's note path)
check "--events --notes writes notes: the key of the row, the gain as velocity, a step long" sh -c "
	pattern kick.au snare.au -g 'X...x...' -g '..x.' -g '..x.....' -n 8 --events --notes 36,38 2>/dev/null; test \$? -eq 2 &&
	pattern kick.au snare.au -g 'X...x...' -g '..x.....' -n 8 --events --notes 36,38 >notes.ev &&
	jq -c 'select(.type == \"note\") | [.t, .pitch, .velocity, .gate, .name]' notes.ev | tr -d '\n' |
	grep -qx '\[0,36,1,0.5,\"kick\"\]\[1,38,0.7,0.5,\"snare\"\]\[2,36,0.7,0.5,\"kick\"\]'"
check "sampler plays them on the named samples at velocity squared (key 60 = --root: unpitched)" sh -c "
	pattern kick.au snare.au -g 'X...x...' -g '..x.....' -n 8 --events --notes 60,60 |
	sampler -m kick=kick.au -m snare=snare.au >notes.au &&
	$PY -c '
from grid import *
h = sorted(hits(au(\"notes.au\")).items()); w = [(0, 1.0), (24000, 0.5 * 0.49), (48000, 0.49)]
assert [f for f, _ in h] == [f for f, _ in w] and all(abs(a[1] - b[1]) < 1e-6 for a, b in zip(h, w)), h'"

# ---- a real Hydrogen kit: onsets finds every hit
KIT=/usr/share/hydrogen/data/drumkits/GMRockKit
if [ -f "$KIT/drumkit.xml" ]; then
	check "a Hydrogen kit renders by instrument names" sh -c \
		"pattern --kit $KIT kick snare 'hat closed' --bpm 100 --bars 2 -g 'x.......x.x.....' -g '....x.......x...' -g '..x...x.......x.' -o kit.wav"
	check "onsets finds every hit within 1 ms" env KIT="$KIT" $PY - <<'PY'
import json, os, subprocess
KIT = os.environ["KIT"]
from grid import frame
o = [d["t"] for d in json.loads(subprocess.run(["onsets", "kit.wav"], check=True, capture_output=True, text=True).stdout)["onsets"]]
# a hit is heard where its sample's sound starts: the grid time plus the
# sample's own lead-in (its first sample at 1% of its peak), read with sox
import numpy as np
def lead(name):
    xml = open("%s/drumkit.xml" % KIT).read()
    f = xml[xml.index("<name>%s</name>" % name):].split("<filename>")[1].split("<")[0]
    raw = subprocess.run(["sox", "%s/%s" % (KIT, f), "-t", "raw", "-e", "floating-point", "-b", "32", "-c", "1", "-"],
                         check=True, capture_output=True).stdout
    x = np.abs(np.frombuffer(raw, np.float32)); rate = int(subprocess.run(["soxi", "-r", "%s/%s" % (KIT, f)],
                         check=True, capture_output=True, text=True).stdout)
    return np.argmax(x >= 0.01 * x.max()) / rate
grids = {"Kick": "x.......x.x.....", "Snare": "....x.......x...", "Hat Closed": "..x...x.......x."}
want = sorted(frame(k * 0.25, 100) / 48000 + lead(n) for n, g in grids.items() for k in range(32) if g[k % 16] == "x")
# every hit has an onset near it (the kit's samples have weaker ghost onsets
# of their own inside them: a kick's beater, a snare's rattle)
err = max(min(abs(a - b) for a in o) for b in want)
print("largest onset error %.4f s" % err)
assert err <= 0.001, err
PY
	# the files of the kit's Kick and Snare, read with sed as a user would
	kfile=$KIT/$(grep -A40 '<name>Kick</name>' "$KIT/drumkit.xml" | sed -n 's/.*<filename>\(.*\)<.*/\1/p' | head -1)
	sfile=$KIT/$(grep -A40 '<name>Snare</name>' "$KIT/drumkit.xml" | sed -n 's/.*<filename>\(.*\)<.*/\1/p' | head -1)
	check "the kit through --kit-pick gives sampler's bytes" sh -c "
		pattern --kit $KIT --kit-pick 'k=Kick,s=snare' -e 3,4,0 -g '..X.' --steps 4 --bars 2 >kitd.au &&
		pattern --kit $KIT --kit-pick 'k=Kick,s=snare' -e 3,4,0 -g '..X.' --steps 4 --bars 2 --events |
			sampler --map 'k=$kfile' --map 's=$sfile' >kits.au && cmp kitd.au kits.au"
	check_fail "a kit without the named instrument lists the kit's" 1 "cowbellzz: no such instrument.*Kick, Stick, Snare" \
		pattern --kit $KIT cowbellzz -g 'x...............'
	check_fail "a name that matches several instruments" 1 "hat: names several.*Hat Closed" \
		pattern --kit $KIT hat -g 'x...............'
else
	pass "a Hydrogen kit renders by instrument names (skipped: hydrogen-drumkits not installed)"
fi

# ---- bad input
check_fail "a grid of the wrong length" 2 "-g x\.x\.: 4 steps for kick, --steps is 16" pattern kick.au -g 'x.x.'
check_fail "a Euclidean grid of the wrong length" 2 "-e 3,8: 8 steps" pattern kick.au -e 3,8
check_fail "a bad grid mark" 2 "step 2 is 'o'" pattern kick.au -g 'xo..............'
check_fail "fewer grids than samples" 2 "2 samples but 1 grids" pattern kick.au snare.au -g 'x...............'
check_fail "a missing sample is named" 1 "nothere.wav" pattern nothere.wav -g 'x...............'
check_fail "a missing kit" 1 "nokit/drumkit.xml" pattern --kit nokit kick -g 'x...............'
check_fail "--kit-pick without --kit" 2 "--kit-pick needs --kit" pattern --kit-pick a=b kick.au -g 'x...............'
check_fail "--notes without --events" 2 "--notes shapes --events" pattern --notes 36 kick.au -g 'x...............'
check_fail "--notes with too few keys" 2 "1 keys for 2 samples" pattern --events --notes 36 kick.au snare.au -g x -g x -n 1
check_fail "--bits with --events" 2 "--bits is for audio" pattern --events --bits 16 kick.au -g 'x...............'
check_fail "an abbreviated --grid adds to the others" 2 "1 samples but 2 grids" pattern kick.au -g 'x...............' --gri 'x...............'
