/* colorkey -- N-layer compositor: each video above the first is colour-keyed
 * and laid over the layers below it. Keys come from given colours, the
 * dominant colours of a sampled frame (k-means), the dark or bright parts, or
 * motion (what stays still against a temporal-median background is keyed out).
 * Every random choice is drawn from the seed and can be written to a session
 * file that --replay turns back into the same bytes.
 *
 * Threads (-j): each layer decodes ahead on its own thread; the composite's rows
 * (and the motion median's samples) are shared among the -j threads; a writer
 * thread writes finished frames while the next is composited. Every random
 * choice is made on the main thread in frame order, so the bytes never depend
 * on -j. */
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <jansson.h>

#include "cli.h"
#include "chromakey.h"
#include "jobs.h"
#include "media.h"
#include "plot.h"
#include "rng.h"
#include "vfilter.h"
#include "y4m.h"

static const char usage[] =
	"colorkey [-m fixed|kmeans|luminance|motion] [options] [-o OUT.y4m] BOTTOM LAYER...  |  colorkey --replay SESSION";

/* Defaults */
static const char *out_path = NULL;
static const char *mode = "kmeans";     /* fixed: the --colors you name; kmeans: each layer's own
                                           dominant colours; luminance: its shadows or highlights;
                                           motion: whatever stands still */
static const char *colors = "white";    /* fixed: white keys paper and sky, green/blue screens */
static sh_range similarity = {0.2, 0.4};/* how close to a key a pixel must be to vanish: 0.05 only
                                           the exact colour, 0.3 its family, 0.6 most of the picture */
static sh_range blend = {0.0, 0.1};     /* edge softness: 0 hard cut-out edges, 0.1 soft halo,
                                           0.3 ghostly, half-transparent layers */
static int64_t clusters = 3;            /* kmeans: colour groups found in the sampled frame */
static int64_t keys = 1;                /* kmeans: how many of the largest groups are keyed */
static const char *luma = "auto";       /* luminance: dark keys the shadows, bright the highlights,
                                           auto picks per layer from its sampled frame */
static int64_t window = 7;              /* motion: frames in the median (3 jittery .. 15 steady) */
static int64_t interval = 5;            /* motion: frames between samples; window x interval is
                                           how long something must stay put to disappear */
static const char *size = NULL;         /* WxH; unset = the bottom layer's */
static sh_rational fps = {0, 0};        /* unset = the bottom layer's */
static const char *fit = "crop";
static const char *chroma = "420jpeg";  /* 444 keys with sharper colour edges, costs 2x */
static sh_duration duration = {0, SH_DUR_SECONDS}; /* unset = as long as the bottom layer */
static bool random_trim = false;        /* each source starts at a random point (seeded) */
static bool no_loop = false;            /* upper layers that end: loop (default) or freeze */
static const char *record_path = NULL;
static const char *replay_path = NULL;
static const char *plot_path = NULL;

typedef struct {
	char *source;
	double start;
	bool loop;
	sh_key key;
	bool analysed;
	sh_media *m;
	sh_media_reader *rd;  /* decodes ahead in its own thread */
	const uint8_t *frame;
	bool have, ended;
	sh_median_bg *bg;
	uint8_t *first;       /* --plot: a copy of its first frame */
} layer;

static const char *kind_name(sh_key_kind k)
{
	return k == SH_KEY_COLORS ? "colors" : k == SH_KEY_DARK ? "dark" : k == SH_KEY_BRIGHT ? "bright" : "background";
}

static void hex(uint32_t rgb, char out[16])
{
	snprintf(out, 16, "0x%06X", (unsigned)rgb);
}

