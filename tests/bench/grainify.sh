# bench: grainify. The target: a 60-second stereo cloud at 44.1 kHz renders in
# under a second (a row against a flat 1 s: speed-up >= 1 is met) with the
# defaults (200 grains of 50..150 ms, each resampled within -7..7 semitones,
# junk filter on), into a file and into a pipe; a dense cloud (200 grains a
# second of 100..400 ms, some 40 sounding at once) is timed too, without a
# target. Most of the defaults' time is the pool: libsoxr designs a filter for
# each grain's ratio (about 1 ms a transposed grain; -P 0 copies and is ~4x faster).
# Then the nearest peer on Debian: Csound (package csound), whose classic
# granular instrument fires grain events as often (28 a second: the defaults'
# overlap), each reading a random place of the source at a random rate
# (cubic interpolation) under a Hann envelope, panned at random. It filters
# nothing and normalises nothing, so it does less than grainify; sox has no
# granular effect. The row is left out, with a line that says so, when csound
# is not installed.
set -u
. "$SHARDS_TOP/tests/bench/lib.sh"
D=$SHARDS_BENCH_TMP/grainify
mkdir -p "$D"
cd "$D" || exit 1

if [ ! -s src.wav ]; then
	# 30 s: a chord with slow tremolo, then pink noise and a drone
	sox -n -r 44100 -c 2 a.wav synth 15 sine 220 sine 277.18 synth 15 sine mix 329.63 tremolo 0.4 20 gain -12
	sox -n -r 44100 -c 2 b.wav synth 15 pinknoise lowpass 2000 synth 15 sine mix 110 gain -16
	sox a.wav b.wav src.wav
	sox src.wav -c 1 src-mono.wav
	rm -f a.wav b.wav
fi
cat >cloud.csd <<'EOF'
<CsoundSynthesizer>
<CsOptions>
-W -f --nodisplays -d -m0
</CsOptions>
<CsInstruments>
sr = 44100
ksmps = 32
nchnls = 2
0dbfs = 1
giSrc ftgen 1, 0, 0, 1, "src-mono.wav", 0, 0, 1
giWin ftgen 2, 0, 8192, 20, 2, 1
seed 7
instr 1 ; 28 grains a second for the whole cloud
  ktrig metro 28
  if ktrig == 1 then
    kdur random 0.05, 0.15
    kst random -7, 7
    event "i", 2, 0, kdur, kst
  endif
endin
instr 2 ; one grain: a random place at a random rate, Hann envelope, random pan
  iratio = 2 ^ (p4 / 12)
  ispan = p3 * sr * iratio
  ipos random 0, ftlen(1) - ispan - 4
  aphs line ipos, p3, ipos + ispan
  asig table3 aphs, 1
  aenv oscili 0.3, 1 / p3, 2
  ipan random 0.1, 0.9
  al, ar pan2 asig * aenv, ipan
  outs al, ar
endin
</CsInstruments>
<CsScore>
i1 0 60
</CsScore>
</CsoundSynthesizer>
EOF

bench_load
s=$(bench_time "grainify -d 60 --seed 7 -o g.wav src.wav") &&
	bench_line "grainify 60 s stereo cloud, defaults (200 grains, -7..7 semitones), against 1 s" "1 s" "$s" "1 1" ">= 1"
s=$(bench_time "grainify -d 60 -D 200 -g 100ms..400ms --seed 7 -o g.wav src.wav") &&
	bench_line "grainify 60 s stereo cloud, 200 grains a second of 100..400 ms, against 1 s" "1 s" "$s" "1 1"
s=$(bench_time "grainify -d 60 --seed 7 src.wav | cat >/dev/null") &&
	bench_line "grainify 60 s stereo cloud, defaults, AU into a pipe, against 1 s" "1 s" "$s" "1 1" ">= 1"
if command -v csound >/dev/null; then
	bench_row "grainify vs a Csound granular instrument (60 s stereo cloud, 28 grains/s, -7..7 st)" \
		"grainify -d 60 --seed 7 -o g.wav src.wav" "csound" "csound -o c.wav cloud.csd 2>/dev/null"
else
	echo "bench: grainify vs Csound: skipped (csound is not installed: apt-get install csound)"
fi
