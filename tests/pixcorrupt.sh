# pixcorrupt: block and byte corruption, datamosh smear.
. "$SHARDS_TOP/tests/lib.sh"
. "$SHARDS_TOP/tests/vfx-common.inc"
vfx_fixtures
vfx_standard pixcorrupt "-p 0.8 -n 3..8 -s 8..24 -m 6" "-p 0"
check "--blocks 0 is the identity" sh -c "pixcorrupt -n 0 -p 1 <'$W/photo.y4m' | cmp -s - '$W/photo.y4m'"
pixcorrupt -p 1 -n 1 -s 16 --smear 0 --displace 0 --bytes 0 --flat 1 --seed 3 <"$W/src.y4m" >"$W/flat.y4m"
pixcorrupt -p 1 -n 1 -s 16 --smear 0 --displace 0 --flat 0 --bytes 1 --seed 3 <"$W/src.y4m" >"$W/bytes.y4m"
pixcorrupt -p 1 -n 2 -s 32 --smear 1 --displace 0 --flat 0 --bytes 0 -k 0 -m 10 --seed 3 <"$W/src.y4m" >"$W/smear.y4m"
cat >"$W/check.py" <<PYEOF
import sys; sys.path.insert(0, '$SHARDS_TOP/tests'); import vfx_y4m, numpy as np
h0, f0 = vfx_y4m.read('$W/src.y4m')
what = sys.argv[1]; h, f = vfx_y4m.read(sys.argv[2])
if what == 'flat':
    for a, b in zip(f0, f):
        ys, xs = np.nonzero(a[0] != b[0])
        if len(ys) == 0: continue
        ok = False
        for y0 in (ys.min() // 8 * 8, ys.min() // 8 * 8 - 8):
            for x0 in (xs.min() // 8 * 8, xs.min() // 8 * 8 - 8):
                blk = b[0][max(y0, 0):y0 + 16, max(x0, 0):x0 + 16]
                ok |= y0 >= 0 and x0 >= 0 and ys.max() < y0 + 16 and xs.max() < x0 + 16 and blk.min() == blk.max()
        if not ok:
            print('not one flat aligned block', ys.min(), ys.max(), xs.min(), xs.max()); sys.exit(1)
    sys.exit(0)
if what == 'bytes':
    for a, b in zip(f0, f):
        ra = np.concatenate([p.ravel() for p in a]); rb = np.concatenate([p.ravel() for p in b])
        d = np.nonzero(ra != rb)[0]
        if len(d) and d.max() - d.min() >= 256:
            print('run too long', d.min(), d.max()); sys.exit(1)
    sys.exit(0)
if what == 'smear':
    # every changed luma pixel of frame n>0 comes from the previous output frame
    # moved by at most the motion vector
    for n in range(1, len(f)):
        a, b, prev = f0[n][0], f[n][0], f[n - 1][0].astype(int)
        ys, xs = np.nonzero(a != b)
        for y, x in list(zip(ys, xs))[::37]:
            win = prev[max(0, y - 10):y + 11, max(0, x - 10):x + 11]
            if not (win == int(b[y, x])).any():
                print('pixel', n, y, x, 'not from the previous frame'); sys.exit(1)
    sys.exit(0)
PYEOF
check "flat: one 16x16 macroblock of one value per frame" $PY "$W/check.py" flat "$W/flat.y4m"
check "bytes: one raw run no longer than the block area" $PY "$W/check.py" bytes "$W/bytes.y4m"
check "smear: damaged pixels come from the previous output frame" $PY "$W/check.py" smear "$W/smear.y4m"
check_fail "all action weights 0 is a usage error" 2 "all 0" pixcorrupt --smear 0 --displace 0 --flat 0 --bytes 0 "$W/src.y4m"
