# sampler: hits on the exact frame through tempo changes, trigger values as
# gains, notes repitched (frequency and length), velocity squared, SFZ key and
# velocity ranges, loops and one-shots, unknown opcodes warned once, choke groups
# and the voice limit, stereo and resampled samples, and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# fixtures: float AU samples written by numpy (exact values)
$PY - <<'PY'
import numpy as np
def au(path, data, rate=48000):
    data = np.asarray(data, dtype=np.float32)
    ch = 1 if data.ndim == 1 else data.shape[1]
    hdr = b".snd" + (28).to_bytes(4, "big") + (0xffffffff).to_bytes(4, "big") + (6).to_bytes(4, "big") \
        + rate.to_bytes(4, "big") + ch.to_bytes(4, "big") + b"\0\0\0\0"
    open(path, "wb").write(hdr + data.astype(">f4").tobytes())
imp = np.zeros(16); imp[0] = 1
au("imp.au", imp)
au("dc.au", np.full(48000, 0.25))
t = np.arange(24000) / 48000
au("a440.au", 0.5 * np.sin(2 * np.pi * 440 * t))
au("a880.au", 0.5 * np.sin(2 * np.pi * 880 * t))
st = np.zeros((16, 2)); st[0] = [1, -0.5]
au("stereo.au", st)
au("imp441.au", np.r_[np.zeros(441), 1, np.zeros(441)], 44100)
PY
# AU to a numpy-readable raw float file (frames x 2), exactly as stored
cat >au.py <<'PY'
import numpy as np
def au(p):
    d = open(p, "rb").read()
    return np.frombuffer(d[int.from_bytes(d[4:8], "big"):], ">f4").astype(np.float64).reshape(-1, 2)
def frame(sec, rate=48000):
    return int(np.floor(sec * rate + 0.5))
PY
export PYTHONPATH=$W

# ---- triggers land on round(seconds(t) x rate), through tempo changes
cat >hits.jsonl <<'EOF'
{"t":0,"type":"tempo","bpm":140}
{"t":0,"type":"trigger","name":"k","value":1}
{"t":0.25,"type":"trigger","name":"k","value":0.5}
{"t":1.3333333333333333,"type":"tick","step":1}
{"t":1.75,"type":"trigger","name":"k","value":0.25}
{"t":2,"type":"tempo","bpm":97.5}
{"t":2.125,"type":"trigger","name":"k","velocity":0.75}
{"t":3.7,"type":"trigger","name":"k"}
{"t":3.7,"type":"trigger","name":"other","value":1}
{"t":8,"type":"end"}
EOF
check "a stream of hits renders" sh -c 'sampler --map k=imp.au hits.jsonl >hits.au'
check "every hit on its exact sample, its value as its gain" $PY - <<'PY'
import numpy as np
from au import au, frame
x = au("hits.au")
b1 = 60 / 140; b2 = 60 / 97.5
want = {frame(0): 1, frame(0.25 * b1): 0.5, frame(1.75 * b1): 0.25,
        frame(2 * b1 + 0.125 * b2): 0.75, frame(2 * b1 + 1.7 * b2): 1}
got = {int(i): x[i, 0] for i in np.nonzero(x[:, 0])[0]}
assert sorted(got) == sorted(want), (sorted(got), sorted(want))
for i in want:
    assert abs(got[i] - want[i]) < 1e-7 and x[i, 1] == x[i, 0], (i, got[i], want[i])
# the output lasts until the last event's time (the end event)
assert len(x) == frame(2 * b1 + 6 * b2), (len(x), frame(2 * b1 + 6 * b2))
PY
cat hits.jsonl | sampler --map k=imp.au >hits-pipe.au
same_file "stdin and a file give the same bytes" hits.au hits-pipe.au
check "--bpm stands in for a missing tempo event" sh -c \
	'grep -v tempo hits.jsonl | sampler --bpm 140 --map k=imp.au >bpm.au && '"$PY"' -c "
