#!/bin/sh
# tests/loopify.sh -- seamless loops of any audio: on real music (wesnoth-1.16-music)
# and generated tones the loop played three times has no click at its seams
# (jump and curvature at the wrap, numpy); the FFT and the direct seam search
# choose the same end on several inputs, and numpy's own search over every offset
# agrees; the printed seam error is the one numpy computes; lengths as asked;
# determinism, stdin and a trickling pipe; -o by extension; bad input fails with
# one line and the suite's exit status, leaving no file.
. "$(dirname "$0")/lib.sh"
PY=/usr/bin/python3
cd "$W" || exit 1

# ---- material: a held chord with slow tremolo, a low sine, real music
sox -n -r 48000 -c 2 chord.wav synth 8 sine 220 sine 277.18 synth 8 sine mix 329.63 tremolo 0.5 20 gain -12 \
	fade 0.05 8 0.05
sox -n -r 44100 -c 1 low.wav synth 5 sine 55 gain -6
M=/usr/share/games/wesnoth/1.16/data/core/music
if [ -f "$M/sad.ogg" ] && [ -f "$M/elf-land.ogg" ] && [ -f "$M/transience.ogg" ]; then
	sox "$M/sad.ogg" sad.wav trim 4 14
	sox "$M/elf-land.ogg" elf.wav trim 2 12
	sox "$M/transience.ogg" -c 1 trans.wav trim 10 10
	music="sad.wav elf.wav trans.wav"
else
	fail "real music" "missing: install wesnoth-1.16-music"
	music=
fi

seamless() { # WHAT AUDIO CHANNELS
	set -- "$1" "$2" "$3" $(seam_check "$2" "$3")
	if awk -v j="$4" -v m="$5" -v a="$6" -v b="$7" 'BEGIN { exit !(j <= m && a <= 1.5 * b) }'; then
		pass "$1: three times round, no click at the seams (jump $4, largest step inside $5)"
	else fail "$1: three times round, no click at the seams" "jump $4 vs $5, curvature $6 vs $7"; fi
}
field() { $PY -c "import json,sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])" "$1" "$2"; }
chans() { soxi -c "$1"; }

# ---- seamless: tones and music, short and long crossfades, narrow and wide searches
loopify chord.wav >chord.au 2>chord.err
check "the loop is AU float on stdout" sh -c "[ \"\$(soxi -t chord.au)\" = au ] && [ \"\$(soxi -b chord.au)\" = 32 ]"
check "stderr: one line with the seam error" sh -c "[ \$(wc -l <chord.err) = 1 ] && grep -Eq '^loopify: seam error [0-9]+\.[0-9]{6}: loop of [0-9]+ frames, end moved [-+][0-9]+\$' chord.err"
seamless "chord, defaults" chord.au 2
n=$(soxi -s chord.au)
sox chord.wav -e floating-point -b 32 -t au naive.au trim 0 "${n}s"
set -- $(seam_check naive.au 2)
if awk -v j="$1" -v m="$2" -v a="$3" -v b="$4" 'BEGIN { exit !(j > m || a > 1.5 * b) }'; then
	pass "control: a plain cut of that length clicks (jump $1, curvature $3 vs $4)"
else fail "control: a plain cut of that length clicks" "$*"; fi
loopify --seam-search 200 -x 2000 chord.wav >chord-wide.au 2>/dev/null
seamless "chord, --seam-search 200 -x 2000" chord-wide.au 2
loopify --seam-search 30 -x 5 low.wav >low.au 2>/dev/null
seamless "55 Hz sine, a 5 ms crossfade" low.au 1
for f in $music; do
	loopify --seam-search 200 -x 300 "$f" >"$f.au" 2>/dev/null
	seamless "$f (music), --seam-search 200 -x 300" "$f.au" "$(chans "$f")"
done
[ -n "$music" ] && loopify --start 1.5 -d 4 -x 20 sad.wav >sad-short.au 2>/dev/null && seamless "sad.wav from 1.5 s, 4 s, -x 20" sad-short.au 2

# ---- the FFT and the direct search choose the same end, with the same error and bytes
same_seam() { # WHAT FILE OPTIONS...
	_w=$1 _f=$2; shift 2
	loopify --json -o fft.wav "$@" "$_f" >fft.json && loopify --seam-method direct --json -o direct.wav "$@" "$_f" >direct.json
	if $PY - fft.json direct.json <<'PYEOF'
import json, sys
a, b = (json.load(open(p)) for p in sys.argv[1:3])
assert a['options']['seam-method'] == 'fft' and b['options']['seam-method'] == 'direct'
for k in ('offset', 'frames', 'seam_error', 'correlation'):
    assert a[k] == b[k], (k, a[k], b[k])
PYEOF
	then
		if cmp -s fft.wav direct.wav; then pass "fft = direct: $_w (offset $(field fft.json offset))"
		else fail "fft = direct: $_w" "the same seam, different audio"; fi
	else fail "fft = direct: $_w" "$(cat fft.json direct.json | grep -E 'offset|seam_error')"; fi
}
same_seam "chord, defaults" chord.wav
same_seam "chord, --seam-search 200 -x 1000" chord.wav --seam-search 200 -x 1000
same_seam "55 Hz sine, --seam-search 60" low.wav --seam-search 60
for f in $music; do
	same_seam "$f, --seam-search 200 -x 300" "$f" --seam-search 200 -x 300
