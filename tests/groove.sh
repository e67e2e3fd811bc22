# tests/groove.sh -- groove: swing against a reference warp written here in python
# (every second eighth and sixteenth on the exact 2/3 point, 50% an identity),
# humanised time and velocity inside their bounds over 10,000 notes and replayed
# by seed, the feel of a real drum loop (Hydrogen's GMRockKit samples mixed with
# sox, read back by onsets) and of MIDI files (python3-mido, and bytes written by
# hand) within 1 ms, param events, time order, untouched bytes and bad input.
# Checked with python3 and jq, never with groove itself.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
PY=/usr/bin/python3 # the system python, which has python3-mido
[ -x "$PY" ] || PY=python3

# ---- swing: notes on every sixteenth (and some between), triggers on every eighth
python3 -c '
import json
d = lambda o: print(json.dumps(o, separators=(",", ":")))
d({"t": 0, "type": "tempo", "bpm": 120})
ev = []
for k in range(256):
    ev.append((k / 4, 0, {"type": "tick", "step": k, "steps_per_beat": 4}))
    n = {"type": "note", "pitch": 40 + k % 30, "velocity": 0.7, "gate": 0.2, "id": k}
    if k % 7 == 0:
        del n["gate"] # the default gate, 0.25
    ev.append((k / 4, 1, n))
    if k % 5 == 0: # between steps: moves in proportion
        ev.append((k / 4 + 0.1, 1, {"type": "note", "pitch": 90, "velocity": 0.5, "gate": 0.123456789012345678, "id": 1000 + k}))
    if k % 2 == 0:
        ev.append((k / 4, 1, {"type": "trigger", "name": "hat", "value": 1, "id": 2000 + k}))
    if k % 16 == 3:
        ev.append((k / 4, 1, {"type": "value", "name": "cutoff", "value": 0.3}))
for t, _, e in sorted(ev, key=lambda a: (a[0], a[1])):
    d(dict(t=t, **e))
d({"t": 64, "type": "end"})
' >pat.ev

# the reference: the piecewise-straight warp of each pair of steps, the gate's end
# warped too; exact points on the steps themselves
cat >swing.py <<'PY'
import json, math, sys
step, pct, path = float(sys.argv[1]), float(sys.argv[2]), sys.argv[3]
s = 2 / 3 if pct == 66 else pct / 100
def warp(x):
    pair = 2 * step
    m = math.floor(x / pair + 1e-12)
    u = x - m * pair
    return m * pair + (u * 2 * s if u <= step + 1e-12 else pair * s + (u - step) * (2 - 2 * s))
src = [json.loads(l) for l in open("pat.ev")]
out = [json.loads(l) for l in open(path)]
assert len(out) == len(src), "events lost or added"
ts = [e["t"] for e in out]
assert ts == sorted(ts), "out of time order"
got = {e["id"]: e for e in out if "id" in e}
exact = 0
for e in src:
    if "id" not in e:
        continue
    o = got[e["id"]]
    want = warp(e["t"])
    k = e["t"] / step
    if abs(k - round(k)) < 1e-12: # on a step: the even ones stay, the odd ones land on the swing point exactly
        k = round(k)
        want = k * step if k % 2 == 0 else (k - 1) * step + 2 * step * s
        exact += 1
    assert abs(o["t"] - want) < 1e-9, (e, o, want)
    if e["type"] == "note":
        g = e.get("gate", 0.25)
        assert abs(o.get("gate", 0.25) - (warp(e["t"] + g) - warp(e["t"]))) < 2e-9, (e, o)
        assert o["velocity"] == e["velocity"] and o["pitch"] == e["pitch"]
assert exact > 100, exact
PY
groove -g 1/8 -s 66 pat.ev >s8.ev
check "1/8 at 66%: every second eighth on the 2/3 point of its pair, the rest in proportion, gates with them" \
	python3 swing.py 0.5 66 s8.ev
check "...an off-beat eighth at 0.5 lands on 0.666666667 (rounded to 1e-9 beats)" \
	test "$(jq -c 'select(.id == 2) | .t' s8.ev)" = 0.666666667
