# tests/randomness.sh -- the randomness policies (--random) of arp, euclid and
# route: uniform is what the programs always drew; weighted shares follow the
# product of the weights; walk moves between neighbouring choices; markov follows
# its matrix; live changes; bad policies. Counted with python, not with shards.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

python3 -c '
import json
print(json.dumps({"t": 0, "type": "tempo", "bpm": 120}, separators=(",", ":")))
for i in range(10000):
    print(json.dumps({"t": i / 4, "type": "trigger", "name": "hit", "value": 1, "id": i}, separators=(",", ":")))
' >hits.ev

# names N FILE: routed names of the hits, in order, one a line
names() { jq -r 'select(.id != null) | .name' "$1"; }
# shares FILE: name=fraction of the 10,000 hits
shares() { names "$1" | sort | uniq -c | awk '{ printf "%s=%.4f ", $2, $1 / 10000 }'; }

# ---- uniform is the default, draw for draw
for p in "route -s hit -t a:3,b:1,c" "arp -t hit -P random -D 0,1,2,3,4 -V 0.2..0.9" "euclid -n 16 -k 9 -p 0.6"; do
	name=${p%% *}
	if [ "$name" = euclid ]; then in=ticks.ev; clock --bars 64 >ticks.ev; else in=hits.ev; fi
	$p --seed 5 "$in" >plain.ev
	$p --seed 5 --random uniform "$in" >uniform.ev
	check "$name: --random uniform draws exactly as no --random" cmp -s plain.ev uniform.ev
done

# ---- weighted: route's weights times the policy's, within 2% over 10,000
route -s hit -t a:1,b:1,c:2 --random weighted:3,1,1 --seed 1 hits.ev >w.ev
got=$(shares w.ev)
check "route weighted:3,1,1 over a:1,b:1,c:2 gives 3:1:2 ($got)" python3 -c '
import sys
d = dict(kv.split("=") for kv in sys.argv[1].split())
want = {"a": 3 / 6, "b": 1 / 6, "c": 2 / 6}
sys.exit(not all(abs(float(d[k]) - w) <= 0.02 for k, w in want.items()))' "$got"
check "route weighted: each trigger goes to exactly one output" test "$(names w.ev | wc -l)" = 10000
route -s hit -t a,b,c --random weighted:1,1 --seed 1 hits.ev >w2.ev
check "route weighted: a choice past the list weighs nothing" sh -c '! names w2.ev | grep -qx c'
arp -t hit -P random -D 0,1,2,3 -S major -R 60 --random weighted:0,0,0,1 --seed 2 hits.ev >wa.ev
check "arp weighted:0,0,0,1 plays only the fourth note (F, 65)" \
	test "$(jq -r 'select(.type == "note") | .pitch' wa.ev | sort -u)" = 65

# ---- walk: the point on the cumulative weights moves at most STEP a draw
arp -t hit -P random -D 0,1,2,3,4,5,6,7 -S major -R 60 --random walk:0.1 --seed 3 hits.ev >walk.ev
check "arp walk:0.1 over 8 notes: each note is a neighbour of the last (at most one step)" python3 -c '
import json, sys
scale = [60, 62, 64, 65, 67, 69, 71, 72]
k = [scale.index(json.loads(l)["pitch"]) for l in open("walk.ev") if "\"note\"" in l]
jumps = max(abs(a - b) for a, b in zip(k, k[1:]))
sys.exit(not (len(k) == 10000 and jumps <= 1 and len(set(k)) == 8))'
clock --bars 500 >ticks.ev
euclid -n 4 -k 4 -p 0.5 --seed 4 ticks.ev >ind.ev
euclid -n 4 -k 4 -p 0.5 --random walk:0.05 --seed 4 ticks.ev >runs.ev
check "euclid walk:0.05 fires in long runs, independent draws do not (mean run of the same outcome)" python3 -c '
import json
def runs(path):
    fired = {json.loads(l)["t"] for l in open(path) if "\"trigger\"" in l}
    seq = [json.loads(l)["t"] in fired for l in open("ticks.ev") if "\"tick\"" in l]
    n = 1 + sum(1 for a, b in zip(seq, seq[1:]) if a != b)
    return len(seq) / n, sum(seq) / len(seq)
