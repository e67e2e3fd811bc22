/* cutlist.c -- parse, validate, serialise and compose cut lists; see cutlist.h. */
#include "cutlist.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

sh_cutlist *sh_cutlist_new(void) { return sh_calloc(1, sizeof(sh_cutlist)); }

void sh_cutlist_free(sh_cutlist *cl)
{
	if (!cl)
		return;
	json_decref(cl->made_by);
	free(cl->cuts);
	free(cl);
}

void sh_cutlist_push(sh_cutlist *cl, sh_cut c)
{
	if (cl->n == cl->cap) {
		cl->cap = cl->cap ? cl->cap * 2 : 256;
		cl->cuts = sh_realloc(cl->cuts, cl->cap, sizeof *cl->cuts);
	}
	cl->cuts[cl->n++] = c;
}

double sh_cutlist_duration(const sh_cutlist *cl)
{
	double t = 0;
	for (size_t i = 0; i < cl->n; i++)
		t += cl->cuts[i].dur;
	return t;
}

/* ---------------------------------------------------------------- parsing */

static int number_field(json_t *obj, const char *key, double lo, double hi, double *out, bool required,
                        const char *where, const char *meaning)
{
	json_t *v = json_object_get(obj, key);
	if (!v) {
		if (required) {
			sh_set_error("%s: field '%s' is missing (%s)", where, key, meaning);
			return -1;
		}
		return 0;
	}
	if (!json_is_number(v)) {
		sh_set_error("%s: field '%s' must be a number (%s)", where, key, meaning);
		return -1;
	}
	double d = json_number_value(v);
	if (!isfinite(d) || d < lo || d > hi) {
		sh_set_error("%s: field '%s' is %g: must be %s", where, key, d, meaning);
		return -1;
	}
	*out = d;
	return 0;
}

static int bool_field(json_t *obj, const char *key, bool *out, const char *where)
{
	json_t *v = json_object_get(obj, key);
	if (!v)
		return 0;
	if (!json_is_boolean(v)) {
		sh_set_error("%s: field '%s' must be true or false", where, key);
		return -1;
	}
	*out = json_is_true(v);
	return 0;
}

static int only_keys(json_t *obj, const char *const *keys, const char *where)
{
	const char *k;
	json_t *v;
	json_object_foreach(obj, k, v) {
		size_t i;
		for (i = 0; keys[i]; i++)
			if (strcmp(k, keys[i]) == 0)
				break;
		if (!keys[i]) {
			sh_set_error("%s: unknown field '%s'", where, k);
			return -1;
		}
	}
	return 0;
}

static int parse_fps(json_t *v, sh_rational *out)
{
	if (json_is_string(v))
		return sh_parse_rate(json_string_value(v), out);
	if (json_is_number(v)) {
		char buf[64];
		snprintf(buf, sizeof buf, "%.10g", json_number_value(v));
		return sh_parse_rate(buf, out);
	}
	sh_set_error("must be a number or \"N/D\"");
	return -1;
}

static sh_cutlist *fail(sh_cutlist *cl, json_t *root)
{
	sh_cutlist_free(cl);
	json_decref(root);
	return NULL;
}

