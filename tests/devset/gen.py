#!/usr/bin/python3
"""Development-set generators for the analysis programs (Python 3 standard
library and python3-mido, both Debian packages).

  gen.py drums KITDIR OUT.wav BPM STYLE SEED SECONDS
      Arrange a Hydrogen drum kit's own samples (converted to WAV by sox
      beforehand into KITDIR/.wav/) into a groove at BPM.
  gen.py groove OUT.mid BPM STYLE KEY SEED SECONDS
      A General MIDI song sketch (drums, bass, chords, melody) at BPM in KEY.
  gen.py chords OUT.mid KEY SEED SECONDS
      Chord progression and scale runs in KEY, no drums, free tempo.
  gen.py truth FILE.mid
      Print "BPM<TAB>KEY" from the file's first set_tempo and key_signature
      meta events ("-" when absent).

STYLE is one of rock, four, break, swing, weak, shuffle, halfbar (drums), or
rag, waltz, march, ballad (no drums: the pulse is in the accompaniment), or one
of the harder grooves for the "hard" set: jazzwaltz (swung 3/4 with ride),
sixeight (6/8, the beat a dotted quarter), dnb (fast breakbeat, snare on 2 and
4), halftime (snare on 3 only, eighth hats), fastswing (ride and walking bass),
dotted (dotted-eighth and sixteenth figures), punk (fast eighth-note drive),
slowthree (a slow 3/4 with brushes); KEY is like
"A minor" or "Eb major". Every random choice comes from SEED.
"""
import math, os, random, re, struct, subprocess, sys, wave
import xml.etree.ElementTree as ET

STEPS = 16
PC = {"C": 0, "C#": 1, "Db": 1, "D": 2, "D#": 3, "Eb": 3, "E": 4, "F": 5, "F#": 6,
      "Gb": 6, "G": 7, "G#": 8, "Ab": 8, "A": 9, "A#": 10, "Bb": 10, "B": 11}

# (instrument, step, velocity) per 16-step bar; ghost notes have low velocity.
PATTERNS = {
    "rock":   [("k", 0, 1), ("k", 8, 1), ("k", 10, .7), ("s", 4, 1), ("s", 12, 1)] +
              [("h", i, .8 if i % 4 == 0 else .55) for i in range(0, 16, 2)],
    "four":   [("k", i, 1) for i in (0, 4, 8, 12)] + [("c", 4, .9), ("c", 12, .9)] +
              [("o", i, .7) for i in (2, 6, 10, 14)] + [("h", i, .35) for i in range(1, 16, 2)],
    "break":  [("k", 0, 1), ("k", 2, .8), ("k", 10, .9), ("k", 11, .7), ("s", 4, 1), ("s", 7, .35),
               ("s", 9, .35), ("s", 12, 1), ("s", 15, .4)] + [("h", i, .6) for i in range(0, 16, 2)],
    "swing":  [("k", 0, .8), ("k", 8, .7), ("s", 4, .8), ("s", 12, .8)] +
              [("r", i, .7) for i in (0, 4, 6, 8, 12, 14)],
    "weak":   [("k", 6, .9), ("k", 14, .8), ("k", 11, .6), ("s", 4, .6), ("s", 12, .6)] +
              [("h", i, .8 if i % 4 == 2 else .3) for i in range(0, 16, 2)],
    "shuffle": [("k", 0, 1), ("k", 10, .8), ("s", 4, 1), ("s", 12, 1)] +
              [("h", i, .7) for i in range(0, 16, 2)],
    "halfbar": [("k", 0, 1), ("k", 3, .7), ("k", 6, .8), ("s", 4, .9), ("s", 12, .9), ("s", 14, .3)] +
              [("h", i, .5 + .3 * (i % 4 == 0)) for i in range(16)],
}
SWING = {"swing": 0.64, "shuffle": 0.66}

def step_time(step, bpm, style, bar):
    beat = 60.0 / bpm
    pos = step / 4.0
    if style in SWING and step % 2 == 1:
        pass
    if style in SWING and step % 4 == 2:  # the off-beat eighth is delayed
        pos = step // 4 + SWING[style]
    return (bar * 4 + pos) * beat

