/* archive_state.c -- what an export folder knows of its sources; see
 * archive_state.h. */
#include "archive_state.h"
#include "err.h"
#include "file.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* xxHash from its Debian package, compiled in (no library to link) */
#define XXH_INLINE_ALL
#include <xxhash.h>

/* ---- stamps and hashes ---- */

int sh_file_stamp_of(const char *path, sh_file_stamp *st)
{
	struct stat s;
	if (stat(path, &s) != 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		return -1;
	}
	st->size = (int64_t)s.st_size;
	st->mtime_ns = (int64_t)s.st_mtim.tv_sec * 1000000000 + s.st_mtim.tv_nsec;
	st->ctime_ns = (int64_t)s.st_ctim.tv_sec * 1000000000 + s.st_ctim.tv_nsec;
	return 0;
}

bool sh_file_stamp_same(const sh_file_stamp *a, const sh_file_stamp *b)
{
	return a->size == b->size && a->mtime_ns == b->mtime_ns && a->ctime_ns == b->ctime_ns;
}

int sh_file_hash(const char *path, char out[SH_FILE_HASH_TEXT])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		sh_set_error("%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	enum { BLOCK = 1 << 20 };
	unsigned char *buf = sh_malloc(BLOCK);
	XXH3_state_t state, *h = &state; /* on the stack: nothing to fail */
	XXH3_INITSTATE(h);
	XXH3_128bits_reset(h);
	ssize_t got;
	int r = 0;
	while ((got = read(fd, buf, BLOCK)) != 0) {
		if (got < 0) {
			if (errno == EINTR)
				continue;
			sh_set_error("%s: cannot read: %s", path, strerror(errno));
			r = -1;
			break;
		}
		XXH3_128bits_update(h, buf, (size_t)got);
	}
	if (r == 0) {
		XXH128_canonical_t c;
		XXH128_canonicalFromHash(&c, XXH3_128bits_digest(h));
		int n = snprintf(out, SH_FILE_HASH_TEXT, "xxh3-128:");
		for (size_t i = 0; i < sizeof c.digest; i++)
			n += snprintf(out + n, SH_FILE_HASH_TEXT - (size_t)n, "%02x", c.digest[i]);
	}
	free(buf);
	close(fd);
	return r;
}

/* ---- entries ---- */

void sh_state_entry_free(sh_state_entry *e)
{
	free(e->path);
	free(e->hash);
	free(e->name);
	free(e->settings);
	free(e->note);
	for (size_t i = 0; i < e->nfiles; i++)
		free(e->files[i]);
	free(e->files);
	memset(e, 0, sizeof *e);
}

static char *dup_or_null(const char *s) { return s ? sh_strdup(s) : NULL; }

static void entry_copy(sh_state_entry *d, const sh_state_entry *s)
{
	*d = (sh_state_entry){
		.path = sh_strdup(s->path), .stamp = s->stamp, .hash = dup_or_null(s->hash), .outcome = s->outcome,
		.name = dup_or_null(s->name), .settings = sh_strdup(s->settings ? s->settings : ""),
		.note = dup_or_null(s->note), .nfiles = s->nfiles,
	};
	d->files = sh_calloc(s->nfiles ? s->nfiles : 1, sizeof *d->files);
	for (size_t i = 0; i < s->nfiles; i++)
		d->files[i] = sh_strdup(s->files[i]);
}

void sh_archive_state_init(sh_archive_state *s, const char *format)
{
	memset(s, 0, sizeof *s);
	s->format = sh_strdup(format);
}

void sh_archive_state_free(sh_archive_state *s)
{
	for (size_t i = 0; i < s->n; i++)
		sh_state_entry_free(&s->e[i]);
	free(s->e);
	free(s->format);
	memset(s, 0, sizeof *s);
}

