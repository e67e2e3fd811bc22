#!/bin/sh
# tests/bench/vfx.sh -- the y4m effects against ffmpeg's nearest filters at
# 1080p. Both sides read the same y4m file (as a file operand; one row an mp4) and write y4m
# through a pipe into `cat >/dev/null`; best of 3 (tests/bench/lib.sh). Each
# effect runs at -j 1 (the single-threaded loop) and at the default thread count
# (the cores: reader, writer and the rows shared among the threads).
#   VFX_BENCH="colorgrade vnoise" picks effects; VFX_BENCH_FRAMES the length.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/vfx
mkdir -p "$D"
IN=$D/in1080.y4m
FRAMES=${VFX_BENCH_FRAMES:-100}
if [ ! -s "$IN" ] || [ "$(cat "$D/frames" 2>/dev/null)" != "$FRAMES" ]; then
	ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=25 -frames:v "$FRAMES" -pix_fmt yuv420p \
		-f yuv4mpegpipe - >"$IN" || exit 1
	echo "$FRAMES" >"$D/frames"
fi
JOBS=${SHARDS_JOBS:-$(nproc)}

bench_load
echo "# input: $FRAMES frames of 1920x1080 4:2:0 y4m ($(($(wc -c <"$IN") / 1048576)) MiB); default -j $JOBS"
# the floor: what the same pipes cost with no filter at all (not a comparison)
floor=$(bench_time "cat $IN | cat >/dev/null") && echo "# floor: cat of the input through the same pipe: ${floor%% *}s wall"

# row WHAT "SHARDS COMMAND" "FFMPEG FILTER" [TARGET]
row() {
	ff="ffmpeg -v error -f yuv4mpegpipe -i $IN -vf '$3' -f yuv4mpegpipe - | cat >/dev/null"
	bench_row "$1 -j 1" "$2 -j 1 $IN | cat >/dev/null" "ffmpeg ${3%%=*}" "$ff" "${4:-}"
	bench_row "$1 -j $JOBS" "$2 -j $JOBS $IN | cat >/dev/null" "ffmpeg ${3%%=*}" "$ff" "${4:-}"
}

for p in ${VFX_BENCH:-vnoise posterize colorgrade analog rgbsplit}; do
	command -v "$p" >/dev/null || { echo "bench: $p: not built"; continue; }
	case $p in
	vnoise) row vnoise "vnoise --seed 1 -s 8" "noise=alls=20:allf=t" ;;
	posterize) row posterize "posterize --seed 1 -n 6" "lutyuv=y=floor(val/43)*43" ;;
	colorgrade) row colorgrade "colorgrade --contrast 1.2 --saturation 1.3" "eq=contrast=1.2:saturation=1.3" ">= 2" ;;
	analog)
		row analog "analog --seed 1 --grain 0 --breathe 0 --drift 0 --vignette 0.6" "vignette"
		row analog-all-four "analog --seed 1 --vignette 0.6" "vignette" ;;
	rgbsplit) row rgbsplit "rgbsplit --seed 1 --red-x 8 --blue-x -8" "rgbashift=rh=8:bh=-8,format=yuv420p" ;;
	esac
done

# a media file as input: both sides decode the same H.264 file (posterize's
# driver through lib/media), and write y4m into the same sink
case " ${VFX_BENCH:-posterize} " in *" posterize "*)
	MP4=$D/in1080.mp4
	if [ ! -s "$MP4" ] || [ "$MP4" -ot "$IN" ]; then
		ffmpeg -v error -y -f yuv4mpegpipe -i "$IN" -c:v libx264 -preset ultrafast -crf 18 "$MP4" || exit 1
	fi
	bench_row "posterize mp4 -j $JOBS" "posterize --seed 1 -n 6 -j $JOBS $MP4 | cat >/dev/null" "ffmpeg lutyuv" \
		"ffmpeg -v error -i $MP4 -vf 'lutyuv=y=floor(val/43)*43' -f yuv4mpegpipe - | cat >/dev/null"
	;;
esac
