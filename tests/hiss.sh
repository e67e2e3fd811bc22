#!/bin/sh
# tests/hiss.sh -- hiss loops and flicker bursts, checked with numpy: real drums
# (a kit of Debian's hydrogen-drumkits) give hiss in the band asked for (energy
# measured inside and outside it), high-pass mode keeps the highs, loops are
# seamless (three repetitions: no jump, no kink at the wrap; on steady noise no
# level step either, where a loop cut short does step), lengths exact (seconds,
# samples, beats), the tremolo pulses at whole cycles per loop, synthetic noise
# when no input is named (stereo, each channel its own), flicker bursts counted
# by an envelope threshold with their lengths and gaps as asked, determinism by
# seed (a picked seed, carried in the output, replays the run) and block-size
# invariance, -o by extension, and bad input in one line with the suite's exit
# statuses (2 usage, 1 runtime) and no file left behind.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# ---- analysis in numpy: every measure is its own code, not the program's
cat >an.py <<'PYEOF'
import os, sys, subprocess, numpy as np
sys.path.insert(0, os.environ['SHARDS_TOP'] + '/tests')
from audio_np import rd
def spectrum(f):
    x, rate = rd(f)
    m = x.mean(axis=1)
    return np.abs(np.fft.rfft(m)) ** 2, np.fft.rfftfreq(len(m), 1 / rate)
def share(f, lo, hi):
    """fraction of the energy between lo and hi Hz"""
    p, fr = spectrum(f)
    return p[(fr >= lo) & (fr <= hi)].sum() / p.sum()
def seam(f):
    """jump and curvature across the wraps of three repetitions, against the largest inside"""
    x, _ = rd(f)
    n = len(x)
    y = np.concatenate([x, x, x])
    d = np.abs(np.diff(y, axis=0)).max(axis=1)
    d2 = np.abs(np.diff(y, 2, axis=0)).max(axis=1)
    s1 = [n - 1, 2 * n - 1]
    s2 = [n - 2, n - 1, 2 * n - 2, 2 * n - 1]
    return max(d[s1]), np.delete(d, s1).max(), max(d2[s2]), np.delete(d2, s2).max()
def level_step(f, ms=20):
    """dB between the RMS of the last and of the first MS ms (the level across the wrap)"""
    x, rate = rd(f)
    k = int(rate * ms / 1000)
    a = np.sqrt((x[-k:] ** 2).mean()); b = np.sqrt((x[:k] ** 2).mean())
    return abs(20 * np.log10(a / b))
def runs(mask):
    e = np.diff(np.concatenate([[0], mask.astype(int), [0]]))
    return list(zip(np.flatnonzero(e == 1), np.flatnonzero(e == -1)))
def bursts(f, merge_ms=50):
    """bursts by an envelope threshold: |x| smoothed over 5 ms above -60 dB of the
    peak, runs closer than merge_ms joined; (start, length) in seconds"""
    x, rate = rd(f)
    a = np.abs(x).max(axis=1)
    w = max(1, int(rate * 0.005))
    env = np.convolve(a, np.ones(w) / w, mode='same')
    r = runs(env > a.max() * 1e-3)
    out = []
    for s, e in r:
        if out and s - out[-1][1] < merge_ms * rate / 1000:
            out[-1][1] = e
        else:
            out.append([s, e])
    return [(s / rate, (e - s) / rate) for s, e in out]
def nonzero(f):
    """exact runs of non-zero frames and the zero gaps between them, in frames"""
    x, rate = rd(f)
    r = runs(np.abs(x).max(axis=1) > 0)
    return [e - s for s, e in r], [r[i + 1][0] - r[i][1] for i in range(len(r) - 1)], rate
def trem(f):
    """the strongest rate of the RMS envelope (10 ms frames), and its min/max ratio"""
    x, rate = rd(f)
    w = rate // 100
    m = len(x) // w
    e = np.sqrt((x[:m * w].reshape(m, w, -1) ** 2).mean(axis=(1, 2)))
    s = np.abs(np.fft.rfft(e - e.mean()))
    fr = np.fft.rfftfreq(m, 0.01)
    sm = np.convolve(e, np.ones(5) / 5, mode='valid')
    return fr[s.argmax()], sm.min() / sm.max()
