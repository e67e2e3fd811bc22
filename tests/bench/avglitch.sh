#!/bin/sh
# tests/bench/avglitch.sh -- avglitch against the ffmpeg command a user would
# type for the same pictures: 30 s of a sound with a hit every half second, a
# folder of twelve 1080p pictures; avglitch bonds, cuts (shuffle, stutter,
# reverse) and encodes; ffmpeg's concat demuxer shows the same pictures for the
# same runs of frames (read from avglitch's kept cut list, through a twin
# folder of flat greys of the same names), scaled to 1080p, with the sound cut
# by cutapply from the same list (ffmpeg cannot cut it to the sample: its concat
# demuxer's in and out points snap to packets), so both sides read s.wav and the
# pictures. Both: x264 medium, CRF 18, yuv420p, AAC 192 kbit/s, MP4.
# The target, avglitch within 1.2 x ffmpeg's wall time, is a speed-up >= 0.83.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
tmp=${SHARDS_BENCH_TMP:-/tmp}/avglitch
mkdir -p "$tmp"
cd "$tmp" || exit 1
secs=${AVGLITCH_SECONDS:-30}
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
[ -s s.wav ] && [ -d pics ] || {
	ff -f lavfi -i "aevalsrc='0.8*sin(2*PI*1500*t)*exp(-30*mod(t,0.5))+0.2*sin(2*PI*110*t)|0.2*sin(2*PI*165*t)':s=48000:d=$secs" s.wav
	mkdir -p pics flat
	for i in 01 02 03 04 05 06 07 08 09 10 11 12; do
		ff -f lavfi -i testsrc2=s=1920x1080 -vf "hue=h=$((${i#0} * 30))" -frames:v 1 pics/p$i.png
		ff -f lavfi -i "color=c=0x$(printf '%02x%02x%02x' $((${i#0} * 20)) $((${i#0} * 20)) $((${i#0} * 20))):s=64x36" \
			-frames:v 1 flat/p$i.png
	done
}
opts="--seed 11 -S 0.6 -t 0.3 -R 0.2"
# the cut list and the cut sound, and the pictures' runs as a concat list
avglitch $opts --keep kept --preview 0.1 -o probe.mp4 s.wav pics
avbond -r 30 s.wav flat | cutapply kept/cuts.json - | python3 -c '
import sys
d = sys.stdin.buffer.read()
head, _, rest = d.partition(b"\n")
fs = 64 * 36 * 3 // 2
seq, p = [], 0
while p < len(rest):
    nl = rest.index(b"\n", p); f = rest[nl + 1:nl + 1 + 64 * 36]
    seq.append(f[0]); p = nl + 1 + fs
lum = dict((i, 16 + i * 20 * 219 / 255) for i in range(1, 13))  # greys, video range
runs = []
for y in seq:
    i = min(lum, key=lambda k: abs(lum[k] - y))
    if runs and runs[-1][0] == i: runs[-1][1] += 1
    else: runs.append([i, 1])
with open("concat.txt", "w") as o:
    o.write("ffconcat version 1.0\n")
    for i, n in runs:
        o.write("file pics/p%02d.png\nduration %.6f\n" % (i, n / 30))
    o.write("file pics/p%02d.png\n" % runs[-1][0])
print("# %d frames, %d picture runs" % (len(seq), len(runs)))
'
bench_load
ffc="cutapply kept/cuts.json s.wav | ffmpeg -nostdin -loglevel error -y -f concat -safe 0 -i concat.txt -i - \
-vf scale=1920:1080,fps=30,format=yuv420p -c:v libx264 -preset medium -crf 18 -c:a aac -b:a 192k -shortest out-ff.mp4"
bench_row "avglitch ${secs}s, 12 pictures at 1080p -> H.264 + AAC mp4" \
	"avglitch $opts -o out.mp4 s.wav pics" ffmpeg "$ffc" ">= 0.83"
