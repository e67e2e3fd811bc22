#!/bin/sh
# tests/swell.sh -- swell one-shots, checked with numpy: on a steady tone the RMS
# envelope follows each named shape's formula through the rise and the decay
# (one shape for both, or one each), the peak lies where the rise ends, the
# level holds between them when a duration is given, the swell is cut from the
# middle or from --start (the samples match the source's there), the peak is
# normalised, --stretch changes the length by its factor (and --pitch the
# pitch, not the length), stdin and a trickling pipe give what the file gives,
# real music (a Wesnoth track) swells and stretches, -o by extension, -m folds
# to one channel at the peak and -r resamples, --print-config refuses what a
# run would, and bad input gets one line with the suite's exit statuses (2 usage, 1 runtime) and
# no file left behind.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

cat >an.py <<'PYEOF'
import os, sys, subprocess, numpy as np
sys.path.insert(0, os.environ['SHARDS_TOP'] + '/tests')
from audio_np import rd
# the shapes as swell(1) defines them, a rise over u in 0..1
def curve(s, u):
    u = np.clip(u, 0, 1)
    return {'linear': u, 'exp': (1000 ** u - 1) / 999, 'log': np.log10(1 + 999 * u) / 3,
            'sine': np.sin(np.pi / 2 * u), 'scurve': (1 - np.cos(np.pi * u)) / 2}[s]
def rms_env(x, rate):
    """RMS in 10 ms frames (ten periods of the 1 kHz test tone), scaled to amplitude"""
    w = rate // 100
    m = len(x) // w
    e = np.sqrt((x[:m * w, 0].reshape(m, w) ** 2).mean(axis=1)) * np.sqrt(2)
    return e, (np.arange(m) + 0.5) * w / rate
cmd = sys.argv[1]; a = sys.argv[2:]
if cmd == 'shape':
    # FILE RISE_SHAPE DECAY_SHAPE RISE DECAY: the largest gap between the
    # envelope (relative to the peak) and the formula
    x, rate = rd(a[0]); rise, decay = float(a[3]), float(a[4])
    e, t = rms_env(x, rate)
    n = len(x) / rate
    want = np.minimum(curve(a[1], t / rise), curve(a[2], (n - t) / decay))
    print('%.5f' % np.abs(e / np.abs(x).max() - want).max())
elif cmd == 'argmax':
    x, rate = rd(a[0]); print('%.5f' % (np.abs(x).max(axis=1).argmax() / rate))
elif cmd == 'hold':
    # FILE FROM TO: the spread of the envelope between FROM and TO s (max/min)
    x, rate = rd(a[0]); e, t = rms_env(x, rate)
    sel = e[(t > float(a[1])) & (t < float(a[2]))]
    print('%.5f' % (sel.max() / sel.min()))
elif cmd == 'from':
    # OUT SRC OFFSET FROM TO: over FROM..TO s of OUT, the worst mismatch of OUT and
    # SRC at OFFSET s later, after one scale factor (the normalisation)
    y, rate = rd(a[0]); x, _ = rd(a[1])
    off = int(round(float(a[2]) * rate)); i0, i1 = int(float(a[3]) * rate), int(float(a[4]) * rate)
    yy, xx = y[i0:i1], x[i0 + off:i1 + off]
    k = (yy * xx).sum() / (xx * xx).sum()
    print('%.6f' % (np.abs(yy - k * xx).max() / np.abs(yy).max()))
elif cmd == 'peak':
    x, _ = rd(a[0]); print('%.4f' % (20 * np.log10(np.abs(x).max())))
elif cmd == 'freq':
    x, rate = rd(a[0]); m = x.mean(axis=1)
    s = np.abs(np.fft.rfft(m * np.hanning(len(m))))
    print('%.1f' % np.fft.rfftfreq(len(m), 1 / rate)[s.argmax()])
elif cmd == 'ends':
    x, _ = rd(a[0]); print('%.6f %.6f' % (np.abs(x[0]).max(), np.abs(x[-1]).max()))
