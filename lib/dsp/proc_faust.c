/* proc_faust.c -- the adapter that makes a Faust program an sh_proc class, and
 * the processors compiled from share/shards/faust/NAME.dsp at build time.
 *
 * The knob tables. A processor's parameter rows are a static table that
 * sh_proc_new copies, and everything (the registry's users, --help, `dsp
 * --list`) reads them straight from the class. The ranges, defaults, units and
 * help of a Faust processor are written once, in its .dsp file; Faust hands them
 * over only by walking the program's user interface. So each built-in class
 * points at a table of its own that a constructor fills at program start, by
 * the same walk (sh_faust_describe) that run-time programs use (faust.c): the
 * numbers cannot drift from the .dsp, no generator or hand-written copy is
 * needed, and the walk costs a few microseconds (the instance it creates is
 * calloc'ed and never touched but for the labels). */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faust/gui/CInterface.h>

#include "cli.h"
#include "faust.h"

/* The frames Faust computes at a time: the output cannot depend on how a pipe
 * delivered the bytes, and knob changes reach the zones between blocks. */
enum { FAUST_BLOCK = 256 };

/* ---------------------------------------------------------------- the UI walk */

typedef struct {
	sh_option *rows;        /* describing: the rows to fill, else NULL */
	sh_faust_state *def;
	float **zones;          /* collecting an instance's zones, else NULL */
	int n;                  /* knobs so far */
	const char *unit, *tooltip; /* metadata of the widget about to come */
	bool failed;
	char why[256];
} walk;

static void ui_box(void *w, const char *label)
{
	walk *k = w;
	k->unit = k->tooltip = NULL;
}

static void ui_close(void *w)
{
	walk *k = w;
	k->unit = k->tooltip = NULL;
}

static void ui_declare(void *w, FAUSTFLOAT *zone, const char *key, const char *value)
{
	walk *k = w;
	if (!zone)
		return; /* a group's or the program's */
	if (!strcmp(key, "unit"))
		k->unit = value;
	else if (!strcmp(key, "tooltip"))
		k->tooltip = value;
}

/* Faust's float as the double a user would type: 0.33f is 0.33, not 0.33000001. */
static double tidy(FAUSTFLOAT x)
{
	char t[32];
	snprintf(t, sizeof t, "%.7g", (double)x);
	return strtod(t, NULL);
}

/* A label as a knob name: lower case, blanks as dashes, nothing a key=value
 * word could trip on; a repeated name gets a number. */
static char *knob_name(const walk *k, const char *label)
{
	char name[64];
	size_t len = 0;
	for (const char *c = label; *c && len + 1 < sizeof name; c++) {
		unsigned char u = (unsigned char)*c;
		if (isalnum(u) || u == '-' || u == '_' || u == '.')
			name[len++] = (char)tolower(u);
		else if (isspace(u) && len > 0 && name[len - 1] != '-')
			name[len++] = '-';
	}
	while (len > 0 && name[len - 1] == '-')
		len--;
	name[len] = 0;
	if (!len)
		snprintf(name, sizeof name, "knob%d", k->n + 1);
	char unique[80];
	snprintf(unique, sizeof unique, "%s", name);
	for (int dup = 2;; dup++) {
		bool taken = false;
		for (int i = 0; i < k->n && !taken; i++)
			taken = !strcmp(k->rows[i].name, unique);
		if (!taken)
			break;
		snprintf(unique, sizeof unique, "%s-%d", name, dup);
	}
	return sh_strdup(unique);
}

static void ui_knob(walk *k, const char *label, FAUSTFLOAT *zone, double init, double min,
                    double max, bool toggle)
{
	const char *unit = k->unit, *tip = k->tooltip;
	k->unit = k->tooltip = NULL;
	if (k->failed)
		return;
	if (k->n == SH_FAUST_KNOBS) {
		k->failed = true;
		snprintf(k->why, sizeof k->why, "more than %d controls", SH_FAUST_KNOBS);
		return;
	}
	if (k->zones)
		k->zones[k->n] = zone;
	if (k->rows) {
		char help[512];
		if (tip)
			snprintf(help, sizeof help, "%s", tip);
		else if (toggle)
			snprintf(help, sizeof help, "the switch '%s': 1 on, 0 off", label);
		else
			snprintf(help, sizeof help, "the control '%s', %g..%g", label, min, max);
		k->rows[k->n] = (sh_option){
			.name = knob_name(k, label), .type = SH_OPT_DOUBLE,
			.dest = SH_PROC_PARAM(sh_faust_state, knob[k->n]),
			.min = fmin(min, max), .max = fmax(min, max), .arg = "X",
			.help = sh_strdup(help), .unit = sh_strdup(unit ? unit : ""), .live = true,
		};
		k->def->knob[k->n] = init;
	}
	k->n++;
}

static void ui_button(void *w, const char *label, FAUSTFLOAT *zone)
{
	ui_knob(w, label, zone, 0, 0, 1, true);
}

