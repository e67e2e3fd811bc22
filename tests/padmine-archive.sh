#!/bin/sh
# tests/padmine-archive.sh -- padmine over an archive, as cron and cluster jobs run
# it: a folder tree is walked (sorted, links followed once, a link loop not
# followed forever, hidden files passed over); bad sources (unreadable, empty,
# truncated, not audio) and an unreadable folder are each named once while the
# good ones are mined; the export folder's state makes a second run a no-op that
# opens no audio (strace); a touched file with the same bytes is not mined again
# and a changed one is; two runs at once on one folder leave what one run leaves;
# kill -9 mid-run leaves no partial WAV and the next run completes the folder;
# --shard 1/3 + 2/3 + 3/3 (one after another, side by side, and through GNU
# parallel) give the folder of one full run byte for byte; --prune, --ext,
# progress on a terminal only. Real material: two tracks of wesnoth-1.16-music
# beside sox-made sources.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1
MUSIC=/usr/share/games/wesnoth/1.16/data/core/music

# ---- root reads a chmod 000 file all the same: as root, padmine runs without the
# capabilities that let it (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH), through setpriv
NOCAP=""
unreadable=1
if [ "$(id -u)" = 0 ]; then
	if setpriv --bounding-set -dac_override,-dac_read_search true 2>/dev/null; then
		NOCAP="setpriv --bounding-set -dac_override,-dac_read_search"
	else
		unreadable=0
		echo "# root without a way to drop CAP_DAC_OVERRIDE: the unreadable file and folder are left out"
	fi
fi
printf '#!/bin/sh\nexec %s padmine "$@"\n' "$NOCAP" >pm
chmod +x pm
PM=$W/pm

# ---- the archive: good sources of several formats, two with one name, real music,
# a link loop, a hidden file, a text file; then the bad ones
mkdir -p arch/sub/deeper arch/music arch/bad
sox -n -r 48000 -c 2 arch/a.wav synth 6 sine 220 sine 277.18 tremolo 0.5 20 gain -12 fade 0.05 6 0.05
sox -n -r 44100 -c 1 arch/sub/a.wav synth 6 sine 330 tremolo 0.3 20 gain -10
sox -n -r 44100 -c 1 arch/hiss.flac synth 6 whitenoise highpass 5000 tremolo 0.3 10 gain -14
sox -n -r 22050 -c 1 arch/sub/deeper/tone.aiff synth 5 sine 110 sine 165 tremolo 0.2 20 gain -9
cp "$MUSIC/elf-land.ogg" arch/music/elf-land.ogg
ln -s "$MUSIC/defeat2.ogg" arch/music/defeat2.ogg
ln -s .. arch/sub/up
cp arch/sub/a.wav arch/.hidden.wav
echo "liner notes" >arch/notes.txt
: >arch/bad/empty.wav
sox arch/hiss.flac full.flac
head -c $(($(stat -c %s full.flac) / 2)) full.flac >arch/bad/trunc.flac
head -c 5000 /dev/urandom >arch/bad/noise.wav
if [ $unreadable = 1 ]; then
	cp arch/sub/a.wav arch/bad/locked.wav && chmod 000 arch/bad/locked.wav
	mkdir -p arch/locked && cp arch/a.wav arch/locked/inside.wav && chmod 000 arch/locked
fi
good="a.wav sub/a.wav hiss.flac sub/deeper/tone.aiff music/elf-land.ogg music/defeat2.ogg"

# the files of an export folder with their sums, the state and lock included
sums() { (cd "$1" && find . -type f | LC_ALL=C sort | xargs md5sum); }
rows() { $PY -c "import csv,sys; print(len(list(csv.DictReader(open(sys.argv[1], newline='')))))" "$1"; }
no_tmp() { ! find "$1" -name '.*.shards-*' | grep -q .; }

# ---- the first run: every bad source named once, the good ones mined, exit 1
$PM -j 1 -d ex arch 2>first.err
echo $? >first.rc
check "first run: exit 1 (bad sources among good ones)" test "$(cat first.rc)" = 1
for bad in bad/empty.wav bad/trunc.flac bad/noise.wav; do
	check "first run: arch/$bad is named in one warning" sh -c "[ \$(grep -c '^padmine: arch/$bad: ' first.err) = 1 ]"
