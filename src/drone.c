/* drone -- the afterglow drone maker: a tonal source time-stretched by each
 * factor, pitch-shifted by each interval (Rubber Band), coloured by each filter
 * variant (warm, airy, dark), optionally conformed to a key, folded to mono and
 * normalised; one drone to stdout or a file, or every combination into a folder
 * (-d), with names that say what each is. */
#include <errno.h>
#include <fenv.h>
#include <limits.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "drone.h"
#include "musickey.h"

static int check_settings(void);
static sh_program prog = {
	.check = check_settings,
	.usage = "drone [-s LIST] [-P LIST] [-V LIST] [-k KEY] [-N] [--peak DB] [-o FILE | -d DIR] [FILE...]",
	.summary = "Stretch, shift and colour tonal sources into drones: one, or a folder of every combination.",
	.has_jobs = true, /* -d: pairs of stretch and pitch rendered side by side */
};

static struct {
	const char *stretches, *pitches, *variants;
	double amount;
	const char *to_key, *from_key;
	bool normalize;
	double peak;
	bool mono, formant;
	const char *engine;
	const char *output, *dir, *bits, *name;
	int64_t rate;
} opt = {
	.stretches = "4",    /* x source length: 2 a slow bloom, 4 a held breath, 16 a frozen smear */
	.pitches = "0",      /* semitones: -12 an octave down (a floor), 7 a fifth up (a halo), 0.1 a detune */
	.variants = "warm",  /* dry untouched, warm tape-soft, airy open and breathy, dark from the next room */
	.amount = 0.5,       /* colour: 0 none, 1 heavy */
	.peak = -1,          /* dBFS: -1 loud and safe, -12 headroom for layering */
	.engine = "finer",   /* finer smooth (R3), faster crisper and phasier (R2) */
};

static sh_option options[] = {
	{.name = "stretch", .short_name = 's', .type = SH_OPT_STRING, .dest = &opt.stretches, .arg = "LIST",
	 .help = "length factors, 0.01..100 each (2,4,8): 2 a slow bloom, 16 a frozen smear"},
	{.name = "pitch", .short_name = 'P', .type = SH_OPT_STRING, .dest = &opt.pitches, .arg = "LIST",
	 .unit = "semitones", .help = "shifts, -48..48 each (-12,0,7): -12 a floor an octave down, 7 a halo a fifth up"},
	{.name = "variants", .short_name = 'V', .type = SH_OPT_STRING, .dest = &opt.variants, .arg = "LIST",
	 .help = "colours, any of dry, warm (tape-soft), airy (open, breathy), dark (from the next room)"},
	{.name = "amount", .short_name = 'a', .type = SH_OPT_DOUBLE, .dest = &opt.amount, .min = 0, .max = 1,
	 .arg = "A", .help = "how strong the colours are, 0..1: 0 none, 1 heavy"},
	{.name = "to-key", .short_name = 'k', .type = SH_OPT_STRING, .dest = &opt.to_key, .arg = "KEY",
	 .help = "conform to KEY (A, F#m, Eb major): the source's tonic moves to KEY's by the shortest interval"},
	{.name = "from-key", .type = SH_OPT_STRING, .dest = &opt.from_key, .arg = "KEY",
	 .help = "the source's key for --to-key, instead of detecting it"},
	{.name = "normalize", .short_name = 'N', .type = SH_OPT_FLAG, .dest = &opt.normalize,
	 .help = "scale each drone so its sample peak is --peak"},
	{.name = "peak", .type = SH_OPT_DOUBLE, .dest = &opt.peak, .min = -60, .max = 0, .arg = "DB", .unit = "dBFS",
	 .help = "normalise to this sample peak, -60..0 (implies -N): -1 loud and safe, -12 room for layering"},
	{.name = "mono", .type = SH_OPT_FLAG, .dest = &opt.mono, .help = "fold to one channel, centred"},
	{.name = "formant", .short_name = 'F', .type = SH_OPT_FLAG, .dest = &opt.formant,
	 .help = "keep the formants when shifting: voices shift without chipmunking"},
	{.name = "engine", .type = SH_OPT_CHOICE, .dest = &opt.engine, .choices = "finer|faster",
	 .help = "Rubber Band engine: finer (R3) smooth, faster (R2) crisper"},
	SH_AUDIO_OUTPUT_OPTION(opt.output),
	{.name = "dir", .short_name = 'd', .type = SH_OPT_STRING, .dest = &opt.dir, .arg = "DIR", .no_preset = true,
	 .help = "folder mode: every stretch x pitch x variant of every source as DIR/NAME_sS_pP_VARIANT.wav"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &opt.rate, .min = 8000, .max = 192000,
	 .arg = "HZ", .unit = "Hz", .help = "output rate (default: the source's; 44100 with -d)"},
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "name", .type = SH_OPT_STRING, .dest = &opt.name, .arg = "NAME", .no_preset = true,
	 .help = "source name in -d file names (default: the file's name; stdin: \"stdin\")"},
	{0},
};

