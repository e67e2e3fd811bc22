/* faust.c -- Faust programs compiled at run time (libfaust's LLVM backend) as
 * processor classes; see faust.h. The adapter itself is proc_faust.c's. */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <faust/dsp/llvm-dsp-c.h>

#include "cli.h"
#include "faust.h"

/* A class and what it owns, in one allocation: the class first, so the class
 * pointer handed out is the whole. */
typedef struct {
	sh_proc_class cls;
	sh_faust_kind kind;
	sh_option rows[SH_FAUST_KNOBS + 1];
	sh_faust_state defaults;
	char *name, *purpose;
} dynamic;

/* The options the build gives `faust -lang c` (the Makefile's FAUST_FLAGS), so
 * a program sounds the same compiled either way. */
static const char *const faust_argv[] = {"-ftz", "2", "-mcd", "0"};

/* libfaust is opened when the first program is compiled, not linked: loading
 * it (LLVM's start-up) costs about 0.2 s, which every run of a program would
 * pay, Faust or not. */
#define LIBFAUST "libfaust.so.2"
#define FAUST_FUNCTIONS(X)                                                              \
	X(createCDSPFactoryFromFile) X(deleteCDSPFactory) X(createCDSPInstance)          \
	X(deleteCDSPInstance) X(initCDSPInstance) X(buildUserInterfaceCDSPInstance)      \
	X(computeCDSPInstance) X(getNumInputsCDSPInstance) X(getNumOutputsCDSPInstance) \
	X(metadataCDSPInstance)
#define FAUST_POINTER(f) static __typeof__(f) *lf_##f;
FAUST_FUNCTIONS(FAUST_POINTER)