done
if [ $unreadable = 1 ]; then
	check "first run: the unreadable file is named once" sh -c "[ \$(grep -c '^padmine: arch/bad/locked.wav: .*Permission denied' first.err) = 1 ]"
	check "first run: the unreadable folder is named once" sh -c "[ \$(grep -c '^padmine: arch/locked: cannot read folder: Permission denied' first.err) = 1 ]"
	nwarn=5
else
	nwarn=3
fi
check "first run: nothing else on stderr ($nwarn lines)" test "$(wc -l <first.err)" = $nwarn
check "the link loop (sub/up -> ..) is walked once: each good source once in the manifest" $PY -c "
import csv, collections
rows = list(csv.DictReader(open('ex/manifest.csv', newline='')))
per = collections.Counter(r['source'] for r in rows)
assert set(per) == {'a', 'a-' + [s for s in per if s.startswith('a-')][0][2:], 'hiss', 'tone', 'elf-land', 'defeat2'}, per
assert all(1 <= n <= 4 for n in per.values()), per"
check "the hidden file and the text file are passed over" sh -c "! grep -q 'hidden\|notes' ex/manifest.csv first.err"
check "every pad the manifest lists is a whole 24-bit WAV at 44.1 kHz" $PY -c "
import csv, os, subprocess
for r in csv.DictReader(open('ex/manifest.csv', newline='')):
    f = 'ex/' + r['filename']
    d = float(subprocess.run(['soxi', '-D', f], capture_output=True, text=True, check=True).stdout)
    assert abs(d - float(r['duration'])) < 0.001, (f, d, r['duration'])
    assert subprocess.run(['soxi', '-r', f], capture_output=True, text=True).stdout.strip() == '44100'
    assert subprocess.run(['soxi', '-b', f], capture_output=True, text=True).stdout.strip() == '24'"
check "manifest rows are sorted by filename" $PY -c "
import csv
f = [r['filename'] for r in csv.DictReader(open('ex/manifest.csv', newline=''))]
assert f == sorted(f, key=lambda s: s.encode()), f"

