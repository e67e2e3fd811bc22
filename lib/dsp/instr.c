/* instr.c -- SFZ and Hydrogen drumkit readers (instr.h). */
#include "instr.h"

#include "err.h"
#include "file.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* A whole small text file, NUL-terminated; NULL with sh_error(). */
static char *slurp_text(const char *path, size_t limit)
{
	size_t len;
	/* "-" is a file of that name here, not stdin (which carries the events) */
	char *buf = sh_read_file(strcmp(path, "-") ? path : "./-", limit, &len);
	if (buf && memchr(buf, 0, len)) {
		free(buf);
		sh_set_error("%s: not a text file", path);
		return NULL;
	}
	return buf;
}

/* DIR/NAME (NAME as is when absolute). */
static char *join(const char *dir, const char *name)
{
	if (name[0] == '/' || !dir[0])
		return sh_strdup(name);
	size_t a = strlen(dir), b = strlen(name);
	char *p = sh_malloc(a + b + 2);
	memcpy(p, dir, a);
	p[a] = '/';
	memcpy(p + a + 1, name, b + 1);
	return p;
}

static char *dirname_of(const char *path)
{
	const char *s = strrchr(path, '/');
	if (!s)
		return sh_strdup(".");
	size_t n = (size_t)(s - path);
	char *d = sh_malloc(n + 2);
	memcpy(d, path, n ? n : 1);
	d[n ? n : 1] = 0;
	return d;
}

/* ---------------- SFZ ---------------- */

/* A key: a MIDI number 0..127 or a note name (c4 = 60). -1 when neither. */
static int parse_key(const char *s)
{
	char *end;
	long k = strtol(s, &end, 10);
	if (end != s && !*end)
		return k >= 0 && k <= 127 ? (int)k : -1;
	static const int base[7] = {9, 11, 0, 2, 4, 5, 7}; /* a b c d e f g */
	char c = (char)tolower((unsigned char)s[0]);
	if (c < 'a' || c > 'g')
		return -1;
	int n = base[c - 'a'];
	s++;
	if (*s == '#') {
		n++;
		s++;
	} else if (*s == 'b' && (s[1] == '-' || isdigit((unsigned char)s[1]))) {
		n--;
		s++;
	}
	long oct = strtol(s, &end, 10);
	if (end == s || *end || oct < -2 || oct > 10)
		return -1; /* far outside 0..127, and (oct + 1) * 12 cannot overflow */
	long key = (oct + 1) * 12 + n;
	return key >= 0 && key <= 127 ? (int)key : -1;
}

