/* cutlist.c -- parse, validate, serialise and compose cut lists; see cutlist.h. */
#include "cutlist.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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

/* ---------------------------------------------------------------- parsing
 *
 * A hand-written reader for the schema: a list of a million cuts parses in a
 * fraction of a second and costs only its cuts in memory (a generic JSON tree
 * costs some 700 bytes a cut). Only "made_by", which is free-form, goes through
 * jansson. */

typedef struct {
	const char *p, *start, *end; /* the text in hand, and the cursor in it */
	const char *mark;            /* kept in hand from here on (made_by), or NULL */
	int fd;                      /* more text comes from here; -1: all of it is in hand */
	char *buf;                   /* the window the fd is read into */
	size_t cap, total, max_bytes;
	long line, col;              /* where start is in the document */
	bool eof;
	const char *err; /* first error, set once */
	char errbuf[256];
} reader;

/* Line and column of the cursor: those of start, advanced over the text up to upto. */
static void position(const reader *r, const char *upto, long *line, long *col)
{
	*line = r->line;
	*col = r->col;
	for (const char *q = r->start; q < upto && q < r->end; q++) {
		if (*q == '\n') {
			++*line;
			*col = 1;
		} else {
			++*col;
		}
	}
}

static void rerr(reader *r, const char *msg)
{
	if (r->err)
		return;
	long line, col;
	position(r, r->p, &line, &col);
	snprintf(r->errbuf, sizeof r->errbuf, "not a cut list: JSON error at line %ld column %ld: %s", line, col, msg);
	r->err = r->errbuf;
}

/* A document read from a descriptor is parsed as it arrives, through a window
 * of a few pages: refusing a stream takes only the bytes that show it is not
 * a cut list, and the size cap is counted, not held. */
enum { WINDOW = 1 << 16 };

/* At least need bytes in hand past the cursor; false at the end of the text
 * (or on a read error or the size cap, which set the error). */
static bool fill(reader *r, size_t need)
{
	while ((size_t)(r->end - r->p) < need) {
		if (r->fd < 0 || r->eof || r->err)
			return false;
		const char *keep = r->mark && r->mark < r->p ? r->mark : r->p;
		position(r, keep, &r->line, &r->col);
		size_t have = (size_t)(r->end - keep), at = (size_t)(r->p - keep);
		size_t mark = r->mark ? (size_t)(r->mark - keep) : 0;
		memmove(r->buf, keep, have);
		if (r->cap - have < WINDOW) {
			r->cap = have + WINDOW;
			r->buf = sh_realloc(r->buf, r->cap, 1);
		}
		ssize_t n = read(r->fd, r->buf + have, r->cap - have);
		if (n < 0 && errno == EINTR)
			n = 0;
		else if (n < 0) {
			snprintf(r->errbuf, sizeof r->errbuf, "%s", strerror(errno));
			r->err = r->errbuf;
		} else if (n == 0)
			r->eof = true;
		else if ((r->total += (size_t)n) > r->max_bytes) {
			snprintf(r->errbuf, sizeof r->errbuf, "larger than %zu bytes", r->max_bytes);
			r->err = r->errbuf;
		}
		r->start = r->buf;
		r->p = r->buf + at;
		r->mark = r->mark ? r->buf + mark : NULL;
		r->end = r->buf + have + (n > 0 && !r->err ? (size_t)n : 0);
	}
	return true;
}

static bool more(reader *r) { return r->p < r->end || fill(r, 1); }

static void ws(reader *r)
{
	while (more(r) && (*r->p == ' ' || *r->p == '\t' || *r->p == '\n' || *r->p == '\r'))
		r->p++;
}

static bool lit(reader *r, char c)
{
	ws(r);
	if (more(r) && *r->p == c) {
		r->p++;
		return true;
	}
	return false;
}

static void expect(reader *r, char c)
{
	if (!lit(r, c)) {
		char msg[16];
		snprintf(msg, sizeof msg, "'%c' expected", c);
		rerr(r, msg);
	}
}

