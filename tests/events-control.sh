# tests/events-control.sh -- lfo, integrate, evmerge, and jq in the middle of a pipe.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# ---- lfo
check "lfo: sin(1) sampled 8 times a second at 60 bpm" \
	test "$(lfo 'sin(1)' -r 8 --bpm 60 --beats 1 | jq -c '[.t,.value]' | tr '\n' ' ')" = \
	"[0,0] [0.125,0.707106781] [0.25,1] [0.375,0.707106781] [0.5,0] [0.625,-0.707106781] [0.75,-1] [0.875,-0.707106781] "
check "lfo: tri, saw and square at the quarter points" \
	test "$(for w in tri saw square; do lfo "$w(1)" -r 4 --bpm 60 --beats 1 | jq -r .value | tr '\n' ,; done)" = "0,1,0,-1,-1,-0.5,0,0.5,1,1,-1,-1,"
check "lfo: a phase shifts the wave (sin(1, pi/2) starts at 1)" test "$(lfo 'sin(1,1.5707963267948966)' -r 4 --beats 1 | head -1 | jq .value)" = 1
lfo '0.6*sin(0.43)+0.4*sin(0.78,1.1) - 0.1' -r 60 --beats 16 >sum.ev
lfo '0.6*sin(0.43)' -r 60 --beats 16 >a.ev
lfo '0.4*sin(0.78,1.1)' -r 60 --beats 16 >b.ev
check "lfo: a sum of terms is the sum of the terms" \
	test "$(jq -n --slurpfile s sum.ev --slurpfile a a.ev --slurpfile b b.ev '[range($s|length)] | map(($s[.].value - $a[.].value - $b[.].value + 0.1) | fabs) | max < 3e-9')" = true
check "lfo: 60 values a second at 120 bpm, one every 1/30 beat" test "$(wc -l <sum.ev)/$(sed -n 31p sum.ev | jq .t)" = 480/1
lfo 'noise(4)' -r 200 --beats 64 --seed 5 >n1.ev
check "lfo noise: same seed, same bytes" sh -c 'lfo "noise(4)" -r 200 --beats 64 --seed 5 | cmp -s - n1.ev'
check "lfo noise: another seed, another signal" sh -c '! lfo "noise(4)" -r 200 --beats 64 --seed 6 | cmp -s - n1.ev'
check "lfo noise: within -1..1, smooth (small steps), and it wanders" \
	test "$(jq -s '[.[].value] as $v | ($v|min) >= -1 and ($v|max) <= 1 and ([range(1; $v|length)] | map(($v[.] - $v[.-1]) | fabs) | max) < 0.07 and (($v|max) - ($v|min)) > 1' n1.ev)" = true
check_fail "lfo: a bad expression is a usage error that says why, and where" 2 "expression 'sin\(2': column 6: '\)' expected to close sin\(" lfo 'sin(2'
check_fail "lfo: an unknown function names the ones there are" 2 "column 1: unknown function 'cos' \(sin, tri, saw, square, noise, smooth" lfo 'cos(2)'
check "lfo: until the reader goes away" sh -c 'lfo | head -2 >/dev/null'
check "lfo without a length, off-line: 64 bars" sh -c 'test "$(lfo --hz 10 | tail -1 | jq .t)" = "$(lfo --hz 10 --bars 64 | tail -1 | jq .t)" && lfo --hz 10 | tail -1 | jq -e ".t < 256 and .t > 255" >/dev/null'

# ---- integrate
check "integrate: 1 held for a beat with no leak reaches 1 at beat 1, 2 (reset zero)" \
	test "$(lfo 1 --beats 3 | integrate -k 0 -T 1 | jq -c .t | tr '\n' ' ')" = "1 2 "
check "integrate --reset subtract keeps the overshoot" \
	test "$(lfo 1 -r 10 --bpm 60 --beats 3 | integrate -k 0 -T 0.75 --reset subtract | grep -c trigger)" = 3
check "integrate --reset none fires once until the state falls back" \
	test "$(lfo 1 --beats 3 | integrate -k 0 -T 1 --reset none | grep -c trigger)" = 1
check "integrate: leak holds the state below the input's level (1/leak)" \
	test "$(lfo 1 --beats 50 | integrate -k 2 -T 0.6 --emit-state | jq -s '[.[] | select(.name=="lfo.state").value] | max <= 0.5 and max > 0.499')" = true
check "integrate: negative thresholds fire falling" test "$(lfo -e -1 --beats 3 | integrate -k 0 -T -1 | grep -c trigger)" = 2
lfo 1 -r 60 --beats 2000 >const.ev
integrate -k 0 -T 0.2 -p 0.3 --seed 9 <const.ev >int.ev
crossings=$(integrate -k 0 -T 0.2 <const.ev | grep -c trigger)
near "integrate --trigger-probability 0.3 fires 30% of $crossings crossings (4 sigma)" "$(grep -c trigger int.ev)" \
	"$(echo "$crossings * 0.3" | bc)" "$(echo "4 * sqrt($crossings * 0.21)" | bc)"