static int parse_int(const char *s, long lo, long hi, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

/* The opcodes a region collects from its <global>, <group> and itself. */
typedef struct {
	char *sample;
	int lokey, hikey, lovel, hivel;
	double keycenter;
	int loop_mode;
	bool loop_mode_set;
	long loop_start, loop_end;
	double volume;
} sfz_ops;

static const sfz_ops sfz_defaults = {.lokey = 0, .hikey = 127, .lovel = 1, .hivel = 127, .keycenter = 60,
                                     .loop_start = 0, .loop_end = -1};

typedef struct {
	char **warned;
	size_t nwarned;
	const char *path;
} warnings;

static void warn_once(warnings *w, const char *what, const char *name)
{
	for (size_t i = 0; i < w->nwarned; i++)
		if (!strcmp(w->warned[i], name))
			return;
	w->warned = sh_realloc(w->warned, w->nwarned + 1, sizeof *w->warned);
	w->warned[w->nwarned++] = sh_strdup(name);
	sh_warn("%s: %s %s is not supported: ignored", w->path, what, name);
}

/* Apply one opcode: 0, or -1 with sh_error(). */
static int sfz_set(sfz_ops *o, const char *key, const char *val, warnings *w, char **default_path, bool control,
                   int line)
{
	long v;
	int k;
#define BAD(what)                                                                                      \
	do {                                                                                           \
		sh_set_error("%s: line %d: %s=%s: %s", w->path, line, key, val, what);                 \
		return -1;                                                                             \
	} while (0)
	if (control && !strcmp(key, "default_path")) {
		free(*default_path);
		*default_path = sh_strdup(val);
	} else if (!strcmp(key, "sample")) {
		free(o->sample);
		o->sample = sh_strdup(val);
		for (char *p = o->sample; *p; p++)
			if (*p == '\\')
				*p = '/';
	} else if (!strcmp(key, "lokey") || !strcmp(key, "hikey") || !strcmp(key, "key") ||
	           !strcmp(key, "pitch_keycenter")) {
		if ((k = parse_key(val)) < 0)
			BAD("a key is 0..127 or a note name such as c4");
		if (key[0] == 'l')
			o->lokey = k;
		else if (key[0] == 'h')
			o->hikey = k;
		else if (key[0] == 'p')
			o->keycenter = k;
		else
			o->lokey = o->hikey = k, o->keycenter = k;
	} else if (!strcmp(key, "lovel") || !strcmp(key, "hivel")) {
		if (parse_int(val, 0, 127, &v) != 0)
			BAD("a velocity is 0..127");
		if (key[0] == 'l')
			o->lovel = (int)v;
		else
			o->hivel = (int)v;
	} else if (!strcmp(key, "loop_mode") || !strcmp(key, "loopmode")) {
		if (!strcmp(val, "no_loop"))
			o->loop_mode = SH_LOOP_NONE;
		else if (!strcmp(val, "one_shot"))
			o->loop_mode = SH_LOOP_ONESHOT;
		else if (!strcmp(val, "loop_continuous") || !strcmp(val, "loop_sustain"))
			o->loop_mode = SH_LOOP_CONTINUOUS;
		else
			BAD("loop_mode is no_loop, one_shot, loop_continuous or loop_sustain");
		o->loop_mode_set = true;
	} else if (!strcmp(key, "loop_start") || !strcmp(key, "loopstart")) {
		if (parse_int(val, 0, 1L << 40, &v) != 0)
			BAD("a frame 0 or more");
		o->loop_start = v;
	} else if (!strcmp(key, "loop_end") || !strcmp(key, "loopend")) {
		if (parse_int(val, 0, 1L << 40, &v) != 0)
			BAD("a frame 0 or more");
		o->loop_end = v;
	} else if (!strcmp(key, "volume")) {
		char *end;
		double d = strtod(val, &end);
		if (end == val || *end || !(d >= -144 && d <= 48))
			BAD("volume is -144..48 dB");
		o->volume = d;
	} else {
		warn_once(w, "opcode", key);
	}
	return 0;
#undef BAD
}

static void ops_copy(sfz_ops *dst, const sfz_ops *src)
{
	char *s = src->sample ? sh_strdup(src->sample) : NULL;
	free(dst->sample);
	*dst = *src;
	dst->sample = s;
}

void sh_sfz_free(sh_sfz_region *r, size_t n)
{
	if (!r)
		return;
	for (size_t i = 0; i < n; i++) {
		free(r[i].path);
		free((char *)r[i].r.name);
	}
	free(r);
}

enum { H_NONE, H_CONTROL, H_GLOBAL, H_GROUP, H_REGION, H_OTHER };

/* The region collected so far, appended: 0, or -1 with sh_error(). */
static int sfz_close_region(sh_sfz_region **out, size_t *n, const sfz_ops *o, const char *dir,
                            const char *default_path, const char *path)
{
	if (!o->sample) {
		sh_set_error("%s: a <region> without a sample", path);
		return -1;
	}
	if (o->lokey > o->hikey || o->lovel > o->hivel) {
		sh_set_error("%s: region %s: empty key or velocity range", path, o->sample);
		return -1;
	}
	int mode = o->loop_mode;
	if (!o->loop_mode_set && o->loop_end >= 0)
		mode = SH_LOOP_CONTINUOUS; /* loop points given: the region loops */
	if (mode == SH_LOOP_CONTINUOUS && o->loop_end < o->loop_start) {
		sh_set_error("%s: region %s: loop_continuous needs loop_end after loop_start", path, o->sample);
		return -1;
	}
	char *rel = default_path ? join(default_path, o->sample) : sh_strdup(o->sample);
	*out = sh_realloc(*out, *n + 1, sizeof **out);
	sh_sfz_region *r = &(*out)[(*n)++];
	r->path = join(dir, rel);
	free(rel);
	r->r = (sh_region){.sample = -1, .keyed = true, .lokey = o->lokey, .hikey = o->hikey, .lovel = o->lovel,
	                   .hivel = o->hivel, .keycenter = o->keycenter, .loop_mode = mode,
	                   .loop_start = o->loop_start, .loop_end = o->loop_end, .choke = -1,
	                   .gain = pow(10, o->volume / 20)};
	return 0;
}

sh_sfz_region *sh_sfz_read(const char *path, size_t *nout)
{
	char *text = slurp_text(path, 16u << 20);
	if (!text)
		return NULL;
	char *dir = dirname_of(path);
	warnings w = {.path = path};
	sfz_ops global = sfz_defaults, group = sfz_defaults, region = sfz_defaults;
	char *default_path = NULL;
	int hdr = H_NONE;
	sh_sfz_region *out = NULL;
	size_t n = 0;
	int line = 1;
	bool fail = false;
	char *p = text;
	/* close the open header: a region becomes one */
#define CLOSE()                                                                                        \
	do {                                                                                           \
		if (hdr == H_REGION && sfz_close_region(&out, &n, &region, dir, default_path, path) != 0) \
			fail = true;                                                                   \
	} while (0)
	while (*p && !fail) {
		if (*p == '\n') {
			line++;
			p++;
		} else if (isspace((unsigned char)*p)) {
			p++;
		} else if (p[0] == '/' && p[1] == '/') {
			while (*p && *p != '\n')
				p++;
		} else if (p[0] == '/' && p[1] == '*') {
			char *e = strstr(p + 2, "*/");
			for (char *q = p; q < (e ? e : p + strlen(p)); q++)
				line += *q == '\n';
			p = e ? e + 2 : p + strlen(p);
		} else if (*p == '<') {
			char *e = strchr(p, '>');
			if (!e) {
				sh_set_error("%s: line %d: a header without '>'", path, line);
				fail = true;
				break;
			}
			*e = 0;
			const char *h = p + 1;
			CLOSE();
			if (fail)
				break;
			if (!strcmp(h, "region")) {
				hdr = H_REGION;
				ops_copy(&region, &group);
			} else if (!strcmp(h, "group")) {
				hdr = H_GROUP;
				ops_copy(&group, &global);
			} else if (!strcmp(h, "global")) {
				hdr = H_GLOBAL;
				ops_copy(&global, &sfz_defaults);
				ops_copy(&group, &global);
			} else if (!strcmp(h, "control")) {
				hdr = H_CONTROL;
			} else {
				hdr = H_OTHER;
				char name[64];
				snprintf(name, sizeof name, "<%s>", h);
				warn_once(&w, "header", name);
			}
			p = e + 1;
		} else {
			/* opcode=value; a value runs to the end of the line, the next
			 * opcode (a word followed by '='), a header or a comment, so
			 * sample paths may hold spaces */
			char *eq = p;
			while (*eq && *eq != '=' && !isspace((unsigned char)*eq) && *eq != '<')
				eq++;
			if (*eq != '=') {
				sh_set_error("%s: line %d: expected opcode=value", path, line);
				fail = true;
				break;
			}
			*eq = 0;
			const char *key = p;
			char *v = eq + 1, *end = v;
			for (;;) {
				if (!*end || *end == '\n' || *end == '\r' || *end == '<' || (end[0] == '/' && end[1] == '/'))
					break;
				if (isspace((unsigned char)*end)) {
					char *q = end;
					while (*q == ' ' || *q == '\t')
						q++;
					char *r = q;
					while (*r && (isalnum((unsigned char)*r) || *r == '_'))
						r++;
					if (r > q && *r == '=')
						break;
				}
				end++;
			}
			char *stop = end;
			while (stop > v && isspace((unsigned char)stop[-1]))
				stop--;
			char save = *end;
			*stop = 0;
			sfz_ops *o = hdr == H_REGION ? &region : hdr == H_GROUP ? &group : &global;
			if (hdr == H_OTHER)
				; /* opcodes of an unsupported header: already warned */
			else if (sfz_set(o, key, v, &w, &default_path, hdr == H_CONTROL, line) != 0)
				fail = true;
			if (hdr == H_GLOBAL && !fail)
				ops_copy(&group, &global);
			*end = save;
			p = end;
		}
	}
	if (!fail)
		CLOSE();
#undef CLOSE
	free(global.sample);
	free(group.sample);
	free(region.sample);
	free(default_path);
	for (size_t i = 0; i < w.nwarned; i++)
		free(w.warned[i]);
	free(w.warned);
	free(dir);
	free(text);
	if (!fail && n == 0) {
		sh_set_error("%s: no <region>", path);
		fail = true;
	}
	if (fail) {
		sh_sfz_free(out, n);
		return NULL;
	}
	*nout = n;
	return out;
}

/* ---------------- Hydrogen drumkit.xml ---------------- */

/* Decode the entities of TEXT[0..n) and trim it: a new string. */
static char *xml_text(const char *s, size_t n)
{
	char *o = sh_malloc(n + 1);
	size_t k = 0;
	for (size_t i = 0; i < n;) {
		if (s[i] != '&') {
			o[k++] = s[i++];
			continue;
		}
		static const struct {
			const char *e;
			char c;
		} ent[] = {{"&amp;", '&'}, {"&lt;", '<'}, {"&gt;", '>'}, {"&quot;", '"'}, {"&apos;", '\''}};
		bool done = false;
		for (size_t j = 0; j < 5 && !done; j++) {
			size_t l = strlen(ent[j].e);
			if (i + l <= n && !memcmp(s + i, ent[j].e, l)) {
				o[k++] = ent[j].c;
				i += l;
				done = true;
			}
		}
		if (!done && i + 2 < n && s[i + 1] == '#') {
			const char *semi = memchr(s + i, ';', n - i);
			unsigned long cp = 0;
			if (semi)
				cp = s[i + 2] == 'x' ? strtoul(s + i + 3, NULL, 16) : strtoul(s + i + 2, NULL, 10);
			if (semi && cp > 0 && cp < 0x110000) { /* as UTF-8 */
				if (cp < 0x80)
					o[k++] = (char)cp;
				else if (cp < 0x800)
					o[k++] = (char)(0xc0 | (cp >> 6)), o[k++] = (char)(0x80 | (cp & 63));
				else if (cp < 0x10000)
					o[k++] = (char)(0xe0 | (cp >> 12)), o[k++] = (char)(0x80 | ((cp >> 6) & 63)),
					o[k++] = (char)(0x80 | (cp & 63));
				else
					o[k++] = (char)(0xf0 | (cp >> 18)), o[k++] = (char)(0x80 | ((cp >> 12) & 63)),
					o[k++] = (char)(0x80 | ((cp >> 6) & 63)), o[k++] = (char)(0x80 | (cp & 63));
				i = (size_t)(semi - s) + 1;
				done = true;
			}
		}
		if (!done)
			o[k++] = s[i++];
	}
	o[k] = 0;
	size_t a = 0;
	while (o[a] && isspace((unsigned char)o[a]))
		a++;
	while (k > a && isspace((unsigned char)o[k - 1]))
		k--;
	o[k] = 0;
	memmove(o, o + a, k - a + 1);
	return o;
}

void sh_kit_free(sh_kit_instrument *k, size_t n)
{
	if (!k)
		return;
	for (size_t i = 0; i < n; i++) {
		free(k[i].name);
		free(k[i].path);
	}
	free(k);
}

sh_kit_instrument *sh_kit_read(const char *dir, size_t *nout)
{
	char *path = join(dir, "drumkit.xml");
	char *text = slurp_text(path, 16u << 20);
	if (!text) {
		free(path);
		return NULL;
	}
	sh_kit_instrument *out = NULL;
	size_t n = 0;
	int list = 0;            /* depth inside <instrumentList>, 0: outside */
	int inst = 0;            /* depth inside an <instrument>, 0: outside */
	char *name = NULL, *file = NULL;
	const char *err = NULL;
	char *p = text;
	while ((p = strchr(p, '<')) != NULL) {
		if (!strncmp(p, "<!--", 4)) {
			char *e = strstr(p + 4, "-->");
			if (!e) {
				err = "an unclosed comment";
				break;
			}
			p = e + 3;
			continue;
		}
		if (!strncmp(p, "<![CDATA[", 9)) {
			char *e = strstr(p + 9, "]]>");
			if (!e) {
				err = "an unclosed CDATA section";
				break;
			}
			p = e + 3;
			continue;
		}
		if (p[1] == '?' || p[1] == '!') {
			char *e = strchr(p, '>');
			if (!e) {
				err = "an unclosed declaration";
				break;
			}
			p = e + 1;
			continue;
		}
		bool closing = p[1] == '/';
		char *t = p + 1 + closing, *te = t;
		while (*te && !isspace((unsigned char)*te) && *te != '>' && *te != '/')
			te++;
		char *e = te; /* the tag's end, quotes respected */
		char quote = 0;
		while (*e && (quote || *e != '>')) {
			if (quote && *e == quote)
				quote = 0;
			else if (!quote && (*e == '"' || *e == '\''))
				quote = *e;
			e++;
		}
		if (!*e) {
			err = "an unclosed tag";
			break;
		}
		bool empty = !closing && e > te && e[-1] == '/';
		size_t tl = (size_t)(te - t);
#define IS(s) (tl == strlen(s) && !memcmp(t, s, tl))
		if (closing) {
			if (inst) {
				if (--inst == 0) {
					if (name && file) {
						out = sh_realloc(out, n + 1, sizeof *out);
						out[n].name = name;
						out[n].path = join(dir, file);
						n++;
						free(file);
					} else {
						free(name);
						free(file);
					}
					name = file = NULL;
				}
			} else if (list && IS("instrumentList")) {
				list = 0;
			}
		} else if (!empty) {
			char *body = e + 1;
			char *lt = strchr(body, '<');
			size_t bl = lt ? (size_t)(lt - body) : strlen(body);
			if (inst) {
				inst++;
				if (inst == 2 && IS("name") && !name)
					name = xml_text(body, bl);
				else if (IS("filename") && !file)
					file = xml_text(body, bl);
			} else if (list && IS("instrument")) {
				inst = 1;
			} else if (IS("instrumentList")) {
				list = 1;
			}
		}
#undef IS
		p = e + 1;
	}
	free(name);
	free(file);
	free(text);
	if (!err && n == 0)
		err = "no instrument with a sample";
	if (err) {
		sh_set_error("%s: %s", path, err);
		free(path);
		sh_kit_free(out, n);
		return NULL;
	}
	free(path);
	*nout = n;
	return out;
}

int sh_kit_find(const sh_kit_instrument *k, size_t n, const char *name)
{
	for (size_t i = 0; i < n; i++)
		if (!strcasecmp(k[i].name, name))
			return (int)i;
	int hit = -1, hits = 0;
	size_t nl = strlen(name);
	for (size_t i = 0; i < n; i++) {
		size_t hl = strlen(k[i].name);
		for (size_t j = 0; nl && j + nl <= hl; j++)
			if (!strncasecmp(k[i].name + j, name, nl)) {
				if (hits++ == 0)
					hit = (int)i;
				break;
			}
	}
	if (hits == 1)
		return hit;
	size_t len = 0;
	for (size_t i = 0; i < n; i++)
		len += strlen(k[i].name) + 2;
	char *list = sh_malloc(len + 1);
	list[0] = 0;
	for (size_t i = 0; i < n; i++) {
		if (i)
			strcat(list, ", ");
		strcat(list, k[i].name);
	}
	sh_set_error("%s: %s; the kit has: %s", name,
	             hits ? "names several instruments" : "no such instrument", list);
	free(list);
	return -1;
}
