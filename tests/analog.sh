# analog: grain, breathing exposure, colour drift, vignette.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard analog "-g 6 -B 0.2 -r 2 -d 0.5 -V 0.5" "-g 0 -B 0 -d 0 -V 0"
ffmpeg -v error -f lavfi -i color=c=0xa0a0a0:size=160x120:rate=25 -t 2 -pix_fmt yuv420p -f yuv4mpegpipe - >"$W/grey.y4m"
analog --seed 1 -g 0 -B 0 -d 0 -V 0.5 <"$W/grey.y4m" >"$W/vig.y4m"
analog --seed 1 -g 5 -B 0 -d 0 -V 0 <"$W/grey.y4m" >"$W/grain.y4m"
analog --seed 1 -g 0 -B 0.3 -r 1 -d 0 -V 0 <"$W/grey.y4m" >"$W/breathe.y4m"
analog --seed 1 -g 0 -B 0 -d 1 -r 1 -V 0 <"$W/grey.y4m" >"$W/drift.y4m"
cat >"$W/check.py" <<PYEOF
import sys; sys.path.insert(0, '$SHARDS_TOP/tests'); import vfx_y4m, numpy as np
what = sys.argv[1]
h, f = vfx_y4m.read(sys.argv[2])
y = np.array([x[0] for x in f], float)
if what == 'vignette':
    c, k = y[0, 58:62, 78:82].mean() - 16, y[0, :2, :2].mean() - 16
    print(c, k, k / c); h0, f0 = vfx_y4m.read(sys.argv[3]); c0 = f0[0][0].mean() - 16
    sys.exit(0 if abs(c - c0) < 1.5 and 0.45 < k / c < 0.6 else 1)
if what == 'grain':
    print(y.std()); sys.exit(0 if abs(y.std() - 5) < 0.3 and np.ptp(y.mean(axis=(1, 2))) < 0.5 else 1)
if what == 'breathe':
    m = y.mean(axis=(1, 2)); d = np.abs(np.diff(m))
    print(m.min(), m.max(), d.max()); sys.exit(0 if m.max() - m.min() > 15 and d.max() < 10 and y[0].std() < 0.6 else 1)
if what == 'drift':
    u = np.array([x[1].mean() for x in f]); v = np.array([x[2].mean() for x in f])
    print(np.ptp(u), np.ptp(v), np.ptp(y)); sys.exit(0 if np.ptp(u) > 5 and np.ptp(v) > 5 and np.ptp(y) == 0 else 1)
PYEOF
check "vignette 0.5: centre untouched, corners near half" $PY "$W/check.py" vignette "$W/vig.y4m" "$W/grey.y4m"
check "grain 5: deviation 5, steady mean" $PY "$W/check.py" grain "$W/grain.y4m"
check "breathing: exposure wanders smoothly" $PY "$W/check.py" breathe "$W/breathe.y4m"
check "drift: chroma wanders, luma untouched" $PY "$W/check.py" drift "$W/drift.y4m"
