#!/usr/bin/python3
# tests/y4m_means.py Y4M -- each frame's mean Y, Cb and Cr (4:2:0), one line per
# frame: what a test compares to tell flat-coloured pictures apart.
import sys
d = open(sys.argv[1], 'rb').read()
head, _, rest = d.partition(b'\n')
t = dict((x[:1], x[1:]) for x in head.split()[1:])
w, h = int(t[b'W']), int(t[b'H']); cw, ch = (w+1)//2, (h+1)//2
fs = w*h + 2*cw*ch; p = 0
while p < len(rest):
    nl = rest.index(b'\n', p); f = rest[nl+1:nl+1+fs]
    y, u, v = f[:w*h], f[w*h:w*h+cw*ch], f[w*h+cw*ch:]
    print(round(sum(y)/len(y)), round(sum(u)/len(u)), round(sum(v)/len(v)))
    p = nl + 1 + fs
