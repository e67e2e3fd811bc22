# specsmear: identity at zero settings (aligned, same length), determinism by seed,
# block-size invariance, sane level, no denormal slowdown on decaying input,
# odd rates and channel counts, bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
# numpy comes from Debian's python3-numpy; prefer the system interpreter
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# cmpau A B: length_a length_b max_abs_diff rms_a_db rms_b_db peak_b
cmpau() { $PY "$SHARDS_TOP/tests/spectral_compare.py" "$1" "$2"; }

sox -n -r 48000 -c 2 -e floating-point -b 32 pink.au synth 6 pinknoise synth 6 pinknoise gain -12
sox "$F/break48.wav" -e floating-point -b 32 break.au
sox "$F/sine1k.wav" -e floating-point -b 32 sine.au

# identity: --blur 0 --phase 0 gives the input back, aligned, exactly as long
for f in pink break sine; do
	specsmear --blur 0 --phase 0 $f.au >id-$f.au
	set -- $(cmpau $f.au id-$f.au)
	check "identity $f: same length ($1 frames)" test "$1" -eq "$2"
	check "identity $f: within float rounding (max diff $3)" $PY -c "assert $3 < 1e-5"
done
specsmear --blur 0 --phase 0 --fft 512 --hop 128 break.au >id2.au
set -- $(cmpau break.au id2.au)
check "identity with --fft 512 --hop 128 (max diff $3)" $PY -c "assert $1 == $2 and $3 < 1e-5"
specsmear --blur 0 --phase 0 --fft 1000 --hop 300 break.au >id3.au
set -- $(cmpau break.au id3.au)
check "identity with --fft 1000 --hop 300 (max diff $3)" $PY -c "assert $1 == $2 and $3 < 1e-5"

# determinism and block-size invariance
specsmear -B 0.6 -P 0.8 --seed 11 break.au >s1.au
specsmear -B 0.6 -P 0.8 --seed 11 <break.au >s2.au
trickle 13 5 <break.au | specsmear -B 0.6 -P 0.8 --seed 11 >s3.au
trickle 4000 6 <break.au | specsmear -B 0.6 -P 0.8 --seed 11 >s4.au
specsmear -B 0.6 -P 0.8 --seed 12 break.au >s5.au
same_file "same seed, same bytes" s1.au s2.au
same_file "trickled 1..13 bytes: same bytes" s1.au s3.au
same_file "trickled 1..4000 bytes: same bytes" s1.au s4.au
check "another seed, other bytes" sh -c '! cmp -s s1.au s5.au'
set -- $(cmpau break.au s1.au)
check "smeared output keeps the length" test "$1" -eq "$2"
check "smeared output differs from the input" $PY -c "assert $3 > 0.01"

# level: within 2 dB of the input's RMS, no clipping on a -12 dBFS source
for s in "0.5 0" "1 0" "0 1" "0.5 0.8" "1 1"; do
	set -- $s
	specsmear -B $1 -P $2 --seed 3 pink.au >lv.au
	set -- $1 $2 $(cmpau pink.au lv.au)
	check "level blur $1 phase $2: ${7} dB vs ${6} dB, peak $8" \
		$PY -c "assert abs($7 - $6) < 2 and $8 < 1"
done
# a pure tone is the worst case for peaks: scrambled phases turn it into a
# noise-like signal with a crest factor up to about 9 dB higher (the documented
# headroom); at -12 dBFS it must not clip
sox -n -r 48000 -c 1 -e floating-point -b 32 tone.au synth 6 sine 440 gain -12
specsmear -B 0.7 -P 1 --seed 3 tone.au >lt.au
set -- $(cmpau tone.au lt.au)
check "level on a tone: $5 dB vs $4 dB, peak $6 within 9 dB headroom" \
	$PY -c "assert abs($5 - $4) < 2 and $6 < 0.25 * 10 ** (9 / 20)"

