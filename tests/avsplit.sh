# avsplit: frame counts at constant fps, frames chosen by timestamp, fit modes,
# start/duration trims, bit-exact y4m pass-through, pipe input in any block size,
# bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
# every frame's brightness tells its number: Y = 16 + 4n
ff -f lavfi -i "nullsrc=s=64x48:r=25,format=yuv420p,geq=lum='16+4*N':cb=128:cr=128" -t 2 -pix_fmt yuv420p ramp.y4m
ff -f lavfi -i "nullsrc=s=64x48:r=25,format=yuv420p,geq=lum='16+4*N':cb=128:cr=128" -f lavfi -i sine=f=440:sample_rate=48000 \
	-t 2 -c:v libx264 -preset ultrafast -qp 0 -pix_fmt yuv420p -c:a pcm_s16le ramp.mov
ff -f lavfi -i sine=f=440:sample_rate=44100 -t 1 tone.wav
# mean luma of each frame of a y4m file, one per line
lumas() { python3 - "$1" <<'PY'
import sys
d = open(sys.argv[1], 'rb').read()
head, _, rest = d.partition(b'\n')
t = dict((x[:1], x[1:]) for x in head.split()[1:])
w, h = int(t[b'W']), int(t[b'H'])
c = t.get(b'C', b'420jpeg')
cs = {b'444': w*h*2, b'422': ((w+1)//2)*h*2, b'mono': 0}.get(c, ((w+1)//2)*((h+1)//2)*2)
fs = w*h + cs
p = 0
while p < len(rest):
    nl = rest.index(b'\n', p)
    y = rest[nl+1:nl+1+w*h]
    print(round(sum(y)/len(y)))
    p = nl + 1 + fs
PY
}

check "y4m to y4m" avsplit -V same.y4m ramp.y4m
body() { tail -n +2 "$1"; }
body ramp.y4m >ramp.body; body same.y4m >same.body
same_file "same size, rate and chroma: frames pass bit-exact" ramp.body same.body
check "a pipe in small random writes" sh -c 'trickle 700 3 <ramp.y4m | avsplit -V - - >piped.y4m'
same_file "pipe input gives the same frames" same.y4m piped.y4m

check "50 fps from 25" avsplit -r 50 -V r50.y4m ramp.mov
lumas r50.y4m >r50.txt
check "50 fps: 100 frames" test "$(wc -l <r50.txt)" -eq 100
check "50 fps: every source frame twice" test "$(sed -n '1p;2p;21p;22p' r50.txt | tr '\n' ' ')" = "16 16 56 56 "
check "12.5 fps from 25" avsplit -r 25/2 -V r12.y4m ramp.mov
lumas r12.y4m >r12.txt
check "12.5 fps: 25 frames, every other source frame" test "$(wc -l <r12.txt) $(sed -n 2p r12.txt)" = "25 24"
for r in 24 30 30000/1001; do
	avsplit -r $r -V r.y4m ramp.mov
	n=$(lumas r.y4m | wc -l)
	want=$(awk -v r=$r 'BEGIN { split(r, a, "/"); f = a[1] / (a[2] ? a[2] : 1); n = 2 * f; print (n == int(n)) ? n : int(n) + 1 }')
	check "fps $r: $want frames for 2 s" test "$n" -eq "$want"
	check "fps $r: header rate" grep -q "F$(echo $r | sed 's,/,:,;s,^\([0-9]*\)$,\1:1,') " r.y4m
done

check "start 1s, duration 0.4s" avsplit --start 1 -d 0.4 -V trim.y4m -a trim.au ramp.mov
check "trim: 10 frames from frame 25" test "$(lumas trim.y4m | tr '\n' ' ')" = "116 120 124 128 132 136 140 144 148 152 "
check "trim: audio exactly 0.4 s" test "$(sox trim.au -n stat 2>&1 | awk '/Samples read/ {print $3}')" -eq 19200
check "start in frames" avsplit --start 5f -d 2f -V tf.y4m ramp.mov
check "start 5f: frames 5 and 6" test "$(lumas tf.y4m | tr '\n' ' ')" = "36 40 "

# fit: 64x48 (4:3) into 96x48 (2:1)
avsplit -s 96x48 --fit pad -V pad.y4m ramp.y4m
avsplit -s 96x48 --fit crop -V crop.y4m ramp.y4m
avsplit -s 96x48 --fit stretch -V str.y4m ramp.y4m
check "pad: size in the header" grep -q "W96 H48" pad.y4m
col() { python3 -c "
import sys
d=open('$1','rb').read(); i=d.index(b'FRAME\n')+6+$2*96+$3; print(d[i])"; }
check "pad: black bars left and right" test "$(col pad.y4m 24 2) $(col pad.y4m 24 93)" = "16 16"
check "pad: picture in the middle" test "$(col pad.y4m 24 48)" -eq 16
check "crop: no bars (last frame bright edge to edge)" sh -c "avsplit -s 96x48 --start 1.96 -V last.y4m ramp.y4m && python3 -c \"
d=open('last.y4m','rb').read(); i=d.index(b'FRAME\n')+6+24*96
assert min(d[i:i+96]) > 200, d[i:i+96]\""
check "stretch: size in the header" grep -q "W96 H48" str.y4m
check "444 chroma" sh -c 'avsplit -C 444 -V - ramp.y4m | head -1 | grep -q C444'
check "mono" sh -c 'avsplit -C mono -V - ramp.y4m | head -1 | grep -q Cmono'
check "mono frames are luma only" test "$(avsplit -C mono -V m.y4m ramp.y4m && lumas m.y4m | wc -l)" -eq 50

check "audio to wav, resampled" avsplit -a t.wav --rate 48000 tone.wav
check "wav: 48000 samples" test "$(sox t.wav -n stat 2>&1 | awk '/Samples read/ {print $3}')" -eq 48000
check "audio only by default on an audio file" sh -c 'avsplit tone.wav | sox -t au - -n stat 2>&1 | grep -q "Samples read: *44100"'
check "a still picture as a video of one frame" sh -c 'ffmpeg -nostdin -loglevel error -f lavfi -i testsrc=s=64x48 -frames:v 1 p.png && avsplit p.png | grep -c FRAME | grep -qx 1'

check_fail "no video stream" 1 'avsplit: tone.wav: no video stream' avsplit -V x.y4m tone.wav
check_fail "no audio stream" 1 'avsplit: ramp.y4m: no audio stream' avsplit -a x.au ramp.y4m
check_fail "missing file" 1 'avsplit: nope.mp4: No such file' avsplit nope.mp4
check_fail "a directory" 1 'avsplit: \.: is a directory' avsplit .
echo "plain text" >text.mp4
check_fail "not media" 1 'avsplit: text.mp4: not a media file' avsplit -V x.y4m text.mp4
check "no partial output left behind" test ! -e x.y4m
head -c 20000 ramp.y4m >cut.y4m
check_fail "y4m cut inside a frame" 1 'avsplit: cut.y4m: truncated frame at the end of the y4m stream' avsplit -V cut.y4m.out cut.y4m
check "no partial output file for the cut stream" test ! -e cut.y4m.out
check_fail "cut y4m on a pipe" 1 'avsplit: stdin: truncated frame' sh -c 'trickle 500 1 <cut.y4m | avsplit -V - - >/dev/null'
mkfifo pipe.y4m
cat pipe.y4m >fromfifo.y4m & reader=$!
avsplit -V pipe.y4m ramp.y4m || : >pipe.y4m # (the reader must not wait for ever)
wait "$reader"
check "a FIFO as -V is written into, not replaced" sh -c 'test -p pipe.y4m && cmp -s fromfifo.y4m same.y4m'
check_fail "bad size" 2 'avsplit: --size:' avsplit -s 10 ramp.y4m

# threads: the same bytes from -j 1 (one thread), the default and -j 3 (decoding
# ahead on its own thread, FFmpeg's decoder threads, converting apart from writing)
ff -f lavfi -i testsrc2=s=320x240:r=25 -f lavfi -i sine=f=330:sample_rate=44100 -t 2 \
	-c:v libx264 -preset ultrafast -bf 2 -c:a aac busy.mp4
for j in 1 default 3; do
	jo="-j $j"; [ $j = default ] && jo=
	avsplit $jo -r 30 -s 96x64 -C 444 -V j$j-crop.y4m -a j$j.au busy.mp4
	avsplit $jo --start 0.5 -s 160x90 --fit pad -V - busy.mp4 >j$j-pad.y4m
	avsplit $jo -V - ramp.y4m >j$j-same.y4m
done
for k in -crop.y4m -pad.y4m -same.y4m .au; do
	same_file "-j 1 and the default give the same j*$k" j1$k jdefault$k
	same_file "-j 1 and -j 3 give the same j*$k" j1$k j3$k
done
check "-j, --jobs in --help" sh -c 'avsplit --help | grep -q -- "-j, --jobs"'
check_fail "-j 0: usage error" 2 "jobs" avsplit -j 0 ramp.y4m
check_fail "-j x: usage error" 2 "jobs" avsplit --jobs x ramp.y4m
check_fail "both to stdout" 2 'both go to stdout' avsplit -a - -V - ramp.mov

# fuzz the decoding path: damaged and cut MP4/MOV and y4m files end in 0 or 1
crashes=0
for i in $(seq 1 24); do
	src=ramp.mov; [ $((i % 2)) -eq 0 ] && src=ramp.y4m
	python3 - $src $i <<'PY' >dmg.bin
import random, sys
random.seed(int(sys.argv[2]))
b = bytearray(open(sys.argv[1], 'rb').read())
if int(sys.argv[2]) % 3 == 0: b = b[:random.randrange(1, len(b))]
for _ in range(random.randint(1, 60)):
    b[random.randrange(len(b))] = random.randrange(256)
sys.stdout.buffer.write(bytes(b))
PY
	timeout 60 avsplit -r 30 -s 32x24 -V dmg.y4m -a dmg.au dmg.bin >/dev/null 2>&1
	rc=$?; [ $rc -gt 1 ] && { crashes=$((crashes + 1)); echo "# damaged input $i ($src): status $rc"; }
done
check "24 damaged inputs: no crash, no hang" test "$crashes" -eq 0