/* ---- the session file */
static json_t *session_json(const sh_option *opts_table, uint64_t seed, const sh_y4m_info *info, const char *fitname,
                            int64_t frames, layer *L, int n, const char *at)
{
	json_t *r = json_object();
	json_object_set_new(r, "format", json_string("shards-colorkey-session"));
	json_object_set_new(r, "version", json_integer(1));
	json_object_set_new(r, "seed", json_integer((json_int_t)seed));
	/* the output carried a picked seed that mattered: a replay's output carries it too */
	uint64_t run;
	if (sh_seed_to_carry(&run) && run == seed)
		json_object_set_new(r, "seed_in_output", json_true());
	sh_seed_carried(seed);
	json_t *mb = json_object();
	json_object_set_new(mb, "program", json_string("colorkey"));
	json_object_set_new(mb, "version", json_string(SHARDS_VERSION));
	json_object_set_new(r, "made_by", mb);
	json_t *o = json_object();
	char buf[64];
	json_object_set_new(o, "width", json_integer(info->width));
	json_object_set_new(o, "height", json_integer(info->height));
	snprintf(buf, sizeof buf, "%d/%d", info->fps_num, info->fps_den);
	json_object_set_new(o, "fps", json_string(buf));
	json_object_set_new(o, "chroma", json_string(info->chroma_tag));
	json_object_set_new(o, "fit", json_string(fitname));
	json_object_set_new(o, "frames", json_integer((json_int_t)frames));
	json_object_set_new(r, "output", o);
	/* the merged settings as --print-config prints them: a preset as it is */
	json_t *opts = sh_options_json(opts_table);
	json_object_set_new(r, "options", opts);
	json_t *ls = json_array();
	for (int i = 0; i < n; i++) {
		json_t *l = json_object();
		/* relative to the session's own folder: it replays from anywhere */
		char *src = strcmp(L[i].source, "-") ? sh_path_relative(L[i].source, at) : NULL;
		json_object_set_new(l, "source", json_string(src ? src : L[i].source));
		free(src);
		json_object_set_new(l, "start", json_real(L[i].start));
		json_object_set_new(l, "loop", json_boolean(L[i].loop));
		if (i > 0) {
			json_t *k = json_object();
			json_object_set_new(k, "kind", json_string(kind_name(L[i].key.kind)));
			json_t *cs = json_array();
			for (int c = 0; c < L[i].key.ncolors; c++) {
				char h[16];
				hex(L[i].key.rgb[c], h);
				json_array_append_new(cs, json_string(h));
			}
			json_object_set_new(k, "colors", cs);
			json_object_set_new(k, "similarity", json_real(L[i].key.similarity));
			json_object_set_new(k, "blend", json_real(L[i].key.blend));
			json_object_set_new(l, "key", k);
		}
		json_array_append_new(ls, l);
	}
	json_object_set_new(r, "layers", ls);
	return r;
}

static double num_field(json_t *obj, const char *key, const char *path)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_number(v))
		sh_die("%s: '%s' is missing or not a number", path, key);
	return json_number_value(v);
}

static const char *str_field(json_t *obj, const char *key, const char *path)
{
	json_t *v = json_object_get(obj, key);
	if (!json_is_string(v))
		sh_die("%s: '%s' is missing or not a string", path, key);
	return json_string_value(v);
}

