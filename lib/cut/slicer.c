/* slicer.c -- slicing and the chance operations; see slicer.h. */
#include "slicer.h"

#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "onsets.h"
#include "rng.h"

/* The knobs for this run from the command line; see sh_slicer_pass. */
static int from_cli(const sh_slicer_cli *c, uint64_t seed, sh_slicer_opts *so, double **onsets_out)
{
	sh_rng draw; /* ranges are drawn per run from their own stream */
	sh_rng_seed(&draw, seed ^ 0x5eed5eedULL);
	so->shuffle = sh_rng_between(&draw, c->shuffle.lo, c->shuffle.hi);
	so->stutter = sh_rng_between(&draw, c->stutter.lo, c->stutter.hi);
	so->reverse = sh_rng_between(&draw, c->reverse.lo, c->reverse.hi);
	so->drop = sh_rng_between(&draw, c->drop.lo, c->drop.hi);
	so->max_repeats = c->max_repeats;
	so->whole_frames = c->whole_frames;
	so->slices = c->slices;
	if (c->fps.num)
		so->fps = c->fps;
	*onsets_out = NULL;
	if (c->onsets) {
		if (sh_onsets_load(c->onsets, onsets_out, &so->nonsets) != 0)
			return SH_EXIT_FAIL;
		so->onsets = *onsets_out;
	} else if (!c->slices) {
		if (sh_duration_seconds(&c->slice, c->bpm, sh_rational_value(so->fps), so->rate, &so->slice)) {
			sh_set_error("--slice: %s", sh_error());
			return SH_EXIT_USAGE;
		}
	}
	return 0;
}

int sh_slicer_pass(const sh_slicer_cli *c, uint64_t seed, sh_slicer_opts *so, const char *source, sh_cutlist **out)
{
	double *onsets;
	*out = NULL;
	int status = from_cli(c, seed, so, &onsets);
	if (status)
		return status;
	*out = sh_slice(so, seed);
	free(onsets);
	so->onsets = NULL;
	so->nonsets = 0;
	if (!*out) {
		if (source)
			sh_set_error("%s: %s", source, sh_error());
		return SH_EXIT_FAIL;
	}
	return 0;
}

void *sh_slicer_made_by(const char *program, void *options, const sh_slicer_opts *so)
{
	json_t *d = json_object();
	json_object_set_new(d, "shuffle", json_real(so->shuffle));
	json_object_set_new(d, "stutter", json_real(so->stutter));
	json_object_set_new(d, "reverse", json_real(so->reverse));
	json_object_set_new(d, "drop", json_real(so->drop));
	json_t *made = json_object();
	json_object_set_new(made, "program", json_string(program));
	json_object_set_new(made, "version", json_string(SHARDS_VERSION));
	json_object_set_new(made, "options", options);
	json_object_set_new(made, "drawn", d);
	return made;
}

/* Sample index of a time, snapped to the frame grid first when there is one. */
static int64_t snap(const sh_slicer_opts *o, double seconds)
{
	if (o->fps.num > 0) {
		int64_t frame = sh_seconds_to_index(seconds, (double)o->fps.num / o->fps.den);
		seconds = (double)frame * o->fps.den / o->fps.num;
	}
	return sh_seconds_to_index(seconds, o->rate);
}

static void add_boundary(int64_t **b, size_t *n, size_t *cap, int64_t v)
{
	if (*n && v <= (*b)[*n - 1])
		return; /* snapping can merge neighbours */
	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 1024;
		*b = sh_realloc(*b, *cap, sizeof **b);
	}
	(*b)[(*n)++] = v;
}