groove -g 1/16 -s 66 pat.ev >s16.ev
check "1/16 at 66%: every second sixteenth on the 2/3 point of its pair" python3 swing.py 0.25 66 s16.ev
check "...the sixteenth at 0.25 lands on 1/3, the one at 0.5 stays" \
	test "$(jq -c 'select(.id == 1 or .id == 2) | .t' s16.ev | tr '\n' ' ')" = "0.333333333 0.5 "
groove -g 0.5 -s 75 pat.ev >s75.ev
check "0.5 beats at 75%: the off-beat on the last sixteenth" python3 swing.py 0.5 75 s75.ev
groove -s 58 pat.ev >s58.ev
check "the default grid is 1/16; 58% is 0.58 of the pair" python3 swing.py 0.25 58 s58.ev
check "50% (straight) changes nothing: the same bytes, every digit kept" sh -c 'groove -g 1/8 -s 50 pat.ev | cmp -s - pat.ev'
check "ticks, values, tempo and end pass byte for byte" \
	test "$(grep -v '"id"' s8.ev | md5sum)" = "$(grep -v '"id"' pat.ev | md5sum)"
check "a moved note keeps every other byte" \
	test "$(jq -c 'select(.id == 3) | del(.t, .gate)' s8.ev)" = "$(jq -c 'select(.id == 3) | del(.t, .gate)' pat.ev)"
check "a note without a gate gets the warped one written" test "$(jq -c 'select(.id == 7) | .gate' s16.ev)" = 0.166666667
groove -g 1/8 -s 66 -T trigger pat.ev >trig.ev
check "--types trigger: only the triggers move" python3 -c '
import json
a = {e["id"]: e["t"] for e in map(json.loads, open("pat.ev")) if "id" in e}
b = {e["id"]: e for e in map(json.loads, open("trig.ev")) if "id" in e}
assert all(b[i]["t"] == a[i] for i in a if i < 2000)
assert any(b[i]["t"] != a[i] for i in a if i >= 2000)'
check "the same input gives the same bytes" sh -c 'groove -g 1/8 -s 66 pat.ev | cmp -s - s8.ev'

printf '%s\n' '{"t":0.5,"type":"note","pitch":60,"velocity":1,"gate":0.1}' \
	'{"t":1,"type":"param","target":"groove","param":"swing","value":66}' \
	'{"t":1.5,"type":"note","pitch":60,"velocity":1,"gate":0.1}' \
	'{"t":2,"type":"param","target":"groove","param":"grid","value":"1/16"}' \
	'{"t":2.25,"type":"note","pitch":60,"velocity":1,"gate":0.1}' >p.ev
check "param events set swing and grid from their time on" \
	test "$(groove -g 1/8 p.ev | jq -c .t | tr '\n' ' ')" = "0.5 1.666666667 2.333333333 "

# ---- humanise: 10,000 notes, 120 BPM for the first half and 60 for the second
python3 -c '
import json
d = lambda o: print(json.dumps(o, separators=(",", ":")))
d({"t": 0, "type": "tempo", "bpm": 120})
for i in range(10000):
    if i == 5000:
        d({"t": i / 4, "type": "tempo", "bpm": 60})
    d({"t": i / 4, "type": "note", "pitch": 60, "velocity": 0 if i % 101 == 0 else 0.3 + (i % 5) / 10, "id": i})
' >many.ev
cat >human.py <<'PY'
import json, statistics, sys
path, ms, vj, dist = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
src = {e["id"]: e for e in map(json.loads, open("many.ev")) if "id" in e}
out = [json.loads(l) for l in open(path)]
ts = [e["t"] for e in out]
assert ts == sorted(ts), "out of time order"
got = {e["id"]: e for e in out if "id" in e}
assert sorted(got) == sorted(src), "notes lost or added"
dt, dv = [], []
for i, e in src.items():
    bound = ms / 1000 * (120 if i < 5000 else 60) / 60 # ms in beats at the tempo of its half
    d = got[i]["t"] - e["t"]
    assert abs(d) <= bound + 1e-9 or (e["t"] < bound and got[i]["t"] == 0), (e, got[i], bound)
    if e["t"] >= bound:
        dt.append(d / bound)
    if e["velocity"] == 0:
        assert got[i].get("velocity") == 0, "a rest stays a rest"
    elif vj:
        d = got[i]["velocity"] - e["velocity"]
        assert abs(d) <= vj + 1e-6, (e, got[i])
        dv.append(d / vj)
