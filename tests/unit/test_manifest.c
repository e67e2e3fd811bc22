/* test_manifest.c -- the CSV curation manifest: parse, merge, write. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "manifest.h"
#include "tap.h"

static const char hdr[] = "filename,source,type,duration,rms_db,peak_db,crest_db,centroid_hz,pitch_hz,seam_error,brightness,grade";

static int parse(const char *text, sh_manifest *m, char *err)
{
	int r = sh_manifest_parse(text, strlen(text), m);
	if (r != 0)
		snprintf(err, 200, "%s", sh_error());
	return r;
}

static int fails_with(const char *text, const char *want)
{
	sh_manifest m;
	char err[200] = "";
	if (parse(text, &m, err) == 0) {
		sh_manifest_free(&m);
		return 0;
	}
	if (!strstr(err, want))
		printf("# got: %s\n", err);
	return strstr(err, want) != NULL;
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	char err[200] = "";
	sh_manifest m;

	/* a new manifest: the standard header */
	sh_manifest_init(&m);
	const char *v[SH_MANIFEST_COLUMNS] = {"a/pads/a_pad01_dark.wav", "a", "pad", "4.000", "-20.00", "-6.00", "14.00",
	                                      "512.0", "", "0.0100", "dark", "A"};
	CHECK(sh_manifest_put(&m, v) == 0, "put a row into a new manifest");
	size_t len;
	char *text = sh_manifest_format(&m, &len);
	char want[1024];
	snprintf(want, sizeof want, "%s\na/pads/a_pad01_dark.wav,a,pad,4.000,-20.00,-6.00,14.00,512.0,,0.0100,dark,A\n", hdr);
	CHECK(!strcmp(text, want) && len == strlen(want), "new manifest text");
	sh_manifest_free(&m);
	free(text);

	/* columns in any order, an extra notes column, quoting, CRLF kept, rows kept byte for byte */
	const char *in = "\xef\xbb\xbfnotes,grade,brightness,seam_error,pitch_hz,centroid_hz,crest_db,peak_db,rms_db,duration,type,source,filename\r\n"
	                 "\"nice, warm\",B,mid,0.1,,900,12,-3,-15,2,pad,x,x/pads/x_pad01_mid.wav\r\n"
	                 "\"say \"\"hi\"\"\nsecond line\",C,dark,0.2,110,400,13,-4,-17,4,pad,y,y/pads/y_pad01_dark.wav\r\n"
	                 "  odd spacing ,D,bright,0.3,,5000,15,-5,-20,8,pad,z,z/pads/z_pad01_bright.wav\r\n";
	CHECK(parse(in, &m, err) == 0, "parse a reordered manifest with extra column (%s)", err);
	CHECK(m.nrows == 3 && m.ncols == 13, "three rows, thirteen columns");
	CHECK(m.bom && m.crlf, "BOM and CRLF noticed");
	CHECK(!strcmp(sh_manifest_value(&m, 0, SH_MF_GRADE), "B"), "grade of row 1");
	CHECK(!strcmp(m.rows[1].field[0], "say \"hi\"\nsecond line"), "quoted field with quote and newline");
	CHECK(!strcmp(m.rows[2].field[0], "  odd spacing "), "spaces kept");
	CHECK(sh_manifest_find(&m, "y/pads/y_pad01_dark.wav") == 1, "find by filename");
	const char *v2[SH_MANIFEST_COLUMNS] = {"y/pads/y_pad01_dark.wav", "y", "pad", "4.000", "-18.00", "-4.00", "14.00",
	                                       "400.0", "110.0", "0.0500", "dark", "A"};
	CHECK(sh_manifest_put(&m, v2) == 0, "replace a row");
	const char *v3[SH_MANIFEST_COLUMNS] = {"w,1.wav", "w", "pad", "2.000", "-18.00", "-4.00", "14.00",
	                                       "400.0", "", "0.0500", "dark", "A"};
	CHECK(sh_manifest_put(&m, v3) == 0, "append a row");
	text = sh_manifest_format(&m, &len);
	const char *out = "\xef\xbb\xbfnotes,grade,brightness,seam_error,pitch_hz,centroid_hz,crest_db,peak_db,rms_db,duration,type,source,filename\r\n"
	                  "\"nice, warm\",B,mid,0.1,,900,12,-3,-15,2,pad,x,x/pads/x_pad01_mid.wav\r\n"
	                  "\"say \"\"hi\"\"\nsecond line\",A,dark,0.0500,110.0,400.0,14.00,-4.00,-18.00,4.000,pad,y,y/pads/y_pad01_dark.wav\r\n"
	                  "  odd spacing ,D,bright,0.3,,5000,15,-5,-20,8,pad,z,z/pads/z_pad01_bright.wav\r\n"
	                  ",A,dark,0.0500,,400.0,14.00,-4.00,-18.00,2.000,pad,w,\"w,1.wav\"\r\n";
	CHECK(!strcmp(text, out), "merge keeps other rows byte for byte, the notes of a replaced row, quotes new fields");
	if (strcmp(text, out))
		printf("# %s\n", text);
	sh_manifest free2;
	CHECK(sh_manifest_parse(text, len, &free2) == 0 && free2.nrows == 4, "the result parses back");
	sh_manifest_free(&free2);
	free(text);
	sh_manifest_free(&m);

	/* duplicates of a replaced filename go */
	char dup[2048];
	snprintf(dup, sizeof dup, "%s\nf,s,pad,1,1,1,1,1,,1,mid,A\ng,s,pad,1,1,1,1,1,,1,mid,A\nf,s,pad,2,2,2,2,2,,2,mid,B\n", hdr);
	CHECK(parse(dup, &m, err) == 0 && m.nrows == 3, "parse rows with a repeated filename");
	const char *v4[SH_MANIFEST_COLUMNS] = {"f", "s", "pad", "3", "3", "3", "3", "3", "", "3", "dark", "C"};
	sh_manifest_put(&m, v4);
	CHECK(m.nrows == 2 && !strcmp(sh_manifest_value(&m, 0, SH_MF_GRADE), "C") &&
	          !strcmp(sh_manifest_value(&m, 1, SH_MF_FILENAME), "g"), "a put replaces every row of that filename");
	sh_manifest_free(&m);

	/* empty input and a lone header */
	CHECK(parse("", &m, err) == 0 && m.nrows == 0 && m.ncols == SH_MANIFEST_COLUMNS, "empty input is an empty manifest");
	sh_manifest_free(&m);
	CHECK(parse("\n\n", &m, err) == 0 && m.nrows == 0, "blank lines only");
	sh_manifest_free(&m);
	snprintf(dup, sizeof dup, "%s", hdr);
	CHECK(parse(dup, &m, err) == 0 && m.nrows == 0, "a header without a line end");
	sh_manifest_free(&m);
	snprintf(dup, sizeof dup, "%s\n\nf,s,pad,1,1,1,1,1,,1,mid,A", hdr);
	CHECK(parse(dup, &m, err) == 0 && m.nrows == 1, "a blank line and a last row without a line end");
	sh_manifest_free(&m);

	/* bad input: each error names the line */
	CHECK(fails_with("name,size\nx,1\n", "line 1: not a curation manifest header: no column 'filename'"), "unknown header");
	snprintf(dup, sizeof dup, "%s,grade\n", hdr);
	CHECK(fails_with(dup, "line 1: not a curation manifest header: column 'grade' twice"), "repeated column");
	snprintf(dup, sizeof dup, "%s\nf,s,pad,1,1,1,1,1,,1,mid,A\nf,s,pad,1,1\n", hdr);
	CHECK(fails_with(dup, "line 3: 5 fields, the header has 12"), "wrong field count");
	snprintf(dup, sizeof dup, "%s\n\"f\nstill,s,pad\n", hdr);
	CHECK(fails_with(dup, "line 2: unterminated quote"), "unterminated quote");
	snprintf(dup, sizeof dup, "%s\n\"f\"x,s,pad,1,1,1,1,1,,1,mid,A\n", hdr);
	CHECK(fails_with(dup, "line 2: text after a closing quote"), "text after a closing quote");
	snprintf(dup, sizeof dup, "%s\nf\rg,s,pad,1,1,1,1,1,,1,mid,A\n", hdr);
	CHECK(fails_with(dup, "line 2: a carriage return outside quotes"), "a bare CR");
	char nul[300];
	size_t hl = strlen(hdr);
	memcpy(nul, hdr, hl);
	memcpy(nul + hl, "\nf\0x\n", 5);
	CHECK(sh_manifest_parse(nul, hl + 5, &m) == -1 && strstr(sh_error(), "line 2: NUL byte"), "NUL byte");
	size_t big = SH_MANIFEST_MAX_RECORD + 100;
	char *longrow = malloc(hl + big + 2);
	memcpy(longrow, hdr, hl);
	longrow[hl] = '\n';
	memset(longrow + hl + 1, 'a', big);
	longrow[hl + 1 + big] = 0;
	CHECK(fails_with(longrow, "line 2: record longer than 65536 bytes"), "a line longer than the limit");
	longrow[hl + 1] = '"';
	CHECK(fails_with(longrow, "line 2: record longer than 65536 bytes"), "a quoted field longer than the limit");
	free(longrow);
	/* more rows than the limit: one over */
	size_t rowlen = strlen("f,,,,,,,,,,,\n");
	size_t nrows = SH_MANIFEST_MAX_ROWS + 1;
	char *many = malloc(hl + 1 + nrows * rowlen + 1);
	memcpy(many, hdr, hl);
	many[hl] = '\n';
	for (size_t i = 0; i < nrows; i++)
		memcpy(many + hl + 1 + i * rowlen, "f,,,,,,,,,,,\n", rowlen);
	many[hl + 1 + nrows * rowlen] = 0;
	CHECK(fails_with(many, "line 100002: more than 100000 rows"), "more rows than the limit");
	free(many);
	char wide[2048] = "";
	for (int i = 0; i < 300; i++)
		strcat(wide, "x,");
	CHECK(fails_with(wide, "line 1: more than 256 fields"), "more fields than the limit");
	return tap_failed;
}
