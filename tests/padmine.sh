#!/bin/sh
# tests/padmine.sh -- pad mining: the sustained region is found (not the drums),
# loops are seamless (no click over three repetitions, checked with numpy), lengths
# as asked, brightness agrees with an independent centroid, grade F is not saved,
# determinism and block-size invariance, the export folder and its manifest (python
# csv), merging keeps other rows byte for byte, concurrent runs lose no row, and
# bad input fails with one line and no partial file. Real material: a string
# section and a GM drum kit rendered by fluidsynth from the FluidR3 soundfont.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# ---- material: 3 s of drums, 7 s of a sustained chord with slow tremolo, 3 s of drums
sox -n -r 48000 -c 2 kick.wav synth 0.25 sine 150-40 fade 0 0.25 0.2 gain -3
sox -n -r 48000 -c 2 hat.wav synth 0.125 noise gain -12 highpass 7000 fade 0 0.125 0.1
sox kick.wav hat.wav hat.wav kick.wav hat.wav hat.wav d1.wav
sox d1.wav d1.wav d1.wav drums.wav
sox -n -r 48000 -c 2 pad.wav synth 7 sine 220 sine 277.18 synth 7 sine mix 329.63 tremolo 0.5 20 gain -12 fade 0.05 7 0.05
sox drums.wav pad.wav drums.wav src.wav
# bright material: hiss between the same drums
sox -n -r 48000 -c 2 air.wav synth 7 whitenoise highpass 5000 tremolo 0.3 10 gain -14 fade 0.05 7 0.05
sox drums.wav air.wav drums.wav air-src.wav

# ---- the sustained region, not the drums
padmine --report src.wav >rep.json 2>err
check "report is JSON with candidates" $PY -c "import json,sys; d=json.load(open('rep.json')); assert d['sources'][0]['candidates']"
s1=$($PY -c "import json; c=json.load(open('rep.json'))['sources'][0]['candidates'][0]; print(c['start'], c['start']+c['duration'])")
set -- $s1
if awk -v a="$1" -v b="$2" 'BEGIN { exit !(a >= 3.0 && b <= 10.0) }'; then pass "best pad lies in the sustained part ($1..$2 s of 3..10)"
else fail "best pad lies in the sustained part" "$1..$2"; fi
check "every candidate avoids the drums" $PY -c "
import json
for c in json.load(open('rep.json'))['sources'][0]['candidates']:
    assert c['start'] >= 2.95 and c['start'] + c['duration'] <= 10.05, c"

# ---- the loop is seamless; a plain cut of the same length is not
padmine src.wav >best.au
check "best pad is AU float" sh -c "[ \"\$(soxi -t best.au)\" = au ] && [ \"\$(soxi -b best.au)\" = 32 ]"
set -- $(seam_check best.au 2)
if awk -v j="$1" -v m="$2" -v a="$3" -v b="$4" 'BEGIN { exit !(j <= m && a <= 1.5 * b) }'; then pass "loop of 3 has no click at the seams (jump $1, largest step inside $2)"
else fail "loop of 3 has no click at the seams" "jump $1 vs $2, curvature $3 vs $4"; fi
len=$(soxi -D best.au)
start=$($PY -c "import json; print(json.load(open('rep.json'))['sources'][0]['candidates'][0]['start'])")
sox src.wav -e floating-point -b 32 -t au naive.au trim "$start" "$len"
set -- $(seam_check naive.au 2)
if awk -v j="$1" -v m="$2" -v a="$3" -v b="$4" 'BEGIN { exit !(j > m || a > 1.5 * b) }'; then pass "control: a plain cut of that region clicks (jump $1, curvature $3 vs $4)"
else fail "control: a plain cut of that region clicks" "$*"; fi

# ---- durations as asked
padmine --durations 2.5 src.wav >d25.au
near "--durations 2.5 gives 2.5 s within the seam search" "$(soxi -D d25.au)" 2.5 0.0205
padmine --durations 2.5 --seam-search 0 src.wav >d25x.au
check "--seam-search 0 keeps the length exact" sh -c "[ \"\$(soxi -s d25x.au)\" = 120000 ]"
padmine --report --durations 0.5..2 src.wav >range.json
check "MIN..MAX tries MIN, doubled, up to MAX" $PY -c "
import json
t = sorted({c['target'] for c in json.load(open('range.json'))['sources'][0]['candidates']})
assert t == [0.5, 1, 2], t"

