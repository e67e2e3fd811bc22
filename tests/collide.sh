#!/bin/sh
# tests/collide.sh -- one whole session: an MP4 with video and audio of the
# asked length and a manifest.json with every documented field; a replay from
# another working directory, bit-exact; a project's layout, its kept notes and
# its presets shadowing the universal ones (for collide and for the programs
# it runs); a batch that survives a broken source; save-preset on a manifest;
# bad input with one clear error.
. "$(dirname "$0")/lib.sh"
cd "$W"
mkdir -p lib
ff -f lavfi -i testsrc=size=320x240:rate=25 -f lavfi -i sine=f=440:r=48000 -t 3 \
	-pix_fmt yuv420p -c:v libx264 -preset ultrafast -c:a aac lib/a.mp4
ff -f lavfi -i mandelbrot=size=320x240:rate=25 -f lavfi -i sine=f=660:r=44100 -t 2.5 \
	-pix_fmt yuv420p -c:v libx264 -preset ultrafast -c:a aac lib/b.mp4
ff -f lavfi -i smptebars=size=320x240:rate=25 -t 2 -pix_fmt yuv420p -c:v libx264 -preset ultrafast lib/c.mp4
ff -f lavfi -i testsrc2=size=320x240:rate=25 -t 2 -pix_fmt yuv420p -c:v libx264 -preset ultrafast lib/d.mp4
vscan lib -o lib.jsonl 2>/dev/null
mkdir -p out cl wa na batch
probe() { ffprobe -v error -select_streams "$2" -show_entries "stream=$3" -of csv=p=0 "$1"; }

# ---- a session: MP4 and manifest.json
check "a session from a vscan cache" collide --x264-preset ultrafast --seed 5 -n 3 -d 1.2 --library lib.jsonl -o out/s.mp4 \
	--saturation 0.8..1.3 --hue-shift -30..30 --post "analog --preset vintage-film | colorgrade -s 1.1"
check "video and audio streams" test "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 out/s.mp4 | tr '\n' ' ')" = "video audio "
near "video 1.2 s" "$(probe out/s.mp4 v:0 duration)" 1.2 0.001
near "audio 1.2 s" "$(probe out/s.mp4 a:0 duration)" 1.2 0.03
check "320x240" test "$(probe out/s.mp4 v:0 width,height)" = "320,240"
check "manifest.json beside the output, with every documented field" python3 - out/manifest.json <<'PY'
import json, sys, os
m = json.load(open(sys.argv[1]))
for k in ("seed", "timestamp", "config", "sources", "colorkeys", "audio", "post", "output", "video"):
    assert k in m, k
assert m["seed"] == 5 and len(m["timestamp"]) == 15
assert m["config"]["num-videos"] == 3 and m["config"]["hue-shift"] == "-30..30"
assert len(m["sources"]) == 3
for s in m["sources"]:
    for k in ("path", "trim_start", "duration", "resolution", "has_audio", "saturation", "hue_shift"):
        assert k in s, k
    assert s["path"].startswith("../lib/"), s["path"]          # named from the manifest's folder
    assert 0.8 <= s["saturation"] <= 1.3 and -30 <= s["hue_shift"] <= 30
    assert s["trim_start"] + 1.2 <= s["duration"] + 1e-9
    assert s["resolution"] == "320x240"
assert [c["layer"] for c in m["colorkeys"]] == [1, 2]
for c in m["colorkeys"]:
    assert c["mode"] == "kmeans" and len(c["colors"]) == 1 and c["colors"][0].startswith("0x")
    assert 0.2 <= c["similarity"] <= 0.4 and 0 <= c["blend"] <= 0.1
a = m["audio"]
withaudio = [i for i, s in enumerate(m["sources"]) if s["has_audio"]]
assert a["sources"] == withaudio and len(a["panning"]) == len(withaudio) and a["normalized"] is True
assert all(-1 <= p <= 1 for p in a["panning"])
assert [p.split()[0] for p in m["post"]] == ["analog", "colorgrade"] and all("--seed" in p for p in m["post"])
assert m["output"] == "s.mp4"
PY
check "the soundtrack is loud (normalised to -14 LUFS)" sh -c \
	'ffmpeg -v error -i out/s.mp4 -vn -f wav - | loudnorm --measure | jq -e ".integrated_lufs > -15 and .integrated_lufs < -13"'