PYEOF
an() { $PY an.py "$@"; }
ok() {
	_what=$1 _cond=$2; shift 2
	if awk "$@" "BEGIN { exit !($_cond) }" </dev/null; then pass "$_what"; else fail "$_what" "$*"; fi
}

# ---- a steady 1 kHz tone, 4 s: the envelope is all that changes its level
sox -n -r 48000 -c 1 tone.wav synth 4 sine 1000 gain -3

# ---- every shape, rise 1.5 s and decay 2.5 s over the whole 4 s
for s in linear exp log sine scurve; do
	swell -A 1.5 -D 2.5 -s $s tone.wav >sw_$s.au
	e=$(an shape sw_$s.au $s $s 1.5 2.5)
	ok "--shape $s: the RMS envelope follows the formula through rise and decay (worst gap $e)" 'e < 0.01' -v e="$e"
	p=$(an argmax sw_$s.au)
	ok "--shape $s: the peak lies where the rise ends, 1.5 s ($p s)" 'p > 1.495 && p < 1.505' -v p="$p"
done
check "the whole tone: 4 s, 192000 frames" test "$(soxi -s sw_linear.au)" = 192000
swell -A 0.8 -D 3.2 -s exp,log tone.wav >sw_el.au
e=$(an shape sw_el.au exp log 0.8 3.2)
ok "--shape exp,log: an exp rise and a log decay (worst gap $e)" 'e < 0.01' -v e="$e"
p=$(an argmax sw_el.au)
ok "...the peak at the end of the 0.8 s rise ($p s)" 'p > 0.795 && p < 0.805' -v p="$p"
# control: the formula of another shape does not fit
e=$(an shape sw_el.au linear linear 0.8 3.2)
ok "control: a linear envelope does not fit the exp,log swell (worst gap $e)" 'e > 0.1' -v e="$e"
set -- $(an ends sw_sine.au)
ok "the first and the last frame are silent ($1, $2)" 'a == 0 && b == 0' -v a="$1" -v b="$2"

# ---- normalised peak
p=$(an peak sw_sine.au)
ok "peak normalised to the default -1 dBFS ($p)" 'p > -1.001 && p < -0.999' -v p="$p"
swell --peak -12 tone.wav >p12.au
p=$(an peak p12.au)
ok "--peak -12 ($p)" 'p > -12.001 && p < -11.999' -v p="$p"

# ---- a duration: cut from the middle, the full level held between rise and decay
sox -n -r 48000 -c 1 long.wav synth 6 sine 1000 sine 1500 gain -6
swell -d 4 -A 1 -D 1 long.wav >mid.au
check "-d 4: 4 s exactly" test "$(soxi -s mid.au)" = 192000
h=$(an hold mid.au 1.05 2.95)
ok "the level holds between the rise and the decay (max/min $h)" 'h < 1.005' -v h="$h"
m=$(an from mid.au long.wav 1 1.05 2.95)
ok "the swell is the middle of the source, from 1 s (worst mismatch $m)" 'm < 1e-4' -v m="$m"
swell -d 2 --start 0.5 -A 0.5 -D 0.5 long.wav >st.au
m=$(an from st.au long.wav 0.5 0.55 1.45)
ok "--start 0.5: the swell is the source from 0.5 s (worst mismatch $m)" 'm < 1e-4' -v m="$m"
swell --start 1 -A 1 -D 2 long.wav >tail.au
check "--start 1 without -d: from 1 s to the end, 5 s" test "$(soxi -s tail.au)" = 240000
m=$(an from tail.au long.wav 1 1.05 2.95)
ok "...the source from 1 s on (worst mismatch $m)" 'm < 1e-4' -v m="$m"
swell -d 500ms -A 100ms -D 400ms long.wav >ms.au
check "units: -d 500ms -A 100ms -D 400ms, 24000 frames" test "$(soxi -s ms.au)" = 24000
p=$(an argmax ms.au)
ok "...the peak where the 100 ms rise ends ($p s)" 'p > 0.095 && p < 0.105' -v p="$p"