/* Fill everything from a session file; returns the layers. */
static layer *load_session(const char *path, int *n, sh_media_video_opts *vo, int64_t *frames, uint64_t *seed)
{
	json_error_t err;
	json_t *r = json_load_file(path, 0, &err);
	if (!r)
		sh_die("%s: line %d: %s", path, err.line, err.text);
	json_t *fmt = json_object_get(r, "format");
	if (!json_is_string(fmt) || strcmp(json_string_value(fmt), "shards-colorkey-session"))
		sh_die("%s: not a colorkey session (no \"format\":\"shards-colorkey-session\")", path);
	if (num_field(r, "version", path) != 1)
		sh_die("%s: session version %g is not supported (1)", path, num_field(r, "version", path));
	*seed = (uint64_t)num_field(r, "seed", path);
	/* the session holds the seed; the output carries it as the recorded run's did */
	sh_seed_use(*seed, json_is_true(json_object_get(r, "seed_in_output")));
	json_t *o = json_object_get(r, "output");
	if (!json_is_object(o))
		sh_die("%s: 'output' is missing", path);
	vo->width = (int)num_field(o, "width", path);
	vo->height = (int)num_field(o, "height", path);
	if (vo->width < 2 || vo->height < 2 || vo->width > SH_Y4M_MAX_DIM || vo->height > SH_Y4M_MAX_DIM)
		sh_die("%s: output size %dx%d is out of range", path, vo->width, vo->height);
	sh_rational rr;
	if (sh_parse_rate(str_field(o, "fps", path), &rr) != 0)
		sh_die("%s: fps: %s", path, sh_error());
	vo->fps_num = rr.num;
	vo->fps_den = rr.den;
	if (sh_parse_chroma(str_field(o, "chroma", path), &vo->chroma, vo->chroma_tag) != 0)
		sh_die("%s: chroma: %s", path, sh_error());
	int f = sh_parse_frame_fit(str_field(o, "fit", path));
	if (f < 0)
		sh_die("%s: fit: '%s' is not crop, pad or stretch", path, str_field(o, "fit", path));
	vo->fit = (sh_frame_fit)f;
	*frames = (int64_t)num_field(o, "frames", path);
	json_t *ls = json_object_get(r, "layers");
	if (!json_is_array(ls) || json_array_size(ls) < 1 || json_array_size(ls) > 64)
		sh_die("%s: 'layers' must list 1..64 layers", path);
	*n = (int)json_array_size(ls);
	layer *L = sh_calloc((size_t)*n, sizeof *L);
	for (int i = 0; i < *n; i++) {
		json_t *l = json_array_get(ls, (size_t)i);
		/* a source is named from the session's folder (older sessions named
		 * it from where they ran: that is the second place looked) */
		const char *src = str_field(l, "source", path);
		L[i].source = strcmp(src, "-") ? sh_path_in_record(src, path) : sh_strdup(src);
		if (access(L[i].source, F_OK) != 0 && access(src, F_OK) == 0) {
			free(L[i].source);
			L[i].source = sh_strdup(src);
		}
		L[i].start = num_field(l, "start", path);
		L[i].loop = json_is_true(json_object_get(l, "loop"));
		if (i == 0)
			continue;
		json_t *k = json_object_get(l, "key");
		if (!json_is_object(k))
			sh_die("%s: layer %d: 'key' is missing", path, i);
		const char *kind = str_field(k, "kind", path);
		L[i].key.kind = !strcmp(kind, "colors")       ? SH_KEY_COLORS
		                : !strcmp(kind, "dark")       ? SH_KEY_DARK
		                : !strcmp(kind, "bright")     ? SH_KEY_BRIGHT
		                : !strcmp(kind, "background") ? SH_KEY_BACKGROUND
		                                              : (sh_key_kind)-1;
		if ((int)L[i].key.kind < 0)
			sh_die("%s: layer %d: key kind '%s' is unknown", path, i, kind);
		json_t *cs = json_object_get(k, "colors");
		size_t ci;
		json_t *cv;
		json_array_foreach(cs, ci, cv) {
			if (ci >= SH_KEY_MAX_COLORS || !json_is_string(cv) ||
			    sh_parse_color(json_string_value(cv), &L[i].key.rgb[ci]) != 0)
				sh_die("%s: layer %d: bad key colour", path, i);
			L[i].key.ncolors = (int)ci + 1;
		}
		if (L[i].key.kind == SH_KEY_COLORS && L[i].key.ncolors == 0)
			sh_die("%s: layer %d: a colour key without colours", path, i);
		L[i].key.similarity = num_field(k, "similarity", path);
		L[i].key.blend = num_field(k, "blend", path);
		L[i].analysed = true;
	}
	json_t *opts = json_object_get(r, "options");
	if (json_is_object(opts)) {
		if (json_is_integer(json_object_get(opts, "window")))
			window = json_integer_value(json_object_get(opts, "window"));
		if (json_is_integer(json_object_get(opts, "interval")))
			interval = json_integer_value(json_object_get(opts, "interval"));
		if (json_is_string(json_object_get(opts, "mode")))
			mode = sh_strdup(json_string_value(json_object_get(opts, "mode")));
	}
	if (window < 3 || window > 15 || !(window & 1) || interval < 1 || interval > 1000)
		sh_die("%s: motion window %lld / interval %lld out of range", path, (long long)window, (long long)interval);
	json_decref(r);
	return L;
}

