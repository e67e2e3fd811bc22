/* midiout -- the patch's sink: note events to a Standard MIDI File and, live,
 * to a MIDI port through PortMidi, scheduled by timestamp with a fixed latency. */
#define _GNU_SOURCE
#include "cli.h"
#include "evfilter.h"
#include "midi.h"

#include <errno.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* ---- a small binary heap, ordered by (key, seq) ---- */
typedef struct {
	double key;       /* beat (note-offs) or wall time (live queue) */
	double queued;    /* live: wall time the event was read */
	uint64_t seq;     /* insertion order breaks ties: stable */
	int64_t tick;
	uint32_t gen;
	uint8_t msg[3], len;
	bool is_off;
} item;

typedef struct {
	item *v;
	size_t n, cap;
	uint64_t seq;
} heap;

static bool before(const item *a, const item *b) { return a->key < b->key || (a->key == b->key && a->seq < b->seq); }

static void heap_push(heap *h, item it)
{
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 256;
		h->v = sh_realloc(h->v, h->cap, sizeof *h->v);
	}
	it.seq = h->seq++;
	size_t i = h->n++;
	while (i > 0 && before(&it, &h->v[(i - 1) / 2])) {
		h->v[i] = h->v[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h->v[i] = it;
}

static item heap_pop(heap *h)
{
	item top = h->v[0], last = h->v[--h->n];
	size_t i = 0;
	for (;;) {
		size_t c = 2 * i + 1;
		if (c >= h->n)
			break;
		if (c + 1 < h->n && before(&h->v[c + 1], &h->v[c]))
			c++;
		if (!before(&h->v[c], &last))
			break;
		h->v[i] = h->v[c];
		i = c;
	}
	if (h->n)
		h->v[i] = last;
	return top;
}

/* ---- the command line: every fact, filled by parse_command_line ---- */
typedef struct {
	int cc;
	char name[120];
} ccmap;

typedef struct {
	const char *input;        /* NULL: stdin */
	const char *output;       /* the .mid file, "-" stdout, NULL none */
	int64_t ppq;
	double bpm;
	int64_t channel;
	const char *name;
	const char *port;
	sh_duration latency;
	bool list, dry, skip_bad;
	const char *timing_log;
	ccmap maps[32];           /* --cc */
	int nmaps;
} cmdline;

/* ---- state ---- */
typedef struct {
	const cmdline *cl;
	sh_smf *smf;
	int ppq;
	heap offs;                 /* pending note-offs, by beat */
	uint32_t gen[16][128];     /* bumped when a note is retriggered before its note-off */
	bool sounding[16][128];
	int64_t end_tick;
	/* live */
	bool live, dry;
	sh_midi_port *port;
	heap queue;                /* messages by wall time */
	uint32_t live_gen[16][128];
	double epoch;              /* wall time of beat 0, latency included */
	bool started;
	double latency;
	sh_tempomap tempo;
	FILE *log;
	uint64_t hist[200001];     /* lateness in microseconds */
	uint64_t sent, late_over;
	double worst;
	bool tempo_written;        /* the file has its first tempo */
} sink;

static int64_t to_tick(const sink *s, double beat) { return llround(beat * s->ppq); }

static void live_push(sink *s, double beat, const uint8_t *msg, int len, bool is_off, uint32_t gen)
{
	if (!s->live)
		return;
	item it = {.key = s->epoch + sh_tempomap_seconds(&s->tempo, beat), .queued = sh_now(), .gen = gen,
	           .len = (uint8_t)len, .is_off = is_off};
	memcpy(it.msg, msg, (size_t)len);
	heap_push(&s->queue, it);
}

/* File errors stick in the writer (sh_smf_*) and are checked once per event. */
static void emit(sink *s, int64_t tick, double beat, const uint8_t *msg, int len)
{
	if (s->smf)
		(void)sh_smf_message(s->smf, tick, msg, len);
	live_push(s, beat, msg, len, false, 0);
}

/* Note-offs due at or before `beat` (so an off and an on at one tick go off first). */
static void release_until(sink *s, double beat, bool all)
{
	while (s->offs.n && (all || to_tick(s, s->offs.v[0].key) <= to_tick(s, beat))) {
		item it = heap_pop(&s->offs);
		int ch = it.msg[0] & 15, p = it.msg[1];
		if (it.gen != s->gen[ch][p])
			continue; /* this note was retriggered and already cut */
		s->sounding[ch][p] = false;
		if (s->smf)
			(void)sh_smf_message(s->smf, it.tick, it.msg, 3);
		if (it.tick > s->end_tick)
			s->end_tick = it.tick;
	}
}

static void note(sink *s, double beat, int ch, int pitch, int vel, double gate)
{
	int64_t on = to_tick(s, beat), off = to_tick(s, beat + gate);
	if (off <= on)
		off = on + 1; /* the shortest note the file can hold */
	if (s->sounding[ch][pitch]) { /* retrigger: cut the sounding one here */
		uint8_t m[3] = {(uint8_t)(0x90 | ch), (uint8_t)pitch, 0};
		s->gen[ch][pitch]++;
		s->live_gen[ch][pitch]++;
		emit(s, on, beat, m, 3);
	}
	uint8_t m[3] = {(uint8_t)(0x90 | ch), (uint8_t)pitch, (uint8_t)vel};
	emit(s, on, beat, m, 3);
	s->sounding[ch][pitch] = true;
	item it = {.key = (double)off / s->ppq, .tick = off, .gen = s->gen[ch][pitch], .len = 3, .is_off = true};
	it.msg[0] = (uint8_t)(0x90 | ch); /* note-on velocity 0: running status spans ons and offs */
	it.msg[1] = (uint8_t)pitch;
	it.msg[2] = 0;
	heap_push(&s->offs, it);
	if (s->live) /* live note-offs are queued now: the input may pause */
		live_push(s, (double)off / s->ppq, it.msg, 3, true, s->live_gen[ch][pitch]);
}

/* ---- live sending ---- */
static void send_due(sink *s, double now)
{
	while (s->queue.n && s->queue.v[0].key <= now) {
		item it = heap_pop(&s->queue);
		if (it.is_off && it.gen != s->live_gen[it.msg[0] & 15][it.msg[1]])
			continue;
		double actual = sh_now();
		if (s->port && sh_midi_send(s->port, it.msg, it.len) != 0)
			sh_die("%s", sh_error());
		double late = actual - it.key;
		uint64_t us = late <= 0 ? 0 : (uint64_t)llround(late * 1e6);
		s->hist[us > 200000 ? 200000 : us]++;
		s->sent++;
		if (late > 0.001)
			s->late_over++;
		if (late > s->worst)
			s->worst = late;
		if (s->log)
			fprintf(s->log, "{\"intended\":%.6f,\"actual\":%.6f,\"late_ms\":%.4f,\"queued\":%.6f,"
			        "\"status\":%d,\"data\":%d}\n", it.key - s->epoch, actual - s->epoch, late * 1e3,
			        it.queued - s->epoch, it.msg[0], it.msg[1]);
		now = actual;
	}
}

static double percentile(const sink *s, double q)
{
	uint64_t want = (uint64_t)ceil(q * (double)s->sent), acc = 0;
	if (want == 0)
		want = 1;
	for (size_t i = 0; i <= 200000; i++) {
		acc += s->hist[i];
		if (acc >= want)
			return (double)i / 1000.0;
	}
	return 200;
}

/* Wait until the next message is due or input arrives. Sleeps precisely for the
 * last stretch so the send lands on time even when the machine is busy. */
static void wait_live(sink *s, sh_evreader *in, bool input_open)
{
	double now = sh_now();
	double due = s->queue.n ? s->queue.v[0].key : INFINITY;
	if (due - now <= 0.002) {
		if (due > now)
			sh_sleep_until_precise(due);
		send_due(s, sh_now());
		return;
	}
	if (!input_open) {
		sh_sleep_until(due - 0.001);
		return;
	}
	struct pollfd pfd = {.fd = sh_evreader_fd(in), .events = POLLIN};
	struct timespec ts, *tp = NULL;
	if (isfinite(due)) {
		double wait = due - now - 0.0015;
		ts.tv_sec = (time_t)wait;
		ts.tv_nsec = (long)((wait - (double)ts.tv_sec) * 1e9);
		tp = &ts;
	}
	int r = ppoll(&pfd, 1, tp, NULL);
	if (r < 0 && errno != EINTR)
		sh_die("poll: %s", strerror(errno));
	if (r > 0 && sh_evreader_fill(in) < 0)
		sh_die("%s", sh_error());
}

/* Live takes end with Ctrl-C, kill or a closed terminal: finish the file
 * instead of discarding it. */
static volatile sig_atomic_t stop_requested;
static void on_stop(int sig)
{
	(void)sig;
	stop_requested = 1;
}

/* Silence everything still sounding, now. */
static void all_off(sink *s)
{
	for (int ch = 0; ch < 16; ch++)
		for (int p = 0; p < 128; p++)
			if (s->sounding[ch][p] && s->port) {
				uint8_t m[3] = {(uint8_t)(0x90 | ch), (uint8_t)p, 0};
				sh_midi_send(s->port, m, 3);
			}
}

/* --cc "mod:1,cutoff:74": value streams to controllers; -1 with sh_error(). */
static int parse_cc(const char *text, cmdline *cl)
{
	const char *p = text;
	while (*p) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *colon = memchr(p, ':', len);
		if (!colon || colon == p || (size_t)(colon - p) >= sizeof cl->maps[0].name || cl->nmaps == 32) {
			sh_set_error("--cc: '%s' is not NAME:N,... (N a controller 0..127)", text);
			return -1;
		}
		char num[16];
		size_t nl = len - (size_t)(colon - p) - 1;
		int64_t v;
		snprintf(num, sizeof num, "%.*s", (int)(nl < 15 ? nl : 15), colon + 1);
		if (sh_parse_int64(num, &v) || v < 0 || v > 127) {
			sh_set_error("--cc: controller '%s' is outside 0..127", num);
			return -1;
		}
		snprintf(cl->maps[cl->nmaps].name, sizeof cl->maps[cl->nmaps].name, "%.*s", (int)(colon - p), p);
		cl->maps[cl->nmaps++].cc = (int)v;
		p += len + (comma ? 1 : 0);
	}
	return 0;
}

