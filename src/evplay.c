/* evplay -- play a take recorded by evrec back as an event stream: on the beat
 * as it was played, or with the timing it arrived with (latency, jitter, a
 * hand on a controller), at its own tempo or a new one. */
#include "cli.h"
#include "evfilter.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

/* The knobs, at their defaults. */
static const char *timing = "beat"; /* beat: the stream as it was; wall: as it arrived */
static double bpm = 120;            /* given: the new tempo; else the tempo before the first tempo event */

static sh_option options[] = {
	{.name = "timing", .short_name = 'T', .type = SH_OPT_CHOICE, .dest = &timing, .choices = "beat|wall",
	 .help = "beat: each event at its beat, as it was sent; wall: at the moment it arrived, the take's "
	         "human timing"},
	{.name = "bpm", .short_name = 'b', .type = SH_OPT_DOUBLE, .dest = &bpm, .min = 1, .max = 999, .arg = "BPM",
	 .unit = "bpm", .help = "play at this tempo: every tempo event scaled by BPM over the first one "
	                       "(default: the take's own; 120 before its first tempo event)"},
	{0},
};

/* LINE (malloc'd), or its EDITED copy when there is one (every byte outside
 * the member as it was). */
static char *rewrite(char *line, char *edited)
{
	if (!edited)
		return line;
	free(line);
	return edited;
}

static char *without(char *line, size_t *len, const char *key)
{
	sh_event e = {.line = line, .len = *len};
	return rewrite(line, sh_event_without(&e, key, len));
}

static char *replaced(char *line, size_t *len, const char *key, double v)
{
	char num[48];
	sh_format_number(num, sizeof num, v);
	sh_event e = {.line = line, .len = *len};
	return rewrite(line, sh_event_with(&e, key, num, len));
}

/* ---- playing ---- */
static struct {
	bool wall, scale;   /* --timing wall; --bpm given */
	double ratio;       /* new tempo over the take's first; 1 before it */
	bool tempo_seen;
	sh_tempomap out;    /* the tempo as played: paces --live */
	double epoch;       /* --live: the moment of beat 0 */
	bool started;
	/* --timing wall: the take's own tempo, from the wall time it changed */
	double wall0, beat0, take_bpm, last_wall;
} play;

static int setup(sh_evfilter *f)
{
	if (f->nargs > 1) {
		sh_set_error("too many operands (one take at most)");
		return SH_EVF_USAGE;
	}
	play.wall = !strcmp(timing, "wall");
	play.scale = sh_option_given(f->opts, "bpm");
	play.ratio = 1;
	play.take_bpm = bpm;
	sh_tempomap_init(&play.out, bpm);
	return SH_EVF_GO;
}

/* The beat at which wall time W falls, at the take's tempo as it came. */
static double wall_beat(double w) { return round((play.beat0 + (w - play.wall0) * play.take_bpm / 60) * 1e9) / 1e9; }

/* One event: its line as played (*LINE, malloc'd) and its time *T; -1 after
 * sh_event_bad. */
static int play_event(sh_evreader *in, const sh_event *ev, char **line, size_t *len, double *t)
{
	*len = ev->len;
	*line = sh_malloc(ev->len + 1);
	memcpy(*line, ev->line, ev->len);
	(*line)[ev->len] = 0;
	*line = without(*line, len, "wall");
	*t = ev->t;
	double w = 0;
	if (play.wall) {
		json_t *jw = json_object_get(sh_event_obj(ev), "wall");
		if (!jw) {
			sh_event_bad(in, ev, "no \"wall\" time: not a take recorded by evrec (play it with --timing beat)");
			return -1;
		}
		w = json_number_value(jw);
		if (!json_is_number(jw) || w < 0 || w > 1e9) {
			sh_event_bad(in, ev, "\"wall\" must be a number of seconds, 0 or more");
			return -1;
		}
		if (w < play.last_wall) {
			sh_event_bad(in, ev, "\"wall\" goes back in time (%g after %g)", w, play.last_wall);
			return -1;
		}
		play.last_wall = w;
		*t = wall_beat(w);
		*line = replaced(*line, len, "t", *t);
	}
	if (sh_ev_is(ev, "tempo")) {
		double b;
		if (!sh_ev_tempo(in, ev, &b))
			return -1;
		if (play.wall) { /* the take's tempo from here on */
			play.beat0 = *t;
			play.wall0 = w;
			play.take_bpm = b;
		}
		if (play.scale) {
			if (!play.tempo_seen)
				play.ratio = bpm / b;
			double nb = b * play.ratio;
			if (nb < 1 || nb > 999) {
				sh_event_bad(in, ev, "--bpm %g makes this tempo %g, outside 1..999", bpm, nb);
				return -1;
			}
			b = nb;
			*line = replaced(*line, len, "bpm", b);
		}
		play.tempo_seen = true;
		sh_tempomap_set(&play.out, *t, b);
	}
	return 0;
}

static int generate(sh_evfilter *f)
{
	sh_evreader *in = sh_evreader_open(f->nargs ? f->args[0] : NULL, false);
	if (!in)
		return -1;
	sh_evreader_flush_before_wait(in, f->out);
	sh_event ev;
	int r;
	while ((r = sh_evreader_next(in, &ev)) > 0) {
		char *line;
		size_t len;
		double t;
		if (play_event(in, &ev, &line, &len, &t) != 0) {
			free(line);
			continue; /* the reader says why at its next call */
		}
		if (f->live) {
			/* the first event plays now, the rest at their times after it; a
			 * tempo event changes the tempo from its own beat on */
			if (!play.started) {
				play.epoch = sh_now() - sh_tempomap_seconds(&play.out, t);
				play.started = true;
			}
			sh_sleep_until(play.epoch + sh_tempomap_seconds(&play.out, t));
		}
		int rc = sh_evwriter_raw(f->out, line, len);
		free(line);
		if (rc != 0)
			break;
	}
	if (r < 0 || sh_evwriter_failed(f->out)) {
		if (r >= 0)
			(void)sh_evwriter_flush(f->out); /* sets the writer's error again */
		sh_evreader_close(in);
		return -1;
	}
	sh_evreader_close(in);
	return 0;
}

static const sh_evfilter_program program = {
	.usage = "evplay [options] [TAKE]",
	.summary = "play a take recorded by evrec back as an event stream: on the beat, or with its recorded "
	           "timing, at any tempo",
	.options = options, .generator = true, .own_operands = true, .setup = setup, .generate = generate,
};

int main(int argc, char **argv) { return sh_evfilter_main(&program, argc, argv); }