/* The key of a layer from its first frame (kmeans colours, auto luma). */
static void analyse(layer *l, const sh_y4m_info *info, sh_rng *rng, const uint32_t *fixed, int nfixed)
{
	if (!strcmp(mode, "fixed")) {
		l->key.kind = SH_KEY_COLORS;
		l->key.ncolors = nfixed;
		memcpy(l->key.rgb, fixed, sizeof(uint32_t) * (size_t)nfixed);
	} else if (!strcmp(mode, "kmeans")) {
		uint32_t rgb[64];
		double share[64];
		int got = sh_kmeans_colors(info, l->frame, (int)clusters, rng, rgb, share);
		l->key.kind = SH_KEY_COLORS;
		l->key.ncolors = got < keys ? got : (int)keys;
		memcpy(l->key.rgb, rgb, sizeof(uint32_t) * (size_t)l->key.ncolors);
		for (int c = 0; c < l->key.ncolors; c++)
			sh_note("%s: key colour 0x%06X (%.0f%% of the frame)", l->source, (unsigned)rgb[c], share[c] * 100);
	} else if (!strcmp(mode, "luminance")) {
		if (!strcmp(luma, "auto"))
			l->key.kind = sh_frame_luma(info, l->frame) < 0.5 ? SH_KEY_DARK : SH_KEY_BRIGHT;
		else
			l->key.kind = !strcmp(luma, "dark") ? SH_KEY_DARK : SH_KEY_BRIGHT;
	} else {
		l->key.kind = SH_KEY_BACKGROUND;
	}
	l->analysed = true;
}

static sh_option options[] = {
	SH_VF_OUTPUT_OPTION(out_path),
	SH_KEY_OPTIONS(mode, colors, similarity, blend, clusters, keys, luma),
	{.name = "window", .type = SH_OPT_INT, .dest = &window, .min = 3, .max = 15, .unit = "frames",
	 .help = "motion: frames in the median, odd, 3..15"},
	{.name = "interval", .type = SH_OPT_INT, .dest = &interval, .min = 1, .max = 1000, .unit = "frames",
	 .help = "motion: frames between median samples"},
	{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
	 .help = "output size; other layers are scaled to it; unset: the bottom layer's"},
	{.name = "fps", .short_name = 'r', .type = SH_OPT_RATE, .dest = &fps,
	 .help = "output frame rate; unset: the bottom layer's"},
	{.name = "fit", .type = SH_OPT_CHOICE, .dest = &fit, .choices = SH_FRAME_FIT_CHOICES,
	 .help = "how layers of another aspect fill the frame"},
	{.name = "chroma", .short_name = 'C', .type = SH_OPT_CHOICE, .dest = &chroma, .choices = SH_CHROMA_CHOICES,
	 .arg = "CHROMA", .help = "y4m chroma"},
	{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &duration, .scale = 1,
	 .help = "output length; the bottom layer loops to fill it; unset: the bottom layer's length"},
	{.name = "random-trim", .short_name = 't', .type = SH_OPT_FLAG, .dest = &random_trim,
	 .help = "start each source at a random point (seeded)"},
	{.name = "no-loop", .type = SH_OPT_FLAG, .dest = &no_loop,
	 .help = "upper layers that end freeze on their last frame instead of looping"},
	{.name = "record", .type = SH_OPT_STRING, .dest = &record_path, .no_preset = true, .arg = "FILE",
	 .help = "write the session (sources, trims, keys, seed) as JSON to FILE"},
	{.name = "replay", .type = SH_OPT_STRING, .dest = &replay_path, .no_preset = true, .arg = "FILE",
	 .help = "render a recorded session again, bit-exact"},
	{.name = "plot", .type = SH_OPT_STRING, .dest = &plot_path, .no_preset = true, .arg = "FILE.png",
	 .help = "draw each layer's first frame, what its key leaves of it and the key as a PNG"},
	{0},
};

/* What a run composites: the layers, the output geometry, its length and seed. */
typedef struct {
	layer *L;
	int n;
	sh_media_video_opts vo;
	int64_t max_frames;     /* -1: as long as the bottom layer */
	double out_dur;         /* --duration in seconds, 0 unset */
	uint64_t seed;
	uint32_t fixed[SH_KEY_MAX_COLORS];
	int nfixed;
	sh_rng lrng[64];        /* one stream per layer */
	sh_y4m_info info;       /* the output's header */
} plan;

/* The layers and geometry from the command line (or the session file), checked
 * before any file is opened. */