static void ui_slider(void *w, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT init, FAUSTFLOAT min,
                      FAUSTFLOAT max, FAUSTFLOAT step)
{
	ui_knob(w, label, zone, tidy(init), tidy(min), tidy(max), false);
}

static void ui_bargraph(void *w, const char *label, FAUSTFLOAT *zone, FAUSTFLOAT min, FAUSTFLOAT max)
{
	/* an output of the program's (a meter): no knob */
}

static void ui_soundfile(void *w, const char *label, const char *url, struct Soundfile **zone)
{
	walk *k = w;
	if (!k->failed)
		snprintf(k->why, sizeof k->why, "soundfile '%s' (not supported)", label);
	k->failed = true;
}

static void walk_ui(const sh_faust_kind *kind, void *dsp, walk *k)
{
	UIGlue glue = {
		.uiInterface = k,
		.openTabBox = ui_box, .openHorizontalBox = ui_box, .openVerticalBox = ui_box,
		.closeBox = ui_close,
		.addButton = ui_button, .addCheckButton = ui_button,
		.addVerticalSlider = ui_slider, .addHorizontalSlider = ui_slider, .addNumEntry = ui_slider,
		.addHorizontalBargraph = ui_bargraph, .addVerticalBargraph = ui_bargraph,
		.addSoundfile = ui_soundfile, .declare = ui_declare,
	};
	kind->ui(dsp, &glue);
}

int sh_faust_describe(const sh_faust_kind *kind, const char *where, sh_option *rows,
                      sh_faust_state *def)
{
	memset(def, 0, sizeof *def);
	if (kind->inputs < 1 || kind->outputs < 1 || kind->inputs > SH_MAX_CHANNELS ||
	    kind->outputs > SH_MAX_CHANNELS) {
		sh_set_error("%s: %d inputs, %d outputs: a processor takes sound in and gives sound out",
		             where, kind->inputs, kind->outputs);
		return -1;
	}
	void *dsp = kind->create(kind);
	if (!dsp) {
		sh_set_error("%s: Faust could not make an instance", where);
		return -1;
	}
	walk k = {.rows = rows, .def = def};
	walk_ui(kind, dsp, &k);
	kind->destroy(dsp);
	if (k.failed) {
		for (int i = 0; i < k.n; i++) {
			free((char *)rows[i].name);
			free((char *)rows[i].help);
			free((char *)rows[i].unit);
		}
		memset(rows, 0, (size_t)k.n * sizeof *rows);
		sh_set_error("%s: %s", where, k.why);
		return -1;
	}
	def->kind = kind;
	def->nknobs = k.n;
	return 0;
}

/* ---------------------------------------------------------------- the processor */

/* Every knob into every instance's zone. */
static void write_zones(sh_faust_state *s)
{
	for (int d = 0; d < s->ndsp; d++)
		for (int i = 0; i < s->nknobs; i++)
			*s->zone[d][i] = (FAUSTFLOAT)s->knob[i];
}

int sh_faust_set(sh_proc *p, const sh_option *o)
{
	write_zones(p->priv);
	return 0;
}

int sh_faust_start(sh_proc *p)
{
	sh_faust_state *s = p->priv;
	const sh_faust_kind *kind = s->kind;
	if (!kind) {
		sh_set_error("%s: its Faust program did not load", p->cls->name);
		return -1;
	}
	/* the channel count is the class's ports, which the driver checked */
	const bool apart = SH_FAUST_PORTS(kind->inputs, kind->outputs) == 0;
	s->ndsp = apart ? p->channels_in : 1;
	p->channels_out = apart ? p->channels_in : kind->outputs;
	p->block = FAUST_BLOCK;
	s->dsp = sh_calloc((size_t)s->ndsp, sizeof *s->dsp);
	s->zone = sh_calloc((size_t)s->ndsp, sizeof *s->zone);
	s->planar = sh_malloc((size_t)(kind->inputs + kind->outputs) * FAUST_BLOCK * sizeof(float));
	s->out = sh_malloc((size_t)p->channels_out * FAUST_BLOCK * sizeof(float));
	for (int d = 0; d < s->ndsp; d++) {
		if (!(s->dsp[d] = kind->create(kind))) {
			sh_set_error("%s: Faust could not make an instance", p->cls->name);
			return -1;
		}
		kind->init(s->dsp[d], p->rate);
		walk k = {.zones = s->zone[d]};
		walk_ui(kind, s->dsp[d], &k);
		if (k.failed || k.n != s->nknobs) {
			sh_set_error("%s: the Faust program's controls changed", p->cls->name);
			return -1;
		}
	}
	write_zones(s); /* init set the zones to the program's own defaults */
	return 0;
}