for x in [dt] + ([dv] if vj else []):
    sd, top = statistics.pstdev(x), max(abs(v) for v in x)
    assert abs(statistics.mean(x)) < 0.03, statistics.mean(x)
    if dist == "gaussian": # half the bound a deviation, cut off at the bound
        assert 0.40 < sd < 0.48 and top > 0.9, (sd, top)
    else:
        assert 0.55 < sd < 0.60 and top > 0.99, (sd, top)
print("ok")
PY
groove -t 10 -V 0.1 --seed 1 many.ev >h1.ev
check "gaussian: 10,000 notes within 10 ms (at each half's tempo) and 0.1 velocity, spread as a cut-off normal" \
	python3 human.py h1.ev 10 0.1 gaussian
groove -t 10 -V 0.1 --dist uniform --seed 1 many.ev >hu.ev
check "uniform: within the bounds, spread evenly up to them" python3 human.py hu.ev 10 0.1 uniform
check "the same seed gives the same bytes" sh -c 'groove -t 10 -V 0.1 --seed 1 many.ev | cmp -s - h1.ev'
check "another seed other bytes" sh -c '! groove -t 10 -V 0.1 --seed 2 many.ev | cmp -s - h1.ev'
check "times draw apart from velocities: -V does not change the times of a seed" \
	test "$(groove -t 10 --seed 1 many.ev | jq -c .t | md5sum)" = "$(jq -c .t h1.ev | md5sum)"
groove -t 30 --seed 4 many.ev >h30.ev
check "30 ms: still inside the bound, and in time order" python3 human.py h30.ev 30 0 gaussian
groove -t 10 many.ev >picked.ev
check "without --seed the seed it picked is in the stream" grep -q '"type":"seed","program":"groove"' picked.ev
seed=$(jq -r 'select(.type == "seed") | .seed' picked.ev)
grep -v '"type":"seed"' picked.ev >unseeded.ev
check "...and --seed with it replays the run" sh -c "groove -t 10 --seed '$seed' many.ev | cmp -s - unseeded.ev"
check "no jitter drawn, no seed event: the stream is as it came" sh -c 'groove many.ev | cmp -s - many.ev'
printf '%s\n' '{"t":1,"type":"note","pitch":60,"velocity":1}' '{"t":2,"type":"note","pitch":60,"velocity":0.001}' >edge.ev
check "velocity stays within 1/127..1" sh -c "for s in 1 2 3 4 5 6 7 8; do groove -V 0.9 --seed \$s edge.ev; done |
	jq -e -s 'all(.[]; .velocity <= 1 and .velocity >= 1 / 127 - 1e-6)' >/dev/null"

# ---- the feel of a real drum loop: one bar at 100 BPM of GMRockKit hits, each a
# known, deliberately uneven time off its sixteenth, read back by onsets
KIT=/usr/share/hydrogen/data/drumkits/GMRockKit
if [ -f "$KIT/Kick-Hard.wav" ]; then
	cat >loop.py <<'PY'
import array, json, subprocess, sys
kit, bpm = sys.argv[1], 100
step = 60 / bpm / 4
# ms off each sixteenth; a step right after a kick is left empty (its low ring
# would blur a hat's start), and so keeps its time
off = {0: 3, 2: -6, 3: 22, 4: 0, 5: 17, 6: -9, 7: 25, 8: 5, 10: -4, 12: 2, 13: 18, 14: -7, 15: 24}
inst = {0: "Kick-Hard", 8: "Kick-Hard", 10: "Kick-Med", 4: "Snare-Hard", 12: "Snare-Hard"}
def lead(name): # the sample's first sound: where it is louder than 40 dB under its peak
    raw = subprocess.run(["sox", "%s/%s.wav" % (kit, name), "-t", "f32", "-c", "1", "-"],
                         check=True, capture_output=True).stdout
    a = array.array("f"); a.frombytes(raw)
    pk = max(abs(x) for x in a)
    return next(i for i, x in enumerate(a) if abs(x) > pk / 100)
