# tests/lfo.sh -- lfo expressions: values against a reference evaluation written
# here in python (operators, nesting, oscillators, envelopes, clamp, map, beats),
# the random functions' bounds and seeds, and parse errors that name the column.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"

# the reference: the same language, evaluated independently
cat >ref.py <<'PY'
import json, math, re, sys
expr, hz, bpm, path = sys.argv[1], float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]

def frac(x): return x - math.floor(x)
def osc(shape):
    def f(t, hz, ph=0.0):
        c = hz * t + ph / (2 * math.pi)
        x = frac(c)
        return {"sin": math.sin(2 * math.pi * c),
                "tri": 4 * x if x < 0.25 else (2 - 4 * x if x < 0.75 else 4 * x - 4),
                "saw": 2 * x - 1, "square": 1 if x < 0.5 else -1}[shape]
    return f
def ramp(t, a, b, d, period=0.0):
    tau = math.fmod(t, period) if period > 0 else t
    return b if d <= 0 or tau >= d else a + (b - a) * tau / d
def adsr(t, a, d, s, r, gate, period=0.0):
    tau = math.fmod(t, period) if period > 0 else t
    g = min(tau, gate)
    lv = g / a if g < a else (1 - (1 - s) * (g - a) / d if g < a + d else s)
    if tau < gate: return lv
    return lv * (1 - (tau - gate) / r) if tau - gate < r else 0.0

# numbers with units become seconds; functions get t as their first argument
src = re.sub(r"(\d+(?:\.\d*)?|\.\d+)(ms|b|s)\b", lambda m: "(%s*%s)" % (m.group(1), {"ms": "0.001", "s": "1", "b": repr(60 / bpm)}[m.group(2)]), expr)
src = re.sub(r"\b(sin|tri|saw|square|ramp|adsr)\(", r"\1(t,", src)
env = {"sin": osc("sin"), "tri": osc("tri"), "saw": osc("saw"), "square": osc("square"), "ramp": ramp, "adsr": adsr,
       "clamp": lambda x, lo, hi: min(max(x, lo), hi), "map": lambda x, a, b, c, d: c if a == b else c + (x - a) * (d - c) / (b - a),
       "min": min, "max": max, "pow": math.pow, "abs": abs, "floor": math.floor, "pi": math.pi}
got = [json.loads(l)["value"] for l in open(path)]
worst = 0
for k, v in enumerate(got):
    t = k / hz
    env["t"], env["beat"] = t, t * bpm / 60
    worst = max(worst, abs(eval(src, env) - v))
print("%d samples, worst difference %.2g" % (len(got), worst))
sys.exit(not (len(got) > 0 and worst < 2e-9))
PY

# agree EXPR [options]: lfo's samples match the reference (-r 50 at 96 bpm, 8 bars)
agree() {
	e=$1
	shift
	lfo -e "$e" -r 50 -b 96 --bars 8 "$@" >agree.ev && python3 ref.py "$e" 50 96 agree.ev
}
check "products: sin(1)*sin(0.1)" agree 'sin(1)*sin(0.1)'
check "the reference design's sum, as before" agree '0.6*sin(0.43)+0.4*sin(0.78,1.1)'
check "precedence, division, unary minus and parentheses" agree '-0.5*(saw(2)-tri(0.3))/2+square(0.7,1)*-0.25'
check "nesting: a sine whose phase is a slow triangle" agree 'sin(2, pi*tri(0.1))'
check "time in beats: once every four beats" agree 'sin(1/4b)+saw(1/2b, pi)'
check "the time variables t and beat" agree 'clamp(t/10, 0, 1)*sin(2, beat)+beat/32'
check "ramp, once and every two beats" agree 'ramp(0, 1, 5)+ramp(1, -1, 500ms, 2b)'
check "adsr, once and repeating each bar" agree 'adsr(0.2, 0.3, 0.5, 1, 2)+adsr(50ms, 0.1, 0.7, 0.4, 1b, 4b)'
check "clamp and map" agree 'map(clamp(2*sin(0.5), -1, 1), -1, 1, 0, 127)'
check "min, max, pow, abs, floor" agree 'min(sin(1), 0.3)+max(saw(0.5), -0.2)+pow(abs(tri(0.25)), 2)+floor(2*saw(0.1))'

# random functions: bounded, seeded, and a walk moves by small steps
lfo 'smooth(4)' -r 200 --beats 64 --seed 5 >w1.ev
check "smooth: reproducible by seed" sh -c 'lfo "smooth(4)" -r 200 --beats 64 --seed 5 | cmp -s - w1.ev'
check "smooth: another seed, another walk" sh -c '! lfo "smooth(4)" -r 200 --beats 64 --seed 6 | cmp -s - w1.ev'
check "smooth: starts at 0, stays within -1..1, and moves by small steps" \
	test "$(jq -s '[.[].value] as $v | $v[0] == 0 and ($v|min) >= -1 and ($v|max) <= 1 and ([range(1; $v|length)] | map(($v[.] - $v[.-1]) | fabs) | max) < 0.02' w1.ev)" = true
check "noise and smooth draw from their own streams: adding a term leaves the first one's points" \
	sh -c 'lfo "noise(3)" -r 30 --beats 8 --seed 9 | jq .value >a.txt &&
	       lfo "noise(3)+0*smooth(1)" -r 30 --beats 8 --seed 9 | jq .value | cmp -s - a.txt'
lfo 'noise(1+noise(0.5))' -r 100 --beats 32 --seed 3 >fm.ev
check "a noise whose speed is noise stays within -1..1" test "$(jq -s '[.[].value] | min >= -1 and max <= 1' fm.ev)" = true

# a frequency that moves keeps its phase: a sweep has no jumps
lfo 'sin(1+10*ramp(0, 1, 4))' -r 1000 --beats 8 >sweep.ev
check "a swept sine is continuous (steps no larger than its top speed allows)" \
	test "$(jq -s '[.[].value] as $v | [range(1; $v|length)] | map(($v[.] - $v[.-1]) | fabs) | max < 0.07' sweep.ev)" = true

# parse errors point at the column
col() {
	check_fail "a parse error names its column: $1" 2 "expression '.*': column $2: $3" lfo "$1"
}
col 'sin(1)*(2' 10 "'\\)' expected to close the '\\(' at column 8"
col 'sin(1) sin(2)' 8 'an operator expected'
col '0.5+foo(1)' 5 "unknown function 'foo'"
col 'sin(1)+x' 8 "unknown name 'x'"
col 'ramp(0, 1)' 1 'ramp takes FROM, TO, DUR\[, PERIOD\], not 2 arguments'
col '3q' 2 'unknown unit after a number'
col 'sin(1))' 7 "'\\)' without its '\\('"
col '1+*2' 3 'a number, a name or'
col 'noise(-2)' 1 'noise: HZ is -2, outside 0..100000'
col "$(python3 -c 'print("("*70 + "1" + ")"*70)')" 65 'nested deeper than 64'
check_fail "a value that is not a number stops the run, saying when" 1 "expression '1/t' is inf at 0 s" lfo '1/t'
