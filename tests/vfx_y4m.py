"""vfx_y4m.py -- an independent YUV4MPEG2 reader for the video effect tests.

    /usr/bin/python3 tests/vfx_y4m.py COMMAND FILE [ARGS]

Commands print one line and exit 0 when the property holds, 1 otherwise:
  frames FILE N              the stream has N whole frames
  header FILE TOKEN...       the header carries every TOKEN
  changed FILE REF MINFRAC   at least MINFRAC of the bytes differ from REF
  levels FILE MAX            every frame's luma has at most MAX distinct values
  stat FILE PLANE            prints mean and deviation of a plane (0,1,2) over all frames
"""
import sys

import numpy as np


def read(path):
    with open(path, 'rb') as f:
        data = f.read()
    nl = data.index(b'\n')
    head = data[:nl].decode().split()
    assert head[0] == 'YUV4MPEG2', 'bad magic'
    tok = {t[0]: t[1:] for t in head[1:]}
    w, h = int(tok['W']), int(tok['H'])
    c = tok.get('C', '420jpeg')
    if c.startswith('420'):
        cw, ch = (w + 1) // 2, (h + 1) // 2
    elif c == '422':
        cw, ch = (w + 1) // 2, h
    elif c == '444':
        cw, ch = w, h
    elif c == 'mono':
        cw, ch = 0, 0
    else:
        raise SystemExit('unsupported chroma ' + c)
    size = w * h + 2 * cw * ch
    frames = []
    pos = nl + 1
    while pos < len(data):
        e = data.index(b'\n', pos)
        assert data[pos:pos + 5] == b'FRAME', 'bad frame header'
        pos = e + 1
        buf = np.frombuffer(data, np.uint8, size, pos)
        if len(buf) < size:
            raise SystemExit('truncated frame')
        pos += size
        y = buf[:w * h].reshape(h, w)
        planes = [y]
        if cw:
            planes.append(buf[w * h:w * h + cw * ch].reshape(ch, cw))
            planes.append(buf[w * h + cw * ch:].reshape(ch, cw))
        frames.append(planes)
    return head, frames


def main():
    cmd, path = sys.argv[1], sys.argv[2]
    args = sys.argv[3:]
    head, frames = read(path)
    if cmd == 'frames':
        print(len(frames))
        return len(frames) == int(args[0])
    if cmd == 'header':
        missing = [t for t in args if t not in head]
        print(' '.join(head), 'missing:', missing)
        return not missing
    if cmd == 'changed':
        _, ref = read(args[0])
        a = np.concatenate([p.ravel() for f in frames for p in f])
        b = np.concatenate([p.ravel() for f in ref for p in f])
        frac = float(np.mean(a != b)) if len(a) == len(b) else 1.0
        print(frac)
        return frac >= float(args[1])
    if cmd == 'levels':
        worst = max(len(np.unique(f[0])) for f in frames)
        print(worst)
        return worst <= int(args[0])
    if cmd == 'stat':
        p = int(args[0])
        v = np.concatenate([f[p].ravel().astype(float) for f in frames])
        print('%.4f %.4f' % (v.mean(), v.std()))
        return True
    raise SystemExit('unknown command ' + cmd)


if __name__ == '__main__':
    sys.exit(0 if main() else 1)
