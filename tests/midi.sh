# tests/midi.sh -- midiout: the MIDI file read back by an independent parser
# (python3-mido), tempo map, running status, end of track, live scheduling, bad input.
. "$SHARDS_TOP/tests/lib.sh"
cd "$W"
PY=/usr/bin/python3
[ -x "$PY" ] || PY=python3
export PY

# Expected notes straight from the events, ticks = round(beats * ppq).
cat >expect.py <<'PYEOF'
import json, sys
ppq = int(sys.argv[2])
out = []
tempos = []
for line in open(sys.argv[1]):
    e = json.loads(line)
    if e["type"] == "note" and e.get("velocity", 0.8) > 0:
        on = round(e["t"] * ppq)
        off = max(round((e["t"] + e.get("gate", 0.25)) * ppq), on + 1)
        out.append((on, e.get("channel", 0), e["pitch"], off - on, max(1, round(e.get("velocity", 0.8) * 127))))
    if e["type"] == "tempo":
        tempos.append((round(e["t"] * ppq), round(60e6 / e["bpm"])))
for n in sorted(out):
    print("note", *n)
for t in tempos:
    print("tempo", *t)
PYEOF
cat >readmid.py <<'PYEOF'
import sys, mido
f = mido.MidiFile(sys.argv[1])
assert f.type == 0 and len(f.tracks) == 1, "one track, format 0"
now, on, notes, tempos, end = 0, {}, [], [], None
for m in f.tracks[0]:
    now += m.time
    if m.type == "note_on" and m.velocity > 0:
        assert (m.channel, m.note) not in on, "overlapping note"
        on[(m.channel, m.note)] = (now, m.velocity)
    elif m.type == "note_off" or (m.type == "note_on" and m.velocity == 0):
        start, vel = on.pop((m.channel, m.note))
        notes.append((start, m.channel, m.note, now - start, vel))
    elif m.type == "set_tempo":
        tempos.append((now, m.tempo))
    elif m.type == "end_of_track":
        end = now
assert not on, "notes left sounding"
assert end is not None and m.type == "end_of_track", "end of track is the last event"
for n in sorted(notes):
    print("note", *n)
for t in tempos:
    print("tempo", *t)
print("end", end, file=sys.stderr)
PYEOF

# a hand-made score: channels, velocities, gates, odd times, tempo changes
cat >score.ev <<'EOF2'
{"t":0,"type":"tempo","bpm":100}
{"t":0,"type":"note","pitch":60,"velocity":1,"gate":1,"channel":0}
{"t":0,"type":"note","pitch":64,"velocity":0.5,"gate":0.5,"channel":9}
{"t":0.333,"type":"note","pitch":67,"velocity":0.01,"gate":0.1,"channel":15}
{"t":1,"type":"tick","step":4}
{"t":1.5,"type":"note","pitch":0,"velocity":0.33,"gate":3.7}
{"t":2,"type":"note","pitch":127,"velocity":0.999,"gate":0.0001,"channel":3}
{"t":4,"type":"tempo","bpm":150.5}
{"t":4,"type":"note","pitch":72,"velocity":0.7,"gate":2.25,"channel":1}
{"t":6.5,"type":"tempo","bpm":90}
{"t":7.123456,"type":"note","pitch":48,"velocity":0.8,"gate":0.87654,"channel":2}
{"t":9,"type":"value","name":"x","value":0.5}
EOF2
for ppq in 480 96; do
	midiout --ppq $ppq -o score$ppq.mid <score.ev
	$PY expect.py score.ev $ppq >want$ppq.txt
	$PY readmid.py score$ppq.mid >got$ppq.txt 2>end$ppq.txt
	same_file "mido reads every note (start, channel, pitch, length, velocity) and tempo exactly, ppq $ppq" want$ppq.txt got$ppq.txt
done
check "end of track at the last event (beat 9 = tick 4320)" grep -qx 'end 4320' end480.txt

# running status: consecutive note messages of one status share it; count raw status bytes
cat >rs.py <<'PYEOF'
import sys
d = open(sys.argv[1], "rb").read()
assert d[:4] == b"MThd" and d[14:18] == b"MTrk"
n = int.from_bytes(d[18:22], "big")
assert len(d) == 22 + n, "track length matches the file"
i, statuses, running = 22, 0, None
def vlq(i):
    v = 0
    while True:
        b = d[i]; i += 1; v = (v << 7) | (b & 0x7f)
        if b < 0x80: return v, i
while i < len(d):
    _, i = vlq(i)
    b = d[i]
    if b == 0xff:
        ln, j = vlq(i + 2); i = j + ln; running = None; continue
    if b & 0x80:
        statuses += 1; running = b; i += 1
    else:
        assert running is not None, "data byte without running status"
    i += 2 if (running & 0xf0) not in (0xc0, 0xd0) else 1
print(statuses)
PYEOF
euclid --beats 8 -k 16 -n 16 | arp -g 0.25 | midiout -o rs.mid
check "running status: 32 notes (note-off as note-on velocity 0) need one status byte" test "$($PY rs.py rs.mid)" = 1
check "running status: the file parses byte by byte" $PY rs.py score480.mid

# the whole patch: the notes in the file are the notes on the pipe
clock --bpm 124 --bars 8 -L 16 | euclid -k 5 -p 0.9 --seed 11 | arp -S dorian -P updown -O 2 -g 0.22 -V 0.85 --seed 11 >patch.ev
midiout -o patch.mid <patch.ev
$PY expect.py patch.ev 480 >want.txt
$PY readmid.py patch.mid >got.txt 2>/dev/null
same_file "clock | euclid | arp | midiout: every note lands where the events said" want.txt got.txt
check "the tempo of the clock is in the file" grep -qx 'tempo 0 483871' got.txt

