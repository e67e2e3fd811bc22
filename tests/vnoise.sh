# vnoise: seeded noise on y4m.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard vnoise "-s 10 -c 4" "-s 0 -c 0"
# deviation of the added luma noise on a flat grey field matches --strength
ffmpeg -v error -f lavfi -i color=c=0x808080:size=256x256:rate=25 -t 0.2 -pix_fmt yuv444p -f yuv4mpegpipe - >"$W/grey.y4m"
vnoise --seed 3 -s 12 <"$W/grey.y4m" >"$W/gn.y4m"
sd=$($Y4M stat "$W/gn.y4m" 0 | cut -d' ' -f2)
near "vnoise: luma deviation follows --strength 12" "$sd" 12 0.6
sd=$($Y4M stat "$W/gn.y4m" 1 | cut -d' ' -f2)
near "vnoise: chroma untouched by default" "$sd" 0 0.001
vnoise --seed 3 -s 0 -c 6 <"$W/grey.y4m" >"$W/gc.y4m"
sd=$($Y4M stat "$W/gc.y4m" 2 | cut -d' ' -f2)
near "vnoise: chroma deviation follows --chroma 6" "$sd" 6 0.4
vnoise --seed 3 -s 8 --frozen <"$W/grey.y4m" >"$W/gf.y4m"
check "vnoise: --frozen repeats one pattern" $PY -c "
import sys; sys.path.insert(0, '$SHARDS_TOP/tests'); import vfx_y4m, numpy as np
h, f = vfx_y4m.read('$W/gf.y4m'); sys.exit(0 if all((x[0] == f[0][0]).all() for x in f) and f[0][0].std() > 4 else 1)"
vnoise --seed 3 -s 8 -p 0 <"$W/grey.y4m" >"$W/gp.y4m"
same_file "vnoise: --prob 0 leaves every frame clean" "$W/grey.y4m" "$W/gp.y4m"
# standard output on a terminal is refused (script(1) provides the terminal)
if command -v script >/dev/null; then
	script -qec "vnoise <'$W/src.y4m'; echo status=\$?" /dev/null >"$W/tty.txt" 2>&1
	if grep -q "refusing to write binary data to a terminal" "$W/tty.txt" && grep -q "status=1" "$W/tty.txt"; then
		pass "a terminal on stdout is refused, status 1"
	else fail "a terminal on stdout is refused, status 1" "$(head -c 300 "$W/tty.txt")"; fi
fi
