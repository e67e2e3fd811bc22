# stretch: exact output length (input x ratio), pitch shift measured by an FFT
# peak (within 1%), alignment, real-time block-size invariance, --to-bpm checked
# with bpm(1), --to-key with keydetect(1) and an FFT peak, odd and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
# peak FILE: the strongest frequency (Hz) of the middle half (tests/audio_np.py)
peak() { $PY "$SHARDS_TOP/tests/audio_np.py" peak "$1"; }

# onset.py FILE: seconds to the first sample of the loudest event's envelope at half height
cat >onset.py <<'PY'
import subprocess, sys
import numpy as np
raw = subprocess.run(['sox', sys.argv[1], '-t', 'f32', '-c', '1', '-'], capture_output=True, check=True).stdout
rate = int(subprocess.run(['soxi', '-r', sys.argv[1]], capture_output=True, text=True).stdout)
x = np.abs(np.frombuffer(raw, dtype='<f4'))
env = np.convolve(x, np.ones(48) / 48, 'same')
print('%.4f' % (np.argmax(env > 0.5 * env.max()) / rate))
PY
frames() { soxi -s "$1"; }
pct() { $PY -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 0.01 * b else 1)" "$1" "$2"; }

sox -n -r 48000 -c 1 tone.wav synth 3 sine 440 gain -6
sox -n -r 44100 -c 2 st.wav synth 2.5 pinknoise synth 2.5 sine mix 330 gain -9
sox -n -r 48000 -c 2 click.wav synth 0.01 sine 1000 pad 1 1.99

# duration: exactly round(frames x ratio), offline (files) and real time (pipes)
for r in 0.5 1.5 2.25; do
	stretch -R $r st.wav -o off.wav
	want=$($PY -c "print(int($(frames st.wav) * $r + 0.5))") # half rounds up
	check "offline ratio $r: $want frames" test "$(frames off.wav)" -eq "$want"
	sox st.wav -t au - | stretch -R $r | sox -t au - rt.wav
	check "real-time ratio $r: $want frames" test "$(frames rt.wav)" -eq "$want"
done

# pitch: a 440 Hz tone lands within 1% of 440 x 2^(s/12), both ways
for s in 3 -7 12; do
	want=$($PY -c "print(440 * 2 ** ($s / 12))")
	stretch -P $s tone.wav -o p.wav
	got=$(peak p.wav)
	check "offline pitch $s: $got Hz vs $want" pct "$got" "$want"
	sox tone.wav -t au - | stretch -P $s -R 1.2 | sox -t au - p.wav
	got=$(peak p.wav)
	check "real-time pitch $s with ratio 1.2: $got Hz vs $want" pct "$got" "$want"
done
stretch -P 5 -F tone.wav -o pf.wav
got=$(peak pf.wav)
want=$($PY -c "print(440 * 2 ** (5 / 12))")
check "--formant keeps the shift: $got Hz vs $want" pct "$got" "$want"

# alignment: a click at 1 s stays at 1 s (ratio 1) and moves to 2 s (ratio 2)
for m in offline realtime; do
	stretch --mode $m click.wav -o c1.wav
	near "$m: click stays at 1 s" "$($PY onset.py c1.wav)" 1 0.005
	stretch --mode $m -R 2 click.wav -o c2.wav
	near "$m: click moves to 2 s with ratio 2" "$($PY onset.py c2.wav)" 2 0.01
done

# real time: the same bytes however the pipe delivers the input; offline repeatable
sox st.wav -t au st.au
cat st.au | stretch -R 1.3 -P 2 >a.au
trickle 9 1 <st.au | stretch -R 1.3 -P 2 >b.au
trickle 5000 2 <st.au | stretch -R 1.3 -P 2 >c.au
same_file "real time: trickled 1..9 bytes, same bytes" a.au b.au
same_file "real time: trickled 1..5000 bytes, same bytes" a.au c.au
stretch -R 1.3 -P 2 st.wav -o o1.wav
stretch -R 1.3 -P 2 st.wav -o o2.wav
same_file "offline: same input, same bytes" o1.wav o2.wav
cat st.au | stretch --mode offline -R 1.3 >o3.au
check "offline on a pipe (spooled): $(frames o3.au) frames" test "$(frames o3.au)" -eq "$($PY -c "print(int($(frames st.wav) * 1.3 + 0.5))")"

