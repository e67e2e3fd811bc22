#!/bin/sh
# tests/presets.sh -- presets in the design's own form: a range as a [min, max]
# array, a pinned seed (--seed overrides it, --print-config keeps it), a "name"
# label passed over; and each malformed one refused in one line, exit 2.
. "$(dirname "$0")/lib.sh"
cd "$W"
mkdir -p presets/colorkey presets/cutgen presets/keydetect
printf '{"name": "neon-mask", "mode": "kmeans", "similarity": [0.25, 0.40], "seed": 42}\n' >presets/colorkey/neon.json
colorkey --preset neon --print-config >neon.out 2>neon.err
check "colorkey: a [min, max] array is a range, the seed is pinned, the name passed over" jq -e \
	'.similarity == "0.25..0.4" and .seed == 42 and .mode == "kmeans" and (has("name") | not)' neon.out
colorkey --preset neon --seed 7 --print-config >seven.out 2>/dev/null
check "colorkey: --seed overrides the preset's seed" jq -e '.seed == 7' seven.out
colorkey --preset neon --similarity 0.3 --print-config >flag.out 2>/dev/null
check "colorkey: a flag overrides the preset's range" jq -e '.similarity == 0.3' flag.out

# a pinned seed draws what --seed draws
sox -n -r 44100 loop.wav synth 4 pinknoise gain -6 tremolo 4 90
printf '{"seed": 3}\n' >presets/cutgen/three.json
cutgen --preset three loop.wav >a.json 2>/dev/null
cutgen --seed 3 loop.wav >b.json 2>/dev/null
same_file "cutgen: a preset's seed gives the cut list --seed gives" a.json b.json
check "cutgen: a preset's seed is not reported as picked" sh -c '! cutgen --preset three loop.wav 2>&1 >/dev/null | grep -q "seed"'

# malformed presets: one line naming the file and the key, exit 2
bad() { # WHAT PROGRAM JSON PATTERN
	printf '%s\n' "$3" >"presets/$2/bad.json"
	check_fail "$1" 2 "$4" "$2" --preset bad --print-config
}
bad "a one-number array is not a range" colorkey '{"similarity": [0.4]}' "bad.json: key 'similarity': expected \[min, max\]"
bad "a range array of strings is refused" colorkey '{"similarity": ["0.1", "0.2"]}' "key 'similarity': expected \[min, max\]"
bad "a range array upside down is refused" colorkey '{"similarity": [0.5, 0.2]}' "key 'similarity': '0.5..0.2': MIN is greater than MAX"
bad "a negative seed is refused" colorkey '{"seed": -1}' "key 'seed': expected a non-negative integer"
bad "a seed as text is refused" colorkey '{"seed": "42"}' "key 'seed': expected a non-negative integer"
bad "a seed for a program that draws nothing is refused" keydetect '{"seed": 3}' "key 'seed': keydetect draws nothing at random"
bad "a name that is not text is an unknown key" colorkey '{"name": 3}' "unknown key 'name'"

