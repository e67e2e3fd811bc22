# posterize: flat levels through per-plane tables.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard posterize "-n 3..5 -N 4 -p 0.8" "-m 0 -n 3 -N 3"
check "-l 256 -L 256 is the identity" sh -c "posterize -n 256 -N 256 <'$W/photo.y4m' | cmp -s - '$W/photo.y4m'"
posterize -n 4 <"$W/photo.y4m" >"$W/p4.y4m"
check "a photograph keeps at most 4 luma levels" $Y4M levels "$W/p4.y4m" 4
posterize -n 2..3 --seed 2 <"$W/photo.y4m" >"$W/p2.y4m"
check "levels drawn per frame stay within 2..3" $Y4M levels "$W/p2.y4m" 3
posterize -n 8 <"$W/photo.y4m" >"$W/p8.y4m"
check "8 levels land on the limited-range grid 16..235" $PY -c "
import sys; sys.path.insert(0, '$SHARDS_TOP/tests'); import vfx_y4m, numpy as np
h, f = vfx_y4m.read('$W/p8.y4m'); grid = {round(16 + k * 219 / 7) for k in range(8)}
u = set(np.unique(f[0][0]).tolist()); print(u); sys.exit(0 if u <= grid else 1)"
