# dsp: the chain program -- every processor listed with complete metadata,
# chains equal to pipes of single nodes, capture equal to the chain cut there,
# param events at the promised sample (from a file and live from a FIFO),
# channel picks, resample against sox, the limiter's ceiling by ebur128's true
# peak, run-time Faust files, and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# raw32 IN OUT: any audio to headerless 32-bit float, for numpy
raw32() { sox "$1" -t raw -e floating-point -b 32 "$2"; }
# au32 IN OUT: the float samples of an AU file exactly as stored (sox's own
# conversion goes through 32-bit integers and can move the last bits)
au32() { $PY -c 'import sys, numpy as np
d = open(sys.argv[1], "rb").read()
np.frombuffer(d[int.from_bytes(d[4:8], "big"):], ">f4").astype(np.float32).tofile(sys.argv[2])' "$1" "$2"; }

sox -n -r 48000 -c 2 -e floating-point -b 32 pink.au synth 4 pinknoise synth 4 pinknoise gain -10
sox "$F/break48.wav" -e floating-point -b 32 break.au
sox -n -r 48000 -c 1 -e floating-point -b 32 sine.au synth 2 sine 440.3 gain -6

# ---- the registry and its metadata
check "--list names the C and Faust processors" sh -c 'dsp --list >list.txt &&
	for p in gain lowpass highpass bandpass notch lowshelf highshelf peak warm airy dark dcblock \
	         echo chorus flanger phaser compress limit gate bitcrush decimate saturate ringmod \
	         tremolo pan width mono resample reverb freeverb; do grep -q "^$p " list.txt || exit 1; done &&
	grep -q "^reverb  *faust " list.txt && grep -q "^lowpass  *c " list.txt'
dsp --list --json >list.json
check "every processor: ranges, unit and description for every knob" $PY - <<'PY'
import json, subprocess
names = [p["name"] for p in json.load(open("list.json"))]
assert len(names) >= 30, names
for n in names:
    info = json.loads(subprocess.run(["dsp", n, "--params", "--json"], check=True,
                                     capture_output=True, text=True).stdout)[0]
    assert info["purpose"], n
    for k in info["params"]:
        assert k["description"], (n, k)
        assert "unit" in k and "live" in k and "default" in k, (n, k)
        if k["type"] in ("number", "integer"):
            assert k["min"] <= k["default"] <= k["max"], (n, k)
PY
check "--params prints a table with units and ranges" sh -c \
	'dsp lowpass --params | grep -Eq "^  freq +Hz +10 +24000 +1000 +yes "'
check "--help shows the chain's form" sh -c 'dsp --help | grep -q "key=value"'

# ---- chains
dsp -i pink.au lowpass freq=800 q=0.7 : echo time=0.3 fb=0.4 : gain db=-6 >chain.au
dsp -i pink.au lowpass freq=800 q=0.7 | dsp echo time=0.3 fb=0.4 | dsp gain db=-6 >piped.au
same_file "a 3-node chain gives the bytes of three dsp piped" chain.au piped.au
trickle 4000 7 <pink.au | dsp lowpass freq=800 q=0.7 : echo time=0.3 fb=0.4 : gain db=-6 >trickled.au
same_file "input trickled in small writes: same bytes" chain.au trickled.au
check "same length as the input" test "$(soxi -s chain.au)" -eq "$(soxi -s pink.au)"
dsp -i pink.au gain db=-6 >g.au
au32 pink.au a.f32; au32 g.au b.f32
check "gain db=-6 is exactly x 10^(-6/20)" $PY -c '
import numpy as np
a = np.fromfile("a.f32", np.float32); b = np.fromfile("b.f32", np.float32)
assert len(a) == len(b) and np.array_equal(b, a * np.float32(10 ** (-6 / 20)))'

# with threads the bytes do not change (a chain with a spectral node)
dsp -j 1 -i break.au --seed 3 smear blur=0.5 : lowpass freq=3000 : reverb >j1.au
dsp -j 3 -i break.au --seed 3 smear blur=0.5 : lowpass freq=3000 : reverb >j3.au
same_file "-j 1 and -j 3: same bytes" j1.au j3.au

# freeverb's tail dies away at any rate (its feedback once passed 1 below about
# 20 kHz and grew to infinity), and as fast in seconds at each
for r in 8000 22050 48000; do
	sox -n -r $r -c 2 -e floating-point -b 32 click$r.au synth 0.001 square 1 pad 0 4
	dsp -i click$r.au freeverb mix=100 >fv$r.au
done
check "freeverb: a click's tail is finite and falls 60 dB within 4 s at 8, 22.05 and 48 kHz" $PY - <<'PY'
import numpy as np
t = []
for r in (8000, 22050, 48000):
    d = open("fv%d.au" % r, "rb").read()
    x = np.frombuffer(d[int.from_bytes(d[4:8], "big"):], ">f4").astype(float)
    assert np.all(np.isfinite(x)), r
    e = np.sqrt(np.convolve(x ** 2, np.ones(r // 20) / (r // 20), "same"))
    peak = e.max()
    assert e[-r // 10:].max() < peak * 1e-3, (r, peak, e[-r // 10:].max())
    t.append(np.nonzero(e > peak * 1e-2)[0][-1] / r)   # where it falls past -40 dB
assert max(t) < 1.3 * min(t), t
PY

# names: the default, LABEL=, --name; a repeated processor is NAME2
check "labels and --name" sh -c 'dsp -i pink.au --capture names lp=lowpass : highpass --name hp : gain : gain >/dev/null &&
	ls names | sort | tr "\n" " " | grep -qx "gain.wav gain2.wav hp.wav lp.wav "'

# ---- capture: each node's file is the chain cut at that node
dsp -i break.au --capture cap lowpass freq=2000 : limit ceiling=-3 : gain db=-2 -o full.wav
dsp -i break.au lowpass freq=2000 : limit ceiling=-3 -o cut2.wav
dsp -i break.au lowpass freq=2000 -o cut1.wav
same_file "capture of node 1 = the chain cut there" cap/lowpass.wav cut1.wav
same_file "capture of node 2 = the chain cut there" cap/limit.wav cut2.wav
same_file "capture of the last node = the output" cap/gain.wav full.wav

# ---- channel picks
dsp -i pink.au gain db=-20 ch=1 >ch1.au
au32 ch1.au b.f32
check "ch=1: channel 0 untouched, channel 1 scaled" $PY -c '
import numpy as np
a = np.fromfile("a.f32", np.float32).reshape(-1, 2); b = np.fromfile("b.f32", np.float32).reshape(-1, 2)
assert np.array_equal(a[:, 0], b[:, 0]) and np.array_equal(b[:, 1], a[:, 1] * np.float32(0.1))'
dsp -i pink.au limit ceiling=-20 ch=R >chR.au
au32 chR.au b.f32
check "ch=R on a node with latency: channel 0 untouched and in step" $PY -c '
import numpy as np
a = np.fromfile("a.f32", np.float32).reshape(-1, 2); b = np.fromfile("b.f32", np.float32).reshape(-1, 2)
assert a.shape == b.shape and np.array_equal(a[:, 0], b[:, 0]) and np.abs(b[:, 1]).max() <= 10 ** (-20 / 20) + 1e-7'
check_fail "ch= beyond the stream's channels" 1 "channel the stream does not have" dsp -i pink.au gain ch=2
check_fail "ch= on a processor that changes the length" 1 "whole stream" dsp -i pink.au resample rate=44100 ch=0
check_fail "a stereo processor on a mono stream" 1 "takes 2 channels" dsp -i sine.au width

# ---- resample against sox's rate -v, on real drums (a kick, a crash, snares).
# Both filters are flat to 20 kHz; above it their transition bands differ
# (white noise: -69 dB), which real recordings hardly reach.
kit=/usr/share/hydrogen/data/drumkits/ColomboAcousticDrumkit
sox -n -r 44100 -c 2 b44.wav trim 0 0.1
if [ -d "$kit" ]; then
	sox "$kit"/bassdrum-4mics-br-stereo-normal3.flac "$kit"/crash20i__crash.flac \
	    "$kit"/snare-opaque-normal-mic-rimshot7.flac -e floating-point -b 32 b44.wav
	dsp -i b44.wav resample rate=48000 -o r48.wav
	sox b44.wav -e floating-point -b 32 s48.wav rate -v 48000
	check "resample: 48 kHz out" test "$(soxi -r r48.wav)" = 48000
	raw32 r48.wav ra.f32; raw32 s48.wav rb.f32
	check "resample matches sox rate -v within -100 dB" $PY -c '
import numpy as np
a = np.fromfile("ra.f32", np.float32).astype(float); b = np.fromfile("rb.f32", np.float32).astype(float)
n = min(len(a), len(b)); assert abs(len(a) - len(b)) <= 2, (len(a), len(b))
e = 10 * np.log10(np.mean((a[:n] - b[:n]) ** 2) / np.mean(b[:n] ** 2))
print(e); assert e < -100, e'
else fail "resample matches sox rate -v" "missing: install hydrogen-drumkits"; fi
check "resample then a filter at the new rate" sh -c 'dsp -i b44.wav resample rate=96000 : lowpass freq=20000 -o r96.wav && test "$(soxi -r r96.wav)" = 96000'

# ---- the limiter: sample peak and true peak (ffmpeg's ebur128) under the ceiling
sox "$F/break48.wav" -e floating-point -b 32 hot.wav gain 18
dsp -i hot.wav limit ceiling=-1 -o lim.wav
raw32 lim.wav l.f32
check "limit: sample peak under the ceiling" $PY -c '
import numpy as np
x = np.fromfile("l.f32", np.float32); assert np.abs(x).max() <= 10 ** (-1 / 20), np.abs(x).max()'
tp=$(ffmpeg -hide_banner -nostats -i lim.wav -af ebur128=peak=true -f null - 2>&1 | awk '/True peak:/ {p=1} p && /Peak:/ {print $2; exit}')
check "limit: ebur128 true peak ($tp dBFS) at most the ceiling" awk -v p="$tp" 'BEGIN { exit !(p != "" && p <= -1.0) }'

# ---- param events: the change lands on the promised sample
# gain steps from 0 to -120 dB at 0.5 s: by "s", and by beats (t=1 at 120 bpm)
printf '%s\n' '{"t":0,"s":0.5,"type":"param","target":"g","param":"db","value":-120}' >s.ev
printf '%s\n' '{"t":0,"type":"tempo","bpm":60}' '{"t":0.5,"type":"param","target":"g","param":"db","value":-120}' >b.ev
dsp -i sine.au -e s.ev g=gain >ev-s.au
dsp -i sine.au -e b.ev g=gain >ev-b.au
step_at() { raw32 "$1" x.f32; $PY -c '
import numpy as np
x = np.fromfile("x.f32", np.float32); a = np.fromfile("s0.f32", np.float32)
d = np.nonzero(x != a)[0]; print(d[0] if len(d) else -1)'; }
raw32 sine.au s0.f32
check "event by seconds: first changed sample is 24000" test "$(step_at ev-s.au)" -eq 24000
check "event by beats through a tempo event: sample 24000" test "$(step_at ev-b.au)" -eq 24000
trickle 300 5 <sine.au | dsp -e s.ev g=gain >ev-t.au
same_file "events with trickled input: same bytes" ev-s.au ev-t.au
printf '%s\n' '{"t":0,"s":0.5,"type":"param","target":"g","param":"freq","value":300}' >bad.ev
check_fail "an event for a knob the node lacks" 1 "line 1.*freq" dsp -i sine.au -e bad.ev g=gain
printf '%s\n' '{"t":0,"s":0.5,"type":"param","target":"g","param":"db","value":100}' >range.ev
check_fail "an event out of range" 1 "line 1.*-120" dsp -i sine.au -e range.ev g=gain
printf '%s\n' '{"t":0,"s":0.5,"type":"param","target":"other","param":"x","value":1}' >other.ev
dsp -i sine.au -e other.ev gain >o.au
au32 o.au o.f32; au32 sine.au s.f32
same_file "events for other programs pass by" o.f32 s.f32
# a lowpass swept by an lfo-like ramp of events runs and stays finite
$PY -c '
for i in range(40): print("{\"t\":0,\"s\":%g,\"type\":\"param\",\"target\":\"lowpass\",\"param\":\"freq\",\"value\":%g}" % (i * 0.05, 200 + i * 200))' >sweep.ev
check "a filter sweep from events" sh -c 'dsp -i pink.au -e sweep.ev lowpass q=4 >sw.au && sox sw.au -n stat 2>&1 | grep -q "Maximum amplitude"'

# --live: events from a FIFO while the audio streams. The event (for 1 s) is
# written before the audio past 0.5 s, so it is read before its sample. The
# first half is written through a pipe so its header leaves the length open,
# and the writer goes when dsp ends, so a dsp that failed cannot hang the test.
mkfifo ev.fifo au.fifo
dsp --live ev.fifo -i au.fifo g=gain >live.au 2>live.err &
pid=$!
sox sine.au -t au - trim 0 0.5 | cat >half1.au
sox sine.au -t raw -B -e floating-point -b 32 - trim 0.5 >half2.raw  # AU is big-endian
{
	cat half1.au
	printf '%s\n' '{"t":0,"s":1,"type":"param","target":"g","param":"db","value":-120}' >ev.fifo
	cat half2.raw
} >au.fifo &
writer=$!
wait $pid
kill $writer 2>/dev/null
check "live: the FIFO's change lands on sample 48000" test "$(step_at live.au)" -eq 48000

# ---- chained with the suite
sox -n -r 48000 -c 2 chord.au synth 8 sine 220 sine 277 sine 330 tremolo 0.3 40 gain -12
check "specsmear | dsp warm | padmine" sh -c \
	'specsmear -B 0.5 --seed 1 chord.au | dsp warm : reverb | padmine -o pad.wav && test -s pad.wav'

# ---- Faust at run time
cat >lp.dsp <<'EOF'
import("stdfaust.lib");
process = fi.lowpass(2, hslider("cutoff[unit:Hz]", 1000, 20, 20000, 1));
EOF
check "a Faust file compiled at run time: ./lp.dsp cutoff=900" sh -c 'dsp -i pink.au ./lp.dsp cutoff=900 >f1.au && test "$(soxi -s f1.au)" -eq "$(soxi -s pink.au)"'
check "--faust FILE is the same node" sh -c 'dsp -i pink.au --faust lp.dsp cutoff=900 >f2.au && cmp -s f1.au f2.au'
check "its knobs and unit in --params" sh -c 'dsp ./lp.dsp --params | grep -Eq "cutoff +Hz +20 +20000 +1000"'
cat >broken.dsp <<'EOF'
import("stdfaust.lib");
process = fi.lowpass(2, nonesuch);
EOF
check_fail "a Faust file that does not compile: Faust's message, exit 1" 1 "broken.dsp" dsp -i pink.au -o nf.wav ./broken.dsp
check "... and no output file" test ! -e nf.wav
cat >quad.dsp <<'EOF'
process = _, _, _, _ :> _;
EOF
check_fail "a Faust file with more inputs than the stream has channels" 1 "takes 4 channels" dsp -i pink.au ./quad.dsp

# ---- bad input
check_fail "unknown processor: the valid names listed" 2 "nonesuch.*lowpass" dsp -i pink.au nonesuch
check_fail "unknown knob: the valid ones listed" 2 "lowpass.*frq.*freq" dsp -i pink.au lowpass frq=3
check_fail "out-of-range value: the range named" 2 "freq.*10.*24000" dsp -i pink.au lowpass freq=999999
check_fail "an empty node between ':'" 2 "empty node" dsp -i pink.au lowpass : : gain
check_fail "a trailing ':'" 2 "empty node" dsp -i pink.au lowpass :
check_fail "no processor" 2 "no processor" dsp -i pink.au
check_fail "a word that is not key=value" 2 "not key=value" dsp -i pink.au lowpass 800
check_fail "two nodes with one name" 2 "two nodes are named a" dsp -i pink.au a=gain : a=gain
check_fail "a missing input file" 1 "nope.wav" dsp -i nope.wav gain
check_fail "--bits on stdout" 2 "bits" dsp -i pink.au --bits 16 gain