import sys
ri, si = runs("ind.ev"); rw, sw = runs("runs.ev")
print(ri, si, rw, sw, file=sys.stderr)
sys.exit(not (ri < 3 and rw > 3 * ri and 0.1 < sw < 0.9))'
check "walk: the same seed walks the same way" sh -c \
	'euclid -n 4 -k 4 -p 0.5 --random walk:0.05 --seed 4 ticks.ev | cmp -s - runs.ev'

# ---- markov: a matrix that alternates, one that cycles
echo '[[0, 1], [1, 0]]' >alt.json
route -s hit -t a,b --random markov:alt.json --seed 6 hits.ev >alt.ev
check "route markov [[0,1],[1,0]]: strictly alternating outputs" python3 -c '
import sys
n = open("/dev/stdin").read().split()
sys.exit(not (len(n) == 10000 and all(a != b for a, b in zip(n, n[1:]))))' <<EOF2
$(names alt.ev)
EOF2
echo '[[0, 1, 0], [0, 0, 1], [1, 0, 0]]' >cyc.json
arp -t hit -P random -D 0,2,4 -S major -R 60 --random markov:cyc.json --seed 6 hits.ev >cyc.ev
check "arp markov 3-cycle: the notes go round C E G" python3 -c '
import json, sys
p = [json.loads(l)["pitch"] for l in open("cyc.ev") if "\"note\"" in l]
nxt = {60: 64, 64: 67, 67: 60}
sys.exit(not (len(p) == 10000 and all(nxt[a] == b for a, b in zip(p, p[1:]))))'
echo '[[1, 3], [3, 1]]' >sticky.json
route -s hit -t a,b --random markov:sticky.json --seed 6 hits.ev >sticky.ev
check "route markov [[1,3],[3,1]]: three changes in four, within 2%" python3 -c '
import sys
n = open("/dev/stdin").read().split()
ch = sum(1 for a, b in zip(n, n[1:]) if a != b) / (len(n) - 1)
sys.exit(not abs(ch - 0.75) <= 0.02)' <<EOF2
$(names sticky.ev)
EOF2

# ---- live: a param event changes the policy mid-stream
{ printf '%s\n' '{"t":0,"type":"tempo","bpm":120}'
  python3 -c '
import json
for i in range(200):
    if i == 100:
        print(json.dumps({"t": i / 4, "type": "param", "target": "route", "param": "random", "value": "weighted:0,1"}))
    print(json.dumps({"t": i / 4, "type": "trigger", "name": "hit", "value": 1, "id": i}, separators=(",", ":")))'
} >live.ev
route -s hit -t a,b --seed 9 live.ev >live.out
check "route: a param event switches the policy (only b after it, both before)" python3 -c '
import json, sys
e = [json.loads(l) for l in open("live.out")]
n = [x["name"] for x in e if "id" in x]
sys.exit(not (set(n[100:]) == {"b"} and set(n[:100]) == {"a", "b"}))'

# ---- bad policies: exit 2, naming what is wrong
echo '[[1, 2], [3]]' >ragged.json
echo '[[0, 0], [1, 1]]' >deadrow.json
echo '[[1, -1], [1, 1]]' >neg.json
echo '{"a": 1}' >obj.json
check_fail "unknown policy names the known ones" 2 "known: uniform | weighted" route -t a,b --random gaussian
check_fail "weights that add up to nothing" 2 "add up to more than 0" route -t a,b --random weighted:0,0
check_fail "a weight that is not a number" 2 "'x' is not a weight" arp -P random --random weighted:1,x
check_fail "a negative weight" 2 "'-1' is not a weight" euclid --random weighted:1,-1
check_fail "walk without a step in (0, 1]" 2 "more than 0 and at most 1" route -t a,b --random walk:0
check_fail "walk step above 1" 2 "more than 0 and at most 1" route -t a,b --random walk:1.5
check_fail "markov without a file" 2 "needs a file" route -t a,b --random markov:
check_fail "markov file that is missing" 2 "nothere.json" route -t a,b --random markov:nothere.json
check_fail "markov matrix that is not square" 2 "row 2 must be an array of 2 weights" route -t a,b --random markov:ragged.json
check_fail "markov row with no weight" 2 "row 1: the weights must add up" route -t a,b --random markov:deadrow.json
check_fail "markov negative entry" 2 "row 1, entry 2" route -t a,b --random markov:neg.json
check_fail "markov file that is not an array" 2 "JSON array of 1 to" route -t a,b --random markov:obj.json
