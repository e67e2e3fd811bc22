# tests/evrec.sh -- evrec and evplay: a live take recorded whole (at the end of
# input, and stopped by SIGINT, SIGTERM, SIGHUP), wall times from 0 and in order,
# a reader that goes away; played back byte for byte, with its wall timing, at a
# new tempo; bad takes. Checked with jq and python, never against the clock.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# ---- a live take through evrec, to the end of its input
clock --live --bpm 600 --beats 8 | euclid -l -k 5 | tee in.ev | evrec take.ev | cat >out.ev
check "a live take holds the stream's events, wall times aside" \
	test "$(jq -c 'del(.wall)' take.ev | md5sum)" = "$(jq -c . in.ev | md5sum)"
same_file "the stream goes on through evrec byte for byte" in.ev out.ev
check "wall times start at 0 and never go back" python3 -c '
import json
w = [json.loads(l)["wall"] for l in open("take.ev")]
assert w[0] == 0 and all(b >= a for a, b in zip(w, w[1:])) and len(w) > 10, w'
check "wall times are microseconds" python3 -c '
import json
for l in open("take.ev"):
    w = json.loads(l)["wall"]
    assert abs(w * 1e6 - round(w * 1e6)) < 1e-3, w'

# ---- stopped mid-take: the file is whole, and no temporary file is left
for sig in INT TERM HUP; do
	mkdir "sig$sig" && cd "sig$sig"
	clock --live --bpm 600 | euclid -l -k 5 | evrec take.ev >out.ev 2>err &
	rec=$!
	# the take has gone on through evrec for a while, however busy the machine
	passed20() { [ "$(wc -l <out.ev)" -ge 20 ]; }
	wait_for "$rec" passed20
	kill -"$sig" "$rec"
	wait "$rec"
	st=$?
	check "SIG$sig: evrec ends with status 0" test "$st" = 0
	check "SIG$sig: the take is written, every line an event" python3 -c '
import json, sys
n = 0
for l in open("take.ev"):
    e = json.loads(l); assert "t" in e and "type" in e and "wall" in e; n += 1
sys.exit(n < 20)'
	check "SIG$sig: the take holds every event that went on" \
		test "$(jq -c 'del(.wall)' take.ev | md5sum)" = "$(jq -c . out.ev | md5sum)"
	check "SIG$sig: no temporary file is left" test "$(ls -A | tr '\n' ' ')" = "err out.ev take.ev "
	check "SIG$sig: nothing on stderr" test ! -s err
	cd "$W"
done

# ---- a reader that goes away: the recording goes on to the end of input
clock --bars 300 >long.ev
{ evrec early.ev <long.ev; echo $? >early.st; } | head -1 >first.ev
check "stdout closed early: evrec still ends with status 0" test "$(cat early.st)" = 0
check "stdout closed early: the whole input is recorded" \
	test "$(jq -c 'del(.wall)' early.ev | md5sum)" = "$(jq -c . long.ev | md5sum)"
check "--quiet: records, writes nothing" sh -c 'evrec -q quiet.ev <long.ev >q.out && test ! -s q.out &&
	test "$(wc -l <quiet.ev)" = "$(wc -l <long.ev)"'
# a member "wall" already there is replaced, not doubled
printf '{"t":0,"type":"x","wall":7}\n' | evrec again.ev >/dev/null
check "a \"wall\" already in an event is replaced" test "$(cat again.ev)" = '{"t":0,"type":"x","wall":0}'

# ---- bad input and usage
printf '{"t":0,"type":"tick"}\nnot json\n' >bad.ev
check_fail "malformed input: an error naming the line" 1 '^evrec: stdin: line 2: ' sh -c 'evrec bad.take <bad.ev >/dev/null'
check "malformed input: no take is left behind" test ! -e bad.take
check_fail "no TAKE is a usage error" 2 '^evrec: no TAKE' evrec
check_fail "TAKE - is a usage error" 2 '^evrec: TAKE must be a file' evrec -

# ---- evplay: by beat, the original stream byte for byte
evplay take.ev >beat.ev
same_file "evplay: the stream as it went in, byte for byte" in.ev beat.ev
check "evplay: a take on stdin too" sh -c 'evplay <take.ev | cmp -s - in.ev'
check "evplay: an ordinary event file plays as it is" sh -c 'evplay in.ev | cmp -s - in.ev'
check "evplay --live: the same events, paced" sh -c 'evplay --live --bpm 999 take.ev >paced.ev &&
	evplay --bpm 999 take.ev | cmp -s - paced.ev'

