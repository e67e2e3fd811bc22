# tests/audio_np.py -- any audio file sox reads, as numpy samples, for the
# tests' own measurements (numpy from Debian; sox decodes, not shards).
import subprocess
import numpy as np


def rd(path):
    """(samples as float64, frames x channels; sample rate)"""
    ch = int(subprocess.run(['soxi', '-c', path], capture_output=True, text=True).stdout)
    rate = int(subprocess.run(['soxi', '-r', path], capture_output=True, text=True).stdout)
    raw = subprocess.run(['sox', path, '-t', 'f32', '-'], capture_output=True, check=True).stdout
    return np.frombuffer(raw, '<f4').reshape(-1, ch).astype(np.float64), rate


def peak_hz(path):
    """the strongest frequency (Hz) of the mono mix's middle half (Hann, 8x zero-padded FFT)"""
    raw = subprocess.run(['sox', path, '-t', 'f32', '-c', '1', '-'], capture_output=True, check=True).stdout
    rate = int(subprocess.run(['soxi', '-r', path], capture_output=True, text=True).stdout)
    x = np.frombuffer(raw, dtype='<f4').astype(float)
    seg = x[len(x) // 4: 3 * len(x) // 4]
    sp = np.abs(np.fft.rfft(seg * np.hanning(len(seg)), 8 * len(seg)))
    return np.argmax(sp) * rate / (8 * len(seg))


if __name__ == '__main__':  # audio_np.py peak FILE: prints peak_hz
    import sys
    if sys.argv[1:2] == ['peak']:
        print('%.3f' % peak_hz(sys.argv[2]))
    else:
        sys.exit('usage: audio_np.py peak FILE')