sh_cutlist *sh_slice(const sh_slicer_opts *o, uint64_t seed)
{
	if (o->total <= 0) {
		sh_set_error("the source is empty: nothing to slice");
		return NULL;
	}
	double seconds = (double)o->total / o->rate;
	int64_t total = o->total; /* where the last piece ends */
	if (o->whole_frames && o->fps.num > 0) {
		/* the last whole frame's end, on the sample grid */
		int64_t frames = (int64_t)floor(seconds * o->fps.num / o->fps.den + 1e-9);
		if (frames < 1) {
			sh_set_error("a %g s source is shorter than one frame: no whole frame to slice", seconds);
			return NULL;
		}
		total = sh_seconds_to_index((double)frames * o->fps.den / o->fps.num, o->rate);
		if (total > o->total)
			total = o->total;
		seconds = (double)total / o->rate;
	}
	int64_t *b = NULL;
	size_t nb = 0, cap = 0;
	add_boundary(&b, &nb, &cap, 0);
	if (o->nonsets) {
		for (size_t i = 0; i < o->nonsets; i++)
			if (o->onsets[i] > 0 && o->onsets[i] < seconds) {
				int64_t v = snap(o, o->onsets[i]);
				if (v < total)
					add_boundary(&b, &nb, &cap, v);
			}
	} else if (o->slices > 0) {
		if (o->slices > o->total) {
			free(b);
			sh_set_error("%lld slices of a %lld-sample source: more slices than samples",
			             (long long)o->slices, (long long)o->total);
			return NULL;
		}
		for (int64_t k = 1; k < o->slices; k++) {
			int64_t v = snap(o, seconds * (double)k / (double)o->slices);
			if (v < total)
				add_boundary(&b, &nb, &cap, v);
		}
	} else {
		if (o->slice * o->rate < 1 || (o->fps.num > 0 && o->slice * o->fps.num / o->fps.den < 0.5)) {
			free(b);
			sh_set_error("a slice of %g s is shorter than one %s", o->slice, o->fps.num ? "frame" : "sample");
			return NULL;
		}
		double count = seconds / o->slice;
		if (count > SH_CUTLIST_MAX_CUTS) {
			free(b);
			sh_set_error("%.0f slices: more than the limit of %d", count, SH_CUTLIST_MAX_CUTS);
			return NULL;
		}
		for (int64_t k = 1; (double)k * o->slice < seconds; k++) {
			int64_t v = snap(o, (double)k * o->slice);
			if (v < total)
				add_boundary(&b, &nb, &cap, v);
		}
	}
	add_boundary(&b, &nb, &cap, total);
	size_t m = nb - 1; /* pieces */

	sh_rng rng;
	sh_rng_seed(&rng, seed);
	/* shuffle: each slice joins the moving set with chance `shuffle`; the set is
	 * permuted among its own positions (Fisher-Yates), the rest stay put */
	size_t *order = sh_malloc(m * sizeof *order), *chosen = sh_malloc(m * sizeof *chosen);
	size_t nchosen = 0;
	for (size_t i = 0; i < m; i++) {
		order[i] = i;
		if (sh_rng_chance(&rng, o->shuffle))
			chosen[nchosen++] = i;
	}
	for (size_t i = nchosen; i > 1; i--) {
		size_t j = (size_t)sh_rng_below(&rng, i);
		size_t t = order[chosen[i - 1]];
		order[chosen[i - 1]] = order[chosen[j]];
		order[chosen[j]] = t;
	}
	sh_cutlist *cl = sh_cutlist_new();
	cl->src_duration = (double)o->total / o->rate;
	cl->src_rate = o->rate;
	cl->fps = o->fps;
	cl->has_seed = true;
	cl->seed = seed;
	for (size_t i = 0; i < m; i++) {
		size_t p = order[i];
		/* three draws per piece whatever the options, so streams stay aligned */
		bool rev = sh_rng_chance(&rng, o->reverse);
		bool drop = sh_rng_chance(&rng, o->drop);
		bool stut = sh_rng_chance(&rng, o->stutter);
		int64_t repeats = 1;
		if (stut && o->max_repeats >= 2)
			repeats = 2 + (int64_t)sh_rng_below(&rng, (uint64_t)(o->max_repeats - 1));
		sh_cut c = {.src = (double)b[p] / o->rate,
		            .dur = (double)(b[p + 1] - b[p]) / o->rate,
		            .gain = 1,
		            .reverse = rev && !drop,
		            .silence = drop};
		if (drop)
			c.src = 0;
		for (int64_t r = 0; r < repeats; r++)
			sh_cutlist_push(cl, c);
		if (cl->n > SH_CUTLIST_MAX_CUTS) {
			sh_cutlist_free(cl);
			free(b);
			free(order);
			free(chosen);
			sh_set_error("the pass makes more than %d cuts", SH_CUTLIST_MAX_CUTS);
			return NULL;
		}
	}
	free(b);
	free(order);
	free(chosen);
	return cl;
}