cmd = sys.argv[1]; a = sys.argv[2:]
if cmd == 'share': print('%.4f' % share(a[0], float(a[1]), float(a[2])))
elif cmd == 'seam': print('%.6f %.6f %.6f %.6f' % seam(a[0]))
elif cmd == 'step': print('%.3f' % level_step(a[0]))
elif cmd == 'bursts': print(' '.join('%.4f:%.4f' % b for b in bursts(a[0])))
elif cmd == 'trem': print('%.3f %.3f' % trem(a[0]))
elif cmd == 'corr':
    x, _ = rd(a[0]); print('%.4f' % abs(np.corrcoef(x[:, 0], x[:, 1])[0, 1]))
elif cmd == 'peak':
    x, _ = rd(a[0]); print('%.3f' % (20 * np.log10(np.abs(x).max())))
elif cmd == 'nonzero':
    lens, gaps, rate = nonzero(a[0])
    print(len(lens), min(lens), max(lens), min(gaps) if gaps else 0, max(gaps) if gaps else 0, rate)
PYEOF
an() { $PY an.py "$@"; }
# awk as an assertion: ok "what" 'condition on a, b, ...' a=... b=...
ok() {
	_what=$1 _cond=$2; shift 2
	if awk "$@" "BEGIN { exit !($_cond) }" </dev/null; then pass "$_what"; else fail "$_what" "$*"; fi
}
seamless() { # NAME FILE: no jump and no kink at the wraps of three repetitions
	set -- "$1" "$2" $(an seam "$2")
	ok "$1: three repetitions have no click at the wraps (jump $3 vs $4 inside, curvature $5 vs $6)" \
		'j <= m && c <= 1.5 * k' -v j="$3" -v m="$4" -v c="$5" -v k="$6"
}
steady() { # NAME FILE: steady material (noise) keeps its level across the wrap
	set -- "$1" "$(an step "$2")"
	ok "$1: no level step across the wrap ($2 dB)" 's < 1' -v s="$2"
}

# ---- real material: a bar of a hydrogen kit, kick, snare and hats, looped
K=/usr/share/hydrogen/data/drumkits/GMRockKit
if [ ! -f "$K/Kick-Hard.wav" ]; then
	fail "real material" "missing $K: install hydrogen-drumkits (tests/packages.txt)"
	exit 0
fi
# one hit per eighth note at 120 BPM: kick, hat, snare, hat, ..., an open hat at the end
i=0
for s in Kick-Hard HatClosed-Hard Snare-Hard HatClosed-Med Kick-Med HatClosed-Hard Snare-Hardest HatOpen-Hard; do
	sox "$K/$s.wav" -r 44100 -c 2 -b 16 "hit$i.wav" trim 0 0.25 pad 0 0.25 trim 0 0.25 2>/dev/null
	i=$((i + 1))
done
sox hit0.wav hit1.wav hit2.wav hit3.wav hit4.wav hit5.wav hit6.wav hit7.wav bar.wav
sox bar.wav bar.wav bar.wav bar.wav drums.wav
check "real drums: four bars (8 s) of a GM rock kit, stereo, 44.1 kHz" sh -c "[ \$(soxi -s drums.wav) = 352800 ] && [ \$(soxi -c drums.wav) = 2 ]"
in_share=$(an share drums.wav 4000 15000)
ok "control: the drums hold little in 4..15 kHz ($in_share of their energy)" 's < 0.3' -v s="$in_share"

# ---- a loop from the drums: AU float, exactly 2 s, in the band, seamless
hiss --seed 1 drums.wav >loop.au
check "a loop from the drums is AU float on stdout, stereo as its input" sh -c "[ \$(soxi -t loop.au) = au ] && [ \$(soxi -b loop.au) = 32 ] && [ \$(soxi -c loop.au) = 2 ]"
check "the default loop is exactly 2 s (88200 frames)" test "$(soxi -s loop.au)" = 88200
s_in=$(an share loop.au 4000 15000) s_near=$(an share loop.au 2828 21213)
ok "the loop's energy lies in --band 4000..15000 ($s_in inside, $s_near within half an octave of it)" \
	'a >= 0.8 && b >= 0.97' -v a="$s_in" -v b="$s_near"