static void validate(plan *p, char **names, int n, uint64_t seed)
{
	sh_media_video_opts_default(&p->vo);
	p->max_frames = -1;
	p->seed = seed;
	p->n = n;
	if (replay_path) {
		if (n > 0)
			sh_usage_error("--replay takes its sources from the session file, not the command line");
		p->L = load_session(replay_path, &p->n, &p->vo, &p->max_frames, &p->seed);
		return;
	}
	if (n < 1)
		sh_usage_error("no layers (usage: %s)", usage);
	if (n > 64)
		sh_usage_error("%d layers: 64 at most", n);
	int stdin_layers = 0;
	for (int i = 0; i < n; i++)
		stdin_layers += !strcmp(names[i], "-");
	if (stdin_layers > 1)
		sh_usage_error("only one layer can come from stdin");
	if (!strcmp(mode, "fixed") && sh_parse_colors(colors, p->fixed, &p->nfixed) != 0)
		sh_usage_error("--colors: %s", sh_error());
	if (sh_media_video_opts_cli(&p->vo, size, fit, chroma, fps) != 0)
		sh_usage_error("%s", sh_error());
	p->L = sh_calloc((size_t)n, sizeof *p->L);
	for (int i = 0; i < n; i++)
		p->L[i].source = sh_strdup(names[i]);
	sh_note("seed %llu", (unsigned long long)p->seed);
}

/* --plot is checked before any file is opened, so a long run cannot fail at its end. */
static void check_plot_path(void)
{
	if (!plot_path)
		return;
	if (!strcmp(plot_path, "-") && (!out_path || !strcmp(out_path, "-")))
		sh_usage_error("--plot -: standard output carries the video (name a file, or write the video with -o)");
	if (sh_plot_check_path(plot_path) != 0)
		sh_die("--plot %s", sh_error());
}

/* Geometry and length from the bottom layer where not given, then the draws, in
 * layer order: trim, similarity, blend (the kmeans seeding comes later). */
static void plan_layers(plan *p)
{
	layer *L = p->L;
	const sh_media_info *bi = sh_media_get_info(L[0].m);
	if (!p->vo.width) {
		p->vo.width = bi->width;
		p->vo.height = bi->height;
	}
	if (!p->vo.fps_num) {
		p->vo.fps_num = bi->fps_num && !bi->is_image ? bi->fps_num : 25;
		p->vo.fps_den = bi->fps_num && !bi->is_image ? bi->fps_den : 1;
	}
	if (sh_option_given(options, "duration")) {
		if (sh_duration_seconds(&duration, 0, (double)p->vo.fps_num / p->vo.fps_den, 0, &p->out_dur) != 0)
			sh_usage_error("--duration: %s", sh_error());
		p->max_frames = llround(p->out_dur * p->vo.fps_num / p->vo.fps_den);
	}
	for (int i = 0; i < p->n; i++) {
		const sh_media_info *mi = sh_media_get_info(L[i].m);
		bool is_stdin = !strcmp(L[i].source, "-");
		L[i].loop = i == 0 ? p->max_frames >= 0 : !no_loop;
		if (is_stdin || mi->is_image)
			L[i].loop = false;
		double room = mi->duration - (i == 0 && p->out_dur > 0 ? p->out_dur : 0);
		if (i == 0 && p->max_frames < 0)
			room = mi->duration * 0.5; /* the bottom decides the length: keep half of it */
		if (random_trim && !is_stdin && mi->duration > 0 && room > 0)
			L[i].start = floor(sh_rng_uniform(&p->lrng[i]) * room * 1000) / 1000; /* whole milliseconds */
		else
			sh_rng_skip(&p->lrng[i], 1); /* the trim's draw, made or not, so streams stay aligned */
		if (i > 0) {
			L[i].key.similarity = sh_rng_between(&p->lrng[i], similarity.lo, similarity.hi);
			L[i].key.blend = sh_rng_between(&p->lrng[i], blend.lo, blend.hi);
		}
	}
}

/* Every layer open, checked and decoding ahead on up to JOBS threads each (all
 * errors before any output). */
