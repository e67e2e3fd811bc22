#!/bin/sh
# tests/bench/avmedia.sh -- avsplit and avmux against the ffmpeg commands a user
# would type instead, on the same inputs in one run.
set -u
tmp=${SHARDS_BENCH_TMP:-/tmp}/vmedia
mkdir -p "$tmp"
cd "$tmp" || exit 1
secs=${VMEDIA_SECONDS:-10}
frames=$((secs * 30))
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
# t CMD... -> wall-clock seconds; the CPU seconds (user + system) go to $tmp/cpu,
# since a loaded machine stretches the wall clock but not the work done
t() { /usr/bin/time -f "%e %U %S" -o "$tmp/time" "$@" >/dev/null 2>"$tmp/err" || echo "bench: vmedia: failed: $* ($(head -c 300 "$tmp/err"))" >&2
	awk '{ printf "%.2f", $1 }' "$tmp/time"; awk '{ printf "%.2f", $2 + $3 }' "$tmp/time" >"$tmp/cpu"; }
cpu() { cat "$tmp/cpu"; }
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'; }

[ -s l2.y4m ] || {
	ff -f lavfi -i testsrc2=s=1280x720:r=30 -t "$secs" -pix_fmt yuv420p l0.y4m
	ff -f lavfi -i "color=white:s=1280x720:r=30[b];color=red:s=300x300:r=30[f];[b][f]overlay=x='mod(t*200,980)':y=200" \
		-t "$secs" -pix_fmt yuv420p l1.y4m
	ff -f lavfi -i mandelbrot=s=1280x720:r=30 -t "$secs" -pix_fmt yuv420p l2.y4m
	for i in 0 1 2; do ff -i l$i.y4m -c:v libx264 -preset veryfast -crf 20 l$i.mp4; done
	ff -f lavfi -i sine=f=220:sample_rate=48000 -t "$secs" -ac 2 a.wav
}
echo "# vmedia: load average $(cut -d" " -f1-3 /proc/loadavg) on $(nproc) cores"
s=$(t avsplit -s 640x360 -V out.y4m l0.mp4)
f=$(t ffmpeg -nostdin -loglevel error -y -i l0.mp4 -vf scale=640:360:flags=bicubic -pix_fmt yuv420p -f yuv4mpegpipe out-ff.y4m)
echo "bench: avsplit mp4 -> 640x360 y4m: shards ${s}s, ffmpeg ${f}s, ratio $(ratio "$s" "$f")"
s=$(t avmux --x264-preset veryfast -o out.mp4 a.wav l0.y4m)
f=$(t ffmpeg -nostdin -loglevel error -y -i a.wav -i l0.y4m -c:v libx264 -preset veryfast -crf 18 -c:a aac -b:a 192k out-ff.mp4)
echo "bench: avmux 720p H.264+AAC: shards ${s}s, ffmpeg ${f}s, ratio $(ratio "$s" "$f")"
