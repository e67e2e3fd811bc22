#!/bin/sh
# tests/grade.sh -- the curation manifest of texture files: grades as expected
# for sox tones, noise, silence, clipped and quiet files; every measure checked
# against numpy; a seamless loop's seam error near 0, a phase step's near 1;
# the CSV (python csv) and JSON (json) agree; padmine's own measures of its
# loop agree with grade's; presets and threshold options move the grades;
# --delete-f deletes the F files and nothing else; a bad file is one warning
# and the rest are graded; the contact sheet is a PNG of the documented size
# with a tile per file. Real material: loops made by padmine and loopify from
# wesnoth-1.16-music.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# ---- material
R=44100
sox -n -r $R -c 1 tone.wav synth 1 sine 441 gain -6          # 441 periods of 100 samples: a seamless loop
sox -n -r $R -c 1 long.wav synth 2 sine 441 gain -6
sox long.wav step.wav trim 0 44150s                           # half a period more: antiphase at the wrap
sox -n -r $R -c 2 noise.wav synth 2 whitenoise gain -10       # unpitched, bright, even
sox -n -r $R -c 1 silence.wav trim 0 1
sox -n -r $R -c 1 clipped.wav synth 1 sine 441 gain 6 2>/dev/null
sox -n -r $R -c 1 quiet.wav synth 1 sine 441 gain -40         # about -43 dBFS: C
sox -n -r $R -c 1 faint.wav synth 1 sine 441 gain -50         # about -53 dBFS: D
sox -n -r $R -c 1 mid.wav synth 2 pinknoise sinc 1500-2500 gain -3
M=/usr/share/games/wesnoth/1.16/data/core/music
music=
if [ -f "$M/sad.ogg" ] && [ -f "$M/transience.ogg" ]; then
	sox "$M/sad.ogg" sad.wav trim 4 12
	sox "$M/transience.ogg" trans.wav trim 10 10
	padmine --report -D 2 sad.wav >pad-rep.json 2>/dev/null
	padmine -D 2 sad.wav >pad.au 2>/dev/null
	loopify -d 4 trans.wav >loop.au 2>/dev/null
	music="pad.au loop.au"
else
	fail "real music" "missing: install wesnoth-1.16-music"
fi
files="tone.wav step.wav noise.wav silence.wav clipped.wav quiet.wav faint.wav mid.wav $music"

# ---- CSV
grade $files >m.csv 2>err
check "grade exits 0 on good files" test -s m.csv
check "CSV has the manifest's columns, one row a file, in order" $PY -c "
import csv
r = list(csv.reader(open('m.csv')))
assert r[0] == ['filename','source','type','duration','rms_db','peak_db','crest_db','centroid_hz','pitch_hz','seam_error','brightness','grade'], r[0]
assert [x[0] for x in r[1:]] == '$files'.split(), [x[0] for x in r[1:]]"
gr() { $PY -c "import csv,sys; print([r['grade'] for r in csv.DictReader(open('m.csv')) if r['filename']==sys.argv[1]][0])" "$1"; }
expect() { g=$(gr "$1"); if [ "$g" = "$2" ]; then pass "$1 grades $2"; else fail "$1 grades $2" "got $g"; fi; }
expect tone.wav A
expect noise.wav A
expect silence.wav F
expect clipped.wav F
expect quiet.wav C
expect faint.wav D
expect step.wav D
check "fixed formats: 3 decimals of seconds, 2 of dB, 1 of Hz, 4 of seam" $PY -c "
import csv, re
for r in csv.DictReader(open('m.csv')):
    assert re.fullmatch(r'\d+\.\d{3}', r['duration']), r
    for k in ('rms_db','peak_db','crest_db'): assert re.fullmatch(r'-?\d+\.\d{2}', r[k]), r
    assert re.fullmatch(r'\d+\.\d', r['centroid_hz']), r
    assert r['pitch_hz'] == '' or re.fullmatch(r'\d+\.\d', r['pitch_hz']), r
    assert r['seam_error'] == '' or re.fullmatch(r'\d+\.\d{4}', r['seam_error']), r
    assert r['type'] == 'loop' and r['source'] == ''"

