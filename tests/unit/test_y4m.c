/* test_y4m.c -- YUV4MPEG2 header parsing, round trips, limits, truncation. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "rng.h"
#include "tap.h"
#include "y4m.h"

static int parse(const char *line, sh_y4m_info *info)
{
	return sh_y4m_parse_header(line, strlen(line), info);
}

static void write_file(const char *path, const void *data, size_t n)
{
	FILE *f = fopen(path, "wb");
	fwrite(data, 1, n, f);
	fclose(f);
}

/* Write frames with the library, read them back through a pipe that delivers
 * random small pieces; every byte must survive. */
static void round_trip(const char *chroma, int w, int h)
{
	char line[256];
	snprintf(line, sizeof line, "YUV4MPEG2 W%d H%d F30000:1001 It A1:1 C%s XYSCSS=TEST XFOO=bar\n",
	         w, h, chroma);
	sh_y4m_info info;
	CHECK(parse(line, &info) == 0, "parse %s %dx%d", chroma, w, h);
	const char *path = "rt.y4m";
	sh_y4m_out *out = sh_y4m_create(path, &info);
	size_t fs = info.frame_size;
	uint8_t *a = malloc(fs * 3), *b = malloc(fs);
	sh_rng r;
	sh_rng_seed(&r, (uint64_t)w * 31 + (uint64_t)h);
	for (size_t i = 0; i < fs * 3; i++)
		a[i] = (uint8_t)sh_rng_next(&r);
	int wrote = out ? 0 : -1;
	for (int f = 0; f < 3 && wrote == 0; f++)
		wrote = sh_y4m_write_frame(out, a + fs * f);
	CHECK(wrote == 0 && sh_y4m_finish(out) == 0, "write %s %dx%d: %s", chroma, w, h, wrote ? sh_error() : "ok");

	int p[2];
	if (pipe(p) != 0)
		return;
	pid_t pid = fork();
	if (pid == 0) {
		close(p[0]);
		FILE *fin = fopen(path, "rb");
		uint8_t chunk[16];
		size_t n;
		sh_rng cr;
		sh_rng_seed(&cr, 7);
		while ((n = fread(chunk, 1, 1 + sh_rng_below(&cr, 16), fin)) > 0)
			if (write(p[1], chunk, n) != (ssize_t)n)
				_exit(1);
		_exit(0);
	}
	close(p[1]);
	sh_y4m_in *in = sh_y4m_open_fd(p[0], "pipe", NULL, 0);
	CHECK(in != NULL, "reopen %s", chroma);
	if (in) {
		const sh_y4m_info *ri = sh_y4m_in_info(in);
		CHECK(ri->width == w && ri->height == h && ri->fps_num == 30000 && ri->fps_den == 1001 &&
		              ri->interlace == 't' && ri->aspect_num == 1 && ri->chroma == info.chroma,
		      "%s header fields survive", chroma);
		CHECK(ri->xtags && strcmp(ri->xtags, "XYSCSS=TEST XFOO=bar") == 0, "%s X-tags carried (%s)",
		      chroma, ri->xtags ? ri->xtags : "none");
		CHECK(strcmp(ri->chroma_tag, chroma) == 0, "%s chroma tag kept", chroma);
		int ok = 1;
		for (int f = 0; f < 3; f++)
			if (sh_y4m_read_frame(in, b) != 1 || memcmp(a + fs * f, b, fs) != 0)
				ok = 0;
		CHECK(ok, "%s %dx%d frames read whole through small pipe writes", chroma, w, h);
		CHECK(sh_y4m_read_frame(in, b) == 0, "%s clean end", chroma);
		sh_y4m_close(in);
	}
	close(p[0]);
	waitpid(pid, NULL, 0);
	free(a);
	free(b);
	sh_y4m_info_free(&info);
	unlink(path);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_y4m_info info;

	CHECK(parse("YUV4MPEG2 W320 H240 F25:1 C420jpeg\n", &info) == 0 && info.frame_size == 320 * 240 * 3 / 2 &&
	              info.cw == 160 && info.ch == 120 && info.xtags == NULL,
	      "420jpeg layout");
	sh_y4m_info_free(&info);
	CHECK(parse("YUV4MPEG2 W5 H3 C420mpeg2", &info) == 0 && info.cw == 3 && info.ch == 2 &&
	              info.frame_size == 15 + 12 && info.fps_num == 0 && info.interlace == '?',
	      "odd 4:2:0 sizes round up, F absent");
	CHECK(parse("YUV4MPEG2 W5 H3 C422", &info) == 0 && info.cw == 3 && info.ch == 3 && info.frame_size == 33,
	      "422 layout");
	CHECK(parse("YUV4MPEG2 W5 H3 C444", &info) == 0 && info.frame_size == 45, "444 layout");
	CHECK(parse("YUV4MPEG2 W5 H3 Cmono", &info) == 0 && info.frame_size == 15 && info.plane_size[1] == 0,
	      "mono layout");
	CHECK(parse("YUV4MPEG2 W8 H8", &info) == 0 && info.chroma == SH_CHROMA_420 &&
	              strcmp(info.chroma_tag, "420jpeg") == 0,
	      "chroma defaults to 420jpeg");
	CHECK(parse("YUV4MPEG2 W16384 H16384 C444", &info) == 0 && info.frame_size == 16384u * 16384u * 3u,
	      "largest frame accepted");

	CHECK(parse("YUV4MPEG2 W16385 H16 C444", &info) == -1 && strstr(sh_error(), "width"), "width too big: %s",
	      sh_error());
	CHECK(parse("YUV4MPEG2 W16 H99999999999999999999 C444", &info) == -1 && strstr(sh_error(), "height"),
	      "absurd height: %s", sh_error());
	CHECK(parse("YUV4MPEG2 W0 H16", &info) == -1, "zero width");
	CHECK(parse("YUV4MPEG2 W-5 H16", &info) == -1, "negative width");
	CHECK(parse("YUV4MPEG2 H16", &info) == -1 && strstr(sh_error(), "width"), "missing width: %s", sh_error());
	CHECK(parse("YUV4MPEG2 W16 H16 C420p10", &info) == -1 && strstr(sh_error(), "unsupported chroma 'C420p10'"),
	      "unsupported chroma named: %s", sh_error());
	CHECK(parse("YUV4MPEG2 W16 H16 C444alpha", &info) == -1 && strstr(sh_error(), "444alpha"),
	      "444alpha refused");
	CHECK(parse("YUV4MPEG W16 H16", &info) == -1 && strstr(sh_error(), "magic"), "bad magic: %s", sh_error());
	CHECK(parse("YUV4MPEG2X W16 H16", &info) == -1 && strstr(sh_error(), "magic"), "magic needs a space");
	CHECK(parse("YUV4MPEG2 W16 H16 Fx:1", &info) == -1, "bad rate");
	CHECK(parse("YUV4MPEG2 W16 H16 Iq", &info) == -1, "bad interlace");

	/* format: fields and X-tags come back */
	CHECK(parse("YUV4MPEG2 W16 H8 F24000:1001 Ip A4:3 C422 XCOLORRANGE=FULL Zjunk\n", &info) == 0,
	      "parse for format");
	char buf[256];
	size_t n = sh_y4m_format_header(&info, buf, sizeof buf);
	CHECK(n == strlen(buf) && strcmp(buf, "YUV4MPEG2 W16 H8 F24000:1001 Ip A4:3 C422 XCOLORRANGE=FULL Zjunk\n") == 0,
	      "format header: %s", buf);
	sh_y4m_info copy;
	sh_y4m_info_copy(&copy, &info);
	CHECK(copy.xtags != info.xtags && strcmp(copy.xtags, info.xtags) == 0, "copy duplicates xtags");
	sh_y4m_info_free(&copy);
	sh_y4m_info_free(&info);

	const char *chromas[] = {"420jpeg", "420mpeg2", "420paldv", "420", "422", "444", "mono"};
	for (size_t i = 0; i < sizeof chromas / sizeof *chromas; i++)
		round_trip(chromas[i], 33, 17);
	round_trip("420jpeg", 320, 240);

	/* truncated frame, bad frame header, frame-header parameters, bad magic files */
	{
		const char hdr[] = "YUV4MPEG2 W4 H2 Cmono\n";
		char data[256];
		size_t k = 0;
		memcpy(data + k, hdr, sizeof hdr - 1), k += sizeof hdr - 1;
		memcpy(data + k, "FRAME Ixyz\n12345678", 19), k += 19;
		memcpy(data + k, "FRAME\n1234", 10), k += 10;
		write_file("trunc.y4m", data, k);
		sh_y4m_in *in = sh_y4m_open("trunc.y4m");
		uint8_t fb[8];
		CHECK(in && sh_y4m_read_frame(in, fb) == 1 && memcmp(fb, "12345678", 8) == 0,
		      "frame header parameters tolerated");
		CHECK(in && sh_y4m_read_frame(in, fb) == -1 && strstr(sh_error(), "truncated frame 2"),
		      "truncated frame reported: %s", sh_error());
		sh_y4m_close(in);

		k = sizeof hdr - 1;
		memcpy(data + k, "FRAMX\n12345678", 14), k += 14;
		write_file("badframe.y4m", data, k);
		in = sh_y4m_open("badframe.y4m");
		CHECK(in && sh_y4m_read_frame(in, fb) == -1 && strstr(sh_error(), "bad frame header"),
		      "bad frame header: %s", sh_error());
		sh_y4m_close(in);

		k = sizeof hdr - 1;
		memcpy(data + k, "FRA", 3), k += 3;
		write_file("cut.y4m", data, k);
		in = sh_y4m_open("cut.y4m");
		CHECK(in && sh_y4m_read_frame(in, fb) == -1 && strstr(sh_error(), "cut short"),
		      "frame header cut short: %s", sh_error());
		sh_y4m_close(in);

		write_file("magic.y4m", "RIFF....WAVEfmt ", 16);
		CHECK(sh_y4m_open("magic.y4m") == NULL && strstr(sh_error(), "bad magic"), "bad magic file: %s",
		      sh_error());
		write_file("empty.y4m", "", 0);
		CHECK(sh_y4m_open("empty.y4m") == NULL && strstr(sh_error(), "empty"), "empty file: %s", sh_error());
		char longhdr[SH_Y4M_MAX_HEADER + 100];
		memset(longhdr, 'X', sizeof longhdr);
		memcpy(longhdr, "YUV4MPEG2 ", 10);
		write_file("long.y4m", longhdr, sizeof longhdr);
		CHECK(sh_y4m_open("long.y4m") == NULL && strstr(sh_error(), "longer"), "overlong header: %s",
		      sh_error());
		write_file("huge.y4m", "YUV4MPEG2 W100000 H100000 C444\nFRAME\n", 38);
		CHECK(sh_y4m_open("huge.y4m") == NULL && strstr(sh_error(), "width"), "absurd size file: %s",
		      sh_error());
		CHECK(sh_y4m_open("does-not-exist.y4m") == NULL, "missing file");
		unlink("trunc.y4m"), unlink("badframe.y4m"), unlink("cut.y4m"), unlink("magic.y4m");
		unlink("empty.y4m"), unlink("long.y4m"), unlink("huge.y4m");
	}
	/* the writer returns its errors: an unwritable place, a layout too large, and a
	 * run given up leaves no file behind */
	{
		sh_y4m_info wi;
		CHECK(parse("YUV4MPEG2 W8 H8 C420jpeg\n", &wi) == 0, "parse for the writer");
		CHECK(sh_y4m_create("no-such-dir/x.y4m", &wi) == NULL && strstr(sh_error(), "no-such-dir"),
		      "create in a missing folder: NULL + %s", sh_error());
		sh_y4m_info big = wi;
		big.width = SH_Y4M_MAX_DIM * 2;
		CHECK(sh_y4m_create("big.y4m", &big) == NULL && strstr(sh_error(), "cannot write y4m"),
		      "create too large: NULL + %s", sh_error());
		sh_y4m_out *out = sh_y4m_create("abort.y4m", &wi);
		uint8_t frame[96] = {0};
		CHECK(out && sh_y4m_write_frame(out, frame) == 0, "write before giving up");
		sh_y4m_abort(out);
		CHECK(access("abort.y4m", F_OK) != 0, "sh_y4m_abort leaves no file");
		sh_y4m_info_free(&wi);
	}
	/* fuzz: random mutations of a valid header never crash, and whatever parses
	 * has a layout within the limits */
	{
		const char *base = "YUV4MPEG2 W320 H240 F30000:1001 It A1:1 C420mpeg2 XYSCSS=420MPEG2\n";
		const char alphabet[] = "0123456789WHFIACX:pmtb? \n-+x";
		sh_rng fr;
		sh_rng_seed(&fr, 99);
		int parsed = 0, sane = 1;
		for (int i = 0; i < 50000; i++) {
			char hb[160];
			size_t hn = strlen(base);
			memcpy(hb, base, hn + 1);
			int edits = 1 + (int)sh_rng_below(&fr, 6);
			for (int e = 0; e < edits; e++) {
				size_t at = (size_t)sh_rng_below(&fr, hn);
				int op = (int)sh_rng_below(&fr, 3);
				char c = (char)(sh_rng_chance(&fr, 0.8) ? alphabet[sh_rng_below(&fr, sizeof alphabet - 1)]
				                                        : (char)sh_rng_below(&fr, 256));
				if (op == 0)
					hb[at] = c;
				else if (op == 1 && hn + 1 < sizeof hb) {
					memmove(hb + at + 1, hb + at, hn - at + 1);
					hb[at] = c;
					hn++;
				} else if (hn > 1) {
					memmove(hb + at, hb + at + 1, hn - at);
					hn--;
				}
			}
			sh_y4m_info fi;
			if (sh_y4m_parse_header(hb, hn, &fi) == 0) {
				parsed++;
				if (fi.width < 1 || fi.width > SH_Y4M_MAX_DIM || fi.height < 1 ||
				    fi.height > SH_Y4M_MAX_DIM || fi.frame_size > SH_Y4M_MAX_FRAME)
					sane = 0;
				sh_y4m_info_free(&fi);
			}
		}
		CHECK(sane, "fuzzed headers: %d of 50000 parse, all within the limits", parsed);
	}
	return tap_failed;
}
