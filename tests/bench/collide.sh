#!/bin/sh
# tests/bench/collide.sh -- one collage session (3 layers of 640x360 for 5 s,
# fixed white keys, the two soundtracks panned, mixed and normalised, H.264 +
# AAC) by collide, which runs avsplit, colorkey, amix, loudnorm and avmux as
# child processes through temporary files, against the single ffmpeg
# filter_complex command the collide-o-scope design started from (trim, scale,
# colorkey, overlay, pan, amix, loudnorm, encode). Best of 3 (lib.sh).
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
tmp=${SHARDS_BENCH_TMP:-/tmp}/collide
mkdir -p "$tmp"
cd "$tmp" || exit 1
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
if [ ! -s c.mp4 ]; then
	ff -f lavfi -i testsrc2=s=640x360:r=25 -f lavfi -i sine=f=220:r=48000 -t 8 -pix_fmt yuv420p \
		-c:v libx264 -preset veryfast -c:a aac a.mp4
	ff -f lavfi -i "color=white:s=640x360:r=25[b];color=red:s=200x200:r=25[f];[b][f]overlay=x='mod(t*100,440)':y=80" \
		-f lavfi -i sine=f=330:r=48000 -t 8 -pix_fmt yuv420p -c:v libx264 -preset veryfast -c:a aac b.mp4
	ff -f lavfi -i mandelbrot=s=640x360:r=25 -t 8 -pix_fmt yuv420p -c:v libx264 -preset veryfast c.mp4
fi
bench_load
echo "# 3 layers at 640x360, 5 s at 25 fps, two soundtracks; x264 ultrafast, crf 18"
graph="[0:v]trim=0:5,setpts=PTS-STARTPTS[v0];[1:v]trim=0:5,setpts=PTS-STARTPTS,colorkey=0xFFFFFF:0.3:0.05[v1];\
[2:v]trim=0:5,setpts=PTS-STARTPTS,colorkey=0xFFFFFF:0.3:0.05[v2];[v0][v1]overlay[x];[x][v2]overlay,format=yuv420p[v];\
[0:a]atrim=0:5,asetpts=PTS-STARTPTS,pan=stereo|c0=0.85*c0|c1=0.15*c0[a0];\
[1:a]atrim=0:5,asetpts=PTS-STARTPTS,pan=stereo|c0=0.15*c0|c1=0.85*c0[a1];[a0][a1]amix=inputs=2,loudnorm=I=-14[a]"
bench_row "collide session vs one ffmpeg graph" \
	"collide --seed 1 -m fixed -c white -S 0.3 -B 0.05 --trim start -d 5 --x264-preset ultrafast -o s.mp4 a.mp4 b.mp4 c.mp4" \
	"ffmpeg" \
	"ffmpeg -nostdin -loglevel error -y -i a.mp4 -i b.mp4 -i c.mp4 -filter_complex '$graph' -map '[v]' -map '[a]' \
-c:v libx264 -preset ultrafast -crf 18 -c:a aac -b:a 192k -ar 48000 f.mp4"