def kit_samples(kitdir):
    root = ET.parse(os.path.join(kitdir, "drumkit.xml")).getroot()
    found = {}
    rules = [("k", r"kick|bass ?drum|^bd"), ("s", r"snare|^sd"), ("c", r"clap|snare"),
             ("h", r"closed|hh|hi.?hat|hat"), ("o", r"open"), ("r", r"ride|closed|hh|hat")]
    insts = []
    for inst in root.iter():
        if not inst.tag.endswith("instrument"):
            continue
        name = ""
        fn = None
        for ch in inst.iter():
            if ch.tag.endswith("name") and not name and ch.text:
                name = ch.text.strip()
            if ch.tag.endswith("filename") and ch.text and fn is None:
                fn = ch.text.strip()
        if fn:
            insts.append((name.lower(), fn))
    for key, rx in rules:
        for name, fn in insts:
            if re.search(rx, name) or re.search(rx, fn.lower()):
                found[key] = fn
                break
    return found

def read_wav(path):
    with wave.open(path) as w:
        n = w.getnframes()
        data = w.readframes(n)
    a = struct.unpack("<%dh" % (len(data) // 2), data)
    return [x / 32768.0 for x in a]

def write_wav(path, x, rate):
    peak = max(1e-9, max(abs(v) for v in x))
    g = 0.7 / peak
    with wave.open(path, "wb") as w:
        w.setnchannels(1); w.setsampwidth(2); w.setframerate(rate)
        w.writeframes(struct.pack("<%dh" % len(x), *[int(max(-32767, min(32767, v * g * 32767))) for v in x]))

def drums(kitdir, out, bpm, style, seed, seconds):
    rng = random.Random(seed)
    rate = 22050
    samples = kit_samples(kitdir)
    if "k" not in samples or "s" not in samples:
        sys.exit("gen.py: %s: no kick or snare found" % kitdir)
    cache = {}
    def get(key):
        fn = samples.get(key) or samples.get({"c": "s", "o": "h", "r": "h"}.get(key, "h")) or samples["s"]
        if fn not in cache:
            tmp = os.path.join(kitdir if os.access(kitdir, os.W_OK) else os.environ.get("TMPDIR", "/tmp"),
                               ".s%d.wav" % os.getpid())
            subprocess.run(["sox", os.path.join(kitdir, fn), "-r", str(rate), "-c", "1", "-b", "16", tmp,
                            "trim", "0", "1.5"], check=True)
            cache[fn] = read_wav(tmp)
            os.unlink(tmp)
        return cache[fn]
    n = int(seconds * rate)
    x = [0.0] * n
    bars = int(seconds * bpm / 240.0) + 1
    pat = PATTERNS[style]
    for bar in range(bars):
        fill = rng.random() < 0.15
        for inst, step, vel in pat:
            if rng.random() < 0.06:
                continue  # a dropped note now and then
            t = step_time(step, bpm, style, bar) + rng.gauss(0, 0.006)
            v = vel * rng.uniform(0.8, 1.0)
            i0 = int(max(0, t) * rate)
            s = get(inst)
            for j in range(min(len(s), n - i0)):
                x[i0 + j] += v * s[j]
        if fill:
            for step in (13, 14, 15):
                t = step_time(step, bpm, style, bar)
                i0 = int(t * rate)
                s = get("s")
                for j in range(min(len(s), n - i0)):
                    x[i0 + j] += 0.5 * s[j]
    write_wav(out, x, rate)

def parse_key(text):
    m = re.match(r"([A-G][#b]?) (major|minor)$", text)
    if not m:
        sys.exit("gen.py: bad key %r" % text)
    return PC[m.group(1)], m.group(2) == "minor"

def scale(tonic, minor):
    steps = [0, 2, 3, 5, 7, 8, 10] if minor else [0, 2, 4, 5, 7, 9, 11]
    return [(tonic + s) % 12 for s in steps]

def triad(tonic, minor, degree):
    sc = scale(tonic, minor)
    notes = [sc[degree % 7], sc[(degree + 2) % 7], sc[(degree + 4) % 7]]
    if minor and degree == 4:  # harmonic minor: major dominant
        notes[1] = (notes[1] + 1) % 12
    return notes

def progression(minor, rng):
    if minor:
        return rng.choice([[0, 5, 3, 4], [0, 3, 4, 0], [0, 6, 5, 4], [0, 3, 0, 4]])
    return rng.choice([[0, 5, 3, 4], [0, 3, 4, 0], [0, 4, 5, 3], [0, 1, 4, 0]])

def new_midi(bpm):
    import mido
    mid = mido.MidiFile(ticks_per_beat=480)
    tr = mido.MidiTrack()
    mid.tracks.append(tr)
    tr.append(mido.MetaMessage("set_tempo", tempo=mido.bpm2tempo(bpm), time=0))
    return mid, tr

def finish(mid, tr, events, path):
    import mido
    events.sort(key=lambda e: (e[0], e[1] == "on"))
    now = 0
    for tick, kind, ch, note, vel in events:
        tick = int(round(tick))
        d = max(0, tick - now)
        if kind == "on":
            tr.append(mido.Message("note_on", channel=ch, note=note, velocity=vel, time=d))
        elif kind == "off":
            tr.append(mido.Message("note_off", channel=ch, note=note, velocity=0, time=d))
        else:
            tr.append(mido.Message("program_change", channel=ch, program=note, time=d))
        now += d
    mid.save(path)

def note(events, t0, dur, ch, n, vel):
    events.append((t0, "on", ch, n, max(1, min(127, int(vel)))))
    events.append((t0 + dur, "off", ch, n, 0))

GM_DRUM = {"k": 36, "s": 38, "c": 39, "h": 42, "o": 46, "r": 51}

def groove(out, bpm, style, key, seed, seconds):
    if style in HARD:
        return hard(out, bpm, style, key, seed, seconds)
    if style in TUNE_STYLES:
        return tune(out, bpm, style, key, seed, seconds)
    rng = random.Random(seed)
    tonic, minor = parse_key(key)
    mid, tr = new_midi(bpm)
    tr.append(__import__("mido").MetaMessage("key_signature", key=key_sig_name(tonic, minor), time=0))
    ev = []
    ppq = 480
    bass_prog = rng.choice([33, 34, 38, 32])
    pad_prog = rng.choice([0, 4, 48, 88, 16, 24])
    lead_prog = rng.choice([80, 73, 11, 56, 0])
    ev += [(0, "prog", 1, bass_prog, 0), (0, "prog", 2, pad_prog, 0), (0, "prog", 3, lead_prog, 0)]
    bars = int(seconds * bpm / 240.0) + 1
    prog = progression(minor, rng)
    sc = scale(tonic, minor)
    for bar in range(bars):
        b0 = bar * 4 * ppq
        for inst, step, vel in PATTERNS[style]:
            if rng.random() < 0.05:
                continue
            t = step_time(step, bpm, style, 0) * bpm / 60.0 * ppq + b0 + rng.gauss(0, 10)
            note(ev, max(0, t), 60, 9, GM_DRUM[inst], 110 * vel * rng.uniform(.8, 1))
        deg = prog[bar % 4]
        ch = triad(tonic, minor, deg)
        root = 36 + ch[0]
        for beat in range(4):
            if rng.random() < 0.8:
                note(ev, b0 + beat * ppq + (ppq // 2 if rng.random() < .3 else 0), ppq // 2, 1,
                     root + (12 if rng.random() < .2 else 0), 90)
        for pc in ch:
            note(ev, b0, 4 * ppq - 20, 2, 60 + (pc - tonic) % 12 + tonic % 12 - (12 if pc < tonic else 0) + 0, 60)
        for k in range(rng.choice([2, 4, 8])):
            step = 4 * ppq // max(1, k + 1)
            pcn = rng.choice(ch + [rng.choice(sc)])
            note(ev, b0 + k * (4 * ppq // 8) * 1, 4 * ppq // 8, 3, 72 + pcn, 75)
    finish(mid, tr, ev, out)

TUNE_STYLES = ("rag", "waltz", "march", "ballad")

# The harder grooves: beats per bar, and per bar a list of (drum, beat position,
# velocity); positions are in beats (1/3 and 2/3 are triplet eighths).
T1, T2 = 2.0 / 3, 1.0 / 3
HARD = {
    "jazzwaltz": (3, [("r", 0, .8), ("r", 1, .7), ("r", 1 + T1, .5), ("r", 2, .7), ("k", 0, .5),
                      ("f", 1, .5), ("f", 2, .5)]),
    "sixeight": (2, [("h", i * T2, .7 if i % 3 == 0 else .45) for i in range(6)] +
                    [("k", 0, 1), ("s", 1, .9), ("k", 1 + T1, .5)]),
    "dnb": (4, [("k", 0, 1), ("k", 2.5, .9), ("s", 1, 1), ("s", 3, 1), ("s", 1.75, .35), ("s", 3.25, .3)] +
               [("h", i * .5, .6 if i % 2 == 0 else .4) for i in range(8)]),
    "halftime": (4, [("k", 0, 1), ("k", 1.5, .6), ("s", 2, 1)] +
                    [("h", i * .5, .7 if i % 2 == 0 else .45) for i in range(8)]),
    "fastswing": (4, [("r", 0, .8), ("r", 1, .8), ("r", 1 + T1, .55), ("r", 2, .8), ("r", 3, .8),
                      ("r", 3 + T1, .55), ("f", 1, .6), ("f", 3, .6)]),
    "dotted": (4, [("k", 0, 1), ("k", .75, .7), ("s", 1, 1), ("k", 2, 1), ("k", 2.75, .7), ("s", 3, 1)] +
                  [("h", i + d, .6 if d == 0 else .45) for i in range(4) for d in (0, .75)]),
    "punk": (4, [("k", 0, 1), ("k", 1.5, .8), ("k", 2, 1), ("s", 1, 1), ("s", 3, 1)] +
                [("c", i * .5, .6) for i in range(8)]),
    "slowthree": (3, [("k", 0, .9), ("s", 1, .5), ("s", 2, .5), ("h", 0, .4), ("h", 1, .4), ("h", 2, .4)]),
}
GM_HARD = {"k": 36, "s": 38, "h": 42, "r": 51, "f": 44, "c": 49}

def hard(out, bpm, style, key, seed, seconds):
    """Fast, triple, compound, half-time and swung grooves with bass and chords."""
    rng = random.Random(seed)
    tonic, minor = parse_key(key)
    beats, pat = HARD[style]
    mid, tr = new_midi(bpm)
    tr.append(__import__("mido").MetaMessage("key_signature", key=key_sig_name(tonic, minor), time=0))
    ppq = 480
    ev = [(0, "prog", 1, rng.choice([32, 33, 34]), 0), (0, "prog", 2, rng.choice([0, 4, 16, 48]), 0)]
    bars = int(seconds * bpm / (60.0 * beats)) + 1
    prog = progression(minor, rng)
    sc = scale(tonic, minor)
    for bar in range(bars):
        b0 = bar * beats * ppq
        for inst, pos, vel in pat:
            if rng.random() < 0.04:
                continue
            v = vel * rng.uniform(.85, 1)
            if inst == "c" and pos == 0:
                v = 1.0
            note(ev, max(0, b0 + pos * ppq + rng.gauss(0, 6)), 60, 9, GM_HARD[inst], 115 * v)
        ch = triad(tonic, minor, prog[bar % 4])
        root = 36 + ch[0]
        if style in ("fastswing", "jazzwaltz"):  # walking bass on every beat
            for b in range(beats):
                n = root + (0 if b == 0 else rng.choice([sc[(b * 2) % 7] - ch[0], 7, 4 if not minor else 3, 12]) % 12)
                note(ev, b0 + b * ppq, ppq - 30, 1, n, 95 if b == 0 else 80)
        elif style == "sixeight":
            note(ev, b0, ppq - 30, 1, root, 95)
            note(ev, b0 + ppq, ppq // 2, 1, root + 7, 80)
        else:  # bass on the downbeat and a syncopated push
            note(ev, b0, ppq, 1, root, 95)
            note(ev, b0 + (beats - 1.5) * ppq, ppq // 2, 1, root + 12, 75)
        for pc in ch:
            note(ev, b0, beats * ppq - 20, 2, 60 + (pc - tonic) % 12 + tonic % 12 - (12 if pc < tonic else 0), 55)
    finish(mid, tr, ev, out)

def tune(out, bpm, style, key, seed, seconds):
    """Drumless tunes: the pulse only in the accompaniment and the melody."""
    rng = random.Random(seed)
    tonic, minor = parse_key(key)
    mid, tr = new_midi(bpm)
    tr.append(__import__("mido").MetaMessage("key_signature", key=key_sig_name(tonic, minor), time=0))
    ppq = 480
    beats = 3 if style == "waltz" else 4
    acc = rng.choice([0, 1, 2, 4, 6, 21, 19])
    lead = rng.choice([0, 40, 56, 60, 68, 71, 73, 22, 11])
    ev = [(0, "prog", 0, acc, 0), (0, "prog", 1, lead, 0), (0, "prog", 2, rng.choice([32, 33, 42, 58]), 0)]
    bars = int(seconds * bpm / (60.0 * beats)) + 1
    prog = progression(minor, rng)
    sc = scale(tonic, minor)
    for bar in range(bars):
        b0 = bar * beats * ppq
        ch = triad(tonic, minor, prog[bar % 4])
        root = 36 + ch[0]
        chord = [48 + (pc - 48) % 12 + 12 for pc in ch]
        def hum():
            return rng.gauss(0, 8)
        if style == "rag" or style == "march":
            for b in range(beats):
                if b % 2 == 0:
                    note(ev, b0 + b * ppq + hum(), ppq // 2, 2, root + (7 if b == 2 else 0), 95)
                else:
                    for n in chord:
                        note(ev, b0 + b * ppq + hum(), ppq // 3, 0, n, 70)
                if style == "march":  # after-beat chords on the eighths
                    for n in chord:
                        note(ev, b0 + b * ppq + ppq // 2 + hum(), ppq // 4, 0, n, 50)
        elif style == "waltz":
            note(ev, b0 + hum(), ppq, 2, root, 95)
            for b in (1, 2):
                for n in chord:
                    note(ev, b0 + b * ppq + hum(), ppq // 2, 0, n, 60)
        else:  # ballad: arpeggiated eighths
            arp = [root + 12, chord[0], chord[1], chord[2], chord[1] + 12, chord[2], chord[1], chord[0]]
            for i in range(2 * beats):
                note(ev, b0 + i * ppq // 2 + hum(), ppq // 2, 0, arp[i % 8], 60 + (15 if i % 2 == 0 else 0))
        # melody: a mix of quarters, eighths and syncopations on scale and chord tones
        t = 0
        while t < beats * ppq:
            d = rng.choice([ppq, ppq // 2, ppq // 2, ppq // 4 if style == "rag" else ppq // 2, 2 * ppq])
            if t + d > beats * ppq:
                d = beats * ppq - t
            if rng.random() < 0.85:
                pcn = rng.choice(ch) if t % ppq == 0 else rng.choice(sc)
                note(ev, b0 + t + hum(), d - 10, 1, 72 + (pcn - tonic) % 12 + tonic - (12 if tonic > 5 else 0),
                     85 if t % ppq == 0 else 70)
            t += d
    finish(mid, tr, ev, out)

def key_sig_name(tonic, minor):
    names = ["C", "Db", "D", "Eb", "E", "F", "F#", "G", "Ab", "A", "Bb", "B"]
    if minor:
        names = ["C", "C#", "D", "Eb", "E", "F", "F#", "G", "G#", "A", "Bb", "B"]
    return names[tonic] + ("m" if minor else "")

def chords(out, key, seed, seconds):
    rng = random.Random(seed)
    tonic, minor = parse_key(key)
    bpm = rng.uniform(70, 130)
    mid, tr = new_midi(bpm)
    tr.append(__import__("mido").MetaMessage("key_signature", key=key_sig_name(tonic, minor), time=0))
    ev = [(0, "prog", 0, rng.choice([0, 1, 4, 19, 24, 48, 52, 46]), 0)]
    ppq = 480
    sc = scale(tonic, minor)
    bars = int(seconds * bpm / 240.0) + 1
    prog = progression(minor, rng)
    base = 48 + rng.randint(0, 7)
    for bar in range(bars):
        b0 = bar * 4 * ppq
        if bar % 4 == 3 and rng.random() < 0.5:  # a scale run
            for i in range(8):
                n = sc[i % 7] + 60 + (12 if i == 7 else 0)
                note(ev, b0 + i * ppq // 2, ppq // 2, 0, n, 80)
            continue
        ch = triad(tonic, minor, prog[bar % 4])
        for pc in ch:
            n = base + (pc - base) % 12
            note(ev, b0, 4 * ppq - 30, 0, n, 70)
        note(ev, b0, 4 * ppq - 30, 0, 36 + ch[0], 80)
        if rng.random() < 0.7:  # arpeggio on top
            for i in range(4):
                note(ev, b0 + i * ppq, ppq, 0, 72 + ch[i % 3], 60)
    finish(mid, tr, ev, out)

def truth(path):
    import mido
    m = mido.MidiFile(path)
    bpm, key = "-", "-"
    for t in m.tracks:
        for msg in t:
            if msg.is_meta and msg.type == "set_tempo" and bpm == "-":
                bpm = "%.3f" % mido.tempo2bpm(msg.tempo)
            if msg.is_meta and msg.type == "key_signature" and key == "-":
                k = msg.key
                minor = k.endswith("m")
                k = k[:-1] if minor else k
                key = "%s %s" % (k, "minor" if minor else "major")
    print("%s\t%s" % (bpm, key))

if __name__ == "__main__":
    a = sys.argv[1:]
    if not a:
        sys.exit(__doc__)
    if a[0] == "drums":
        drums(a[1], a[2], float(a[3]), a[4], int(a[5]), float(a[6]))
    elif a[0] == "groove":
        groove(a[1], float(a[2]), a[3], a[4], int(a[5]), float(a[6]))
    elif a[0] == "chords":
        chords(a[1], a[2], int(a[3]), float(a[4]))
    elif a[0] == "truth":
        truth(a[1])
    else:
        sys.exit(__doc__)