# ---- same base name in two folders: arch/a.wav is 'a', arch/sub/a.wav 'a-XXXXXX'
other=$(ls ex | grep '^a-[0-9a-f]\{6\}$')
check "same name: arch/sub/a.wav exports as a-XXXXXX" test -n "$other"
check "same name: each .source names its own file" sh -c "
	[ \"\$(cat ex/a/.source)\" = \"\$(realpath arch/a.wav)\" ] && [ \"\$(cat ex/$other/.source)\" = \"\$(realpath arch/sub/a.wav)\" ]"
padmine -d ex-one arch/sub/a.wav 2>/dev/null
check "same name: a-XXXXXX's pads are arch/sub/a.wav's (as mined alone)" sh -c "
	for f in \$(ls ex-one/a/pads); do g=\$(echo \$f | sed 's/^a_/${other}_/'); cmp -s ex-one/a/pads/\$f ex/$other/pads/\$g || exit 1; done"

# ---- the state: one line per source, read back by python; sizes, times and
# hashes agree with os.stat and xxh128sum
check "state: the versioned header, one line per source (bad ones too), sorted, stats as os.stat says" $PY - "$(pwd)/arch" "$unreadable" <<'PYEOF'
import os, sys
lines = open('ex/.padmine-state', 'rb').read().split(b'\n')
assert lines[0] == b'shards-padmine-state\t1', lines[0]
assert lines[-1] == b''
recs = [l.split(b'\t') for l in lines[1:-1]]
paths = [r[0] for r in recs]
assert paths == sorted(paths), paths
want = {'a.wav', 'sub/a.wav', 'hiss.flac', 'sub/deeper/tone.aiff', 'music/elf-land.ogg', 'bad/empty.wav', 'bad/trunc.flac', 'bad/noise.wav'}
if sys.argv[2] == '1':
    want.add('bad/locked.wav')
real = {os.path.realpath(os.path.join(sys.argv[1], w)).encode(): w for w in want}
real[os.path.realpath(os.path.join(sys.argv[1], 'music/defeat2.ogg')).encode()] = 'music/defeat2.ogg'
assert set(paths) == set(real), (set(paths) ^ set(real))
for r in recs:
    st = os.stat(r[0])
    assert int(r[1]) == st.st_size, r
    s, ns = r[2].split(b'.')
    assert int(s) * 10**9 + int(ns) == st.st_mtime_ns, r
    outcome = r[5].decode()
    w = real[r[0]]
    assert outcome == ('bad' if w.startswith('bad/') else 'exported'), (w, outcome)
    if outcome == 'exported':
        assert len(r) >= 10 and all(os.path.isfile(b'ex/' + f) for f in r[9:]), r
PYEOF
check "state: each hash is the file's XXH128 as xxh128sum computes it" sh -c '
	tail -n +2 ex/.padmine-state | while IFS="	" read -r path size mt ct hash rest; do
		[ "$hash" = - ] && continue
		[ "xxh3-128:$(xxh128sum "$path" | cut -d" " -f1)" = "$hash" ] || { echo "$path: $hash"; exit 1; }
	done'

# ---- a second run is a no-op: no audio opened (strace), the same messages and
# status, not a byte of the folder changed
sums ex >before.sums
ls -li ex/.padmine-state ex/manifest.csv >before.inodes
if command -v strace >/dev/null; then
	# LeakSanitizer cannot work under ptrace: the leak check of a no-op run is the
	# next runs' (the sanitized suite's other checks stay on)
	ASAN_OPTIONS="${ASAN_OPTIONS:-}:detect_leaks=0" \
		strace -f -qq -e trace=open,openat,creat -o trace.txt $PM -j 1 -d ex arch 2>second.err
	echo $? >second.rc
	check "second run: no audio file opened (strace: no .wav/.flac/.ogg/.aiff)" sh -c "! grep -E '\\.(wav|flac|ogg|aiff)\"' trace.txt"
	check "control: strace sees the walk (the archive's folders are opened)" grep -q "arch/sub/deeper\"" trace.txt
else
	fail "second run under strace" "strace is not installed (tests/packages.txt)"
	$PM -j 1 -d ex arch 2>second.err; echo $? >second.rc
fi
same_file "second run: the same messages" first.err second.err
same_file "second run: the same exit status" first.rc second.rc
sums ex >after.sums
same_file "second run: the folder is as it was" before.sums after.sums
ls -li ex/.padmine-state ex/manifest.csv >after.inodes
same_file "second run: not even the state or the manifest rewritten (same inodes)" before.inodes after.inodes

# ---- a touched file with the same bytes is hashed, not mined; a changed one is
# mined again, its old pads and rows replaced
ls -i ex/hiss/pads >hiss-before.inodes
touch arch/hiss.flac
$PM -j 1 -d ex arch 2>/dev/null
ls -i ex/hiss/pads >hiss-after.inodes
same_file "touched, same bytes: the pads are not written again (same inodes)" hiss-before.inodes hiss-after.inodes
check "touched: the state holds the new mtime" $PY -c "
import os
l = [x for x in open('ex/.padmine-state', 'rb').read().split(b'\n') if x.startswith(os.path.realpath('arch/hiss.flac').encode() + b'\t')][0]
s, ns = l.split(b'\t')[2].split(b'.')
assert int(s) * 10**9 + int(ns) == os.stat('arch/hiss.flac').st_mtime_ns"
sums ex >touched.sums
$PM -j 1 -d ex arch 2>/dev/null
sums ex >touched2.sums
same_file "touched: a later run is a no-op again" touched.sums touched2.sums
cp ex/manifest.csv m-before.csv
sox -n -r 44100 -c 1 arch/hiss.flac synth 6 brownnoise lowpass 300 tremolo 0.2 10 gain -12
$PM -j 1 -d ex arch 2>/dev/null
check "changed bytes: mined again, the pads are the new file's (dark now, not bright)" sh -c "ls ex/hiss/pads | grep -q dark && ! ls ex/hiss/pads | grep -q bright"
check "changed: its rows replaced, no row left for a file that is gone, other rows as they were" $PY -c "
import csv, os
old = list(csv.DictReader(open('m-before.csv', newline='')))
new = list(csv.DictReader(open('ex/manifest.csv', newline='')))
assert all(os.path.isfile('ex/' + r['filename']) for r in new)
assert [r for r in old if r['source'] != 'hiss'] == [r for r in new if r['source'] != 'hiss']
assert any(r['source'] == 'hiss' and r['brightness'] == 'dark' for r in new)"
padmine -d ex-hiss arch/hiss.flac 2>/dev/null
check "changed: the new pads are what the new file gives alone" sh -c "cd ex-hiss/hiss/pads && for f in *; do cmp -s \$f ../../../ex/hiss/pads/\$f || exit 1; done"
$PM -j 1 -d ex --grade-min A -n 1 arch 2>/dev/null
check "other settings: every source is mined again (one pad each now)" sh -c "[ \$(ls ex/a/pads | wc -l) = 1 ] && [ \$(ls ex/elf-land/pads | wc -l) = 1 ]"

# ---- the reference: one full run into a fresh folder
$PM -d ref arch 2>/dev/null
sums ref >ref.sums
check "reference run: no temporary file" no_tmp ref

# ---- two runs at once on one folder take turns on its lock: the folder is what
# one run leaves, the manifest whole
ok=1
for round in 1 2; do
	rm -rf cc
	$PM -j 1 -d cc arch 2>/dev/null & p1=$!
	$PM -j 1 -d cc arch 2>/dev/null & p2=$!
	wait $p1 $p2
	sums cc >cc.sums
	cmp -s ref.sums cc.sums || { ok=0; break; }
done
if [ $ok = 1 ]; then pass "two runs at once on one folder (2 rounds): the folder of one run, byte for byte"
else fail "two runs at once on one folder" "$(diff ref.sums cc.sums | head -10)"; fi
check "two runs at once: no temporary file left" no_tmp cc

# ---- kill -9 as soon as the first pad is in place: no partial WAV; the next run
# completes the folder as one run makes it
rm -rf kk
$PM -j 1 -d kk arch 2>/dev/null & pid=$!
wait_for $pid sh -c "find kk -name '*.wav' | grep -q ."
kill -9 $pid 2>/dev/null; wait $pid 2>/dev/null
done_n=$(($(grep -c . kk/.padmine-state 2>/dev/null || echo 1) - 1))
check "kill -9 mid-run: every WAV in place is whole, the one the full run writes" sh -c "
	cd kk && for f in \$(find . -name '*.wav'); do cmp -s \$f ../ref/\$f || { echo \$f; exit 1; }; done"
$PM -j 1 -d kk arch 2>/dev/null
sums kk >kk.sums
same_file "kill -9 after $done_n source(s): the next run completes the folder byte for byte" ref.sums kk.sums
check "kill -9: no temporary file left after the next run" no_tmp kk

# ---- --shard I/N: the shares, one after another, side by side, and through GNU
# parallel, make the folder of one full run
for i in 1 2 3; do $PM -d sh3 --shard $i/3 arch 2>/dev/null; done
sums sh3 >sh3.sums
same_file "--shard 1/3, 2/3, 3/3 one after another: the full run's folder byte for byte" ref.sums sh3.sums
share() { $PM -R --shard "$1" arch 2>/dev/null | $PY -c "import json,sys; print(''.join(s['source'] + '\\n' for s in json.load(sys.stdin)['sources']), end='')"; }
for i in 1 2 3; do share $i/3 >"share$i.txt"; done
$PM -R arch 2>/dev/null | $PY -c "import json,sys; print(''.join(s['source'] + '\\n' for s in json.load(sys.stdin)['sources']), end='')" | sort >all.txt
check "--shard: every source in exactly one share ($(wc -l <share1.txt), $(wc -l <share2.txt), $(wc -l <share3.txt) of $(wc -l <all.txt))" \
	sh -c "sort share1.txt share2.txt share3.txt | cmp -s - all.txt"
$PM -d shc --shard 1/3 arch 2>/dev/null & p1=$!
$PM -d shc --shard 2/3 arch 2>/dev/null & p2=$!
$PM -d shc --shard 3/3 arch 2>/dev/null & p3=$!
wait $p1 $p2 $p3
sums shc >shc.sums
same_file "--shard 1/3, 2/3, 3/3 side by side: the full run's folder byte for byte" ref.sums shc.sums
if command -v parallel >/dev/null; then
	parallel --will-cite -j 3 "$PM" -d shp --shard {}/3 arch ::: 1 2 3 2>/dev/null
	sums shp >shp.sums
	same_file "GNU parallel running the three shares: the full run's folder byte for byte" ref.sums shp.sums
else
	fail "GNU parallel" "parallel is not installed (tests/packages.txt)"
fi
mkdir -p arch/new && cp arch/sub/deeper/tone.aiff arch/new/more.aiff
for i in 1 2 3; do share $i/3 >"again$i.txt"; done
check "--shard: a new file goes to one share and moves no other source" sh -c "
	[ \$(cat again1.txt again2.txt again3.txt | grep -cx arch/new/more.aiff) = 1 ] &&
	for i in 1 2 3; do grep -vx arch/new/more.aiff again\$i.txt | cmp -s - share\$i.txt || exit 1; done"
rm -rf arch/new
check_fail "--shard 0/3 is a usage error" 2 "^padmine: --shard" padmine -d x --shard 0/3 arch
check_fail "--shard 4/3 is a usage error" 2 "^padmine: --shard" padmine -d x --shard 4/3 arch
check_fail "--shard x is a usage error" 2 "^padmine: --shard" padmine -d x --shard x arch
check_fail "--shard without -d or --report is a usage error" 2 "^padmine: --shard" padmine --shard 1/2 arch

# ---- --prune: a source gone from the archive keeps its pads without it, loses
# them with it
cp -r arch arch2 2>/dev/null; chmod -R u+rwX arch2 2>/dev/null
rm -rf arch2/bad arch2/locked
$PM -d pr arch2 2>/dev/null
rm arch2/hiss.flac
$PM -d pr arch2 2>/dev/null
check "a removed source: its pads and rows stay without --prune" sh -c "[ -d pr/hiss/pads ] && grep -q '^hiss/' pr/manifest.csv"
$PM -d pr --prune arch2 2>/dev/null
check "--prune: its pads, .source, rows and state line go" sh -c "[ ! -e pr/hiss ] && ! grep -q '^hiss/' pr/manifest.csv && ! grep -q 'hiss.flac' pr/.padmine-state"
rm -rf pr2; $PM -d pr2 arch2 2>/dev/null
check "--prune: the folder is then what a run over the archive as it is gives" sh -c "sums pr >x; sums pr2 >y; cmp -s x y" 
check_fail "--prune without -d is a usage error" 2 "^padmine: --prune" padmine --prune -R arch2

# ---- --ext: what a folder is searched for
padmine -d ext --ext flac,.AIFF arch2 2>/dev/null
check "--ext flac,.AIFF: only those are mined (case does not matter)" sh -c "[ \"\$(ls ext | grep -v manifest)\" = tone ]"
mkdir -p nothing && echo x >nothing/readme.txt
check_fail "a folder with no audio in it: one warning naming it, exit 1" 1 "^padmine: nothing: no audio file" padmine -d nx nothing

# ---- progress: one line redrawn on a terminal, nothing when stderr is a file
if command -v script >/dev/null; then
	rm -rf pg
	script -qefc "padmine -j 1 -d pg arch2" typescript >/dev/null 2>&1
	check "progress on a terminal: 'padmine: N/M sources, K skipped'" grep -q "padmine: [0-9]*/[0-9]* sources, [0-9]* skipped" typescript
	rm -rf pg2; padmine -j 1 -d pg2 arch2 2>pg.err
	check "no progress when stderr is not a terminal" sh -c "! grep -q 'sources,' pg.err"
fi
[ $unreadable = 1 ] && chmod 755 arch/locked && chmod 644 arch/bad/locked.wav
exit 0