sh_cutlist *sh_cutlist_parse(const char *text, size_t len)
{
	static const char *const top_keys[] = {"format", "version", "source", "grid", "seed",
	                                       "made_by", "cuts", "note", NULL};
	static const char *const cut_keys[] = {"src", "dur", "gain", "reverse", "silence", NULL};
	json_error_t jerr;
	if (len == 0) {
		sh_set_error("empty input: expected a cut list (JSON)");
		return NULL;
	}
	json_t *root = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!root) {
		sh_set_error("not a cut list: JSON error at line %d column %d: %s", jerr.line, jerr.column, jerr.text);
		return NULL;
	}
	sh_cutlist *cl = sh_cutlist_new();
	if (!json_is_object(root)) {
		sh_set_error("not a cut list: expected a JSON object");
		return fail(cl, root);
	}
	json_t *fmt = json_object_get(root, "format");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "shards-cutlist") != 0) {
		sh_set_error("not a cut list: \"format\" must be \"shards-cutlist\"");
		return fail(cl, root);
	}
	json_t *ver = json_object_get(root, "version");
	if (!json_is_integer(ver)) {
		sh_set_error("cut list: \"version\" must be an integer");
		return fail(cl, root);
	}
	if (json_integer_value(ver) != SH_CUTLIST_VERSION) {
		sh_set_error("cut list version %lld is unknown: this shards reads version %d",
		             (long long)json_integer_value(ver), SH_CUTLIST_VERSION);
		return fail(cl, root);
	}
	if (only_keys(root, top_keys, "cut list") != 0)
		return fail(cl, root);
	json_t *src = json_object_get(root, "source");
	if (src) {
		static const char *const src_keys[] = {"duration", "rate", "path", NULL};
		if (!json_is_object(src) || only_keys(src, src_keys, "cut list source") != 0) {
			if (!json_is_object(src))
				sh_set_error("cut list: \"source\" must be an object");
			return fail(cl, root);
		}
		if (number_field(src, "duration", 0, SH_CUTLIST_MAX_SECONDS, &cl->src_duration, false,
		                 "cut list source", "seconds, 0 or more") ||
		    number_field(src, "rate", 1, 1e7, &cl->src_rate, false, "cut list source",
		                 "samples per second, positive"))
			return fail(cl, root);
	}
	json_t *grid = json_object_get(root, "grid");
	if (grid) {
		json_t *fps = json_is_object(grid) ? json_object_get(grid, "fps") : NULL;
		if (!json_is_object(grid)) {
			sh_set_error("cut list: \"grid\" must be an object");
			return fail(cl, root);
		}
		if (fps && parse_fps(fps, &cl->fps) != 0) {
			sh_set_error("cut list grid: field 'fps': %s", sh_error());
			return fail(cl, root);
		}
	}
	json_t *seed = json_object_get(root, "seed");
	if (seed && !json_is_null(seed)) {
		if (!json_is_integer(seed) || json_integer_value(seed) < 0) {
			sh_set_error("cut list: \"seed\" must be a non-negative integer");
			return fail(cl, root);
		}
		cl->has_seed = true;
		cl->seed = (uint64_t)json_integer_value(seed);
	}
	json_t *mb = json_object_get(root, "made_by");
	if (mb)
		cl->made_by = json_incref(mb);
	json_t *cuts = json_object_get(root, "cuts");
	if (!json_is_array(cuts)) {
		sh_set_error("cut list: \"cuts\" must be an array");
		return fail(cl, root);
	}
	size_t n = json_array_size(cuts);
	if (n > SH_CUTLIST_MAX_CUTS) {
		sh_set_error("cut list has %zu cuts: the limit is %d", n, SH_CUTLIST_MAX_CUTS);
		return fail(cl, root);
	}
	cl->cap = n ? n : 1;
	cl->cuts = sh_malloc(cl->cap * sizeof *cl->cuts);
	double total = 0;
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_array_get(cuts, i);
		char where[48];
		snprintf(where, sizeof where, "cut %zu", i);
		if (!json_is_object(c)) {
			sh_set_error("%s: must be an object", where);
			return fail(cl, root);
		}
		sh_cut cut = {.gain = 1};
		if (only_keys(c, cut_keys, where) || bool_field(c, "silence", &cut.silence, where) ||
		    bool_field(c, "reverse", &cut.reverse, where) ||
		    number_field(c, "dur", 0, SH_CUTLIST_MAX_SECONDS, &cut.dur, true, where,
		                 "a positive number of seconds") ||
		    number_field(c, "src", 0, SH_CUTLIST_MAX_SECONDS, &cut.src, !cut.silence, where,
		                 "a position in seconds, 0 or more") ||
		    number_field(c, "gain", 0, 1000, &cut.gain, false, where, "a linear gain from 0 to 1000"))
			return fail(cl, root);
		if (!(cut.dur > 0)) {
			sh_set_error("%s: field 'dur' is %g: must be a positive number of seconds", where, cut.dur);
			return fail(cl, root);
		}
		total += cut.dur;
		if (total > SH_CUTLIST_MAX_SECONDS) {
			sh_set_error("%s: the output would be longer than %g seconds", where, SH_CUTLIST_MAX_SECONDS);
			return fail(cl, root);
		}
		cl->cuts[cl->n++] = cut;
	}
	json_decref(root);
	return cl;
}

