/* padmine -- mine old recordings for pads: find sustained, steady regions, cut
 * them into seamless loops, tag their brightness, grade them A-F; write the best
 * pad to stdout or a file, a folder of pads with a curation manifest (-d), or a
 * JSON report of every candidate (--report). Folders are walked for audio; an
 * export folder remembers its sources (.padmine-state), so a run over an archive
 * mines only what is new or changed, and --shard I/N splits it across runs. */
#include <errno.h>
#include <limits.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "archive_state.h"
#include "audio.h"
#include "cli.h"
#include "dirlock.h"
#include "manifest.h"
#include "pads.h"
#include "plot.h"
#include "shard.h"
#include "stft.h"
#include "walk.h"

static int check_settings(void);
static sh_program prog = {
	.check = check_settings,
	.usage = "padmine [options] [FILE|FOLDER...]",
	.summary = "Find sustained regions in audio and cut them into seamless, graded pad loops.",
	.has_jobs = true, /* sources mined side by side */
};

static struct {
	const char *output;
	const char *dir;
	bool report;
	int64_t count;
	const char *durations;
	double rms_gate;
	int64_t onset_gate;
	double crossfade;
	double seam_search;
	double dark, bright;
	const char *grade_min;
	int64_t rate;
	const char *bits;
	const char *name;
	const char *plot;
	const char *shard;
	const char *ext;
	bool prune;
	bool force;
} opt = {
	.count = 4,            /* pads kept per source in -d mode: 1 for one jewel, 20 to harvest everything steady */
	.durations = "2,4,8",  /* seconds: short loops sound like a held note, long ones breathe and drift */
	.rms_gate = -40,       /* dBFS: -60 mines whispers and room tone, -20 keeps only the lush, loud parts */
	.onset_gate = 0,       /* onsets in a pad: 0 one untouched sustained sound, 1 or 2 let a chord change or a soft hit in */
	.crossfade = 50,       /* ms: 5 is a tight splice (may tick), 300 a soft smear across the seam */
	.seam_search = 20,     /* ms: 0 keeps the length exact, 20 finds a phase match for anything above 25 Hz */
	.dark = 1000,          /* Hz: centroid below this is "dark" (sub, warm, muffled) */
	.bright = 3000,        /* Hz: centroid above this is "bright" (airy, hissy, glassy) */
	.grade_min = "D",      /* lowest grade saved: A keeps only the best, F keeps even silence and clipping */
	/* what a folder is searched for: every extension libsndfile reads audio from */
	.ext = "wav,wave,flac,ogg,oga,opus,mp3,aiff,aif,aifc,au,snd,caf,w64,rf64",
};

static sh_option options[] = {
	{.name = "output", .short_name = 'o', .type = SH_OPT_STRING, .dest = &opt.output, .arg = "FILE",
	 .no_preset = true, .help = "write the best pad to FILE (format by extension) instead of stdout"},
	{.name = "dir", .short_name = 'd', .type = SH_OPT_STRING, .dest = &opt.dir, .arg = "DIR", .no_preset = true,
	 .help = "export mode: DIR/<source>/pads/*.wav and DIR/manifest.csv"},
	{.name = "report", .short_name = 'R', .type = SH_OPT_FLAG, .dest = &opt.report,
	 .help = "print a JSON report of every candidate on stdout instead of audio"},
	{.name = "count", .short_name = 'n', .type = SH_OPT_INT, .dest = &opt.count, .min = 1, .max = 99, .arg = "N",
	 .help = "pads kept per source with -d or --report, 1..99: 1 for one jewel, 20 to harvest everything steady"},
	{.name = "durations", .short_name = 'D', .type = SH_OPT_STRING, .dest = &opt.durations, .arg = "LIST",
	 .unit = "s", .help = "target lengths: a list 2,4,8 or MIN..MAX; short loops hold a note, long ones breathe"},
	{.name = "rms-gate", .short_name = 'g', .type = SH_OPT_DOUBLE, .dest = &opt.rms_gate, .min = -100, .max = 0,
	 .arg = "DB", .unit = "dBFS", .help = "quietest RMS of a pad region, -100..0: -60 mines whispers, -20 only the loud"},
	{.name = "onset-gate", .short_name = 'O', .type = SH_OPT_INT, .dest = &opt.onset_gate, .min = 0, .max = 100,
	 .arg = "N", .help = "most onsets (clear attacks) inside a pad, 0..100: 1 or 2 let a chord change in"},
	{.name = "crossfade", .short_name = 'x', .type = SH_OPT_DOUBLE, .dest = &opt.crossfade, .min = 1, .max = 2000,
	 .arg = "MS", .unit = "ms", .help = "equal-power loop crossfade, 1..2000: 5 is a tight splice, 300 a soft smear"},
	{.name = "seam-search", .type = SH_OPT_DOUBLE, .dest = &opt.seam_search, .min = 0, .max = 200, .arg = "MS",
	 .unit = "ms", .help = "how far the end may move to match the start in phase, 0..200: 0 keeps lengths exact"},
	{.name = "dark", .type = SH_OPT_DOUBLE, .dest = &opt.dark, .min = 20, .max = 20000, .arg = "HZ", .unit = "Hz",
	 .help = "centroid below HZ is tagged dark (sub, warm, muffled)"},
	{.name = "bright", .type = SH_OPT_DOUBLE, .dest = &opt.bright, .min = 20, .max = 20000, .arg = "HZ", .unit = "Hz",
	 .help = "centroid above HZ is tagged bright (airy, hissy, glassy)"},
	{.name = "grade-min", .type = SH_OPT_CHOICE, .dest = &opt.grade_min, .choices = "A|B|C|D|F", .arg = "G",
	 .help = "lowest grade saved: A keeps only the best, F everything (silence and clipping too)"},
	{.name = "rate", .short_name = 'r', .type = SH_OPT_INT, .dest = &opt.rate, .min = 8000, .max = 192000,
	 .arg = "HZ", .unit = "Hz", .help = "output rate (default: the source's; 44100 with -d)"},
	SH_AUDIO_BITS_OPTION(opt.bits),
	{.name = "name", .type = SH_OPT_STRING, .dest = &opt.name, .arg = "NAME", .no_preset = true,
	 .help = "source name for file names and the manifest (default: the file name; stdin: \"stdin\")"},
	{.name = "plot", .type = SH_OPT_STRING, .dest = &opt.plot, .arg = "FILE", .no_preset = true,
	 .help = "also draw each source's waveform with its candidates graded, a PNG in FILE (several sources: FILE_NAME.png)"},
	{.name = "ext", .type = SH_OPT_STRING, .dest = &opt.ext, .arg = "LIST",
	 .help = "extensions a FOLDER is searched for, comma-separated (case does not matter)"},
	{.name = "shard", .type = SH_OPT_STRING, .dest = &opt.shard, .arg = "I/N", .no_preset = true,
	 .help = "mine share I of N (1 <= I <= N): the sources whose path hashes to I; N runs make one whole run"},
	{.name = "prune", .type = SH_OPT_FLAG, .dest = &opt.prune, .no_preset = true,
	 .help = "-d: remove the pads, rows and state of sources no longer found in the FOLDERs walked"},
	{.name = "force", .type = SH_OPT_FLAG, .dest = &opt.force, .no_preset = true,
	 .help = "-d: mine every source again, changed or not"},
	{0},
};