seamless "drums loop" loop.au
p=$(an peak loop.au)
ok "normalised to the default peak, -6 dBFS ($p)" 'p > -6.01 && p < -5.99' -v p="$p"

# another band, and high-pass mode
hiss --seed 1 --band 1500..5000 -t 0 drums.wav >b2.au
s_in=$(an share b2.au 1500 5000) s_hi=$(an share b2.au 7071 22050)
ok "--band 1500..5000: energy inside ($s_in), little above half an octave past it ($s_hi)" \
	'a >= 0.8 && b < 0.03' -v a="$s_in" -v b="$s_hi"
seamless "--band 1500..5000" b2.au
hiss --seed 1 --filter highpass --highpass 8000 drums.wav >hp.au
s_lo=$(an share hp.au 0 8000) s_far=$(an share hp.au 0 5657)
ok "--filter highpass --highpass 8000: little below 8 kHz ($s_lo), less below 5.7 kHz ($s_far)" \
	'a < 0.2 && b < 0.03' -v a="$s_lo" -v b="$s_far"
seamless "high-pass loop" hp.au

# ---- lengths exactly as asked
hiss --seed 2 -d 1.337 drums.wav >d1.au
check "-d 1.337: round(1.337 x 44100) = 58962 frames" test "$(soxi -s d1.au)" = 58962
seamless "-d 1.337" d1.au
hiss --seed 2 -d 9000smp drums.wav >d2.au
check "-d 9000smp: 9000 frames" test "$(soxi -s d2.au)" = 9000
hiss --seed 2 -b 120 -d 1b drums.wav >d3.au
check "-b 120 -d 1b: a beat, 22050 frames" test "$(soxi -s d3.au)" = 22050
hiss --seed 2 -b 90 -d 1/1 -r 48000 drums.wav >d4.au
check "-b 90 -d 1/1 -r 48000: a bar of 4/4 at 90 BPM resampled, 128000 frames at 48 kHz" \
	sh -c "[ \$(soxi -s d4.au) = 128000 ] && [ \$(soxi -r d4.au) = 48000 ]"

# ---- the tremolo, measured on steady noise: whole cycles in the loop, seamless
hiss --seed 3 -d 2 -t 2.3 -T 0.8 >t.au
set -- $(an trem t.au)
ok "-t 2.3 in a 2 s loop pulses at 2.5 Hz, five whole cycles (envelope peak $1 Hz)" 'r > 2.4 && r < 2.6' -v r="$1"
ok "-T 0.8 dips the level to about 0.2 (smoothed envelope min/max $2)" 'd > 0.12 && d < 0.3' -v d="$2"
seamless "tremolo loop" t.au
steady "tremolo loop" t.au
# control: the same loop cut short by a quarter cycle steps in level at the wrap
sox t.au tcut.au trim 0 1.9
st=$(an step tcut.au)
ok "control: that loop cut 0.1 s short steps in level at the wrap ($st dB)" 's > 3' -v s="$st"
hiss --seed 3 -t 0.5..6 -T 0.2..0.9 >tr.au
seamless "tremolo drawn within ranges" tr.au
steady "tremolo drawn within ranges" tr.au
hiss --seed 3 -d 2 -t 0 >t0.au
set -- $(an trem t0.au)
ok "-t 0: no tremolo (smoothed envelope min/max $2)" 'd > 0.8' -v d="$2"
hiss --seed 3 -d 2 -t 2.3 -T 0.8 drums.wav >td.au
seamless "tremolo loop from the drums" td.au

# ---- synthetic noise when no input is named
hiss -d 8 --seed 4 >n.au
check "hiss -d 8: 8 s of noise hiss, 48 kHz stereo" sh -c "[ \$(soxi -s n.au) = 384000 ] && [ \$(soxi -r n.au) = 48000 ] && [ \$(soxi -c n.au) = 2 ]"
s_in=$(an share n.au 4000 15000) s_near=$(an share n.au 2828 21213) c=$(an corr n.au)
ok "noise hiss lies in the band ($s_in inside, $s_near within half an octave)" 'a >= 0.9 && b >= 0.99' -v a="$s_in" -v b="$s_near"
ok "each channel is its own noise (correlation $c)" 'c < 0.05' -v c="$c"
seamless "noise loop" n.au
steady "noise loop" n.au
hiss -d 1 -c 1 -r 22050 --band 2000..8000 --seed 4 >n1.au
check "-c 1 -r 22050: mono at 22.05 kHz" sh -c "[ \$(soxi -c n1.au) = 1 ] && [ \$(soxi -r n1.au) = 22050 ] && [ \$(soxi -s n1.au) = 22050 ]"

