#!/bin/sh
# tests/afterglow.sh -- the afterglow recipe (share/shards/recipes/afterglow.mk)
# on a small archive: a Wesnoth track and a generated piece with a sustained
# middle, two tonal pad sources, a drum loop built from a Hydrogen kit and a
# one-shot too short for hiss. One run makes every category, at the rate and
# depth asked (read back from the WAV headers), with a manifest row for each file
# and nothing else; loops are seamless (hiss) and clouds have no silent tail;
# -j1 and -j2 give the same bytes; a second run changes nothing; a touched
# source is remade alone; a removed source takes its files with it; a changed
# setting remakes its phase; phases run alone; check-config refuses every bad
# setting the design's validator does with one line naming it, before any work.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1
MK=$SHARDS_TOP/share/shards/recipes/afterglow.mk
music=/usr/share/games/wesnoth/1.16/data/core/music
kit=/usr/share/hydrogen/data/drumkits/GMRockKit

mkdir -p archive pads drums
sox "$music/battle.ogg" archive/battle.wav trim 20 20 || exit 1
# quiet plucks around a held chord: the pad is in the middle
sox -n -r 44100 -c 2 archive/tones.wav synth 4 pluck 330 gain -12 : synth 8 sine 220 sine 277 sine 330 \
	gain -14 : synth 4 pluck 440 gain -12 || exit 1
sox -n -r 48000 -c 2 pads/chord.wav synth 6 sine 196 sine 247 sine 294 gain -10 || exit 1
sox -n -r 44100 -c 1 pads/low.wav synth 5 sawtooth 110 lowpass 900 gain -8 || exit 1
# a 6-second hat-and-ride loop, and a one-shot
sox "$kit/24Ride-3.wav" -r 44100 -c 1 r.wav trim 0 0.25 pad 0 0.25 && sox r.wav r.wav r.wav r.wav r.wav r.wav \
	r.wav r.wav r.wav r.wav r.wav r.wav drums/loop.wav || exit 1
sox "$kit/24Ride-3.wav" -r 44100 -c 1 drums/tick.wav trim 0 0.1 || exit 1

# small settings, so the test stays quick
small="SRC=archive PADS=pads DRUMS=drums CLOUD_LENGTH=4s CLOUD_GRAINS=60 HISS_LENGTH=2s HISS_FLICKERS=4
	HISS_BURST=30..200 DRONE_STRETCH=2 DRONE_PITCH=0,7 DRONE_VARIANTS=warm,dark SWELL_STRETCH=1.5 PAD_COUNT=2"
mk() { make -s -f "$MK" $small "$@"; }

# ---- one run makes everything
mk OUT=export -j2 >run1.out 2>run1.err
st=$?
if [ $st -eq 0 ]; then pass "a run over the archive exits 0"
else fail "a run over the archive exits 0" "status $st: $(tail -5 run1.err)"; fi
if [ -f afterglow.conf ] && grep -q "wrote afterglow.conf with the default settings" run1.err; then
	pass "the first run writes afterglow.conf and says so"
else fail "the first run writes afterglow.conf and says so" "$(cat run1.err)"; fi
if grep -q "tick.wav is too short" run1.err; then pass "a drum too short for hiss is named, not fatal"
else fail "a drum too short for hiss is named, not fatal" "$(cat run1.err)"; fi

cat >files.py <<'PYEOF'
import csv, os, struct, sys
out, rate, bits = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
def fmt(path):
    """(rate, bits) from a WAV file's fmt chunk (python's wave module refuses WAVE_FORMAT_EXTENSIBLE)"""
    b = open(path, 'rb').read(4096)
    i = b.index(b'fmt ') + 8
    return struct.unpack('<I', b[i + 4:i + 8])[0], struct.unpack('<H', b[i + 14:i + 16])[0]
files = sorted(os.path.relpath(os.path.join(d, f), out) for d, _, fs in os.walk(out) for f in fs
               if f.endswith('.wav') and '/.' not in os.path.join(d, f))
rows = list(csv.DictReader(open(os.path.join(out, 'manifest.csv'))))
names = [r['filename'] for r in rows]
bad = []
if names != files:
    bad.append('manifest %s vs files %s' % (sorted(set(names) ^ set(files)), len(files)))
for f in files:
    r, b = fmt(os.path.join(out, f))
    if r != rate or b != bits:
        bad.append('%s: %d Hz %d bits' % (f, r, b))
cats = {}
for r in rows:
    cats.setdefault(r['type'], set()).add(r['source'])
    if r['grade'] not in 'ABCDF' or not r['grade']:
        bad.append('%s: grade %r' % (r['filename'], r['grade']))