int sh_faust_flow(sh_proc *p, const float *in, size_t frames)
{
	sh_faust_state *s = p->priv;
	const sh_faust_kind *kind = s->kind;
	const int n = (int)frames, ci = p->channels_in, co = p->channels_out;
	const int ni = kind->inputs, no = kind->outputs;
	float *io[2 * SH_MAX_CHANNELS];
	float **ins = io, **outs = io + ni;
	for (int c = 0; c < ni + no; c++)
		io[c] = s->planar + (size_t)c * FAUST_BLOCK;
	/* instance d takes the stream's channels from d * ni and gives them from d * no:
	 * one instance per channel (ni = no = 1), or one for the whole stream */
	for (int d = 0; d < s->ndsp; d++) {
		for (int c = 0; c < ni; c++)
			for (int i = 0; i < n; i++)
				ins[c][i] = in[(size_t)i * ci + (size_t)(d * ni + c)];
		kind->compute(s->dsp[d], n, ins, outs);
		for (int c = 0; c < no; c++)
			for (int i = 0; i < n; i++)
				s->out[(size_t)i * co + (size_t)(d * no + c)] = outs[c][i];
	}
	return sh_proc_emit(p, s->out, frames);
}

void sh_faust_stop(sh_proc *p)
{
	sh_faust_state *s = p->priv;
	for (int d = 0; s->dsp && d < s->ndsp; d++)
		if (s->dsp[d])
			s->kind->destroy(s->dsp[d]);
	free(s->dsp);
	free(s->zone);
	free(s->planar);
	free(s->out);
	s->dsp = NULL;
	s->zone = NULL;
	s->planar = s->out = NULL;
}

/* ---------------------------------------------------------------- built in */

/* The C that `faust -lang c -cn NAME` made of share/shards/faust/NAME.dsp (the
 * Makefile's Faust block): plain C, not ours to keep warning-free. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wshadow"
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wunused-variable"
#pragma GCC diagnostic ignored "-Wsign-compare"
#pragma GCC diagnostic ignored "-Wmissing-prototypes"
#pragma GCC diagnostic ignored "-Wmissing-declarations"
/* the backend's integer min and max, which it leaves to the includer */
static inline int min(int a, int b) { return a < b ? a : b; }
static inline int max(int a, int b) { return a > b ? a : b; }
#include "faust_reverb.c"
#include "faust_freeverb.c"
#pragma GCC diagnostic pop

/* A built-in class: its kind (the C functions the backend named after it), and
 * the table and defaults the constructor below fills. IN and OUT must be what
 * the .dsp has (start checks). */
#define FAUST_BUILTIN(N, PURPOSE, NEUTRAL, IN, OUT)                                          \
	static void *N##_create(const sh_faust_kind *k) { return new##N(); }                    \
	static void N##_destroy(void *d) { delete##N(d); }                                      \
	static void N##_init(void *d, int r) { init##N(d, r); }                                 \
	static void N##_ui(void *d, void *g) { buildUserInterface##N(d, g); }                   \
	static void N##_compute(void *d, int n, float **i, float **o) { compute##N(d, n, i, o); } \
	static sh_faust_kind N##_kind = {                                                       \
		.name = #N, .create = N##_create, .destroy = N##_destroy, .init = N##_init,     \
		.ui = N##_ui, .compute = N##_compute, .inputs = IN, .outputs = OUT,             \
	};                                                                                      \
	static sh_option N##_rows[SH_FAUST_KNOBS + 1];                                          \
	static sh_faust_state N##_defaults;                                                     \
	const sh_proc_class sh_proc_##N = {                                                     \
		.name = #N, .purpose = PURPOSE,                                                 \
		SH_PROC_STATE(sh_faust_state, N##_defaults, N##_rows),                          \
		.neutral = NEUTRAL, .ports = SH_FAUST_PORTS(IN, OUT),                           \
		.start = sh_faust_start, .flow = sh_faust_flow, .set = sh_faust_set,            \
		.stop = sh_faust_stop,                                                          \
	};

FAUST_BUILTIN(reverb, "a lush stereo hall or room, its low and mid decay set apart (zita-rev1)",
              "mix=0 level=0", 2, 2)
FAUST_BUILTIN(freeverb, "the classic bright Freeverb room, from a booth to a hangar",
              "mix=0", 2, 2)

/* The tables, filled before main (see the top of the file). A program whose
 * counts are not what FAUST_BUILTIN says keeps an empty table and a NULL kind:
 * start then refuses it. */
static void describe_builtin(sh_faust_kind *kind, int in, int out, sh_option *rows,
                             sh_faust_state *def)
{
	if (kind->inputs != in || kind->outputs != out ||
	    sh_faust_describe(kind, kind->name, rows, def) != 0)
		def->kind = NULL;
}

__attribute__((constructor)) static void faust_builtin_tables(void)
{
	reverb_kind.inputs = getNumInputsreverb(NULL);
	reverb_kind.outputs = getNumOutputsreverb(NULL);
	describe_builtin(&reverb_kind, 2, 2, reverb_rows, &reverb_defaults);
	freeverb_kind.inputs = getNumInputsfreeverb(NULL);
	freeverb_kind.outputs = getNumOutputsfreeverb(NULL);
	describe_builtin(&freeverb_kind, 2, 2, freeverb_rows, &freeverb_defaults);
}