enum { MAX_STRETCHES = 16, MAX_PITCHES = 49 };

/* What the run does, settled from the options before any audio is read. */
typedef struct {
	double stretch[MAX_STRETCHES], pitch[MAX_PITCHES];
	size_t ns, np;
	sh_drone_opts d;     /* stretch and pitch filled per render */
	int to_tonic, from_tonic;
	bool to_minor;
	char key[8];         /* the target in file names: "Am", "F#" */
	int bits;
	int nsrc;
} plan;

/* "4,8" or "-12,0,7": numbers within LO..HI, none twice. */
static size_t parse_numbers(const char *opt_name, const char *what, const char *text, double lo, double hi,
                            bool positive, double *out, size_t cap)
{
	size_t n = 0;
	const char *s = text;
	for (;;) {
		const char *comma = strchr(s, ',');
		size_t len = comma ? (size_t)(comma - s) : strlen(s);
		char item[64];
		snprintf(item, sizeof item, "%.*s", (int)len, s);
		double v;
		if (len >= sizeof item || sh_parse_double(item, &v) != 0)
			sh_usage_error("--%s: '%s' is not %s (a list: %s)", opt_name, item, what,
			               positive ? "2,4,8" : "-12,0,7");
		if (positive && v <= 0)
			sh_usage_error("--%s: %s is not a positive factor", opt_name, item);
		if (v < lo || v > hi)
			sh_usage_error("--%s: %s is outside %g..%g", opt_name, item, lo, hi);
		for (size_t i = 0; i < n; i++)
			if (out[i] == v)
				sh_usage_error("--%s: %s is listed twice", opt_name, item);
		if (n == cap)
			sh_usage_error("--%s: more than %zu values", opt_name, cap);
		out[n++] = v;
		if (!comma)
			break;
		s = comma + 1;
	}
	return n;
}

static void parse_variants(const char *text, sh_drone_opts *d)
{
	if (!*text || text[strlen(text) - 1] == ',' || strstr(text, ",,") || *text == ',')
		sh_usage_error("--variants: '%s' is not a list of variants (there are: %s)", text, SH_DRONE_VARIANTS);
	char *copy = sh_strdup(text), *save = NULL;
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
		const char *v = sh_drone_variant(t);
		if (!v) {
			free(copy);
			sh_usage_error("--variants: %s", sh_error());
		}
		for (size_t i = 0; i < d->nvariants; i++)
			if (d->variants[i] == v) {
				free(copy);
				sh_usage_error("--variants: %s is listed twice", v);
			}
		/* each of the few names at most once: the array holds them all */
		d->variants[d->nvariants++] = v;
	}
	free(copy);
}

/* The settings alone (lists, colours, keys), as --print-config checks them too. */
static void settings(plan *pl)
{
	pl->ns = parse_numbers("stretch", "a length factor", opt.stretches, 0.01, 100, true, pl->stretch,
	                       MAX_STRETCHES);
	pl->np = parse_numbers("pitch", "a number of semitones", opt.pitches, -48, 48, false, pl->pitch,
	                       MAX_PITCHES);
	parse_variants(opt.variants, &pl->d);
	pl->d.amount = opt.amount;
	pl->d.formant = opt.formant;
	pl->d.faster = !strcmp(opt.engine, "faster");
	pl->d.mono = opt.mono;
	/* --peak says where: normalising is then what is asked for */
	pl->d.normalize = opt.normalize || sh_option_given(options, "peak");
	pl->d.peak_db = opt.peak;
	pl->to_tonic = pl->from_tonic = -1;
	if (opt.from_key && !opt.to_key)
		sh_usage_error("--from-key needs --to-key");
	bool minor;
	if (opt.to_key) {
		if (sh_key_parse(opt.to_key, &pl->to_tonic, &pl->to_minor) != 0)
			sh_usage_error("--to-key: %s", sh_error());
		snprintf(pl->key, sizeof pl->key, "%s%s", sh_key_tonic_name(pl->to_tonic, pl->to_minor),
		         pl->to_minor ? "m" : "");
	}
	if (opt.from_key && sh_key_parse(opt.from_key, &pl->from_tonic, &minor) != 0)
		sh_usage_error("--from-key: %s", sh_error());
}

