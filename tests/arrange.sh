# arrange: the same seed gives the same plan and bytes; density 0 is silence
# and 1 keeps every stem (each a distinct sine) in every bar; regions start
# and stop on the bar grid (from the plan and from the audio's envelope);
# fades only at region edges; a plan rendered gives the direct render's bytes;
# an edited plan renders; the tempo found as bpm finds it on real drums;
# stems at another rate and channel count; and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# py SCRIPT ARGS...: numpy with au(PATH) -> (rate, frames x channels)
py() { _s=$1; shift; $PY -c "import sys, json, numpy as np
def au(p):
    d = open(p, 'rb').read()
    off, rate, ch = (int.from_bytes(d[i:i + 4], 'big') for i in (4, 16, 20))
    return rate, np.frombuffer(d[off:], '>f4').astype(np.float64).reshape(-1, ch)
$_s" "$@"; }

# stems: sines whose periods divide a bar at 120 BPM (they loop seamlessly)
sox -n -r 48000 -c 1 -e floating-point -b 32 t300.wav synth 5 sine 300 gain -12
sox -n -r 48000 -c 2 -e floating-point -b 32 t1100.wav synth 4 sine 1100 gain -12
sox -n -r 44100 -c 1 -e floating-point -b 32 t3700.wav synth 3 sine 3675 gain -12
sox -n -r 48000 -c 1 -e floating-point -b 32 t1k.wav synth 4 sine 1000 gain -6
sox -n -r 48000 -c 2 -b 16 noise.wav synth 3 pinknoise gain -12
# real drums: kick, hat, snare, hat one-shots of a kit at 120 BPM, 8 bars
DK=/usr/share/hydrogen/data/drumkits/GMRockKit
for x in Kick-Hard HatClosed-Hard Snare-Hard; do
	sox -V1 "$DK/$x.wav" -r 48000 -c 2 "$x.wav" pad 0 1 trim 0 0.5
done
set --
for i in 1 2 3 4 5 6 7 8; do set -- "$@" Kick-Hard.wav HatClosed-Hard.wav Snare-Hard.wav HatClosed-Hard.wav; done
sox "$@" drums.wav

# ---- the same seed, the same bytes; another seed differs
arrange drums.wav t300.wav noise.wav -d 16 --bpm 120 --seed 7 -o r1.au
arrange drums.wav t300.wav noise.wav -d 16 --bpm 120 --seed 7 -o r2.au
arrange drums.wav t300.wav noise.wav -d 16 --bpm 120 --seed 8 -o r3.au
same_file "seed 7 twice: the same bytes" r1.au r2.au
check "seed 8: other bytes" sh -c '! cmp -s r1.au r3.au'
arrange drums.wav t300.wav noise.wav -d 16 --bpm 120 --seed 7 --plan >p1.json
arrange drums.wav t300.wav noise.wav -d 16 --bpm 120 --seed 7 --plan -o p2.json
same_file "seed 7 twice: the same plan (stdout and -o)" p1.json p2.json
check "stdout is AU, the first stem's rate, the most channels, exactly 16 s" \
	py 'r, x = au(sys.argv[1]); assert r == 48000 and x.shape == (16 * 48000, 2), (r, x.shape)' r1.au

# ---- density 0: silence; density 1: every stem sounding in every bar
arrange t300.wav t1100.wav t3700.wav -d 12 --bpm 120 --density 0 --seed 1 -o d0.au
check "--density 0: 12 s of zeros" py 'r, x = au(sys.argv[1]); assert x.shape[0] == 12 * r and not x.any()' d0.au
arrange t300.wav t1100.wav t3700.wav -d 12 --bpm 120 --density 1 --seed 1 --plan >d1.json
check "--density 1: one region a stem, from bar 0 over all 6 bars" py '
p = json.load(open(sys.argv[1]))
assert sorted((r["source"], r["start_bar"], r["bars"]) for r in p["regions"]) == [(s, 0, 6) for s in range(3)], p["regions"]' d1.json
arrange t300.wav t1100.wav t3700.wav -d 12 --bpm 120 --density 1 --seed 1 -o d1.au
check "--density 1: 300, 1100 and 3675 Hz within 1 dB of their level in every bar" py '
r, x = au(sys.argv[1]); x = x.mean(axis=1); bar = 2 * r
for b in range(6):
    s = x[b * bar:(b + 1) * bar]; m = np.abs(np.fft.rfft(s * np.hanning(len(s)))) / len(s)
    for f in (300, 1100, 3675):
        k = int(round(f * len(s) / r)); lv = 20 * np.log10(m[k - 2:k + 3].max() / m.max())
        assert lv > -12, (b, f, lv)
lv = [[20 * np.log10(np.abs(np.fft.rfft(x[b * bar:(b + 1) * bar] * np.hanning(bar)))[int(round(f * bar / r)) - 2:int(round(f * bar / r)) + 3].max()) for b in range(6)] for f in (300, 1100, 3675)]
assert all(max(l) - min(l) < 1 for l in lv), lv' d1.au
check "--density 1: no fade inside a region (steady 10 ms RMS after the first fade)" py '
r, x = au(sys.argv[1]); x = x[:, 0]; w = r // 100
e = np.sqrt((x[:len(x) // w * w].reshape(-1, w) ** 2).mean(axis=1))[2:-1]
assert e.min() > 0.5 * np.median(e), (e.min(), np.median(e))' d1.au

# ---- regions on the bar grid: the plan, and a constant tone's envelope
arrange t1k.wav -d 60 --bpm 120 --density 0.5 --seed 11 --fade 10 --plan >g.json
arrange t1k.wav -d 60 --bpm 120 --density 0.5 --seed 11 --fade 10 -o g.au
check "the plan: whole bars, and at least two regions with a gap" py '
p = json.load(open(sys.argv[1])); rs = p["regions"]
assert p["bar_seconds"] == 2 and len(rs) >= 2, rs
assert all(isinstance(r[k], int) for r in rs for k in ("start_bar", "bars", "from_bar"))' g.json
check "the audio: it sounds exactly in the plan's bars, and rises and falls within 12 ms of bar times" py '
p = json.load(open(sys.argv[1])); r, x = au(sys.argv[2]); x = x[:, 0]; bar = 2 * r
on = np.zeros(30, bool)
for g in p["regions"]:
    on[g["start_bar"]:g["start_bar"] + g["bars"]] = True
w = r // 1000; e = np.sqrt((x[:len(x) // w * w].reshape(-1, w) ** 2).mean(axis=1))
loud = e > 0.5 * e.max()
edges = np.nonzero(np.diff(loud.astype(int)))[0] + 1
for t in edges:
    b = round(t / 2000)
    assert abs(t - b * 2000) <= 12, ("an edge off the grid at", t, "ms")
for b in range(30):
    mid = e[b * 2000 + 20:(b + 1) * 2000 - 20]
    assert (mid.min() > 0.3) if on[b] else (mid.max() < 1e-4), (b, on[b], mid.min(), mid.max())' g.json g.au

check "a region's edges: a 10 ms linear ramp in from silence, and out to silence" py '
p = json.load(open(sys.argv[1])); r, x = au(sys.argv[2]); x = np.abs(x[:, 0]); bar = 2 * r; f = r // 100
ramp = 10 ** (-6 / 20) * (np.arange(f) + 0.5) / f + 1e-6
g = [g for g in p["regions"] if g["start_bar"] > 0][0]
a = g["start_bar"] * bar; b = a + g["bars"] * bar
assert not x[a - 1000:a].any() and (x[a:a + f] <= ramp).all() and x[a + f:a + 2 * f].max() > 0.49
assert (x[b - f:b] <= ramp[::-1]).all() and (b >= len(x) or not x[b:b + 1000].any())' g.json g.au
arrange t300.wav t1100.wav t3700.wav t1k.wav -d 2000 --bpm 120 --density 0.3 --seed 3 --plan >long.json
check "density 0.3 over 1000 bars of 4 stems: 0.3 +- 0.08 of the stem-bars sound" py '
p = json.load(open(sys.argv[1])); on = sum(g["bars"] for g in p["regions"]) / 4000
assert abs(on - 0.3) < 0.08, on' long.json
# a stem shorter than a bar plays whole from each of its bars' starts
arrange Kick-Hard.wav -d 8 --bpm 120 --density 1 --fade 0 -o short.au
check "a stem shorter than a bar: whole at each bar's start, silence after it" py '
r, x = au(sys.argv[1]); x = np.abs(x).max(axis=1); bar = 2 * r; h = r // 2
for b in range(4):
    assert x[b * bar:b * bar + h].max() > 0.1 and not x[b * bar + h:(b + 1) * bar].any(), b' short.au

# ---- plan then render: the direct render's bytes; from stdin too; other rates
for d in "0.3" "0.7"; do
	arrange drums.wav t3700.wav t1100.wav -d 20 --bpm 120 --density $d --seed 5 -o dir$d.au
	arrange drums.wav t3700.wav t1100.wav -d 20 --bpm 120 --density $d --seed 5 --plan -o plan$d.json
	arrange --render plan$d.json -o ren$d.au
	same_file "density $d: plan then render = direct render" dir$d.au ren$d.au
done
arrange --render - -o stdin.au <plan0.7.json
same_file "a plan on stdin renders the same" dir0.7.au stdin.au
sox t1k.wav -t au - | arrange -b 120 -d 10 --seed 4 - t300.wav -o stin.au
arrange -b 120 -d 10 --seed 4 t1k.wav t300.wav -o stfile.au
same_file "a stem on stdin: the same bytes as from its file" stfile.au stin.au
arrange --render plan0.7.json --bits 16 -o b16.wav
check "--bits 16 into a WAV file" test "$(soxi -b b16.wav)" = 16

# ---- an edited plan renders: a region 6 dB down, and a new one
jq '.regions = [{"source": 0, "start_bar": 1, "bars": 2, "from_bar": 0, "gain_db": 0, "fade": 0.01},
                {"source": 0, "start_bar": 4, "bars": 1, "from_bar": 1, "gain_db": -6, "fade": 0}]' g.json >e.json
arrange --render e.json -o e.au
check "an edited plan (jq): bars 1-2 at the tone's level, bar 4 6 dB down, the rest silent" py '
r, x = au(sys.argv[1]); x = x[:, 0]; bar = 2 * r
rms = [np.sqrt((x[b * bar + 1000:(b + 1) * bar - 1000] ** 2).mean()) for b in range(30)]
ref = 0.5 / np.sqrt(2)
assert abs(20 * np.log10(rms[1] / ref)) < 0.1 and abs(20 * np.log10(rms[2] / ref)) < 0.1, rms[:5]
assert abs(20 * np.log10(rms[4] / ref) + 6) < 0.1, rms[4]
assert max(rms[0], rms[3], max(rms[5:])) == 0, rms' e.au

# ---- the tempo, found as bpm finds it on the first stem
arrange drums.wav t300.wav -d 8 --seed 2 --plan >tempo.json
check "no --bpm: the first stem's tempo as bpm(1) prints it" py '
p = json.load(open(sys.argv[1])); assert "%.2f" % p["bpm"] == sys.argv[2].strip(), (p["bpm"], sys.argv[2])' \
	tempo.json "$(bpm drums.wav)"

# ---- bad input
check_fail "a missing stem is named" 1 "arrange: nope.wav: " arrange t300.wav nope.wav --bpm 120
check_fail "--density 2: a usage error naming 0..1" 2 "density.*0\.\.1" arrange --density 2 t300.wav
check_fail "no stems" 2 "no stems" arrange --bpm 120
check_fail "stdin twice" 2 "stdin \('-'\) is given twice" arrange --bpm 120 - -
check_fail "a plan cannot name stdin" 2 "standard input" arrange --bpm 120 --plan -
jq '.version = 2' g.json >v2.json
check_fail "a plan of another version is refused" 1 "v2.json: version 2" arrange --render v2.json
jq '.regions[0].start_bar = 1.5' g.json >half.json
check_fail "a fractional start_bar is named" 1 "regions\[0\]\.start_bar" arrange --render half.json
jq '.regions[0].source = 3' g.json >src.json
check_fail "a region of a source not listed" 1 "regions\[0\]\.source: 3 is outside 0\.\.0" arrange --render src.json
jq '.regions[0].colour = 1' g.json >unk.json
check_fail "an unknown field is named" 1 "unknown field 'colour'" arrange --render unk.json
echo '{"format": "shards-arrangement",' >trunc.json
check_fail "truncated JSON" 1 "trunc.json: line" arrange --render trunc.json
check_fail "--render takes no knobs of the plan" 2 "--render.*--density" arrange --render g.json --density 1
check_fail "--bpm 5 names the range" 2 "10\.\.1000" arrange --bpm 5 t300.wav