# ---- stretch and pitch (Rubber Band) first
swell -S 2 -A 3 -D 5 -s linear tone.wav >s2.au
check "--stretch 2: twice as long, 384000 frames" test "$(soxi -s s2.au)" = 384000
p=$(an argmax s2.au)
ok "...its peak where the 3 s rise ends, give or take the stretcher's own level ripple ($p s)" \
	'p > 2.97 && p < 3.03' -v p="$p"
e=$(an shape s2.au linear linear 3 5)
ok "...its envelope linear within that ripple (worst gap $e)" 'e < 0.1' -v e="$e"
f=$(an freq s2.au)
ok "...the pitch kept (peak at $f Hz)" 'f > 995 && f < 1005' -v f="$f"
swell -S 0.5 -A 0.5 -D 1 tone.wav >s05.au
check "--stretch 0.5: half as long, 96000 frames" test "$(soxi -s s05.au)" = 96000
swell -P -12 tone.wav >p.au
f=$(an freq p.au)
check "--pitch -12: the length kept" test "$(soxi -s p.au)" = 192000
ok "--pitch -12: an octave down ($f Hz)" 'f > 497 && f < 503' -v f="$f"

# ---- determinism and the pipe
swell -S 2 -A 3 -D 5 -s linear tone.wav >again.au
same_file "stretched twice: the same bytes" s2.au again.au
sox long.wav -t au -e floating-point -b 32 long.au
swell -d 4 -A 1 -D 1 long.au >fromfile.au
swell -d 4 -A 1 -D 1 <long.au >fromstdin.au
same_file "stdin gives what the file gives" fromfile.au fromstdin.au
trickle 3000 7 <long.au | swell -d 4 -A 1 -D 1 - >trickled.au
same_file "a trickling pipe gives the same bytes" fromfile.au trickled.au

# ---- real music: a stretch of a Wesnoth track, swelled and stretched
music=/usr/share/games/wesnoth/1.16/data/core/music/transience.ogg
if [ -f "$music" ]; then
	sox "$music" -r 44100 -c 2 piece.wav trim 20 5
	swell -S 1.6 -A 3 -D 4 -s exp,sine piece.wav >music.au
	check "real music: --stretch 1.6 of 5 s gives 8 s, stereo (352800 frames)" \
		sh -c "[ \$(soxi -s music.au) = 352800 ] && [ \$(soxi -c music.au) = 2 ]"
	p=$(an peak music.au)
	ok "real music: normalised to -1 dBFS ($p)" 'p > -1.001 && p < -0.999' -v p="$p"
	set -- $(an ends music.au)
	ok "real music: starts and ends in silence ($1, $2)" 'a == 0 && b == 0' -v a="$1" -v b="$2"
else
	fail "real material" "missing $music: install wesnoth-1.16-music (tests/packages.txt)"
fi

# ---- -o FILE by extension, whole or not at all
swell -o out.wav tone.wav
check "-o out.wav: a WAV file of the swell" sh -c "[ \$(soxi -t out.wav) = wav ] && [ \$(soxi -s out.wav) = 192000 ]"
swell -o out.flac --bits 16 tone.wav
check "-o out.flac --bits 16: FLAC, 16-bit" sh -c "[ \$(soxi -t out.flac) = flac ] && [ \$(soxi -b out.flac) = 16 ]"
check "no temporary file left" sh -c "! ls -A | grep -q '^\\.out\\.'"

# ---- bad input: one line, the suite's statuses, no file
check_fail "an unknown shape is a usage error naming the known ones" 2 \
	"^swell: --shape: unknown shape 'wobble' \(there are: linear, exp, log, sine, scurve\)" swell -s wobble -o bad.wav tone.wav