# blur smears in time: a 0.2 s burst leaves a tail where the input is silent
sox -n -r 48000 -c 1 -e floating-point -b 32 burst.au synth 0.2 whitenoise gain -6 pad 0 2
specsmear -B 0.8 -P 0 burst.au >tail.au
tail_db=$(sox tail.au -n trim 0.5 0.5 stats 2>&1 | awk '/RMS lev dB/ {print $4}')
check "blur 0.8 leaves a tail after a burst ($tail_db dB)" $PY -c "assert $tail_db > -60"
specsmear -B 0 -P 0 burst.au >notail.au
tail0=$(sox notail.au -n trim 0.5 0.5 stats 2>&1 | awk '/RMS lev dB/ {print $4}')
check "no tail without blur ($tail0 dB)" $PY -c "assert '$tail0' in ('-inf', '-nan') or float('$tail0') < -100"

# denormals: noise in the denormal range (what a decay ends in) goes through
# whole; that it and a decay into silence cost no more CPU than loud noise is
# timed in make bench, never here
$PY - <<'PY'
import struct
import numpy as np
def write(path, x, rate):
    hdr = struct.pack('>4s5I', b'.snd', 24, 0xffffffff, 6, rate, 1)
    open(path, 'wb').write(hdr + x.astype('>f4').tobytes())