# --to-bpm: a drum pattern at 120 BPM stretched to other tempos, measured by bpm(1)
$PY - <<'PY'
import numpy as np, struct
rate, bpm, bars = 44100, 120.0, 8
beat = 60.0 / bpm
n = int(rate * beat * 4 * bars)
x = np.zeros(n)
rng = np.random.default_rng(3)
def put(at, sig):
    i = int(round(at * rate)); m = min(len(sig), n - i)
    if m > 0: x[i:i + m] += sig[:m]
t = np.arange(int(0.3 * rate)) / rate
kick = np.sin(2 * np.pi * (50 * t + 60 * (1 - np.exp(-t * 30)) / 30)) * np.exp(-t * 12)
snare = rng.standard_normal(len(t)) * np.exp(-t * 25) * 0.5
hat = np.diff(rng.standard_normal(len(t) + 1)) * np.exp(-t * 80) * 0.15
for b in range(4 * bars):
    put(b * beat, hat); put((b + 0.5) * beat, hat * 0.6)
    if b % 2 == 0: put(b * beat, kick)
    else: put(b * beat, snare)
    if b % 8 == 6: put((b + 0.75) * beat, kick * 0.7)   # syncopated extra kick
x *= 0.5 / np.max(np.abs(x))
pcm = (x * 32767).astype('<i2').tobytes()
hdr = b'RIFF' + struct.pack('<I', 36 + len(pcm)) + b'WAVEfmt ' + struct.pack('<IHHIIHH', 16, 1, 1, rate, rate * 2, 2, 16) + b'data' + struct.pack('<I', len(pcm))
open('drums120.wav', 'wb').write(hdr + pcm)
PY
src_bpm=$(bpm drums120.wav)
check "bpm reads the source pattern as 120 ($src_bpm)" pct "$src_bpm" 120
for b in 90 100 140; do
	stretch -t $b drums120.wav -o d.wav
	got=$(bpm d.wav)
	check "--to-bpm $b: bpm measures $got" pct "$got" "$b"
done
stretch -t 96 --from-bpm 120 drums120.wav -o d.wav
check "--from-bpm 120 --to-bpm 96: ratio 1.25 exactly" \
	test "$(frames d.wav)" -eq "$($PY -c "print(int($(frames drums120.wav) * 1.25 + 0.5))")"

# --to-key: the shift chosen for given keys, measured on a tone (A -> C# = +4)
stretch --from-key A --to-key C# tone.wav -o k.wav
got=$(peak k.wav)
want=$($PY -c "print(440 * 2 ** (4 / 12))")
check "--from-key A --to-key C#: $got Hz vs $want" pct "$got" "$want"
stretch --from-key A --to-key Eb tone.wav -o k.wav
got=$(peak k.wav)
want=$($PY -c "print(440 * 2 ** (6 / 12))")
check "tritone A -> Eb goes up 6: $got Hz vs $want" pct "$got" "$want"
stretch --from-key Am --to-key G tone.wav -o k.wav
got=$(peak k.wav)
want=$($PY -c "print(440 * 2 ** (-5 / 12))")
check "A minor -> G major moves the relative major C to G (-5): $got Hz vs $want" pct "$got" "$want"
# detection: whatever key keydetect hears in a chord progression, --to-key two
# semitones up in the same mode is what keydetect hears afterwards
sox -n -r 48000 chords.wav synth 1 pl C3 pl E3 pl G3 delay 0 .02 .04 remix - fade 0 1 0.1 : \
	synth 1 pl F3 pl A3 pl C4 delay 0 .02 .04 remix - fade 0 1 0.1 : \
	synth 1 pl G3 pl B3 pl D4 delay 0 .02 .04 remix - fade 0 1 0.1 : \
	synth 1 pl C3 pl E3 pl G3 delay 0 .02 .04 remix - fade 0 1 0.1 gain -6 repeat 1