/* The index of PATH, or where it would go (*found false). */
static size_t locate(const sh_archive_state *s, const char *path, bool *found)
{
	size_t lo = 0, hi = s->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = strcmp(s->e[mid].path, path);
		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

const sh_state_entry *sh_archive_state_find(const sh_archive_state *s, const char *path)
{
	bool found;
	size_t i = locate(s, path, &found);
	return found ? &s->e[i] : NULL;
}

/* Take E (not a copy) into S. */
static void adopt(sh_archive_state *s, sh_state_entry *e)
{
	bool found;
	size_t i = locate(s, e->path, &found);
	if (found) {
		sh_state_entry_free(&s->e[i]);
		s->e[i] = *e;
		return;
	}
	if (s->n == s->cap)
		s->e = sh_realloc(s->e, s->cap = s->cap ? 2 * s->cap : 64, sizeof *s->e);
	memmove(&s->e[i + 1], &s->e[i], (s->n - i) * sizeof *s->e);
	s->e[i] = *e;
	s->n++;
}

void sh_archive_state_put(sh_archive_state *s, const sh_state_entry *e)
{
	sh_state_entry copy;
	entry_copy(&copy, e);
	adopt(s, &copy);
}

bool sh_archive_state_remove(sh_archive_state *s, const char *path)
{
	bool found;
	size_t i = locate(s, path, &found);
	if (!found)
		return false;
	sh_state_entry_free(&s->e[i]);
	memmove(&s->e[i], &s->e[i + 1], (s->n - i - 1) * sizeof *s->e);
	s->n--;
	return true;
}

sh_source_change sh_archive_state_check(const sh_state_entry *e, const sh_file_stamp *st, const char *settings,
                                        const char *name)
{
	if (!e)
		return SH_SOURCE_NEW;
	if (strcmp(e->settings ? e->settings : "", settings ? settings : "") ||
	    (e->name && strcmp(e->name, name ? name : "")))
		return SH_SOURCE_CHANGED;
	return sh_file_stamp_same(&e->stamp, st) ? SH_SOURCE_SAME : SH_SOURCE_TOUCHED;
}

/* ---- the text ---- */

static const char *const outcome_words[] = {"exported", "empty", "bad"};

/* a field, its backslashes, tabs and line ends escaped */
static void sb_field(sh_strbuf *b, const char *s)
{
	sh_strbuf_add(b, "\t", 1);
	for (const char *p = s ? s : ""; *p; p++) {
		const char *esc = *p == '\\' ? "\\\\" : *p == '\t' ? "\\t" : *p == '\n' ? "\\n" : *p == '\r' ? "\\r" : NULL;
		if (esc)
			sh_strbuf_add(b, esc, 2);
		else
			sh_strbuf_add(b, p, 1);
	}
}

static void sb_time(sh_strbuf *b, int64_t ns)
{
	char t[48];
	/* seconds.nanoseconds, the nanoseconds always 9 digits (times before 1970 too) */
	int64_t sec = ns / 1000000000, frac = ns % 1000000000;
	if (frac < 0)
		frac += 1000000000, sec--;
	snprintf(t, sizeof t, "%" PRId64 ".%09" PRId64, sec, frac);
	sb_field(b, t);
}

char *sh_archive_state_format(const sh_archive_state *s, size_t *len)
{
	sh_strbuf b = {0};
	char head[128];
	snprintf(head, sizeof head, "%s\t%d\n", s->format, SH_ARCHIVE_STATE_VERSION);
	sh_strbuf_str(&b, head);
	for (size_t i = 0; i < s->n; i++) {
		const sh_state_entry *e = &s->e[i];
		char num[32];
		size_t start = b.n;
		sb_field(&b, e->path);
		/* the line starts with the path, not a tab */
		memmove(b.s + start, b.s + start + 1, b.n - start - 1);
		b.n--;
		snprintf(num, sizeof num, "%" PRId64, e->stamp.size);
		sb_field(&b, num);
		sb_time(&b, e->stamp.mtime_ns);
		sb_time(&b, e->stamp.ctime_ns);
		sb_field(&b, e->hash ? e->hash : "-");
		sb_field(&b, outcome_words[e->outcome]);
		sb_field(&b, e->name);
		sb_field(&b, e->settings);
		sb_field(&b, e->note);
		for (size_t k = 0; k < e->nfiles; k++)
			sb_field(&b, e->files[k]);
		sh_strbuf_add(&b, "\n", 1);
	}
	*len = b.n;
	return b.s;
}

/* One field of a line, unescaped, from *p up to a tab or the end; *p moves past
 * it (and its tab), *more says whether a tab ended it, so another field follows
 * (an empty one at the end of the line too). -1 on a bad escape. */
static int take_field(const char **p, const char *end, char **out, int *more)
{
	const char *q = *p;
	char *f = sh_malloc((size_t)(end - q) + 1);
	size_t n = 0;
	while (q < end && *q != '\t') {
		if (*q == '\\') {
			char c = q + 1 < end ? q[1] : 0;
			char v = c == '\\' ? '\\' : c == 't' ? '\t' : c == 'n' ? '\n' : c == 'r' ? '\r' : 0;
			if (!v) {
				free(f);
				return -1;
			}
			f[n++] = v;
			q += 2;
		} else {
			f[n++] = *q++;
		}
	}
	f[n] = 0;
	*more = q < end;
	*p = q < end ? q + 1 : q;
	*out = f;
	return 0;
}

static int parse_time(const char *s, int64_t *ns)
{
	char *dot;
	errno = 0;
	long long sec = strtoll(s, &dot, 10);
	if (errno || dot == s || *dot != '.' || strlen(dot + 1) != 9)
		return -1;
	int64_t frac = 0;
	for (const char *p = dot + 1; *p; p++) {
		if (*p < '0' || *p > '9')
			return -1;
		frac = frac * 10 + (*p - '0');
	}
	if (sec > INT64_MAX / 1000000000 - 1 || sec < INT64_MIN / 1000000000 + 1)
		return -1;
	*ns = (int64_t)sec * 1000000000 + frac;
	return 0;
}

static int parse_line(const char *p, const char *end, sh_state_entry *e, const char **why)
{
	memset(e, 0, sizeof *e);
	enum { NFIXED = 9 };
	char *f[NFIXED] = {0};
	size_t tabs = 0;
	for (const char *q = p; q < end; q++)
		tabs += *q == '\t';
	if (tabs < NFIXED - 1) {
		*why = "fewer than 9 fields";
		return -1;
	}
	int more = 0;
	for (int i = 0; i < NFIXED; i++) {
		if (take_field(&p, end, &f[i], &more) != 0) {
			*why = "a backslash that escapes nothing known";
			goto fail;
		}
	}
	char *num_end;
	errno = 0;
	long long size = strtoll(f[1], &num_end, 10);
	if (!*f[0]) {
		*why = "an empty path";
		goto fail;
	}
	if (errno || num_end == f[1] || *num_end || size < 0) {
		*why = "the size is not a number of bytes";
		goto fail;
	}
	if (parse_time(f[2], &e->stamp.mtime_ns) != 0 || parse_time(f[3], &e->stamp.ctime_ns) != 0) {
		*why = "a time is not seconds.nanoseconds";
		goto fail;
	}
	if (strcmp(f[4], "-") && (strlen(f[4]) != SH_FILE_HASH_TEXT - 1 || strncmp(f[4], "xxh3-128:", 9))) {
		*why = "the hash is not xxh3-128:<32 hex digits> or -";
		goto fail;
	}
	int outcome = -1;
	for (int i = 0; i < 3; i++)
		if (!strcmp(f[5], outcome_words[i]))
			outcome = i;
	if (outcome < 0) {
		*why = "the outcome is not exported, empty or bad";
		goto fail;
	}
	e->stamp.size = size;
	e->path = f[0];
	e->hash = strcmp(f[4], "-") ? f[4] : NULL;
	if (!e->hash)
		free(f[4]);
	e->outcome = (sh_outcome)outcome;
	e->name = *f[6] ? f[6] : NULL;
	if (!e->name)
		free(f[6]);
	e->settings = f[7];
	e->note = *f[8] ? f[8] : NULL;
	if (!e->note)
		free(f[8]);
	free(f[1]);
	free(f[2]);
	free(f[3]);
	free(f[5]);
	size_t cap = 0;
	while (more) {
		char *file = NULL;
		if (take_field(&p, end, &file, &more) != 0 || !*file) {
			*why = file ? "an empty file name" : "a backslash that escapes nothing known";
			free(file);
			sh_state_entry_free(e);
			return -1;
		}
		if (e->nfiles == cap)
			e->files = sh_realloc(e->files, cap = cap ? 2 * cap : 8, sizeof *e->files);
		e->files[e->nfiles++] = file;
	}
	return 0;
fail:
	for (int i = 0; i < NFIXED; i++)
		free(f[i]);
	memset(e, 0, sizeof *e);
	return -1;
}

int sh_archive_state_parse(sh_archive_state *s, const char *text, size_t len, const char *name, const char *format)
{
	sh_archive_state_init(s, format);
	const char *p = text, *end = text + len;
	size_t line = 0;
	const char *why = NULL;
	if (memchr(text, 0, len)) {
		why = "a NUL byte";
		line = 1;
		goto fail;
	}
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		line++;
		if (!nl) {
			why = "the last line does not end";
			goto fail;
		}
		if (line == 1) {
			size_t fl = strlen(format);
			if ((size_t)(nl - p) < fl + 2 || strncmp(p, format, fl) || p[fl] != '\t') {
				why = "not a state file of this program";
				goto fail;
			}
			/* digits only, read by hand: the text is not NUL-terminated, and
			 * strtol would skip blanks and line ends past the line */
			long v = 0;
			const char *d = p + fl + 1;
			for (; d < nl && *d >= '0' && *d <= '9' && v < 100000000; d++)
				v = 10 * v + (*d - '0');
			if (d != nl || v < 1) {
				why = "no version";
				goto fail;
			}
			if (v > SH_ARCHIVE_STATE_VERSION) {
				sh_set_error("%s: line 1: version %ld, newer than this program reads (%d)", name, v,
				             SH_ARCHIVE_STATE_VERSION);
				sh_archive_state_free(s);
				sh_archive_state_init(s, format);
				return -1;
			}
		} else {
			sh_state_entry e;
			if (parse_line(p, nl, &e, &why) != 0)
				goto fail;
			adopt(s, &e); /* a path twice: the later line */
		}
		p = nl + 1;
	}
	if (line == 0) {
		why = "empty (not even the first line)";
		line = 1;
		goto fail;
	}
	return 0;
fail:
	sh_set_error("%s: line %zu: %s", name, line, why);
	sh_archive_state_free(s);
	sh_archive_state_init(s, format);
	return -1;
}