r = np.random.default_rng(1)
write('loud.au', r.uniform(-0.5, 0.5, 48000 * 200), 48000)
write('tiny.au', r.uniform(-1, 1, 48000 * 5) * 1e-40, 48000)
PY
specsmear -B 1 -P 0.5 --seed 1 tiny.au >tiny-out.au
set -- $(cmpau tiny.au tiny-out.au)
check "denormal-range input: length kept, output finite (peak $6)" $PY -c "assert $1 == $2 and $6 < 1"
# memory is constant in the input's length: peak RSS on 200 s as on 5 s
sox loud.au short.au trim 0 5
rss() { $PY -c "
import resource, subprocess, sys
subprocess.run(['specsmear', '-B', '0.5', '-P', '0.5', sys.argv[1]], stdout=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)" "$1"; }
r1=$(rss short.au) r2=$(rss loud.au)
check "memory constant in length: ${r2} KiB for 200 s, ${r1} KiB for 5 s" $PY -c "assert $r2 < $r1 + 2048"
rm -f loud.au tiny.au tiny-out.au short.au

# odd inputs: one sample, silence, DC, 8 kHz, 192 kHz, 6 channels
printf '.snd\0\0\0\030\377\377\377\377\0\0\0\006\0\0\273\200\0\0\0\001\076\200\0\0' >one.au
specsmear one.au >one-out.au
set -- $(cmpau one.au one-out.au)
check "one sample in, one out" test "$1" -eq 1 -a "$2" -eq 1
sox -n -r 48000 -c 2 -e floating-point -b 32 silence.au trim 0 1
specsmear -B 1 -P 1 silence.au >sil-out.au
set -- $(cmpau silence.au sil-out.au)
check "silence stays silent and as long" $PY -c "assert $1 == $2 and $6 == 0"
sox -n -r 48000 -c 1 -e floating-point -b 32 dc.au synth 2 sine 0 dcshift 0.5 2>/dev/null ||
	$PY -c "
import struct; open('dc.au','wb').write(struct.pack('>4s5I', b'.snd', 24, 0xffffffff, 6, 48000, 1) + struct.pack('>f', 0.5) * 96000)"
specsmear -B 0.5 -P 0.5 --seed 2 dc.au >dc-out.au
set -- $(cmpau dc.au dc-out.au)
check "DC: same length, level within 2 dB ($5 vs $4 dB), no clip" $PY -c "assert $1 == $2 and abs($5 - $4) < 2 and $6 < 1"
for r in 8000 192000; do
	sox -n -r $r -c 1 -e floating-point -b 32 r$r.au synth 1 sine 300 gain -6
	specsmear -P 0.5 --seed 1 r$r.au >r$r-out.au
	check "$r Hz: rate kept" test "$(soxi -r r$r-out.au)" = $r
	set -- $(cmpau r$r.au r$r-out.au)
	check "$r Hz: length kept" test "$1" -eq "$2"
done
sox -n -r 48000 -c 6 -e floating-point -b 32 six.au synth 1 sine 200 sine 300 sine 400 sine 500 sine 600 sine 700 gain -6
specsmear --seed 1 six.au >six-out.au
check "6 channels kept" test "$(soxi -c six-out.au)" = 6
set -- $(cmpau six.au six-out.au)
check "6 channels: length kept" test "$1" -eq "$2"
check "file output by extension" specsmear --seed 1 -o out.flac --bits 24 break.au
check "flac output readable, 2 channels at 48 kHz" test "$(soxi -c out.flac) $(soxi -r out.flac)" = "2 48000"

# bad input and usage
printf '.snd\0\0\0\030\377\377\377\377\0\0\0\006\0\0\273\200\0\0\0\001\076\200\0\0\177\300\0\0' >nan.au
check_fail "NaN input: exit 1, one line" 1 "NaN" specsmear -o nan-out.wav nan.au
check "NaN input leaves no output file" sh -c '! ls nan-out.wav .nan-out* 2>/dev/null | grep -q .'
check_fail "odd --fft: usage error" 2 "odd" specsmear --fft 1001 break.au
check_fail "--hop above fft/2: usage error" 2 "hop" specsmear --hop 2000 --fft 2048 break.au
check_fail "--blur out of range: usage error" 2 "blur" specsmear --blur 2 break.au
check_fail "empty stdin: exit 1" 1 "empty" specsmear
check_fail "not audio: exit 1" 1 "." specsmear "$SHARDS_TOP/tests/spectral_compare.py"
check_fail "two inputs: usage error" 2 "one input" specsmear break.au sine.au
check "--print-config is a preset" sh -c 'specsmear --blur 0.3 --print-config | jq -e ".blur == 0.3"'

# threads: -j 1, the default and -j 3 write the same bytes, from a file and
# through a pipe (a stereo mix whose channels differ: drums left, pink noise
# right), and 6 channels on 4 threads; SHARDS_JOBS sets the default
sox -M break.au pink.au -e floating-point -b 32 lr.au remix 1 4 trim 0 4
specsmear -B 0.6 -P 0.8 --seed 11 -j 1 lr.au >j1.au
specsmear -B 0.6 -P 0.8 --seed 11 lr.au >jd.au
specsmear -B 0.6 -P 0.8 --seed 11 -j 3 lr.au >j3.au
cat lr.au | specsmear -B 0.6 -P 0.8 --seed 11 -j 3 | cat >j3p.au
trickle 4000 6 <lr.au | SHARDS_JOBS=2 specsmear -B 0.6 -P 0.8 --seed 11 >j2t.au
same_file "threads: the default, same bytes as -j 1" j1.au jd.au
same_file "threads: -j 3, same bytes as -j 1" j1.au j3.au
same_file "threads: -j 3 on a pipe, same bytes as -j 1" j1.au j3p.au
same_file "threads: SHARDS_JOBS=2, trickled, same bytes as -j 1" j1.au j2t.au
specsmear -B 0 -P 1 --seed 5 --fft 512 --hop 128 -j 1 lr.au >k1.au
specsmear -B 0 -P 1 --seed 5 --fft 512 --hop 128 -j 2 lr.au >k2.au
same_file "threads: phase only, fft 512 hop 128: -j 2 as -j 1" k1.au k2.au
specsmear --seed 1 -j 1 six.au >six1.au
specsmear --seed 1 -j 4 six.au >six4.au
same_file "threads: 6 channels on 4 threads, same bytes as -j 1" six1.au six4.au
check "-j, --jobs in --help" sh -c 'specsmear --help | grep -q -- "-j, --jobs"'
check_fail "-j 0: usage error" 2 "jobs" specsmear -j 0 break.au
check_fail "-j x: usage error" 2 "jobs" specsmear --jobs x break.au