sh_cutlist *sh_cutlist_load_or_die(const char *path)
{
	size_t len;
	char *text = sh_read_file(path, (size_t)1 << 31, &len);
	if (!text)
		sh_die("%s", sh_error());
	sh_cutlist *cl = sh_cutlist_parse(text, len);
	free(text);
	if (!cl)
		sh_die("%s: %s", strcmp(path, "-") ? path : "stdin", sh_error());
	return cl;
}

/* ---------------------------------------------------------------- serialising */

typedef struct {
	char *p;
	size_t n, cap;
} strbuf;

static void sb_reserve(strbuf *b, size_t more)
{
	if (b->n + more + 1 > b->cap) {
		b->cap = (b->n + more + 1) * 2;
		b->p = sh_realloc(b->p, b->cap, 1);
	}
}

static void sb_add(strbuf *b, const char *s, size_t len)
{
	sb_reserve(b, len);
	memcpy(b->p + b->n, s, len);
	b->n += len;
	b->p[b->n] = 0;
}

static void sb_str(strbuf *b, const char *s) { sb_add(b, s, strlen(s)); }

/* Shortest decimal that reads back as the same double. */
static void sb_num(strbuf *b, double v)
{
	char buf[40];
	for (int prec = 15; prec <= 17; prec++) {
		snprintf(buf, sizeof buf, "%.*g", prec, v);
		if (prec == 17 || strtod(buf, NULL) == v)
			break;
	}
	sb_str(b, buf);
}

char *sh_cutlist_dump(const sh_cutlist *cl)
{
	strbuf b = {0};
	sb_str(&b, "{\"format\":\"shards-cutlist\",\"version\":1,\n\"source\":{\"duration\":");
	sb_num(&b, cl->src_duration);
	if (cl->src_rate > 0) {
		sb_str(&b, ",\"rate\":");
		sb_num(&b, cl->src_rate);
	}
	sb_str(&b, "},\n");
	if (cl->fps.num > 0) {
		char buf[64];
		if (cl->fps.den == 1)
			snprintf(buf, sizeof buf, "\"grid\":{\"fps\":%d},\n", cl->fps.num);
		else
			snprintf(buf, sizeof buf, "\"grid\":{\"fps\":\"%d/%d\"},\n", cl->fps.num, cl->fps.den);
		sb_str(&b, buf);
	}
	if (cl->has_seed) {
		char buf[48];
		snprintf(buf, sizeof buf, "\"seed\":%llu,\n", (unsigned long long)cl->seed);
		sb_str(&b, buf);
	}
	if (cl->made_by) {
		char *s = json_dumps(cl->made_by, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(15));
		sb_str(&b, "\"made_by\":");
		sb_str(&b, s ? s : "null");
		sb_str(&b, ",\n");
		free(s);
	}
	sb_str(&b, "\"cuts\":[");
	for (size_t i = 0; i < cl->n; i++) {
		const sh_cut *c = &cl->cuts[i];
		sb_str(&b, i ? ",\n{" : "\n{");
		if (c->silence) {
			sb_str(&b, "\"silence\":true,\"dur\":");
			sb_num(&b, c->dur);
		} else {
			sb_str(&b, "\"src\":");
			sb_num(&b, c->src);
			sb_str(&b, ",\"dur\":");
			sb_num(&b, c->dur);
			if (c->reverse)
				sb_str(&b, ",\"reverse\":true");
		}
		if (c->gain != 1) {
			sb_str(&b, ",\"gain\":");
			sb_num(&b, c->gain);
		}
		sb_str(&b, "}");
	}
	sb_str(&b, "\n]}\n");
	return b.p;
}

/* ---------------------------------------------------------------- composing */

/* A piece on an integer grid: output [out, out+len) plays source from `src`. */
typedef struct {
	int64_t src, len;
	double gain;
	bool reverse, silence;
} piece;

static void push_piece(piece **v, size_t *n, size_t *cap, piece p)
{
	if (*n) { /* merge with a contiguous neighbour: renders identically */
		piece *q = &(*v)[*n - 1];
		if (q->silence && p.silence) {
			q->len += p.len;
			return;
		}
		if (!q->silence && !p.silence && q->reverse == p.reverse && q->gain == p.gain) {
			if (!p.reverse && q->src + q->len == p.src) {
				q->len += p.len;
				return;
			}
			if (p.reverse && p.src + p.len == q->src) {
				q->src = p.src;
				q->len += p.len;
				return;
			}
		}
	}
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 256;
		*v = sh_realloc(*v, *cap, sizeof **v);
	}
	(*v)[(*n)++] = p;
}

