/* faust.h -- Faust programs as audio processors (sh_proc classes).
 *
 * A Faust program (a .dsp file) becomes a processor in one of two ways, and a
 * user cannot tell the two apart except by `dsp --list`:
 *  - ahead of time: share/shards/faust/NAME.dsp, compiled to C by `faust -lang c`
 *    when shards is built, is the registry's processor NAME (proc_faust.c);
 *  - at run time: any .dsp file, compiled by libfaust's LLVM backend when the
 *    program starts (faust.c, sh_faust_class_from_file).
 *
 * Either way one adapter (proc_faust.c) makes the class: it walks the program's
 * user interface and makes each slider, numeric entry, checkbox and button a
 * knob (a DOUBLE row: the label is its name, min/max/init its range and
 * default, [unit:...] its unit, [tooltip:...] its help, and every knob is live);
 * a program of one input and one output runs once per channel (ports = 0), any
 * other takes exactly its input count (ports = inputs) and gives its output
 * count. Faust's planar compute runs on the adapter's own fixed block, so the
 * output never depends on how frames were pushed. */
#ifndef SHARDS_FAUST_H
#define SHARDS_FAUST_H

#include <stdbool.h>

#include "proc.h"

/* A processor class compiled now from the Faust program in the file PATH; its
 * name is the file's base name without ".dsp". NULL + sh_error() with Faust's
 * message (the file and line of the mistake) when it does not compile, or when
 * the program is not one a processor can run (no audio input, too many knobs,
 * soundfiles). Free it with sh_faust_class_free once no processor of it is left.
 * Not thread-safe: compile on one thread. */
const sh_proc_class *sh_faust_class_from_file(const char *path);
void sh_faust_class_free(const sh_proc_class *cls);

/* Is CLS one of sh_faust_class_from_file's? */
bool sh_faust_class_is_dynamic(const sh_proc_class *cls);

/* ---- the adapter's side, shared by proc_faust.c and faust.c ---- */

/* The most knobs one Faust program may have. */
#define SH_FAUST_KNOBS 64

/* One Faust program: its functions, with its instances as void pointers.
 * FAUSTFLOAT is float: the C backend's and libfaust's default. */
typedef struct sh_faust_kind sh_faust_kind;
struct sh_faust_kind {
	const char *name;
	void *(*create)(const sh_faust_kind *k);   /* a new instance, or NULL */
	void (*destroy)(void *dsp);
	void (*init)(void *dsp, int rate);
	void (*ui)(void *dsp, void *glue);         /* buildUserInterface with a UIGlue * */
	void (*compute)(void *dsp, int frames, float **in, float **out);
	int inputs, outputs;
	void *factory;                              /* libfaust's factory (run-time programs) */
	char *path;                                 /* the file it came from (run-time programs) */
};

/* The private state of every Faust processor. Its head, the knobs and the
 * kind, is the class's defaults. */
typedef struct {
	double knob[SH_FAUST_KNOBS];       /* the knobs' values: the rows' destinations */
	const sh_faust_kind *kind;
	int nknobs;
	/* from start */
	int ndsp;                          /* instances: one per channel, or one */
	void **dsp;
	float *(*zone)[SH_FAUST_KNOBS];    /* each instance's zone of each knob */
	float *planar;                     /* the block, split into channels: in, then out */
	float *out;                        /* the block interleaved again */
} sh_faust_state;

/* Fill ROWS (SH_FAUST_KNOBS + 1 of them, zeroed) and DEFAULTS from KIND's user
 * interface; the rows' destinations are offsets into an sh_faust_state, their
 * strings new (heap) copies. -1 + sh_error() naming WHERE (a file or a name). */
int sh_faust_describe(const sh_faust_kind *kind, const char *where, sh_option *rows,
                      sh_faust_state *defaults);
/* The class functions every Faust processor shares. */
int sh_faust_start(sh_proc *p);
int sh_faust_flow(sh_proc *p, const float *in, size_t frames);
int sh_faust_set(sh_proc *p, const sh_option *o);
void sh_faust_stop(sh_proc *p);
/* ports for a program of IN inputs and OUT outputs: 0 for one in, one out (a
 * macro: the built-in classes' initialisers need a constant). */
#define SH_FAUST_PORTS(in, out) ((in) == 1 && (out) == 1 ? 0 : (in))

#endif