static sh_pad_opts po;

static void parse_durations(const char *text)
{
	po.ndurations = 0;
	sh_range r;
	if (strstr(text, "..")) {
		if (sh_parse_range(text, &r) != 0 || r.lo <= 0)
			sh_usage_error("--durations: '%s' is not MIN..MAX seconds with 0 < MIN <= MAX", text);
		for (double d = r.lo; d < r.hi * (1 - 1e-9) && po.ndurations < SH_PAD_MAX_DURATIONS - 1; d *= 2)
			po.durations[po.ndurations++] = d;
		po.durations[po.ndurations++] = r.hi;
	} else {
		char *copy = sh_strdup(text), *save = NULL;
		for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
			double d;
			if (sh_parse_double(t, &d) != 0 || d <= 0)
				sh_usage_error("--durations: '%s' is not a positive number of seconds", t);
			if (po.ndurations == SH_PAD_MAX_DURATIONS)
				sh_usage_error("--durations: more than %d lengths", SH_PAD_MAX_DURATIONS);
			po.durations[po.ndurations++] = d;
		}
		free(copy);
		if (!po.ndurations)
			sh_usage_error("--durations: no length given");
	}
	for (size_t i = 0; i < po.ndurations; i++) {
		if (po.durations[i] < 0.1 || po.durations[i] > 600)
			sh_usage_error("--durations: %g s is outside 0.1..600", po.durations[i]);
		if (po.durations[i] < 2 * opt.crossfade / 1000)
			sh_usage_error("--durations: %g s is shorter than two crossfades (%g ms)", po.durations[i], opt.crossfade);
	}
}

/* "My Song (live).flac" -> "My_Song__live_" : safe in file names and shells */
static char *source_name(const char *path)
{
	if (opt.name)
		return sh_file_stem(opt.name, false);
	return sh_file_stem(strcmp(path, "-") ? path : "stdin", true);
}

static char *fmt(char buf[32], int decimals, double v)
{
	snprintf(buf, 32, "%.*f", decimals, v);
	return buf;
}

static json_t *num(double v, double q) { return json_real(round(v / q) * q); }

static json_t *pad_json(const sh_pad *p, int rate, size_t rank, bool kept, const char *file)
{
	json_t *o = json_object();
	json_object_set_new(o, "rank", json_integer((json_int_t)rank));
	json_object_set_new(o, "start", num((double)p->start / rate, 1e-4));
	json_object_set_new(o, "duration", num((double)p->frames / rate, 1e-4));
	json_object_set_new(o, "target", json_real(p->target));
	json_object_set_new(o, "onsets", json_integer(p->onsets));
	json_object_set_new(o, "flux", num(p->flux, 1e-4));
	json_object_set_new(o, "level_std_db", num(p->level_std_db, 1e-3));
	json_object_set_new(o, "centroid_std_oct", num(p->centroid_std_oct, 1e-4));
	json_object_set_new(o, "instability", num(p->instability, 1e-4));
	json_object_set_new(o, "rms_db", num(p->rms_db, 1e-2));
	json_object_set_new(o, "peak_db", num(p->peak_db, 1e-2));
	json_object_set_new(o, "crest_db", num(p->crest_db, 1e-2));
	json_object_set_new(o, "centroid_hz", num(p->centroid_hz, 0.1));
	json_object_set_new(o, "pitch_hz", p->pitch_hz > 0 ? num(p->pitch_hz, 0.1) : json_null());
	json_object_set_new(o, "seam_error", num(p->seam_error, 1e-4));
	json_object_set_new(o, "brightness", json_string(p->brightness));
	char g[2] = {p->grade, 0};
	json_object_set_new(o, "grade", json_string(g));
	json_object_set_new(o, "why", json_string(p->why));
	json_object_set_new(o, "kept", json_boolean(kept));
	json_object_set_new(o, "file", file ? json_string(file) : json_null());
	return o;
}

/* Why a source gave no pad, in one line. */
static void no_pad_reason(char *buf, size_t cap, const sh_pad_survey *sv, size_t ncand, char worst_grade, const char *why,
                          int rate)
{
	double shortest = po.durations[0];
	for (size_t i = 1; i < po.ndurations; i++)
		if (po.durations[i] < shortest)
			shortest = po.durations[i];
	if (!sv->windows)
		snprintf(buf, cap, "too short for a pad: %.3f s of audio, %g s is the shortest length asked for (plus %g ms for the seam)",
		         (double)sv->frames / rate, shortest, 1000 * sh_pad_overhang(&po));
	else if (!ncand && sv->loudest_db < -150)
		snprintf(buf, cap, "no sustained region: digital silence");
	else if (!ncand && isinf(sv->fewest_onsets))
		snprintf(buf, cap, "no sustained region: the loudest is %.1f dBFS, below --rms-gate %g", sv->loudest_db, opt.rms_gate);
	else if (!ncand)
		snprintf(buf, cap, "no sustained region: every loud stretch holds %g onsets or more, above --onset-gate %d",
		         sv->fewest_onsets, (int)opt.onset_gate);
	else
		snprintf(buf, cap, "no pad graded %s or better (best: %c, %s)", opt.grade_min, worst_grade, why);
}

/* One source of the run: a file named, a file found in a folder named, or
 * stdin. */
typedef struct {
	char *path;               /* as it is opened and named in messages */
	char *key;                /* --shard's: the path below the folder named, or the operand */
	char *real;               /* -d: the full path (the state's key, .source's line); stdin: "stdin" */
	char *name;               /* -d: the name it exports under */
	bool stamped;             /* -d: stat worked */
	sh_file_stamp stamp;
	const sh_state_entry *prev; /* -d: its entry in the state as the run began */
	sh_source_change change;
	bool skip;                /* -d: as it was when mined last: nothing to open */
} source;

/* What the run does, settled from the options before any audio is read. */
typedef struct {
	source *all;          /* every source named or found, in order */
	int nall;
	source **src;         /* this run's share of them (--shard), in order */
	int nsrc;
	int bits;             /* sample format of written pads */
	bool audio_out;       /* the best pad to stdout or -o (neither -d nor --report) */
	int rank_min;         /* lowest grade rank saved */
	size_t keep_n;        /* pads kept per source */
	sh_shard shard;
	char **roots;         /* full paths of the folders walked whole (for --prune) */
	int nroots;
	/* -d */
	char *settings;       /* what shapes a source's pads, as the state records it */
	sh_archive_state state; /* the folder's state as the run began */
	sh_dirlock *lock;     /* the folder's lock, once the folder is made */
	char *manifest_path, *state_path;
} plan;

/* One source, mined: its candidates, made into loops as far as needed. */
typedef struct {
	sh_audio_in *in;
	sh_audio_source *src;
	char *name;           /* for --report and --plot: the file's name */
	int rate, ch;
	sh_pad *pads;
	size_t np;
	bool *keep;           /* pads to save */
	char **files;         /* -d: where each saved pad went, relative to DIR */
	size_t kept;
	sh_pad_survey sv;
	char why[400];        /* why nothing was kept */
} mined;

/* The best pad over every source, for stdout / -o. */
typedef struct {
	sh_pad pad;
	int rate, ch;
	char reason[512];     /* why the first source without a pad had none */
	char *reason_src;
} best_pad;

static const char STATE_FORMAT[] = "shards-padmine-state";
static const char LOCK_NAME[] = ".manifest.lock";

