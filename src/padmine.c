/* padmine -- mine old recordings for pads: find sustained, steady regions, cut
 * them into seamless loops, tag their brightness, grade them A-F; write the best
 * pad to stdout or a file, a folder of pads with a curation manifest (-d), or a
 * JSON report of every candidate (--report). */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include "audio.h"
#include "cli.h"
#include "manifest.h"
#include "pads.h"

static sh_program prog = {
	.usage = "padmine [options] [FILE...]",
	.summary = "Find sustained regions in audio and cut them into seamless, graded pad loops.",
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
};

static sh_option options[] = {
	{"output", 'o', SH_OPT_STRING, &opt.output, .arg = "FILE", .no_preset = true,
	 .help = "write the best pad to FILE (format by extension) instead of stdout"},
	{"dir", 'd', SH_OPT_STRING, &opt.dir, .arg = "DIR", .no_preset = true,
	 .help = "export mode: DIR/<source>/pads/*.wav and DIR/manifest.csv"},
	{"report", 'j', SH_OPT_FLAG, &opt.report, .help = "print a JSON report of every candidate on stdout instead of audio"},
	{"count", 'n', SH_OPT_INT, &opt.count, 1, 99, .arg = "N", .help = "pads kept per source with -d or --report, 1..99 (default 4)"},
	{"durations", 'D', SH_OPT_STRING, &opt.durations, .arg = "LIST",
	 .help = "target lengths in seconds: a list 2,4,8 or MIN..MAX (default 2,4,8)"},
	{"rms-gate", 'g', SH_OPT_DOUBLE, &opt.rms_gate, -100, 0, .arg = "DB",
	 .help = "quietest RMS of a pad region, dBFS, -100..0 (default -40)"},
	{"onset-gate", 'O', SH_OPT_INT, &opt.onset_gate, 0, 100, .arg = "N",
	 .help = "most onsets (clear attacks) inside a pad, 0..100 (default 0)"},
	{"crossfade", 'x', SH_OPT_DOUBLE, &opt.crossfade, 1, 2000, .arg = "MS",
	 .help = "equal-power loop crossfade in ms, 1..2000 (default 50)"},
	{"seam-search", 0, SH_OPT_DOUBLE, &opt.seam_search, 0, 200, .arg = "MS",
	 .help = "how far the end may move to match the start in phase, ms, 0..200 (default 20)"},
	{"dark", 0, SH_OPT_DOUBLE, &opt.dark, 20, 20000, .arg = "HZ", .help = "centroid below HZ is tagged dark (default 1000)"},
	{"bright", 0, SH_OPT_DOUBLE, &opt.bright, 20, 20000, .arg = "HZ",
	 .help = "centroid above HZ is tagged bright (default 3000)"},
	{"grade-min", 0, SH_OPT_CHOICE, &opt.grade_min, .choices = "A|B|C|D|F", .arg = "G",
	 .help = "lowest grade saved, A..D or F to keep everything (default D: F is never saved)"},
	{"rate", 'r', SH_OPT_INT, &opt.rate, 8000, 192000, .arg = "HZ",
	 .help = "output rate (default: the source's; 44100 with -d)"},
	SH_AUDIO_BITS_OPTION(opt.bits),
	{"name", 0, SH_OPT_STRING, &opt.name, .arg = "NAME", .no_preset = true,
	 .help = "source name for file names and the manifest (default: the file name; stdin: \"stdin\")"},
	{0},
};

static sh_pad_opts po;
static int status;

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
		path = opt.name;
	else if (!strcmp(path, "-"))
		path = "stdin";
	const char *b = strrchr(path, '/');
	b = b ? b + 1 : path;
	char *s = sh_strdup(b);
	char *dot = strrchr(s, '.');
	if (dot && dot != s && !opt.name)
		*dot = 0;
	for (char *p = s; *p; p++)
		if (!((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') || (*p >= '0' && *p <= '9') || *p == '-' ||
		      *p == '_' || (*p == '.' && p != s)))
			*p = '_';
	if (!*s) {
		free(s);
		s = sh_strdup("source");
	}
	return s;
}