sh_cutlist *sh_cutlist_compose(const sh_cutlist *a, const sh_cutlist *b)
{
	/* the grid: A's sample rate, or microseconds when A does not know it */
	double R = a->src_rate > 0 ? a->src_rate : 1e6;
	size_t na = a->n;
	int64_t *aout = sh_malloc((na + 1) * sizeof *aout);
	double cum = 0;
	aout[0] = 0;
	for (size_t k = 0; k < na; k++) {
		cum += a->cuts[k].dur;
		aout[k + 1] = sh_seconds_to_index(cum, R);
	}
	int64_t atotal = aout[na];

	piece *out = NULL, *seg = NULL;
	size_t nout = 0, capout = 0, nseg = 0, capseg = 0;
	double bcum = 0;
	int64_t bprev = 0;
	for (size_t j = 0; j < b->n; j++) {
		const sh_cut *bc = &b->cuts[j];
		bcum += bc->dur;
		int64_t bnext = sh_seconds_to_index(bcum, R);
		int64_t len = bnext - bprev;
		bprev = bnext;
		if (len <= 0)
			continue;
		if (bc->silence) {
			push_piece(&out, &nout, &capout, (piece){.len = len, .gain = 1, .silence = true});
			continue;
		}
		int64_t s = sh_seconds_to_index(bc->src, R);
		if (s + len > atotal) {
			free(aout);
			free(out);
			free(seg);
			sh_set_error("cut %zu of the second list reaches past the end of the first list's output "
			             "(%.6f s > %.6f s)", j, (double)(s + len) / R, (double)atotal / R);
			return NULL;
		}
		/* first A piece whose output ends after s */
		size_t lo = 0, hi = na;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (aout[mid + 1] <= s)
				lo = mid + 1;
			else
				hi = mid;
		}
		nseg = 0;
		for (size_t k = lo; k < na && aout[k] < s + len; k++) {
			int64_t x = s > aout[k] ? s : aout[k];
			int64_t y = s + len < aout[k + 1] ? s + len : aout[k + 1];
			if (y <= x)
				continue;
			const sh_cut *ac = &a->cuts[k];
			piece p = {.len = y - x, .gain = ac->gain * bc->gain};
			if (ac->silence) {
				p.silence = true;
				p.gain = 1;
			} else {
				int64_t asrc = sh_seconds_to_index(ac->src, R);
				int64_t i0 = x - aout[k], i1 = y - aout[k];
				if (!ac->reverse) {
					p.src = asrc + i0;
				} else {
					p.src = asrc + (aout[k + 1] - aout[k]) - i1;
					p.reverse = true;
				}
			}
			if (nseg == capseg) {
				capseg = capseg ? capseg * 2 : 16;
				seg = sh_realloc(seg, capseg, sizeof *seg);
			}
			seg[nseg++] = p;
		}
		if (bc->reverse) {
			for (size_t i = nseg; i-- > 0;) {
				seg[i].reverse = !seg[i].reverse && !seg[i].silence;
				push_piece(&out, &nout, &capout, seg[i]);
			}
		} else {
			for (size_t i = 0; i < nseg; i++)
				push_piece(&out, &nout, &capout, seg[i]);
		}
	}
	sh_cutlist *r = sh_cutlist_new();
	r->src_duration = a->src_duration;
	r->src_rate = a->src_rate;
	r->fps = b->fps.num ? b->fps : a->fps;
	r->has_seed = b->has_seed;
	r->seed = b->seed;
	r->made_by = b->made_by ? json_incref(b->made_by) : NULL;
	r->cap = nout ? nout : 1;
	r->cuts = sh_malloc(r->cap * sizeof *r->cuts);
	/* durations of whole grid steps: cumulative sums round back to the same steps */
	for (size_t i = 0; i < nout; i++) {
		sh_cut c = {.dur = (double)out[i].len / R,
		            .gain = out[i].gain,
		            .reverse = out[i].reverse,
		            .silence = out[i].silence,
		            .src = out[i].silence ? 0 : (double)out[i].src / R};
		r->cuts[r->n++] = c;
	}
	free(aout);
	free(out);
	free(seg);
	return r;
}