/* A JSON string into buf (truncated to cap-1, UTF-8); false on a syntax error. */
static bool string(reader *r, char *buf, size_t cap)
{
	ws(r);
	if (!more(r) || *r->p != '"') {
		rerr(r, "a string expected");
		return false;
	}
	r->p++;
	size_t n = 0;
	while (more(r) && *r->p != '"') {
		unsigned c = (unsigned char)*r->p++;
		if (c < 0x20) {
			rerr(r, "control character in a string");
			return false;
		}
		if (c == '\\') {
			if (!more(r))
				break;
			char e = *r->p++;
			switch (e) {
			case '"': case '\\': case '/': c = (unsigned)e; break;
			case 'b': c = '\b'; break;
			case 'f': c = '\f'; break;
			case 'n': c = '\n'; break;
			case 'r': c = '\r'; break;
			case 't': c = '\t'; break;
			case 'u': {
				unsigned v = 0;
				for (int i = 0; i < 4; i++) {
					char h = more(r) ? *r->p++ : 0;
					v <<= 4;
					if (h >= '0' && h <= '9') v |= (unsigned)(h - '0');
					else if (h >= 'a' && h <= 'f') v |= (unsigned)(h - 'a' + 10);
					else if (h >= 'A' && h <= 'F') v |= (unsigned)(h - 'A' + 10);
					else { rerr(r, "bad \\u escape"); return false; }
				}
				c = v; /* keys and values we read are ASCII; others are kept approximately */
				if (c >= 0x80) {
					if (n + 2 < cap) {
						buf[n++] = (char)(0xc0 | ((c >> 6) & 0x1f));
						c = 0x80 | (c & 0x3f);
					}
				}
				break;
			}
			default:
				rerr(r, "bad escape in a string");
				return false;
			}
		}
		if (n + 1 < cap)
			buf[n++] = (char)c;
	}
	if (!more(r)) {
		rerr(r, "unterminated string");
		return false;
	}
	r->p++;
	buf[n] = 0;
	return true;
}

typedef enum { V_NUMBER, V_STRING, V_TRUE, V_FALSE, V_NULL, V_OBJECT, V_ARRAY, V_BAD } vkind;

static vkind peek(reader *r)
{
	ws(r);
	if (!more(r))
		return V_BAD;
	switch (*r->p) {
	case '"': return V_STRING;
	case '{': return V_OBJECT;
	case '[': return V_ARRAY;
	case 't': return V_TRUE;
	case 'f': return V_FALSE;
	case 'n': return V_NULL;
	default: return (*r->p == '-' || (*r->p >= '0' && *r->p <= '9')) ? V_NUMBER : V_BAD;
	}
}

/* Offsets from the cursor, not pointers: fill may move the window. */
static bool digit_at(reader *r, size_t i) { return fill(r, i + 1) && r->p[i] >= '0' && r->p[i] <= '9'; }
static bool char_at(reader *r, size_t i, char c) { return fill(r, i + 1) && r->p[i] == c; }

static bool number(reader *r, double *out, bool *integral)
{
	ws(r);
	size_t q = 0;
	bool isint = true;
	if (char_at(r, q, '-'))
		q++;
	if (!digit_at(r, q)) {
		rerr(r, "a number expected");
		return false;
	}
	if (char_at(r, q, '0'))
		q++;
	else
		while (digit_at(r, q))
			q++;
	if (char_at(r, q, '.')) {
		isint = false;
		q++;
		if (!digit_at(r, q)) {
			rerr(r, "digits expected after '.'");
			return false;
		}
		while (digit_at(r, q))
			q++;
	}
	if (char_at(r, q, 'e') || char_at(r, q, 'E')) {
		isint = false;
		q++;
		if (char_at(r, q, '+') || char_at(r, q, '-'))
			q++;
		if (!digit_at(r, q)) {
			rerr(r, "digits expected in an exponent");
			return false;
		}
		while (digit_at(r, q))
			q++;
	}
	if (r->err)
		return false;
	char buf[64];
	if (q >= sizeof buf) { /* absurdly long numbers: still parse, via a copy */
		char *big = sh_malloc(q + 1);
		memcpy(big, r->p, q);
		big[q] = 0;
		*out = strtod(big, NULL);
		free(big);
	} else {
		memcpy(buf, r->p, q);
		buf[q] = 0;
		*out = strtod(buf, NULL);
	}
	if (integral)
		*integral = isint;
	r->p += q;
	return true;
}