static void open_layers(plan *p, int jobs)
{
	sh_rng master;
	sh_rng_seed(&master, p->seed);
	for (int i = 0; i < p->n; i++)
		p->lrng[i] = sh_rng_fork(&master);
	for (int i = 0; i < p->n; i++) {
		p->L[i].m = sh_media_open(p->L[i].source);
		if (!p->L[i].m)
			sh_die("%s", sh_error());
		sh_media_set_threads(p->L[i].m, jobs);
		if (!sh_media_get_info(p->L[i].m)->has_video)
			sh_die("%s: no video stream", p->L[i].source);
	}
	if (!replay_path)
		plan_layers(p);
	for (int i = 0; i < p->n; i++) {
		sh_media_video_opts lo = p->vo;
		lo.start = p->L[i].start;
		lo.loop = p->L[i].loop;
		lo.duration = 0;
		sh_y4m_info li;
		if (sh_media_video_begin(p->L[i].m, &lo, &li) != 0)
			sh_die("%s", sh_error());
		if (i == 0)
			p->info = li;
		p->L[i].rd = sh_media_reader_start(p->L[i].m, li.frame_size, 3);
		if (!p->L[i].rd)
			sh_die("%s", sh_error());
	}
}

/* The next frame of an upper layer, frozen on its last one once it ends. */
static void next_upper(layer *l)
{
	if (l->ended)
		return;
	int r = sh_media_reader_next(l->rd, &l->frame);
	if (r < 0)
		sh_die("%s", sh_error());
	if (r == 0) {
		if (!l->have)
			sh_die("%s: no frames", l->source);
		l->ended = true;
	} else {
		l->have = true;
	}
}

/* The writer thread (-j above 1): frames from `full` to the output, buffers back
 * to `empty`. A write error ends the run from here, as it would on the main
 * thread. */
#define OUT_BUFFERS 3
typedef struct {
	sh_y4m_out *out;
	sh_queue *full, *empty;
} writer_ctx;

static void *writer(void *arg)
{
	writer_ctx *w = arg;
	uint8_t *buf;
	while ((buf = sh_queue_pop(w->full))) {
		if (sh_y4m_write_frame(w->out, buf) != 0)
			sh_die("%s", sh_error());
		sh_queue_push(w->empty, buf);
	}
	return NULL;
}

/* Composite frame after frame to the output; returns the frames written. */
static int64_t composite(plan *p, int jobs)
{
	const sh_y4m_info *info = &p->info;
	layer *L = p->L;
	sh_pool *pool = NULL;
	if (jobs > 1 && !(pool = sh_pool_new(jobs)))
		sh_die("%s", sh_error());
	sh_keyer *kr = sh_keyer_new(info);
	sh_keyer_threads(kr, pool);
	uint8_t *bufs[OUT_BUFFERS] = {0};
	int nbufs = jobs > 1 ? OUT_BUFFERS : 1;
	writer_ctx w = {0};
	pthread_t wt;
	bool writing = false;
	for (int i = 0; i < nbufs; i++)
		bufs[i] = sh_malloc(info->frame_size);
	if (jobs > 1) {
		w.full = sh_queue_new(OUT_BUFFERS);
		w.empty = sh_queue_new(OUT_BUFFERS);
		for (int i = 0; i < nbufs; i++)
			sh_queue_push(w.empty, bufs[i]);
	}
	uint8_t *comp = bufs[0];
	sh_y4m_out *out = NULL;
	int64_t k = 0;
	sh_progress pr;
	sh_progress_start(&pr, "compositing");
	for (; p->max_frames < 0 || k < p->max_frames; k++) {
		/* the bottom layer decides when the output ends (unless --duration) */
		int r = sh_media_reader_next(L[0].rd, &L[0].frame);
		if (r < 0)
			sh_die("%s", sh_error());
		if (r == 0) {
			if (k == 0)
				sh_die("%s: no frames", L[0].source);
			if (p->max_frames < 0)
				break;
			/* recorded length longer than a source that cannot loop: hold */
		}
		if (jobs > 1)
			comp = sh_queue_pop(w.empty);
		memcpy(comp, L[0].frame, info->frame_size);
		for (int i = 1; i < p->n; i++) {
			layer *l = &L[i];
			next_upper(l);
			if (!l->analysed)
				analyse(l, info, &p->lrng[i], p->fixed, p->nfixed);
			if (plot_path && !l->first) {
				l->first = sh_malloc(info->frame_size);
				memcpy(l->first, l->frame, info->frame_size);
			}
			const uint8_t *bg = NULL;
			if (l->key.kind == SH_KEY_BACKGROUND) {
				if (!l->bg) {
					l->bg = sh_median_bg_new(info, (int)window, (int)interval);
					sh_median_bg_threads(l->bg, pool);
				}
				bg = sh_median_bg_feed(l->bg, l->frame);
			}
			sh_key_over(kr, &l->key, l->frame, bg, comp);
		}
		if (!out && !(out = sh_y4m_create(out_path, info)))
			sh_die("%s", sh_error());
		if (jobs > 1 && !writing) {
			w.out = out;
			if (pthread_create(&wt, NULL, writer, &w) != 0)
				sh_die("cannot start a thread");
			writing = true;
		}
		if (jobs > 1)
			sh_queue_push(w.full, comp);
		else if (sh_y4m_write_frame(out, comp) != 0)
			sh_die("%s", sh_error());
		if (p->max_frames > 0)
			sh_progress_update(&pr, (double)k / p->max_frames);
	}
	sh_progress_end(&pr);
	if (jobs > 1) {
		sh_queue_close(w.full);
		if (writing)
			pthread_join(wt, NULL);
		sh_queue_free(w.full);
		sh_queue_free(w.empty);
	}
	if (sh_y4m_finish(out) != 0)
		sh_die("%s", sh_error());
	for (int i = 0; i < nbufs; i++)
		free(bufs[i]);
	sh_keyer_free(kr);
	sh_pool_free(pool);
	return k;
}