# every preset the suite ships loads in its program, and prints back as itself
for f in "$SHARDS_TOP"/share/shards/presets/*/*.json; do
	prog=$(basename "$(dirname "$f")") name=$(basename "$f" .json)
	if "$prog" --preset "$name" --print-config >ship.json 2>ship.err &&
		"$prog" --preset ./ship.json --print-config >ship2.json 2>>ship.err && cmp -s ship.json ship2.json; then
		pass "shipped preset $prog/$name loads"
	else fail "shipped preset $prog/$name loads" "$(head -2 ship.err)"; fi
done
# the post chain the starter presets are for: a still through analog and colorgrade
ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 5 -pix_fmt yuv420p -f yuv4mpegpipe - >still.y4m
analog --preset vintage-film --seed 1 still.y4m 2>/dev/null | colorgrade --preset vintage-film --seed 1 >film.y4m 2>/dev/null
check "analog | colorgrade, both vintage-film: 5 frames out" sh -c \
	'[ "$(ffprobe -v error -count_frames -select_streams v -show_entries stream=nb_read_frames -of csv=p=0 film.y4m)" = 5 ]'
colorgrade --preset high-contrast --seed 1 still.y4m >hc.y4m 2>/dev/null
check "colorgrade --preset high-contrast spreads the luma (standard deviation up)" /usr/bin/python3 -c '
import subprocess, sys
def sd(f):
    raw = subprocess.run(["ffmpeg", "-v", "error", "-i", f, "-frames:v", "1", "-f", "rawvideo", "-pix_fmt", "gray", "-"], capture_output=True).stdout
    m = sum(raw) / len(raw)
    return (sum((b - m) ** 2 for b in raw) / len(raw)) ** 0.5
a, b = sd("still.y4m"), sd("hc.y4m")
assert b > a * 1.15, (a, b)'

# save-preset: a run's record becomes a preset that gives the run's settings back
ffmpeg -v error -f lavfi -i testsrc2=size=160x120:rate=25 -frames:v 10 -pix_fmt yuv420p -f yuv4mpegpipe - >fg.y4m
ffmpeg -v error -f lavfi -i color=white:size=160x120:rate=25 -frames:v 10 -pix_fmt yuv420p -f yuv4mpegpipe - >bg.y4m
colorkey --seed 9 -S 0.2..0.4 -B 0.05..0.1 -t --record s.json fg.y4m bg.y4m >run.y4m 2>/dev/null
colorkey -S 0.2..0.4 -B 0.05..0.1 -t --print-config >want.json
save-preset s.json night 2>/dev/null
colorkey --preset night --print-config >got.json
same_file "save-preset: a colorkey session's preset prints the session's settings" want.json got.json
check "save-preset: the preset has its name and no seed" jq -e '.name == "night" and (has("seed") | not)' presets/colorkey/night.json
save-preset --with-seed -o pinned.json s.json again 2>/dev/null
colorkey --preset ./pinned.json fg.y4m bg.y4m >again.y4m 2>/dev/null
same_file "save-preset --with-seed: the preset replays the session's frames" run.y4m again.y4m
cutgen --seed 4 -s 30ms -S 0.9 -R 0.4 loop.wav >cl.json 2>/dev/null
save-preset --with-seed cl.json chopped 2>/dev/null
cutgen --preset chopped loop.wav >cl2.json 2>/dev/null
same_file "save-preset: a cut list's settings and seed cut the same list again" cl.json cl2.json
check_fail "save-preset: an existing preset is kept without -f" 1 "night.json exists: give -f" save-preset s.json night
check "save-preset -f replaces it" save-preset -f s.json night
check_fail "save-preset: a name with a slash is a usage error" 2 "preset name '../x'" save-preset s.json ../x
check_fail "save-preset: JSON that is no run's record" 1 "not the record of a shards run" save-preset presets/colorkey/neon.json x
printf '{"made_by": {"program": "loopify"}, "options": {"crossfade": "2s"}}\n' >noseed.json
check_fail "save-preset --with-seed: a record without a seed" 1 "the record holds no seed" save-preset --with-seed noseed.json y
check_fail "save-preset: one operand is a usage error" 2 "give a RECORD and a NAME" save-preset s.json

# --print-config refuses what a run would: one setting against another
check_fail "cutviz --print-config: --to before --from" 2 "--to 2 must be after --from 5" cutviz --from 5 --to 2 --print-config
check_fail "evviz --print-config: --to before --from" 2 "--to 2 must be after --from 5" evviz --from 5 --to 2 --print-config
check_fail "stabilize --print-config: accuracy below shakiness" 2 "--accuracy 2 must be at least --shakiness 8" \
	stabilize --accuracy 2 --shakiness 8 --print-config
printf '{"dark": 5000, "bright": 1000}\n' >dark.json
check_fail "padmine --print-config: a preset with dark above bright" 2 "--dark 5000 is above --bright 1000" \
	padmine --preset ./dark.json --print-config

# a project's presets shadow every other ($SHARDS_PROJECT, which collide
# --project sets for the programs it runs), for any program
mkdir -p proj/presets/colorgrade presets/colorgrade
printf '{"saturation": 0.5}\n' >presets/colorgrade/look.json
printf '{"saturation": 1.5}\n' >proj/presets/colorgrade/look.json
colorgrade --preset look --print-config >uni.out 2>/dev/null
SHARDS_PROJECT=$W/proj colorgrade --preset look --print-config >projp.out 2>/dev/null
check "colorgrade: without a project, ./presets/ is used" jq -e '.saturation == 0.5' uni.out
check "colorgrade: \$SHARDS_PROJECT's preset shadows ./presets/" jq -e '.saturation == 1.5' projp.out
SHARDS_PROJECT=$W/proj colorgrade --preset high-contrast --print-config >hc2.out 2>/dev/null
check "a preset the project lacks is still found in share/shards/" jq -e '.contrast != null' hc2.out
check_fail "a missing preset names the project folder it looked in" 2 "in .*/proj/ ..SHARDS_PROJECT." \
	env SHARDS_PROJECT="$W/proj" colorgrade --preset nowhere --print-config