static int check_settings(void)
{
	plan pl = {0};
	settings(&pl);
	return 0;
}

static void validate(int argc, int first, plan *pl)
{
	settings(pl);
	pl->nsrc = argc - first > 0 ? argc - first : 1;
	if (opt.output && opt.dir)
		sh_usage_error("-o writes one drone; it does not go with -d");
	if (opt.name && pl->nsrc > 1)
		sh_usage_error("--name names one source, got %d", pl->nsrc);
	pl->bits = sh_parse_bits(opt.bits);
	if (opt.dir) {
		if (!opt.bits)
			pl->bits = 24;
		if (sh_audio_check_output("drone.wav", pl->bits, 0, 0) != 0)
			sh_usage_error("%s", sh_error());
		return;
	}
	size_t combos = pl->ns * pl->np * pl->d.nvariants;
	if (combos > 1)
		sh_usage_error("one drone goes to %s: give one stretch, one pitch and one variant (here %zu x %zu x %zu), "
		               "or -d DIR for them all", opt.output ? "-o" : "standard output", pl->ns, pl->np,
		               pl->d.nvariants);
	if (pl->nsrc > 1)
		sh_usage_error("one drone goes to %s: give one source, or -d DIR for several",
		               opt.output ? "-o" : "standard output");
	if (sh_audio_check_output(opt.output, pl->bits, 0, 0) != 0)
		sh_usage_error("%s", sh_error());
	if ((!opt.output || !strcmp(opt.output, "-")) && sh_stdout_binary() != 0)
		sh_die("%s", sh_error());
}

/* -d: a DIR that could never be made (under a file, or in a folder this user
 * cannot write) fails at once; the folder itself is made with the first drone,
 * so a run that writes nothing leaves nothing behind. */
static void check_dir(void)
{
	char *up = sh_dir_blocker(opt.dir);
	if (up)
		sh_die("%s: cannot create the folder: %s is not a folder this user can write", opt.dir, up);
}

/* -d: this run made DIR, and has put nothing in it yet */
static bool dir_made, dir_used;

/* -d: the stems already used in this run (x/s.wav and y/s.wav both have "s"). */
static char **stems;
static size_t nstems;

/* The name a source's files start with: --name, the file's name or "stdin";
 * one this run has used already gets six hex digits of a hash of the source's
 * full path, the same in every run. */
static char *unique_stem(const char *path)
{
	char *stem = opt.name ? sh_file_stem(opt.name, false) : sh_file_stem(strcmp(path, "-") ? path : "stdin", true);
	bool taken = false;
	for (size_t i = 0; i < nstems; i++)
		taken |= !strcmp(stems[i], stem);
	if (taken) {
		char real[PATH_MAX];
		const char *id = realpath(path, real) ? real : path;
		uint64_t h = 1469598103934665603ULL; /* FNV-1a */
		for (const char *c = id; *c; c++)
			h = (h ^ (unsigned char)*c) * 1099511628211ULL;
		size_t n = strlen(stem) + 8;
		char *s = sh_malloc(n);
		snprintf(s, n, "%s-%06llx", stem, (unsigned long long)(h & 0xffffff));
		free(stem);
		stem = s;
	}
	stems = sh_realloc(stems, nstems + 1, sizeof *stems);
	stems[nstems++] = sh_strdup(stem);
	return stem;
}

/* A source, open, at the output rate, with its key shift found. */
typedef struct {
	sh_audio_in *in;
	sh_audio_source *src;
	int rate, ch;
	int shift;           /* semitones to the target key */
} source;

static void source_close(source *s)
{
	sh_audio_source_close(s->src);
	sh_audio_close(s->in);
}

/* 0, or -1 with sh_error() naming the source. */
static int source_open(const plan *pl, const char *path, source *s)
{
	memset(s, 0, sizeof *s);
	if (!(s->in = sh_audio_open(path)))
		return -1;
	s->rate = sh_audio_rate(s->in);
	s->ch = sh_audio_channels(s->in);
	int want = opt.rate ? (int)opt.rate : opt.dir ? 44100 : s->rate;
	if (want != s->rate) {
		if (sh_audio_resample_to(s->in, want) != 0) /* which notes it with -v */
			goto fail;
		s->rate = want;
	}
	if (!(s->src = sh_audio_source_open(s->in, (size_t)64 << 20)))
		goto fail;
	if (pl->to_tonic >= 0) {
		int tonic;
		bool minor;
		if (sh_drone_key_shift(s->src, s->rate, s->ch, pl->from_tonic, pl->to_tonic, &s->shift, &tonic,
		                       &minor) != 0) {
			char *why = sh_strdup(sh_error());
			sh_set_error("%s: %s", sh_audio_name(s->in), why);
			free(why);
			goto fail;
		}
		char a[32], b[32];
		sh_note("%s: source key %s%s, target %s: %+d semitones", sh_audio_name(s->in),
		        pl->from_tonic >= 0 ? sh_pitch_class_name(tonic) : sh_key_name(tonic, minor, a, sizeof a),
		        pl->from_tonic >= 0 ? " (given)" : "", sh_key_name(pl->to_tonic, pl->to_minor, b, sizeof b),
		        s->shift);
	}
	return 0;
fail:
	source_close(s);
	return -1;
}