# ---- --timing wall: t from the wall time at the tempo in force
evplay --timing wall take.ev >wall.ev
check "--timing wall: t is wall x bpm / 60 at the take's tempo (600)" python3 -c '
import json
take = [json.loads(l) for l in open("take.ev")]
out = [json.loads(l) for l in open("wall.ev")]
assert len(take) == len(out)
for a, b in zip(take, out):
    assert "wall" not in b and abs(b["t"] - a["wall"] * 600 / 60) < 1e-6, (a, b)
    a.pop("wall"); a.pop("t"); b.pop("t"); assert a == b, (a, b)'
# a take of two tempos, by hand: 120 for a second, then 60
cat >tempos.ev <<'EOF'
{"t":0,"type":"note","pitch":60,"wall":0}
{"t":0,"type":"tempo","bpm":120,"wall":0.001}
{"t":1,"type":"note","pitch":62,"wall":0.52}
{"t":2,"type":"tempo","bpm":60,"wall":1.001}
{"t":2,"type":"note","pitch":64,"wall":1.001}
{"t":3,"type":"note","pitch":65,"wall":2.002}
EOF
check "--timing wall: tempo changes honoured as they come" python3 -c '
import json, subprocess
out = subprocess.run(["evplay", "-T", "wall", "tempos.ev"], capture_output=True, text=True, check=True).stdout
ts = [json.loads(l)["t"] for l in out.splitlines()]
w0 = 0.001 * 120 / 60                      # the take starts at 120 bpm
want = [0, w0, w0 + (0.52 - 0.001) * 2, None, None, None]
want[3] = w0 + (1.001 - 0.001) * 2         # then 60 bpm from the second tempo event
want[4] = want[3]
want[5] = want[3] + (2.002 - 1.001) * 1
assert all(abs(a - b) < 1e-6 for a, b in zip(ts, want)), (ts, want)'
check "--timing wall --live: the same events, paced" sh -c 'evplay -T wall --live take.ev | cmp -s - wall.ev'

# ---- --bpm: a new tempo, tempo changes keep their ratio
check "--bpm: every tempo scaled by new over first (120 -> 90: x0.75)" python3 -c '
import json, subprocess
out = subprocess.run(["evplay", "--bpm", "90", "tempos.ev"], capture_output=True, text=True, check=True).stdout
got = [json.loads(l) for l in out.splitlines()]
take = [json.loads(l) for l in open("tempos.ev")]
for a, b in zip(take, got):
    a.pop("wall")
    if a["type"] == "tempo":
        a["bpm"] *= 0.75
    assert a == b, (a, b)
assert [e["bpm"] for e in got if e["type"] == "tempo"] == [90, 45]'
evplay tempos.ev | grep -v tempo >plain.ev
evplay --bpm 90 tempos.ev | grep -v tempo >scaled.ev
same_file "--bpm: the other lines are as they were, byte for byte" plain.ev scaled.ev
printf '{"t":0,"type":"tempo","bpm":10}\n{"t":1,"type":"tempo","bpm":200}\n' >toofast.ev
check_fail "--bpm that takes a tempo past 999: an error naming file and line" 1 \
	'^evplay: toofast.ev: line 2: .*outside 1..999' evplay --bpm 999 toofast.ev

# ---- bad takes
head -3 tempos.ev >nowall.ev
printf '{"t":2,"type":"tick"}\n' >>nowall.ev
check_fail "--timing wall on events without wall times: an error naming file and line" 1 \
	'^evplay: nowall.ev: line 4: no "wall" time' evplay -T wall nowall.ev
check_fail "--timing wall on an ordinary event file: line 1" 1 '^evplay: in.ev: line 1: no "wall"' evplay -T wall in.ev
printf '{"t":0,"type":"x","wall":1}\n{"t":1,"type":"x","wall":0.5}\n' >back.ev
check_fail "--timing wall: wall times that go back are an error" 1 '^evplay: back.ev: line 2: "wall" goes back' \
	evplay -T wall back.ev
check_fail "--timing wall -o: no file is left on an error" 1 'line 4' evplay -T wall -o no.ev nowall.ev
check "--timing wall -o: nothing left behind" test ! -e no.ev
check_fail "two takes are a usage error" 2 '^evplay: too many operands' evplay take.ev take.ev