print('\n'.join(bad) if bad else 'ok')
print(' '.join('%s:%s' % (t, ','.join(sorted(s))) for t, s in sorted(cats.items())))
PYEOF
$PY files.py export 44100 24 >files.out
if [ "$(head -1 files.out)" = ok ]; then pass "every file is 44.1 kHz 24-bit and has its manifest row, graded"
else fail "every file is 44.1 kHz 24-bit and has its manifest row, graded" "$(cat files.out)"; fi
want="cloud:chord,low hiss:loop pad:battle,chord,low,tones swell:chord,low"
if [ "$(sed -n 2p files.out)" = "$want" ]; then pass "pads from both archive files, drones, swells, clouds and hiss"
else fail "pads from both archive files, drones, swells, clouds and hiss" "$(sed -n 2p files.out) vs $want"; fi
n=$(ls export/chord/pads | wc -l)
[ "$n" -eq 4 ] && pass "a pad source gives stretch x pitch x variant drones" || fail "a pad source gives stretch x pitch x variant drones" "$n"

# the hiss loop is seamless; a cloud sounds to its last grain
seam=$(seam_check export/loop/hiss/loop_hiss.wav 2)
if echo "$seam" | awk '{ exit !($1 <= 1.5 * $2 + 1e-4) }'; then pass "the hiss loop has no jump at its seam"
else fail "the hiss loop has no jump at its seam" "$seam"; fi
tail=$($PY -c "
import sys; sys.path.insert(0, '$SHARDS_TOP/tests')
import numpy as np; from audio_np import rd
x, r = rd('export/chord/clouds/chord_cloud1.wav')
e = lambda a: 20 * np.log10(np.sqrt((a ** 2).mean()) + 1e-12)
print('%.1f %.1f' % (e(x[-r // 4:]), e(x)))")
if echo "$tail" | awk '{ exit !($1 > $2 - 12) }'; then pass "a cloud has no silent tail (last 250 ms vs the whole, dB)"
else fail "a cloud has no silent tail (last 250 ms vs the whole, dB)" "$tail"; fi

# ---- the same bytes from one job and from two
mk OUT=export1 -j1 >/dev/null 2>&1
diffs=$(cd export && find . -name '*.wav' -path './*/*/*' | while read -r f; do cmp -s "$f" "../export1/$f" || echo "$f"; done)
[ -z "$diffs" ] && pass "-j1 and -j2 write the same files, byte for byte" || fail "-j1 and -j2 write the same files, byte for byte" "$diffs"
same_file "and the same manifest" export/manifest.csv export1/manifest.csv

# ---- a second run is a no-op
stamp() { find export -type f ! -path '*/.afterglow/check*' -printf '%p %T@ %s\n' | LC_ALL=C sort; }
stamp >before
mk OUT=export -j2 >run2.out 2>run2.err
st=$?
stamp >after
if [ $st -eq 0 ] && [ ! -s run2.err ] && cmp -s before after; then pass "a second run writes nothing and says nothing"
else fail "a second run writes nothing and says nothing" "status $st: $(cat run2.err; diff before after | head)"; fi

# ---- a touched source is made again, alone
touch pads/low.wav
mk OUT=export -j2 >/dev/null 2>run3.err
stamp >after3
changed=$(diff before after3 | sed -n 's/^> export\/\([^ ]*\) .*/\1/p' | grep -v '^\.' | grep -v '^manifest.csv$' | sed 's|/.*||' | sort -u | tr '\n' ' ')
[ "$changed" = "low " ] && pass "touching a pad source remakes its files only" || fail "touching a pad source remakes its files only" "$changed"

# ---- a touched archive file is mined again into the graded manifest
touch archive/tones.wav
mk OUT=export -j2 >/dev/null 2>run3b.err
st=$?
$PY files.py export 44100 24 >files3b.out
if [ $st -eq 0 ] && [ "$(head -1 files3b.out)" = ok ] && [ "$(sed -n 2p files3b.out)" = "$want" ]; then
	pass "a touched archive file is mined again and the manifest stays whole"
else fail "a touched archive file is mined again and the manifest stays whole" "status $st: $(cat run3b.err files3b.out)"; fi

# ---- a removed source takes its files and rows along
rm pads/low.wav
mk OUT=export -j2 >/dev/null 2>run4.err
if [ ! -e export/low/clouds/low_cloud1.wav ] && [ ! -e export/low/swells/low_swell.wav ] &&
	! grep -q '^low/' export/manifest.csv && grep -q "removed what low had" run4.err; then
	pass "a source removed from PADS loses its files and manifest rows"
else fail "a source removed from PADS loses its files and manifest rows" "$(cat run4.err; ls -R export/low 2>&1 | head)"; fi

# ---- a changed setting remakes its phase: one cloud a source now
mk OUT=export -j2 CLOUD_COUNT=1 >/dev/null 2>&1
if [ -e export/chord/clouds/chord_cloud1.wav ] && [ ! -e export/chord/clouds/chord_cloud2.wav ] &&
	! grep -q chord_cloud2 export/manifest.csv; then pass "CLOUD_COUNT=1 leaves one cloud a source"
else fail "CLOUD_COUNT=1 leaves one cloud a source" "$(ls export/chord/clouds)"; fi

# ---- a phase alone, at another rate and depth
mk OUT=hissonly RATE=48000 BITS=16 hiss >/dev/null 2>&1
if [ "$(find hissonly -name '*.wav' | wc -l)" -eq 2 ] && [ ! -e hissonly/manifest.csv ] &&
	[ "$(soxi -r hissonly/loop/hiss/loop_hiss.wav) $(soxi -b hissonly/loop/hiss/loop_hiss.wav)" = "48000 16" ]; then
	pass "make hiss RATE=48000 BITS=16 makes the hiss alone, at that rate and depth"
else fail "make hiss RATE=48000 BITS=16 makes the hiss alone, at that rate and depth" "$(find hissonly -type f)"; fi

# ---- DELETE_F: F files deleted and left out of the manifest (here all: the
# silence line raised above every file's level)
mk OUT=delout DELETE_F=yes GRADE_SILENCE=-1 hiss manifest \
	>/dev/null 2>del.err
if [ "$(grep -c 'hiss.wav\|flicker.wav' del.err)" -ge 2 ] && [ -z "$(find delout -name '*.wav')" ] &&
	[ "$(wc -l <delout/manifest.csv)" -eq 1 ]; then pass "DELETE_F=yes deletes the F files and leaves them out of the manifest"
else fail "DELETE_F=yes deletes the F files and leaves them out of the manifest" "$(cat del.err delout/manifest.csv)"; fi

# ---- a damaged file in the export folder: named, left out, the manifest kept, exit 1
mkdir -p delout/junk/hiss && head -c 3000 /dev/urandom >delout/junk/hiss/junk.wav
touch delout/.afterglow/manifest.settings
mk OUT=delout DELETE_F=yes GRADE_SILENCE=-1 >/dev/null 2>junk.err
st=$?
if [ $st -ne 0 ] && grep -q "junk.wav" junk.err && grep -q "leaves them out" junk.err && [ -s delout/manifest.csv ] &&
	! grep -q junk delout/manifest.csv; then pass "a file grade cannot read is named and left out; exit 1, the manifest kept"
else fail "a file grade cannot read is named and left out; exit 1, the manifest kept" "status $st: $(cat junk.err)"; fi

# ---- check-config refuses each bad setting with one line naming it
bad() {
	_what=$1; shift
	rm -rf badout
	mk OUT=badout check-config "$@" >/dev/null 2>bad.err
	_st=$?
	_n=$(grep -c "^afterglow.conf: " bad.err)
	if [ $_st -ne 0 ] && [ "$_n" -eq 1 ] && grep -q "^afterglow.conf: ${1%%=*} = " bad.err &&
		[ -z "$(find badout -name '*.wav' 2>/dev/null)" ]; then pass "check-config: $_what"
	else fail "check-config: $_what" "status $_st: $(cat bad.err)"; fi
}
bad "a negative swell rise" SWELL_RISE=-1s
bad "a negative cloud length" CLOUD_LENGTH=-5s
bad "a negative pad duration" PAD_DURATIONS=-2
bad "a negative stretch" DRONE_STRETCH=-2
bad "an inverted grain range" CLOUD_GRAIN=150ms..50ms
bad "an inverted hiss band" HISS_BAND=15000..4000
bad "an inverted pad duration range" PAD_DURATIONS=8..2
bad "an overlap above 1" CLOUD_OVERLAP=1.5
bad "a negative overlap" CLOUD_OVERLAP=-0.2
bad "an unsupported bit depth" BITS=20
bad "dark above bright" DARK_HZ=5000 BRIGHT_HZ=1000
bad "a yes/no setting that is neither" CLOUD_MONO=maybe
bad "an unknown drone colour" DRONE_VARIANTS=warm,purple
bad "a swell shorter than its rise and decay" SWELL_LENGTH=2s
rm -rf badout; mk OUT=badout check-config GRADE_B_RMS=-20 >/dev/null 2>bad.err
if [ $? -ne 0 ] && [ "$(grep -c '^afterglow.conf: GRADE_\*: .*RMS thresholds must not rise' bad.err)" -eq 1 ]; then
	pass "check-config: grade thresholds judged together"
else fail "check-config: grade thresholds judged together" "$(cat bad.err)"; fi
mk OUT=goodout check-config >/dev/null 2>good.err
[ $? -eq 0 ] && grep -q "settings are good" good.err && pass "check-config passes the defaults" ||
	fail "check-config passes the defaults" "$(cat good.err)"
mk OUT=badout2 -j2 CLOUD_OVERLAP=1.5 >/dev/null 2>bad2.err
if [ $? -ne 0 ] && [ ! -e badout2/manifest.csv ] && [ -z "$(find badout2 -name '*.wav' 2>/dev/null)" ]; then
	pass "a run with a bad setting makes nothing"
else fail "a run with a bad setting makes nothing" "$(cat bad2.err; find badout2 -type f | head)"; fi