/* The command line, at its defaults. */
static cmdline command = {
	.ppq = 480,     /* ticks per beat: 96 coarse, 960 fine */
	.bpm = 120,     /* tempo until the first tempo event */
	.channel = 0,   /* channel of notes that carry none */
	.name = "midi", /* param events with this target: ccN, program */
	.latency = {0.010, SH_DUR_SECONDS}, /* live: headroom for pipeline jitter */
};

/* Fill command from argv: -1 to go on, else the exit status (help printed, or a usage
 * error reported). */
static int parse_command_line(int argc, char **argv)
{
	static const char *cc; /* value streams to controllers: "mod:1,cutoff:74" */
	static sh_option opts[] = {
		{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &command.output, .no_preset = true,
		 .arg = "FILE", .help = "write a Standard MIDI File (- for stdout)"},
		{.name = "ppq", .type = SH_OPT_INT, .dest = &command.ppq, .min = 24, .max = 32767, .unit = "ticks per beat",
		 .help = "resolution of the file"},
		{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &command.bpm, .min = 1, .max = 999,
		 .unit = "bpm", .help = "tempo before the first tempo event"},
		{.name = "channel", .short_name = 'c', .type = SH_OPT_CHANNEL, .dest = &command.channel,
		 .help = "channel for notes without one: 0..15, or ch1..ch16 as DAWs number them"},
		{.name = "cc", .type = SH_OPT_STRING, .dest = &cc, .arg = "NAME:N,...",
		 .help = "send value events NAME as controller N"},
		{.name = "name", .type = SH_OPT_STRING, .dest = &command.name, .arg = "NAME",
		 .help = "the target that param events (ccN, program) name"},
		{.name = "port", .short_name = 'P', .type = SH_OPT_STRING, .dest = &command.port, .no_preset = true,
		 .arg = "PORT", .help = "play live to a port (number or name)"},
		{.name = "list", .type = SH_OPT_FLAG, .dest = &command.list, .no_preset = true,
		 .help = "list MIDI output ports and exit"},
		{.name = "latency", .type = SH_OPT_DURATION, .dest = &command.latency, .scale = 0.001,
		 .help = "live: fixed delay from event to port (bare number: ms)"},
		{.name = "dry-run-live", .type = SH_OPT_FLAG, .dest = &command.dry, .no_preset = true,
		 .help = "schedule live without a port; report timing"},
		{.name = "timing-log", .type = SH_OPT_STRING, .dest = &command.timing_log, .no_preset = true, .arg = "FILE",
		 .help = "live: log intended and actual send times"},
		SH_EV_SKIP_BAD_OPTION(command.skip_bad),
		{0},
	};
	sh_program prog = {.usage = "midiout [options] [FILE]",
	                   .summary = "write note events as a MIDI file and/or play them live"};
	int status = sh_evfilter_parse(&prog, opts, argc, argv, &command.input);
	if (status >= 0)
		return status;
	if (cc && parse_cc(cc, &command) != 0) {
		sh_warn("%s", sh_error());
		return SH_EXIT_USAGE;
	}
	return -1;
}