static bool word(reader *r, const char *w)
{
	size_t n = strlen(w);
	if (fill(r, n) && !memcmp(r->p, w, n)) {
		r->p += n;
		return true;
	}
	rerr(r, "invalid literal");
	return false;
}

/* Skip any value (checking its syntax); depth-limited. */
static bool skip(reader *r, int depth)
{
	if (depth > 64) {
		rerr(r, "nesting too deep");
		return false;
	}
	char tmp[8];
	switch (peek(r)) {
	case V_STRING: return string(r, tmp, sizeof tmp);
	case V_NUMBER: { double d; return number(r, &d, NULL); }
	case V_TRUE: return word(r, "true");
	case V_FALSE: return word(r, "false");
	case V_NULL: return word(r, "null");
	case V_ARRAY:
		r->p++;
		if (lit(r, ']'))
			return true;
		do {
			if (!skip(r, depth + 1))
				return false;
		} while (lit(r, ','));
		expect(r, ']');
		return !r->err;
	case V_OBJECT:
		r->p++;
		if (lit(r, '}'))
			return true;
		do {
			if (!string(r, tmp, sizeof tmp))
				return false;
			expect(r, ':');
			if (r->err || !skip(r, depth + 1))
				return false;
		} while (lit(r, ','));
		expect(r, '}');
		return !r->err;
	default:
		rerr(r, "a value expected");
		return false;
	}
}

/* Semantic errors (valid JSON, wrong content) use sh_set_error directly. */
#define SEMANTIC(...) do { sh_set_error(__VA_ARGS__); goto fail; } while (0)

/* Step through an object: true with r at the next key, false at the end (the
 * closing brace consumed) or on an error. */
static bool next_member(reader *r, int *state)
{
	if (*state == 0) {
		*state = 1;
		expect(r, '{');
		return !r->err && !lit(r, '}');
	}
	if (r->err)
		return false;
	if (lit(r, ','))
		return true;
	expect(r, '}');
	return false;
}

/* Iterate an object's members: the body runs with `key` set, positioned at the value. */
#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define FOR_MEMBERS(r, key)                                                       \
	for (int CAT(state_, __LINE__) = 0; next_member(r, &CAT(state_, __LINE__));) \
		if (string(r, key, sizeof key) && (expect(r, ':'), !(r)->err))

static bool num_field(reader *r, double lo, double hi, double *out, const char *where, const char *key,
                      const char *meaning)
{
	if (peek(r) != V_NUMBER) {
		if (!r->err)
			sh_set_error("%s: field '%s' must be a number (%s)", where, key, meaning);
		skip(r, 0);
		return false;
	}
	double d;
	if (!number(r, &d, NULL))
		return false;
	if (!isfinite(d) || d < lo || d > hi) {
		sh_set_error("%s: field '%s' is %g: must be %s", where, key, d, meaning);
		return false;
	}
	*out = d;
	return true;
}

static bool bool_value(reader *r, bool *out, const char *where, const char *key)
{
	vkind k = peek(r);
	if (k == V_TRUE || k == V_FALSE) {
		*out = k == V_TRUE;
		return word(r, k == V_TRUE ? "true" : "false");
	}
	if (!r->err)
		sh_set_error("%s: field '%s' must be true or false", where, key);
	return false;
}

/* Each object's keys seen so far, for duplicate detection. */
static bool seen(unsigned *mask, int bit, reader *r, const char *where, const char *key)
{
	if (*mask & (1u << bit)) {
		sh_set_error("%s: duplicate field '%s'", where, key);
		(void)r;
		return true;
	}
	*mask |= 1u << bit;
	return false;
}

