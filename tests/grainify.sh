#!/bin/sh
# tests/grainify.sh -- granular clouds: exact durations and no silent tail on
# real music (wesnoth-1.16-music) and generated material; junk grains (DC
# offset, clipping, silence) skipped and counted, the cloud clean of them (numpy
# bands and mean) while a control with the filter off is not; determinism by
# seed and block-size invariance; spread 0 gives identical channels; pitch 0
# keeps the centroid and +12 doubles it; pitch and --to-key measured by a
# numpy spectral peak on sine tones; brightness and centroid against numpy;
# grain counts, density, windows, the report; bad options exit 2 with one
# line, bad input 1.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# f32 FILE: mono-or-more raw floats for numpy, FILE.f32
f32() { sox "$1" -t f32 -e floating-point -b 32 "$1.f32"; }
# stats FILE CHANNELS: "frames rms_db tail_rms_db dc maxabs clipped" (tail: the last 0.5 s)
stats() {
	f32 "$1"
	$PY - "$1.f32" "$2" "$(soxi -r "$1")" <<'PYEOF'
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype='<f4').astype(float).reshape(-1, int(sys.argv[2]))
r = int(sys.argv[3])
db = lambda v: 10 * np.log10(np.mean(v ** 2) + 1e-20)
print(len(x), "%.2f %.2f %.5f %.4f %d" % (db(x), db(x[-r // 2:]), np.abs(x.mean(axis=0)).max(),
      np.abs(x).max(), int((np.abs(x) >= 0.999).sum())))
PYEOF
}
# peak FILE: the frequency of the strongest peak of the Welch power spectrum
# (16384-sample Hann frames, quarter hop, parabolic interpolation), Hz
peak() {
	f32 "$1"
	$PY - "$1.f32" "$(soxi -c "$1")" "$(soxi -r "$1")" <<'PYEOF'
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype='<f4').astype(float).reshape(-1, int(sys.argv[2])).mean(axis=1)
r = int(sys.argv[3]); n = 16384; w = np.hanning(n)
P = sum(np.abs(np.fft.rfft(x[i:i + n] * w)) ** 2 for i in range(0, len(x) - n, n // 4))
k = int(np.argmax(P)); a, b, c = np.log(P[k - 1:k + 2])
print("%.2f" % ((k + 0.5 * (a - c) / (a - 2 * b + c)) * r / n))
PYEOF
}
# centroid FILE: the centroid of the mean magnitude spectrum of 2048-sample Hann
# frames at a 512 hop of the mono mix (padmine's definition), Hz
centroid() {
	f32 "$1"
	$PY - "$1.f32" "$(soxi -c "$1")" "$(soxi -r "$1")" <<'PYEOF'
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype='<f4').astype(float).reshape(-1, int(sys.argv[2])).mean(axis=1)
r = int(sys.argv[3]); n = 2048; w = np.hanning(n + 1)[:n]
M = sum(np.abs(np.fft.rfft(x[i:i + n] * w)) for i in range(0, len(x) - n, n // 4))
k = np.arange(len(M))
print("%.1f" % ((M[1:] * k[1:]).sum() / M[1:].sum() * r / n))
PYEOF
}
# between A LO HI: LO <= A <= HI
between() { awk -v a="$1" -v l="$2" -v h="$3" 'BEGIN { exit !(a >= l && a <= h) }'; }

# ---- real music: wesnoth-1.16-music
M=/usr/share/games/wesnoth/1.16/data/core/music
if [ -f "$M/transience.ogg" ] && [ -f "$M/elvish-theme.ogg" ]; then
	for song in transience elvish-theme; do
		grainify -d 20 --seed 11 --report $song.json -o $song.wav "$M/$song.ogg"
		set -- $(stats $song.wav 2)
		check "$song: cloud of exactly 20 s (882000 frames; soxi and numpy agree)" \
			sh -c "[ \$(soxi -s $song.wav) = 882000 ] && [ $1 = 882000 ]"
		if between "$3" "$(echo "$2 - 3" | bc)" "$(echo "$2 + 3" | bc)"; then
			pass "$song: no silent tail (last 0.5 s at $3 dB, whole cloud $2 dB)"
		else fail "$song: no silent tail" "last 0.5 s $3 dB, whole $2 dB"; fi
		check "$song: clean: no DC (|mean| $4), peak $5 at -1 dBFS, $6 clipped samples" \
			sh -c "between() { awk -v a=\"\$1\" -v l=\"\$2\" -v h=\"\$3\" 'BEGIN { exit !(a >= l && a <= h) }'; };
			between $4 0 0.005 && between $5 0.885 0.8915 && [ $6 = 0 ]"
		check "$song: the report is JSON with every grain asked for and the skips counted" $PY -c "
import json
d = json.load(open('$song.json'))
g = d['grains']; s = g['skipped']
assert d['format'] == 'shards-grainify' and d['seed'] == 11, d
assert g['kept'] == g['asked'] == 200, g
assert g['drawn'] == g['kept'] + s['silent'] + s['clipped'] + s['dc'] + s['skewed'], g
assert d['cloud']['frames'] == 882000 and d['cloud']['brightness'] in ('dark', 'mid', 'bright')"
	done
	# pitch 0 keeps the colour of the music; an octave up (+12) doubles it
	grainify -d 12 -P 0 --seed 3 -o p0.wav "$M/transience.ogg"
	grainify -d 12 -P 12 --seed 3 -o p12.wav "$M/transience.ogg"
	sox "$M/transience.ogg" -r 44100 src.wav
	cs=$(centroid src.wav) c0=$(centroid p0.wav) c12=$(centroid p12.wav)
	if between "$c0" "$(echo "$cs * 0.8" | bc)" "$(echo "$cs * 1.25" | bc)"; then
		pass "music, pitch 0: cloud centroid $c0 Hz near the source's $cs Hz (within -20%..+25%)"
	else fail "music, pitch 0: centroid near the source's" "cloud $c0, source $cs"; fi
	if between "$c12" "$(echo "$c0 * 1.6" | bc)" "$(echo "$c0 * 2.4" | bc)"; then
		pass "music, pitch +12: centroid $c12 Hz about twice $c0 Hz"
	else fail "music, pitch +12: centroid about twice" "$c12 vs $c0"; fi
	# brightness: the report's centroid is padmine's definition, checked with numpy
	rc=$($PY -c "import json; print(json.load(open('transience.json'))['cloud']['centroid_hz'])")
	nc=$(centroid transience.wav)
	if between "$rc" "$(echo "$nc * 0.97" | bc)" "$(echo "$nc * 1.03" | bc)"; then
		pass "report centroid $rc Hz agrees with numpy's $nc Hz (3%)"
	else fail "report centroid agrees with numpy" "$rc vs $nc"; fi
	tag=$($PY -c "import json; print(json.load(open('transience.json'))['cloud']['brightness'])")
	want=$(awk -v c="$nc" 'BEGIN { print (c < 1000 ? "dark" : c > 3000 ? "bright" : "mid") }')
	check "tag '$tag' is what 1000/3000 Hz make of numpy's centroid ('$want')" [ "$tag" = "$want" ]
else
	fail "real music" "missing: install wesnoth-1.16-music (tests/packages.txt)"
fi

# ---- generated material: a chord with slow tremolo, stereo 48 kHz
sox -n -r 48000 -c 2 chord.wav synth 8 sine 220 sine 277.18 synth 8 sine mix 329.63 tremolo 0.5 20 gain -12
for d in 7.5 0.25min 1000smp; do
	grainify -d $d --seed 4 chord.wav >c.au
	want=$(awk -v d=$d 'BEGIN { if (d ~ /min$/) print 15 * 48000; else if (d ~ /smp$/) print d + 0; else print d * 48000 }')
	check "-d $d: exactly $want frames" sh -c "[ \$(soxi -s c.au) = $want ]"
done
grainify -d 7.5 --seed 4 chord.wav >c.au
set -- $(stats c.au 2)
if between "$3" "$(echo "$2 - 3" | bc)" "$(echo "$2 + 3" | bc)"; then pass "chord: no silent tail ($3 dB against $2 dB)"
else fail "chord: no silent tail" "$3 vs $2"; fi
grainify -d 8b -b 120 --seed 4 chord.wav >c.au
check "-d 8b at -b 120: 4 s" sh -c "[ \$(soxi -s c.au) = 192000 ]"
grainify -d 4 --grain 1/32..1/16 -b 120 --seed 4 --report nv.json -o nv.wav chord.wav
check "--grain in note values at --bpm: 62.5 ms .. 125 ms" $PY -c "
import json; g = json.load(open('nv.json'))['grains']; assert (g['min_frames'], g['max_frames']) == (3000, 6000), g"

# ---- determinism by seed; the input's arrival does not matter
grainify -d 5 --seed 9 chord.wav >s9a.au
grainify -d 5 --seed 9 chord.wav >s9b.au
grainify -d 5 --seed 10 chord.wav >s10.au
same_file "same seed, same bytes" s9a.au s9b.au
check "another seed, other bytes" sh -c "! cmp -s s9a.au s10.au"
sox chord.wav -t au -e floating-point -b 32 chord.au
grainify -d 5 --seed 9 chord.au >fromfile.au
grainify -d 5 --seed 9 <chord.au >fromstdin.au
trickle 3000 7 <chord.au | grainify -d 5 --seed 9 >trickled.au
same_file "stdin gives what the file gives" fromfile.au fromstdin.au
same_file "a trickling pipe gives the same bytes" fromfile.au trickled.au
grainify -d 5 chord.wav >picked.au 2>err.txt
seed=$(soxi -a picked.au | sed -n 's/^shards seed //p')
grainify -d 5 --seed "$seed" chord.wav >replay.au
f32 picked.au; f32 replay.au
check "a picked seed is in the AU header and replays the cloud" sh -c "[ -n '$seed' ] && cmp -s picked.au.f32 replay.au.f32"
grainify -d 10 --seed 9 chord.wav >long.au
f32 s9a.au; f32 long.au
check "a longer cloud from the same seed begins with the same grains (up to the gain)" $PY -c "
import numpy as np
a = np.fromfile('s9a.au.f32', dtype='<f4').astype(float)[2 * 480:2 * (5 * 48000 - 480)]
b = np.fromfile('long.au.f32', dtype='<f4').astype(float)[2 * 480:2 * (5 * 48000 - 480)]
g = (a * b).sum() / (a * a).sum()
assert np.abs(b - g * a).max() < 1e-5 and 0.3 < g < 3, (g, np.abs(b - g * a).max())"

grainify -d 5 --seed 9 --memory 1 chord.wav >rerender.au
same_file "a cloud rendered twice (longer than --memory) is the cloud kept in memory" s9a.au rerender.au

# ---- placement: spread 0 identical channels, --mono one channel
grainify -d 4 --spread 0 --seed 5 -o s0.wav chord.wav
f32 s0.wav
check "--spread 0: both channels carry the same samples" $PY -c "
import numpy as np
x = np.fromfile('s0.wav.f32', dtype='<f4').reshape(-1, 2)
assert np.array_equal(x[:, 0], x[:, 1]) and np.abs(x).max() > 0.5"
grainify -d 4 --spread 1 --seed 5 -o s1.wav chord.wav
f32 s1.wav
check "--spread 1: the channels differ, each grain panned at equal power" $PY -c "
import numpy as np
x = np.fromfile('s1.wav.f32', dtype='<f4').astype(float).reshape(-1, 2)
d = np.abs(x[:, 0] - x[:, 1]).max()
l, r = (x ** 2).mean(axis=0)
assert d > 0.1, d
assert 0.5 < l / r < 2, (l, r)"
# one grain of 100 ms placed end to end: every placement has the same power (L^2 + R^2)
# however it is panned, and the pans differ
grainify -d 4 -n 1 -g 100ms -O 0 --jitter 0 -s 1 -P 0 --seed 5 -o ep.wav chord.wav
f32 ep.wav
check "equal-power pan: each placement's L^2 + R^2 is the same, its balance is not" $PY -c "
import numpy as np
x = np.fromfile('ep.wav.f32', dtype='<f4').astype(float).reshape(-1, 4800, 2)[1:-1]
p = (x ** 2).sum(axis=(1, 2)); bal = (x[:, :, 0] ** 2).sum(axis=1) / p
assert p.std() / p.mean() < 1e-4, p
assert bal.max() - bal.min() > 0.5, bal"
grainify -d 4 --mono --seed 5 -o m.wav chord.wav
check "--mono: one channel" sh -c "[ \$(soxi -c m.wav) = 1 ] && [ \$(soxi -s m.wav) = 192000 ]"

# ---- pitch: each grain resampled; measured by a numpy spectral peak on a sine
sox -n -r 44100 -c 1 a440.wav synth 12 sine 440 gain -6
for p in 0 12 -5 7; do
	grainify -d 10 -P $p --grain 200ms..400ms --seed 6 -o p.wav a440.wav
	f=$(peak p.wav) want=$(awk -v p=$p 'BEGIN { printf "%.2f", 440 * 2 ^ (p / 12) }')
	if between "$f" "$(echo "$want * 0.99" | bc)" "$(echo "$want * 1.01" | bc)"; then
		pass "--pitch $p: peak at $f Hz (want $want, 1%)"
	else fail "--pitch $p: peak at the transposed frequency" "$f Hz, want $want"; fi
done
sox -n -r 44100 -c 1 a330.wav synth 12 sine 330 gain -6
grainify -d 10 -P 0 --seed 6 -o c0.wav a330.wav
c_src=$(centroid a330.wav) c_cl=$(centroid c0.wav)
if between "$c_cl" "$(echo "$c_src * 0.95" | bc)" "$(echo "$c_src * 1.05" | bc)"; then
	pass "sine, pitch 0: centroid $c_cl Hz within 5% of the source's $c_src Hz"
else fail "sine, pitch 0: centroid kept" "$c_cl vs $c_src"; fi

# ---- --to-key: the source's key detected as keydetect finds it, the centre moved;
# an A major chord on a loud A (a lone sine has no key: keydetect says none)
sox -n -r 44100 -c 1 cs.wav synth 12 sine 554.37 gain -12
sox -n -r 44100 -c 1 e.wav synth 12 sine 659.26 gain -12
sox -m a440.wav cs.wav e.wav amaj.wav
check "keydetect reads the A chord as A major" sh -c "keydetect amaj.wav | grep -q '^A major'"
grainify -d 10 -P 0 -k C --grain 200ms..400ms --seed 6 --report key.json -o k.wav amaj.wav
f=$(peak k.wav)
if between "$f" 517.98 528.48; then pass "--to-key C from A: +3 semitones, peak $f Hz (want 523.25, 1%)"
else fail "--to-key C from A" "$f Hz, want 523.25"; fi
check "the report names the keys and the shift" $PY -c "
import json; k = json.load(open('key.json'))['key']
assert k['from'] == 'A major' and k['detected'] and k['to'] == 'C major' and k['shift'] == 3, k"
grainify -d 10 -P 0 -k Eb --from-key A --grain 200ms..400ms --seed 6 -o k2.wav amaj.wav
f=$(peak k2.wav)
if between "$f" 616.03 628.47; then pass "--from-key A --to-key Eb: a tritone goes up (+6), peak $f Hz (want 622.25)"
else fail "--from-key A --to-key Eb" "$f Hz, want 622.25"; fi
sox -n -r 44100 -c 2 am.wav synth 12 sine 220 sine 261.63 synth 12 sine mix 329.63 gain -10
grainify -v -d 2 -P 0 -k Cm --seed 1 am.wav 2>key.err >/dev/null
check "an A minor chord to C minor: +3 (said with -v)" grep -q "source key A minor (detected), target C minor: +3 semitones" key.err

# ---- junk: a pure tone with a DC-offset, a clipped and a silent stretch
# 2 s sine 330 at -12 dB | 2 s sine 550 at 0.2 + 0.5 DC | 2 s sine 1000 driven
# to +10 dB and clipped | 2 s silence | 2 s sine 330 again
sox -n -r 44100 -c 1 tone.wav synth 2 sine 330 gain -12
sox -n -r 44100 -c 1 dc.wav synth 2 sine 550 gain -14 dcshift 0.5
sox -n -r 44100 -c 1 clip.wav synth 2 sine 1000 gain 10 2>/dev/null
sox -n -r 44100 -c 1 sil.wav trim 0 2
sox tone.wav dc.wav clip.wav sil.wav tone.wav junk.wav
bands() { # FILE: "dc share550 share1000 share3000" of the power, against the 330 Hz band
	f32 "$1"
	$PY - "$1.f32" "$(soxi -c "$1")" <<'PYEOF'
import sys, numpy as np
x = np.fromfile(sys.argv[1], dtype='<f4').astype(float).reshape(-1, int(sys.argv[2])).mean(axis=1)
P = np.abs(np.fft.rfft(x * np.hanning(len(x)))) ** 2; f = np.fft.rfftfreq(len(x), 1 / 44100)
band = lambda c: P[(f > c * 0.9) & (f < c * 1.1)].sum()
ref = band(330)
print("%.5f %.3g %.3g %.3g" % (abs(x.mean()), band(550) / ref, band(1000) / ref, band(3000) / ref))
PYEOF
}
grainify -d 10 -P 0 --max-skew 0 --seed 8 --report junk.json -o clean.wav junk.wav 2>junk.err
check "junk source: silent, clipped and DC-offset grains skipped and counted" $PY -c "
import json; g = json.load(open('junk.json'))['grains']; s = g['skipped']
assert s['silent'] > 10 and s['clipped'] > 10 and s['dc'] > 10, s
assert g['kept'] == 200, g"
set -- $(bands clean.wav)
check "junk source: the cloud is clean: |mean| $1, 550 Hz $2, 1 kHz $3, 3 kHz $4 of the tone's power" \
	awk -v d="$1" -v a="$2" -v b="$3" -v c="$4" 'BEGIN { exit !(d < 0.002 && a < 0.01 && b < 0.01 && c < 0.001) }'
grainify -d 10 -P 0 --rms-floor -200 --max-clip 1 --max-dc 1 --max-skew 0 --seed 8 -o dirty.wav junk.wav
set -- $(bands dirty.wav)
check "control, filter off: the junk is in the cloud (|mean| $1, 550 Hz $2, 1 kHz $3, 3 kHz $4)" \
	awk -v d="$1" -v a="$2" -v b="$3" -v c="$4" 'BEGIN { exit !(d > 0.01 && a > 0.05 && b > 0.05 && c > 0.005) }'
grainify -v -d 2 -P 0 --max-skew 0 --seed 8 junk.wav 2>junk.err >/dev/null
check "-v names the skips on stderr" grep -Eq "grainify: 200 grains from [0-9]+ candidates; skipped [1-9][0-9]* silent, [1-9][0-9]* clipped, [1-9][0-9]* DC offset, 0 spectrally skewed" junk.err
# spectral skew: hiss bursts in a low tone lean far from the source's centroid
sox -n -r 44100 -c 1 hiss.wav synth 1 whitenoise gain -20 highpass 6000
sox tone.wav hiss.wav tone.wav tone.wav skew.wav
grainify -d 4 -P 0 --seed 8 --report skew.json -o noskew.wav skew.wav
check "hiss bursts in a tone are skipped as spectrally skewed" $PY -c "
import json; s = json.load(open('skew.json'))['grains']['skipped']; assert s['skewed'] > 10, s"
set -- $(bands noskew.wav)
check "and the cloud keeps none of the hiss (3 kHz band $4)" awk -v c="$4" 'BEGIN { exit !(c < 0.001) }'
check_fail "silence alone: no usable grain, the counts in one line" 1 \
	"grainify: sil.wav: no usable grain: [0-9]+ candidates drawn, [0-9]+ silent" grainify -d 1 sil.wav

# ---- counts, density, windows
grainify -d 4 -n 8 --seed 2 --report n8.json chord.wav >/dev/null
check "-n 8: a pool of 8 grains, cycled over the whole cloud" $PY -c "
import json; d = json.load(open('n8.json')); assert d['grains']['kept'] == 8 and d['cloud']['placements'] > 40, d"
grainify -d 10 -D 20 --grain 100ms --seed 2 --report d20.json chord.wav >/dev/null
check "-D 20: twenty grains a second (placements over the cloud and the pre-roll)" $PY -c "
import json; p = json.load(open('d20.json'))['cloud']['placements']; assert 199 <= p <= 203, p"
for w in hann triangle tukey gauss blackman; do
	grainify -d 2 -w $w --seed 2 chord.wav >w.au
	check "--window $w makes a cloud" sh -c "[ \$(soxi -s w.au) = 96000 ]"
done
grainify -d 2 --peak -12 --seed 2 -o pk.wav chord.wav
set -- $(stats pk.wav 2)
near "--peak -12: the peak is -12 dBFS" "$5" 0.2512 0.0005

# ---- bad options: one line, status 2; bad input: one line, status 1
check_fail "--grain MIN above MAX" 2 "grainify: --grain 200ms..40ms: MIN is longer than MAX" grainify --grain 200ms..40ms chord.wav
check_fail "--grain not a duration" 2 "grainify: --grain: 'x' is not a duration" grainify --grain x..40ms chord.wav
check_fail "--grain beyond 2 s" 2 "grainify: --grain 1s..3s: outside 1ms..2s" grainify --grain 1s..3s chord.wav
check_fail "a negative duration" 2 "grainify: .*-5.*positive duration" grainify -d -5 chord.wav
check_fail "a zero duration" 2 "grainify: .*positive duration" grainify -d 0 chord.wav
check_fail "--pitch LO above HI" 2 "grainify: .*MIN is greater than MAX" grainify -P 7..-7 chord.wav
check_fail "--pitch out of range" 2 "grainify: .*out of range -36..36" grainify -P 0..48 chord.wav
check_fail "an unknown window" 2 "grainify: .*'square' is not one of hann\|triangle\|tukey\|gauss\|blackman" grainify -w square chord.wav
check_fail "--overlap 1" 2 "grainify: -O: 1 is out of range 0..0.95" grainify -O 1 chord.wav
check_fail "--density with --overlap" 2 "grainify: --density and --overlap exclude each other" grainify -D 10 -O 0.5 chord.wav
check_fail "--spread with --mono" 2 "grainify: --spread .* --mono" grainify --mono -s 0.5 chord.wav
check_fail "an unknown key" 2 "grainify: --to-key: " grainify -k H chord.wav
check_fail "--from-key alone" 2 "grainify: --from-key needs --to-key" grainify --from-key A chord.wav
check_fail "beats without a tempo" 2 "grainify: --duration: .*needs --bpm" grainify -d 8b chord.wav
check_fail "--report - with the cloud on stdout" 2 "grainify: --report -: " grainify --report - chord.wav
check_fail "two sources" 2 "grainify: " grainify chord.wav chord.wav
check_fail "a missing file" 1 "grainify: .*nosuch.wav" grainify nosuch.wav
printf 'not audio at all\n' >text.wav
check_fail "a file that is not audio" 1 "grainify: .*text.wav" grainify -o out.wav text.wav
check "no output file is left behind" test ! -e out.wav
check_fail "a source shorter than a grain" 1 "grainify: .*too short for a grain" \
	sh -c "sox -V1 -n -r 44100 -c 1 -t au - synth 0.01 sine 300 | grainify >/dev/null"
check_fail "empty stdin" 1 "grainify: " sh -c "grainify </dev/null >/dev/null"