# ---- determinism: the seed decides every byte; the pipe's pace decides none
hiss --seed 1 drums.wav >again.au
same_file "same seed, same input: the same bytes" loop.au again.au
hiss --seed 9 drums.wav >other.au
check "another seed: another loop" sh -c "! cmp -s loop.au other.au"
hiss -d 8 --seed 4 >n2.au
same_file "noise: same seed, same bytes" n.au n2.au
hiss -d 8 --seed 5 >n3.au
check "noise: another seed, other bytes" sh -c "! cmp -s n.au n3.au"
sox drums.wav -t au -e floating-point -b 32 drums.au
hiss --seed 1 drums.au >fromfile.au
hiss --seed 1 - <drums.au >fromstdin.au
same_file "stdin (-) gives what the file gives" fromfile.au fromstdin.au
trickle 3000 7 <drums.au | hiss --seed 1 - >trickled.au
same_file "a trickling pipe gives the same bytes" fromfile.au trickled.au
hiss -F 4 --seed 6 drums.wav >fa.au; hiss -F 4 --seed 6 drums.wav >fb.au
same_file "flicker bursts: same seed, same bytes" fa.au fb.au

# a picked seed is carried in the output (the AU annotation) and replays the run
hiss -d 1 >picked.au 2>picked.err
seed=$(soxi -a picked.au | sed -n 's/^shards seed //p')
check "no --seed: the picked seed is in the AU annotation ($seed), nothing on stderr" \
	sh -c "[ -n '$seed' ] && [ ! -s picked.err ]"
hiss -d 1 --seed "$seed" >replayed.au
sox picked.au -t f32 picked.f32; sox replayed.au -t f32 replayed.f32
same_file "--seed $seed replays the same samples" picked.f32 replayed.f32

# ---- flicker bursts: count, lengths and gaps
hiss -F 7 --burst 40..300 --gap 150..400 --seed 7 >fl.au
b=$(an bursts fl.au)
n=$(echo "$b" | wc -w)
check "-F 7 (noise): 7 bursts by an envelope threshold ($n)" test "$n" = 7
ok "each burst 40..300 ms long, by the threshold ($b)" "$(echo "$b" | awk '{ c = "1"; for (i = 1; i <= NF; i++) { split($i, p, ":"); c = c " && " p[2] " >= 0.030 && " p[2] " <= 0.301" } print c }')"
set -- $(an nonzero fl.au)
ok "exactly: 7 runs of sound, 40..300 ms (less a silent first and last frame), gaps 150..400 ms ($*)" \
	'n == 7 && lo >= 0.040 * r - 2 && hi <= 0.300 * r && glo >= 0.150 * r && ghi <= 0.400 * r + 2' \
	-v n="$1" -v lo="$2" -v hi="$3" -v glo="$4" -v ghi="$5" -v r="$6"
hiss -F 5 --burst 100 --gap 200 -c 1 --seed 7 >fx.au
check "-F 5 --burst 100 --gap 200: 5 x 0.1 s + 4 x 0.2 s = 1.3 s exactly" test "$(soxi -s fx.au)" = 62400
set -- $(an nonzero fx.au)
ok "...five bursts of 100 ms, gaps of 200 ms ($*)" 'n == 5 && lo >= 4798 && hi == 4798 && glo == 9602 && ghi == 9602' \
	-v n="$1" -v lo="$2" -v hi="$3" -v glo="$4" -v ghi="$5"