/* --plot: a row per keyed layer -- its first frame, what its key leaves of that
 * frame over a checkerboard, and the key (its colours as swatches, or what it
 * keys), similarity and blend -- the picture to look at before trusting a
 * k-means or motion key on a long render. */
static void plot_keys(plan *p)
{
	const sh_y4m_info *info = &p->info;
	int rows = p->n - 1, w = info->width, h = info->height;
	const double col = 1.0 / 3, gap = 0.012;
	/* rows as tall as a 360-pixel-wide thumbnail of the frame, within bounds */
	int row_h = (int)fmin(fmax(360.0 * h / w, 90), 360) + 8;
	if (48 + rows * row_h > 16384) /* 64 layers still fit, in thinner rows */
		row_h = (16384 - 48) / rows;
	sh_plot *pl = sh_plot_new(1200, 24 + 24 + rows * row_h, 0, 1);
	if (!pl)
		sh_die("--plot %s: %s", plot_path, sh_error());
	char text[512];
	const char *base = strrchr(p->L[0].source, '/');
	snprintf(text, sizeof text, "colorkey: %d layer%s over %s", rows, rows == 1 ? "" : "s",
	         base ? base + 1 : p->L[0].source);
	sh_plot_title(pl, text);
	sh_plot_legend(pl, "first frame", 0x3c6e96);
	sh_plot_legend(pl, "what the key leaves (checks: see-through)", 0x9a9aa2);
	sh_plot_legend(pl, "the key", 0xe0a040);
	uint8_t *rgb = sh_malloc((size_t)w * h * 3), *dst = sh_malloc(info->frame_size);
	sh_keyer *kr = sh_keyer_new(info);
	for (int i = 1; i < p->n; i++) {
		layer *l = &p->L[i];
		if (!l->first)
			continue;
		double v1 = 1 - (double)(i - 1) / rows - gap, v0 = 1 - (double)i / rows + gap, mid = (v0 + v1) / 2;
		sh_frame_rgb(info, l->first, rgb);
		sh_plot_image(pl, 0, v0, col - gap, v1, rgb, NULL, w, h);
		const uint8_t *bg = l->key.kind == SH_KEY_BACKGROUND && l->bg ? sh_median_bg_feed(l->bg, l->first) : NULL;
		memcpy(dst, l->first, info->frame_size);
		sh_key_over(kr, &l->key, l->first, bg, dst);
		sh_plot_image(pl, col + gap, v0, 2 * col - gap, v1, rgb, sh_keyer_alpha(kr), w, h);
		/* the key column: what, then how */
		double t0 = 2 * col + gap, t1 = 1, tc = (t0 + t1) / 2, cw = (t1 - t0) * 1200 - 12;
		const char *name = strrchr(l->source, '/');
		snprintf(text, sizeof text, "layer %d: %s", i, name ? name + 1 : l->source);
		sh_plot_label(pl, tc, v1 - (v1 - v0) * 0.1, text, 0xe8e8f0, cw);
		const char *what = l->key.kind == SH_KEY_COLORS ? "keys these colours"
		                 : l->key.kind == SH_KEY_DARK   ? "keys the dark parts"
		                 : l->key.kind == SH_KEY_BRIGHT ? "keys the bright parts"
		                                                : "keys what stands still";
		sh_plot_label(pl, tc, v1 - (v1 - v0) * 0.25, what, 0xc8c8d0, cw);
		snprintf(text, sizeof text, "similarity %.3f, blend %.3f", l->key.similarity, l->key.blend);
		sh_plot_label(pl, tc, v0 + (v1 - v0) * 0.1, text, 0xc8c8d0, cw);
		int nc = l->key.kind == SH_KEY_COLORS ? l->key.ncolors : 0;
		for (int c = 0; c < nc; c++) {
			double a = t0 + (t1 - t0) * c / nc, b = t0 + (t1 - t0) * (c + 1) / nc;
			sh_plot_span(pl, a + 0.004, b - 0.004, mid - (v1 - v0) * 0.02, mid + (v1 - v0) * 0.18,
			             l->key.rgb[c], 1, NULL);
			char hexs[16];
			hex(l->key.rgb[c], hexs);
			sh_plot_label(pl, (a + b) / 2, mid - (v1 - v0) * 0.1, hexs, 0xc8c8d0, (b - a) * 1200 - 4);
		}
	}
	sh_keyer_free(kr);
	free(rgb);
	free(dst);
	if (sh_plot_write_png(pl, plot_path) != 0)
		sh_die("--plot %s", sh_error());
	sh_plot_free(pl);
}

