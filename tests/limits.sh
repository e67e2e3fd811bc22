# limits.sh -- hostile inputs under `ulimit -v` (192 MiB of address space, three times
# what a program needs to start): each limit of shards(7) LIMITS is refused with one
# line naming it, input within the limits but bigger than memory fails with one clear
# line (never a crash), and streams far bigger than the memory limit still run.
T=limits
. "$(dirname "$0")/lib.sh"
if [ "${SHARDS_SANITIZED:-}" = 1 ]; then
	echo "# skipped in a sanitizer build: its shadow memory needs terabytes of address space"
	exit 0
fi
cd "$W" || exit 1
# lim CMD...: CMD with 192 MiB of address space (a script, so sh -c sees it too)
mkdir -p limbin
printf '#!/bin/sh\nulimit -v 196608 && exec "$@"\n' >limbin/lim
chmod +x limbin/lim
PATH=$W/limbin:$PATH
PY=/usr/bin/python3

# an AU header (28 bytes, unknown length) for CH channels at RATE
au_header() { $PY -c "import struct, sys; sys.stdout.buffer.write(b'.snd' + struct.pack('>IIIII', 28, 0xffffffff, 6, $2, $1) + bytes(4))"; }

# ---- audio: channels and rates
au_header 65 48000 >ch65.au
check_fail "65 channels: refused, naming the limit" 1 '65 channels.*1 to 64' lim sh -c 'specsmear <ch65.au'
au_header 100000 48000 >ch100k.au
check_fail "100000 channels: refused before any allocation" 1 'channels.*1 to 64' lim sh -c 'chop -s 50ms <ch100k.au'
au_header 2 999999999 >rate.au
check_fail "a rate of 999999999 Hz: refused" 1 'rate|Hz' lim sh -c 'stretch -R 2 <rate.au'
{ au_header 64 48000; head -c $((64 * 4 * 48000)) /dev/zero; } >ch64.au
check "64 channels of one second: within the limits, runs under the limit" lim sh -c 'specsmear <ch64.au | sox -t au - -n stat'
# a WAV header claiming 4 GiB of data in a file of 1 KiB: nothing allocated from the claim
$PY -c "
import struct, sys
fmt = struct.pack('<HHIIHH', 3, 2, 48000, 48000 * 8, 8, 32)
sys.stdout.buffer.write(b'RIFF' + struct.pack('<I', 0xffffffff) + b'WAVEfmt ' + struct.pack('<I', 16) + fmt
    + b'data' + struct.pack('<I', 0xfffffff0) + bytes(1024))" >claims.wav
check_fail "a WAV file claiming 4 GiB holding 1 KiB: refused as lying, nothing allocated for the claim" 1 'claims 4294967280 bytes.*holds 1024' \
	lim chop -s 1ms claims.wav

check_fail "a 51-byte WAV claiming 117 MHz, through FFmpeg (avsplit): refused at once" 1 'sample rate 117494972 Hz.*1000 to 768000' \
	lim timeout 10 avsplit -a x.au "$SHARDS_TOP/tests/fuzz/regress/media/wav-rate-117MHz.wav"

# ---- a piped source larger than the address-space limit: cutapply spools it to disk
cutgen --seed 1 -s 500ms -S 1 -t 0 -R 0 -D 700 -o shuffle.json
mkdir spool
check "256 MiB of piped audio shuffled by cutapply (--memory 16): spools, runs under the 192 MiB limit" \
	sh -c 'sox -n -r 48000 -c 2 -e float -t au - synth 700 sine 100 2>/dev/null | (TMPDIR=spool lim cutapply --memory 16 shuffle.json) | sox -t au - -n stat 2>&1 | grep -q "Samples read: *67200000"'
check "and leaves no spool file behind" test -z "$(ls -A spool)"

# ---- video: dimensions, frame size, header line
printf 'YUV4MPEG2 W16385 H16 F25:1\nFRAME\n' >wide.y4m
check_fail "a width of 16385: refused, naming the limit" 1 'width.*16385.*1\.\.16384' lim sh -c 'vnoise <wide.y4m'
printf 'YUV4MPEG2 W100000 H100000 F25:1 C444\nFRAME\n' >huge.y4m
check_fail "100000x100000: refused before any allocation" 1 "bad width|bad height" lim sh -c 'posterize <huge.y4m'
printf 'YUV4MPEG2 W16384 H16384 F25:1 C444\nFRAME\n' >big.y4m
check_fail "16384x16384 4:4:4 (768 MiB a frame, within the limits): one clear line when memory runs out" 1 'out of memory' \
	lim sh -c 'vnoise <big.y4m'
check_fail "the same header to cutapply: one clear line" 1 '.' lim sh -c 'cutgen -D 1 | cutapply - big.y4m'
{ printf 'YUV4MPEG2 W16 H16 F25:1'; head -c 100000 /dev/zero | tr '\0' ' '; printf '\n'; } >longhdr.y4m
check_fail "a header line of 100 kB: refused" 1 'header' lim sh -c 'scanlines <longhdr.y4m'

# ---- cut lists: positions, total length, count
printf '{"format":"shards-cutlist","version":1,"cuts":[{"src":0,"dur":2e7}]}' >long.json
check_fail "a cut of 2e7 seconds: refused, naming the limit" 1 'at most 1e7' lim cutinfo long.json
printf '{"format":"shards-cutlist","version":1,"cuts":[{"src":1e300,"dur":1}]}' >far.json
check_fail "a cut at 1e300 seconds: refused" 1 'cut 0' lim cutinfo far.json
$PY -c "
import sys
w = sys.stdout.write
w('{\"format\":\"shards-cutlist\",\"version\":1,\"cuts\":[')
w(','.join('{\"src\":%d,\"dur\":0.001}' % (i % 7) for i in range(1000000)))
w(']}')" >million.json
check "a million cuts: parsed and summarised under the limit" lim sh -c 'cutinfo million.json | grep -q 1000000'
$PY -c "
import sys
sys.stdout.write('{\"format\":\"shards-cutlist\",\"version\":1,\"cuts\":[' + '[' * 200000 + ']' * 200000 + ']}')" >deep.json
check_fail "200000 nested arrays: refused without deep recursion" 1 'cut' lim cutinfo deep.json

# ---- events and manifests: line lengths
head -c 3000000 /dev/zero | tr '\0' x >longline.jsonl
check_fail "an event line of 3 MB: refused, naming the 1 MiB limit" 1 'longer than 1048576 bytes' lim sh -c 'arp <longline.jsonl'
check_fail "the same to midiout: refused" 1 'longer than 1048576 bytes' lim sh -c 'midiout -o x.mid <longline.jsonl'
check_fail "a Euclidean pattern of 1025 steps: refused, naming the limit" 2 '1024' lim sh -c 'clock --bars 1 | euclid -n 1025 -p 3'
if command -v padmine >/dev/null; then
	sox -n -r 44100 pad.wav synth 6 pinknoise lowpass 900 gain -12
	mkdir -p ex
	{ echo "filename,source,type,duration,rms_db,peak_db,crest_db,centroid_hz,pitch_hz,seam_error,brightness,grade"
	  printf 'x.wav,x,pad,1,-1,-1,0,100,,0,dark,B,'; head -c 100000 /dev/zero | tr '\0' y; echo; } >ex/manifest.csv
	cp ex/manifest.csv manifest.before
	check_fail "a manifest row of 100 kB: refused, naming the limit" 1 '65536' lim padmine -O 100 -d ex pad.wav
	same_file "and the manifest is untouched" ex/manifest.csv manifest.before
fi