static int open_libfaust(const char *path)
{
	static void *lib;
	if (lib)
		return 0;
	void *h = dlopen(LIBFAUST, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		sh_set_error("%s: Faust programs need libfaust (Debian: libfaust2): %s", path, dlerror());
		return -1;
	}
#define FAUST_LOOKUP(f)                                                                   \
	if (!(*(void **)&lf_##f = dlsym(h, #f))) {                                        \
		sh_set_error("%s: %s has no %s", path, LIBFAUST, #f);                     \
		dlclose(h);                                                               \
		return -1;                                                                \
	}
	FAUST_FUNCTIONS(FAUST_LOOKUP)
	lib = h; /* kept open for the run: its factories live in it */
	return 0;
}

static void *dyn_create(const sh_faust_kind *k) { return lf_createCDSPInstance(k->factory); }
static void dyn_destroy(void *d) { lf_deleteCDSPInstance(d); }
static void dyn_init(void *d, int rate) { lf_initCDSPInstance(d, rate); }
static void dyn_ui(void *d, void *glue) { lf_buildUserInterfaceCDSPInstance(d, glue); }
static void dyn_compute(void *d, int n, float **in, float **out) { lf_computeCDSPInstance(d, n, in, out); }

/* Faust says "NAME : LINE : ERROR : WHAT", or "ERROR ..." and the details on
 * lines below; we say "PATH:LINE: WHAT" as a compiler would, or "PATH: WHAT",
 * on one line (the first two of Faust's). */
static void faust_error(const char *path, const char *msg)
{
	char text[1024] = "";
	size_t len = 0;
	int lines = 0;
	for (const char *at = msg; *at && lines < 2;) {
		size_t n = strcspn(at, "\n");
		if (n > 0) {
			len += (size_t)snprintf(text + len, sizeof text - len, "%s%.*s", lines ? ": " : "",
			                        (int)n, at);
			if (len >= sizeof text)
				len = sizeof text - 1;
			lines++;
		}
		at += n + (at[n] == '\n');
	}
	const char *what = text, *colon = strstr(text, " : ");
	char *end = NULL;
	long line = colon ? strtol(colon + 3, &end, 10) : 0;
	if (line > 0 && !strncmp(end, " : ERROR : ", 11)) {
		sh_set_error("%s:%ld: %s", path, line, end + 11);
		return;
	}
	if (!strncmp(what, "ERROR : ", 8))
		what += 8;
	else if (!strncmp(what, "ERROR ", 6))
		what += 6;
	sh_set_error("%s: %s", path, what[0] ? what : "Faust could not compile it");
}

/* The file's base name without ".dsp", as a processor's name. */
static char *class_name(const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	char *name = sh_strdup(base);
	size_t len = strlen(name);
	if (len > 4 && !strcmp(name + len - 4, ".dsp"))
		name[len - 4] = 0;
	return name;
}

/* The program's "description" metadata, for the purpose line. */
static void meta_declare(void *user, const char *key, const char *value)
{
	char **purpose = user;
	if (!strcmp(key, "description") && !*purpose && !strchr(value, '\n'))
		*purpose = sh_strdup(value);
}

const sh_proc_class *sh_faust_class_from_file(const char *path)
{
	FILE *f = fopen(path, "r");
	if (!f) {
		sh_set_error("%s: %s", path, strerror(errno));
		return NULL;
	}
	fclose(f);
	if (open_libfaust(path) != 0)
		return NULL;
	char err[4096] = "";
	llvm_dsp_factory *factory = lf_createCDSPFactoryFromFile(
		path, (int)(sizeof faust_argv / sizeof *faust_argv), (const char **)faust_argv, "", err, -1);
	if (!factory) {
		faust_error(path, err);
		return NULL;
	}
	dynamic *d = sh_calloc(1, sizeof *d);
	d->kind = (sh_faust_kind){
		.create = dyn_create, .destroy = dyn_destroy, .init = dyn_init, .ui = dyn_ui,
		.compute = dyn_compute, .factory = factory, .path = sh_strdup(path),
	};
	d->name = class_name(path);
	d->kind.name = d->name;
	llvm_dsp *probe = lf_createCDSPInstance(factory);
	if (probe) {
		d->kind.inputs = lf_getNumInputsCDSPInstance(probe);
		d->kind.outputs = lf_getNumOutputsCDSPInstance(probe);
		MetaGlue meta = {.metaInterface = &d->purpose, .declare = meta_declare};
		lf_metadataCDSPInstance(probe, &meta);
		lf_deleteCDSPInstance(probe);
	}
	if (!probe || sh_faust_describe(&d->kind, path, d->rows, &d->defaults) != 0) {
		if (!probe)
			sh_set_error("%s: Faust could not make an instance", path);
		free(d->purpose);
		d->purpose = NULL;
		sh_faust_class_free(&d->cls);
		return NULL;
	}
	if (!d->purpose) {
		char text[512];
		snprintf(text, sizeof text, "the Faust program %s", path);
		d->purpose = sh_strdup(text);
	}
	d->cls = (sh_proc_class){
		.name = d->name, .purpose = d->purpose,
		SH_PROC_STATE(sh_faust_state, d->defaults, d->rows),
		.ports = SH_FAUST_PORTS(d->kind.inputs, d->kind.outputs),
		.start = sh_faust_start, .flow = sh_faust_flow, .set = sh_faust_set,
		.stop = sh_faust_stop,
	};
	return &d->cls;
}

bool sh_faust_class_is_dynamic(const sh_proc_class *cls)
{
	const sh_faust_state *s = cls ? cls->defaults : NULL;
	return cls && cls->start == sh_faust_start && s && s->kind && s->kind->factory;
}

void sh_faust_class_free(const sh_proc_class *cls)
{
	if (!cls)
		return;
	dynamic *d = (dynamic *)cls;
	for (sh_option *o = d->rows; o->name; o++) {
		free((char *)o->name);
		free((char *)o->help);
		free((char *)o->unit);
	}
	if (d->kind.factory)
		lf_deleteCDSPFactory(d->kind.factory);
	free(d->kind.path);
	free(d->name);
	free(d->purpose);
	free(d);
}