static void note_render(const sh_drone_opts *d, const source *s)
{
	sh_note("stretch %g, pitch %+g semitones%s", d->stretch, d->pitch, s->shift ? " (with the key shift)" : "");
}

/* The render options for stretch S and pitch P of a source. */
static sh_drone_opts render_opts(const plan *pl, const source *s, double stretch, double pitch)
{
	sh_drone_opts d = pl->d;
	d.stretch = stretch;
	d.pitch = pitch + s->shift;
	return d;
}

/* stdout / -o: the one drone. */
static int one_drone(const plan *pl, const char *path)
{
	source s;
	if (source_open(pl, path, &s) != 0)
		sh_die("%s", sh_error());
	sh_drone_opts d = render_opts(pl, &s, pl->stretch[0], pl->pitch[0]);
	note_render(&d, &s);
	int ch = sh_drone_channels(&d, s.ch);
	if (sh_audio_check_output(opt.output, pl->bits, s.rate, ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out_opts oo = {.bits = pl->bits, .dither_seed = 0x64726f6eu};
	sh_audio_out *out = sh_audio_create(opt.output, s.rate, ch, &oo);
	if (!out || sh_drone_render(&d, s.src, s.rate, s.ch, &out) != 0 || sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	source_close(&s);
	return 0;
}

/* -d: one pair of stretch and pitch, its variants' files open (on the main
 * thread: the list of files to remove on a fatal signal is not shared between
 * threads), rendered on any thread. */
typedef struct {
	const source *s;
	const char *path;    /* to open a file again: its reader seeks, so threads share none */
	bool own;
	sh_drone_opts d;
	sh_audio_out *outs[SH_DRONE_MAX_VARIANTS];
	sh_drone *drone;     /* the variants' processors, made on the main thread */
	char *msgs;          /* notes made on the thread, written in the order of the pairs */
	fenv_t env;          /* the main thread's floating-point mode, for the same bytes on any thread */
	int rc;
	char err[1024];
} pair_job;

static void pair_run(void *ctx, int i)
{
	pair_job *j = &((pair_job *)ctx)[i];
	fesetenv(&j->env);
	sh_messages_capture(&j->msgs);
	note_render(&j->d, j->s);
	sh_audio_in *in = NULL;
	sh_audio_source *src = j->s->src;
	j->rc = 0;
	if (j->own && (!(in = sh_audio_open(j->path)) || !(src = sh_audio_source_open(in, (size_t)64 << 20))))
		j->rc = -1;
	if (j->rc == 0)
		j->rc = sh_drone_run(j->drone, src);
	if (j->rc != 0)
		snprintf(j->err, sizeof j->err, "%s", sh_error());
	if (j->own) {
		sh_audio_source_close(src);
		sh_audio_close(in);
	}
	sh_messages_capture(NULL);
}

/* -d: every combination of one source, rendered a batch of pairs at a time on
 * the pool's threads (each pair as it would be alone: the same bytes for any
 * -j), written under temporary names and put in place together once all are
 * on disk. 0, or -1 with sh_error() (nothing of this source left behind). */
static int export_source(const plan *pl, sh_pool *pool, const char *path)
{
	source s;
	if (source_open(pl, path, &s) != 0)
		return -1;
	char *stem = unique_stem(path);
	const size_t nv = pl->d.nvariants, npairs = pl->ns * pl->np, total = npairs * nv;
	struct sh_atomic **held = sh_calloc(total, sizeof *held);
	char **names = sh_calloc(total, sizeof *names);
	/* a pipe's source is in memory or a spool file, which any thread may read;
	 * a named file is opened again by each pair, as its reader seeks; standard
	 * input redirected from a file seeks too and cannot be opened again, so its
	 * pairs go one at a time */
	const bool seeks = sh_audio_seekable(s.in), named = strcmp(path, "-") != 0;
	const int per = seeks && !named ? 1 : sh_pool_threads(pool);
	pair_job *jobs = sh_calloc((size_t)per, sizeof *jobs);
	bool made;
	int r = sh_mkdirs(opt.dir, &made);
	dir_made |= made;
	for (size_t b0 = 0; b0 < npairs && r == 0; b0 += (size_t)per) {
		const int n = npairs - b0 < (size_t)per ? (int)(npairs - b0) : per;
		for (int k = 0; k < n; k++) {
			const size_t pair = b0 + (size_t)k, i = pair / pl->np, jp = pair % pl->np;
			pair_job *j = &jobs[k];
			memset(j, 0, sizeof *j);
			j->s = &s;
			j->path = path;
			j->own = per > 1 && seeks;
			fegetenv(&j->env);
			j->d = render_opts(pl, &s, pl->stretch[i], pl->pitch[jp]);
			int ch = sh_drone_channels(&j->d, s.ch);
			for (size_t v = 0; v < nv && r == 0; v++) {
				char *name = sh_drone_file_name(stem, opt.to_key ? pl->key : NULL, pl->stretch[i],
				                                pl->pitch[jp], j->d.variants[v], "wav");
				size_t len = strlen(opt.dir) + strlen(name) + 2;
				char *full = names[pair * nv + v] = sh_malloc(len);
				snprintf(full, len, "%s/%s", opt.dir, name);
				/* 16-bit dither from the file's name: the same bytes every run */
				uint64_t h = 1469598103934665603ULL;
				for (const char *c = name; *c; c++)
					h = (h ^ (unsigned char)*c) * 1099511628211ULL;
				sh_audio_out_opts oo = {.bits = pl->bits, .dither_seed = h};
				if (!(j->outs[v] = sh_audio_create(full, s.rate, ch, &oo)))
					r = -1;
				free(name);
			}
			if (r == 0 && !(j->drone = sh_drone_new(&j->d, s.rate, s.ch, j->outs)))
				r = -1;
		}
		if (r == 0 && per > 1)
			sh_pool_run(pool, n, pair_run, jobs);
		else if (r == 0)
			pair_run(jobs, 0);
		for (int k = 0; k < n; k++) {
			pair_job *j = &jobs[k];
			if (j->msgs)
				fputs(j->msgs, stderr);
			free(j->msgs);
			sh_drone_free(j->drone);
			if (r == 0 && j->rc != 0) {
				sh_set_error("%s", j->err);
				r = -1;
			}
		}
		for (int k = 0; k < n; k++) {
			for (size_t v = 0; v < nv; v++) {
				sh_audio_out *o = jobs[k].outs[v];
				if (!o)
					continue;
				if (r != 0)
					sh_audio_abort(o);
				else if (!(held[(b0 + (size_t)k) * nv + v] = sh_audio_finish_held(o)))
					r = -1;
			}
		}
	}
	/* renames need no room: once every file is synced, all of them go in place */
	for (size_t i = 0; i < total; i++) {
		if (!held[i])
			continue;
		if (r == 0 && sh_atomic_commit(held[i]) == 0) {
			dir_used = true;
			sh_note("wrote %s", names[i]);
		}
		else if (r == 0)
			r = -1;
		else
			sh_atomic_abort(held[i]);
	}
	for (size_t i = 0; i < total; i++)
		free(names[i]);
	free(names);
	free(held);
	free(jobs);
	free(stem);
	source_close(&s);
	if (r != 0 && dir_made && !dir_used)
		rmdir(opt.dir); /* a folder this run made and could not fill goes too */
	return r;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan pl = {0};
	validate(argc, first, &pl);
	int stdin_uses = 0;
	for (int i = first; i < argc; i++)
		stdin_uses += !strcmp(argv[i], "-");
	if (stdin_uses > 1)
		sh_usage_error("stdin can be read only once");
	if (!opt.dir)
		return one_drone(&pl, first < argc ? argv[first] : "-");

	/* -d: a source that cannot be read or written is named in one warning and
	 * skipped; the others are exported, and the run ends with status 1 */
	check_dir();
	sh_pool *pool = sh_pool_new(prog.jobs);
	if (!pool)
		sh_die("%s", sh_error());
	int status = 0;
	for (int k = 0; k < pl.nsrc; k++) {
		if (export_source(&pl, pool, first < argc ? argv[first + k] : "-") != 0) {
			sh_warn("%s", sh_error());
			status = 1;
		}
	}
	sh_pool_free(pool);
	for (size_t i = 0; i < nstems; i++)
		free(stems[i]);
	free(stems);
	return status;
}
