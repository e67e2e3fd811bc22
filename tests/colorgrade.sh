# colorgrade: separable YUV grade through three tables.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard colorgrade "-t -0.5..0.5 -c 1.1..1.4 -s 0.6..1.5 -C 0/0.05,0.5/0.45,1/0.95" "-t 0 -c 1 -s 1"
check "neutral curve 0/0,1/1 is the identity" sh -c "colorgrade -C 0/0,1/1 <'$W/photo.y4m' | cmp -s - '$W/photo.y4m'"
ffmpeg -v error -f lavfi -i color=c=0x808080:size=64x64:rate=25 -t 0.2 -pix_fmt yuv444p -f yuv4mpegpipe - >"$W/grey.y4m"
colorgrade -t 0.5 <"$W/grey.y4m" >"$W/warm.y4m"
u=$($Y4M stat "$W/warm.y4m" 1 | cut -d' ' -f1); v=$($Y4M stat "$W/warm.y4m" 2 | cut -d' ' -f1)
u0=$($Y4M stat "$W/grey.y4m" 1 | cut -d' ' -f1)
near "warm: Cb falls by 12*224/255" "$u" "$(echo "$u0 - 12 * 224 / 255" | bc -l)" 0.6
near "warm: Cr rises as much" "$v" "$(echo "$u0 + 12 * 224 / 255" | bc -l)" 0.6
colorgrade -s 0 <"$W/photo.y4m" >"$W/bw.y4m"
sd=$($Y4M stat "$W/bw.y4m" 1 | cut -d' ' -f2)
near "saturation 0: no colour left" "$sd" 0 0.0001
s1=$($Y4M stat "$W/photo.y4m" 0 | cut -d' ' -f2); colorgrade -c 1.5 <"$W/photo.y4m" >"$W/c15.y4m"
s2=$($Y4M stat "$W/c15.y4m" 0 | cut -d' ' -f2)
near "contrast 1.5 scales the luma deviation by 1.5" "$(echo "$s2 / $s1" | bc -l)" 1.5 0.05
colorgrade -C 0/0,0.5/0.6,1/1 <"$W/photo.y4m" >"$W/lift.y4m"
m1=$($Y4M stat "$W/photo.y4m" 0 | cut -d' ' -f1); m2=$($Y4M stat "$W/lift.y4m" 0 | cut -d' ' -f1)
check "a curve through 0.5/0.6 lifts the mid-tones" awk -v a="$m1" -v b="$m2" 'BEGIN { exit !(b > a + 5) }'
check_fail "a curve with x going back is a usage error" 2 "x values must increase" colorgrade -C 0/0,0.6/0.5,0.4/1 "$W/grey.y4m"
# straight-line tables (no gamma, no curve), which run as a multiply-add where
# tables are not looked up 64 at a time: the same bytes for any -j
vfx_jobs colorgrade "-c 1.5 -B 0.2 -s 1.3 -t 0.3"
# a hue shift turns the chroma pair around grey: luma untouched, 180 degrees
# mirrors every colour to its complement, a full turn there and back is close
ffmpeg -v error -f lavfi -i color=c=0xc04020:size=64x64:rate=25 -t 0.2 -pix_fmt yuv444p -f yuv4mpegpipe - >"$W/red.y4m"
colorgrade --hue-shift 180 <"$W/red.y4m" >"$W/cyan.y4m"
y0=$($Y4M stat "$W/red.y4m" 0 | cut -d' ' -f1); y1=$($Y4M stat "$W/cyan.y4m" 0 | cut -d' ' -f1)
near "hue shift: luma untouched" "$y1" "$y0" 0.0001
ur=$($Y4M stat "$W/red.y4m" 1 | cut -d' ' -f1); uc=$($Y4M stat "$W/cyan.y4m" 1 | cut -d' ' -f1)
vr=$($Y4M stat "$W/red.y4m" 2 | cut -d' ' -f1); vc=$($Y4M stat "$W/cyan.y4m" 2 | cut -d' ' -f1)
near "hue shift 180: Cb mirrored around grey" "$(echo "$uc - 128" | bc -l)" "$(echo "128 - $ur" | bc -l)" 1
near "hue shift 180: Cr mirrored around grey" "$(echo "$vc - 128" | bc -l)" "$(echo "128 - $vr" | bc -l)" 1
colorgrade --hue-shift 40 --seed 3 <"$W/photo.y4m" | colorgrade --hue-shift -40 >"$W/back.y4m"
check "hue shift 40 then -40 comes back within rounding" /usr/bin/python3 -c '
import sys
a = open(sys.argv[1], "rb").read(); b = open(sys.argv[2], "rb").read()
assert len(a) == len(b)
d = max(abs(x - y) for x, y in zip(a[-3000:], b[-3000:]))
assert d <= 2, d' "$W/photo.y4m" "$W/back.y4m"
check "a hue range is drawn from the seed: the same bytes for the same seed" sh -c "\
	[ \"\$(colorgrade --hue-shift -30..30 --seed 5 <'$W/photo.y4m' | md5sum)\" = \"\$(colorgrade --hue-shift -30..30 --seed 5 <'$W/photo.y4m' | md5sum)\" ]"
