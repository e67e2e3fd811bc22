/* arrangement.c -- the plan of an arrangement, its JSON and its mixer inputs;
 * see arrangement.h. The JSON is read and written with jansson. */
#include "arrangement.h"

#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "file.h"
#include "rng.h"

int sh_arr_probe(const char *path, int *rate, int *channels, int64_t *frames)
{
	sh_audio_in *in = sh_audio_open(path);
	if (!in)
		return -1; /* sh_error names the file */
	*rate = sh_audio_rate(in);
	*channels = sh_audio_channels(in);
	*frames = sh_audio_frames(in);
	sh_audio_close(in);
	if (*frames < 0) {
		sh_set_error("%s: a stem must be a file (its length is needed), not a pipe", path);
		return -1;
	}
	return 0;
}

double sh_arr_bar_seconds(const sh_arrangement *a) { return 60.0 * a->beats_per_bar / a->bpm; }

int64_t sh_arr_bar_frames(const sh_arrangement *a, int rate)
{
	int64_t f = llround(sh_arr_bar_seconds(a) * rate);
	return f < 1 ? 1 : f;
}

static int64_t total_bars(const sh_arrangement *a)
{
	const int64_t bf = sh_arr_bar_frames(a, a->rate), d = llround(a->duration * a->rate);
	return (d + bf - 1) / bf;
}