mix, known = ["sox", "-m"], {}
for k, ms in sorted(off.items()):
    s = inst.get(k, "HatClosed-Hard" if k % 2 == 0 else "HatClosed-Med")
    n = round((k * step + ms / 1000) * 44100)
    known[k] = n / 44100 - k * step
    subprocess.run(["sox", "%s/%s.wav" % (kit, s), "hit%d.wav" % k, "trim", "%ds" % lead(s), "pad", "%ds" % n], check=True)
    mix += ["-v", "1", "hit%d.wav" % k]
subprocess.run(mix + ["-e", "floating-point", "-b", "32", "mix.wav"], check=True)
subprocess.run(["sox", "mix.wav", "-b", "16", "loop.wav", "gain", "-n", "-1", "trim", "0", "%ds" % round(16 * step * 44100)],
               check=True)
json.dump(known, open("known.json", "w"))
PY
	python3 loop.py "$KIT" 2>sox.err
	onsets loop.wav >loop.json
	clock -b 100 --bars 4 | euclid -n 16 -k 16 | arp >straight.ev
	groove -f loop.json -b 100 straight.ev >felt.ev
	cat >feel.py <<'PY'
import json, sys
known = {int(k): v for k, v in json.load(open("known.json")).items()}
amount = float(sys.argv[2])
a = [e for e in map(json.loads, open("straight.ev")) if e["type"] == "note"]
b = [e for e in map(json.loads, open(sys.argv[1])) if e["type"] == "note"]
assert len(a) == len(b) == 64, (len(a), len(b))
worst = 0
for x, y in zip(a, b):
    k = round(x["t"] * 4)
    sec = y["t"] * 60 / 100 # seconds at 100 BPM
    want = k * 0.15 + amount * known.get(k % 16, 0)
    if k % 16 in known:
        worst = max(worst, abs(sec - want))
        assert abs(sec - want) <= 0.001, (k, sec, want)
    else:
        assert y["t"] == x["t"], (k, "a step without a hit keeps its time")
print("worst %.2f ms" % (worst * 1000))
PY
	check "a drum loop's feel on a straight pattern: every hit's offset within 1 ms, four bars over" python3 feel.py felt.ev 1
	groove -f loop.json -b 100 -a 0.5 straight.ev >half.ev
	check "--amount 0.5: half of each offset" python3 feel.py half.ev 0.5
	check "...holding the output in time order" test "$(jq -s '[.[].t] == ([.[].t] | sort)' felt.ev)" = true
else
	pass "a drum loop's feel (skipped: hydrogen-drumkits not installed)"
fi

# ---- MIDI templates: python3-mido writes one with known offsets, two bars apart
cat >mkmid.py <<'PY'
import json, mido
m = mido.MidiFile(type=1, ticks_per_beat=480)
t0, t1 = mido.MidiTrack(), mido.MidiTrack()
m.tracks += [t0, t1]
t0.append(mido.MetaMessage("set_tempo", tempo=600000))
t0.append(mido.MetaMessage("time_signature", numerator=4, denominator=4))
# ticks off each sixteenth (120 ticks), less than half a step; the second bar differs
off = [[0, 40, -20, 50, 10, 45, -30, 35, 0, 35, -15, 50, 5, 45, -25, 30],
       [6, 20, -10, 30, 0, 25, -40, 55, 10, 15, -5, 40, 0, 55, -35, 20]]
ev = []
for bar in range(2):
    for k in range(16):
        t = bar * 1920 + k * 120 + off[bar][k]
        for note in ([36, 42] if k % 4 == 0 else [42]): # a chord: the same offset twice
            ev += [(t, 1, "note_on", note, 90 + k), (t + 50, 0, "note_off", note, 0)]
now = 0
t1.append(mido.MetaMessage("track_name", name="feel"))
for t, _, kind, note, vel in sorted(ev):
    t1.append(mido.Message(kind, note=note, velocity=vel, channel=9, time=t - now))
    now = t
m.save("feel.mid")
json.dump(off, open("feel.json", "w"))
PY
if $PY mkmid.py; then
	python3 -c '
import json
d = lambda o: print(json.dumps(o, separators=(",", ":")))
d({"t": 0, "type": "tempo", "bpm": 120})
for k in range(128):
    d({"t": k / 4, "type": "trigger", "name": "rhythm_hit", "value": 1})
' >st.ev
	cat >midfeel.py <<'PY'
