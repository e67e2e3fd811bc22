/* manifest.h -- the curation manifest: one CSV file (RFC 4180) describing the
 * textures in an export folder, one row per file, written by the texture
 * programs (padmine, ...) and read back by a spreadsheet or python's csv module.
 *
 * Columns (a header row names them; this is the order of a new file):
 *   filename     the file, relative to the export folder (the key of a row)
 *   source       the source's name
 *   type         pad, swell, cloud, hiss, ...
 *   duration     seconds
 *   rms_db, peak_db, crest_db   levels in dBFS and their difference in dB
 *   centroid_hz  spectral centroid
 *   pitch_hz     rough pitch, empty when the texture is not pitched
 *   seam_error   loop seam error (0 = end and start agree), empty for one-shots
 *   brightness   dark, mid or bright
 *   grade        A, B, C, D or F
 *
 * Reading keeps what a person did to the file in a spreadsheet: columns may come
 * in any order, and extra columns (a "notes" column) are kept, empty in new rows.
 * Every row is kept as the exact bytes it was read as, so a merge rewrites only
 * the rows it replaces. Fields holding a comma, a quote, CR or LF are quoted, a
 * quote doubled. A UTF-8 byte-order mark and CRLF line ends are kept.
 *
 * Limits (hostile or broken files are refused, never grown without bound): a
 * record (a row, with any quoted line breaks) is at most SH_MANIFEST_MAX_RECORD
 * bytes, a file at most SH_MANIFEST_MAX_ROWS rows of at most SH_MANIFEST_MAX_FIELDS
 * columns; NUL bytes are refused. */
#ifndef SHARDS_MANIFEST_H
#define SHARDS_MANIFEST_H

#include <stdbool.h>
#include <stddef.h>

#define SH_MANIFEST_COLUMNS 12
#define SH_MANIFEST_MAX_RECORD 65536
#define SH_MANIFEST_MAX_ROWS 100000
#define SH_MANIFEST_MAX_FIELDS 256

enum {
	SH_MF_FILENAME, SH_MF_SOURCE, SH_MF_TYPE, SH_MF_DURATION, SH_MF_RMS_DB, SH_MF_PEAK_DB,
	SH_MF_CREST_DB, SH_MF_CENTROID_HZ, SH_MF_PITCH_HZ, SH_MF_SEAM_ERROR, SH_MF_BRIGHTNESS,
	SH_MF_GRADE
};
extern const char *const sh_manifest_columns[SH_MANIFEST_COLUMNS];

typedef struct {
	char **field; /* one value per column of the file, unquoted */
	char *raw;    /* the record's bytes as read (no line end); NULL for a new row */
} sh_manifest_row;

typedef struct {
	size_t ncols;
	char **names;                 /* column names in file order */
	size_t col[SH_MANIFEST_COLUMNS]; /* position of each standard column */
	char *header_raw;             /* the header as read; NULL for a new file */
	bool bom;                     /* the file began with a UTF-8 byte-order mark */
	bool crlf;                    /* lines end in CRLF */
	size_t nrows, cap;
	sh_manifest_row *rows;
} sh_manifest;

/* An empty manifest with the standard header. */
void sh_manifest_init(sh_manifest *m);
/* Parse a whole file (len 0 is an empty manifest): 0, or -1 with sh_error()
 * naming the line (m is then empty and need not be freed). */
int sh_manifest_parse(const char *buf, size_t len, sh_manifest *m);
/* Put a row given by the standard columns (values[SH_MF_...], NULL = empty): it
 * replaces the row with the same filename (further rows with that filename go),
 * or is appended. Extra columns of a replaced row keep their values. Returns 0, or
 * -1 with sh_error() when the manifest already holds SH_MANIFEST_MAX_ROWS rows. */
int sh_manifest_put(sh_manifest *m, const char *const values[SH_MANIFEST_COLUMNS]);
/* Row index of a filename, or -1. */
long sh_manifest_find(const sh_manifest *m, const char *filename);
/* A standard column's value in a row. */
const char *sh_manifest_value(const sh_manifest *m, size_t row, int column);
/* The file's text (malloc'd, NUL-terminated; *len without the NUL). */
char *sh_manifest_format(const sh_manifest *m, size_t *len);
void sh_manifest_free(sh_manifest *m);

#endif