# overlapping notes of one pitch: the earlier one is cut where the later starts
printf '%s\n' '{"t":0,"type":"note","pitch":60,"gate":2}' '{"t":1,"type":"note","pitch":60,"gate":0.5}' | midiout -o ov.mid
check "a retriggered pitch: note-off, then the new note" test "$($PY readmid.py ov.mid 2>/dev/null | grep note | tr '\n' ' ')" = "note 0 0 60 480 102 note 480 0 60 240 102 "

# value events to controllers, param events to midiout
printf '%s\n' '{"t":0,"type":"value","name":"mod","value":0.5}' '{"t":1,"type":"param","target":"midi","param":"cc74","value":1}' \
	'{"t":1,"type":"param","target":"midi","param":"program","value":12}' | midiout --cc mod:1 -c 2 -o cc.mid
check "value events become controllers, params become cc and program change" \
	test "$($PY -c 'import mido,sys; print(" ".join(str(m) for m in mido.MidiFile(sys.argv[1]).tracks[0] if m.type in ("control_change","program_change")))' cc.mid)" \
	= "control_change channel=2 control=1 value=64 time=0 control_change channel=2 control=74 value=127 time=480 program_change channel=2 program=12 time=0"

# bad input: clear errors, no file left behind
printf '%s\n' '{"t":0,"type":"note","pitch":60}' '{"t":1,"type":"note","pitch":128}' >hi.ev
check_fail "pitch 128: error with its line" 1 'stdin: line 2: note needs a whole "pitch" within 0..127' sh -c 'midiout -o bad.mid <hi.ev'
check "no partial MIDI file after an error" sh -c '! ls -a | grep -q "bad.mid"'
check_fail "velocity outside 0..1" 1 'line 1: note "velocity" must be within 0..1' sh -c 'echo "{\"t\":0,\"type\":\"note\",\"pitch\":60,\"velocity\":100}" | midiout -o v.mid'
check_fail "malformed JSON" 1 'line 1: malformed JSON' sh -c 'echo "{\"t\":0,\"type\":" | midiout -o v.mid'
check_fail "a gate of 1e18 beats: refused with its line, not a one-tick note" 1 'stdin: line 1: note "gate" must be a positive number of beats, at most 1e9' \
	sh -c 'echo "{\"t\":0,\"type\":\"note\",\"pitch\":60,\"gate\":1e18}" | midiout -o v.mid'
check_fail "t=1e308: refused with its line, not a tick overflow" 1 'stdin: line 1: time 1e\+308 is past the longest stream \(1e9 beats\)' \
	sh -c 'echo "{\"t\":1e308,\"type\":\"note\",\"pitch\":60}" | midiout -o v.mid'
check "nothing left behind by the refusals" test ! -e v.mid
check "--skip-bad writes the good notes" sh -c 'midiout --skip-bad -o skip.mid <hi.ev 2>/dev/null && test "$($PY readmid.py skip.mid 2>/dev/null | grep -c note)" = 1'
check_fail "no port: one clear line, no ALSA noise" 0 "no MIDI output port 'nosuchsynth' \(output ports: none\): writing port.mid only" \
	sh -c 'midiout -P nosuchsynth -o port.mid <score.ev'
check "no port: the file is still written" $PY readmid.py port.mid
check_fail "--list without devices: one clear line" 0 'no MIDI output ports' midiout --list
check_fail "no port and no file: an error" 1 "no MIDI output port" sh -c 'midiout -P 3 <score.ev'

# live: intended versus actual send times
clock --live --bpm 480 --beats 4 | euclid -k 16 -n 16 | arp | midiout --dry-run-live --timing-log tl.jsonl -o live.mid 2>live.err
check "live: every note-on and note-off was scheduled (32 messages)" test "$(wc -l <tl.jsonl)" = 32
check "live: the summary reports median and p99" grep -qE 'timing: 32 messages, late by median [0-9.]+ ms, p99 [0-9.]+ ms' live.err
check "live: intended times follow the beats (second note at one step, 0.03125 s)" test "$(jq -s '.[2].intended' tl.jsonl)" = 0.03125
# how late, on a busy machine, is make bench's to measure; here: never early
check "live: no message is sent before its time" \
	test "$(jq -s 'all(.[]; .actual >= .intended - 0.0005)' tl.jsonl)" = true
check "live: the MIDI file is written too" $PY readmid.py live.mid

# a live take ended with a signal (kill, Ctrl-C, a closed terminal) keeps its
# file, notes complete
for sig in TERM INT HUP; do
	rm -f take.tl take.mid
	clock --live --bpm 480 | euclid -l -k 16 -n 16 | arp -l | midiout --dry-run-live --timing-log take.tl -o take.mid 2>take.err &
	take=$!
	# wait until midiout has played a while (its timing log has reached the disk: at
	# least 40 messages), however slow the machine
	played() { [ "$(wc -l <take.tl)" -ge 40 ]; }
	wait_for "$take" played
	kill -"$sig" "$take"
	wait "$take"
	check "live: a take stopped by SIG$sig is still written, every note closed" $PY readmid.py take.mid
	check "live: SIG$sig: and it holds the notes played so far" test "$($PY readmid.py take.mid 2>/dev/null | grep -c note)" -ge 10
done

# the same file whatever size of pieces the events arrive in
trickle 29 4 <patch.ev | midiout -o trickled.mid
same_file "midiout: the file does not depend on how the pipe delivers the events" patch.mid trickled.mid
check "midiout: same events, same bytes" sh -c 'midiout -o again.mid <patch.ev && cmp -s again.mid patch.mid'