import json, sys
off = json.load(open("feel.json"))
cycle, amount = int(sys.argv[2]), float(sys.argv[3])
b = [e["t"] for e in map(json.loads, open(sys.argv[1])) if e["type"] == "trigger"]
assert len(b) == 128
for k, t in enumerate(b):
    if cycle == 8:
        o = off[k // 16 % 2][k % 16]
    else:
        o = (off[0][k % 16] + off[1][k % 16]) / 2
    want = k / 4 + amount * o / 480
    assert abs(t - want) < 1e-8, (k, t, want) # far inside 1 ms (0.002 beats at 120 BPM)
PY
	groove -f feel.mid --cycle 8 st.ev >m8.ev
	check "a MIDI file's feel, two bars kept apart with --cycle 8: every offset exact" python3 midfeel.py m8.ev 8 1
	groove -f feel.mid st.ev >m4.ev
	check "one bar (the default cycle): the two bars' offsets averaged" python3 midfeel.py m4.ev 4 1
	groove -f feel.mid --cycle 8 -a 0.25 st.ev >ma.ev
	check "--amount 0.25: a quarter of each offset" python3 midfeel.py ma.ev 8 0.25
	{ echo '{"t":0,"type":"param","target":"groove","param":"amount","value":0.25}'; cat st.ev; } >pa.ev
	check "a param event sets the amount" sh -c 'groove -f feel.mid --cycle 8 pa.ev | grep -v param | cmp -s - ma.ev'
else
	fail "MIDI templates" "needs python3-mido (tests/packages.txt)"
fi

# a format-0 file written byte by byte: division 96, an unknown chunk, running
# status, a system exclusive message and a meta event between the notes, a
# zero-velocity note-on
python3 -c '
import sys
def vlq(n):
    b = [n & 0x7f]
    while n > 127:
        n >>= 7; b.insert(0, 0x80 | (n & 0x7f))
    return bytes(b)
trk = vlq(0) + bytes([0xff, 0x51, 3, 0x07, 0xa1, 0x20])    # tempo
trk += vlq(4) + bytes([0x99, 36, 100])                     # 4 ticks late on step 0
trk += vlq(20) + bytes([36, 0])                            # running status, velocity 0: a note-off
trk += vlq(10) + bytes([0xf0, 3, 0x7e, 0x7f, 0xf7])        # system exclusive
trk += vlq(0) + bytes([0xff, 0x01, 2]) + b"hi"             # text
trk += vlq(0) + bytes([0x89, 36, 0])                       # status again after them
trk += vlq(4) + bytes([0x99, 38, 90])                      # tick 38: step 2 (24 each) minus 10
trk += vlq(200) + bytes([38, 80])                          # running status: tick 238, step 10 minus 2
trk += vlq(0) + bytes([0xff, 0x2f, 0])
sys.stdout.buffer.write(b"MThd" + (6).to_bytes(4, "big") + bytes([0, 0, 0, 1, 0, 96]) +
                        b"XTRA" + (3).to_bytes(4, "big") + b"abc" + # a chunk of no kind known: skipped
                        b"MTrk" + len(trk).to_bytes(4, "big") + trk)
' >hand.mid
python3 -c '
import json
d = lambda o: print(json.dumps(o, separators=(",", ":")))
for k in range(16):
    d({"t": k / 4, "type": "trigger", "name": "x", "value": 1})
' >t16.ev
check "a hand-written file: an alien chunk, running status, sysex and meta events, velocity 0 is no hit" \
	test "$(groove -f hand.mid t16.ev | jq -c .t | tr '\n' ' ')" = \
	"0.041666667 0.25 0.395833333 0.75 1 1.25 1.5 1.75 2 2.25 2.479166667 2.75 3 3.25 3.5 3.75 "

# ---- bad input
check_fail "a swing above 75 is a usage error that gives the range" 2 "-s: 80 is out of range 50..75" groove -s 80 pat.ev
check_fail "a swing below 50" 2 "--swing: 49 is out of range 50..75" groove --swing 49 pat.ev
$PY -c '
import mido
m = mido.MidiFile(); t = mido.MidiTrack(); m.tracks.append(t)
t.append(mido.MetaMessage("set_tempo", tempo=500000)); m.save("nonotes.mid")' 2>/dev/null ||
	printf 'MThd\000\000\000\006\000\000\000\001\001\340MTrk\000\000\000\004\000\377\057\000' >nonotes.mid
check_fail "a MIDI file without notes: one line naming it" 1 "nonotes.mid: no notes" groove -f nonotes.mid pat.ev
echo '{"onsets":[],"count":0}' >none.json
check_fail "onsets JSON without onsets: one line naming it" 1 "none.json: no onsets" groove -f none.json -b 100 pat.ev
: >empty.mid
check_fail "an empty template file" 1 "empty.mid: empty" groove -f empty.mid pat.ev
check_fail "onsets without --bpm: a usage error asking for it" 2 "none.json.*--bpm" groove -f none.json pat.ev
head -c 60 hand.mid >trunc.mid
check_fail "a truncated MIDI file" 1 "trunc.mid: not a readable MIDI file" groove -f trunc.mid pat.ev
printf 'MThd\000\000\000\006\000\000\000\001\347\050MTrk\000\000\000\004\000\377\057\000' >smpte.mid
check_fail "a MIDI file timed in SMPTE frames" 1 "smpte.mid: .*SMPTE" groove -f smpte.mid pat.ev
printf 'MThd\000\000\000\006\000\000\000\001\000\000MTrk\000\000\000\004\000\377\057\000' >zero.mid
check_fail "a MIDI file of 0 ticks a beat" 1 "zero.mid: .*0 ticks" groove -f zero.mid pat.ev
printf 'MThd\000\000\000\006\000\000\000\001\000\140MTrk\177\377\377\377\000\220' >absurd.mid
check_fail "a track length past the end of the file" 1 "absurd.mid: not a readable MIDI file" groove -f absurd.mid pat.ev
printf 'MThd\000\000\000\006\000\000\000\001\000\140MTrk\000\000\000\003\000\100\100' >nostatus.mid
check_fail "data bytes with no status" 1 "nostatus.mid: .*status" groove -f nostatus.mid pat.ev
python3 -c "import random, sys; r = random.Random(3)
sys.stdout.buffer.write(bytes(r.randrange(128, 256) for _ in range(3000)))" >random.bin # never MThd, never JSON
check_fail "random bytes" 1 "random.bin: neither a MIDI file nor onsets JSON" groove -f random.bin pat.ev
echo '{"onsets":[{"t":-1}]}' >neg.json
check_fail "an onset before the start" 1 "neg.json: onset" groove -f neg.json -b 100 pat.ev
check_fail "a missing template" 1 "missing.mid" groove -f missing.mid pat.ev
check_fail "a template from stdin" 2 "--from needs a file" groove -f - pat.ev
check_fail "a cycle that is no whole number of steps" 2 "--cycle 3.3 is not a whole number" \
	groove -f hand.mid --cycle 3.3 pat.ev
check_fail "a grid in seconds" 2 "--grid '0.2s'" groove -g 0.2s pat.ev
check_fail "a grid of 1/0" 2 "--grid '1/0'" groove -g 1/0 pat.ev
check_fail "a jitter above 1000 ms" 2 "-t: 2000 is out of range 0..1000" groove -t 2000 pat.ev
check_fail "an unknown distribution" 2 "--dist: 'poisson' is not one of gaussian.uniform" groove --dist poisson pat.ev
printf '%s\n' '{"t":0,"type":"param","target":"groove","param":"swing","value":90}' >badparam.ev
check_fail "a param event with a swing out of range names the line" 1 "line 1.*90 is out of range 50..75" groove badparam.ev
printf '%s\n' '{"t":0,"type":"param","target":"groove","param":"cycle","value":0.3}' >badcycle.ev
check_fail "a param event with a cycle off the grid" 1 "line 1.*--cycle 0.3" groove -f hand.mid badcycle.ev
printf '%s\n' '{"t":0,"type":"note","pitch":60,"velocity":2}' >badnote.ev
check_fail "a note with a velocity of 2" 1 "line 1.*velocity" groove -s 60 badnote.ev
printf '%s\n' '{"t":1,"type":"note","pitch":60}' '{"t":0.5,"type":"note","pitch":60}' >order.ev
check_fail "events out of time order" 1 "line 2.*out of time order" groove -s 60 order.ev