static sh_cutlist *parse(reader *r)
{
	sh_cutlist *cl = sh_cutlist_new();
	char key[64];
	unsigned top = 0;
	bool have_format = false, have_version = false, have_cuts = false;
	long long version = 0;
	sh_set_error("invalid cut list");
	ws(r);
	if (r->err)
		goto syntax;
	if (!more(r))
		SEMANTIC("empty input: expected a cut list (JSON)");
	if (*r->p != '{') {
		unsigned c = (unsigned char)*r->p;
		SEMANTIC(c >= 0x20 && c < 0x7f ? "not a JSON object (it starts with '%c')" : "not a JSON object (it starts with byte 0x%02x)", c);
	}
	FOR_MEMBERS(r, key) {
		if (!strcmp(key, "format")) {
			char v[32];
			if (seen(&top, 0, r, "cut list", key))
				goto fail;
			if (peek(r) != V_STRING) {
				if (!skip(r, 0))
					goto syntax;
				SEMANTIC("not a cut list: \"format\" must be \"shards-cutlist\"");
			}
			if (!string(r, v, sizeof v))
				goto syntax;
			if (strcmp(v, "shards-cutlist"))
				SEMANTIC("not a cut list: \"format\" must be \"shards-cutlist\"");
			have_format = true;
		} else if (!strcmp(key, "version")) {
			double d;
			bool integral;
			if (seen(&top, 1, r, "cut list", key))
				goto fail;
			if (peek(r) != V_NUMBER) {
				if (!skip(r, 0))
					goto syntax;
				SEMANTIC("cut list: \"version\" must be an integer");
			}
			if (!number(r, &d, &integral))
				goto syntax;
			if (!integral || fabs(d) > 1e15)
				SEMANTIC("cut list: \"version\" must be an integer");
			version = (long long)d;
			have_version = true;
		} else if (!strcmp(key, "source")) {
			unsigned m = 0;
			if (seen(&top, 2, r, "cut list", key))
				goto fail;
			if (peek(r) != V_OBJECT) {
				if (!skip(r, 0))
					goto syntax;
				SEMANTIC("cut list: \"source\" must be an object");
			}
			char k2[64];
			FOR_MEMBERS(r, k2) {
				if (!strcmp(k2, "duration")) {
					if (seen(&m, 0, r, "cut list source", k2) ||
					    !num_field(r, 0, SH_CUTLIST_MAX_SECONDS, &cl->src_duration, "cut list source", k2,
					               "seconds, 0 to 1e7"))
						goto fail;
				} else if (!strcmp(k2, "rate")) {
					if (seen(&m, 1, r, "cut list source", k2) ||
					    !num_field(r, 1, 1e7, &cl->src_rate, "cut list source", k2,
					               "samples per second, positive"))
						goto fail;
				} else if (!strcmp(k2, "path")) {
					if (seen(&m, 2, r, "cut list source", k2) || !skip(r, 0))
						goto fail;
				} else {
					SEMANTIC("cut list source: unknown field '%s'", k2);
				}
			}
			if (r->err)
				goto syntax;
		} else if (!strcmp(key, "grid")) {
			if (seen(&top, 3, r, "cut list", key))
				goto fail;
			if (peek(r) != V_OBJECT) {
				if (!skip(r, 0))
					goto syntax;
				SEMANTIC("cut list: \"grid\" must be an object");
			}
			char k2[64];
			FOR_MEMBERS(r, k2) {
				if (!strcmp(k2, "fps")) {
					char v[64];
					vkind k = peek(r);
					if (k == V_STRING) {
						if (!string(r, v, sizeof v))
							goto syntax;
					} else if (k == V_NUMBER) {
						double d;
						if (!number(r, &d, NULL))
							goto syntax;
						snprintf(v, sizeof v, "%.10g", d);
					} else {
						SEMANTIC("cut list grid: field 'fps': must be a number or \"N/D\"");
					}
					if (sh_parse_rate(v, &cl->fps) != 0)
						SEMANTIC("cut list grid: field 'fps': %s", sh_error());
				} else {
					SEMANTIC("cut list grid: unknown field '%s'", k2);
				}
			}
			if (r->err)
				goto syntax;
		} else if (!strcmp(key, "seed")) {
			if (seen(&top, 4, r, "cut list", key))
				goto fail;
			vkind k = peek(r);
			if (k == V_NULL) {
				if (!word(r, "null"))
					goto syntax;
			} else {
				double d;
				bool integral;
				if (k != V_NUMBER || !number(r, &d, &integral) || !integral || d < 0 || d > 9007199254740992.0) {
					if (r->err)
						goto syntax;
					SEMANTIC("cut list: \"seed\" must be a non-negative integer");
				}
				cl->has_seed = true;
				cl->seed = (uint64_t)d;
			}
		} else if (!strcmp(key, "made_by")) {
			if (seen(&top, 5, r, "cut list", key))
				goto fail;
			ws(r);
			r->mark = r->p;
			if (!skip(r, 0))
				goto syntax;
			json_error_t jerr;
			cl->made_by = json_loadb(r->mark, (size_t)(r->p - r->mark), JSON_DECODE_ANY, &jerr);
			r->mark = NULL;
		} else if (!strcmp(key, "note")) {
			if (seen(&top, 6, r, "cut list", key) || !skip(r, 0))
				goto fail;
		} else if (!strcmp(key, "cuts")) {
			if (seen(&top, 7, r, "cut list", key))
				goto fail;
			if (peek(r) != V_ARRAY) {
				if (!skip(r, 0))
					goto syntax;
				SEMANTIC("cut list: \"cuts\" must be an array");
			}
			r->p++;
			double total = 0;
			if (!lit(r, ']')) {
				do {
					char where[48], k2[64];
					snprintf(where, sizeof where, "cut %zu", cl->n);
					if (cl->n >= SH_CUTLIST_MAX_CUTS)
						SEMANTIC("cut list has more than %d cuts: the limit", SH_CUTLIST_MAX_CUTS);
					if (peek(r) != V_OBJECT) {
						if (!skip(r, 0))
							goto syntax;
						SEMANTIC("%s: must be an object", where);
					}
					sh_cut c = {.gain = 1};
					unsigned m = 0;
					bool has_src = false, has_dur = false;
					FOR_MEMBERS(r, k2) {
						if (!strcmp(k2, "src")) {
							if (seen(&m, 0, r, where, k2) ||
							    !num_field(r, 0, SH_CUTLIST_MAX_SECONDS, &c.src, where, k2,
							               "a position in seconds, 0 to 1e7"))
								goto fail;
							has_src = true;
						} else if (!strcmp(k2, "dur")) {
							if (seen(&m, 1, r, where, k2) ||
							    !num_field(r, 0, SH_CUTLIST_MAX_SECONDS, &c.dur, where, k2,
							               "a positive number of seconds, at most 1e7"))
								goto fail;
							has_dur = true;
						} else if (!strcmp(k2, "gain")) {
							if (seen(&m, 2, r, where, k2) ||
							    !num_field(r, 0, SH_CUTLIST_MAX_GAIN, &c.gain, where, k2, "a linear gain from 0 to 1000"))
								goto fail;
						} else if (!strcmp(k2, "reverse")) {
							if (seen(&m, 3, r, where, k2) || !bool_value(r, &c.reverse, where, k2))
								goto fail;
						} else if (!strcmp(k2, "silence")) {
							if (seen(&m, 4, r, where, k2) || !bool_value(r, &c.silence, where, k2))
								goto fail;
						} else {
							SEMANTIC("%s: unknown field '%s'", where, k2);
						}
					}
					if (r->err)
						goto syntax;
					if (!has_dur)
						SEMANTIC("%s: field 'dur' is missing (a positive number of seconds)", where);
					if (!has_src && !c.silence)
						SEMANTIC("%s: field 'src' is missing (a position in seconds, 0 or more)", where);
					if (!(c.dur > 0))
						SEMANTIC("%s: field 'dur' is %g: must be a positive number of seconds", where, c.dur);
					if (c.silence)
						c.reverse = false;
					total += c.dur;
					if (total > SH_CUTLIST_MAX_SECONDS)
						SEMANTIC("%s: the output would be longer than %g seconds", where, SH_CUTLIST_MAX_SECONDS);
					sh_cutlist_push(cl, c);
				} while (lit(r, ','));
				expect(r, ']');
			}
			have_cuts = true;
		} else {
			if (!skip(r, 0))
				goto syntax;
			SEMANTIC("cut list: unknown field '%s'", key);
		}
		if (r->err)
			goto syntax;
	}
	if (r->err)
		goto syntax;
	ws(r);
	if (more(r)) {
		rerr(r, "end of input expected");
		goto syntax;
	}
	if (!have_format)
		SEMANTIC("not a cut list: \"format\" must be \"shards-cutlist\"");
	if (!have_version)
		SEMANTIC("cut list: \"version\" must be an integer");
	if (version != SH_CUTLIST_VERSION)
		SEMANTIC("cut list version %lld is unknown: this shards reads version %d", version, SH_CUTLIST_VERSION);
	if (!have_cuts)
		SEMANTIC("cut list: \"cuts\" must be an array");
	return cl;
syntax:
	sh_set_error("%s", r->err ? r->err : "not a cut list: malformed JSON");
fail:
	if (r->err) /* a read error or the size cap ends the text early: that is the cause */
		sh_set_error("%s", r->err);
	sh_cutlist_free(cl);
	return NULL;
}

