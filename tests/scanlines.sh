# scanlines: dark rows, roll, tracking tears.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard scanlines "-P 3 -d 0.3..0.7 -R 0.5 -t 0.5 -s 20" "-d 0 -t 0"
scanlines -P 4 -T 1 -d 1 -R 1 <"$W/photo.y4m" >"$W/s.y4m"
scanlines -P 5 -d 0 -t 1 -s 50 --seed 4 <"$W/photo.y4m" >"$W/t.y4m"
cat >"$W/check.py" <<PYEOF
import sys; sys.path.insert(0, '$SHARDS_TOP/tests'); import vfx_y4m, numpy as np
h0, f0 = vfx_y4m.read('$W/photo.y4m')
what = sys.argv[1]; h, f = vfx_y4m.read(sys.argv[2])
if what == 'rows':
    for n, (a, b) in enumerate(zip(f0, f)):
        for y in range(a[0].shape[0]):
            dark = (y - n) % 4 == 0
            want = np.minimum(a[0][y], 16) if dark else a[0][y]
            if not (b[0][y] == want).all():
                print('frame', n, 'row', y); sys.exit(1)
        # chroma rows covering one dark luma row of two move halfway to neutral
        if not (np.abs(b[1].astype(int) - 128) <= np.abs(a[1].astype(int) - 128)).all():
            print('chroma not pulled to neutral'); sys.exit(1)
    sys.exit(0)
if what == 'tear':
    torn = 0
    for a, b in zip(f0, f):
        rows = [y for y in range(a[0].shape[0]) if not (a[0][y] == b[0][y]).all()]
        if not rows: continue
        k = next(k for k in range(1, a[0].shape[1]) if (np.roll(a[0][rows[0]], k) == b[0][rows[0]]).all())
        ok = all((np.roll(a[0][y], k) == b[0][y]).all() for y in rows) and rows == list(range(rows[0], rows[-1] + 1))
        print(len(rows), k, ok); torn += ok
    sys.exit(0 if torn == len(f) else 1)
PYEOF
check "period 4, darkness 1, roll 1: exactly the right rows go black" $PY "$W/check.py" rows "$W/s.y4m"
check "tears rotate one band of rows sideways" $PY "$W/check.py" tear "$W/t.y4m"
check_fail "thickness must be less than the period" 2 "less than --period" scanlines -P 3 -T 3 "$W/photo.y4m"