int sh_arrangement_generate(sh_arrangement *a, const int64_t *whole_bars, double density, double fade,
                            uint64_t seed)
{
	if (!(density >= 0 && density <= 1)) {
		sh_set_error("density %g is outside 0..1", density);
		return -1;
	}
	sh_rng rng;
	sh_rng_seed(&rng, seed);
	a->seed = seed;
	const int64_t nb = total_bars(a);
	const double start = density / 2, stop = (1 - density) / 2;
	size_t cap = 16;
	a->regions = sh_calloc(cap, sizeof *a->regions);
	a->nregions = 0;
	for (int s = 0; s < a->nsources; s++) {
		sh_rng r = sh_rng_fork(&rng); /* each source its own stream */
		bool on = false;
		int64_t run = 0;
		for (int64_t k = 0; k <= nb; k++) {
			bool next = false;
			if (k < nb)
				next = k == 0 ? sh_rng_chance(&r, density) : on ? !sh_rng_chance(&r, stop) : sh_rng_chance(&r, start);
			if (on && !next) { /* a run ends at bar k */
				if (a->nregions == cap)
					a->regions = sh_realloc(a->regions, cap *= 2, sizeof *a->regions);
				const int64_t w = whole_bars[s];
				a->regions[a->nregions++] = (sh_arr_region){
					.source = s, .start_bar = run, .bars = k - run,
					.from_bar = w > 1 ? (int64_t)sh_rng_below(&r, (uint64_t)w) : 0,
					.gain_db = 0, .fade = fade,
				};
			}
			if (!on && next)
				run = k;
			on = next;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- writing */

char *sh_arrangement_json(const sh_arrangement *a)
{
	json_t *o = json_object(), *src = json_array(), *reg = json_array();
	json_object_set_new(o, "format", json_string(SH_ARR_FORMAT));
	json_object_set_new(o, "version", json_integer(SH_ARR_VERSION));
	if (a->seed <= (uint64_t)INT64_MAX)
		json_object_set_new(o, "seed", json_integer((json_int_t)a->seed));
	else {
		char b[32];
		snprintf(b, sizeof b, "%" PRIu64, a->seed);
		json_object_set_new(o, "seed", json_string(b));
	}
	json_object_set_new(o, "bpm", json_real(a->bpm));
	json_object_set_new(o, "beats_per_bar", json_integer(a->beats_per_bar));
	json_object_set_new(o, "bar_seconds", json_real(sh_arr_bar_seconds(a)));
	json_object_set_new(o, "duration", json_real(a->duration));
	json_object_set_new(o, "rate", json_integer(a->rate));
	for (int i = 0; i < a->nsources; i++)
		json_array_append_new(src, json_pack("{s:s, s:f}", "path", a->sources[i].path, "gain_db",
		                                     a->sources[i].gain_db));
	for (size_t i = 0; i < a->nregions; i++) {
		const sh_arr_region *r = &a->regions[i];
		json_array_append_new(reg, json_pack("{s:i, s:I, s:I, s:I, s:f, s:f}", "source", r->source,
		                                     "start_bar", (json_int_t)r->start_bar, "bars",
		                                     (json_int_t)r->bars, "from_bar", (json_int_t)r->from_bar,
		                                     "gain_db", r->gain_db, "fade", r->fade));
	}
	json_object_set_new(o, "sources", src);
	json_object_set_new(o, "regions", reg);
	char *out = sh_json_text(o, 17, NULL);
	json_decref(o);
	return out;
}

/* ---------------------------------------------------------------- reading */

static const char *const top_keys[] = {"format", "version", "seed", "bpm", "beats_per_bar", "bar_seconds",
                                       "duration", "rate", "sources", "regions", NULL};
static const char *const source_keys[] = {"path", "gain_db", NULL};
static const char *const region_keys[] = {"source", "start_bar", "bars", "from_bar", "gain_db", "fade", NULL};

static int known_keys(json_t *o, const char *const *keys, const char *name, const char *where)
{
	const char *k;
	json_t *v;
	json_object_foreach(o, k, v) {
		int i = 0;
		while (keys[i] && strcmp(keys[i], k))
			i++;
		if (!keys[i]) {
			sh_set_error("%s: %s%sunknown field '%s'", name, where, *where ? ": " : "", k);
			return -1;
		}
	}
	return 0;
}

/* A number field within [lo, hi]; absent: DEF when has_def, else an error. */
static int get_num(json_t *o, const char *key, const char *name, const char *where, double lo, double hi,
                   bool has_def, double def, double *out)
{
	json_t *v = json_object_get(o, key);
	if (!v && has_def) {
		*out = def;
		return 0;
	}
	if (!v) {
		sh_set_error("%s: %s%s: missing (a number, %g..%g)", name, where, key, lo, hi);
		return -1;
	}
	if (!json_is_number(v)) {
		sh_set_error("%s: %s%s: must be a number (%g..%g)", name, where, key, lo, hi);
		return -1;
	}
	double d = json_number_value(v);
	if (!(d >= lo && d <= hi)) {
		sh_set_error("%s: %s%s: %g is outside %g..%g", name, where, key, d, lo, hi);
		return -1;
	}
	*out = d;
	return 0;
}

static int get_int(json_t *o, const char *key, const char *name, const char *where, int64_t lo, int64_t hi,
                   bool has_def, int64_t def, int64_t *out)
{
	json_t *v = json_object_get(o, key);
	if (!v && has_def) {
		*out = def;
		return 0;
	}
	if (!v || !json_is_integer(v)) {
		sh_set_error("%s: %s%s: %s (a whole number, %" PRId64 "..%" PRId64 ")", name, where, key,
		             v ? "must be a whole number" : "missing", lo, hi);
		return -1;
	}
	json_int_t i = json_integer_value(v);
	if (i < lo || i > hi) {
		sh_set_error("%s: %s%s: %lld is outside %" PRId64 "..%" PRId64, name, where, key, (long long)i, lo,
		             hi);
		return -1;
	}
	*out = i;
	return 0;
}

/* A seed past JSON's integers, as decimal text: digits only, at most 2^64 - 1
 * (sscanf would take "-1" and trailing junk). */
static bool seed_text(const char *s, uint64_t *out)
{
	if (!*s || s[strspn(s, "0123456789")])
		return false;
	errno = 0;
	unsigned long long v = strtoull(s, NULL, 10);
	if (errno)
		return false;
	*out = v;
	return true;
}

static int parse_root(json_t *o, const char *name, sh_arrangement *a)
{
	if (!json_is_object(o)) {
		sh_set_error("%s: not an arrangement: the JSON is not an object", name);
		return -1;
	}
	json_t *f = json_object_get(o, "format");
	if (!json_is_string(f) || strcmp(json_string_value(f), SH_ARR_FORMAT)) {
		sh_set_error("%s: format: must be \"%s\"", name, SH_ARR_FORMAT);
		return -1;
	}
	json_t *v = json_object_get(o, "version");
	if (!json_is_integer(v) || json_integer_value(v) != SH_ARR_VERSION) {
		if (json_is_number(v))
			sh_set_error("%s: version %g: this program reads version %d", name, json_number_value(v),
			             SH_ARR_VERSION);
		else
			sh_set_error("%s: version: %s (this program reads version %d)", name,
			             v ? "must be a whole number" : "missing", SH_ARR_VERSION);
		return -1;
	}
	if (known_keys(o, top_keys, name, "") != 0)
		return -1;
	json_t *seed = json_object_get(o, "seed");
	if (seed && json_is_integer(seed) && json_integer_value(seed) >= 0)
		a->seed = (uint64_t)json_integer_value(seed);
	else if (seed && json_is_string(seed) && seed_text(json_string_value(seed), &a->seed))
		;
	else if (seed) {
		sh_set_error("%s: seed: must be a whole number >= 0", name);
		return -1;
	}
	int64_t i;
	double bs;
	if (get_num(o, "bpm", name, "", SH_ARR_BPM_MIN, SH_ARR_BPM_MAX, false, 0, &a->bpm) != 0 ||
	    get_int(o, "beats_per_bar", name, "", 1, SH_ARR_BEATS_MAX, false, 0, &i) != 0)
		return -1;
	a->beats_per_bar = (int)i;
	if (get_num(o, "bar_seconds", name, "", 0, 1e9, true, sh_arr_bar_seconds(a), &bs) != 0)
		return -1;
	if (fabs(bs - sh_arr_bar_seconds(a)) > 1e-9 * bs) {
		sh_set_error("%s: bar_seconds: %.17g disagrees with 60 * beats_per_bar / bpm = %.17g (edit bpm, "
		             "or drop bar_seconds)", name, bs, sh_arr_bar_seconds(a));
		return -1;
	}
	if (get_num(o, "duration", name, "", 0, SH_ARR_DURATION_MAX, false, 0, &a->duration) != 0 ||
	    get_int(o, "rate", name, "", SH_MIN_RATE, SH_MAX_RATE, false, 0, &i) != 0)
		return -1;
	a->rate = (int)i;
	if (llround(a->duration * a->rate) < 1) {
		sh_set_error("%s: duration: %g s is shorter than one sample", name, a->duration);
		return -1;
	}
	json_t *src = json_object_get(o, "sources"), *reg = json_object_get(o, "regions");
	if (!json_is_array(src) || json_array_size(src) == 0 || json_array_size(src) > SH_ARR_PIECES_MAX) {
		sh_set_error("%s: sources: must be an array of 1..%d sources", name, SH_ARR_PIECES_MAX);
		return -1;
	}
	if (!json_is_array(reg)) {
		sh_set_error("%s: regions: must be an array (maybe empty)", name);
		return -1;
	}
	char where[64];
	a->nsources = (int)json_array_size(src);
	a->sources = sh_calloc((size_t)a->nsources, sizeof *a->sources);
	for (int k = 0; k < a->nsources; k++) {
		json_t *s = json_array_get(src, (size_t)k);
		snprintf(where, sizeof where, "sources[%d]", k);
		if (!json_is_object(s)) {
			sh_set_error("%s: %s: must be an object {\"path\": ..., \"gain_db\": ...}", name, where);
			return -1;
		}
		if (known_keys(s, source_keys, name, where) != 0)
			return -1;
		json_t *p = json_object_get(s, "path");
		if (!json_is_string(p) || !*json_string_value(p)) {
			sh_set_error("%s: %s.path: must be a file name", name, where);
			return -1;
		}
		a->sources[k].path = sh_strdup(json_string_value(p));
		strcat(where, ".");
		if (get_num(s, "gain_db", name, where, SH_MIX_GAIN_MIN, SH_MIX_GAIN_MAX, true, 0, &a->sources[k].gain_db))
			return -1;
	}
	a->nregions = json_array_size(reg);
	a->regions = sh_calloc(a->nregions ? a->nregions : 1, sizeof *a->regions);
	for (size_t k = 0; k < a->nregions; k++) {
		json_t *r = json_array_get(reg, k);
		sh_arr_region *x = &a->regions[k];
		snprintf(where, sizeof where, "regions[%zu]", k);
		if (!json_is_object(r)) {
			sh_set_error("%s: %s: must be an object", name, where);
			return -1;
		}
		if (known_keys(r, region_keys, name, where) != 0)
			return -1;
		strcat(where, ".");
		if (get_int(r, "source", name, where, 0, a->nsources - 1, false, 0, &i) != 0 ||
		    get_int(r, "start_bar", name, where, 0, INT32_MAX, false, 0, &x->start_bar) != 0 ||
		    get_int(r, "bars", name, where, 1, INT32_MAX, false, 0, &x->bars) != 0 ||
		    get_int(r, "from_bar", name, where, 0, INT32_MAX, true, 0, &x->from_bar) != 0 ||
		    get_num(r, "gain_db", name, where, SH_MIX_GAIN_MIN, SH_MIX_GAIN_MAX, true, 0, &x->gain_db) != 0 ||
		    get_num(r, "fade", name, where, 0, SH_ARR_FADE_MAX, true, 0, &x->fade) != 0)
			return -1;
		x->source = (int)i;
		const double g = x->gain_db + a->sources[x->source].gain_db;
		if (g < SH_MIX_GAIN_MIN || g > SH_MIX_GAIN_MAX) {
			sh_set_error("%s: %sgain_db: %g with the source's %g makes %g dB, outside %g..%g", name, where,
			             x->gain_db, a->sources[x->source].gain_db, g, SH_MIX_GAIN_MIN, SH_MIX_GAIN_MAX);
			return -1;
		}
	}
	return 0;
}

int sh_arrangement_parse(const char *text, size_t len, const char *name, sh_arrangement *a)
{
	memset(a, 0, sizeof *a);
	json_error_t e;
	json_t *o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &e);
	if (!o) {
		sh_set_error("%s: line %d: %s", name, e.line, e.text);
		return -1;
	}
	int rc = parse_root(o, name, a);
	json_decref(o);
	if (rc != 0)
		sh_arrangement_free(a);
	return rc;
}

int sh_arrangement_load(const char *path, sh_arrangement *a)
{
	size_t n;
	char *buf = sh_read_json_object(path, (size_t)256 << 20, &n);
	if (!buf)
		return -1; /* the message names the file */
	int rc = sh_arrangement_parse(buf, n, strcmp(path, "-") ? path : "stdin", a);
	free(buf);
	return rc;
}

void sh_arrangement_free(sh_arrangement *a)
{
	for (int i = 0; a->sources && i < a->nsources; i++)
		free(a->sources[i].path);
	free(a->sources);
	free(a->regions);
	memset(a, 0, sizeof *a);
}

/* ---------------------------------------------------------------- rendering */

static sh_duration smp(int64_t n) { return (sh_duration){(double)n, SH_DUR_SAMPLES}; }

/* One piece: the source's frames [trim, trim + len) (len < 0: to its end),
 * LOOPS times, at mix frame START. */
static void piece(sh_mix_input **v, int *n, int *cap, const char *path, double gain, int64_t start,
                  int64_t trim, int64_t len, int64_t loops, int64_t fin, int64_t fout)
{
	if (*n == *cap)
		*v = sh_realloc(*v, (size_t)(*cap = *cap ? 2 * *cap : 16), sizeof **v);
	sh_mix_input *x = &(*v)[(*n)++];
	memset(x, 0, sizeof *x);
	x->path = sh_strdup(path);
	x->gain_db = gain;
	x->has_start = true;
	x->start = smp(start);
	x->has_trim = true;
	x->trim = smp(trim);
	if (len > 0)
		x->has_len = true, x->len = smp(len);
	x->loops = loops;
	if (fin > 0)
		x->has_fade_in = true, x->fade_in = smp(fin);
	if (fout > 0)
		x->has_fade_out = true, x->fade_out = smp(fout);
}

int sh_arrangement_inputs(const sh_arrangement *a, sh_mix_input **inputs, int *n, int *channels)
{
	*inputs = NULL;
	*n = 0;
	int cap = 0, most = 0;
	int *rate = sh_calloc((size_t)a->nsources, sizeof *rate);
	int64_t *frames = sh_calloc((size_t)a->nsources, sizeof *frames);
	for (int s = 0; s < a->nsources; s++) {
		int ch;
		if (sh_arr_probe(a->sources[s].path, &rate[s], &ch, &frames[s]) != 0)
			goto fail;
		most = ch > most ? ch : most;
	}
	*channels = most;
	const int64_t mbar = sh_arr_bar_frames(a, a->rate), end = llround(a->duration * a->rate);
	for (size_t i = 0; i < a->nregions; i++) {
		const sh_arr_region *r = &a->regions[i];
		const int s = r->source;
		const int64_t at = r->start_bar * mbar;
		if (at >= end)
			continue; /* after the end */
		const int64_t sbar = sh_arr_bar_frames(a, rate[s]), w = frames[s] / sbar;
		const int64_t fade = llround(r->fade * a->rate);
		const double g = a->sources[s].gain_db + r->gain_db;
		const char *p = a->sources[s].path;
		if (w == 0) { /* shorter than a bar: whole, from each bar's start */
			/* one piece a bar: stop at the cap, not after millions of them */
			for (int64_t k = 0; k < r->bars && at + k * mbar < end && *n <= SH_ARR_PIECES_MAX; k++)
				piece(inputs, n, &cap, p, g, at + k * mbar, 0, -1, 1, k == 0 ? fade : 0,
				      k == r->bars - 1 ? fade : 0);
		} else {
			/* source bars f0 .. w - 1, then whole passes over 0 .. w - 1, then 0 .. rem - 1 */
			const int64_t f0 = r->from_bar % w;
			int64_t first = w - f0 < r->bars ? w - f0 : r->bars, left = r->bars - first;
			const int64_t passes = left / w, rem = left % w;
			piece(inputs, n, &cap, p, g, at, f0 * sbar, first * sbar, 1, fade, left ? 0 : fade);
			int64_t bar = r->start_bar + first;
			if (passes && bar * mbar < end) {
				piece(inputs, n, &cap, p, g, bar * mbar, 0, w * sbar, passes, 0, rem ? 0 : fade);
				bar += passes * w;
			}
			if (rem && bar * mbar < end)
				piece(inputs, n, &cap, p, g, bar * mbar, 0, rem * sbar, 1, 0, fade);
		}
		if (*n > SH_ARR_PIECES_MAX) {
			sh_set_error("the arrangement needs more than %d mixer inputs (each an open file): fewer "
			             "regions, or stems of at least one bar", SH_ARR_PIECES_MAX);
			goto fail;
		}
	}
	free(rate);
	free(frames);
	return 0;
fail:
	for (int i = 0; i < *n; i++)
		sh_mix_input_free(&(*inputs)[i]);
	free(*inputs);
	*inputs = NULL;
	*n = 0;
	free(rate);
	free(frames);
	return -1;
}