check_fail "three shapes are a usage error" 2 "^swell: --shape: 'exp,log,sine' is not SHAPE or RISE,DECAY" swell -s exp,log,sine tone.wav
check_fail "a negative rise is a usage error" 2 "^swell: -A: '-2' must be a positive duration" swell -A -2 tone.wav
check_fail "a zero decay is a usage error" 2 "^swell: --decay: '0' must be a positive duration" swell --decay 0 tone.wav
check_fail "a negative stretch is a usage error" 2 "^swell: -S: -2 is out of range" swell -S -2 tone.wav
check_fail "a duration shorter than rise and decay is a usage error" 2 \
	"^swell: --duration 2 s is shorter than --rise 1 s and --decay 2 s together" swell -d 2 -A 1 -D 2 tone.wav
check_fail "an unreadable file" 1 "^swell: nope.wav: " swell -o bad.wav nope.wav
head -c 5000 /dev/urandom >garbage.wav
check_fail "garbage" 1 "^swell: garbage.wav: " swell -o bad.wav garbage.wav
check_fail "empty stdin" 1 "^swell: stdin: " sh -c "swell </dev/null >/dev/null"
check_fail "a sound shorter than rise and decay" 1 \
	"^swell: tone.wav: 4.000 s of audio is shorter than the rise 3 s and decay 3 s" swell -A 3 -D 3 -o bad.wav tone.wav
check_fail "a sound shorter than the duration" 1 "^swell: tone.wav: 4.000 s of audio is shorter than the swell's 10 s" \
	swell -d 10 -o bad.wav tone.wav
check_fail "...and stretched, it says so" 1 "^swell: tone.wav: 2.000 s of audio \(4.000 s stretched 0.5 times\) is shorter than the rise 1 s and decay 2.5 s" \
	swell -S 0.5 -o bad.wav tone.wav
check_fail "a start past the end" 1 "^swell: tone.wav: a swell of 2.000 s from 3 s runs past the end of 4.000 s of audio" \
	swell -d 2 -A 1 -D 1 --start 3 -o bad.wav tone.wav
check_fail "a start after the end" 1 "^swell: tone.wav: --start 5 s is past the end of 4.000 s of audio" \
	swell --start 5 -o bad.wav tone.wav
check "no output file after any failure" test ! -e bad.wav
check_fail "a second operand is a usage error" 2 "^swell: " swell tone.wav tone.wav

# -m folds to one channel before the peak is set; -r resamples first (libsoxr)
sox -n -r 48000 -c 2 st.wav synth 4 sine 440 sine 660 gain -6 # 440 Hz left, 660 right
swell -m -o mono.wav st.wav 2>/dev/null
if [ "$(soxi -c mono.wav)" = 1 ]; then pass "-m: one channel out"; else fail "-m: one channel out" "$(soxi -c mono.wav)"; fi
near "-m: the mono swell's peak is --peak (-1 dBFS)" "$(sox mono.wav -n stat 2>&1 | awk '/Maximum amplitude/ { print $3 }')" 0.8913 0.001
swell -r 44100 -d 3 -A 1 -D 1 -o r44.wav tone.wav 2>/dev/null
if [ "$(soxi -r r44.wav) $(soxi -s r44.wav)" = "44100 132300" ]; then pass "-r 44100: resampled, the duration in the new rate's samples"
else fail "-r 44100: resampled, the duration in the new rate's samples" "$(soxi -r r44.wav) $(soxi -s r44.wav)"; fi
peak=$($PY "$SHARDS_TOP/tests/audio_np.py" peak r44.wav)
near "-r 44100: the tone keeps its pitch (strongest partial, Hz)" "$peak" 1000 3

# --print-config prints only settings the program would run with
check_fail "--print-config refuses an unknown shape" 2 "^swell: --shape: unknown shape 'wobble'" swell -s wobble --print-config
check_fail "--print-config refuses a duration shorter than rise and decay" 2 \
	"^swell: --duration 2 s is shorter than" swell -d 2 -A 1 -D 2 --print-config