/* The session file: what --replay needs to render the same bytes. */
static void record(const plan *p, int64_t frames)
{
	/* the folder the session is written to: its sources are named from there */
	char *at = NULL;
	const char *slash = strcmp(record_path, "-") ? strrchr(record_path, '/') : NULL;
	if (slash) {
		at = sh_strdup(record_path);
		at[slash - record_path + (slash == record_path)] = 0;
	}
	json_t *s = session_json(options, p->seed, &p->info, fit, frames, p->L, p->n, at ? at : ".");
	free(at);
	if (replay_path) {
		/* keep the recorded geometry names */
		sh_frame_fit f = p->vo.fit;
		json_object_set_new(json_object_get(s, "output"), "fit",
		                    json_string(f == SH_FRAME_FIT_CROP ? "crop" : f == SH_FRAME_FIT_PAD ? "pad" : "stretch"));
	}
	size_t len;
	char *text = sh_json_text(s, 17, &len);
	if (!text || sh_media_write_text(record_path, text, len) != 0)
		sh_die("%s", sh_error());
	free(text);
	json_decref(s);
}

static sh_program prog = {
	.usage = usage,
	.summary = "layer videos with colour keys: fixed colours, k-means, luminance or motion",
	.has_seed = true,
	.has_jobs = true,
};

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (out_path && !(out_path = sh_media_output(out_path)))
		sh_die("%s", sh_error());

	plan p = {0};
	validate(&p, argv + first, argc - first, prog.seed);
	check_plot_path();
	open_layers(&p, prog.jobs);
	int64_t frames = composite(&p, prog.jobs);
	for (int i = 1; i < p.n; i++)
		if (p.L[i].analysed)
			sh_note("layer %d (%s): %s key, similarity %.3f, blend %.3f", i, p.L[i].source,
			        kind_name(p.L[i].key.kind), p.L[i].key.similarity, p.L[i].key.blend);
	if (record_path)
		record(&p, frames);
	if (plot_path)
		plot_keys(&p);
	for (int i = 0; i < p.n; i++) {
		sh_media_reader_stop(p.L[i].rd);
		sh_media_close(p.L[i].m);
		sh_median_bg_free(p.L[i].bg);
		free(p.L[i].first);
		free(p.L[i].source);
	}
	free(p.L);
	return 0;
}