check "integrate: same seed, same bytes" sh -c 'integrate -k 0 -T 0.2 -p 0.3 --seed 9 <const.ev | cmp -s - int.ev'
{ clock --beats 2; } | evmerge - const.ev | head -400 >mix.ev
integrate -k 0 -T 1 <mix.ev >mix.out
check "integrate consumes its source and passes everything else byte for byte" \
	sh -c 'grep -v "\"lfo\"" mix.ev | cmp -s - "$1"' _ "$(grep -v trigger mix.out >mix.rest; echo mix.rest)"
check "integrate --pass-source keeps the values" test "$(integrate -k 0 -T 1 --pass-source <mix.ev | grep -c '"lfo"')" = "$(grep -c '"lfo"' mix.ev)"
sed '31i{"t":1,"type":"param","target":"integrate","param":"threshold","value":0.5}' const.ev | head -200 >pth.ev
check "integrate: a threshold param acts at its beat" \
	test "$(integrate -k 0 -T 10 <pth.ev | jq -c .t | head -3 | tr '\n' ' ')" = "1 1.5 2 "

sed '31i{"t":1,"type":"param","target":"integrate","param":"threshold","value":0}' const.ev | head -200 >pth0.ev
check_fail "integrate: a threshold of 0 in a param event is refused with its line" 1 'line 31: param .threshold.: threshold must not be 0' \
	sh -c 'integrate -k 0 -T 1 <pth0.ev'
check "integrate --skip-bad: the refused threshold keeps the old one" \
	test "$(integrate -k 0 -T 1 --skip-bad <pth0.ev 2>/dev/null | grep -c trigger)" = "$(head -199 const.ev | integrate -k 0 -T 1 | grep -c trigger)"

# ---- evmerge
clock --beats 2 >c.ev
euclid --beats 2 -k 3 -n 8 >e.ev
printf '%s\n' '{"t":0.5,"type":"x","n":1}' '{"t":0.5, "type":"x","n":2}' '{"t":1.9,"type":"y"}' >x.ev
evmerge c.ev e.ev x.ev >m.ev
check "evmerge: the result is sorted by time" test "$(jq -s '[.[].t] == ([.[].t] | sort)' m.ev)" = true
check "evmerge: every input line appears byte for byte" sh -c 'cat c.ev e.ev x.ev | sort | cmp -s - "$1"' _ "$(sort m.ev >m.sorted; echo m.sorted)"
check "evmerge: ties keep operand order, then input order" \
	test "$(grep -n '"t":0.5' m.ev | cut -d: -f1 | tr '\n' ' ')" = "5 6 7 "
check "evmerge: same order as a stable sort by time" sh -c 'jq -c -s "sort_by(.t)[]" c.ev e.ev x.ev | cmp -s - "$1"' _ "$(jq -c . m.ev >m.norm; echo m.norm)"
check "evmerge reads stdin as -" sh -c 'clock --beats 1 | evmerge x.ev - | grep -q tempo'
printf '%s\n' '{"t":1,"type":"a"}' '{"t":0,"type":"b"}' >bad.ev
check_fail "evmerge: out-of-order input names the file and line" 1 'bad.ev: line 2: events out of time order' evmerge c.ev bad.ev
check_fail "evmerge: a missing file" 1 'nope.ev: cannot open' evmerge c.ev nope.ev
mkfifo f1 f2
clock --live --bpm 480 --beats 4 >f1 &
lfo --live --bpm 480 -r 40 --beats 4 >f2 &
evmerge --live f1 f2 >live.ev
# a reader that never came (evmerge failed first) would leave the writers waiting
# for ever: open each FIFO once ourselves (read-write: it never blocks), so they go
exec 3<>f1 4<>f2
exec 3<&- 4<&-
wait
check "evmerge --live: both live branches, in time order" \
	test "$(jq -s '([.[].t] == ([.[].t] | sort)) and (map(select(.type=="tick"))|length) == 16 and (map(select(.type=="value"))|length) == 20' live.ev)" = true

# ---- jq in the middle of a pipe
euclid --beats 4 -k 16 -n 16 | arp -D 0 >plain.ev
euclid --beats 4 -k 16 -n 16 | jq -c --unbuffered 'if .type == "trigger" then .value = 0.5 else . end' | arp -D 0 |
	jq -c 'if .type == "note" then .pitch += 12 else . end' >jq.ev
check "jq transposes notes in the middle of a pipe" test "$(jq -s 'map(.pitch) | unique' jq.ev)" = "$(jq -s 'map(.pitch + 12) | unique' plain.ev)"