# ---- replay: bit-exact, from another working directory
mkdir -p elsewhere/deeper
check "replay from another working directory" sh -c 'cd elsewhere/deeper && collide --from-manifest ../../out/manifest.json -o r.mp4'
same_file "the replay is bit-exact" out/s.mp4 elsewhere/deeper/r.mp4
check "sources named on the command line, all layered" sh -c \
	'collide --x264-preset ultrafast --seed 2 -d 0.6 -s 160x120 -m luminance -o cl/x.mp4 lib/a.mp4 lib/c.mp4 && jq -e "(.sources | length) == 2 and .audio.sources == [0]" cl/manifest.json'
check "a folder as the library, --with-audio keeps only soundtracks" sh -c \
	'collide --x264-preset ultrafast --seed 3 -n 2 -d 0.6 -s 160x120 --with-audio --library lib -o wa/x.mp4 && jq -e "[.sources[].has_audio] == [true, true]" wa/manifest.json'
check "no soundtrack at all: silence, not normalised" sh -c \
	'collide --x264-preset ultrafast --seed 3 -d 0.6 -s 160x120 -o na/x.mp4 lib/c.mp4 lib/d.mp4 && jq -e ".audio.normalized == false" na/manifest.json &&
	 [ "$(ffprobe -v error -show_entries stream=codec_type -of csv=p=0 na/x.mp4 | tr "\n" " ")" = "video audio " ]'

# ---- projects
mkdir -p pj && cd pj
check "a project run" collide --x264-preset ultrafast --project night --seed 7 -n 2 -d 0.6 -s 160x120 --library ../lib.jsonl
find projects | sort | sed 's/output_[0-9_]*\.mp4/output_TS.mp4/' >layout.txt
cat >want.txt <<'EOF'
projects
projects/night
projects/night/README.md
projects/night/config.json
projects/night/debug
projects/night/debug/keys.png
projects/night/input
projects/night/manifest.json
projects/night/output
projects/night/output/output_TS.mp4
EOF
same_file "the project's layout is the documented one" want.txt layout.txt
check "config.json is the run's settings" jq -e '.["num-videos"] == 2 and .library == "../lib.jsonl"' projects/night/config.json
check "the project's manifest names its output from the project" sh -c \
	'jq -r .output projects/night/manifest.json | grep -q "^output/output_[0-9_]*\.mp4$" && test -f "projects/night/$(jq -r .output projects/night/manifest.json)"'
check "debug/keys.png is a PNG" sh -c 'identify projects/night/debug/keys.png | grep -q " PNG "'
echo "we wanted rain on glass" >>projects/night/README.md
cp ../lib/a.mp4 ../lib/b.mp4 projects/night/input/
check "a second run takes the project's input/ as its library" collide --x264-preset ultrafast --project night --seed 8 -n 2 -d 0.6 -s 160x120
check "the edited README.md is kept" grep -q "rain on glass" projects/night/README.md
check "the second run's sources are the project's input" jq -e '[.sources[].path | startswith("input/")] | all' projects/night/manifest.json
# presets: the project's shadow the universal ones, for collide and for the programs it runs
mkdir -p presets/collide projects/night/presets/collide projects/night/presets/colorgrade
printf '{"mode": "luminance", "num-videos": 2}\n' >presets/collide/look.json
printf '{"mode": "motion"}\n' >projects/night/presets/collide/look.json
printf '{"saturation": 0}\n' >projects/night/presets/colorgrade/mono.json
check "collide: ./presets/ without a project" sh -c 'collide --preset look --print-config | jq -e ".mode == \"luminance\""'
check "collide: the project's preset shadows ./presets/" sh -c \
	'collide --project night --preset look --print-config | jq -e ".mode == \"motion\""'
check "a post step finds the project's preset" collide --x264-preset ultrafast --project night --seed 9 -n 2 -d 0.6 -s 160x120 -o gray.mp4 --post "colorgrade --preset mono"
check_fail "... which is not found outside the project" 1 "preset 'mono' not found" \
	collide --x264-preset ultrafast --seed 9 -n 2 -d 0.6 -s 160x120 --library ../lib.jsonl -o gray2.mp4 --post "colorgrade --preset mono"