done
[ -n "$music" ] && same_seam "elf.wav from 3 s, 5 s, --seam-search 100 -x 2000" elf.wav --start 3 -d 5 --seam-search 100 -x 2000

# ---- the seam error is the one numpy computes at that end, and numpy's own
# search over every offset finds the same end
indep() { # WHAT FILE OPTIONS...
	_w=$1 _f=$2; shift 2
	loopify --json "$@" "$_f" >ind.json 2>/dev/null
	loopify "$@" "$_f" 2>ind.err >/dev/null
	raw "$_f" ind.f32
	if _r=$($PY - ind.json ind.f32 "$(chans "$_f")" ind.err <<'PYEOF'
import json, sys, re, numpy as np
j = json.load(open(sys.argv[1]))
x = np.fromfile(sys.argv[2], dtype='<f4').reshape(-1, int(sys.argv[3])).astype(np.float64).mean(axis=1)
rate = j['rate']
s = int(round(j['start'] * rate)); L = int(round(j['target'] * rate))
fade = int(round(j['crossfade'] * rate)); search = int(round(j['seam_search'] * rate))
cmp = max(fade, int(round(0.01 * rate)))
assert int(round(j['compared'] * rate)) == cmp
n = j['frames']
def ncc(end):
    a, b = x[s:s + cmp], x[s + end:s + end + cmp]
    den = np.sqrt((a * a).sum() * (b * b).sum())
    return (a * b).sum() / den if den > 1e-12 else 0.0
err = max(0.0, 1 - ncc(n))
assert abs(err - j['seam_error']) < 1e-6, (err, j['seam_error'])
line = float(re.search(r'seam error ([0-9.]+)', open(sys.argv[4]).read()).group(1))
assert abs(line - j['seam_error']) < 1e-6, (line, j['seam_error'])
# every offset, by float64 FFT; ties to the nearest length, the longer first
head = x[s:s + cmp]; tail = x[s + L - search:s + L + search + cmp]
m = 1 << int(np.ceil(np.log2(len(tail) + cmp)))
c = np.fft.irfft(np.conj(np.fft.rfft(head, m)) * np.fft.rfft(tail, m), m)[:2 * search + 1]
e = np.concatenate([[0], np.cumsum(tail * tail)])
eb = e[cmp:cmp + 2 * search + 1] - e[:2 * search + 1]
den = np.sqrt((head * head).sum() * eb)
v = np.where(den > 1e-12, c / np.where(den > 0, den, 1), 0)
d = np.arange(-search, search + 1)
best = np.lexsort((-d, np.abs(d), -np.round(v, 9)))[0]
assert d[best] == j['offset'], (d[best], j['offset'], v[best], v[j['offset'] + search])
print("%.6f %d" % (err, d[best]))
PYEOF
	); then pass "$_w: seam error and end as numpy finds them ($_r)"
	else fail "$_w: seam error and end as numpy finds them" "$_r"; fi
}
indep "chord" chord.wav --seam-search 50
for f in $music; do indep "$f" "$f" --seam-search 200 -x 300; done
[ -n "$music" ] && indep "sad.wav from 2 s, 6 s, -x 1000" sad.wav --start 2 -d 6 --seam-search 150 -x 1000

# ---- lengths as asked
loopify -d 4 --seam-search 0 chord.wav >d4.au 2>/dev/null
check "--seam-search 0 -d 4 is 4 s exactly" test "$(soxi -s d4.au)" = 192000
loopify -d 2.5 chord.wav >d25.au 2>/dev/null
near "-d 2.5 gives 2.5 s within the seam search" "$(soxi -D d25.au)" 2.5 0.0205
loopify -d 96000smp --seam-search 0 --start 24000smp chord.wav >smp.au 2>/dev/null
check "-d and --start in samples" test "$(soxi -s smp.au)" = 96000
loopify --json chord.wav >def.json 2>/dev/null
total=$(soxi -s chord.wav)
check "default length: the whole input less the seam search and the compared stretch" $PY -c "
import json; j = json.load(open('def.json'))
assert j['frames'] == $total - 960 - 2400 + j['offset'], j
assert abs(j['target'] - ($total - 960 - 2400) / 48000) < 1e-6, j"
loopify --json --start 1 -x 2000 --seam-search 200ms chord.wav >ms.json 2>/dev/null
check "units: -x 2000 is ms, 200ms too" $PY -c "
import json; j = json.load(open('ms.json'))
assert j['crossfade'] == 2 and j['seam_search'] == 0.2 and j['compared'] == 2 and j['start'] == 1, j
assert j['frames'] == 8 * 48000 - 48000 - 9600 - 96000 + j['offset'], j"
check "-x 0.3s is 300 ms" sh -c "loopify --json -x 0.3s chord.wav | grep -q '\"crossfade\": 0.3,'"

