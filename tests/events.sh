# tests/events.sh -- clock, euclid and arp: grids, Euclidean table, pass-through,
# param timing, determinism, probability rates, bad input.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# ---- clock
clock --bars 2 >c.ev
check "clock --bars 2: a tempo event and 32 ticks" test "$(grep -c '"tick"' c.ev)/$(grep -c '"tempo"' c.ev)" = 32/1
check "clock: the last tick of 2 bars is at beat 7.75" test "$(grep '"tick"' c.ev | tail -1 | jq .t)" = 7.75
check "clock: then an end event at beat 8, the length carried down the pipe" test "$(tail -1 c.ev)" = '{"t":8,"type":"end"}'
check "clock --duration 2s at 120 bpm is 4 beats" test "$(clock -d 2s | grep -c tick)" = 16
check "clock --loop-steps wraps step numbers" test "$(clock --beats 8 -L 16 | jq -s 'map(select(.type=="tick").step)|max')" = 15
check "clock without a length runs until its reader goes away" sh -c 'clock | head -3 >/dev/null'
check "clock without a length, off-line: 64 bars and no more" sh -c 'test "$(clock | tail -2 | jq -c "[.t, .step]" | tr -d "\n")" = "[255.75,1023][256,null]"'
check "clock --steps-per-beat 3: triplet times read back as exactly 1/3, 2/3" \
	test "$(clock --beats 1 -s 3 | jq -s '.[2].t == 1/3 and .[3].t == 2/3')" = true
# paced time: from the first line's arrival to the last's (start-up costs, which a
# sanitizer build or a busy machine makes large, fall outside it); the last tick is
# at 3.75 beats, 0.47 s
clock --live --bpm 480 --beats 4 | while IFS= read -r _; do date +%s.%N; done >live.times
wc -l <live.times >live.count
# A busy machine can make it later, or the first line's stamp late: the test asks
# only that the ticks are spread out in time (unpaced they take milliseconds); how
# close to time they stay is measured by make bench, not asserted here.
paced=$(echo "$(tail -1 live.times) - $(head -1 live.times)" | bc)
check "clock --live is paced by the wall clock (4 beats at 480 bpm last 0.47 s: not under half that, got $paced s)" \
	awk -v t="$paced" 'BEGIN { exit !(t >= 0.235) }'
check "clock --live emits every line (16 ticks, the tempo and the end)" test "$(cat live.count)" = 18
check_fail "clock: two lengths are a usage error" 2 'one of' clock --bars 1 --beats 4
check "clock: its --print-config is a preset that runs as it did" \
	sh -c 'clock --print-config >cfg.json && clock --preset ./cfg.json | head -3 | cmp -s - "$1"' _ "$(clock | head -3 >cfg.want; echo cfg.want)"