/* The options that shape a source's pads, in one line: a source mined with other
 * settings is mined again. (-j, --plot, --report, --shard and the like change no
 * pad, so they are not in it.) */
static char *settings_text(const plan *pl)
{
	char d[SH_PAD_MAX_DURATIONS * 24] = "", *s = sh_malloc(1024 + sizeof d);
	size_t n = 0;
	for (size_t i = 0; i < po.ndurations; i++)
		n += (size_t)snprintf(d + n, sizeof d - n, "%s%g", i ? "," : "", po.durations[i]);
	snprintf(s, 1024 + sizeof d,
	         "count=%d durations=%s rms-gate=%g onset-gate=%d crossfade=%g seam-search=%g dark=%g bright=%g "
	         "grade-min=%s rate=%d bits=%s",
	         (int)pl->keep_n, d, opt.rms_gate, (int)opt.onset_gate, opt.crossfade, opt.seam_search, opt.dark,
	         opt.bright, opt.grade_min, opt.rate ? (int)opt.rate : 44100,
	         pl->bits == 32 ? "32f" : pl->bits == 16 ? "16" : "24");
	return s;
}

/* The settings alone, as --print-config checks them too. */
static int check_settings(void)
{
	parse_durations(opt.durations);
	if (opt.dark > opt.bright)
		sh_usage_error("--dark %g is above --bright %g", opt.dark, opt.bright);
	if (opt.bits)
		sh_parse_bits(opt.bits);
	return 0;
}

static void validate(int argc, char **argv, int first, plan *pl)
{
	parse_durations(opt.durations);
	po.rms_gate_db = opt.rms_gate;
	po.onset_gate = (int)opt.onset_gate;
	po.crossfade = opt.crossfade / 1000;
	po.seam_search = opt.seam_search / 1000;
	po.dark_below = opt.dark;
	po.bright_above = opt.bright;
	po.max_candidates = SH_PAD_MAX_CANDIDATES;
	if (opt.output && (opt.dir || opt.report))
		sh_usage_error("-o writes one pad; it does not go with -d or --report");
	pl->bits = sh_parse_bits(opt.bits);
	if (opt.dir && !opt.bits)
		pl->bits = 24;
	int stdin_uses = 0;
	for (int i = first; i < argc; i++)
		stdin_uses += !strcmp(argv[i], "-");
	if (stdin_uses > 1)
		sh_usage_error("stdin can be read only once");
	pl->audio_out = !opt.dir && !opt.report;
	if (opt.shard) {
		if (sh_shard_parse(opt.shard, &pl->shard) != 0)
			sh_usage_error("--shard: %s", sh_error());
		if (pl->audio_out)
			sh_usage_error("--shard splits an archive run: it goes with -d or --report");
		if (stdin_uses || first == argc)
			sh_usage_error("--shard splits files and folders, not stdin");
	}
	if ((opt.prune || opt.force) && !opt.dir)
		sh_usage_error("--%s works on an export folder: it goes with -d", opt.prune ? "prune" : "force");
	bool any_ext = false;
	for (const char *c = opt.ext; *c; c++)
		any_ext |= *c != ',' && *c != '.' && *c != ' ';
	if (!any_ext)
		sh_usage_error("--ext: no extension given");
	if (pl->audio_out && (!opt.output || !strcmp(opt.output, "-")))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	if (opt.plot && !strcmp(opt.plot, "-"))
		sh_usage_error("--plot: name a file (standard output carries the pad or the report)");
	if (opt.plot && sh_plot_check_path(opt.plot) != 0)
		sh_die("--plot %s", sh_error());
	pl->rank_min = sh_pad_grade_rank(opt.grade_min[0]);
	pl->keep_n = pl->audio_out ? 1 : (size_t)opt.count;
}

/* Export mode: a DIR that could never be made fails at once; the folder and its
 * lock are made with the first source recorded, so a run that finds nothing
 * leaves nothing behind. */
static void check_export(plan *pl)
{
	if (!opt.dir)
		return;
	char *up = sh_dir_blocker(opt.dir);
	if (up)
		sh_die("%s: cannot create the export folder: %s is not a folder this user can write", opt.dir, up);
	size_t n = strlen(opt.dir) + 32;
	pl->manifest_path = sh_malloc(n);
	pl->state_path = sh_malloc(n);
	snprintf(pl->manifest_path, n, "%s/manifest.csv", opt.dir);
	snprintf(pl->state_path, n, "%s/.padmine-state", opt.dir);
	pl->settings = settings_text(pl);
}

static void open_export(plan *pl)
{
	if (pl->lock)
		return;
	if (sh_mkdirs(opt.dir, NULL) != 0)
		sh_die("%s", sh_error());
	if (!(pl->lock = sh_dirlock_open(opt.dir, LOCK_NAME)))
		sh_die("%s", sh_error());
}

/* The folder's lock, for one source's (or --prune's) changes: a second run on
 * the folder waits here, and the two take turns source by source. */
static void lock_export(plan *pl)
{
	open_export(pl);
	bool waited;
	if (sh_dirlock_take(pl->lock, &waited) != 0)
		sh_die("%s", sh_error());
	if (waited)
		sh_note("%s: waited for another run on this folder", opt.dir);
}

/* ---------------------------------------------------------------- sources */

static void add_source(plan *pl, char *path, char *key)
{
	if ((pl->nall & (pl->nall - 1)) == 0)
		pl->all = sh_realloc(pl->all, pl->nall ? 2 * (size_t)pl->nall : 1, sizeof *pl->all);
	pl->all[pl->nall++] = (source){.path = path, .key = key};
}

/* The operands as sources: a folder is walked for files with an extension of
 * --ext (sorted by path bytes), anything else is taken as named. A folder that
 * cannot be read, or holds no audio at all, is named in one warning each. */
static int gather(plan *pl, int argc, char **argv, int first)
{
	int status = 0;
	if (first == argc)
		add_source(pl, sh_strdup("-"), sh_strdup("-"));
	for (int i = first; i < argc; i++) {
		struct stat st;
		if (strcmp(argv[i], "-") && stat(argv[i], &st) == 0 && S_ISDIR(st.st_mode)) {
			sh_walk_opts wo = {.keep = sh_walk_ext_match, .ctx = (void *)opt.ext, .skip_marker = LOCK_NAME};
			sh_walk_list wl;
			if (sh_walk(argv[i], &wo, &wl) != 0) {
				sh_warn("%s", sh_error());
				status = 1;
				continue;
			}
			for (size_t k = 0; k < wl.nproblems; k++)
				sh_warn("%s", wl.problems[k]);
			for (size_t k = 0; k < wl.nnotes; k++)
				sh_note("%s", wl.notes[k]);
			if (wl.nproblems)
				status = 1;
			else if (!wl.nfiles) {
				sh_warn("%s: no audio file in this folder (looked for %s)", argv[i], opt.ext);
				status = 1;
			}
			char real[PATH_MAX];
			if (!wl.nproblems && realpath(argv[i], real)) {
				pl->roots = sh_realloc(pl->roots, (size_t)pl->nroots + 1, sizeof *pl->roots);
				pl->roots[pl->nroots++] = sh_strdup(real);
			}
			for (size_t k = 0; k < wl.nfiles; k++) {
				add_source(pl, wl.files[k].path, sh_strdup(wl.files[k].rel));
				wl.files[k].path = NULL;
			}
			wl.nfiles = 0;
			sh_walk_free(&wl);
		} else {
			add_source(pl, sh_strdup(argv[i]), sh_strdup(argv[i]));
		}
	}
	if (opt.name && pl->nall > 1)
		sh_usage_error("--name names one source, got %d", pl->nall);
	return status;
}

