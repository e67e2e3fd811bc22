#!/bin/sh
# tests/bench/vfx.sh -- the y4m effects against ffmpeg's nearest filters, 1080p,
# both reading and writing y4m, same input, same run; best of 3 runs each.
#   bench: WHAT: shards Xs (N fps), ffmpeg FILTER Ys (M fps), ratio R
# (ratio = ffmpeg time / shards time: above 1 means shards is faster)
set -u
D=${SHARDS_BENCH_TMP:-/tmp}/vfx
mkdir -p "$D"
IN=$D/in1080.y4m
FRAMES=${VFX_BENCH_FRAMES:-100}
if [ ! -s "$IN" ] || [ "$(cat "$D/frames" 2>/dev/null)" != "$FRAMES" ]; then
	ffmpeg -v error -f lavfi -i testsrc2=size=1920x1080:rate=25 -frames:v "$FRAMES" -pix_fmt yuv420p \
		-f yuv4mpegpipe - >"$IN" || exit 1
	echo "$FRAMES" >"$D/frames"
fi

best() { # best wall time of 3 runs of "sh -c CMD"
	b=
	for i in 1 2 3; do
		s=$(date +%s.%N)
		sh -c "$1" || { echo "failed: $1" >&2; return 1; }
		e=$(date +%s.%N)
		b=$(echo "$s $e ${b:-}" | awk '{ t = $2 - $1; if ($3 != "" && $3 < t) t = $3; printf "%.3f", t }')
	done
	echo "$b"
}

bench() { # WHAT "SHARDS CMD" "FFMPEG FILTER"
	t1=$(best "$2 <$IN >/dev/null") || return
	t2=$(best "ffmpeg -v error -f yuv4mpegpipe -i $IN -vf '$3' -f yuv4mpegpipe - >/dev/null") || return
	echo "$1 $t1 $t2 $FRAMES ${3%%=*}" | awk '{ printf "bench: %s: shards %.3fs (%.0f fps), ffmpeg %s %.3fs (%.0f fps), ratio %.2f\n", $1, $2, $4 / $2, $5, $3, $4 / $3, $3 / $2 }'
}

echo "input: $FRAMES frames of 1920x1080 4:2:0 y4m ($(($(wc -c <"$IN") / 1048576)) MiB)"
t=$(best "cat $IN >/dev/null"); echo "(cat of the input: ${t}s)"
for p in ${VFX_BENCH:-vnoise posterize colorgrade analog rgbsplit}; do
	command -v "$p" >/dev/null || { echo "bench: $p: not built"; continue; }
	case $p in
	vnoise) bench vnoise "vnoise --seed 1 -s 8" "noise=alls=20:allf=t" ;;
	posterize) bench posterize "posterize --seed 1 -l 6" "lutyuv=y=floor(val/43)*43" ;;
	colorgrade) bench colorgrade "colorgrade --contrast 1.2 --saturation 1.3" "eq=contrast=1.2:saturation=1.3" ;;
	analog)
		bench analog "analog --seed 1 --grain 0 --breathe 0 --drift 0 --vignette 0.6" "vignette"
		bench analog-all-four "analog --seed 1 --vignette 0.6" "vignette" ;;
	rgbsplit) bench rgbsplit "rgbsplit --seed 1 -r 8 -b -8" "rgbashift=rh=8:bh=-8,format=yuv420p" ;;
	esac
done
