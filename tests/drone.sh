#!/bin/sh
# tests/drone.sh -- the drone maker: -d writes one file per stretch x pitch x
# variant with the documented names and nothing else; every length is exactly
# round(source frames x stretch) (lib/dsp/stretch makes it exact: tolerance 0
# frames); the pitch of a sine moves by 2^(p/12) (numpy FFT peak, within 1%);
# the colours differ as named (numpy spectral centroid: warm and dark below airy);
# --to-key takes a drone in C to the target's tonic (FFT peak's pitch class); the
# peak after --normalize (numpy); --mono; the same bytes on a re-run, from stdin
# and from a trickling pipe; bad input in one line with status 2 (usage) or 1
# (runtime), no file left. Real material: a Wesnoth track (wesnoth-1.16-music,
# read as OGG) and tones from sox.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# centroid FILE: magnitude-weighted mean frequency of the mono mix's spectrum (Hz)
cat >centroid.py <<'PYEOF'
import subprocess, sys
import numpy as np
raw = subprocess.run(['sox', sys.argv[1], '-t', 'f32', '-c', '1', '-'], capture_output=True, check=True).stdout
rate = int(subprocess.run(['soxi', '-r', sys.argv[1]], capture_output=True, text=True).stdout)
x = np.frombuffer(raw, dtype='<f4').astype(float)
m = np.abs(np.fft.rfft(x)); f = np.fft.rfftfreq(len(x), 1 / rate)
print(round(float((m * f).sum() / m.sum())))
PYEOF
peak() { $PY "$SHARDS_TOP/tests/audio_np.py" peak "$1"; }
centroid() { $PY centroid.py "$1"; }
pct() { $PY -c "import sys; a, b = float(sys.argv[1]), float(sys.argv[2]); sys.exit(0 if abs(a - b) <= 0.01 * b else 1)" "$1" "$2"; }
# pitch class (0 = C) of a frequency
pclass() { $PY -c "import math, sys; print(round(12 * math.log2(float(sys.argv[1]) / 440) + 9) % 12)" "$1"; }

# ---- material
music=/usr/share/games/wesnoth/1.16/data/core/music/defeat.ogg
if [ -f "$music" ]; then
	sox "$music" real.ogg trim 2 2 # 2 s of a real track, kept as OGG (read through libsndfile)
else
	fail "real material" "missing $music: install wesnoth-1.16-music"
	sox -n -r 44100 -c 2 real.ogg synth 2 pluck A3 pluck E4 gain -6
fi
sox -n -r 44100 -c 1 sine.wav synth 1 sine 440 gain -6
# a drone in C: C4 loud (the FFT's peak), E4 and G4 10 dB softer, so the key is
# plainly C major to the detector (one bare sine carries no mode, and may carry no key)
sox -n -r 44100 -c 1 c4.wav synth 1 sine 261.63 gain -6
sox -n -r 44100 -c 1 e4.wav synth 1 sine 329.63 gain -12
sox -n -r 44100 -c 1 g4.wav synth 1 sine 392.00 gain -12
sox -m c4.wav e4.wav g4.wav ctone.wav
sox -n -r 44100 -c 2 pink.wav synth 1 pinknoise gain -10

# ---- -d: every combination, named as documented, nothing else in the folder
drone -j 2 -d set -s 4,8 -P -12,0,7 -V warm,airy,dark real.ogg 2>err.txt
st=$?
check "-d over a Wesnoth track exits 0" test "$st" -eq 0
ls -A set >names.txt
for s in 4 8; do for p in -12 0 +7; do for v in warm airy dark; do
	echo "real_s${s}_p${p}_$v.wav"