/* A source's name with six hex digits of a hash (FNV-1a) of its full path: the
 * name it exports under when another source has its plain name. */
static char *suffixed_name(const char *base, const char *real)
{
	uint64_t h = 1469598103934665603ULL;
	for (const char *c = real; *c; c++)
		h = (h ^ (unsigned char)*c) * 1099511628211ULL;
	size_t n = strlen(base) + 8;
	char *s = sh_malloc(n);
	snprintf(s, n, "%s-%06llx", base, (unsigned long long)(h & 0xffffff));
	return s;
}

/* The first line of DIR/NAME/.source, the full path of the source that exports
 * under NAME; NULL when there is none. */
static char *claim_of(const char *name)
{
	size_t n = strlen(opt.dir) + strlen(name) + 16, len;
	char *claim = sh_malloc(n);
	snprintf(claim, n, "%s/%s/.source", opt.dir, name);
	char *owner = access(claim, F_OK) == 0 ? sh_read_file(claim, 1 << 16, &len) : NULL;
	free(claim);
	if (owner) {
		char *nl = strchr(owner, '\n');
		if (nl)
			*nl = 0;
	}
	return owner;
}

static bool claimed_by_other(const char *name, const char *real)
{
	char *owner = claim_of(name);
	bool other = owner && strcmp(owner, real);
	free(owner);
	return other;
}

/* -d: every source's full path and export name, over every source named or
 * found (before --shard takes its share), so that every share of a run names
 * each source as the whole run does. A source keeps the name it had; a new one
 * gets its file's name, unless a source before it in this run, another source
 * in the state or a folder's .source has that name: then its name and six hex
 * digits of a hash of its full path (x/s.wav and y/s.wav never share pads). */
static void assign_names(plan *pl)
{
	json_t *taken = json_object();   /* name -> index in pl->all of its first holder */
	json_t *stated = json_object();  /* name -> index in the state of its holder */
	for (size_t i = 0; i < pl->state.n; i++)
		if (pl->state.e[i].name)
			json_object_set_new(stated, pl->state.e[i].name, json_integer((json_int_t)i));
	for (int i = 0; i < pl->nall; i++) {
		source *s = &pl->all[i];
		char real[PATH_MAX];
		if (!strcmp(s->path, "-"))
			s->real = sh_strdup("stdin");
		else
			s->real = sh_strdup(realpath(s->path, real) ? real : s->path);
		char *base = source_name(s->path), *alt = suffixed_name(base, s->real);
		const sh_state_entry *e = sh_archive_state_find(&pl->state, s->real);
		json_t *t;
		const char *name = NULL;
		if (e && e->name && (!strcmp(e->name, base) || !strcmp(e->name, alt))) {
			t = json_object_get(taken, e->name);
			if (!t || !strcmp(pl->all[json_integer_value(t)].real, s->real))
				name = e->name;
		}
		if (!name) {
			bool clash = false;
			if ((t = json_object_get(taken, base)) && strcmp(pl->all[json_integer_value(t)].real, s->real))
				clash = true;
			else if ((t = json_object_get(stated, base)) &&
			         strcmp(pl->state.e[json_integer_value(t)].path, s->real))
				clash = true;
			else if (claimed_by_other(base, s->real))
				clash = true;
			name = clash ? alt : base;
		}
		s->name = sh_strdup(name);
		if (!json_object_get(taken, s->name))
			json_object_set_new(taken, s->name, json_integer(i));
		free(base);
		free(alt);
	}
	json_decref(taken);
	json_decref(stated);
}

/* This run's share, and (-d) what each needs: a source whose size, times,
 * settings and name are what the state recorded is not opened at all. */
static void plan_sources(plan *pl)
{
	pl->src = sh_calloc((size_t)pl->nall + 1, sizeof *pl->src);
	for (int i = 0; i < pl->nall; i++) {
		source *s = &pl->all[i];
		if (!sh_shard_has(&pl->shard, s->key))
			continue;
		pl->src[pl->nsrc++] = s;
		if (!opt.dir || !strcmp(s->path, "-"))
			continue;
		s->stamped = sh_file_stamp_of(s->path, &s->stamp) == 0;
		if (!s->stamped)
			continue; /* missing: the mining names it */
		s->prev = sh_archive_state_find(&pl->state, s->real);
		s->change = sh_archive_state_check(s->prev, &s->stamp, pl->settings, s->name);
		s->skip = !opt.force && s->change == SH_SOURCE_SAME;
	}
}

/* Is PATH below one of the folders walked whole? */
static bool under_roots(const plan *pl, const char *path)
{
	for (int i = 0; i < pl->nroots; i++) {
		size_t n = strlen(pl->roots[i]);
		if (!strncmp(path, pl->roots[i], n) && (path[n] == '/' || !strcmp(pl->roots[i], "/")))
			return true;
	}
	return false;
}

/* ---------------------------------------------------------------- the folder */

/* NAME's folder in DIR once it exports nothing for REAL: its .source (when
 * REAL's) goes, and the folders if they are empty. */
static void release_folder(const char *name, const char *real)
{
	size_t n = strlen(opt.dir) + strlen(name) + 16;
	char *p = sh_malloc(n);
	char *owner = claim_of(name);
	if (owner && !strcmp(owner, real)) {
		snprintf(p, n, "%s/%s/.source", opt.dir, name);
		unlink(p);
	}
	free(owner);
	snprintf(p, n, "%s/%s/pads", opt.dir, name);
	rmdir(p);
	snprintf(p, n, "%s/%s", opt.dir, name);
	rmdir(p);
	free(p);
}

/* Remove a file of the folder (relative to DIR), and its folder if that is
 * left empty. */
static void remove_export_file(const char *rel)
{
	size_t n = strlen(opt.dir) + strlen(rel) + 2;
	char *p = sh_malloc(n);
	snprintf(p, n, "%s/%s", opt.dir, rel);
	if (unlink(p) != 0 && errno != ENOENT)
		sh_warn("%s: cannot remove: %s", p, strerror(errno));
	char *slash = strrchr(p, '/');
	if (slash) {
		*slash = 0;
		rmdir(p);
	}
	free(p);
}

static void read_manifest(const plan *pl, sh_manifest *man)
{
	size_t mlen = 0;
	char *mtext = NULL;
	if (access(pl->manifest_path, F_OK) == 0) {
		mtext = sh_read_file(pl->manifest_path, (size_t)64 << 20, &mlen);
		if (!mtext)
			sh_die("%s", sh_error());
	}
	if (sh_manifest_parse(mtext ? mtext : "", mlen, man) != 0)
		sh_die("%s: %s", pl->manifest_path, sh_error());
	free(mtext);
}

static void read_state(const plan *pl, sh_archive_state *st)
{
	if (sh_archive_state_load(st, pl->state_path, STATE_FORMAT) != 0)
		sh_die("%s (remove it to mine every source again)", sh_error());
}

/* A source's export fails (a full disk, say): nothing it wrote is in place, so
 * remove its temporary files and the folders it made, if empty, and stop. */