sh_cutlist *sh_cutlist_parse(const char *text, size_t len)
{
	reader r = {.p = text, .start = text, .end = text + len, .fd = -1, .line = 1, .col = 1};
	return parse(&r);
}

sh_cutlist *sh_cutlist_read(int fd, const char *pre, size_t npre, size_t max_bytes)
{
	reader r = {.fd = fd, .max_bytes = max_bytes, .total = npre, .line = 1, .col = 1};
	r.cap = npre + WINDOW;
	r.buf = sh_malloc(r.cap);
	if (npre)
		memcpy(r.buf, pre, npre);
	r.p = r.start = r.buf;
	r.end = r.buf + npre;
	sh_cutlist *cl = npre > max_bytes ? (sh_set_error("larger than %zu bytes", max_bytes), NULL) : parse(&r);
	free(r.buf);
	return cl;
}

sh_cutlist *sh_cutlist_load(const char *path)
{
	const char *name = strcmp(path, "-") ? path : "stdin";
	int fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : 0;
	struct stat st;
	sh_cutlist *cl = NULL;
	if (fd < 0)
		sh_set_error("%s", strerror(errno));
	else if (fstat(fd, &st) == 0 && S_ISDIR(st.st_mode))
		sh_set_error("is a directory");
	else if (S_ISREG(st.st_mode) && (unsigned long long)st.st_size > SH_CUTLIST_MAX_BYTES)
		sh_set_error("larger than %zu bytes", (size_t)SH_CUTLIST_MAX_BYTES);
	else
		cl = sh_cutlist_read(fd, NULL, 0, SH_CUTLIST_MAX_BYTES);
	if (fd > 0)
		close(fd);
	if (!cl)
		sh_set_error("%s: %s", name, sh_error());
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
	sh_format_number(buf, sizeof buf, v);
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
		sh_seed_carried(cl->seed);
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
	sh_cut_walk walk = sh_cut_walk_start(b, R);
	size_t j;
	int64_t len;
	while (sh_cut_walk_next(&walk, &j, &len)) {
		const sh_cut *bc = &b->cuts[j];
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
			} else if (p.gain > SH_CUTLIST_MAX_GAIN) {
				free(aout);
				free(out);
				free(seg);
				sh_set_error("cut %zu of the second list: gain %g on gain %g makes %g, above %g "
				             "(+60 dB), the most a cut list holds", j, bc->gain, ac->gain, p.gain,
				             SH_CUTLIST_MAX_GAIN);
				return NULL;
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
