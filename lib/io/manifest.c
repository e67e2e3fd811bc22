/* manifest.c -- the CSV curation manifest: parse (never dies on bad input),
 * merge by filename, write back keeping untouched rows byte for byte. */
#include "manifest.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"

const char *const sh_manifest_columns[SH_MANIFEST_COLUMNS] = {
	"filename", "source", "type", "duration", "rms_db", "peak_db",
	"crest_db", "centroid_hz", "pitch_hz", "seam_error", "brightness", "grade",
};

static void free_row(sh_manifest_row *r, size_t ncols)
{
	if (r->field)
		for (size_t i = 0; i < ncols; i++)
			free(r->field[i]);
	free(r->field);
	free(r->raw);
}

void sh_manifest_free(sh_manifest *m)
{
	for (size_t i = 0; i < m->nrows; i++)
		free_row(&m->rows[i], m->ncols);
	free(m->rows);
	if (m->names)
		for (size_t i = 0; i < m->ncols; i++)
			free(m->names[i]);
	free(m->names);
	free(m->header_raw);
	memset(m, 0, sizeof *m);
}

void sh_manifest_init(sh_manifest *m)
{
	memset(m, 0, sizeof *m);
	m->ncols = SH_MANIFEST_COLUMNS;
	m->names = sh_calloc(SH_MANIFEST_COLUMNS, sizeof *m->names);
	for (size_t i = 0; i < SH_MANIFEST_COLUMNS; i++) {
		m->names[i] = sh_strdup(sh_manifest_columns[i]);
		m->col[i] = i;
	}
}

/* ---- parsing ---- */

typedef struct {
	char **v;
	size_t n, cap;
} fieldlist;

static void fl_push(fieldlist *f, char *s)
{
	if (f->n == f->cap) {
		f->cap = f->cap ? 2 * f->cap : 16;
		f->v = sh_realloc(f->v, f->cap, sizeof *f->v);
	}
	f->v[f->n++] = s;
}

static void fl_free(fieldlist *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->v[i]);
	free(f->v);
	memset(f, 0, sizeof *f);
}

/* Length of the line end at p: LF, CRLF, or a CR that ends the input; 0 if none. */
static size_t eol_at(const char *buf, size_t len, size_t p)
{
	if (p >= len)
		return 0;
	if (buf[p] == '\n')
		return 1;
	if (buf[p] == '\r')
		return p + 1 == len ? 1 : buf[p + 1] == '\n' ? 2 : 0;
	return 0;
}

/* Read one record starting at *pos. Returns 1 with the fields, 0 at the end of
 * the input, -1 on error. *eol_len tells how long its line end was (0 at EOF). */
static int read_record(const char *buf, size_t len, size_t *pos, size_t *line, fieldlist *out,
                       size_t *end, size_t *eol_len)
{
	size_t p = *pos, start = p, first_line = *line;
	if (p >= len)
		return 0;
	char *val = sh_malloc(64);
	size_t vn = 0, vcap = 64;
#define PUTC(c)                                                  \
	do {                                                     \
		if (vn + 1 >= vcap)                              \
			val = sh_realloc(val, vcap *= 2, 1);     \
		val[vn++] = (c);                                 \
	} while (0)
	for (;;) {
		/* one field */
		vn = 0;
		if (p < len && buf[p] == '"') {
			p++;
			for (;;) {
				if (p - start > SH_MANIFEST_MAX_RECORD)
					goto toolong;
				if (p >= len) {
					sh_set_error("line %zu: unterminated quote", first_line);
					goto fail;
				}
				char c = buf[p];
				if (c == '\0')
					goto nul;
				if (c == '"') {
					if (p + 1 < len && buf[p + 1] == '"') {
						PUTC('"');
						p += 2;
						continue;
					}
					p++;
					break;
				}
				if (c == '\n')
					(*line)++;
				PUTC(c);
				p++;
			}
			if (p < len && buf[p] != ',' && !eol_at(buf, len, p)) {
				sh_set_error("line %zu: text after a closing quote", *line);
				goto fail;
			}
		} else {
			while (p < len && buf[p] != ',' && !eol_at(buf, len, p)) {
				if (buf[p] == '\0')
					goto nul;
				if (buf[p] == '\r') {
					sh_set_error("line %zu: a carriage return outside quotes", *line);
					goto fail;
				}
				if (p - start >= SH_MANIFEST_MAX_RECORD)
					goto toolong;
				PUTC(buf[p]);
				p++;
			}
		}
		if (p - start > SH_MANIFEST_MAX_RECORD)
			goto toolong;
		val[vn] = 0;
		if (out->n >= SH_MANIFEST_MAX_FIELDS) {
			sh_set_error("line %zu: more than %d fields", first_line, SH_MANIFEST_MAX_FIELDS);
			goto fail;
		}
		fl_push(out, sh_strdup(val));
		if (p < len && buf[p] == ',') {
			p++;
			continue;
		}
		break;
	}
	*end = p;
	*eol_len = eol_at(buf, len, p);
	*pos = p + *eol_len;
	if (*eol_len)
		(*line)++;
	free(val);
	return 1;
#undef PUTC
toolong:
	sh_set_error("line %zu: record longer than %d bytes", first_line, SH_MANIFEST_MAX_RECORD);
	goto fail;
nul:
	sh_set_error("line %zu: NUL byte", *line);
fail:
	free(val);
	return -1;
}

