# tests/quantize.sh -- quantize: event times against a reference snap written here
# in python (strength, window, offset, types), time order and untouched bytes,
# param events, onsets JSON of a real drum kit loop, and bad input.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# a loose take: notes and triggers off the grid by up to +-0.2 beats, ticks on it
python3 -c '
import json, random
r = random.Random(5)
print(json.dumps({"t": 0, "type": "tempo", "bpm": 100}, separators=(",", ":")))
ev = []
for k in range(400):
    ev.append((k / 4, 0, {"type": "tick", "step": k, "steps_per_beat": 4}))
    if k % 2 == 0:
        t = max(0, k / 4 + r.uniform(-0.2, 0.2))
        ev.append((t, 1, {"type": "note", "pitch": 48 + k % 24, "velocity": 0.123456789012345678, "gate": 0.2, "id": k}))
    if k % 3 == 0:
        ev.append((max(0, k / 4 + r.uniform(-0.1, 0.1)), 1, {"type": "trigger", "name": "x", "value": 1, "id": 1000 + k}))
for t, _, e in sorted(ev, key=lambda a: (a[0], a[1])):
    print(json.dumps(dict(t=t, **e), separators=(",", ":")))
print(json.dumps({"t": 100, "type": "end"}, separators=(",", ":")))
' >take.ev

# reference: the time each event should get; compare with quantize's output
cat >ref.py <<'PY'
import json, sys
grid, strength, window, offset, types = float(sys.argv[1]), float(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5].split(",")
src = [json.loads(l) for l in open("take.ev")]
out = [json.loads(l) for l in open(sys.argv[6])]
want = {}
for e in src:
    if "id" in e:
        t = e["t"]
        if e["type"] in types:
            line = offset + round((t - offset) / grid) * grid
            d = line - t
            if window == 0 or abs(d) <= window + 1e-12:
                t = max(0, t + strength * d)
        want[e["id"]] = t
got = {e["id"]: e["t"] for e in out if "id" in e}
assert set(got) == set(want), "events lost or added"
bad = [(i, want[i], got[i]) for i in want if abs(want[i] - got[i]) > 1e-9]
assert not bad, bad[:5]
ts = [e["t"] for e in out]
assert ts == sorted(ts), "out of time order"
assert len(out) == len(src)
PY

quantize take.ev >q1.ev
check "grid 1/16, strength 1: every note and trigger on its nearest line" python3 ref.py 0.25 1 0 0 note,trigger q1.ev
check "...each moved by at most half a grid, ticks untouched" \
	test "$(jq -s '[.[] | select(.type == "tick") | .t] == [range(400) | . / 4]' q1.ev)" = true
check "events that do not move keep their bytes" test "$(grep tick q1.ev | md5sum)" = "$(grep tick take.ev | md5sum)"
check "moved events keep every other field, digits and all" \
	test "$(grep -c '"velocity":0.12345678901234568' q1.ev)" = "$(grep -c '"velocity":0.12345678901234568' take.ev)"
quantize -g 0.5 -S 0.5 take.ev >q2.ev
check "grid 1/8, strength 0.5: half way to the line" python3 ref.py 0.5 0.5 0 0 note,trigger q2.ev
quantize -g 0.25 -w 0.05 take.ev >q3.ev
check "a window of 0.05 beats moves only the events that close" python3 ref.py 0.25 1 0.05 0 note,trigger q3.ev
quantize -g 0.5 --offset 0.25 -T note take.ev >q4.ev
check "offset grid (the off-beats), notes only; events put back in time order" python3 ref.py 0.5 1 0 0.25 note q4.ev
check "the same input gives the same bytes" sh -c 'quantize -g 0.5 -S 0.5 take.ev | cmp -s - q2.ev'

printf '%s\n' '{"t":0.1,"type":"note","pitch":60,"velocity":1,"gate":0.1}' \
	'{"t":1,"type":"param","target":"quantize","param":"grid","value":1}' \
	'{"t":1.4,"type":"note","pitch":60,"velocity":1,"gate":0.1}' >p.ev
check "a param event changes the grid from its time on" test "$(quantize p.ev | jq -c .t | tr '\n' ' ')" = "0 1 "

# ---- onsets JSON of a real drum kit loop, 16th grid at its tempo
KIT=/usr/share/hydrogen/data/drumkits/GMRockKit
if [ -f "$KIT/drumkit.xml" ]; then
	pattern --kit $KIT kick snare 'hat closed' --bpm 100 --bars 2 -g 'x.......x.x.....' -g '....x.......x...' \
		-g '..x...x.......x.' -o kit.wav
	onsets kit.wav >kit.json
	quantize --onsets -b 100 kit.json >kitq.json
	check "onsets of a kit loop: every onset on the 16th grid at 100 BPM, moved at most half a step" python3 -c '
import json
a = json.load(open("kit.json"))["onsets"]; b = json.load(open("kitq.json"))["onsets"]
step = 60 / 100 / 4
assert len(a) == len(b) and len(a) >= 16, (len(a), len(b))  # the 16 hits of the two bars
assert all(abs(x["t"] / step - round(x["t"] / step)) < 1e-4 for x in b)
assert all(abs(x["t"] - y["t"]) <= step / 2 + 1e-6 for x, y in zip(sorted(a, key=lambda o: o["t"]), b))
assert [x["t"] for x in b] == sorted(x["t"] for x in b)
assert sorted(x["strength"] for x in a) == sorted(x["strength"] for x in b)'
	check "the rest of the onsets document is as it was" \
		test "$(jq -c 'del(.onsets)' kit.json)" = "$(jq -c 'del(.onsets)' kitq.json)"
else
	pass "onsets of a kit loop (skipped: hydrogen-drumkits not installed)"
fi

check_fail "--onsets without --bpm" 2 "--onsets needs --bpm" quantize --onsets kit.json
check_fail "--bpm without --onsets" 2 "--bpm is for --onsets" quantize -b 100 take.ev
echo '{"count":0}' >noonsets.json
check_fail "a JSON document without an onsets list" 1 "noonsets.json: not onsets JSON" quantize --onsets -b 100 noonsets.json
check_fail "an empty onsets input" 1 "empty input" quantize --onsets -b 100 /dev/null
check_fail "a grid of 0" 2 "-g: 0 is out of range" quantize -g 0 take.ev
check_fail "a strength above 1" 2 "-S: 1.5 is out of range 0..1" quantize -S 1.5 take.ev