static _Noreturn void export_failed(sh_atomic **held, size_t nheld, const char *pdir)
{
	char *why = sh_strdup(sh_error());
	for (size_t i = 0; i < nheld; i++)
		sh_atomic_abort(held[i]);
	if (pdir) {
		rmdir(pdir);
		char *up = sh_strdup(pdir), *slash = strrchr(up, '/');
		*slash = 0;
		rmdir(up);
	}
	sh_die("%s", why);
}

/* The name S exports under now: the one chosen at the start, unless a run with
 * another list of sources has given it to another source since (its .source
 * names another path): then the name with the hash of S's path. Under the lock. */
static char *export_name(const source *s)
{
	if (!claimed_by_other(s->name, s->real))
		return sh_strdup(s->name);
	char *base = source_name(s->path), *alt = suffixed_name(base, s->real);
	free(base);
	return alt;
}

static bool listed(char *const *v, size_t n, const char *s)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] && !strcmp(v[i], s))
			return true;
	return false;
}

/* -d: what came of source S goes into the folder, one run at a time under its
 * lock: its pads (M's kept ones, OUTCOME exported) into DIR/<name>/pads, their
 * rows into the manifest, and its line into the state. A source mined again
 * replaces its pads: files of its earlier mining that this one did not write go,
 * with their rows (a source that cannot be read keeps what it had). Every file
 * is written and synced under a temporary name first and renamed into place only
 * when all of them are on disk, the manifest after the pads and the state last:
 * a run that fails or is killed half way (a full disk, kill -9) leaves the
 * folder as it was, or with that source's new pads but not its state line, so
 * the next run mines it again and completes it. */
static void commit_source(plan *pl, const source *s, mined *m, sh_outcome outcome, const char *note, const char *hash)
{
	lock_export(pl);
	sh_archive_state st;
	read_state(pl, &st);
	/* standard input has no state line: it is mined every time */
	const sh_state_entry *prev = s->stamped ? sh_archive_state_find(&st, s->real) : NULL;
	bool writes = outcome == SH_OUTCOME_EXPORTED;
	/* what an earlier mining of this source wrote that this one does not */
	size_t nstale = 0;
	char **stale = NULL;
	if (outcome != SH_OUTCOME_BAD && prev && prev->nfiles)
		stale = sh_calloc(prev->nfiles, sizeof *stale);
	bool use_man = writes || stale;
	sh_manifest man;
	if (use_man)
		read_manifest(pl, &man);
	char *name = writes ? export_name(s) : NULL;
	size_t n = strlen(opt.dir) + 2 * strlen(name ? name : s->name) + 64, nheld = 0;
	char *pdir = NULL, *full = sh_malloc(n);
	sh_atomic **held = sh_calloc((m ? m->np : 0) + 4, sizeof *held);
	if (writes) {
		char *sdir = sh_malloc(n), *prefix = sh_malloc(n);
		pdir = sh_malloc(n);
		snprintf(sdir, n, "%s/%s", opt.dir, name);
		snprintf(pdir, n, "%s/%s/pads", opt.dir, name);
		if (sh_mkdirs(pdir, NULL) != 0)
			sh_die("%s", sh_error());
		snprintf(prefix, n, "%s_pad", name);
		sh_atomic_remove_stale(pdir, prefix);
		sh_atomic_remove_stale(sdir, ".source");
		snprintf(full, n, "%s/.source", sdir);
		char *line = sh_malloc(strlen(s->real) + 2);
		sprintf(line, "%s\n", s->real);
		if (!(held[nheld++] = sh_write_file_held(full, line, strlen(line))))
			export_failed(held, nheld - 1, pdir);
		free(line);
		free(sdir);
		free(prefix);
		size_t k = 0;
		for (size_t i = 0; i < m->np; i++) {
			if (!m->keep[i])
				continue;
			sh_pad *p = &m->pads[i];
			m->files[i] = sh_malloc(n);
			snprintf(m->files[i], n, "%s/pads/%s_pad%02zu_%s.wav", name, name, ++k, p->brightness);
			snprintf(full, n, "%s/%s", opt.dir, m->files[i]);
			sh_audio_out_opts oo = {.bits = pl->bits, .dither_seed = 0x70616473u + k};
			sh_audio_out *out = sh_audio_create(full, m->rate, m->ch, &oo);
			if (!out)
				export_failed(held, nheld, pdir);
			if (sh_audio_write(out, p->audio, (size_t)p->frames) != 0) {
				sh_audio_abort(out);
				export_failed(held, nheld, pdir);
			}
			if (!(held[nheld++] = sh_audio_finish_held(out)))
				export_failed(held, nheld - 1, pdir);
			char g[2] = {p->grade, 0}, nums[7][32];
			const char *vals[SH_MANIFEST_COLUMNS] = {
				m->files[i], name, "pad", fmt(nums[0], 3, (double)p->frames / m->rate),
				fmt(nums[1], 2, p->rms_db), fmt(nums[2], 2, p->peak_db), fmt(nums[3], 2, p->crest_db),
				fmt(nums[4], 1, p->centroid_hz), p->pitch_hz > 0 ? fmt(nums[5], 1, p->pitch_hz) : NULL,
				fmt(nums[6], 4, p->seam_error), p->brightness, g};
			if (sh_archive_manifest_put(&man, vals) != 0)
				sh_die("%s: %s", pl->manifest_path, sh_error());
		}
	}
	for (size_t i = 0; stale && i < prev->nfiles; i++)
		if (!m || !listed(m->files, m->np, prev->files[i])) {
			sh_archive_manifest_drop(&man, prev->files[i]);
			stale[nstale++] = sh_strdup(prev->files[i]); /* prev goes with the state's update */
		}
	if (use_man) {
		size_t len;
		char *text = sh_manifest_format(&man, &len);
		sh_atomic_remove_stale(opt.dir, "manifest.csv");
		if (!(held[nheld++] = sh_write_file_held(pl->manifest_path, text, len)))
			export_failed(held, nheld - 1, pdir);
		free(text);
		sh_manifest_free(&man);
	}
	/* the state's line; a source that cannot be read keeps its earlier files */
	char **files = NULL;
	size_t nfiles = 0;
	if (writes) {
		files = sh_calloc(m->kept + 1, sizeof *files);
		for (size_t i = 0; i < m->np; i++)
			if (m->keep[i])
				files[nfiles++] = m->files[i];
	} else if (outcome == SH_OUTCOME_BAD && prev) {
		files = prev->files;
		nfiles = prev->nfiles;
	}
	sh_state_entry e = {
		.path = s->real, .stamp = s->stamp, .hash = (char *)hash, .outcome = outcome,
		.name = writes ? name : outcome == SH_OUTCOME_BAD && prev ? prev->name : NULL,
		.settings = pl->settings, .note = (char *)note,
		.files = files, .nfiles = nfiles,
	};
	char *prev_name = prev && prev->name ? sh_strdup(prev->name) : NULL;
	sh_atomic *state_file = NULL;
	if (s->stamped) {
		sh_archive_state_put(&st, &e);
		size_t slen;
		char *stext = sh_archive_state_format(&st, &slen);
		sh_atomic_remove_stale(opt.dir, ".padmine-state");
		state_file = sh_write_file_held(pl->state_path, stext, slen);
		free(stext);
		if (!state_file)
			export_failed(held, nheld, pdir);
	}
	if (writes)
		free(files);
	/* renames need no room: once every file is synced, all of them go in place,
	 * the state last */
	for (size_t i = 0; i < nheld; i++)
		if (sh_atomic_commit(held[i]) != 0)
			sh_die("%s", sh_error());
	for (size_t i = 0; i < nstale; i++)
		remove_export_file(stale[i]);
	if (prev_name && outcome != SH_OUTCOME_BAD && (!writes || strcmp(prev_name, name)))
		release_folder(prev_name, s->real);
	if (state_file && sh_atomic_commit(state_file) != 0)
		sh_die("%s", sh_error());
	sh_dirlock_release(pl->lock);
	free(prev_name);
	for (size_t i = 0; i < nstale; i++)
		free(stale[i]);
	free(stale);
	sh_archive_state_free(&st);
	free(held);
	free(name);
	free(pdir);
	free(full);
}