done; done; done | sort >want.txt
check "18 files, named SOURCE_sS_pP_VARIANT.wav, nothing else (no temporary file)" cmp -s names.txt want.txt
n=$(soxi -s real.ogg)
bad=
for f in set/*.wav; do
	s=${f#set/real_s}; s=${s%%_*}
	want=$($PY -c "print(int($n * $s + 0.5))")
	got=$(soxi -s "$f")
	[ "$got" -eq "$want" ] || bad="$bad $f:$got!=$want"
done
check "each file is exactly round($n x stretch) frames (4: $((n * 4)), 8: $((n * 8)))" test -z "$bad"
check "44.1 kHz, 24-bit WAV, the source's two channels" sh -c \
	'[ "$(soxi -r set/real_s4_p0_warm.wav)" = 44100 ] && [ "$(soxi -b set/real_s4_p0_warm.wav)" = 24 ] && [ "$(soxi -c set/real_s4_p0_warm.wav)" = 2 ]'

# the colours on real material: warm and dark below airy
cw=$(centroid set/real_s4_p0_warm.wav) ca=$(centroid set/real_s4_p0_airy.wav) cd=$(centroid set/real_s4_p0_dark.wav)
check "real track: centroid warm $cw Hz and dark $cd Hz below airy $ca Hz" test "$cw" -lt "$ca" -a "$cd" -lt "$ca"

# ---- determinism: the same bytes again (on one thread), from stdin, from a trickling pipe
drone -j 1 -d set2 -s 4,8 -P -12,0,7 -V warm,airy,dark real.ogg 2>/dev/null
diffs=0
for f in set/*.wav; do cmp -s "$f" "set2/${f#set/}" || diffs=$((diffs + 1)); done
check "a re-run with -j 1 writes what -j 2 wrote (18 files, $diffs differ)" test "$diffs" -eq 0
sox real.ogg -t au -e floating-point -b 32 real.au
drone -j 1 -d setf -s 2,4 -P 0,7 -V warm,dark real.au 2>/dev/null
cat real.au | drone -j 3 -d setp --name real -s 2,4 -P 0,7 -V warm,dark 2>/dev/null
drone -j 3 -d setr --name real -s 2,4 -P 0,7 -V warm,dark <real.au 2>/dev/null
diffs=0
for f in setf/*.wav; do
	cmp -s "$f" "setp/${f#setf/}" || diffs=$((diffs + 1))
	cmp -s "$f" "setr/${f#setf/}" || diffs=$((diffs + 1))
done
check "-d from a pipe and from a redirected file with -j 3: what a file gives with -j 1 (8 files, $diffs differ)" \
	test "$diffs" -eq 0 -a "$(ls setf | wc -l)" -eq 8
drone -s 4 -P 7 -V airy real.au >file.au
drone -s 4 -P 7 -V airy <real.au >stdin.au
trickle 3000 5 <real.au | drone -s 4 -P 7 -V airy >trickled.au
same_file "stdin gives what the file gives" file.au stdin.au
same_file "a trickling pipe gives the same bytes" file.au trickled.au
check "standard output is AU float" sh -c '[ "$(soxi -t file.au)" = au ] && [ "$(soxi -e file.au)" = "Floating Point PCM" ] && [ "$(soxi -b file.au)" = 32 ]'
# the same drone through -d and stdout: one render
drone -d one -s 4 -P 7 -V airy --bits 32f real.au
sox one/real_s4_p+7_airy.wav -t f32 a.f32
sox file.au -t f32 b.f32
same_file "-d and standard output render the same samples" a.f32 b.f32
# a second run over the same folder replaces the files whole (as padmine's -d does)
drone -d one -s 4 -P 7 -V airy --bits 32f -a 1 real.au
check "a later run replaces a file of the same name, and leaves nothing else" sh -c \
	'[ "$(ls -A one)" = real_s4_p+7_airy.wav ] && ! cmp -s one/real_s4_p+7_airy.wav set2/real_s4_p+7_airy.wav'

# the notes of -v (renders, normalisation, files) come in the same order for any -j
drone -v -N -j 1 -d v1 -s 1,2 -P 0,7 -V warm,dark sine.wav 2>&1 | sed 's/v1/V/' >v1.txt
drone -v -N -j 2 -d v2 -s 1,2 -P 0,7 -V warm,dark sine.wav 2>&1 | sed 's/v2/V/' >v2.txt
check "-v: the same notes with -j 1 and -j 2 ($(wc -l <v1.txt) lines)" sh -c \
	'cmp -s v1.txt v2.txt && [ $(grep -c "^drone: wrote V/sine_s" v1.txt) -eq 8 ]'

# ---- pitch: a 440 Hz sine moves by 2^(p/12)
drone -d pitch -s 2 -P -12,0,7,3.5 -V dry sine.wav
for p in -12 0 +7 +3.5; do
	want=$($PY -c "print(440 * 2 ** ($p / 12))")
	got=$(peak "pitch/sine_s2_p${p}_dry.wav")
	check "pitch $p: FFT peak $got Hz vs $want (1%)" pct "$got" "$want"
done
drone -s 2 -P 7 -V dry sine.wav | sox -t au - p7.wav
got=$(peak p7.wav)
check "standard output, pitch +7: $got Hz" pct "$got" "$($PY -c "print(440 * 2 ** (7 / 12))")"
check "stretch 2 of 1 s: 88200 frames" test "$(soxi -s p7.wav)" -eq 88200

# ---- the colours on broadband noise: warm and dark below dry below airy
drone -d colour -s 1 -V dry,warm,airy,dark pink.wav
c_dry=$(centroid colour/pink_s1_p0_dry.wav) c_warm=$(centroid colour/pink_s1_p0_warm.wav)
c_airy=$(centroid colour/pink_s1_p0_airy.wav) c_dark=$(centroid colour/pink_s1_p0_dark.wav)
check "pink noise: warm $c_warm and dark $c_dark < dry $c_dry < airy $c_airy Hz" \
	test "$c_warm" -lt "$c_dry" -a "$c_dark" -lt "$c_dry" -a "$c_dry" -lt "$c_airy"
drone -d colour2 -s 1 -V warm,dark -a 1 pink.wav
c_warm1=$(centroid colour2/pink_s1_p0_warm.wav) c_dark1=$(centroid colour2/pink_s1_p0_dark.wav)
check "--amount 1 colours more: warm $c_warm1 < $c_warm, dark $c_dark1 < $c_dark" \
	test "$c_warm1" -lt "$c_warm" -a "$c_dark1" -lt "$c_dark"
drone -d colour3 -s 1 -V warm,airy -a 0 --bits 32f pink.wav
drone -d colour3 -s 1 -V dry --bits 32f pink.wav
check "--amount 0 leaves the sound as it is (warm and airy equal dry)" sh -c \
	'sox colour3/pink_s1_p0_dry.wav -t f32 d.f32; sox colour3/pink_s1_p0_warm.wav -t f32 w.f32; sox colour3/pink_s1_p0_airy.wav -t f32 a.f32; cmp -s d.f32 w.f32 && cmp -s d.f32 a.f32'

# ---- --to-key: a drone in C goes to the target's tonic, by the shortest interval
# (G: -5, E: +4, F#: +6, Am: the tonic A, -3, whatever the mode)
for kt in G:7:196.00 E:4:329.63 F#:6:369.99 Am:9:220.00 C:0:261.63; do
	k=${kt%%:*} rest=${kt#*:}; pc=${rest%%:*} hz=${rest#*:}
	drone -k "$k" -s 1 -V dry ctone.wav -o "key.wav"
	got=$(peak key.wav)
	check "--to-key $k: FFT peak $got Hz, pitch class $(pclass "$got") = $pc, $hz Hz (1%)" \
		sh -c "[ $(pclass "$got") -eq $pc ] && $PY -c 'import sys; sys.exit(abs($got - $hz) > 0.01 * $hz)'"
done
drone -d keyed -k G -s 1 -P 0,12 -V dry ctone.wav
check "-d with --to-key names the key: ctone_G_s1_p0_dry.wav, ctone_G_s1_p+12_dry.wav" sh -c \
	'[ "$(ls keyed | tr "\n" " ")" = "ctone_G_s1_p+12_dry.wav ctone_G_s1_p0_dry.wav " ]'
got=$(peak keyed/ctone_G_s1_p+12_dry.wav)
check "--to-key G with -P 12: G4 ($got Hz)" pct "$got" 392.00
drone -k E --from-key D -s 1 -V dry ctone.wav -o from.wav
got=$(peak from.wav)
check "--from-key D --to-key E shifts +2 whatever the source: $got Hz" pct "$got" 293.66
# real material: keydetect hears the target's tonic after the shift
src_key=$(keydetect real.ogg)
drone -k D -s 1 -V dry real.ogg -o realkey.wav
got=$(keydetect --json realkey.wav | $PY -c "import json, sys; print(json.load(sys.stdin)['tonic'])")
check "real track in $src_key, --to-key D: keydetect hears tonic $got" test "$got" = D

# ---- --normalize and --mono
drone -N -s 1 -V warm --bits 32f pink.wav -o norm.wav
drone --peak -12 -s 1 -V warm --bits 32f pink.wav -o norm12.wav
pk() { $PY -c "
import subprocess, sys, numpy as np
raw = subprocess.run(['sox', sys.argv[1], '-t', 'f32', '-'], capture_output=True, check=True).stdout
print('%.6f' % np.abs(np.frombuffer(raw, dtype='<f4')).max())" "$1"; }
near "--normalize: sample peak -1 dBFS (0.891251)" "$(pk norm.wav)" 0.891251 0.000002
near "--peak -12 (without -N): sample peak 0.251189" "$(pk norm12.wav)" 0.251189 0.000002
sox -n -r 44100 -c 1 silent.wav trim 0 1
check "--normalize leaves digital silence silent, without an error" sh -c \
	"drone -N -s 1 silent.wav -o s.wav && [ \"\$(sox s.wav -n stat 2>&1 | awk '/Maximum amplitude/ { print \$3 }')\" = 0.000000 ]"
drone --mono -s 1 -V dry real.ogg -o mono.wav
check "--mono: one channel" test "$(soxi -c mono.wav)" = 1

# ---- several sources: same stems apart, a bad one warned about and skipped
mkdir -p x y
cp sine.wav x/t.wav
cp ctone.wav y/t.wav
echo "not audio" >junk.wav
drone -d multi -s 1 -V dry x/t.wav junk.wav y/t.wav 2>multi.err
st=$?
check "a bad source among three: status 1, one warning naming it" sh -c \
	"[ $st -eq 1 ] && [ \$(wc -l <multi.err) -eq 1 ] && grep -q '^drone: junk.wav: ' multi.err"
check "x/t.wav and y/t.wav both exported: t_s1_p0_dry.wav and t-XXXXXX_s1_p0_dry.wav" sh -c \
	'[ $(ls multi | wc -l) -eq 2 ] && [ -f multi/t_s1_p0_dry.wav ] && ls multi | grep -qE "^t-[0-9a-f]{6}_s1_p0_dry.wav$"'
drone -d named --name "My Pad" -s 1 -V dry sine.wav
check "--name My Pad: My_Pad_s1_p0_dry.wav" test -f "named/My_Pad_s1_p0_dry.wav"

# ---- bad input: one line, status 2 for usage, 1 at run time, nothing written
check_fail "unknown variant: lists the valid ones" 2 \
	"^drone: --variants: no variant named 'shiny' \(there are: dry, warm, airy, dark\)$" drone -d bad -V warm,shiny sine.wav
check_fail "bad pitch list" 2 "^drone: --pitch: 'x' is not a number of semitones" drone -d bad -P 3,x sine.wav
check_fail "empty item in a pitch list" 2 "^drone: --pitch: '' is not a number of semitones" drone -d bad -P 3,,4 sine.wav
check_fail "pitch out of range" 2 "^drone: --pitch: 60 is outside -48..48$" drone -d bad -P 60 sine.wav
check_fail "stretch factor 0" 2 "^drone: --stretch: 0 is not a positive factor$" drone -d bad -s 2,0 sine.wav
check_fail "negative stretch factor" 2 "^drone: --stretch: -4 is not a positive factor$" drone -d bad --stretch=-4 sine.wav
check_fail "a factor twice" 2 "^drone: --stretch: 4 is listed twice$" drone -d bad -s 4,4 sine.wav
check_fail "unknown key" 2 "^drone: --to-key: key 'H': expected a note name" drone -d bad -k H sine.wav
check_fail "unknown mode" 2 "^drone: --to-key: key 'Cx': unknown mode" drone -d bad -k Cx sine.wav
check_fail "--from-key alone" 2 "^drone: --from-key needs --to-key$" drone -d bad --from-key C sine.wav
check_fail "several drones to standard output" 2 \
	"^drone: one drone goes to standard output: give one stretch, one pitch and one variant \(here 2 x 3 x 1\), or -d DIR" \
	drone -s 2,4 -P -12,0,7 sine.wav
check_fail "-o with -d" 2 "^drone: -o writes one drone" drone -d bad -o x.wav sine.wav
check_fail "missing file" 1 "^drone: nosuch.wav: " drone -d bad nosuch.wav
check_fail "not audio" 1 "^drone: junk.wav: " drone -o bad.wav junk.wav
check_fail "a folder is not audio" 1 "^drone: x: " drone x
check_fail "--to-key on silence: no key" 1 "^drone: silent.wav: no key found" drone -k A -o bad.wav silent.wav
check_fail "-d under a file" 1 "^drone: junk.wav/out: cannot create the folder" drone -d junk.wav/out sine.wav
check "no folder and no file left by the failures" sh -c '[ ! -e bad ] && [ ! -e bad.wav ] && [ -z "$(ls -A | grep "^\.bad")" ]'

# ---- a full disk (a small tmpfs in a private mount namespace, as root): -d fails
# with one line naming the file, leaves no file and no folder it made; a folder
# that was there stays; the same run with room writes every file
cat >full.sh <<'SHEOF'
M=$1
mount -t tmpfs -o size=400k tmpfs "$M" || exit 3
drone -d "$M/out" -s 1,2 -V warm,dark pink.wav 2>full1.err; echo "$?" >full1.st
ls -A "$M" >full1.ls
mkdir "$M/mine"
drone -d "$M/mine" -s 1,2 -V warm,dark pink.wav 2>/dev/null
ls -A "$M/mine" >full2.ls
umount "$M"
mount -t tmpfs -o size=4m tmpfs "$M"
drone -d "$M/out" -s 1,2 -V warm,dark pink.wav 2>/dev/null; echo "$?" >full3.st
ls -A "$M/out" >full3.ls
umount "$M"
SHEOF
mkdir -p mnt
if unshare -m --propagation private sh full.sh "$W/mnt" 2>/dev/null; then
	check "full disk: status 1, one line naming a file and the lack of room" sh -c \
		'[ "$(cat full1.st)" = 1 ] && [ $(wc -l <full1.err) -eq 1 ] && grep -q "^drone: .*/out/pink_s[12]_p0_[a-z]*.wav: .*No space left on device$" full1.err'
	check "full disk: no file and no folder left (the folder it made is gone)" test ! -s full1.ls
	check "full disk: a folder that was there stays, empty" test ! -s full2.ls
	check "with room: the four files" sh -c '[ "$(cat full3.st)" = 0 ] && [ $(wc -l <full3.ls) -eq 4 ]'
else
	echo "# skipped: no private mount namespace here (needs root): the full-disk test did not run"
fi
