# tests/spectral_compare.py A B -- compare two float AU files (specsmear.sh, specmangle.sh).
# Prints: length_a length_b max_abs_diff rms_a_db rms_b_db peak_b
# (lengths in frames; the difference over the common length; numpy from Debian).
import struct, sys
import numpy as np
def au(path):
    d = open(path, 'rb').read()
    off, size, enc, rate, ch = struct.unpack('>5I', d[4:24])
    assert d[:4] == b'.snd' and enc == 6, 'not float AU'
    return np.frombuffer(d[off:], dtype='>f4').astype(np.float64).reshape(-1, ch)
a, b = au(sys.argv[1]), au(sys.argv[2])
n = min(len(a), len(b))
diff = float(np.max(np.abs(a[:n] - b[:n]))) if n else 0.0
db = lambda x: 10 * np.log10(np.mean(x ** 2) + 1e-300)
print(len(a), len(b), '%.3g' % diff, '%.2f' % db(a), '%.2f' % db(b), '%.4f' % np.max(np.abs(b)))