static int by_string(const void *a, const void *b) { return strcmp(*(char *const *)a, *(char *const *)b); }

/* -d: a source touched but holding the same bytes: only its state line changes
 * (its new stamp), under the lock. */
static void commit_stamp(plan *pl, const source *s)
{
	lock_export(pl);
	sh_archive_state st;
	read_state(pl, &st);
	const sh_state_entry *e = sh_archive_state_find(&st, s->real);
	if (e) {
		sh_state_entry copy = *e;
		copy.stamp = s->stamp;
		sh_archive_state_put(&st, &copy);
		size_t slen;
		char *stext = sh_archive_state_format(&st, &slen);
		sh_atomic_remove_stale(opt.dir, ".padmine-state");
		if (sh_write_file_atomic(pl->state_path, stext, slen) != 0)
			sh_die("%s", sh_error());
		free(stext);
	}
	sh_archive_state_free(&st);
	sh_dirlock_release(pl->lock);
}

/* --prune: sources in the state that lay below a folder walked whole but are no
 * longer there lose their pads, rows and state lines. Every share of a run
 * prunes the same sources (each walks the whole tree). */
static void prune(plan *pl)
{
	if (access(pl->state_path, F_OK) != 0)
		return;
	/* the full paths found, sorted, to look up */
	char **here = sh_calloc((size_t)pl->nall + 1, sizeof *here);
	for (int i = 0; i < pl->nall; i++)
		here[i] = pl->all[i].real;
	qsort(here, (size_t)pl->nall, sizeof *here, by_string);
	lock_export(pl);
	sh_archive_state st;
	read_state(pl, &st);
	sh_manifest man;
	bool have_man = false;
	char **gone = NULL;
	size_t ngone = 0;
	for (size_t i = 0; i < st.n; i++) {
		const sh_state_entry *e = &st.e[i];
		const char *key = e->path;
		if (!under_roots(pl, e->path) || bsearch(&key, here, (size_t)pl->nall, sizeof *here, by_string))
			continue;
		if (e->nfiles && !have_man) {
			read_manifest(pl, &man);
			have_man = true;
		}
		for (size_t f = 0; f < e->nfiles; f++)
			sh_archive_manifest_drop(&man, e->files[f]);
		gone = sh_realloc(gone, ngone + 1, sizeof *gone);
		gone[ngone++] = sh_strdup(e->path);
		sh_note("%s: no longer found, pruned", e->path);
	}
	if (ngone) {
		sh_atomic *mf = NULL, *sf;
		if (have_man) {
			size_t len;
			char *text = sh_manifest_format(&man, &len);
			sh_atomic_remove_stale(opt.dir, "manifest.csv");
			if (!(mf = sh_write_file_held(pl->manifest_path, text, len)))
				sh_die("%s", sh_error());
			free(text);
		}
		sh_archive_state keep;
		sh_archive_state_init(&keep, STATE_FORMAT);
		for (size_t i = 0; i < st.n; i++)
			if (!listed(gone, ngone, st.e[i].path))
				sh_archive_state_put(&keep, &st.e[i]);
		size_t slen;
		char *stext = sh_archive_state_format(&keep, &slen);
		sh_atomic_remove_stale(opt.dir, ".padmine-state");
		if (!(sf = sh_write_file_held(pl->state_path, stext, slen))) {
			sh_atomic_abort(mf);
			sh_die("%s", sh_error());
		}
		free(stext);
		sh_archive_state_free(&keep);
		/* the manifest first: a pad it lists is never missing */
		if (mf && sh_atomic_commit(mf) != 0)
			sh_die("%s", sh_error());
		for (size_t i = 0; i < st.n; i++) {
			const sh_state_entry *e = &st.e[i];
			if (!listed(gone, ngone, e->path))
				continue;
			for (size_t f = 0; f < e->nfiles; f++)
				remove_export_file(e->files[f]);
			if (e->name)
				release_folder(e->name, e->path);
		}
		if (sh_atomic_commit(sf) != 0)
			sh_die("%s", sh_error());
	}
	if (have_man)
		sh_manifest_free(&man);
	for (size_t i = 0; i < ngone; i++)
		free(gone[i]);
	free(gone);
	sh_archive_state_free(&st);
	sh_dirlock_release(pl->lock);
	free(here);
}

static void mined_free(mined *m)
{
	for (size_t i = 0; m->files && i < m->np; i++)
		free(m->files[i]);
	free(m->files);
	free(m->keep);
	sh_pads_free(m->pads, m->np);
	free(m->name);
	sh_audio_source_close(m->src);
	sh_audio_close(m->in);
}
/* --plot: the picture's path for source NAME: FILE itself for one source,
 * FILE with _NAME before its extension for each of several. */
static char *plot_path(const plan *pl, const char *name)
{
	if (pl->nsrc == 1)
		return sh_strdup(opt.plot);
	const char *slash = strrchr(opt.plot, '/'), *dot = strrchr(opt.plot, '.');
	size_t stem = dot && dot > (slash ? slash + 1 : opt.plot) ? (size_t)(dot - opt.plot) : strlen(opt.plot);
	size_t n = strlen(opt.plot) + strlen(name) + 8;
	char *path = sh_malloc(n);
	snprintf(path, n, "%.*s_%s%s", (int)stem, opt.plot, name, opt.plot + stem);
	return path;
}

static sh_rgb grade_colour(char g)
{
	return g == 'A' ? 0x40c080 : g == 'B' ? 0x90c040 : g == 'C' ? 0xd0c040 : g == 'D' ? 0xe08030 : 0xd04040;
}

/* --plot: the source's waveform, every candidate as a span along the bottom
 * (graded ones in their grade's colour, labelled with grade and seam error),
 * the kept pads lit over the whole height. 0, or -1 with sh_error(). */