check "colorgrade itself, given the project, finds it" sh -c \
	'SHARDS_PROJECT=$PWD/projects/night colorgrade --preset mono --print-config | jq -e ".saturation == 0"'
cd "$W"

# ---- batch: a broken source fails its sessions, the others are written
mkdir -p blib
cp lib/a.mp4 lib/b.mp4 lib/c.mp4 lib/d.mp4 blib/
vscan blib -o blib.jsonl 2>/dev/null
head -c 3000 lib/a.mp4 >blib/d.mp4 # broken since it was scanned
collide --x264-preset ultrafast --batch 3 --seed 1 -n 2 -d 0.6 -s 160x120 --library blib.jsonl -o batch/b.mp4 >batch.out 2>batch.err
check "a batch with a broken source exits 1" test $? -eq 1
written=$(sed -n 's/^collide: 3 sessions: \([0-9]*\) written, \([0-9]*\) failed$/\1/p' batch.err)
failed=$(sed -n 's/^collide: 3 sessions: \([0-9]*\) written, \([0-9]*\) failed$/\2/p' batch.err)
check "a summary line ends it, with sessions written and failed" test -n "$written" -a -n "$failed"
check "some failed, some were written" test "${written:-0}" -ge 1 -a "${failed:-0}" -ge 1
check "each written session has its output and its record" test "$(ls batch/*.mp4 | wc -l)" -eq "${written:-x}" -a \
	"$(ls batch/*.manifest.json | wc -l)" -eq "${written:-x}"
check "a failed session names its source" grep -q "session [0-9] (seed [0-9]*):.*d.mp4" batch.err
check "batch sessions are numbered and seeded apart" sh -c \
	'for f in batch/*.manifest.json; do jq .seed "$f"; done | sort -u | wc -l | grep -qx "${0}"' "${written:-x}"

# ---- save-preset: a manifest's settings as a preset collide accepts
check "save-preset takes a manifest" save-preset out/manifest.json mine
check "the preset is collide's" test -f presets/collide/mine.json
collide --preset mine --print-config | jq -S 'del(.seed)' >p1.json
jq -S '.config | del(.seed)' out/manifest.json >p2.json
same_file "the preset gives the session's settings (--print-config)" p2.json p1.json

# ---- bad input: one clear error
: >empty.jsonl
check_fail "an empty library" 1 "library empty.jsonl: no videos" collide --x264-preset ultrafast -o e.mp4 --library empty.jsonl
mkdir -p emptydir
check_fail "an empty folder" 1 "library emptydir: no videos" collide --x264-preset ultrafast -o e.mp4 --library emptydir
check_fail "more videos than the library has" 1 "9 videos asked for, but the library has only 4" \
	collide --x264-preset ultrafast -n 9 -o e.mp4 --library lib.jsonl
check_fail "--hd leaves nothing" 1 "no videos left after --hd" collide --x264-preset ultrafast --hd -o e.mp4 --library lib.jsonl
check_fail "an unknown post program" 2 "--post: 'blur' is not one of the suite's video filters" \
	collide --x264-preset ultrafast -o e.mp4 --library lib.jsonl --post "analog | blur -x 3"
check_fail "an unclosed quote in the post chain" 2 "a quote ' is not closed" \
	collide --x264-preset ultrafast -o e.mp4 --library lib.jsonl --post "analog --preset 'vintage"
check_fail "an output folder that is not there" 1 "nowhere: no such folder" \
	collide -o nowhere/e.mp4 --library lib.jsonl
check "... is not made" test ! -e nowhere
check_fail "no output, no project" 2 "give -o OUT.mp4 or --project" collide --x264-preset ultrafast --library lib.jsonl
check_fail "not a manifest" 1 "not a collide manifest" collide --from-manifest p1.json -o e.mp4
check_fail "a broken source named on the command line" 1 "d.mp4" collide --x264-preset ultrafast -o e.mp4 lib/a.mp4 blib/d.mp4
check "nothing half-written" test ! -e e.mp4
