# loudnorm: EBU R128 measurement against FFmpeg's ebur128 meter; normalising
# real music (wesnoth-1.16-music) and a crest-heavy drum loop built from
# hydrogen-drumkits one-shots to the target within 0.5 LU with the true peak
# under the ceiling (by FFmpeg's meter); --linear refusing or being exactly a
# gain; a pipe (spooled) giving the file's bytes; -j 1 = -j 2; bad input.
. "$(dirname "$0")/lib.sh"
cd "$W"
PY=python3; [ -x /usr/bin/python3 ] && PY=/usr/bin/python3
mkdir -p tmp
export TMPDIR="$W/tmp" # the spool file goes here (and is gone at once)

# ebu FILE: "I TP" from the summary of FFmpeg's ebur128 filter
ebu() {
	ffmpeg -nostdin -hide_banner -nostats -i "$1" -af ebur128=peak=true -f null - 2>&1 |
		awk '/Summary:/ {s = 1} s && /I:/ {i = $2} s && /True peak:/ {t = 1} s && t && /Peak:/ {p = $2} END {print i, p}'
}
# key JSON KEY: one number from loudnorm --measure's JSON
key() { $PY -c 'import json, sys; print(json.load(open(sys.argv[1]))[sys.argv[2]])' "$1" "$2"; }
# hits TARGET CEILING FILE: FFmpeg measures FILE within 0.5 LU of TARGET and
# its true peak at most CEILING
hits() {
	set -- "$1" "$2" "$3" $(ebu "$3")
	awk -v t="$1" -v c="$2" -v i="$4" -v p="$5" 'BEGIN {
		d = i - t; if (d < 0) d = -d
		if (i == "" || p == "" || d > 0.5 || p > c) { printf "I %s (target %s), true peak %s (ceiling %s)\n", i, t, p, c; exit 1 } }'
}
# f32 IN OUT: the samples of a float WAV or AU file exactly as stored, as raw
# native floats for numpy (sox's conversion can move the last bits)
f32() { $PY -c 'import sys, numpy as np
d = open(sys.argv[1], "rb").read()
if d[:4] == b".snd":
    a = np.frombuffer(d[int.from_bytes(d[4:8], "big"):], ">f4")
else:
    i = 12
    while d[i:i + 4] != b"data":
        i += 8 + int.from_bytes(d[i + 4:i + 8], "little")
    a = np.frombuffer(d[i + 8:i + 8 + int.from_bytes(d[i + 4:i + 8], "little")], "<f4")
a.astype(np.float32).tofile(sys.argv[2])' "$1" "$2"; }

# ---- material: 60 s of real music, and a drum loop boosted to 0 dBFS
music=/usr/share/games/wesnoth/1.16/data/core/music/battle.ogg
kit=/usr/share/hydrogen/data/drumkits/GMRockKit
have_music=0 have_kit=0
if [ -r "$music" ]; then sox "$music" music.wav trim 0 60 && have_music=1
else fail "real music" "missing: install wesnoth-1.16-music"; fi
if [ -r "$kit/Kick-Hardest.wav" ]; then
	# kick on the beats, snare on the offbeats, hats in eighths at 120 BPM:
	# 4 s, repeated to 20 s, normalised to a peak of -0.1 dBFS
	n=0 mix=
	hit() { n=$((n + 1)); sox "$kit/$1" -r 48000 -c 2 -e floating-point -b 32 "h$n.wav" pad "$2" 2>/dev/null; mix="$mix -v $3 h$n.wav"; }
	for t in 0 1 2 3; do hit Kick-Hardest.wav $t 0.5; done
	for t in 0.5 1.5 2.5 3.5; do hit Snare-Hardest.wav $t 0.5; done
	for t in 0 0.25 0.5 0.75 1 1.25 1.5 1.75 2 2.25 2.5 2.75 3 3.25 3.5 3.75; do hit HatClosed-Med.wav $t 0.3; done
	# shellcheck disable=SC2086
	sox -m $mix loop.wav trim 0 4 && sox loop.wav drums.wav repeat 4 norm -0.1 && have_kit=1
	rm -f h*.wav
else fail "drum loop" "missing: install hydrogen-drumkits"; fi

# ---- --measure against FFmpeg's ebur128
measure_vs_ffmpeg() { # NAME FILE
	loudnorm --measure "$2" >"$1.json"
	set -- "$1" "$2" $(ebu "$2")
	near "$1: integrated loudness = ebur128's within 0.2 LU" "$(key "$1.json" integrated_lufs)" "$3" 0.2
	near "$1: true peak = ebur128's within 0.3 dB" "$(key "$1.json" true_peak_dbtp)" "$4" 0.3
}
if [ $have_music = 1 ]; then
	measure_vs_ffmpeg music music.wav
	check "--measure: rate, channels, duration and the other keys" $PY -c '
import json
d = json.load(open("music.json"))
assert d["rate"] == 44100 and d["channels"] == 2 and abs(d["duration_s"] - 60) < 0.01, d
assert d["frames"] == 60 * 44100, d
for k in ("range_lu", "sample_peak_dbfs", "threshold_lufs", "gain_db", "target_lufs"):
    assert isinstance(d[k], float), (k, d)
assert d["sample_peak_dbfs"] <= d["true_peak_dbtp"] + 1e-9 and d["range_lu"] > 1, d
assert abs(d["gain_db"] - (-14 - d["integrated_lufs"])) < 0.011 and d["needs_limiter"] is True, d'
fi
[ $have_kit = 1 ] && measure_vs_ffmpeg drums drums.wav

# ---- normalising real music: default target (-14 LUFS, -1 dBTP), and -16
if [ $have_music = 1 ]; then
	loudnorm music.wav -o m14.wav
	check "music to -14 LUFS: ebur128 reads it within 0.5 LU, true peak <= -1 dBTP" hits -14 -1.0 m14.wav
	check "the output keeps the input's rate and channels" \
		test "$(soxi -r m14.wav) $(soxi -c m14.wav) $(soxi -s m14.wav)" = "44100 2 $((60 * 44100))"
	loudnorm -t -16 --true-peak -2 music.wav -o m16.wav
	check "music to -16 LUFS under -2 dBTP" hits -16 -2.0 m16.wav
	loudnorm -t -23 music.wav --bits 16 -o m23.wav
	check "--bits 16: a 16-bit file" test "$(soxi -b m23.wav)" = 16
	check "music to -23 LUFS: on target" hits -23 -1.0 m23.wav
fi

# ---- the drum loop: peaks 16 dB over its loudness, so -14 LUFS needs the limiter
if [ $have_kit = 1 ]; then
	loudnorm drums.wav -o d14.wav
	check "drums to -14 LUFS (limited): within 0.5 LU, true peak <= -1 dBTP" hits -14 -1.0 d14.wav
	f32 drums.wav in.f32; f32 d14.wav out.f32
	check "the limiter worked: the gain is not one number" $PY -c '
import numpy as np
a = np.fromfile("in.f32", np.float32); b = np.fromfile("out.f32", np.float32)
assert len(a) == len(b)
m = np.abs(a) > 1e-3
r = b[m] / a[m]
assert r.max() / r.min() > 1.5, (r.min(), r.max())'
	loudnorm -t -18 --true-peak -3 drums.wav -o d18.wav
	check "drums to -18 LUFS under -3 dBTP" hits -18 -3.0 d18.wav

	# --linear: refused over the ceiling, exactly a gain under it
	check_fail "--linear refuses when the true peak would cross the ceiling" 1 \
		"true peak to \+2\.[0-9]+ dBTP, over the ceiling of -1\.00 dBTP" loudnorm --linear drums.wav -o lin.wav
	check "... and writes nothing" test ! -e lin.wav
	loudnorm --linear -t -20 drums.wav -o lin20.wav
	loudnorm -t -20 drums.wav -o auto20.wav
	same_file "--linear under the ceiling: the same bytes as without it" lin20.wav auto20.wav
	f32 lin20.wav lin.f32
	check "--linear: every sample is the input times one gain, the gain that reaches -20 LUFS" $PY -c '
import json, numpy as np
a = np.fromfile("in.f32", np.float32); b = np.fromfile("lin.f32", np.float32)
m = np.abs(a) > 1e-4
r = b[m] / a[m]
assert np.all(np.abs(r / r[0] - 1) < 1e-6), (r.min(), r.max())
want = 10 ** ((-20 - json.load(open("drums.json"))["integrated_lufs"]) / 20)
assert abs(20 * np.log10(r[0] / want)) < 0.01, (r[0], want)'
	check "--linear output on target" hits -20 -1.0 lin20.wav

	# a pipe is spooled (TMPDIR) and gives the file's bytes; stdout is AU
	cat drums.wav | loudnorm -v -o pipe.wav 2>pipe.err
	same_file "input from a pipe (spooled): the same bytes as from the file" pipe.wav d14.wav
	check "the spool is announced with -v and gone afterwards" sh -c \
		'grep -q "spooling" pipe.err && test -z "$(ls -A tmp)"'
	loudnorm drums.wav >std.au
	f32 std.au std.f32
	same_file "stdout (AU) carries the samples of -o FILE" std.f32 out.f32
	loudnorm -t -20 drums.wav >clean.au
	f32 clean.au clean.f32; f32 auto20.wav auto20.f32
	same_file "stdout under the ceiling (one pass): the samples of -o FILE" clean.f32 auto20.f32
	loudnorm -j 1 drums.wav -o j1.wav
	loudnorm -j 2 drums.wav -o j2.wav
	same_file "-j 1 and -j 2: the same bytes" j1.wav j2.wav
	loudnorm -j 1 -m drums.wav >j1.json
	loudnorm -j 2 -m drums.wav >j2.json
	same_file "-j 1 and -j 2: the same measurement" j1.json j2.json

	check_fail "a target the limiter cannot reach is an error" 1 "cannot reach -5\.0 LUFS" \
		loudnorm -t -5 drums.wav -o far.wav
	check "... and writes nothing" test ! -e far.wav
fi

# ---- bright, noisy material (a synthetic break: white-noise snare, hiss hats),
# where the meter's true peak reads 0.5 dB under FFmpeg's: the limiter, which
# runs on every normalisation and is transparent under the ceiling, still
# keeps FFmpeg's true peak under it
loudnorm -t -11 "$F/break48.wav" -o bright.wav
check "bright material: on target, true peak <= -1 dBTP by FFmpeg's meter" hits -11 -1.0 bright.wav

# ---- bad input
check_fail "--target 5: usage error naming the range" 2 "5 is out of range -70\.\.0" \
	loudnorm --target 5 "$F/break48.wav" -o x.wav
check_fail "--true-peak 1: usage error naming the range" 2 "out of range -9\.\.0" \
	loudnorm --true-peak 1 "$F/break48.wav" -o x.wav
check_fail "a missing file is named" 1 "no-such\.wav" loudnorm no-such.wav -o x.wav
sox -n -r 48000 -c 2 silence.wav trim 0 3
check_fail "silence: a clear error, no gain" 1 "silence\.wav: nothing to normalise: silent" \
	loudnorm silence.wav -o x.wav
sox -n -r 48000 -c 1 blip.wav synth 0.3 sine 440
check_fail "shorter than a gating block: a clear error" 1 "shorter than 0\.4 s" loudnorm blip.wav -o x.wav
check "no output left behind by the failures" test ! -e x.wav
loudnorm -m silence.wav >sil.json
check "--measure on silence: null loudness and peaks" $PY -c '
import json
d = json.load(open("sil.json"))
assert d["integrated_lufs"] is None and d["true_peak_dbtp"] is None and d["gain_db"] is None, d'
check_fail "--measure with --linear: usage error" 2 "--linear" loudnorm -m --linear silence.wav