# ---- determinism, stdin, a trickling pipe, -o by extension
loopify chord.wav >again.au 2>/dev/null
same_file "same input, same bytes" chord.au again.au
sox chord.wav -t au -e floating-point -b 32 chord-src.au
loopify chord-src.au >fromfile.au 2>/dev/null
loopify <chord-src.au >fromstdin.au 2>/dev/null
same_file "stdin (AU) gives what the file gives" fromfile.au fromstdin.au
sox chord.wav -t wav - | loopify >fromwav.au 2>/dev/null
same_file "stdin (WAV) gives what the file gives" chord.au fromwav.au
trickle 3000 7 <chord-src.au | loopify >trickled.au 2>/dev/null
same_file "a trickling pipe gives the same bytes" fromfile.au trickled.au
loopify -o out.wav chord.wav 2>/dev/null
check "-o out.wav: a 32-bit float WAV with the loop's samples" sh -c "[ \"\$(soxi -t out.wav)\" = wav ] && [ \"\$(soxi -s out.wav)\" = $(soxi -s chord.au) ]"
sox out.wav -t f32 ow.f32; sox chord.au -t f32 oa.f32
same_file "-o FILE and stdout carry the same samples" ow.f32 oa.f32
loopify -o out.flac --bits 16 chord.wav 2>/dev/null
check "-o out.flac --bits 16: 16-bit FLAC" sh -c "[ \"\$(soxi -t out.flac)\" = flac ] && [ \"\$(soxi -b out.flac)\" = 16 ]"
check "no temporary file left behind" sh -c "! ls -a | grep -q '\\.shards-'"
loopify --json -o j.wav chord.wav >j.json 2>j.err
check "--json with -o: the report on stdout, the audio in the file, nothing on stderr" sh -c "
	[ -s j.wav ] && [ ! -s j.err ] && [ \"\$(soxi -s j.wav)\" = \$($PY -c \"import json; print(json.load(open('j.json'))['frames'])\") ]"
check "--json alone: the report, no audio" $PY -c "
import json; j = json.load(open('def.json'))
assert j['format'] == 'shards-loopify' and j['version'] == 1 and j['output'] is None and j['channels'] == 2"

# ---- bad input: one line, the suite's exit status, no file
sox -n -r 48000 -c 2 short.wav synth 0.15 sine 440
check_fail "too short for the crossfade and the search" 1 "^loopify: short.wav: too short for a loop: 0.150000 s from --start, 0.190000 s needed" \
	loopify -o s.wav short.wav
check "no file for an input too short" test ! -e s.wav
check_fail "a -d longer than the input" 1 "^loopify: chord.wav: too short for a loop of 9.000000 s" loopify -d 9 -o s.wav chord.wav
check_fail "--start past the end" 1 "^loopify: chord.wav: --start 10 is past the end" loopify --start 10 chord.wav
check_fail "a long crossfade on a short input" 1 "too short for a loop" sh -c "loopify -x 2000 short.wav >/dev/null"
for o in "--crossfade -5" "--seam-search -1" "--start -0.5" "-d -3"; do
	check_fail "negative: $o" 2 "^loopify: -.*'-[0-9.]+'" loopify $o chord.wav
done
check_fail "--crossfade 0" 2 "^loopify: --crossfade: '0' is not a duration of more than 0" loopify -x 0 chord.wav
check_fail "-x 2f: frames mean nothing here" 2 "^loopify: --crossfade: '2f'" loopify -x 2f chord.wav
check_fail "--seam-search over 30 s" 2 "^loopify: --seam-search 31s is longer than 30 s" loopify --seam-search 31s chord.wav
check_fail "-d shorter than two crossfades" 2 "^loopify: --duration: .* shorter than two crossfades" loopify -d 0.05 chord.wav
check_fail "--json with -o -" 2 "^loopify: --json prints on standard output" loopify --json -o - chord.wav
check_fail "two inputs" 2 "^loopify: " loopify chord.wav low.wav
check_fail "a missing file" 1 "^loopify: nope.wav: " loopify -o g.wav nope.wav
head -c 5000 /dev/urandom >garbage.wav
check_fail "garbage" 1 "^loopify: garbage.wav: " loopify -o g.wav garbage.wav
mkdir -p afolder.wav
check_fail "a folder" 1 "^loopify: afolder.wav: " loopify -o g.wav afolder.wav
check_fail "empty stdin" 1 "^loopify: " sh -c "loopify </dev/null >/dev/null"
check "no output after bad input" test ! -e g.wav
check_fail "an unwritable -o" 1 "^loopify: " loopify -o nodir/x.wav chord.wav