/* Live takes end with Ctrl-C, kill or a closed terminal: finish the file
 * instead of discarding it. */
static void catch_stop(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop; /* no SA_RESTART: ppoll returns at once */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL); /* the terminal closed: keep the take all the same */
}

/* Plan the run: the port (a missing one leaves the file alone, if there is one),
 * the file, the timing log. Ends the run on an error. */
static sink *open_sink(const cmdline *cl)
{
	sink *s = sh_calloc(1, sizeof *s);
	s->cl = cl;
	s->ppq = (int)cl->ppq;
	s->live = cl->dry || cl->port;
	s->dry = cl->dry;
	s->latency = cl->latency.amount;
	sh_tempomap_init(&s->tempo, cl->bpm);
	const char *output = cl->output;
	if (cl->port) {
		s->port = sh_midi_open(cl->port);
		if (!s->port) {
			if (!output)
				sh_die("%s", sh_error());
			sh_warn("%s: writing %s only", sh_error(), output);
			s->live = cl->dry;
		} else
			sh_note("playing to %s", sh_midi_port_name(s->port));
	}
	if (!output && !s->live)
		output = "-";
	if (cl->timing_log) {
		s->log = fopen(cl->timing_log, "w");
		if (!s->log)
			sh_die("%s: cannot create: %s", cl->timing_log, strerror(errno));
	}
	if (output && !(s->smf = sh_smf_create(output, s->ppq)))
		sh_die("%s", sh_error());
	return s;
}

