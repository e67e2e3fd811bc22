# specmangle: identity with every knob at 0, determinism by seed, block-size
# invariance, sane level, freeze holds a partial at its pitch, a bin shift moves a
# tone by bins x rate / fft, no denormal slowdown, odd and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# peak.py FILE [START DUR]: strongest frequency (Hz), zero-padded FFT
cat >peak.py <<'PY'
import subprocess, sys
import numpy as np
cmd = ['sox', sys.argv[1], '-t', 'f32', '-c', '1', '-'] + (['trim'] + sys.argv[2:4] if len(sys.argv) > 3 else [])
x = np.frombuffer(subprocess.run(cmd, capture_output=True, check=True).stdout, dtype='<f4').astype(float)
rate = int(subprocess.run(['soxi', '-r', sys.argv[1]], capture_output=True, text=True).stdout)
sp = np.abs(np.fft.rfft(x * np.hanning(len(x)), 8 * len(x)))
print('%.3f' % (np.argmax(sp) * rate / (8 * len(x))))
PY
# cmpau A B: length_a length_b max_abs_diff rms_a_db rms_b_db peak_b
cmpau() { $PY "$SHARDS_TOP/tests/spectral_compare.py" "$1" "$2"; }
pct() { $PY -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 0.01 * b else 1)" "$1" "$2"; }

sox -n -r 48000 -c 2 -e floating-point -b 32 pink.au synth 6 pinknoise synth 6 pinknoise gain -12
sox "$F/break48.wav" -e floating-point -b 32 break.au

# identity: every knob at 0
for f in pink break; do
	specmangle -s 0 -N 0 -f 0 $f.au >id-$f.au
	set -- $(cmpau $f.au id-$f.au)
	check "identity $f: same length ($1 frames), max diff $3" $PY -c "assert $1 == $2 and $3 < 1e-5"
done

# determinism and block-size invariance, with every effect on
M="-s 0.4 -N 0.4 -f 0.05 --hold 0.05..0.3 --shift -8..8"
specmangle $M --seed 21 break.au >m1.au
specmangle $M --seed 21 <break.au >m2.au
trickle 11 7 <break.au | specmangle $M --seed 21 >m3.au
trickle 3000 8 <break.au | specmangle $M --seed 21 >m4.au
specmangle $M --seed 22 break.au >m5.au
same_file "same seed, same bytes" m1.au m2.au
same_file "trickled 1..11 bytes: same bytes" m1.au m3.au
same_file "trickled 1..3000 bytes: same bytes" m1.au m4.au
check "another seed, other bytes" sh -c '! cmp -s m1.au m5.au'
set -- $(cmpau break.au m1.au)
check "mangled output keeps the length and differs" $PY -c "assert $1 == $2 and $3 > 0.01"

# level: within 3 dB of the input's RMS, no clipping of a -12 dBFS source
for s in "-s 1 -N 0 -f 0" "-s 0 -N 1 -f 0" "-s 0 -N 0.5 -f 0" "-s 0 -N 0 -f 0.2" "-s 0 -N 0 -f 0 --shift -40..40" \
	"-s 0.5 -N 0.8" "-s 1 -N 1 -f 0.1 --shift -5..5"; do
	specmangle $s --seed 3 pink.au >lv.au
	set -- $(cmpau pink.au lv.au)
	check "level '$s': $5 dB vs $4 dB, peak $6" $PY -c "assert abs($5 - $4) < 3 and $6 < 1"
done

# freeze holds: 440 Hz for 1 s then 880 Hz; a freeze caught in the first second
# and held for 10 s still sounds 440 Hz later, where the input has 880 Hz
sox -n -r 48000 -c 1 two.wav synth 1 sine 440 gain -12 : synth 2 sine 880 gain -12
specmangle -s 0 -N 0 -f 1 --hold 10 --seed 1 two.wav -o held.wav
got=$($PY peak.py held.wav 1.5 1)
check "freeze holds 440 Hz over the 880 Hz part ($got Hz)" pct "$got" 440
check "freeze keeps the length" test "$(soxi -s held.wav)" -eq "$(soxi -s two.wav)"

# shift: 10 bins up at fft 2048 and 48 kHz is +234.375 Hz (a frequency shift)
sox -n -r 48000 -c 1 tone.wav synth 3 sine 440 gain -6
specmangle -s 0 -N 0 -f 0 --shift 10 tone.wav -o sh.wav
got=$($PY peak.py sh.wav)
check "--shift 10 moves 440 Hz to 674.4 Hz ($got)" pct "$got" 674.375
specmangle -s 0 -N 0 -f 0 --shift -20 --fft 4096 tone.wav -o sh.wav
got=$($PY peak.py sh.wav)
check "--shift -20 at fft 4096 moves 440 Hz to 205.6 Hz ($got)" pct "$got" 205.625

