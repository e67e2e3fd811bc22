# tests/bench/events.sh -- the event pipe against Python, the reference design's language.
#  1. a 1-hour offline patch (clock | euclid | arp | midiout) against the same patch
#     in Python with mido, and the longer patch with chord and groove on its own;
#  2. live send timing while the machine is busy: midiout's scheduler against a
#     plain asyncio sleep loop on the same schedule (median and 99th percentile).
set -u
T=${SHARDS_BENCH_TMP:-/tmp}/events
rm -rf "$T"; mkdir -p "$T"; cd "$T" || exit 1
PY=/usr/bin/python3; [ -x "$PY" ] || PY=python3
now() { date +%s.%N; }

# ---- 1. an hour of music, offline: both write a MIDI file into the same folder
. "${SHARDS_TOP:-$(cd "$(dirname "$0")/../.." && pwd)}/tests/bench/lib.sh"
cat >hour.py <<'PYEOF'
import random, mido
def bjorklund(n, k):
    a, b, ca, cb = [1], [0], k, n - k
    while True:
        m = min(ca, cb)
        t = a + b
        if ca > cb: b, cb = a, ca - m
        else: cb = cb - m
        a, ca = t, m
        if cb <= 1: break
    return a * ca + b * cb
pat = bjorklund(16, 5)
dorian = [0, 2, 3, 5, 7, 9, 10]
seq = sorted(60 + 12 * (o + d // 7) + dorian[d % 7] for o in range(2) for d in (0, 2, 4, 6))
seq = seq + seq[-2:0:-1]
rng = random.Random(1)
ppq, bpm = 480, 124
steps = int(60 * bpm * 4)
ev = []
i = 0
for n in range(steps):
    if pat[n % 16] and rng.random() < 0.95:
        t = n / 4
        p = seq[i % len(seq)]; i += 1
        ev.append((round(t * ppq), 1, p)); ev.append((round((t + 0.22) * ppq), 0, p))
ev.sort()
f = mido.MidiFile(ticks_per_beat=ppq); tr = mido.MidiTrack(); f.tracks.append(tr)
tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm)))
last = 0
for tick, on, p in ev:
    tr.append(mido.Message("note_on", note=p, velocity=108 if on else 0, time=tick - last)); last = tick
f.save("hour-py.mid")
PYEOF
patch="clock --bpm 124 --duration 60min -L 16 | euclid -k 5 -p 0.95 --seed 1 |
	arp -S dorian -D 0,2,4,6 -P updown -O 2 -g 0.22 -V 0.85 --seed 1 | midiout -o hour.mid"
row=$(bench_row "1-hour patch clock|euclid|arp|midiout" "$patch" python+mido "$PY hour.py")
notes=$($PY -c 'import mido; print(sum(1 for m in mido.MidiFile("hour.mid") if m.type == "note_on" and m.velocity))')
echo "$row" | sed "s/patch clock|euclid|arp|midiout/patch clock|euclid|arp|midiout ($notes notes)/"
shards=$(echo "$row" | sed -n 's/.*(wall): shards \([0-9.]*\)s.*/\1/p')
echo "bench: 1-hour patch: shards $(echo "scale=4; $shards / 60" | bc)s per minute of music (target: well under 1 s)"

# ---- 1b. the longer patch, with chords and a groove: an hour in under a second
t0=$(now)
clock --bpm 124 --duration 60min -L 16 | euclid -k 5 -p 0.95 --seed 1 | chord -P I,vi,IV,V -s 1/64 |
	groove -s 60 -t 5 -V 0.1 --seed 1 | arp -S dorian --seed 1 | midiout -o hour-chords.mid
t1=$(now)
printf 'bench: 1-hour patch clock|euclid|chord|groove|arp|midiout: %.2fs wall (target: under 1 s)\n' \
	"$(echo "$t1 - $t0" | bc)"

# ---- 2. live timing under load
busy() { sh -c 'while :; do :; done' & }
busy; b1=$!; busy; b2=$!; busy; b3=$!
clock --live --bpm 480 --beats 80 | euclid -l -k 16 -n 16 | arp -l -g 0.1 |
	midiout --dry-run-live --timing-log live.jsonl 2>live.err
cat >aio.py <<'PYEOF'
import asyncio, json, statistics, sys, time
sched = [json.loads(l)["intended"] for l in open(sys.argv[1])]
async def main():
    t0 = time.monotonic() + 0.01
    late = []
    for s in sched:
        d = t0 + s - time.monotonic()
        if d > 0:
            await asyncio.sleep(d)
        late.append((time.monotonic() - (t0 + s)) * 1000)
    late.sort()
    print("%.3f %.3f %.3f" % (statistics.median(late), late[int(0.99 * (len(late) - 1))], late[-1]))
asyncio.run(main())
PYEOF
aio=$($PY aio.py live.jsonl)
kill "$b1" "$b2" "$b3" 2>/dev/null; wait "$b1" "$b2" "$b3" 2>/dev/null
sh_stats=$(jq -s '[.[].late_ms] | sort | "\(.[length/2|floor]) \(.[((length-1)*0.99)|floor]) \(.[-1]) \(length)"' -r live.jsonl)
set -- $sh_stats
sm=$1 sp=$2 sx=$3 n=$4
set -- $aio
am=$1 ap=$2 ax=$3
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { if (b < 0.001) b = 0.001; printf "%.1f", a / b }'; } # 1 us resolution
printf 'bench: live send timing, %s messages, 3 busy loops on %s cores, median lateness: shards %.3fms, asyncio %.3fms, ratio %s\n' \
	"$n" "$(nproc)" "$sm" "$am" "$(ratio "$am" "$sm")"
printf 'bench: live send timing, p99 lateness: shards %.3fms, asyncio %.3fms, ratio %s (max: shards %.3fms, asyncio %.3fms)\n' \
	"$sp" "$ap" "$(ratio "$ap" "$sp")" "$sx" "$ax"
