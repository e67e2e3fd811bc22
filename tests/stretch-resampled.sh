#!/bin/sh
# tests/stretch-resampled.sh -- the offline stretch (lib/dsp/stretch.c) loses
# nothing at long ratios: Rubber Band holds its output in a ring of a fixed size,
# so the input goes to it in pieces whose output fits. drone resampling its
# source (-r), drone and swell shifting the pitch at 4x and more, and stretch
# reading a pipe say nothing on stderr, and their output has no gaps: the RMS
# envelope in 50 ms windows (numpy) has no window that drops against its
# neighbours or the whole, no step between samples stands out (a hop cut short
# is a click), and the envelope follows that of the same source resampled by
# sox first. The lengths are exact.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

cat >env.py <<'PYEOF'
import os, sys, numpy as np
sys.path.insert(0, os.environ['SHARDS_TOP'] + '/tests')
from audio_np import rd
def env(path):
    """RMS of the mono mix in 50 ms windows, the first and last 0.5 s left out
    (the stretcher's fade in and out)"""
    x, rate = rd(path)
    m = x.mean(axis=1)
    w = rate // 20
    n = len(m) // w
    e = np.sqrt((m[:n * w].reshape(n, w) ** 2).mean(axis=1))
    return e[10:-10]
cmd, a = sys.argv[1], sys.argv[2:]
if cmd == 'dips':
    # FILE: windows below half the median envelope, or below half the median of
    # the 10 around them (a dropout); "silent" when there is hardly any sound
    e = env(a[0])
    med = np.median(e)
    k = 5
    bad = sum(e[i] < 0.5 * min(med, np.median(e[max(0, i - k):i + k + 1])) for i in range(len(e)))
    print(int(bad) if med > 0.01 else 'silent')
elif cmd == 'jump':
    # FILE: the largest step between two samples of the mono mix over its 99.9th
    # percentile: a hop cut short joins two ends that do not meet (a click)
    x, rate = rd(a[0])
    d = np.abs(np.diff(x.mean(axis=1)))
    print('%.2f' % (d.max() / np.quantile(d, 0.999)))
elif cmd == 'match':
    # A B: the largest difference of the two envelopes, relative to A's median
    ea, eb = env(a[0]), env(a[1])
    n = min(len(ea), len(eb))
    print('%.4f' % (np.abs(ea[:n] - eb[:n]).max() / np.median(ea)))
PYEOF
dips() { $PY env.py dips "$1"; }
match() { $PY env.py match "$1" "$2"; }
frames() { soxi -s "$1"; }
# quiet WHAT FILE.err: nothing on stderr
quiet() {
	if [ -s "$2" ]; then fail "$1" "$(sort "$2" | uniq -c | head -5)"; else pass "$1"; fi
}
# clean WHAT FILE: no dropout window, no click
clean() {
	_d=$(dips "$2") _j=$($PY env.py jump "$2")
	if [ "$_d" != 0 ]; then fail "$1" "windows with a sudden RMS drop: $_d"
	elif ! awk -v j="$_j" 'BEGIN { exit !(j < 4) }'; then fail "$1" "a click: a step $_j times the 99.9th percentile"
	else pass "$1 (largest step $_j x the 99.9th percentile)"; fi
}

# a steady chord at 48 kHz, and the same resampled to 44.1 kHz by sox
sox -n -r 48000 -c 2 chord48.wav synth 6 sine 220 sine 277 gain -6
sox chord48.wav -r 44100 chord44.wav rate -v

# the drone that resamples its source first
drone -s 4 -P 0 -V warm -r 44100 chord48.wav -o d1.wav 2>d1.err
quiet "drone -s 4 -r 44100 of a 48 kHz source: nothing on stderr" d1.err
check "drone -s 4 -r 44100: 24 s at 44.1 kHz" test "$(frames d1.wav)" = 1058400 -a "$(soxi -r d1.wav)" = 44100
clean "drone -s 4 -r 44100: no dropout" d1.wav
drone -s 4 -P 0 -V warm chord44.wav -o d1s.wav 2>d1s.err
quiet "drone -s 4 of the source resampled by sox: nothing on stderr" d1s.err
m=$(match d1s.wav d1.wav)
near "drone -s 4: resampled here or by sox, the same envelope (largest gap $m of the median)" "$m" 0 0.1

# an octave down: the stretcher resamples after stretching, where output was lost
drone -s 4 -P -12 -V warm -r 44100 chord48.wav -o d2.wav 2>d2.err
quiet "drone -s 4 -P -12 -r 44100: nothing on stderr" d2.err
clean "drone -s 4 -P -12 -r 44100: no dropout" d2.wav
drone -s 4 -P -12 -V warm chord44.wav -o d2s.wav 2>d2s.err
quiet "drone -s 4 -P -12 of the source resampled by sox: nothing on stderr" d2s.err
clean "drone -s 4 -P -12 of the source resampled by sox: no dropout" d2s.wav
m=$(match d2s.wav d2.wav)
near "drone -s 4 -P -12: resampled here or by sox, the same envelope (largest gap $m of the median)" "$m" 0 0.1

# longer ratios, up and down
for sp in "9 -12" "9 0" "20 5"; do
	set -- $sp
	drone -s "$1" -P "$2" -V dry chord44.wav -o "l$1.wav" 2>"l$1.err"
	quiet "drone -s $1 -P $2: nothing on stderr" "l$1.err"
	check "drone -s $1 -P $2: length exact" test "$(frames "l$1.wav")" = $((264600 * $1))
	clean "drone -s $1 -P $2: no dropout" "l$1.wav"
done

# stretch, offline, from a file and from a pipe (spooled); and each channel apart
stretch -R 4 -P -12 chord48.wav >s1.au 2>s1.err
quiet "stretch -R 4 -P -12: nothing on stderr" s1.err
clean "stretch -R 4 -P -12: no dropout" s1.au
cat chord48.wav | stretch --mode offline -R 4 -P -12 >s2.au 2>s2.err
quiet "stretch -R 4 -P -12 on a pipe: nothing on stderr" s2.err
same_file "stretch -R 4 -P -12: a pipe gives the file's bytes" s1.au s2.au
stretch --channels apart -j 2 -R 9 -P -12 chord44.wav >s3.au 2>s3.err
quiet "stretch --channels apart -R 9 -P -12: nothing on stderr" s3.err
clean "stretch --channels apart -R 9 -P -12: no dropout" s3.au
check "stretch --channels apart -R 9: length exact" test "$(frames s3.au)" = $((264600 * 9))

# real time with a big block: the same pieces
stretch --mode realtime --block 16384 -R 4 -P -12 chord44.wav >s4.au 2>s4.err
quiet "stretch --mode realtime --block 16384 -R 4 -P -12: nothing on stderr" s4.err
clean "stretch --mode realtime --block 16384 -R 4 -P -12: no dropout" s4.au

# swell stretches offline too
swell -S 4 -P -12 -A 0.1 -D 0.1 chord48.wav >w1.au 2>w1.err
quiet "swell -S 4 -P -12: nothing on stderr" w1.err
clean "swell -S 4 -P -12: no dropout" w1.au
swell -S 2 chord48.wav >w2.au 2>w2.err
quiet "swell -S 2: nothing on stderr" w2.err
