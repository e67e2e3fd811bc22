#!/bin/sh
# tests/bench/colorkey.sh -- colorkey with 3 layers at 1280x720 against real time
# (30 fps; the target is twice real time, 60 fps) and against ffmpeg's
# colorkey+overlay graph, on the same input files (y4m, then H.264), both writing
# y4m through a pipe into `cat >/dev/null`; then the kmeans and motion modes.
# Every row at -j 1 and at the default thread count; best of 3 (lib.sh).
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
tmp=${SHARDS_BENCH_TMP:-/tmp}/vmedia
mkdir -p "$tmp"
cd "$tmp" || exit 1
secs=${VMEDIA_SECONDS:-10}
frames=$((secs * 30))
ff() { ffmpeg -nostdin -loglevel error -y "$@"; }
if [ ! -s l2.mp4 ] || [ "$(cat secs 2>/dev/null)" != "$secs" ]; then
	ff -f lavfi -i testsrc2=s=1280x720:r=30 -t "$secs" -pix_fmt yuv420p l0.y4m
	ff -f lavfi -i "color=white:s=1280x720:r=30[b];color=red:s=300x300:r=30[f];[b][f]overlay=x='mod(t*200,980)':y=200" \
		-t "$secs" -pix_fmt yuv420p l1.y4m
	ff -f lavfi -i mandelbrot=s=1280x720:r=30 -t "$secs" -pix_fmt yuv420p l2.y4m
	for i in 0 1 2; do ff -i l$i.y4m -c:v libx264 -preset veryfast -crf 20 l$i.mp4; done
	echo "$secs" >secs
fi
JOBS=${SHARDS_JOBS:-$(nproc)}

# realtime WHAT "PIPELINE": the wall time against the clip's length, target 2x
realtime() {
	_t=$(bench_time "$2") || { echo "bench: $1: FAILED"; return 0; }
	echo "$1|$_t" | awk -F'|' -v secs="$secs" -v frames="$frames" '{
		split($2, s, " ")
		up = s[1] > 0 ? secs / s[1] : 0
		fps = s[1] > 0 ? frames / s[1] : 0
		printf "bench: %s vs real time (wall): shards %.3fs (%.0f fps), real time %.3fs, speed-up %.2f (target >= 2 (60 fps): %s)\n",
			$1, s[1], fps, secs, up, (up >= 2 ? "met" : "MISSED")
		printf "bench: %s vs real time (cpu): shards %.3fs\n", $1, s[2] }'
}

bench_load
echo "# 3 layers of $frames frames at 1280x720 (${secs}s at 30 fps); default -j $JOBS"
graph="[1]colorkey=0xFFFFFF:0.3:0.05[a];[2]colorkey=0xCD81CC:0.3:0.05[b];[0][a]overlay[x];[x][b]overlay,format=yuv420p"
for kind in y4m mp4; do
	ffc="ffmpeg -nostdin -loglevel error -i l0.$kind -i l1.$kind -i l2.$kind -filter_complex '$graph' -f yuv4mpegpipe - | cat >/dev/null"
	for j in 1 "$JOBS"; do
		ck="colorkey -j $j -m fixed -c white,0xCD81CC -S 0.3 -B 0.05 l0.$kind l1.$kind l2.$kind | cat >/dev/null"
		realtime "colorkey 3 layers ($kind in, -j $j)" "$ck"
		bench_row "colorkey 3 layers ($kind in, -j $j)" "$ck" "ffmpeg colorkey+overlay" "$ffc"
	done
done
for mode in kmeans motion; do
	for j in 1 "$JOBS"; do
		realtime "colorkey -m $mode 3 layers (y4m in, -j $j)" \
			"colorkey -j $j -m $mode --seed 1 l0.y4m l1.y4m l2.y4m | cat >/dev/null"
	done
done