# ---- every measure against numpy
for f in $files; do sox "$f" -t f32 -e floating-point -b 32 "$f.f32" 2>/dev/null; done
check "levels, clipping, duration and centroid agree with numpy" $PY - $files <<'PYEOF'
import csv, sys, json, subprocess, numpy as np
rows = {r['filename']: r for r in csv.DictReader(open('m.csv'))}
js = {o['filename']: o for o in json.loads(subprocess.run(['grade', '--json'] + sys.argv[1:], capture_output=True).stdout)}
for f in sys.argv[1:]:
    ch = int(subprocess.run(['soxi', '-c', f], capture_output=True, text=True).stdout)
    rate = int(subprocess.run(['soxi', '-r', f], capture_output=True, text=True).stdout)
    x = np.fromfile(f + '.f32', dtype='<f4').astype(np.float64).reshape(-1, ch)
    r = rows[f]
    ms = np.mean(x * x)
    rms = max(10 * np.log10(ms + 1e-20), -200)
    peak = max(20 * np.log10(np.abs(x).max() + 1e-10), -200)
    assert abs(float(r['duration']) - len(x) / rate) < 0.0006, (f, r['duration'])
    assert abs(float(r['rms_db']) - rms) < 0.006, (f, r['rms_db'], rms)
    assert abs(float(r['peak_db']) - peak) < 0.006, (f, r['peak_db'], peak)
    if rms > -200: assert abs(float(r['crest_db']) - (peak - rms)) < 0.011, (f, r['crest_db'])
    clip = np.mean(np.abs(x.astype(np.float32)) >= np.float32(0.999))
    assert abs(js[f]['clip_fraction'] - clip) < 1e-6, (f, js[f]['clip_fraction'], clip)
    # centroid: Hann frames of 2048 at a quarter hop, magnitudes summed
    m = x.mean(axis=1)
    n = 2048
    pad = np.concatenate([np.zeros(n), m, np.zeros(n)])
    w = np.hanning(n + 1)[:n]
    mag = np.zeros(n // 2 + 1)
    for s in range(0, len(pad) - n, n // 4):
        mag += np.abs(np.fft.rfft(pad[s:s + n] * w))
    k = np.arange(len(mag))
    c = (mag[1:] * k[1:]).sum() / mag[1:].sum() * rate / n if mag[1:].sum() > 1e-9 else 0
    got = float(r['centroid_hz'])
    assert abs(got - c) <= 0.03 * c + 1, (f, got, c)
print('ok')
PYEOF
check "brightness: tone dark, band of 1.5-2.5 kHz mid, white noise bright" $PY -c "
import csv
b = {r['filename']: r['brightness'] for r in csv.DictReader(open('m.csv'))}
assert (b['tone.wav'], b['mid.wav'], b['noise.wav']) == ('dark', 'mid', 'bright'), b"
check "rough pitch: 441 Hz tones near 441, noise none" $PY -c "
import csv
p = {r['filename']: r['pitch_hz'] for r in csv.DictReader(open('m.csv'))}
for f in ('tone.wav', 'quiet.wav', 'step.wav'): assert abs(float(p[f]) - 441) < 2, (f, p[f])
assert p['noise.wav'] == '' and p['silence.wav'] == '', p"
check "seam: a whole number of periods near 0, a half-period step near 1" $PY -c "
import csv
s = {r['filename']: float(r['seam_error']) for r in csv.DictReader(open('m.csv'))}
assert s['tone.wav'] < 0.01, s['tone.wav']
assert s['step.wav'] > 0.6, s['step.wav']"

# ---- JSON agrees with the CSV
grade --json $files >m.json 2>/dev/null
check "JSON holds the CSV's values" $PY -c "
import csv, json
rows = list(csv.DictReader(open('m.csv')))
js = json.load(open('m.json'))
assert len(rows) == len(js)
for r, o in zip(rows, js):
    for k, v in r.items():
        w = o[k]
        if v == '': assert w in (None, ''), (k, w)
        elif isinstance(w, float): assert abs(float(v) - w) < 1e-9, (k, v, w)
        else: assert str(w) == v, (k, v, w)
    assert o['why'] and o['channels'] >= 1"

# ---- real material: padmine's loop measured by padmine and by grade alike
if [ -n "$music" ]; then
	check "padmine's loop: grade's levels, centroid, pitch, brightness and grade are padmine's own" $PY -c "
import csv, json
c = json.load(open('pad-rep.json'))['sources'][0]['candidates'][0]
r = [r for r in csv.DictReader(open('m.csv')) if r['filename'] == 'pad.au'][0]
for k in ('rms_db', 'peak_db', 'crest_db', 'centroid_hz'): assert abs(float(r[k]) - c[k]) < 0.011, (k, r[k], c[k])
assert (r['pitch_hz'] == '') == (c['pitch_hz'] is None), (r['pitch_hz'], c['pitch_hz'])
assert r['brightness'] == c['brightness'] and r['grade'] in 'ABCD', (r, c)"
	check "loopify's loop of real music is graded, not F" $PY -c "
import csv
r = [r for r in csv.DictReader(open('m.csv')) if r['filename'] == 'loop.au'][0]
assert r['grade'] in 'ABCD' and float(r['duration']) > 3.9, r"
fi

# ---- seams of loops made by loopify: better than a plain cut of the same tone
sox -n -r $R -c 1 chord.wav synth 6 sine 220 sine 277.18 synth 6 sine mix 329.63 gain -8
loopify -d 2 chord.wav >chord-loop.au 2>/dev/null
sox chord.wav chord-cut.wav trim 0 2.0123
grade --json chord-loop.au chord-cut.wav >ch.json 2>/dev/null
check "loopify's loop of a chord has a smaller seam error than a plain cut" $PY -c "
import json
a, b = json.load(open('ch.json'))
assert a['seam_error'] < b['seam_error'], (a['seam_error'], b['seam_error'])"

# ---- one-shots, folders, presets, options
mkdir -p exp/Song/swells exp/Song/pads
cp tone.wav exp/Song/swells/s.wav; cp tone.wav exp/Song/pads/p.wav
grade exp/Song/swells/s.wav exp/Song/pads/p.wav >f.csv 2>/dev/null
check "export folders give type and source; a swell has no seam error" $PY -c "
import csv
r = list(csv.DictReader(open('f.csv')))
assert (r[0]['type'], r[0]['source'], r[0]['seam_error']) == ('swell', 'Song', ''), r[0]
assert (r[1]['type'], r[1]['source']) == ('pad', 'Song') and r[1]['seam_error'] != '', r[1]"
grade --one-shot --type cloud --source X tone.wav >o.csv 2>/dev/null
check "--one-shot, --type, --source" $PY -c "
import csv
r = list(csv.DictReader(open('o.csv')))[0]
assert (r['type'], r['source'], r['seam_error']) == ('cloud', 'X', ''), r"
grade --preset afterglow $files >p.csv 2>/dev/null
same_file "--preset afterglow is the built-in thresholds" m.csv p.csv
grade --preset strict quiet.wav tone.wav >s.csv 2>/dev/null
check "--preset strict grades quiet.wav lower" $PY -c "
import csv
g = [r['grade'] for r in csv.DictReader(open('s.csv'))]
assert g == ['D', 'A'], g"
grade --silence -30 --c-rms -20 --b-rms -10 --a-rms -5 quiet.wav >t.csv 2>/dev/null
check "--silence moves a quiet file to F" $PY -c "
import csv
assert [r['grade'] for r in csv.DictReader(open('t.csv'))] == ['F']"
check_fail "thresholds out of order are a usage error" 2 "^grade: .*RMS" grade --a-rms -50 tone.wav
check_fail "no files is a usage error" 2 "^grade: " grade
check_fail "an unknown preset is a usage error" 2 "^grade: " grade --preset nosuch tone.wav

# ---- a bad file: one warning, the rest graded, exit 1
printf 'not audio' >bad.wav
grade tone.wav bad.wav noise.wav >b.csv 2>b.err
st=$?
check "a bad file: exit 1" test "$st" -eq 1
check "a bad file: one warning line naming it" sh -c "[ \$(wc -l <b.err) -eq 1 ] && grep -q '^grade: bad.wav' b.err"
check "a bad file: the rest graded" $PY -c "
import csv
assert [r['filename'] for r in csv.DictReader(open('b.csv'))] == ['tone.wav', 'noise.wav']"
check_fail "a missing file: one warning, exit 1" 1 "^grade: nosuch.wav" grade nosuch.wav

# ---- -o writes atomically the same text
grade -o out.csv $files 2>/dev/null
same_file "-o FILE holds what stdout would" m.csv out.csv

# ---- --delete-f deletes only F
mkdir -p del
for f in tone.wav silence.wav clipped.wav faint.wav noise.wav; do cp "$f" del/; done
grade --delete-f del/tone.wav del/silence.wav del/clipped.wav del/faint.wav del/noise.wav >d.csv 2>d.err
check "--delete-f removes the F files" sh -c "[ ! -e del/silence.wav ] && [ ! -e del/clipped.wav ]"
check "--delete-f keeps the rest" sh -c "[ -f del/tone.wav ] && [ -f del/faint.wav ] && [ -f del/noise.wav ] && [ \$(ls del | wc -l) -eq 3 ]"
check "--delete-f names each deletion on stderr, one line each" sh -c "[ \$(wc -l <d.err) -eq 2 ] && grep -q 'deleted del/silence.wav' d.err && grep -q 'deleted del/clipped.wav' d.err"
cp silence.wav ./-
sox silence.wav -t au - | grade --delete-f - >/dev/null 2>dstdin.err
check "--delete-f never deletes a file named - when - is standard input" test -f ./-
check "--delete-f still lists the deleted files in the manifest" $PY -c "
import csv
assert len(list(csv.DictReader(open('d.csv')))) == 5"

# ---- the contact sheet
grade --sheet sheet.png --columns 3 $files >/dev/null 2>sheet.err
n=$(echo $files | wc -w)
rows=$(( (n + 2) / 3 ))
check "--sheet writes a PNG of 900 x $((rows * 220 + 40))" $PY -c "
import struct, sys
b = open('sheet.png', 'rb').read(24)
assert b[:8] == b'\\x89PNG\\r\\n\\x1a\\n' and b[12:16] == b'IHDR', b
w, h = struct.unpack('>II', b[16:24])
assert (w, h) == (900, $((rows * 220 + 40))), (w, h)"
check "the sheet has a drawn tile per file, blank cells after" $PY - "$n" <<'PYEOF'
import sys, zlib, struct
# the PNG decoded here (8-bit RGB, not interlaced, as file(1) said): its
# IDAT stream inflated and each row unfiltered
n = int(sys.argv[1])
d = open('sheet.png', 'rb').read()
assert d[:8] == b'\x89PNG\r\n\x1a\n'
pos, idat = 8, b''
while pos < len(d):
    ln, typ = struct.unpack('>I4s', d[pos:pos + 8])
    body = d[pos + 8:pos + 8 + ln]
    if typ == b'IHDR':
        w, h, depth, ctype, _, _, inter = struct.unpack('>IIBBBBB', body)
        assert depth == 8 and ctype in (2, 6) and inter == 0, (depth, ctype, inter)
        bpp = 3 if ctype == 2 else 4
    elif typ == b'IDAT':
        idat += body
    pos += 12 + ln
raw = zlib.decompress(idat)
stride = w * bpp
img, prev, o = [], bytearray(stride), 0
for y in range(h):
    f, line = raw[o], bytearray(raw[o + 1:o + 1 + stride])
    o += 1 + stride
    for i in range(stride):
        a = line[i - bpp] if i >= bpp else 0
        b, c = prev[i], (prev[i - bpp] if i >= bpp else 0)
        if f == 1: line[i] = (line[i] + a) & 255
        elif f == 2: line[i] = (line[i] + b) & 255
        elif f == 3: line[i] = (line[i] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - c
            pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
            line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
    img.append(bytes(line))
    prev = line
px = lambda x, y: img[y][x * bpp:x * bpp + 3]
cols = 3
rows = (n + cols - 1) // cols
ch = (h - 40) / rows
busy = 0
for k in range(rows * cols):
    c, r = k % cols, k // cols
    cx, cy = int(c * 300 + 150), int(20 + (r + 0.5) * ch)
    seen = {px(x, y) for y in range(cy - 40, cy + 40, 2) for x in range(cx - 100, cx + 100, 2)}
    if k < n: assert len(seen) >= 2, (k, len(seen))
    else: assert len(seen) == 1, (k, len(seen))
print('ok')
PYEOF
check "--help and --version" sh -c "grade --help | grep -q sheet && grade --version >/dev/null"
