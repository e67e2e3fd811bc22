# tests/route.sh -- route: probability consumption on the event pipe. Shares over
# 10,000 triggers, one output per trigger, the cycle's order, chances per output,
# seeds, pass-through and bad input; counted with jq and python, not with route.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# 10,000 triggers, each with a value and a field of its own
python3 -c '
import json
print(json.dumps({"t": 0, "type": "tempo", "bpm": 120}, separators=(",", ":")))
for i in range(10000):
    print(json.dumps({"t": i / 4, "type": "trigger", "name": "hit", "value": (i % 7) / 7, "id": i}, separators=(",", ":")))
    if i % 10 == 0:
        print(json.dumps({"t": i / 4, "type": "trigger", "name": "other", "value": 1}, separators=(",", ":")))
' >hits.ev

# shares: name -> fraction of the 10,000 hits; every hit exactly once (by id)
shares() {
	python3 -c '
import json, sys, collections
seen = collections.Counter(); names = collections.Counter()
for line in open(sys.argv[1]):
    e = json.loads(line)
    if "id" in e:
        seen[e["id"]] += 1; names[e["name"]] += 1
print(" ".join("%s=%.4f" % (k, names[k] / 10000) for k in sorted(names)), "once" if sorted(seen.values()) == [1] * 10000 else "NOT-ONCE")
' "$1"
}

route -s hit -t a:3,b:1,c:0.5,d:0 --seed 7 hits.ev >pick.ev
got=$(shares pick.ev)
check "pick: 10,000 triggers shared as the weights say, within 2% ($got)" python3 -c '
import sys
d = dict(kv.split("=") for kv in sys.argv[1].split()[:-1])
want = {"a": 3 / 4.5, "b": 1 / 4.5, "c": 0.5 / 4.5}
sys.exit(not (all(abs(float(d.get(k, 0)) - w) <= 0.02 for k, w in want.items()) and "d" not in d))' "$got"
check "pick: each trigger taken by exactly one output" test "${got##* }" = once
check "pick: the routed copies keep time, value and their own fields" \
	test "$(jq -c 'select(.id != null) | [.t, .value, .id]' pick.ev | md5sum)" = "$(jq -c 'select(.name == "hit") | [.t, .value, .id]' hits.ev | md5sum)"
check "pick: other triggers and events pass through byte for byte" \
	test "$(grep -v '"id"' pick.ev | md5sum)" = "$(grep -v '"id"' hits.ev | md5sum)"
check "pick: the same seed routes the same way" sh -c 'route -s hit -t a:3,b:1,c:0.5,d:0 --seed 7 hits.ev | cmp -s - pick.ev'
check "pick: another seed another way" sh -c '! route -s hit -t a:3,b:1,c:0.5,d:0 --seed 8 hits.ev | cmp -s - pick.ev'
route -s hit -t a:3,b hits.ev >picked.ev 2>err
check "pick without --seed: the seed it picked is in the stream" sh -c "grep -q '\"type\":\"seed\",\"program\":\"route\"' picked.ev"

route -s hit -m cycle -t kick:3,snare hits.ev >cycle.ev
check "cycle: kick:3,snare goes kick kick snare kick" \
	test "$(jq -r 'select(.id != null and .id < 8) | .name' cycle.ev | tr '\n' ' ')" = "kick kick snare kick kick kick snare kick "
check "cycle: exact shares over 10,000, each trigger once" test "$(shares cycle.ev)" = "kick=0.7500 snare=0.2500 once"

route -s hit -m each -t x:0.5,y:0.2,z:1 --seed 3 hits.ev >each.ev
check "each: every output takes the trigger with its own chance, within 2%" python3 -c '
import json, collections
c = collections.Counter(json.loads(l)["name"] for l in open("each.ev") if "\"id\"" in l)
import sys
sys.exit(not (abs(c["x"] / 1e4 - 0.5) <= 0.02 and abs(c["y"] / 1e4 - 0.2) <= 0.02 and c["z"] == 10000))'

route -s hit -k -t a hits.ev >keep.ev
check "--keep: the trigger goes on under its own name, its copy after it" \
	test "$(jq -r 'select(.id == 5) | .name' keep.ev | tr '\n' ' ')" = "hit a "
check "without --source every trigger is routed" \
	test "$(route -t a hits.ev | jq -r 'select(.type == "trigger") | .name' | sort -u)" = a

printf '%s\n' '{"t":0,"type":"trigger","name":"h","value":1}' \
	'{"t":1,"type":"param","target":"route","param":"to","value":"b"}' \
	'{"t":1,"type":"trigger","name":"h","value":1}' \
	'{"t":2,"type":"param","target":"route","param":"mode","value":"each"}' \
	'{"t":2,"type":"param","target":"route","param":"to","value":"c:1,d:1"}' \
	'{"t":2,"type":"trigger","name":"h","value":1}' >live.ev
check "param events change the outputs and the mode from their time on" \
	test "$(route -t a live.ev | jq -r "select(.type == \"trigger\") | .name" | tr '\n' ' ')" = "a b c d "
printf '%s\n' '{"t":0,"type":"param","target":"route","param":"to","value":"a:0"}' >badparam.ev
check_fail "a param event with weights that add up to 0 names the line" 1 "line 1.*add up to 0" route -t a badparam.ev

check_fail "no --to is a usage error that shows the form" 2 "--to is required.*NAME\[:WEIGHT\]" route hits.ev
check_fail "weights that add up to 0" 2 "add up to 0" route -t a:0,b:0 hits.ev
check_fail "a weight that is not a number" 2 "'b:x': a weight is a number" route -t a,b:x hits.ev
check_fail "a negative weight" 2 "a weight is a number, 0 or more" route -t a:-1 hits.ev
check_fail "an output named twice" 2 "output 'a' is named twice" route -t a,b,a hits.ev
check_fail "each mode: a chance above 1" 2 "chance, 0..1" route -m each -t a:2 hits.ev
check_fail "an unknown mode lists the modes" 2 "pick.*cycle.*each" route -m shuffle -t a hits.ev