src_key=$(keydetect chords.wav)
target=$($PY -c "
import sys
names = ['C', 'C#', 'D', 'Eb', 'E', 'F', 'F#', 'G', 'Ab', 'A', 'Bb', 'B']
alias = {'Db': 'C#', 'D#': 'Eb', 'Gb': 'F#', 'G#': 'Ab', 'A#': 'Bb'}
t, m = sys.argv[1], sys.argv[2]
i = names.index(alias.get(t, t))
print(names[(i + 2) % 12] + ('m' if m == 'minor' else ''), names[(i + 2) % 12], m)" $src_key)
set -- $target
stretch -k "$1" chords.wav -o kd.wav
got=$(keydetect kd.wav)
check "--to-key $1 on chords heard as '$src_key': keydetect hears '$got'" test "$got" = "$2 $3"

# odd input: one sample, silence, DC, 8 kHz and 192 kHz, 6 channels
printf '.snd\0\0\0\030\377\377\377\377\0\0\0\006\0\0\273\200\0\0\0\001\076\200\0\0' >one.au
stretch -R 3 one.au | sox -t au - one-out.wav
check "one sample, ratio 3: 3 frames" test "$(frames one-out.wav)" -eq 3
sox -n -r 48000 -c 2 silence.wav trim 0 2
stretch -R 1.5 -P 4 silence.wav -o sil.wav
check "silence: 1.5 x as long" test "$(frames sil.wav)" -eq 144000
check "silence stays silent" test "$(sox sil.wav -n stat 2>&1 | awk '/Maximum amplitude/ {print $3}')" = 0.000000
check_fail "silence with --to-bpm: clear error" 1 "no tempo found" stretch -t 120 silence.wav -o x.wav
check "no output file left behind" test ! -e x.wav
check_fail "silence with --to-key: clear error" 1 "no key found" stretch -k C silence.wav -o x.wav
sox -n -r 48000 -c 1 dc.wav synth 2 sine 0 dcshift 0.4 2>/dev/null
stretch -R 0.5 -P 3 dc.wav -o dco.wav
check "DC: half as long, no clipping" sh -c "test $(frames dco.wav) -eq 48000 && sox dco.wav -n stat 2>&1 | awk '/Maximum amplitude/ {exit !(\$3 < 1)}'"
for r in 8000 192000; do
	sox -n -r $r -c 1 r.wav synth 2 sine 300 gain -6
	stretch -R 1.5 -P 12 r.wav -o ro.wav
	check "$r Hz: rate kept, 1.5 x as long" test "$(soxi -r ro.wav) $(frames ro.wav)" = "$r $((r * 3))"
	got=$(peak ro.wav)
	check "$r Hz: an octave up ($got Hz)" pct "$got" 600
done
sox -n -r 48000 -c 6 six.wav synth 1 sine 200 sine 300 sine 400 sine 500 sine 600 sine 700 gain -6
stretch -R 2 six.wav -o sixo.wav
check "6 channels kept, twice as long" test "$(soxi -c sixo.wav) $(frames sixo.wav)" = "6 96000"
sox six.wav -t au - | stretch -R 2 -P -2 | sox -t au - sixr.wav
check "6 channels in real time: twice as long" test "$(soxi -c sixr.wav) $(frames sixr.wav)" = "6 96000"

# bad input and usage
printf '.snd\0\0\0\030\377\377\377\377\0\0\0\006\0\0\273\200\0\0\0\001\076\200\0\0\177\300\0\0' >nan.au
check_fail "NaN input: exit 1, one line" 1 "NaN" stretch -R 2 -o nan-out.wav nan.au
check "NaN input leaves no output file" sh -c '! ls nan-out.wav .nan-out* 2>/dev/null | grep -q .'
check_fail "--ratio with --to-bpm: usage error" 2 "exclude" stretch -R 2 -t 100 tone.wav
check_fail "--pitch with --to-key: usage error" 2 "exclude" stretch -P 2 -k C tone.wav
# the faster engine offline on stereo: the same bytes every run (its per-channel
# threads used to race)
for i in 1 2 3 4; do stretch --engine faster -R 1.3 -o fast$i.au "$F/break48.wav" || break; done
same_file "faster engine, stereo, offline: same bytes every run (1 and 2)" fast1.au fast2.au
same_file "faster engine, stereo, offline: same bytes every run (1 and 3)" fast1.au fast3.au
same_file "faster engine, stereo, offline: same bytes every run (1 and 4)" fast1.au fast4.au
check_fail "unknown key: usage error" 2 "to-key" stretch -k H# tone.wav
check_fail "--ratio 0: usage error" 2 "out of range" stretch -R 0 tone.wav
check_fail "--from-bpm alone: usage error" 2 "from-bpm" stretch --from-bpm 120 tone.wav
check_fail "real time cannot detect: usage error" 2 "from-bpm" stretch --mode realtime -t 100 tone.wav
check_fail "empty stdin: exit 1" 1 "empty" stretch -R 2

# threads: -j 1, the default and -j 3 write the same bytes, offline and in real
# time (a pipe), for both engines, with the channels together (one stretcher:
# -j changes nothing) and apart (a stretcher per channel, on threads)
sox -n -r 48000 -c 1 pn.wav synth 2.5 pinknoise gain -9
sox -M "$F/break48.wav" pn.wav lr.wav remix 1 3 trim 0 2.5
for ch in together apart; do
	for e in finer faster; do
		stretch --channels $ch --engine $e -R 1.3 -P 2 -j 1 lr.wav -o j1-$ch-$e.au
		stretch --channels $ch --engine $e -R 1.3 -P 2 lr.wav -o jd-$ch-$e.au
		stretch --channels $ch --engine $e -R 1.3 -P 2 -j 3 lr.wav -o j3-$ch-$e.au
		same_file "threads, $ch, $e, offline: the default as -j 1" j1-$ch-$e.au jd-$ch-$e.au
		same_file "threads, $ch, $e, offline: -j 3 as -j 1" j1-$ch-$e.au j3-$ch-$e.au
		sox lr.wav -t au - | stretch --channels $ch --engine $e -R 1.3 -P 2 -j 1 >p1.au
		sox lr.wav -t au - | stretch --channels $ch --engine $e -R 1.3 -P 2 | cat >pd.au
		sox lr.wav -t au - | stretch --channels $ch --engine $e -R 1.3 -P 2 -j 3 | cat >p3.au
		same_file "threads, $ch, $e, real time (pipe): the default as -j 1" p1.au pd.au
		same_file "threads, $ch, $e, real time (pipe): -j 3 as -j 1" p1.au p3.au
	done
done
want=$($PY -c "print(int($(frames lr.wav) * 1.3 + 0.5))")
check "apart: exact length ($want frames)" test "$(frames j1-apart-finer.au)" -eq "$want"
check "apart differs from together" sh -c '! cmp -s j1-apart-finer.au j1-together-finer.au'
check "-j, --jobs in --help" sh -c 'stretch --help | grep -q -- "-j, --jobs"'
check_fail "-j 0: usage error" 2 "jobs" stretch -j 0 -R 2 tone.wav
check_fail "--channels sideways: usage error" 2 "channels" stretch --channels sideways tone.wav
