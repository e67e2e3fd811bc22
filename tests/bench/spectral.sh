#!/bin/sh
# tests/bench/spectral.sh -- the spectral programs and stretch, single-threaded
# (-j 1) and with the default threads, against the tool a user would otherwise
# pick, on the same stereo file:
#  - specsmear against ffmpeg's afftfilt at the same window (2048) and overlap
#    (75%); both read the WAV file and write float AU through a pipe to cat;
#  - stretch against the rubberband CLI, R3 (finer) engine, offline, x1.25 and
#    +2 semitones, on the first minute; both read the WAV file and write a
#    32-bit float WAV file. stretch keeps the channels together by default (one
#    stretcher, as the CLI): -j cannot split that work; --channels apart (a
#    stretcher per channel, on threads, a looser stereo image) is timed too;
#  - specmangle at -j 1 against its default: no peer, the threads' speed-up.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=${SHARDS_BENCH_TMP:-/tmp}/spectral
mkdir -p "$D"
IN=$D/in600.wav
if [ ! -s "$IN" ]; then
	# 10 minutes of 48 kHz stereo float: pink noise (a different one in each
	# channel) and a slowly beating chord
	sox -R -n -r 48000 -c 2 -e floating-point -b 32 "$IN" synth 600 pinknoise synth 600 sine mix 220 \
		synth 600 sine mix 331 tremolo 0.3 60 gain -12 || exit 1
fi
IN60=$D/in60.wav
[ -s "$IN60" ] || sox "$IN" "$IN60" trim 0 60 || exit 1
J=$(specsmear --help | sed -n 's/.*--jobs N.*(\([0-9]*\) here).*/\1/p')
bench_load
echo "# default threads here: ${J:-?}"

AFFT="ffmpeg -v error -i $IN -af \"afftfilt=real='re':imag='im':win_size=2048:overlap=0.75\" -f au -c:a pcm_f32be - | cat >/dev/null"
bench_row "specsmear-j1-vs-afftfilt(10min,stereo,2048/75%)" \
	"specsmear -j 1 -b 0.5 -p 0.5 --seed 1 $IN | cat >/dev/null" ffmpeg-afftfilt "$AFFT" ">= 8"
bench_row "specsmear-vs-afftfilt(10min,stereo,2048/75%)" \
	"specsmear -b 0.5 -p 0.5 --seed 1 $IN | cat >/dev/null" ffmpeg-afftfilt "$AFFT" ">= 8"

RB="rubberband -q -3 -t 1.25 -p 2 $IN60 $D/rubberband.wav 2>/dev/null"
bench_row "stretch-j1-vs-rubberband(60s,stereo,R3,x1.25,+2st)" \
	"stretch -j 1 -r 1.25 -p 2 $IN60 -o $D/stretch.wav 2>/dev/null" rubberband-cli "$RB" ">= 1.6"
bench_row "stretch-vs-rubberband(60s,stereo,R3,x1.25,+2st)" \
	"stretch -r 1.25 -p 2 $IN60 -o $D/stretch.wav 2>/dev/null" rubberband-cli "$RB" ">= 1.6"
bench_row "stretch-apart-j1-vs-rubberband(60s,stereo,R3,x1.25,+2st)" \
	"stretch --channels apart -j 1 -r 1.25 -p 2 $IN60 -o $D/stretch.wav 2>/dev/null" rubberband-cli "$RB"
bench_row "stretch-apart-vs-rubberband(60s,stereo,R3,x1.25,+2st)" \
	"stretch --channels apart -r 1.25 -p 2 $IN60 -o $D/stretch.wav 2>/dev/null" rubberband-cli "$RB" ">= 1.6"
rm -f "$D/stretch.wav" "$D/rubberband.wav"

bench_row "specmangle-threads(10min,stereo)" \
	"specmangle --seed 1 $IN | cat >/dev/null" specmangle-j1 "specmangle -j 1 --seed 1 $IN | cat >/dev/null"
