# rgbsplit: RGB channel offsets.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard rgbsplit "--red-x -8..8 --blue-y 3 --blue-x -5 -p 0.9" "--red-x 0 --blue-x 0"
# agrees with ffmpeg's rgbashift, an independent implementation, compared in RGB
cmp_rgb() { # what fixture ours-args ffmpeg-filter max-mean (both back through the fixture's layout)
	rgbsplit $3 <"$W/$2" | ffmpeg -v error -i - -pix_fmt rgb24 -f rawvideo - >"$W/ours.rgb"
	ffmpeg -v error -i "$W/$2" -vf "$4" -f yuv4mpegpipe - | ffmpeg -v error -i - -pix_fmt rgb24 -f rawvideo - >"$W/ff.rgb"
	check "$1" $PY -c "
import sys, numpy as np
a = np.fromfile('$W/ours.rgb', np.uint8).astype(int); b = np.fromfile('$W/ff.rgb', np.uint8).astype(int)
d = np.abs(a - b).mean(); print(len(a), len(b), d); sys.exit(0 if len(a) == len(b) > 0 and d < $5 else 1)"
}
ffmpeg -v error -f lavfi -i testsrc=size=128x96:rate=25 -t 0.2 -pix_fmt yuv444p -f yuv4mpegpipe - >"$W/s444.y4m"
cmp_rgb "4:4:4 red +4: matches ffmpeg rgbashift" s444.y4m "--red-x 4 --blue-x 0" "rgbashift=rh=4,format=yuv444p" 0.3
cmp_rgb "4:4:4 blue -3 down 2: matches ffmpeg rgbashift" s444.y4m "--red-x 0 --blue-x -3 --blue-y 2" "rgbashift=bh=-3:bv=2,format=yuv444p" 0.3
cmp_rgb "4:2:0 photo, red +6 blue -6: close to ffmpeg rgbashift" photo.y4m "--red-x 6 --blue-x -6" "rgbashift=rh=6:bh=-6,format=yuv420p" 1
rgbsplit -p 0 --red-x 9 <"$W/photo.y4m" >"$W/p0.y4m"
same_file "--prob 0 passes every frame through" "$W/photo.y4m" "$W/p0.y4m"