int sh_archive_state_load(sh_archive_state *s, const char *path, const char *format)
{
	if (access(path, F_OK) != 0 && errno == ENOENT) {
		sh_archive_state_init(s, format);
		return 0;
	}
	size_t len;
	char *text = sh_read_file(path, SH_ARCHIVE_STATE_MAX_BYTES, &len);
	if (!text) {
		sh_archive_state_init(s, format);
		return -1;
	}
	int r = sh_archive_state_parse(s, text, len, path, format);
	free(text);
	return r;
}

/* ---- the manifest's ordered merge ---- */

int sh_archive_manifest_put(sh_manifest *m, const char *const values[SH_MANIFEST_COLUMNS])
{
	const char *key = values[SH_MF_FILENAME] ? values[SH_MF_FILENAME] : "";
	bool fresh = sh_manifest_find(m, key) < 0;
	if (sh_manifest_put(m, values) != 0)
		return -1;
	if (!fresh)
		return 0;
	/* sh_manifest_put appended it: move it before the first row that sorts after
	 * it. Inserting x and y into any list this way gives the same list in either
	 * order, so the runs of several shards can merge in any order. */
	size_t c = m->col[SH_MF_FILENAME], last = m->nrows - 1, at = 0;
	while (at < last && strcmp(m->rows[at].field[c], key) <= 0)
		at++;
	if (at < last) {
		sh_manifest_row r = m->rows[last];
		memmove(&m->rows[at + 1], &m->rows[at], (last - at) * sizeof *m->rows);
		m->rows[at] = r;
	}
	return 0;
}

bool sh_archive_manifest_drop(sh_manifest *m, const char *filename)
{
	size_t c = m->col[SH_MF_FILENAME], keep = 0;
	bool dropped = false;
	for (size_t i = 0; i < m->nrows; i++) {
		sh_manifest_row *r = &m->rows[i];
		if (strcmp(r->field[c], filename)) {
			m->rows[keep++] = *r;
			continue;
		}
		for (size_t k = 0; k < m->ncols; k++)
			free(r->field[k]);
		free(r->field);
		free(r->raw);
		dropped = true;
	}
	m->nrows = keep;
	return dropped;
}