/* The file starts with a tempo: --bpm's at tick 0, unless a tempo event is there. */
static void first_tempo(sink *s, bool tempo_at_zero)
{
	if (!s->tempo_written && !tempo_at_zero && s->smf)
		(void)sh_smf_tempo(s->smf, 0, s->cl->bpm);
	s->tempo_written = true;
}

static void tempo_event(sink *s, sh_evreader *in, const sh_event *ev, int64_t tick)
{
	double b;
	if (!sh_ev_tempo(in, ev, &b))
		return;
	first_tempo(s, tick == 0);
	if (s->smf)
		(void)sh_smf_tempo(s->smf, tick, b);
	sh_tempomap_set(&s->tempo, ev->t, b);
}

/* The event's "channel" into *CH when it has one; false (reported) when bad. */
static bool event_channel(sh_evreader *in, const sh_event *ev, int64_t *ch)
{
	if (sh_ev_channel(ev, "channel", ch) >= 0)
		return true;
	sh_event_bad(in, ev, "\"channel\" must be 0..15 (counting as MIDI does) or \"ch1\"..\"ch16\" (as DAWs "
	             "show them)");
	return false;
}

static void note_event(sink *s, sh_evreader *in, const sh_event *ev)
{
	sh_evnote nt;
	int64_t ch = s->cl->channel;
	if (!sh_ev_note(in, ev, true, &nt) || !event_channel(in, ev, &ch))
		return;
	int v7 = (int)lround(nt.velocity * 127);
	if (nt.velocity > 0)
		note(s, ev->t, (int)ch, (int)nt.pitch, v7 < 1 ? 1 : v7, nt.gate);
}

