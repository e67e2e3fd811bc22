# amix: gains and pans measured per channel by sox stat, 44.1 and 48 kHz mixed
# over 10 minutes without drift, a video's soundtrack, stdin (trickled too),
# the longest and the shortest length, start/trim/len/loop at exact samples,
# the limiter's ceiling, channel rules, file names with ':', and bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3

# rms FILE CHANNEL: sox's RMS amplitude of one channel
rms() { sox "$1" -n remix "$2" stat 2>&1 | awk '/^RMS +amplitude/ { print $3 }'; }
# db_ratio A B: 20 log10(A / B)
db_ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.4f", 20 * log(a / b) / log(10) }'; }
# au32 IN OUT: the float samples of an AU file exactly as stored
au32() { $PY -c 'import sys, numpy as np
d = open(sys.argv[1], "rb").read()
np.frombuffer(d[int.from_bytes(d[4:8], "big"):], ">f4").astype(np.float32).tofile(sys.argv[2])' "$1" "$2"; }
frames() { soxi -s "$1"; }

sox -n -r 48000 -c 1 -e floating-point -b 32 m.wav synth 4 sine 997 gain -12
sox -n -r 48000 -c 2 -e floating-point -b 32 st.wav synth 4 sine 501 sine 1303 gain -12
sox -n -r 48000 -c 2 -e floating-point -b 32 s2.wav synth 2 pinknoise gain -12
M=$(rms m.wav 1) SL=$(rms st.wav 1) SR=$(rms st.wav 2)

# ---- gains and pans: RMS ratios in dB against the promise, within 0.05 dB
# (mono: L = cos t, R = sin t, t = (pan + 1) pi / 4; stereo: a balance whose
# far side is min(1, sqrt 2 cos t) or min(1, sqrt 2 sin t))
gp() { # NAME OPERAND IN_L_RMS IN_R_RMS WANT_L_DB WANT_R_DB
	amix "$2" -o "$1.wav" 2>"$1.err" || { fail "$1: amix failed" "$(cat "$1.err")"; return; }
	near "$1: left $5 dB" "$(db_ratio "$(rms "$1.wav" 1)" "$3")" "$5" 0.05
	near "$1: right $6 dB" "$(db_ratio "$(rms "$1.wav" 2)" "$4")" "$6" 0.05
}
want() { $PY -c "import math, sys; g = float(sys.argv[1]); p = float(sys.argv[2]); t = (p + 1) * math.pi / 4
m = sys.argv[3] == 'mono'
l = math.cos(t) if m else min(1, math.sqrt(2) * math.cos(t)); r = math.sin(t) if m else min(1, math.sqrt(2) * math.sin(t))
f = lambda x: 20 * math.log10(x) if x > 0 else -999
print('%.4f %.4f' % (g + f(l), g + f(r)))" "$@"; }
amix m.wav m.wav -o two.wav
check "a mono input makes a stereo mix only with a stereo one" test "$(soxi -c two.wav)" = 1
for c in "0 0" "-3dB -0.4" "-6 0.6" "+4.5dB 0.25" "-10dB -0.9"; do
	set -- $c
	w=$(want "${1%dB}" "$2" mono)
	amix -c 2 m.wav:"$1":"$2" -o "mono$1$2.wav"
	near "mono $1 pan $2: left" "$(db_ratio "$(rms "mono$1$2.wav" 1)" "$M")" "${w% *}" 0.05
	near "mono $1 pan $2: right" "$(db_ratio "$(rms "mono$1$2.wav" 2)" "$M")" "${w#* }" 0.05
done
for c in "0 0" "-3 0.5" "2dB -0.3" "-6dB 0.8"; do
	set -- $c
	w=$(want "${1%dB}" "$2" stereo)
	gp "stereo$1$2" "st.wav:$1:$2" "$SL" "$SR" "${w% *}" "${w#* }"
done
gp "key=value fields" "st.wav:pan=0.5:gain=-3" "$SL" "$SR" $(want -3 0.5 stereo)
gp "an empty GAIN field" "st.wav::-0.5" "$SL" "$SR" $(want 0 -0.5 stereo)
# the sum: two inputs add sample by sample
amix st.wav:-6 st.wav:-6 -o sum.wav
near "two copies at -6 dB sum to +0.02 dB (2 x 10^(-6/20))" "$(db_ratio "$(rms sum.wav 1)" "$SL")" \
	"$(awk 'BEGIN { printf "%.4f", 20 * log(2 * 10 ^ (-6 / 20)) / log(10) }')" 0.05
# mono mix: stereo is averaged, pan ignored with a warning
sox -n -r 48000 -c 2 -e floating-point -b 32 lonly.wav synth 2 sine 700 gain -12 remix 1 0
amix -c 1 lonly.wav -o mono.wav
near "-c 1: stereo to mono is (L + R) / 2: -6.02 dB" "$(db_ratio "$(rms mono.wav 1)" "$(rms lonly.wav 1)")" -6.0206 0.05
check_fail "-c 1 with a pan: a warning, the mix is still made" 0 "pan ignored" amix -c 1 lonly.wav:0:0.5 -o mono2.wav
# many channels: the output takes the most; folding down averages i mod C
sox -n -r 48000 -c 4 -e floating-point -b 32 quad.wav synth 2 sine 300 sine 400 sine 500 sine 600 gain -12
amix quad.wav st.wav -s -o q.wav
check "4 channels and 2: the mix has 4" test "$(soxi -c q.wav)" = 4
near "channel 3 of the 4-channel input passes at 0 dB" "$(db_ratio "$(rms q.wav 4)" "$(rms quad.wav 4)")" 0 0.01
check_fail "a pan on a 4-channel input" 2 "mono and stereo inputs" amix quad.wav:0:0.5

# ---- 44.1 and 48 kHz for 10 minutes: clicks every 60 s land on the same sample
$PY - <<'PY'
import numpy as np, subprocess
for rate in (44100, 48000):
    x = np.zeros(600 * rate, np.float32)
    for k in range(1, 10):
        x[k * 60 * rate] = 0.8
    x.tofile("c%d.f32" % rate)
    subprocess.run(["sox", "-t", "raw", "-r", str(rate), "-c", "1", "-e", "floating-point", "-b", "32",
                    "c%d.f32" % rate, "-e", "floating-point", "-b", "32", "c%d.wav" % rate], check=True)
PY
rm -f c44100.f32 c48000.f32
amix -c 2 c48000.wav:0:-1 c44100.wav:0:1 -o drift.au
au32 drift.au drift.f32
check "10 minutes, 48 kHz and 44.1 kHz resampled: every click on the same sample (within 1)" $PY -c '
import numpy as np
y = np.fromfile("drift.f32", np.float32).reshape(-1, 2)
assert len(y) == 600 * 48000, len(y)
for k in range(1, 10):
    at = k * 60 * 48000
    w = slice(at - 200, at + 200)
    l = at - 200 + int(np.argmax(np.abs(y[w, 0]))); r = at - 200 + int(np.argmax(np.abs(y[w, 1])))
    assert l == at and abs(r - at) <= 1, (k, l, r, at)
    assert y[at, 0] == np.float32(0.8) and y[at, 1] > 0.5, (k, y[at])'
amix -r 44100 c48000.wav c44100.wav -d 70 -o drift44.wav
check "-r 44100 sets the mix's rate" test "$(soxi -r drift44.wav)" = 44100
rm -f c44100.wav drift.au drift.f32

# ---- a video's soundtrack (FFmpeg) as an input
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=frequency=1000:sample_rate=44100 \
	-t 3 -c:v mpeg4 -c:a aac -shortest clip.mp4
ffmpeg -v error -f lavfi -i testsrc=size=160x120:rate=25 -f lavfi -i sine=frequency=440:sample_rate=48000 \
	-t 2 -c:v ffv1 -c:a pcm_s16le clip.mkv
amix clip.mp4 -o clip.wav
check "mp4 with AAC: its rate and about its length" sh -c 'test "$(soxi -r clip.wav)" = 44100 &&
	awk -v d="$(soxi -D clip.wav)" "BEGIN { exit !(d > 2.95 && d < 3.05) }"'
near "mp4 with AAC: the sine at its level (1/8 peak: -21.07 dB RMS)" \
	"$(awk -v r="$(sox clip.wav -n trim 0.5 2 stat 2>&1 | awk '/^RMS +amplitude/ { print $3 }')" 'BEGIN { printf "%.3f", 20 * log(r) / log(10) }')" -21.07 0.2
amix -c 2 m.wav clip.mkv:-6:0.5 -o mkv.wav
check "mkv's soundtrack with a wav: 48 kHz, 4 s, stereo" sh -c \
	'test "$(soxi -r mkv.wav)" = 48000 && test "$(soxi -s mkv.wav)" = 192000 && test "$(soxi -c mkv.wav)" = 2'
amix clip.mkv -o mkv-alone.wav
sox clip.mkv -e floating-point -b 32 mkv-sox.wav 2>/dev/null ||
	ffmpeg -v error -i clip.mkv -c:a pcm_f32le mkv-sox.wav
check "mkv's PCM soundtrack alone: the samples ffmpeg decodes" $PY -c '
import subprocess, numpy as np
a = np.frombuffer(subprocess.run(["sox", "mkv-alone.wav", "-t", "f32", "-"], capture_output=True, check=True).stdout, np.float32)
b = np.frombuffer(subprocess.run(["sox", "mkv-sox.wav", "-t", "f32", "-"], capture_output=True, check=True).stdout, np.float32)
assert len(a) == len(b) == 96000 and np.max(np.abs(a - b)) < 1e-6, (len(a), len(b))'
amix clip.mp4:loop=2 -o clip2.wav
check "a media input loops (decoded again)" test "$(soxi -s clip2.wav)" -eq $((2 * $(soxi -s clip.wav)))

# ---- stdin, whole and trickled: the same bytes as the file
sox st.wav -e floating-point -b 32 st.au
amix st.au m.wav:-3:0.2 >file.au
amix - m.wav:-3:0.2 <st.au >stdin.au
same_file "stdin input: the same bytes as the file" file.au stdin.au
trickle 3000 5 <st.au | amix - m.wav:-3:0.2 >trickled.au
same_file "stdin trickled in small writes: the same bytes" file.au trickled.au
sox -n -r 44100 -c 2 -e floating-point -b 32 n44.au synth 3 pinknoise gain -10
amix m.wav n44.au:-2:0.3 >res-file.au
trickle 3000 9 <n44.au | amix m.wav -- -:-2:0.3 >res-pipe.au
same_file "a 44.1 kHz pipe trickled, resampled: the same bytes as the file" res-file.au res-pipe.au
check_fail "-v notes the resampling" 0 "n44.au: resampling 44100 Hz to 48000 Hz" amix -v m.wav n44.au -o r.wav
sox st.wav -b 16 st16.wav
cat st16.wav | amix - -o wavin.wav
check "a WAV stream on stdin" test "$(soxi -s wavin.wav)" = 192000
check_fail "stdin twice" 2 "twice" amix - -

# ---- the length: the longest input by default, --shortest, --duration
amix m.wav s2.wav -o long.wav
check "default: the longest input (4 s)" test "$(frames long.wav)" = 192000
amix m.wav s2.wav --shortest -o short.wav
check "--shortest: the shortest (2 s)" test "$(frames short.wav)" = 96000
amix m.wav s2.wav:start=3 -o long2.wav
check "default with start=3: the later end (5 s)" test "$(frames long2.wav)" = 240000
amix m.wav s2.wav:start=1.5 -s -o short2.wav
check "--shortest with start=1.5: 3.5 s" test "$(frames short2.wav)" = 168000
# start=+DUR: after the input before ends
amix m.wav s2.wav:start=+0 m.wav:start=+0.5 -o seq.wav
check "start=+0, start=+0.5: end to end, with a gap (4 + 2 + 0.5 + 4 s)" test "$(frames seq.wav)" = 504000
amix m.wav:start=3 s2.wav:start=+0 -o seq2.wav
check "start=+0 counts from where the one before ends, wherever it began (3 + 4 + 2 s)" test "$(frames seq2.wav)" = 432000
check "the second plays where the first ends: the same samples as start=4" sh -c 'amix m.wav s2.wav:start=4 -o at4.wav &&
	amix m.wav s2.wav:start=+0 -o plus0.wav && cmp -s at4.wav plus0.wav'
check_fail "start=+ after an input that loops forever" 2 "loops forever" amix m.wav:loop=inf s2.wav:start=+0 -d 5
amix m.wav:end=1 s2.wav:start=+0 -o cut1.wav
check "end=1: cut there, the next right after it (1 + 2 s)" test "$(frames cut1.wav)" = 144000
check "end=1: from 1 s on, the second input alone, bit for bit" sh -c 'sox cut1.wav -t f32 c.f32 trim 48000s && sox s2.wav -t f32 s.f32 && cmp -s c.f32 s.f32'
check_fail "end= before start=" 2 "end= is not after start=" amix m.wav:start=2:end=1
amix m.wav -d 6 -o dur.wav
check "--duration 6: padded with silence" sh -c 'test "$(soxi -s dur.wav)" = 288000 &&
	sox dur.wav -n trim 4.001 stat 2>&1 | grep -Eq "^Maximum amplitude: +0\.000000"'
amix m.wav -d 1200smp -o dur2.wav
check "--duration in samples" test "$(frames dur2.wav)" = 1200
check_fail "--shortest with --duration" 2 "give one" amix -s -d 2 m.wav

# ---- start, trim, len, loop at exact samples (0 dB: the samples pass exactly)
$PY -c '
import numpy as np, subprocess
x = np.zeros(48000, np.float32); x[1000] = 0.5; x[30000] = 0.25
x.tofile("imp.f32")
subprocess.run(["sox", "-t", "raw", "-r", "48000", "-c", "1", "-e", "floating-point", "-b", "32", "imp.f32",
                "-e", "floating-point", "-b", "32", "imp.au"], check=True)'
place() { # NAME WANT_FRAMES "POS:VALUE ..." AMIX-ARGS...
	_n=$1 _len=$2 _want=$3; shift 3
	amix "$@" >"$_n.au" 2>"$_n.err" || { fail "$_n" "$(cat "$_n.err")"; return; }
	au32 "$_n.au" "$_n.f32"
	check "$_n" $PY -c '
import sys, numpy as np
y = np.fromfile(sys.argv[1], np.float32)
want = dict((int(p.split(":")[0]), float(p.split(":")[1])) for p in sys.argv[3].split())
got = dict((int(i), float(y[i])) for i in np.flatnonzero(y))
assert len(y) == int(sys.argv[2]) and got == want, (len(y), got, want)' "$_n.f32" "$_len" "$_want"
}
place "plain: the clicks where they are" 48000 "1000:0.5 30000:0.25" imp.au
place "start=2000smp" 50000 "3000:0.5 32000:0.25" imp.au:start=2000smp
place "start=0.5 (seconds)" 72000 "25000:0.5 54000:0.25" imp.au:start=0.5
place "trim=500smp" 47500 "500:0.5 29500:0.25" imp.au:trim=500smp
place "trim=900smp:len=200smp:loop=3" 600 "100:0.5 300:0.5 500:0.5" imp.au:trim=900smp:len=200smp:loop=3
place "start, trim, len and loop together" 13000 "10150:0.5 11150:0.5 12150:0.5" \
	imp.au:start=10000smp:trim=850smp:len=1000smp:loop=3
place "loop=2 of the whole input" 96000 "1000:0.5 30000:0.25 49000:0.5 78000:0.25" imp.au:loop=2
place "loop=inf follows the other inputs (the mix is 1 s + 0.5 s)" 72000 \
	"1000:0.5 30000:0.25 1100:0.5 3100:0.5 5100:0.5 7100:0.5 9100:0.5 11100:0.5 13100:0.5 15100:0.5 17100:0.5 19100:0.5 21100:0.5 23100:0.5 25100:0.5 27100:0.5 29100:0.5 31100:0.5 33100:0.5 35100:0.5 37100:0.5 39100:0.5 41100:0.5 43100:0.5 45100:0.5 47100:0.5 49100:0.5 51100:0.5 53100:0.5 55100:0.5 57100:0.5 59100:0.5 61100:0.5 63100:0.5 65100:0.5 67100:0.5 69100:0.5 71100:0.5" \
	imp.au imp.au:trim=900smp:len=2000smp:loop=inf:start=1000smp -d 1.5
place "a looping pipe (kept and spooled, not re-read)" 600 "100:0.5 300:0.5 500:0.5" \
	-- -:trim=900smp:len=200smp:loop=3 <imp.au
place "a pipe trimmed past a click" 28000 "10000:0.25" -- -:trim=20000smp <imp.au
check_fail "every input loops forever and no --duration" 2 "duration" amix imp.au:loop=inf

# ---- a file name with ':' is taken whole when it exists
cp imp.au 'a:b.au'
place "a file named a:b.au, with settings after it" 48000 "1000:0.5 30000:0.25" ./a:b.au:0:0
place "a file named a:b.au, alone" 48000 "1000:0.5 30000:0.25" 'a:b.au'

# ---- the limiter: peaks under the ceiling, by sample and by ebur128's true peak
sox -n -r 48000 -c 2 -e floating-point -b 32 hot1.wav synth 3 pinknoise gain -3
sox -n -r 48000 -c 2 -e floating-point -b 32 hot2.wav synth 3 square 97 gain -3
amix hot1.wav:+6 hot2.wav:+6 -o over.au 2>over.err
au32 over.au over.f32
check "without --limit a float mix passes 1, quietly" sh -c '! test -s over.err &&
	'$PY' -c "import numpy as np; assert np.abs(np.fromfile(\"over.f32\", np.float32)).max() > 1.5"'
check_fail "without --limit a 16-bit mix clips, with a warning" 0 "clipped [0-9]+ samples" \
	amix hot1.wav:+6 hot2.wav:+6 --bits 16 -o over16.wav
for c in -1 -3; do
	amix hot1.wav:+6 hot2.wav:+6 --limit --ceiling $c -o lim$c.wav
	check "--limit --ceiling $c: same length" test "$(frames lim$c.wav)" = 144000
	check "--limit --ceiling $c: sample peak <= the ceiling" sh -c "sox lim$c.wav -n stat 2>&1 |
		awk -v c=$c '/^Maximum amplitude/ { exit !(\$3 <= 10 ^ (c / 20) + 1e-6) }'"
	tp=$(ffmpeg -nostats -i lim$c.wav -af ebur128=peak=true -f null - 2>&1 | awk '/Peak:/ { v = $2 } END { print v }')
	check "--limit --ceiling $c: true peak $tp dBTP <= the ceiling + 0.1" \
		awk -v t="$tp" -v c=$c 'BEGIN { exit !(t != "" && t <= c + 0.1) }'
done
amix hot1.wav:+6 hot2.wav:+6 --limit --bits 16 -o lim16.wav 2>lim16.err
check "--limit on 16-bit output: no clipping, no warning" sh -c '! test -s lim16.err'

# ---- bad input
check_fail "a missing file: named, status 1" 1 "nofile\.wav" amix m.wav nofile.wav:-3 -o x.wav
check "no output left behind" test ! -e x.wav
check_fail "pan 2: names -1..1" 2 "pan 2 is outside -1\.\.1" amix m.wav:0:2
check_fail "gain 100 dB: names the range" 2 "gain 100 dB is outside -120\.\.40" amix m.wav:100
check_fail "a gain that is not a number" 2 "gain 'loud' is not a number" amix m.wav:loud
check_fail "a third positional field" 2 "only KEY=VALUE" amix m.wav:0:0:5
check_fail "an unknown key" 2 "unknown key 'speed'" amix m.wav:speed=2
check_fail "loop=0" 2 "loop=0: the times the part plays, 1\.\." amix m.wav:loop=0
check_fail "start in beats" 2 "seconds .* or samples" amix m.wav:start=1b
check_fail "an empty file name" 2 "no file before" amix :-3
check_fail "no inputs" 2 "no inputs" amix
check_fail "not audio" 1 "notaudio\.txt" sh -c 'echo hello >notaudio.txt; amix notaudio.txt -o y.wav'
check_fail "a video without sound" 1 "audio" sh -c \
	'ffmpeg -v error -f lavfi -i testsrc=size=64x48:rate=10 -t 1 -c:v mpeg4 silent.mp4 && amix silent.mp4 -o y.wav'
check_fail "--rate below 1000" 2 "1000\.\.768000" amix -r 500 m.wav
check_fail "--ceiling without --limit" 2 "with --limit" amix --ceiling -3 m.wav