static int push_row(sh_manifest *m, char **fields, char *raw)
{
	if (m->nrows >= SH_MANIFEST_MAX_ROWS)
		return -1;
	if (m->nrows == m->cap) {
		m->cap = m->cap ? 2 * m->cap : 16;
		m->rows = sh_realloc(m->rows, m->cap, sizeof *m->rows);
	}
	m->rows[m->nrows].field = fields;
	m->rows[m->nrows].raw = raw;
	m->nrows++;
	return 0;
}

int sh_manifest_parse(const char *buf, size_t len, sh_manifest *m)
{
	memset(m, 0, sizeof *m);
	size_t pos = 0, line = 1;
	bool bom = false;
	if (len >= 3 && memcmp(buf, "\xef\xbb\xbf", 3) == 0) {
		bom = true;
		pos = 3;
	}
	/* skip blank lines before the header */
	for (size_t e; (e = eol_at(buf, len, pos)) != 0; pos += e)
		line++;
	/* a byte-order mark after blank lines is still one, not part of a name */
	if (!bom && len - pos >= 3 && memcmp(buf + pos, "\xef\xbb\xbf", 3) == 0) {
		bom = true;
		pos += 3;
	}
	if (pos >= len) {
		sh_manifest_init(m);
		m->bom = bom;
		return 0;
	}
	fieldlist f = {0};
	size_t end, eol, hstart = pos;
	if (read_record(buf, len, &pos, &line, &f, &end, &eol) < 0) {
		fl_free(&f);
		return -1;
	}
	m->bom = bom;
	m->crlf = eol == 2;
	m->ncols = f.n;
	m->names = f.v;
	f = (fieldlist){0};
	m->header_raw = sh_malloc(end - hstart + 1);
	memcpy(m->header_raw, buf + hstart, end - hstart);
	m->header_raw[end - hstart] = 0;
	for (size_t i = 0; i < m->ncols; i++) {
		if (!m->names[i][0]) {
			sh_set_error("line 1: not a curation manifest header: column %zu has no name", i + 1);
			goto fail;
		}
		for (size_t j = 0; j < i; j++)
			if (!strcmp(m->names[i], m->names[j])) {
				sh_set_error("line 1: not a curation manifest header: column '%.40s' twice", m->names[i]);
				goto fail;
			}
	}
	for (size_t c = 0; c < SH_MANIFEST_COLUMNS; c++) {
		size_t i;
		for (i = 0; i < m->ncols; i++)
			if (!strcmp(m->names[i], sh_manifest_columns[c]))
				break;
		if (i == m->ncols) {
			sh_set_error("line 1: not a curation manifest header: no column '%s'", sh_manifest_columns[c]);
			goto fail;
		}
		m->col[c] = i;
	}
	for (;;) {
		/* blank lines between rows are dropped */
		size_t e = eol_at(buf, len, pos);
		if (e) {
			pos += e;
			line++;
			continue;
		}
		size_t rline = line, rstart = pos;
		int r = read_record(buf, len, &pos, &line, &f, &end, &eol);
		if (r < 0)
			goto fail;
		if (r == 0)
			break;
		if (f.n != m->ncols) {
			sh_set_error("line %zu: %zu fields, the header has %zu", rline, f.n, m->ncols);
			goto fail;
		}
		if (m->nrows >= SH_MANIFEST_MAX_ROWS) {
			sh_set_error("line %zu: more than %d rows", rline, SH_MANIFEST_MAX_ROWS);
			goto fail;
		}
		char *raw = sh_malloc(end - rstart + 1);
		memcpy(raw, buf + rstart, end - rstart);
		raw[end - rstart] = 0;
		push_row(m, f.v, raw);
		f = (fieldlist){0};
	}
	return 0;
fail:
	fl_free(&f);
	sh_manifest_free(m);
	return -1;
}