p=$(an peak fx.au)
ok "each burst normalised to -6 dBFS ($p)" 'p > -6.01 && p < -5.99' -v p="$p"
hiss -F 6 --seed 8 drums.wav >fd.au
b=$(an bursts fd.au)
n=$(echo "$b" | wc -w)
check "-F 6 from the drums: 6 bursts by the envelope threshold ($b)" test "$n" = 6
s_in=$(an share fd.au 4000 15000)
ok "the drum bursts lie in the band ($s_in)" 'a >= 0.8' -v a="$s_in"

# ---- -o FILE by extension, whole or not at all
hiss --seed 1 -o out.wav drums.wav
check "-o out.wav: a WAV file, the stdout loop's samples" sh -c "[ \$(soxi -t out.wav) = wav ] && [ \$(soxi -s out.wav) = 88200 ]"
hiss --seed 1 -o out.flac --bits 24 drums.wav
check "-o out.flac --bits 24: FLAC, 24-bit" sh -c "[ \$(soxi -t out.flac) = flac ] && [ \$(soxi -b out.flac) = 24 ]"
check "no temporary file left" sh -c "! ls -A | grep -q '^\.out\.'"

# ---- bad input: one line, the suite's statuses, no file
check_fail "inverted --band is a usage error" 2 "^hiss: --band: '15000..4000': MIN is greater than MAX" hiss --band 15000..4000 -o bad.wav
check_fail "an empty --band is a usage error" 2 "^hiss: --band 4000..4000: the low edge must be below the high one" hiss --band 4000..4000
check_fail "inverted --burst is a usage error" 2 "^hiss: --burst: '500..30': MIN is greater than MAX" hiss -F 3 --burst 500..30
check_fail "a negative duration is a usage error" 2 "^hiss: -d: '-2' must be a positive duration" hiss -d -2
check_fail "a negative gap is a usage error" 2 "^hiss: --gap: -5..10 is out of range" hiss -F 2 --gap -5..10
check_fail "bursts that could outlast an hour are a usage error" 2 "^hiss: -F 1000 bursts of up to 10000 ms with gaps of up to 400 ms may take 10400 s: more than 3600 s" hiss -F 1000 --burst 10000
check_fail "a loop shorter than two crossfades is a usage error" 2 "^hiss: --duration: 0.05 s is shorter than two crossfades" hiss -d 0.05
check_fail "beats without a tempo are a usage error" 2 "^hiss: --duration: .*--bpm" hiss -d 4b
check_fail "a band above the rate asked for is a usage error" 2 "^hiss: --band 4000..15000 Hz reaches too high for 16000 Hz audio" hiss -r 16000
sox -n -r 16000 -c 1 low.wav synth 3 noise
check_fail "a band above an input's rate is a runtime error" 1 "^hiss: low.wav: --band 4000..15000 Hz reaches too high for 16000 Hz audio" hiss low.wav
check_fail "an unreadable file" 1 "^hiss: nope.wav: " hiss -o bad.wav nope.wav
head -c 5000 /dev/urandom >garbage.wav
check_fail "garbage" 1 "^hiss: garbage.wav: " hiss -o bad.wav garbage.wav
check_fail "empty stdin" 1 "^hiss: " sh -c "hiss - </dev/null >/dev/null"
sox -n -r 44100 -c 2 short.wav synth 0.5 noise
check_fail "a source shorter than the loop" 1 "^hiss: short.wav: 0.500 s of audio is too short for a loop of 2.000 s and its crossfade: it needs 2.050 s" hiss -o bad.wav short.wav
sox -n -r 44100 -c 1 tone.wav synth 3 sine 300
check_fail "a low tone has nothing in the band" 1 "^hiss: tone.wav: nothing in 4000..15000 Hz to make hiss from: the band is [0-9]+ dB below the sound" hiss -o bad.wav tone.wav
sox -n -r 44100 -c 1 silence.wav trim 0 3
check_fail "digital silence" 1 "^hiss: silence.wav: nothing in 4000..15000 Hz to make hiss from: digital silence" hiss -o bad.wav silence.wav
check_fail "a source shorter than a burst" 1 "^hiss: short.wav: 0.500 s of audio is too short for a flicker burst of 0.800 s: it needs 0.800 s" \
	hiss -F 2 --burst 800 -o bad.wav short.wav
check "no output file after any failure" test ! -e bad.wav
check_fail "a second operand is a usage error" 2 "^hiss: " hiss drums.wav drums.wav
