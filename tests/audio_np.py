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