static int plot_source(const plan *pl, const mined *m)
{
	enum { BLOCK = 4096 };
	int64_t n = m->sv.frames;
	sh_wave *w = sh_wave_new(m->rate, 4800);
	if (!w)
		return -1;
	float *buf = sh_malloc((size_t)BLOCK * (size_t)m->ch * sizeof *buf), mono[BLOCK];
	int r = 0;
	for (int64_t at = 0; at < n && r == 0; at += BLOCK) {
		size_t k = n - at < BLOCK ? (size_t)(n - at) : BLOCK;
		if ((r = sh_audio_source_get(m->src, at, k, buf)) == 0) {
			sh_audio_downmix(buf, k, m->ch, mono);
			sh_wave_feed(w, mono, k);
		}
	}
	free(buf);
	double secs = (double)n / m->rate;
	sh_plot *p = r == 0 ? sh_plot_new(1200, 300, 0, secs > 0 ? secs : 1) : NULL;
	if (p) {
		sh_plot_time_axis(p);
		sh_plot_wave(p, w, 0.36, 1, 0x3c6e96);
		char label[64];
		for (size_t i = 0; i < m->np; i++) {
			const sh_pad *c = &m->pads[i];
			double a = (double)c->start / m->rate, b = a + (c->grade ? (double)c->frames / m->rate : c->target);
			if (m->keep[i])
				sh_plot_span(p, a, b, 0, 1, 0xf0f0f8, 0.16, NULL);
			if (c->grade)
				snprintf(label, sizeof label, "%c %.3f", c->grade, c->seam_error);
			sh_plot_span(p, a, b, 0.02, 0.32, c->grade ? grade_colour(c->grade) : 0x606070,
			             c->grade ? 0.55 : 0.25, c->grade ? label : NULL);
		}
		sh_plot_title(p, m->name);
		sh_plot_legend(p, "kept pad", 0xf0f0f8);
		sh_plot_legend(p, "candidate: grade, seam error", grade_colour('A'));
		sh_plot_legend(p, "not cut", 0x606070);
		char *path = plot_path(pl, m->name);
		if ((r = sh_plot_write_png(p, path)) != 0)
			sh_set_error("--plot %s: %s", path, sh_error());
		free(path);
		sh_plot_free(p);
	} else {
		r = -1;
	}
	sh_wave_free(w);
	return r;
}

/* Read PATH, find its candidates and make loops of the best, grading them, until
 * enough are kept. -1 with sh_error() (and m freed) when the source cannot be
 * read: the run warns and goes on with the next. */
static int mine(const plan *pl, const char *path, mined *m)
{
	memset(m, 0, sizeof *m);
	if (!(m->in = sh_audio_open(path)))
		return -1;
	m->rate = sh_audio_rate(m->in);
	m->ch = sh_audio_channels(m->in);
	int want = opt.rate ? (int)opt.rate : opt.dir ? 44100 : m->rate;
	if (want != m->rate) {
		if (sh_audio_resample_to(m->in, want) != 0)
			goto fail;
		sh_note("%s: resampling from %d to %d Hz", sh_audio_name(m->in), m->rate, want);
		m->rate = want;
	}
	if (!(m->src = sh_audio_source_open(m->in, (size_t)64 << 20)))
		goto fail;
	m->name = source_name(path);
	ssize_t found = sh_pads_find(m->src, m->rate, m->ch, &po, &m->pads, &m->sv);
	if (found < 0)
		goto fail;
	m->np = (size_t)found;
	m->keep = sh_calloc(m->np ? m->np : 1, sizeof *m->keep);
	m->files = sh_calloc(m->np ? m->np : 1, sizeof *m->files);
	char best_g = 0;
	const char *best_why = "";
	for (size_t i = 0; i < m->np && (m->kept < pl->keep_n || opt.report); i++) {
		sh_pad *p = &m->pads[i];
		if (sh_pad_make(m->src, m->rate, m->ch, &po, p) != 0)
			goto fail;
		if (!best_g || sh_pad_grade_rank(p->grade) < sh_pad_grade_rank(best_g)) {
			best_g = p->grade;
			best_why = p->why;
		}
		if (m->kept < pl->keep_n && sh_pad_grade_rank(p->grade) <= pl->rank_min) {
			m->keep[i] = true;
			m->kept++;
		}
		if (!m->keep[i] || (!opt.dir && !pl->audio_out)) {
			/* only pads about to be written keep their audio */
			free(p->audio);
			p->audio = NULL;
		}
	}
	if (!m->kept)
		no_pad_reason(m->why, sizeof m->why, &m->sv, m->np, best_g, best_why, m->rate);
	if (opt.plot && plot_source(pl, m) != 0)
		goto fail;
	return 0;
fail:
	mined_free(m);
	return -1;
}

/* --report: the source and every candidate. */
static json_t *source_json(const mined *m)
{
	json_t *s = json_object(), *cands = json_array();
	json_object_set_new(s, "source", json_string(sh_audio_name(m->in)));
	json_object_set_new(s, "name", json_string(m->name));
	json_object_set_new(s, "rate", json_integer(m->rate));
	json_object_set_new(s, "channels", json_integer(m->ch));
	json_object_set_new(s, "duration", num((double)m->sv.frames / m->rate, 1e-4));
	json_object_set_new(s, "windows", json_integer((json_int_t)m->sv.windows));
	json_object_set_new(s, "windows_passed", json_integer((json_int_t)m->sv.passed));
	json_object_set_new(s, "loudest_db", isinf(m->sv.loudest_db) ? json_null() : num(m->sv.loudest_db, 0.01));
	json_object_set_new(s, "fewest_onsets",
	                    isinf(m->sv.fewest_onsets) ? json_null() : json_integer((json_int_t)m->sv.fewest_onsets));
	for (size_t i = 0; i < m->np; i++)
		json_array_append_new(cands, pad_json(&m->pads[i], m->rate, i + 1, m->keep[i], m->files[i]));
	json_object_set_new(s, "candidates", cands);
	json_object_set_new(s, "note", m->kept ? json_null() : json_string(m->why));
	return s;
}

/* stdout / -o: keep the best kept pad seen so far (grade, then steadiness). */
static void consider_best(mined *m, best_pad *best)
{
	for (size_t i = 0; i < m->np; i++) {
		if (!m->keep[i])
			continue;
		sh_pad *p = &m->pads[i];
		int gr = sh_pad_grade_rank(p->grade), br = best->pad.audio ? sh_pad_grade_rank(best->pad.grade) : 99;
		if (gr < br || (gr == br && p->instability < best->pad.instability)) {
			free(best->pad.audio);
			best->pad = *p;
			p->audio = NULL;
			best->rate = m->rate;
			best->ch = m->ch;
		}
	}
}

static void print_report(json_t *sources)
{
	json_t *report = json_object();
	json_object_set_new(report, "format", json_string("shards-padmine"));
	json_object_set_new(report, "version", json_integer(1));
	json_object_set_new(report, "options", sh_options_json(options));
	json_object_set_new(report, "sources", sources);
	size_t len;
	char *text = sh_json_text(report, 10, &len);
	if (!text || sh_write_all(1, text, len) != 0)
		sh_die("%s", sh_error());
	free(text);
	json_decref(report);
}

/* stdout / -o: the best pad, or why there is none. With no source read at all,
 * the warnings have said everything. */