# ---- euclid: Toussaint's table, from the command line
for spec in 3:8:x..x..x. 5:8:x.xx.xx. 7:16:x..x.x.x..x.x.x. 5:13:x..x.x..x.x.. 2:5:x.x.. 3:4:x.xx \
	4:9:x.x.x.x.. 5:9:x.x.x.x.x 5:11:x.x.x.x.x.. 5:12:x..x.x..x.x. 5:16:x..x..x..x..x... \
	7:8:x.xxxxxx 9:16:x.xx.x.x.xx.x.x. 11:24:x..x.x.x.x.x..x.x.x.x.x. 13:24:x.xx.x.x.x.x.xx.x.x.x.x.; do
	k=${spec%%:*}; rest=${spec#*:}; n=${rest%%:*}; want=${rest#*:}
	check "euclid E($k,$n) = $want" test "$(euclid --show -k "$k" -n "$n")" = "$want"
done
check "euclid --rotation 1 moves onsets one step later" test "$(euclid --show -k 3 -n 8 -R 1)" = .x..x..x
check "euclid --rotation -1 moves them earlier" test "$(euclid --show -k 3 -n 8 -R -1)" = ..x..x.x
check "euclid negative --pulses is the complement" test "$(euclid --show -k -3 -n 8)" = .xx.xx.x
check_fail "euclid: more pulses than steps is an error" 2 'do not fit' euclid -k 9 -n 8

clock --beats 4 | euclid -n 16 -k 5 --seed 1 >e.ev
check "euclid: E(5,16) triggers at 0, 0.75, 1.5, 2.25, 3" \
	test "$(jq -c 'select(.type=="trigger").t' e.ev | tr '\n' ' ')" = "0 0.75 1.5 2.25 3 "
check "euclid passes every tick through unchanged" sh -c 'grep -v trigger e.ev | cmp -s - "$1"' _ "$(clock --beats 4 >c4.ev; echo c4.ev)"
check "euclid --beats makes its own grid" test "$(euclid --beats 4 -n 16 -k 5 | jq -c .t | tr '\n' ' ')" = "0 0.75 1.5 2.25 3 "

# pass-through of foreign events, byte for byte and in order
jq -c . c4.ev | grep -v '"end"' | awk 'NR==10{print "{\"t\":1.9,  \"type\":\"foo\",\"x\":[1, 2 ],\"s\":\"\\u00e9 \\\"q\\\"\"}"} {print} END{print "{\"type\":\"bar\",\"t\":3.9,\"z\":1.50e0}"}' >mixed.ev
euclid -k 5 --seed 2 <mixed.ev >mixed.out
check "foreign events pass euclid byte for byte and in order" sh -c 'grep -v "\"trigger\"" mixed.out | cmp -s - mixed.ev'
euclid -k 5 --seed 2 <mixed.ev | arp --seed 2 >mixed.arp
check "arp passes everything but its triggers byte for byte" sh -c 'grep -v "\"note\"" mixed.arp | cmp -s - "$1"' _ "$(grep -v '"trigger"' mixed.out >mixed.notrig; echo mixed.notrig)"

# param events change behaviour at exactly their time (ties: events after the param)
clock --beats 4 | awk '/"t":2,/ && !d {print "{\"t\":2,\"type\":\"param\",\"target\":\"euc\",\"param\":\"pulses\",\"value\":16}"; d=1} {print}' >p.ev
euclid -n 16 -k 1 <p.ev >p.out
check "euclid: a pulses param at beat 2 turns every later step on, none before" \
	test "$(jq -c 'select(.type=="trigger").t' p.out | tr '\n' ' ')" = "0 2 2.25 2.5 2.75 3 3.25 3.5 3.75 "
check "euclid consumes its own param events" test "$(grep -c param p.out)" = 0
clock --beats 4 | awk '/"t":1,/ && !d {print "{\"t\":1,\"type\":\"param\",\"target\":\"euc\",\"param\":\"pulses\",\"value\":20}"; print "{\"t\":1,\"type\":\"param\",\"target\":\"euc\",\"param\":\"value\",\"value\":3}"; d=1} {print}' >pbad.ev
euclid -n 16 -k 16 --skip-bad <pbad.ev >pbad.out 2>pbad.err
check "euclid: a refused param is warned about with its line, and the pattern stays" \
	sh -c 'test "$(grep -c trigger pbad.out)" = 16 && grep -q "line 6: param .pulses.: 20 pulses do not fit in 16 steps" pbad.err'
check "euclid: a knob that is not live cannot change" grep -q "line 7: param .value.: value cannot change while running" pbad.err
check_fail "euclid: a refused param without --skip-bad is an error" 1 'line 6: param .pulses.' sh -c 'euclid -n 16 <pbad.ev'
check_fail "a failed write is an error, not a silent end" 1 'No space left' sh -c 'clock --bars 1 >/dev/full'
check_fail "bad input with -o leaves no file" 1 'line 1: an event must be a JSON object' sh -c 'echo "[1]" | arp -o nofile.ev'
check "  ... and no file" test ! -e nofile.ev
check "param events for another target pass through" \
	test "$(sed 's/"euc"/"other"/' p.ev | euclid | grep -c '"param"')" = 1

# arp patterns: dorian from C, degrees 0,2,4 over 2 octaves
for spec in "up:60 63 67 72 75 79 60 " "down:79 75 72 67 63 60 79 " "updown:60 63 67 72 75 79 75 72 67 63 60 " \
	"downup:79 75 72 67 63 60 63 67 72 75 79 " "converge:60 79 63 75 67 72 60 " "diverge:72 67 75 63 79 60 72 "; do
	p=${spec%%:*}; want=${spec#*:}
	n=$(echo "$want" | wc -w)
	got=$(euclid --beats 8 -k 16 -n 16 | arp -P "$p" -D 0,2,4 -O 2 --seed 1 | jq -r .pitch | head -n "$n" | tr '\n' ' ')
	check "arp --pattern $p" test "$got" = "$want"
done
check "arp: notes carry velocity, gate and channel" \
	test "$(euclid --beats 1 -k 1 | arp -V 0.5 -g 0.125 -c 3 -R 48 -D 0)" = '{"t":0,"type":"note","pitch":48,"velocity":0.5,"gate":0.125,"channel":3}'
{ euclid --beats 4 -k 16 -n 16; } | awk 'NR==9{print "{\"t\":2,\"type\":\"param\",\"target\":\"arp\",\"param\":\"scale\",\"value\":\"lydian\"}"; print "{\"t\":2,\"type\":\"param\",\"target\":\"arp\",\"param\":\"degrees\",\"value\":[3]}"} {print}' >sc.ev
check "arp: scale and degrees params act at their beat" \
	test "$(arp -D 3 <sc.ev | jq -r '"\(.t)=\(.pitch)"' | sed -n '8,9p' | tr '\n' ' ')" = "1.75=65 2=66 "
check "arp: a pattern param" test "$(euclid --beats 2 -k 16 -n 16 | sed '1i{"t":0,"type":"param","target":"arp","param":"pattern","value":"down"}' | arp -D 0,2,4 | head -1 | jq .pitch)" = 67

# determinism and probability
clock --beats 2500 | euclid -n 16 -k 16 -p 0.3 --seed 7 >prob.ev
clock --beats 2500 | euclid -n 16 -k 16 -p 0.3 --seed 7 | cmp -s - prob.ev && pass "euclid: same seed, same bytes" || fail "euclid: same seed, same bytes"
clock --beats 2500 | euclid -n 16 -k 16 -p 0.3 --seed 8 | cmp -s - prob.ev && fail "euclid: another seed, other bytes" || pass "euclid: another seed, other bytes"
near "euclid --probability 0.3 fires 30% of 10000 onsets (4 sigma)" "$(grep -c trigger prob.ev)" 3000 184
euclid --beats 2500 -k 16 -n 16 | arp -p 0.6 -V 0.2..0.9 --seed 3 -P random >arp.ev
near "arp --probability 0.6 plays 60% of 10000 triggers (4 sigma)" "$(grep -c note arp.ev)" 6000 196
check "arp velocity range stays within 0.2..0.9 and spreads" \
	test "$(jq -s '[.[].velocity] | (min >= 0.2 and max <= 0.9 and (add/length - 0.55 | fabs) < 0.01)' arp.ev)" = true
check "arp: same seed, same bytes" sh -c 'euclid --beats 2500 -k 16 -n 16 | arp -p 0.6 -V 0.2..0.9 --seed 3 -P random | cmp -s - arp.ev'

# block-size invariance
clock --beats 64 >big.ev
euclid -k 7 -p 0.5 --seed 4 <big.ev | arp -P shuffle --seed 4 >whole.out
trickle 37 5 <big.ev | euclid -k 7 -p 0.5 --seed 4 | trickle 11 6 | arp -P shuffle --seed 4 >trickled.out
same_file "output does not depend on how the pipe delivers bytes" whole.out trickled.out

# bad input
printf '{"t":0,"type":"tick","step":0}\n{"t":0.25,"type":"tick","step":1}\n{"t":0.5,"type":tick}\n' >bad.ev
check_fail "malformed line: error names the line" 1 'stdin: line 3: malformed JSON' sh -c 'euclid <bad.ev'
check "--skip-bad warns and goes on" sh -c 'euclid -k 16 -n 16 --skip-bad <bad.ev 2>err >out; test "$(grep -c trigger out)" = 2 && grep -q "line 3" err'
printf '{"t":1,"type":"tick","step":0}\n{"t":0.5,"type":"tick","step":1}\n' >order.ev
check_fail "events out of time order are an error" 1 'line 2: events out of time order' sh -c 'euclid <order.ev'
check_fail "a tick with steps_per_beat 0 is refused, even passing through" 1 'stdin: line 1: tick "steps_per_beat" must be a whole number 1..1000' \
	sh -c 'echo "{\"t\":0,\"type\":\"tick\",\"step\":1,\"steps_per_beat\":0}" | arp'
check_fail "a tick at step 1e300 is refused" 1 'stdin: line 1: tick "step" must be a whole number 0..2\^53' \
	sh -c 'echo "{\"t\":0,\"type\":\"tick\",\"step\":1e300,\"steps_per_beat\":4}" | euclid'
check "--skip-bad skips such a tick and goes on" \
	sh -c 'printf "%s\n" "{\"t\":0,\"type\":\"tick\",\"step\":-1}" "{\"t\":0,\"type\":\"tick\",\"step\":0}" | euclid -k 16 --skip-bad 2>/dev/null | grep -c trigger | grep -qx 1'
printf '{"t":0,"type":"tick"}\n' | { euclid >/dev/null 2>err; echo $? >st; }
check "a tick without a step is an error with its line" sh -c 'test "$(cat st)" = 1 && grep -q "line 1: tick needs" err'
check_fail "unknown scale: the error lists the valid names" 2 'unknown scale .nope. \(known: .*dorian.*lydian' arp -S nope
check_fail "unknown pattern: the error lists the valid names" 2 'up\|down\|updown' arp -P sideways
printf '{"t":0,"type":"param","target":"arp","param":"scale","value":"nope"}\n' >ps.ev
check_fail "unknown scale in a param event: error with line and names" 1 'line 1: param .scale.: unknown scale .nope. \(known: ' sh -c 'arp <ps.ev'
check_fail "pitches outside 0..127 are an error" 1 'pitch 1[0-9][0-9] is outside MIDI.s 0..127' \
	sh -c 'euclid --beats 4 -k 16 -n 16 | arp -R 120 -O 3 -D 0,2,4'
check_fail "an event that is not an object" 1 'line 1: an event must be a JSON object' sh -c 'echo "[1]" | arp'
check_fail "an event without a time" 1 'line 1: event has no numeric "t"' sh -c 'echo "{\"type\":\"x\"}" | arp'
check "empty input gives empty output" sh -c 'test -z "$(euclid </dev/null | arp)"'

# user scales
mkdir -p xdg/shards
echo '{"pelog_x":[0,1,3,7,8],"major":[0,4,7]}' >xdg/shards/scales.json
check "a user scales file adds scales and overrides by name" \
	test "$(euclid --beats 1 -k 4 -n 4 | XDG_CONFIG_HOME=$PWD/xdg arp -S major -D 0,1,2,3 | jq -r .pitch | tr '\n' ' ')" = "60 64 67 72 "
echo '{"bad":[0,5,3]}' >bad-scales.json
check_fail "a malformed scales file names file and scale" 1 'bad-scales.json: scale .bad.: offsets must be strictly ascending' arp --scales bad-scales.json

# every event program: help, version, a preset-ready config, a man page
for p in clock euclid arp lfo integrate evmerge midiout notesynth; do
	check "$p --help, --version and --print-config" sh -c "$p --help | grep -q '^usage: $p' && $p --version | grep -q '(shards)' && $p --print-config | jq -e 'type == \"object\"' >/dev/null"
	check "$p has a man page" test -s "$SHARDS_TOP/man/man1/$p.1"
done
mkdir -p presets/arp
echo '{"scale":"lydian","degrees":"0,4","octaves":2}' >presets/arp/bright.json
check "arp --preset loads knobs, flags override" \
	test "$(euclid --beats 1 -k 4 -n 4 | arp --preset bright -R 48 | jq -r .pitch | tr '\n' ' ')" = "48 55 60 67 "
check "the magicbus presets reproduce the reference patch's knobs" \
	sh -c 'clock --bars 8 -L 16 | euclid --preset magicbus --seed 1 | arp --preset magicbus --seed 1 | cmp -s - "$1"' _ \
	"$(clock --bars 8 -L 16 | euclid -n 16 -k 5 -p 0.95 --seed 1 | arp -S dorian -D 0,2,4,6 -P updown -O 2 -g 0.22 -V 0.85 --seed 1 >mb.ev; echo mb.ev)"