/* A value stream named in --cc: its value 0..1 as a controller. */
static void value_event(sink *s, sh_evreader *in, const sh_event *ev, int64_t tick)
{
	const char *vn;
	double v;
	if (sh_ev_string(ev, "name", &vn) != 0)
		return;
	int channel = (int)s->cl->channel;
	for (int i = 0; i < s->cl->nmaps; i++)
		if (!strcmp(vn, s->cl->maps[i].name)) {
			if (sh_ev_number(ev, "value", &v) != 0) {
				sh_event_bad(in, ev, "value event needs a numeric \"value\"");
				return;
			}
			v = v < 0 ? 0 : v > 1 ? 1 : v; /* controllers span 0..1 */
			uint8_t m[3] = {(uint8_t)(0xb0 | channel), (uint8_t)s->cl->maps[i].cc, (uint8_t)lround(v * 127)};
			emit(s, tick, ev->t, m, 3);
		}
}

/* Param events are messages here, not knobs: ccN sets controller N, program
 * changes the program. */
static void param_event(sink *s, sh_evreader *in, const sh_event *ev, const char *param, json_t *pv, int64_t tick)
{
	double v;
	int64_t channel = s->cl->channel;
	if (!event_channel(in, ev, &channel))
		return;
	if (sh_json_to_double(pv, &v) != 0) {
		sh_event_bad(in, ev, "param '%s': value must be a number", param);
		return;
	}
	if (!strncmp(param, "cc", 2) && param[2]) {
		int64_t num;
		if (sh_parse_int64(param + 2, &num) || num < 0 || num > 127 || v < 0 || v > 1) {
			sh_event_bad(in, ev, "param '%s': ccN needs N in 0..127 and a value in 0..1", param);
			return;
		}
		uint8_t m[3] = {(uint8_t)(0xb0 | channel), (uint8_t)num, (uint8_t)lround(v * 127)};
		emit(s, tick, ev->t, m, 3);
	} else if (!strcmp(param, "program")) {
		if (v != floor(v) || v < 0 || v > 127) {
			sh_event_bad(in, ev, "param 'program': value must be 0..127");
			return;
		}
		uint8_t m[2] = {(uint8_t)(0xc0 | channel), (uint8_t)v};
		emit(s, tick, ev->t, m, 2);
	} else
		sh_event_bad(in, ev, "unknown param '%s' (ccN, program)", param);
}

/* A seed event (the seed a program upstream picked) as a MIDI text event, so
 * the file keeps what replays it: "euclid seed 42". */