/* ---- merging ---- */

long sh_manifest_find(const sh_manifest *m, const char *filename)
{
	size_t c = m->col[SH_MF_FILENAME];
	for (size_t i = 0; i < m->nrows; i++)
		if (!strcmp(m->rows[i].field[c], filename))
			return (long)i;
	return -1;
}

const char *sh_manifest_value(const sh_manifest *m, size_t row, int column)
{
	if (row >= m->nrows || column < 0 || column >= SH_MANIFEST_COLUMNS)
		return NULL;
	return m->rows[row].field[m->col[column]];
}

int sh_manifest_put(sh_manifest *m, const char *const values[SH_MANIFEST_COLUMNS])
{
	const char *key = values[SH_MF_FILENAME] ? values[SH_MF_FILENAME] : "";
	long at = sh_manifest_find(m, key);
	sh_manifest_row *r;
	if (at < 0) {
		char **fields = sh_calloc(m->ncols, sizeof *fields);
		for (size_t i = 0; i < m->ncols; i++)
			fields[i] = sh_strdup("");
		if (push_row(m, fields, NULL) < 0) {
			for (size_t i = 0; i < m->ncols; i++)
				free(fields[i]);
			free(fields);
			sh_set_error("more than %d rows", SH_MANIFEST_MAX_ROWS);
			return -1;
		}
		r = &m->rows[m->nrows - 1];
	} else {
		r = &m->rows[at];
		free(r->raw);
		r->raw = NULL;
		/* further rows with this filename go */
		size_t keep = (size_t)at + 1, c = m->col[SH_MF_FILENAME];
		for (size_t i = (size_t)at + 1; i < m->nrows; i++) {
			if (!strcmp(m->rows[i].field[c], key))
				free_row(&m->rows[i], m->ncols);
			else
				m->rows[keep++] = m->rows[i];
		}
		m->nrows = keep;
	}
	for (int c = 0; c < SH_MANIFEST_COLUMNS; c++) {
		size_t i = m->col[c];
		free(r->field[i]);
		r->field[i] = sh_strdup(values[c] ? values[c] : "");
	}
	return 0;
}

/* ---- writing ---- */

static void sb_field(sh_strbuf *b, const char *v)
{
	if (!strpbrk(v, ",\"\r\n")) {
		sh_strbuf_add(b, v, strlen(v));
		return;
	}
	sh_strbuf_add(b, "\"", 1);
	for (const char *p = v; *p; p++) {
		if (*p == '"')
			sh_strbuf_add(b, "\"", 1);
		sh_strbuf_add(b, p, 1);
	}
	sh_strbuf_add(b, "\"", 1);
}

/* one line: kept as it was read (raw), or its fields quoted where they must be */
static void sb_line(sh_strbuf *b, const char *raw, char *const *field, size_t n, const char *eol)
{
	if (raw) {
		sh_strbuf_add(b, raw, strlen(raw));
	} else {
		for (size_t i = 0; i < n; i++) {
			if (i)
				sh_strbuf_add(b, ",", 1);
			sb_field(b, field[i]);
		}
		/* a line of one empty field would read back as a blank line */
		if (n == 1 && !field[0][0])
			sh_strbuf_add(b, "\"\"", 2);
	}
	sh_strbuf_add(b, eol, strlen(eol));
}

char *sh_manifest_format(const sh_manifest *m, size_t *len)
{
	sh_strbuf b = {0};
	const char *eol = m->crlf ? "\r\n" : "\n";
	sh_strbuf_add(&b, "", 0);
	if (m->bom)
		sh_strbuf_add(&b, "\xef\xbb\xbf", 3);
	sb_line(&b, m->header_raw, m->names, m->ncols, eol);
	for (size_t r = 0; r < m->nrows; r++)
		sb_line(&b, m->rows[r].raw, m->rows[r].field, m->ncols, eol);
	if (len)
		*len = b.n;
	return b.s;
}
