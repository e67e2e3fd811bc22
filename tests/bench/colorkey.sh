#!/bin/sh
# tests/bench/colorkey.sh -- colorkey with 3 layers at 1280x720 against real time
# at 30 fps and against ffmpeg's colorkey+overlay graph on the same inputs
# (y4m files and H.264 files). Same inputs, same run.
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
graph="[1]colorkey=0xFFFFFF:0.3:0.05[a];[2]colorkey=0xCD81CC:0.3:0.05[b];[0][a]overlay[x];[x][b]overlay,format=yuv420p"
for kind in y4m mp4; do
	s=$(t colorkey -m fixed -c white,0xCD81CC -S 0.3 -B 0.05 -o out.y4m l0.$kind l1.$kind l2.$kind); sc=$(cpu)
	f=$(t ffmpeg -nostdin -loglevel error -y -i l0.$kind -i l1.$kind -i l2.$kind -filter_complex "$graph" -f yuv4mpegpipe out-ff.y4m)
	fc=$(cpu)
	echo "bench: colorkey 3 layers 1280x720 ($kind in, $frames frames): shards ${s}s, real time at 30 fps ${secs}s, ratio $(ratio "$s" "$secs") ($(awk -v f=$frames -v s="$s" 'BEGIN { printf "%.0f", f / s }') fps; CPU ${sc}s)"
	echo "bench: colorkey 3 layers 1280x720 ($kind in): shards ${s}s, ffmpeg colorkey+overlay ${f}s, ratio $(ratio "$s" "$f") (CPU: shards ${sc}s, ffmpeg ${fc}s)"
done
for mode in kmeans motion; do
	s=$(t colorkey -m $mode --seed 1 -o out.y4m l0.y4m l1.y4m l2.y4m)
	echo "bench: colorkey -m $mode 3 layers 1280x720 (y4m in): shards ${s}s, real time ${secs}s, ratio $(ratio "$s" "$secs") (CPU $(cpu)s)"
done