static int write_best(const plan *pl, best_pad *best)
{
	if (!best->pad.audio) {
		if (!best->reason_src)
			return 1;
		if (pl->nsrc == 1)
			sh_die("%s: %s", best->reason_src, best->reason);
		sh_die("no pad in any source (%s: %s)", best->reason_src, best->reason);
	}
	sh_audio_out_opts oo = {.bits = pl->bits, .dither_seed = 0x70616473u};
	if (sh_audio_check_output(opt.output, oo.bits, best->rate, best->ch) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out *out = sh_audio_create(opt.output, best->rate, best->ch, &oo);
	if (!out || sh_audio_write(out, best->pad.audio, (size_t)best->pad.frames) != 0 || sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(best->pad.audio);
	return 0;
}

/* One source's mining, on any thread: its result, the messages it gave (kept
 * to be written in the order of the sources) and why it failed. */
typedef struct {
	const plan *pl;
	source *s;
	bool hashed;          /* -d: the hash of its bytes was read */
	char hash[SH_FILE_HASH_TEXT];
	bool same;            /* -d: touched, but the bytes mined last: not mined again */
	mined m;
	int rc;
	char *msgs;
	char err[1024];
} job;

static void mine_job(void *ctx, int i)
{
	job *j = &((job *)ctx)[i];
	source *s = j->s;
	/* every source starts from the same floating-point mode, whichever thread
	 * mined what before (the transforms set it for their thread) */
	sh_stft_no_denormals();
	sh_messages_capture(&j->msgs);
	if (opt.dir && s->stamped)
		j->hashed = sh_file_hash(s->path, j->hash) == 0;
	const sh_state_entry *e = s->prev;
	if (!opt.force && j->hashed && s->change == SH_SOURCE_TOUCHED && e->hash && !strcmp(e->hash, j->hash) &&
	    e->outcome != SH_OUTCOME_BAD) {
		j->same = true;
	} else {
		j->rc = mine(j->pl, s->path, &j->m);
		if (j->rc != 0)
			snprintf(j->err, sizeof j->err, "%s", sh_error());
	}
	sh_messages_capture(NULL);
}

/* A source not mined again says what its mining said: nothing when it gave pads,
 * else the warning it gave then (and the run ends with 1 as that one did). */
static int replay(const source *s)
{
	const sh_state_entry *e = s->prev;
	sh_note("%s: unchanged since it was mined, not opened", s->path);
	if (e->outcome == SH_OUTCOME_EXPORTED)
		return 0;
	sh_warn("%s: %s", s->path, e->note ? e->note : "could not be mined");
	return 1;
}

/* The reason in a message "PATH: reason" (the state keeps the reason only, so
 * that a later run names the source as it is given then). */
static const char *reason_of(const char *msg, const char *path)
{
	size_t n = strlen(path);
	return !strncmp(msg, path, n) && !strncmp(msg + n, ": ", 2) ? msg + n + 2 : msg;
}

/* One source through every mode; 1 when it could not be read, or gave no pad in
 * -d mode. */
static int process_source(plan *pl, job *j, json_t *sources, best_pad *best)
{
	source *s = j->s;
	const char *hash = j->hashed ? j->hash : NULL;
	if (j->msgs)
		fputs(j->msgs, stderr);
	free(j->msgs);
	j->msgs = NULL;
	if (j->same) {
		commit_stamp(pl, s);
		return replay(s);
	}
	if (j->rc != 0) {
		sh_warn("%s", j->err);
		if (opt.dir && s->stamped)
			commit_source(pl, s, NULL, SH_OUTCOME_BAD, reason_of(j->err, s->path), hash);
		return 1;
	}
	mined *m = &j->m;
	int status = 0;
	if (!m->kept && !best->reason_src) {
		snprintf(best->reason, sizeof best->reason, "%s", m->why);
		best->reason_src = sh_strdup(sh_audio_name(m->in));
	}
	if (opt.dir && !m->kept) {
		sh_warn("%s: %s", sh_audio_name(m->in), m->why);
		status = 1;
	}
	if (opt.dir && (m->kept || s->stamped))
		commit_source(pl, s, m, m->kept ? SH_OUTCOME_EXPORTED : SH_OUTCOME_EMPTY, m->kept ? NULL : m->why, hash);
	if (opt.report)
		json_array_append_new(sources, source_json(m));
	if (pl->audio_out && m->kept)
		consider_best(m, best);
	mined_free(m);
	return status;
}

/* Progress on a terminal: "padmine: 12/340 sources, 3 skipped", redrawn in
 * place as each source is done and cleared before any message. */
typedef struct {
	bool on, shown;
	int done, total, skipped;
} progress;

static void progress_clear(progress *p)
{
	if (p->shown)
		fputs("\r\033[K", stderr);
	p->shown = false;
}

static void progress_show(progress *p)
{
	if (!p->on)
		return;
	fprintf(stderr, "\r%s: %d/%d sources, %d skipped\033[K", sh_progname, p->done, p->total, p->skipped);
	p->shown = true;
}

int main(int argc, char **argv)
{
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	plan pl = {0};
	validate(argc, argv, first, &pl);
	check_export(&pl);

	/* a source that cannot be read is named in one warning and skipped; the run
	 * goes on and ends with status 1 */
	int status = gather(&pl, argc, argv, first);
	if (opt.dir) {
		sh_archive_state_init(&pl.state, STATE_FORMAT);
		if (access(pl.state_path, F_OK) == 0) {
			sh_archive_state_free(&pl.state);
			read_state(&pl, &pl.state);
		}
		assign_names(&pl);
		if (opt.prune)
			prune(&pl);
	}
	plan_sources(&pl);

	json_t *sources = json_array();
	best_pad best = {0};
	progress pg = {.on = isatty(2) && pl.nsrc > 1, .total = pl.nsrc};
	/* -j N: sources are mined on N threads, a batch of 2N at a time; each
	 * batch is then written, warned about and exported in the order given,
	 * so every -j gives the same files, report and messages. Sources not to be
	 * mined again (-d) are taken in their place, on no thread. */
	sh_stft_no_denormals();
	sh_pool *pool = sh_pool_new(prog.jobs);
	if (!pool)
		sh_die("%s", sh_error());
	int per = prog.jobs > 1 ? 2 * prog.jobs : 1;
	job *jobs = sh_calloc((size_t)per, sizeof *jobs);
	progress_show(&pg);
	for (int b0 = 0; b0 < pl.nsrc;) {
		int b1 = b0, n = 0;
		for (; b1 < pl.nsrc; b1++) {
			if (pl.src[b1]->skip)
				continue;
			if (n == per)
				break;
			jobs[n++] = (job){.pl = &pl, .s = pl.src[b1]};
		}
		sh_pool_run(pool, n, mine_job, jobs);
		for (int i = b0, k = 0; i < b1; i++) {
			progress_clear(&pg);
			if (pl.src[i]->skip) {
				status |= replay(pl.src[i]);
				pg.skipped++;
			} else {
				job *j = &jobs[k++];
				pg.skipped += j->same;
				status |= process_source(&pl, j, sources, &best);
			}
			pg.done++;
			progress_show(&pg);
		}
		b0 = b1;
	}
	progress_clear(&pg);
	free(jobs);
	sh_pool_free(pool);

	if (opt.report)
		print_report(sources);
	else
		json_decref(sources);
	if (pl.audio_out)
		status |= write_best(&pl, &best);
	free(best.reason_src);
	sh_dirlock_close(pl.lock);
	for (int i = 0; i < pl.nall; i++) {
		free(pl.all[i].path);
		free(pl.all[i].key);
		free(pl.all[i].real);
		free(pl.all[i].name);
	}
	free(pl.all);
	free(pl.src);
	for (int i = 0; i < pl.nroots; i++)
		free(pl.roots[i]);
	free(pl.roots);
	if (opt.dir)
		sh_archive_state_free(&pl.state);
	free(pl.settings);
	free(pl.manifest_path);
	free(pl.state_path);
	return status;
}