from au import au, frame
import numpy as np
x = au(\"bpm.au\"); assert np.nonzero(x[:, 0])[0][3] == frame(2.125 * 60 / 140), np.nonzero(x[:, 0])[0]"'
check "stereo samples stay stereo" sh -c \
	'echo "{\"t\":1,\"type\":\"trigger\",\"name\":\"s\"}" | sampler --bpm 60 --map s=stereo.au >st.au && '"$PY"' -c "
from au import au
x = au(\"st.au\"); assert x[48000, 0] == 1 and x[48000, 1] == -0.5, x[48000]"'
check "a 44.1 kHz sample is resampled to the output rate" sh -c \
	'echo "{\"t\":0,\"type\":\"trigger\",\"name\":\"s\"}" | sampler --bpm 60 --map s=imp441.au >rs.au && '"$PY"' -c "
from au import au
import numpy as np
x = au(\"rs.au\"); assert abs(len(x) - 960) <= 1, len(x); p = int(np.argmax(np.abs(x[:, 0]))); assert abs(p - 480) <= 1, p"'
check "-o FILE.wav --bits 16" sh -c 'sampler --map k=imp.au -o hits16.wav --bits 16 hits.jsonl &&
	soxi hits16.wav | grep -q "16-bit" && soxi -c hits16.wav | grep -qx 2 && soxi -r hits16.wav | grep -qx 48000'

# ---- notes: repitched by varispeed around --root, velocity squared as gain
cat >notes.jsonl <<'EOF'
{"t":0,"type":"tempo","bpm":60}
{"t":0,"type":"note","pitch":81,"velocity":1,"gate":4}
{"t":1,"type":"note","pitch":69,"velocity":0.5,"gate":4}
{"t":2,"type":"note","pitch":69,"velocity":1,"gate":0.25}
{"t":3,"type":"end"}
EOF
check "notes render" sh -c 'sampler --map a=a440.au --root 69 --release 1 notes.jsonl >notes.au'
check "an octave up: 880 Hz for half the length; velocity 0.5 plays at 0.25; a gate cuts the note" $PY - <<'PY'
import numpy as np
from au import au
x = au("notes.au")[:, 0]
up = x[:24000]
nz = np.nonzero(np.abs(up) > 1e-4)[0]
assert abs(nz[-1] - 12000) < 40, nz[-1]
spec = np.abs(np.fft.rfft(up[:12000] * np.hanning(12000)))
f = np.argmax(spec) * 48000 / 12000
assert abs(f - 880) < 5, f
soft = x[48000:72000]
assert abs(np.max(np.abs(soft)) - 0.125) < 0.002, np.max(np.abs(soft))
cut = x[96000:]
nz = np.nonzero(np.abs(cut) > 1e-6)[0]
assert abs(nz[-1] - (12000 + 48)) <= 2, nz[-1]   # gate 0.25 s, then 1 ms of release
PY

# many pitches of one sample sounding together: each pitch resampled once, the
# voices of earlier pitches still playing while later ones are made
$PY -c 'import json
print(json.dumps({"t": 0, "type": "tempo", "bpm": 120}))
for i in range(24):
    print(json.dumps({"t": i / 8, "type": "note", "pitch": 48 + i, "velocity": 0.6, "gate": 4}))' >chord.jsonl
check "24 pitches of one sample overlapping" sh -c 'sampler -m a=a440.au --root 69 chord.jsonl >chord.au && '"$PY"' -c "
from au import au
import numpy as np
x = au(\"chord.au\"); assert np.all(np.isfinite(x)) and np.max(np.abs(x[48000:60000])) > 0.5, np.max(np.abs(x))"'

# ---- SFZ: key and velocity ranges, key centres, loops, one-shots, warnings
cat >inst.sfz <<'EOF'
// two zones, two velocity layers, a loop
<control> default_path=./
<global> ampeg_release=0.2
<group> lokey=c4 hikey=71 fil_type=lpf_2p
<region> sample=a440.au pitch_keycenter=a4 lovel=1 hivel=63
<region> sample=a880.au pitch_keycenter=69 lovel=64 hivel=127 ampeg_release=1
<region> sample=a440.au key=40 pitch_keycenter=52 loop_mode=loop_continuous loop_start=0 loop_end=5453
<region> sample=dc.au lokey=80 hikey=90 pitch_keycenter=80 loop_mode=one_shot
<curve> v000=0
EOF
cat >sfz.jsonl <<'EOF'
{"t":0,"type":"tempo","bpm":60}
{"t":0,"type":"note","pitch":69,"velocity":0.4,"gate":0.25}
{"t":1,"type":"note","pitch":69,"velocity":0.9,"gate":0.25}
{"t":2,"type":"note","pitch":40,"velocity":1,"gate":2}
{"t":5,"type":"note","pitch":80,"velocity":1,"gate":0.1}
{"t":5,"type":"note","pitch":20,"velocity":1,"gate":0.1}
{"t":7,"type":"end"}
EOF
sampler --sfz inst.sfz --release 1 sfz.jsonl >sfz.au 2>sfz.err
check "an SFZ with unknown opcodes plays (status 0)" test -s sfz.au
check "each unknown opcode or header is warned about once, by name" sh -c \
	'test "$(wc -l <sfz.err)" -eq 3 && grep -q "opcode ampeg_release" sfz.err && grep -q "opcode fil_type" sfz.err &&
	 grep -q "header <curve>" sfz.err'
check "velocity layers, key centres, a loop held through the gate, a one-shot past it" $PY - <<'PY'
import numpy as np
from au import au
x = au("sfz.au")[:, 0]
def freq(seg):
    s = np.abs(np.fft.rfft(seg * np.hanning(len(seg))))
    return np.argmax(s) * 48000 / len(seg)
soft, hard = x[:12000], x[48000:60000]
assert abs(freq(soft) - 440) < 5 and abs(freq(hard) - 880) < 5, (freq(soft), freq(hard))
assert abs(np.max(np.abs(soft)) - 0.5 * 0.16) < 0.003, np.max(np.abs(soft))
# key 40 plays a440 an octave below its centre 52 (a loop of 5454 frames: 50 cycles)
loop = x[96000:96000 + 96000]
assert np.max(np.abs(loop[-4000:])) > 0.05, "the loop stopped before the gate"
assert np.max(np.abs(x[96000 + 96000 + 48 + 10:240000])) < 1e-6, "the loop rang past gate + release"
f = freq(loop[:65536]); want = 220
assert abs(f - want) < 2, (f, want)
# the one-shot plays its whole second although the gate is 0.1 s; key 20 plays nothing
shot = x[240000:240000 + 48000]
assert np.all(np.abs(shot - 0.25) < 1e-6), shot[[0, 4800, 47999]]
assert np.all(x[240000 + 48000:] == 0)
PY
printf '<region> sample=a440.au lokey=zz\n' >bad.sfz
check_fail "a bad SFZ value is an error naming the line" 1 "bad.sfz: line 1: lokey=zz" sampler --sfz bad.sfz notes.jsonl
printf '<region> sample=nothere.wav\n' >missing.sfz
check_fail "an SFZ sample that is missing is named" 1 "nothere.wav" sampler --sfz missing.sfz notes.jsonl

# ---- choke groups and the voice limit (fades of 240 frames at the default 5 ms)
cat >dc.jsonl <<'EOF'
{"t":0,"type":"trigger","name":"open"}
{"t":0.5,"type":"trigger","name":"closed"}
{"t":1,"type":"trigger","name":"open"}
EOF
sampler --bpm 120 --map open=dc.au --map closed=dc.au --choke open,closed dc.jsonl >choke.au
sampler --bpm 120 --map open=dc.au --map closed=dc.au dc.jsonl >free.au
sampler --bpm 120 --map open=dc.au --map closed=dc.au --voices 2 dc.jsonl >two.au
check "a choke group cuts the others within the fade; without one they overlap" $PY - <<'PY'
import numpy as np
from au import au
c, f = au("choke.au")[:, 0], au("free.au")[:, 0]
# at 12000 'closed' starts: 'open' fades out over 240 frames
assert abs(c[12000] - 0.5) < 1e-6 and abs(c[12239] - (0.25 + 0.25 / 240)) < 1e-6, c[12000:12241:60]
assert np.all(np.abs(c[12240:24000] - 0.25) < 1e-6)
assert np.all(np.abs(c[24240:48000] - 0.25) < 1e-6)     # the second 'open' chokes 'closed'
assert abs(f[30000] - 0.75) < 1e-6, f[30000]             # no group: three overlap
PY
check "--voices 2: the third hit fades out the oldest" $PY - <<'PY'
import numpy as np
from au import au
v = au("two.au")[:, 0]
assert abs(v[24000] - 0.75) < 1e-6 and np.all(np.abs(v[24240:48000] - 0.5) < 1e-6), v[[24000, 24240, 30000]]
PY

# ---- bad input
check_fail "a missing sample is named" 1 "nothere.wav" sampler --map k=nothere.wav hits.jsonl
printf 'not audio' >junk.wav
check_fail "an unreadable sample is named" 1 "junk.wav" sampler --map k=junk.wav hits.jsonl
check_fail "events without any tempo" 1 "line 1: .*before any tempo.*--bpm" sh -c 'grep -v tempo hits.jsonl | sampler --map k=imp.au'
check_fail "--map without =" 2 "NAME=FILE" sampler --map imp.au hits.jsonl
check_fail "--choke of a name nothing plays" 2 "--choke.*zz" sampler --map k=imp.au --choke k,zz hits.jsonl
check_fail "nothing to play" 2 "nothing to play" sampler hits.jsonl
check_fail "a negative trigger value" 1 "line 2: .*value" sh -c \
	'printf "{\"t\":0,\"type\":\"tempo\",\"bpm\":120}\n{\"t\":0,\"type\":\"trigger\",\"name\":\"k\",\"value\":-1}\n" | sampler --map k=imp.au'
check_fail "an abbreviated --map adds to the others" 2 "k is mapped twice" sampler -m k=imp.au --ma k=imp.au hits.jsonl