# ---- brightness against an independent centroid
centroid() { raw "$1" "$1.f32"; $PY -c "
import sys, numpy as np
x = np.fromfile('$1.f32', dtype='<f4').reshape(-1, $2).mean(axis=1)
m = np.abs(np.fft.rfft(x)); f = np.fft.rfftfreq(len(x), 1 / $3)
print(round(float((m * f).sum() / m.sum())))"; }
padmine air-src.wav >air.au
c_dark=$(centroid best.au 2 48000) c_air=$(centroid air.au 2 48000)
tag_dark=$(padmine --report src.wav | $PY -c "import json,sys; print(json.load(sys.stdin)['sources'][0]['candidates'][0]['brightness'])")
tag_air=$(padmine --report air-src.wav | $PY -c "import json,sys; print(json.load(sys.stdin)['sources'][0]['candidates'][0]['brightness'])")
check "chord pad: tag dark, numpy centroid $c_dark Hz below 1000" sh -c "[ $tag_dark = dark ] && [ $c_dark -lt 1000 ]"
check "hiss pad: tag bright, numpy centroid $c_air Hz above 3000" sh -c "[ $tag_air = bright ] && [ $c_air -gt 3000 ]"
padmine --report --dark 100 --bright 200 src.wav >b.json
check "--bright below the centroid tags the chord bright" grep -q '"brightness": "bright"' b.json

# ---- grade F is not saved
sox -n -r 48000 -c 1 quiet.wav synth 5 sine 300 gain -66
sox -n -r 48000 -c 1 clip.wav synth 5 sine 300 gain 12 2>/dev/null
check_fail "near-silence grades F and is not written" 1 "padmine: quiet.wav: no pad graded D or better \(best: F, silence\)" \
	padmine --rms-gate -80 -o q.wav quiet.wav
check "no file for an F pad" test ! -e q.wav
check_fail "clipping grades F" 1 "best: F, clipping" padmine -o c.wav clip.wav
check_fail "digital silence has no sustained region" 1 "padmine: .*: no sustained region: digital silence" sh -c "sox -V1 -n -r 48000 -c 1 -t au - trim 0 5 | padmine >/dev/null"
check "--grade-min F keeps an F pad" sh -c "padmine --grade-min F -o c.wav clip.wav && [ -s c.wav ]"
check_fail "drums alone: the gate names the onsets" 1 "no sustained region: every loud stretch holds [0-9]+ onsets or more, above --onset-gate 0" padmine drums.wav

# ---- determinism and block-size invariance
padmine src.wav >again.au
same_file "same input, same bytes" best.au again.au
sox src.wav -t au -e floating-point -b 32 src.au
padmine src.au >fromfile.au
padmine <src.au >fromstdin.au
same_file "stdin gives what the file gives" fromfile.au fromstdin.au
trickle 3000 7 <src.au | padmine >trickled.au
same_file "a trickling pipe gives the same bytes" fromfile.au trickled.au

# ---- real material: strings between GM drums (fluidsynth, FluidR3)
if $PY -c "import mido" 2>/dev/null && command -v fluidsynth >/dev/null && [ -f /usr/share/sounds/sf2/FluidR3_GM.sf2 ]; then
	$PY - real.mid <<'PYEOF'
import sys, mido
mid = mido.MidiFile(ticks_per_beat=480)
t = mido.MidiTrack(); mid.tracks.append(t)
t.append(mido.MetaMessage('set_tempo', tempo=500000))
t.append(mido.Message('program_change', channel=0, program=48, time=0))
ev = []
def drums(start):
    for i in range(12):
        n = 36 if i % 2 == 0 else 42
        ev.append((start + i * 240, mido.Message('note_on', channel=9, note=n, velocity=110)))
        ev.append((start + i * 240 + 120, mido.Message('note_off', channel=9, note=n)))
drums(0)
for n in (57, 60, 64):   # strings, A minor, 3 s .. 10 s
    ev.append((6 * 480, mido.Message('note_on', channel=0, note=n, velocity=90)))
    ev.append((20 * 480, mido.Message('note_off', channel=0, note=n)))
drums(21 * 480)
ev.sort(key=lambda e: e[0]); last = 0
for tick, m in ev:
    t.append(m.copy(time=tick - last)); last = tick
mid.save(sys.argv[1])
PYEOF
	fluidsynth -ni -g 0.8 -r 44100 -F real.wav /usr/share/sounds/sf2/FluidR3_GM.sf2 real.mid >/dev/null 2>&1
	padmine --report real.wav >real.json
	check "real strings: the pads lie in the held chord (3..10.2 s), graded above F" $PY -c "
import json
c = json.load(open('real.json'))['sources'][0]['candidates']
assert c
for p in c:
    assert p['start'] >= 2.95 and p['start'] + p['duration'] <= 10.2, p
assert c[0]['grade'] in 'ABCD', c[0]"
else
	fail "real material" "needs python3-mido, fluidsynth and fluid-soundfont-gm (tests/packages.txt)"
fi

# ---- export folder and manifest
padmine -d ex -n 3 --durations 1.5 src.wav 2>err.txt
check "export writes three pads" sh -c "[ \$(ls ex/src/pads/*.wav | wc -l) = 3 ]"
check "pad names: <source>_pad<NN>_<brightness>.wav" sh -c "ls ex/src/pads | grep -Eqx 'src_pad01_(dark|mid|bright)\.wav'"
f1=$(ls ex/src/pads/src_pad01_*.wav)
check "export pads are 44.1 kHz 24-bit WAV" sh -c "[ \$(soxi -r $f1) = 44100 ] && [ \$(soxi -b $f1) = 24 ] && [ \$(soxi -t $f1) = wav ]"
check "python csv reads the manifest: columns, a row per pad, files exist" $PY -c "
import csv, os
rows = list(csv.DictReader(open('ex/manifest.csv', newline='')))
cols = 'filename,source,type,duration,rms_db,peak_db,crest_db,centroid_hz,pitch_hz,seam_error,brightness,grade'.split(',')
assert list(rows[0].keys()) == cols, rows[0].keys()
assert len(rows) == 3
for r in rows:
    assert os.path.isfile('ex/' + r['filename']), r
    assert r['type'] == 'pad' and r['source'] == 'src' and r['grade'] in 'ABCD'
    assert abs(float(r['duration']) - float(os.popen('soxi -D ex/' + r['filename']).read())) < 0.001
"
# a hand-made row (quotes, comma, a notes column) and another source's rows stay byte for byte
$PY - <<'PYEOF'
import csv
rows = list(csv.reader(open('ex/manifest.csv', newline='')))
rows[0].append('notes')
for r in rows[1:]:
    r.append('')
rows[1][-1] = 'keep, "this"'
rows.append(['other/pads/x.wav', 'other', 'pad', '1', '-1', '-1', '0', '100', '', '0', 'dark', 'B', 'hand made\nrow'])
with open('ex/manifest.csv', 'w', newline='') as f:
    csv.writer(f, lineterminator='\n').writerows(rows)
PYEOF
cp ex/manifest.csv m-before.csv
padmine -d ex -n 2 air-src.wav
check "merge keeps every earlier row byte for byte, in its order; new rows go in by filename" $PY -c "
a = open('m-before.csv').read().split('\n'); b = open('ex/manifest.csv').read().split('\n')
it = iter(b)
assert all(line in it for line in a), 'earlier rows changed or moved'
assert b[1].startswith('air-src/pads/air-src_pad01_') and b[2].startswith('air-src/pads/air-src_pad02_'), b[:3]
import csv
rows = list(csv.DictReader(open('ex/manifest.csv', newline='')))
assert len(rows) == 6 and sum(r['source'] == 'air-src' for r in rows) == 2
assert all(r['notes'] == '' for r in rows if r['source'] == 'air-src')"
padmine -d ex -n 3 --durations 1.5 --force src.wav
check "a second run over a source (--force) replaces its rows (no duplicates), notes kept" $PY -c "
import csv
rows = {r['filename']: r for r in csv.DictReader(open('ex/manifest.csv', newline=''))}
assert len(rows) == 6, len(rows)
first = [f for f in rows if f.startswith('src/pads/src_pad01_')][0]
assert rows[first]['notes'] == 'keep, \"this\"', rows[first]
assert rows['other/pads/x.wav']['notes'] == 'hand made\nrow'"
check "the hand-made row is still byte for byte" grep -qF 'other/pads/x.wav,other,pad,1,-1,-1,0,100,,0,dark,B,"hand made' ex/manifest.csv

# ---- concurrent runs into one folder lose no row
sox src.wav -r 44100 s1.wav; sox air-src.wav -r 44100 s2.wav; sox src.wav -r 44100 s3.wav reverse
for i in 1 2 3; do
	rm -rf cc
	padmine -d cc -n 2 s1.wav & p1=$!
	padmine -d cc -n 2 s2.wav & p2=$!
	padmine -d cc -n 2 s3.wav & p3=$!
	wait $p1 $p2 $p3
	n=$($PY -c "import csv; print(len(list(csv.DictReader(open('cc/manifest.csv', newline='')))))")
	[ "$n" = 6 ] || break
done
check "three concurrent runs (3 rounds): all six rows in the manifest" test "$n" = 6
check "no temporary file left in the export folder" sh -c "! find cc -name '.*.??????' | grep -q ."

# ---- a killed run leaves the manifest whole (--force: the folder's state says
# src.wav is mined already, and a run would otherwise open nothing)
cp -r ex ek
for k in 1 2 3 4 5; do
	padmine -d ek -n 3 --durations 1.5 --force src.wav & pid=$!
	sleep "0.0$k"; kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
	$PY -c "import csv; rows = list(csv.DictReader(open('ek/manifest.csv', newline=''))); assert len(rows) == 6" || break
done
check "kill -9 at five moments: the manifest stays whole" $PY -c "import csv; assert len(list(csv.DictReader(open('ek/manifest.csv', newline='')))) == 6"
padmine -d ek -n 3 --durations 1.5 --force src.wav
check "the next run takes the lock and tidies temporary files" sh -c "! find ek -name '.*.??????' | grep -q ."

# ---- bad input: one line, exit 1, no partial files
check_fail "empty stdin" 1 "^padmine: " sh -c "padmine </dev/null >/dev/null"
head -c 5000 /dev/urandom >garbage.bin
check_fail "garbage" 1 "^padmine: garbage.bin: " padmine -o g.wav garbage.bin
check "no output after garbage" test ! -e g.wav
check_fail "missing file" 1 "^padmine: nope.wav: " padmine -o g.wav nope.wav
echo x >afile
check_fail "unwritable export folder" 1 "^padmine: afile/x: " padmine -d afile/x src.wav
printf 'name,size\nx,1\n' >ex/manifest.csv; cp ex/manifest.csv bad-before.csv
rm -rf ex/src
check_fail "a manifest that is not one is refused, naming the line" 1 "manifest.csv: line 1: not a curation manifest header" padmine -d ex src.wav
same_file "and left as it was" bad-before.csv ex/manifest.csv
check "no pads written for a refused manifest" test ! -e ex/src/pads/src_pad01_dark.wav
check_fail "-o with -d is a usage error" 2 "^padmine: " padmine -o x.wav -d ex src.wav
check_fail "bad --durations" 2 "^padmine: --durations" padmine --durations 2,x src.wav

# ---- several sources: a bad one (garbage, missing, a folder) is named in one
# warning and skipped, the good one is mined all the same, and the run ends with 1
head -c 5000 /dev/urandom >garbage.wav
mkdir -p afolder.wav
padmine -d mref src.wav
padmine src.wav >mref.au
for bad in garbage.wav nope.wav afolder.wav; do
	rm -rf mx
	check_fail "-d $bad src.wav: one warning naming $bad, exit 1" 1 "^padmine: $bad: " padmine -d mx "$bad" src.wav
	check "-d $bad src.wav: src.wav mined as on its own" sh -c "ls mref/src/pads >a && ls mx/src/pads >b && cmp -s a b && cmp -s mref/manifest.csv mx/manifest.csv"
	check_fail "src.wav $bad: stdout gets the best pad, exit 1" 1 "^padmine: $bad: " sh -c "padmine src.wav '$bad' >mx.au"
	same_file "src.wav $bad: the pad is the one src.wav gives alone" mref.au mx.au
	rm -f mx.wav
	check_fail "-o with $bad: one warning, exit 1" 1 "^padmine: $bad: " padmine -o mx.wav "$bad" src.wav
	check "-o with $bad: the pad is written" test -s mx.wav
	check_fail "--report with $bad: one warning, exit 1" 1 "^padmine: $bad: " sh -c "padmine --report '$bad' src.wav >mx.json"
	check "--report with $bad: the good source is reported" $PY -c "
import json; s = json.load(open('mx.json'))['sources']; assert [x['name'] for x in s] == ['src'], s"
done

# ---- two sources with one name (x/s.wav, y/s.wav) never share pads, in one run
# or in later ones; a run that exports nothing leaves no folder
mkdir -p xd yd; cp src.wav xd/s.wav; cp air-src.wav yd/s.wav
padmine -d sn xd/s.wav yd/s.wav 2>/dev/null
other=$(ls sn | grep '^s-[0-9a-f]\{6\}$')
check "same name: the second source exports as s-XXXXXX" test -n "$other"
padmine -d sx xd/s.wav; padmine -d sy yd/s.wav
check "same name: each source's pads are its own" sh -c "
	for f in \$(ls sx/s/pads); do cmp -s sx/s/pads/\$f sn/s/pads/\$f || exit 1; done
	for f in \$(ls sy/s/pads); do g=\$(echo \$f | sed 's/^s_/${other}_/'); cmp -s sy/s/pads/\$f sn/$other/pads/\$g || exit 1; done"
check "same name: .source holds each one's full path" sh -c "test \"\$(cat sn/s/.source)\" = \"\$(realpath xd/s.wav)\" && test \"\$(cat sn/$other/.source)\" = \"\$(realpath yd/s.wav)\""
padmine -d sn yd/s.wav 2>/dev/null
check "a later run of y/s.wav alone writes under s-XXXXXX again, not over x's pads" sh -c "
	test \"\$(ls sn | grep -v manifest.csv)\" = \"\$(printf 's\\n$other')\" && for f in \$(ls sx/s/pads); do cmp -s sx/s/pads/\$f sn/s/pads/\$f || exit 1; done"
check "manifest: both sources' rows" sh -c "cut -d, -f2 sn/manifest.csv | sort -u | tr '\\n' ' ' | grep -qx 's $other source '"
check_fail "every source bad: exit 1" 1 "^padmine: garbage.wav: " padmine -d none garbage.wav
check "...and no pad or manifest left behind: only the state that remembers it, and the lock" \
	sh -c "[ \"\$(ls -A none | tr '\\n' ' ')\" = '.manifest.lock .padmine-state ' ]"
check_fail "a missing source only: exit 1" 1 "^padmine: nope.wav: " padmine -d none2 nope.wav
check "...and no export folder at all (nothing to remember)" test ! -e none2
check "only bad sources: a warning naming each, exit 1" sh -c "padmine -d mx nope.wav garbage.wav 2>e; [ \$? = 1 ] && [ \$(wc -l <e) = 2 ] && grep -q '^padmine: nope.wav: ' e && grep -q '^padmine: garbage.wav: ' e"

# ---- -j N: sources mined side by side give what one after another gives: the
# same pads byte for byte, the same manifest, report and messages, a bad source
# among them included (its warning in its place)
sox -n -r 44100 -c 1 mono.wav synth 6 sine 330 tremolo 0.4 20 gain -10
sox -n -r 48000 -c 2 short.wav synth 0.5 sine 440
set -- src.wav garbage.wav air-src.wav mono.wav short.wav nope.wav pad.wav
for j in 1 default 3; do
	rm -rf "pj$j"
	opt="-j $j"; [ "$j" = default ] && opt=
	padmine $opt -d "pj$j" "$@" 2>"pj$j.err"; echo $? >"pj$j.rc"
	padmine $opt -R -D 1,2 "$@" >"pj$j.json" 2>"pj$j.rerr"
	padmine $opt "$@" >"pj$j.au" 2>/dev/null
	(cd "pj$j" && find . -type f ! -name .manifest.lock | sort | xargs md5sum) >"pj$j.sums"
done
check "-j 1 exports pads from several sources" sh -c "[ \$(wc -l <pj1.sums) -ge 4 ] && [ \$(cat pj1.rc) = 1 ] && [ \$(wc -l <pj1.err) = 3 ]"
for j in default 3; do
	same_file "-j $j: the same pad files and manifest as -j 1" pj1.sums "pj$j.sums"
	same_file "-j $j: the same messages, in the same order" pj1.err "pj$j.err"
	same_file "-j $j: the same exit status" pj1.rc "pj$j.rc"
	same_file "-j $j: the same report" pj1.json "pj$j.json"
	same_file "-j $j: the same report messages" pj1.rerr "pj$j.rerr"
	same_file "-j $j: the same best pad on stdout" pj1.au "pj$j.au"
done
check "--help lists -j, --jobs" sh -c "padmine --help | grep -q -- '-j, --jobs'"
check "--help lists -R, --report" sh -c "padmine --help | grep -q -- '-R, --report'"
check_fail "-j 0 is a usage error" 2 "^padmine: " padmine -j 0 src.wav
check_fail "-j x is a usage error" 2 "^padmine: " padmine -j x src.wav