static void mkdirs(const char *path)
{
	char *p = sh_strdup(path);
	for (char *q = p + 1; *q; q++) {
		if (*q != '/')
			continue;
		*q = 0;
		if (mkdir(p, 0777) != 0 && errno != EEXIST)
			sh_die("%s: cannot create folder: %s", p, strerror(errno));
		*q = '/';
	}
	if (mkdir(p, 0777) != 0 && errno != EEXIST)
		sh_die("%s: cannot create folder: %s", p, strerror(errno));
	struct stat st;
	if (stat(p, &st) != 0 || !S_ISDIR(st.st_mode))
		sh_die("%s: not a folder", p);
	free(p);
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

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	int first = sh_parse_options(&prog, options, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	parse_durations(opt.durations);
	po.rms_gate_db = opt.rms_gate;
	po.onset_gate = (int)opt.onset_gate;
	po.crossfade = opt.crossfade / 1000;
	po.seam_search = opt.seam_search / 1000;
	po.dark_below = opt.dark;
	po.bright_above = opt.bright;
	po.max_candidates = SH_PAD_MAX_CANDIDATES;
	if (opt.dark > opt.bright)
		sh_usage_error("--dark %g is above --bright %g", opt.dark, opt.bright);
	if (opt.output && (opt.dir || opt.report))
		sh_usage_error("-o writes one pad; it does not go with -d or --report");
	int bits = sh_parse_bits(opt.bits);
	if (opt.dir && !opt.bits)
		bits = 24;
	if (opt.name && argc - first > 1)
		sh_usage_error("--name names one source, got %d", argc - first);
	int nsrc = argc - first > 0 ? argc - first : 1;
	int stdin_uses = 0;
	for (int i = first; i < argc; i++)
		stdin_uses += !strcmp(argv[i], "-");
	if (stdin_uses > 1)
		sh_usage_error("stdin can be read only once");
	bool audio_out = !opt.dir && !opt.report;
	if (audio_out && (!opt.output || !strcmp(opt.output, "-")))
		if (sh_stdout_binary() != 0)
			sh_die("%s", sh_error());
	int rank_min = sh_pad_grade_rank(opt.grade_min[0]);
	size_t keep_n = audio_out ? 1 : (size_t)opt.count;

	/* export mode: the folder and its lock first, so a bad DIR fails at once */
	int lock_fd = -1;
	char *lock_path = NULL, *manifest_path = NULL;
	if (opt.dir) {
		mkdirs(opt.dir);
		size_t n = strlen(opt.dir) + 32;
		lock_path = sh_malloc(n);
		manifest_path = sh_malloc(n);
		snprintf(lock_path, n, "%s/.manifest.lock", opt.dir);
		snprintf(manifest_path, n, "%s/manifest.csv", opt.dir);
		lock_fd = open(lock_path, O_RDWR | O_CREAT | O_CLOEXEC, 0666);
		if (lock_fd < 0)
			sh_die("%s: cannot open the lock file: %s", lock_path, strerror(errno));
	}

	json_t *report = json_object(), *sources = json_array();
	json_object_set_new(report, "format", json_string("shards-padmine"));
	json_object_set_new(report, "version", json_integer(1));
	json_object_set_new(report, "options", sh_options_json(options));
	/* stdout / -o: the best pad over every source */
	sh_pad best = {0};
	int best_rate = 0, best_ch = 0;
	char reason[512] = "";
	char *reason_src = NULL;

	for (int si = 0; si < nsrc; si++) {
		const char *path = first < argc ? argv[first + si] : "-";
		sh_audio_in *in = sh_audio_open_or_die(path);
		int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
		int want = opt.rate ? (int)opt.rate : opt.dir ? 44100 : rate;
		if (want != rate) {
			sh_audio_resample_to(in, want);
			sh_note("%s: resampling from %d to %d Hz", sh_audio_name(in), rate, want);
			rate = want;
		}
		sh_audio_source *src = sh_audio_source_open(in, (size_t)64 << 20);
		char *name = source_name(path);
		sh_pad *pads;
		sh_pad_survey sv;
		size_t np = sh_pads_find(src, rate, ch, &po, &pads, &sv);
		size_t kept = 0;
		bool *keep = sh_calloc(np ? np : 1, sizeof *keep);
		char best_g = 0;
		const char *best_why = "";
		for (size_t i = 0; i < np && (kept < keep_n || opt.report); i++) {
			sh_pad_make(src, rate, ch, &po, &pads[i]);
			if (!best_g || sh_pad_grade_rank(pads[i].grade) < sh_pad_grade_rank(best_g)) {
				best_g = pads[i].grade;
				best_why = pads[i].why;
			}
			if (kept < keep_n && sh_pad_grade_rank(pads[i].grade) <= rank_min) {
				keep[i] = true;
				kept++;
			}
			if (!keep[i] || (!opt.dir && !audio_out)) {
				/* only pads about to be written keep their audio */
				free(pads[i].audio);
				pads[i].audio = NULL;
			}
		}
		char why[400];
		if (!kept) {
			no_pad_reason(why, sizeof why, &sv, np, best_g, best_why, rate);
			if (!reason_src) {
				snprintf(reason, sizeof reason, "%s", why);
				reason_src = sh_strdup(sh_audio_name(in));
			}
		}
		char **files = sh_calloc(np ? np : 1, sizeof *files);
		if (opt.dir && kept) {
			/* one run at a time in an export folder: pads and manifest under the lock */
			if (flock(lock_fd, LOCK_EX) != 0)
				sh_die("%s: cannot lock: %s", lock_path, strerror(errno));
			sh_manifest m;
			char err[256];
			size_t mlen = 0;
			char *mtext = NULL;
			if (access(manifest_path, F_OK) == 0) {
				mtext = sh_read_file(manifest_path, (size_t)64 << 20, &mlen);
				if (!mtext)
					sh_die("%s", sh_error());
			}
			if (sh_manifest_parse(mtext ? mtext : "", mlen, &m, err, sizeof err) != 0)
				sh_die("%s: %s", manifest_path, err);
			free(mtext);
			size_t n = strlen(opt.dir) + 2 * strlen(name) + 64;
			char *pdir = sh_malloc(n), *full = sh_malloc(n), *prefix = sh_malloc(n);
			snprintf(pdir, n, "%s/%s/pads", opt.dir, name);
			mkdirs(pdir);
			snprintf(prefix, n, "%s_pad", name);
			sh_atomic_remove_stale(pdir, prefix);
			sh_atomic_remove_stale(opt.dir, "manifest.csv");
			size_t k = 0;
			for (size_t i = 0; i < np; i++) {
				if (!keep[i])
					continue;
				sh_pad *p = &pads[i];
				files[i] = sh_malloc(n);
				snprintf(files[i], n, "%s/pads/%s_pad%02zu_%s.wav", name, name, ++k, p->brightness);
				snprintf(full, n, "%s/%s", opt.dir, files[i]);
				sh_audio_out_opts oo = {.bits = bits, .dither_seed = 0x70616473u + k};
				sh_audio_out *out = sh_audio_create(full, rate, ch, &oo);
				sh_audio_write(out, p->audio, (size_t)p->frames);
				sh_audio_finish(out);
				char g[2] = {p->grade, 0}, num[7][32];
				const char *vals[SH_MANIFEST_COLUMNS] = {
					files[i], name, "pad", fmt(num[0], 3, (double)p->frames / rate),
					fmt(num[1], 2, p->rms_db), fmt(num[2], 2, p->peak_db), fmt(num[3], 2, p->crest_db),
					fmt(num[4], 1, p->centroid_hz), p->pitch_hz > 0 ? fmt(num[5], 1, p->pitch_hz) : NULL,
					fmt(num[6], 4, p->seam_error), p->brightness, g};
				if (sh_manifest_put(&m, vals) != 0)
					sh_die("%s: more than %d rows", manifest_path, SH_MANIFEST_MAX_ROWS);
			}
			size_t len;
			char *text = sh_manifest_format(&m, &len);
			if (sh_write_file_atomic(manifest_path, text, len) != 0)
				sh_die("%s", sh_error());
			free(text);
			sh_manifest_free(&m);
			flock(lock_fd, LOCK_UN);
			free(pdir);
			free(full);
			free(prefix);
		}
		if (opt.dir && !kept) {
			sh_warn("%s: %s", sh_audio_name(in), why);
			status = 1;
		}
		if (opt.report) {
			json_t *s = json_object(), *cands = json_array();
			json_object_set_new(s, "source", json_string(sh_audio_name(in)));
			json_object_set_new(s, "name", json_string(name));
			json_object_set_new(s, "rate", json_integer(rate));
			json_object_set_new(s, "channels", json_integer(ch));
			json_object_set_new(s, "duration", num((double)sv.frames / rate, 1e-4));
			json_object_set_new(s, "windows", json_integer((json_int_t)sv.windows));
			json_object_set_new(s, "windows_passed", json_integer((json_int_t)sv.passed));
			json_object_set_new(s, "loudest_db", isinf(sv.loudest_db) ? json_null() : num(sv.loudest_db, 0.01));
			json_object_set_new(s, "fewest_onsets", isinf(sv.fewest_onsets) ? json_null() : json_integer((json_int_t)sv.fewest_onsets));
			for (size_t i = 0; i < np; i++)
				json_array_append_new(cands, pad_json(&pads[i], rate, i + 1, keep[i], files[i]));
			json_object_set_new(s, "candidates", cands);
			json_object_set_new(s, "note", kept ? json_null() : json_string(why));
			json_array_append_new(sources, s);
		}
		if (audio_out && kept) {
			for (size_t i = 0; i < np; i++) {
				if (!keep[i])
					continue;
				sh_pad *p = &pads[i];
				int gr = sh_pad_grade_rank(p->grade), br = best.audio ? sh_pad_grade_rank(best.grade) : 99;
				if (gr < br || (gr == br && p->instability < best.instability)) {
					free(best.audio);
					best = *p;
					p->audio = NULL;
					best_rate = rate;
					best_ch = ch;
				}
			}
		}
		for (size_t i = 0; i < np; i++)
			free(files[i]);
		free(files);
		free(keep);
		sh_pads_free(pads, np);
		free(name);
		sh_audio_source_close(src);
		sh_audio_close(in);
	}

	if (opt.report) {
		json_object_set_new(report, "sources", sources);
		char *text = json_dumps(report, JSON_INDENT(2) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10));
		size_t len = strlen(text);
		text = realloc(text, len + 2);
		text[len++] = '\n';
		if (sh_write_all(1, text, len) != 0)
			sh_die("%s", sh_error());
		free(text);
	} else {
		json_decref(sources);
	}
	json_decref(report);
	if (audio_out) {
		if (!best.audio) {
			if (nsrc == 1)
				sh_die("%s: %s", reason_src, reason);
			sh_die("no pad in any source (%s: %s)", reason_src, reason);
		}
		sh_audio_out_opts oo = {.bits = bits, .dither_seed = 0x70616473u};
		sh_audio_out *out = sh_audio_create(opt.output, best_rate, best_ch, &oo);
		sh_audio_write(out, best.audio, (size_t)best.frames);
		sh_audio_finish(out);
		free(best.audio);
	}
	if (lock_fd >= 0)
		close(lock_fd);
	free(lock_path);
	free(manifest_path);
	return status;
}