static void seed_event(sink *s, const sh_event *ev, int64_t tick)
{
	const char *program;
	double seed;
	if (sh_ev_string(ev, "program", &program) != 0 || sh_ev_number(ev, "seed", &seed) != 0)
		return;
	char text[128];
	snprintf(text, sizeof text, "%.64s seed %.0f", program, seed);
	(void)sh_smf_text(s->smf, tick, 1, text);
}

/* One event into the file and the live queue. */
static void play_event(sink *s, sh_evreader *in, const sh_event *ev)
{
	if (s->live && !s->started) {
		s->epoch = sh_now() + s->latency - sh_tempomap_seconds(&s->tempo, ev->t);
		s->started = true;
	}
	release_until(s, ev->t, false);
	int64_t tick = to_tick(s, ev->t);
	if (tick > s->end_tick)
		s->end_tick = tick;
	if (sh_ev_is(ev, "tempo")) {
		tempo_event(s, in, ev, tick);
		return;
	}
	first_tempo(s, false);
	const char *param;
	json_t *pv;
	if (sh_ev_is(ev, "note"))
		note_event(s, in, ev);
	else if (sh_ev_is(ev, "value") && s->cl->nmaps)
		value_event(s, in, ev, tick);
	else if (sh_ev_param_for(ev, s->cl->name, &param, &pv))
		param_event(s, in, ev, param, pv, tick);
	else if (sh_ev_is(ev, "seed") && s->smf)
		seed_event(s, ev, tick);
}

/* Read and play every event; live, keep sending until the queue is empty. Ends the
 * run on an error. */
static void process(sink *s, sh_evreader *in)
{
	sh_event ev;
	bool input_open = true;
	for (;;) {
		if (stop_requested) {
			all_off(s);
			break;
		}
		if (s->live) {
			if (input_open && !sh_evreader_buffered(in)) {
				if (sh_evreader_eof(in))
					input_open = false;
				else {
					wait_live(s, in, true);
					send_due(s, sh_now());
					continue;
				}
			}
			if (!input_open) {
				if (!s->queue.n)
					break;
				wait_live(s, in, false);
				send_due(s, sh_now());
				continue;
			}
		}
		int r = sh_evreader_next(in, &ev);
		if (r < 0)
			sh_die("%s", sh_error());
		if (r == 0) {
			input_open = false;
			if (!s->live)
				break;
			continue;
		}
		play_event(s, in, &ev);
		if (s->smf && sh_smf_failed(s->smf))
			sh_die("%s", sh_error());
	}
}

/* The last note-offs, the file committed, the timing report. */
static void finish(sink *s)
{
	release_until(s, 0, true);
	if (s->smf && sh_smf_finish(s->smf, s->end_tick) != 0)
		sh_die("%s", sh_error());
	if (s->live)
		fprintf(stderr, "%s: timing: %llu messages, late by median %.3f ms, p99 %.3f ms, max %.3f ms, "
		        "over 1 ms: %llu\n", sh_progname, (unsigned long long)s->sent, percentile(s, 0.5),
		        percentile(s, 0.99), s->worst * 1e3, (unsigned long long)s->late_over);
	if (s->log && fclose(s->log) != 0)
		sh_die("%s: cannot write: %s", s->cl->timing_log, strerror(errno));
	sh_midi_close(s->port);
	free(s->offs.v);
	free(s->queue.v);
	free(s);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	int status = parse_command_line(argc, argv);
	if (status >= 0)
		return status;
	if (command.list) {
		if (sh_midi_list_outputs() == 0)
			sh_warn("no MIDI output ports (no synth or ALSA sequencer is available)");
		return 0;
	}
	sh_evreader *in = sh_evreader_open(command.input, command.skip_bad);
	if (!in)
		sh_die("%s", sh_error());
	sink *s = open_sink(&command);
	if (s->live) {
		catch_stop(); /* first: locking memory for real time can take a while */
		sh_try_realtime(SH_RT_SINK);
	}
	process(s, in);
	sh_evreader_close(in);
	finish(s);
	return 0;
}