# denormals: noise in the denormal range goes through whole (that it costs no
# more CPU than loud noise is timed in make bench, never here)
$PY -c "
import struct, numpy as np
r = np.random.default_rng(1)
hdr = struct.pack('>4s5I', b'.snd', 24, 0xffffffff, 6, 48000, 1)
open('tiny.au', 'wb').write(hdr + (r.uniform(-1, 1, 48000 * 5) * 1e-40).astype('>f4').tobytes())"
specmangle -s 0.5 -N 0.5 -f 0.05 --seed 1 tiny.au >tiny-out.au
set -- $(cmpau tiny.au tiny-out.au)
check "denormal-range input: length kept, output finite (peak $6)" $PY -c "assert $1 == $2 and $6 < 1"
rm -f tiny.au tiny-out.au

# odd inputs
printf '.snd\0\0\0\030\377\377\377\377\0\0\0\006\0\0\273\200\0\0\0\001\076\200\0\0' >one.au
specmangle --seed 1 one.au >one-out.au
set -- $(cmpau one.au one-out.au)
check "one sample in, one out" test "$1" -eq 1 -a "$2" -eq 1
sox -n -r 48000 -c 2 -e floating-point -b 32 silence.au trim 0 1
specmangle -s 1 -f 0.5 --shift -3..3 --seed 1 silence.au >sil.au
set -- $(cmpau silence.au sil.au)
check "silence stays silent and as long (noise is shaped by the silence)" $PY -c "assert $1 == $2 and $6 == 0"
$PY -c "
import struct; open('dc.au','wb').write(struct.pack('>4s5I', b'.snd', 24, 0xffffffff, 6, 48000, 1) + struct.pack('>f', 0.3) * 96000)"
specmangle --seed 2 dc.au >dc-out.au
set -- $(cmpau dc.au dc-out.au)
check "DC: same length, no clipping (peak $6)" $PY -c "assert $1 == $2 and $6 < 1"
for r in 8000 192000; do
	sox -n -r $r -c 1 -e floating-point -b 32 r$r.au synth 1 sine 300 gain -6
	specmangle --seed 1 r$r.au >r$r-out.au
	set -- $(cmpau r$r.au r$r-out.au)
	check "$r Hz: rate and length kept" test "$(soxi -r r$r-out.au) $1" = "$r $2"
done
sox -n -r 48000 -c 6 -e floating-point -b 32 six.au synth 1 sine 200 sine 300 sine 400 sine 500 sine 600 sine 700 gain -6
specmangle --seed 1 six.au >six-out.au
set -- $(cmpau six.au six-out.au)
check "6 channels: channels and length kept" test "$(soxi -c six-out.au) $1" = "6 $2"

# bad input and usage
printf '.snd\0\0\0\030\377\377\377\377\0\0\0\006\0\0\273\200\0\0\0\001\076\200\0\0\177\300\0\0' >nan.au
check_fail "NaN input: exit 1, one line" 1 "NaN" specmangle -o nan-out.wav nan.au
check "NaN input leaves no output file" sh -c '! ls nan-out.wav .nan-out* 2>/dev/null | grep -q .'
check_fail "--swap out of range: usage error" 2 "swap" specmangle --swap 1.5 break.au
check_fail "--hold 0: usage error" 2 "hold" specmangle --hold 0 break.au
check_fail "reversed --shift range: usage error" 2 "shift" specmangle --shift 5..-5 break.au
check_fail "odd --fft: usage error" 2 "odd" specmangle --fft 999 break.au
check_fail "empty stdin: exit 1" 1 "empty" specmangle
check "--print-config is a preset" sh -c 'specmangle --swap 0.7 --print-config | jq -e ".swap == 0.7"'

# threads: -j 1, the default and -j 3 write the same bytes, from a file and
# through a pipe (a stereo mix whose channels differ: drums left, pink noise
# right), with every knob drawing (swaps, noise, freezes, shifts) and without
sox -M break.au pink.au -e floating-point -b 32 lr.au remix 1 4 trim 0 4
all="-s 0.5 -N 0.4 -f 0.2 --hold 0.05..0.2 --shift -3..3 --seed 4"
specmangle $all -j 1 lr.au >j1.au
specmangle $all lr.au >jd.au
specmangle $all -j 3 lr.au >j3.au
cat lr.au | specmangle $all -j 3 | cat >j3p.au
trickle 3000 5 <lr.au | SHARDS_JOBS=2 specmangle $all >j2t.au
same_file "threads: the default, same bytes as -j 1" j1.au jd.au
same_file "threads: -j 3, same bytes as -j 1" j1.au j3.au
same_file "threads: -j 3 on a pipe, same bytes as -j 1" j1.au j3p.au
same_file "threads: SHARDS_JOBS=2, trickled, same bytes as -j 1" j1.au j2t.au
specmangle --seed 9 -f 0.05 --shift 10 -n 1024 --hop 128 -j 1 lr.au >k1.au
specmangle --seed 9 -f 0.05 --shift 10 -n 1024 --hop 128 -j 2 lr.au >k2.au
same_file "threads: freezes and a fixed shift, fft 1024 hop 128: -j 2 as -j 1" k1.au k2.au
check "-j, --jobs in --help" sh -c 'specmangle --help | grep -q -- "-j, --jobs"'
check_fail "-j 0: usage error" 2 "jobs" specmangle -j 0 break.au
check_fail "-j 2000: usage error" 2 "jobs" specmangle --jobs 2000 break.au
