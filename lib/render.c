/* render.c -- cut lists over audio; see render.h. */
#include "render.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define BLOCK 65536 /* frames per read; pieces longer than this stream through */

int sh_parse_fit(const char *text, sh_fit *fit)
{
	if (!strcmp(text, "none"))
		*fit = SH_FIT_NONE;
	else if (!strcmp(text, "scale"))
		*fit = SH_FIT_SCALE;
	else if (!strcmp(text, "wrap"))
		*fit = SH_FIT_WRAP;
	else {
		sh_set_error("'%s' is not a fit mode (none, scale, wrap)", text);
		return -1;
	}
	return 0;
}

int64_t sh_render_piece_start(const sh_cutlist *cl, size_t i, int64_t len, int64_t frames, double rate,
                              const sh_render_opts *opts)
{
	const sh_cut *c = &cl->cuts[i];
	double src = c->src;
	if (opts->fit == SH_FIT_SCALE && cl->src_duration > 0)
		src *= ((double)frames / rate) / cl->src_duration;
	int64_t s = sh_seconds_to_index(src, rate);
	if (opts->fit == SH_FIT_SCALE && s + len > frames)
		s = frames - len; /* keep the piece's length; end it at the source's end */
	if (s < 0)
		s = 0;
	if (opts->fit == SH_FIT_WRAP && frames > 0)
		s %= frames;
	return s;
}

int sh_render_check(const sh_cutlist *cl, int64_t frames, double rate, const sh_render_opts *opts)
{
	double cum = 0;
	int64_t prev = 0;
	if (opts->fit == SH_FIT_WRAP && frames <= 0) {
		for (size_t i = 0; i < cl->n; i++)
			if (!cl->cuts[i].silence) {
				sh_set_error("the source is empty: nothing to wrap around");
				return -1;
			}
	}
	for (size_t i = 0; i < cl->n; i++) {
		cum += cl->cuts[i].dur;
		int64_t next = sh_seconds_to_index(cum, rate);
		int64_t len = next - prev;
		prev = next;
		if (cl->cuts[i].silence || len <= 0 || opts->fit == SH_FIT_WRAP)
			continue;
		int64_t s = sh_render_piece_start(cl, i, len, frames, rate, opts);
		/* one sample of slack: independent rounding of src and of the output boundaries */
		if (s + len > frames + 1 || (opts->fit == SH_FIT_SCALE && len > frames)) {
			sh_set_error("cut %zu (src %.6f s, dur %.6f s) reaches past the source's end at %.6f s "
			             "(--fit scale or --fit wrap reuse a list across lengths)",
			             i, cl->cuts[i].src, cl->cuts[i].dur, (double)frames / rate);
			return -1;
		}
	}
	return 0;
}

static void reverse_frames(float *buf, size_t n, size_t ch)
{
	for (size_t a = 0, b = n - 1; a < b; a++, b--)
		for (size_t c = 0; c < ch; c++) {
			float t = buf[a * ch + c];
			buf[a * ch + c] = buf[b * ch + c];
			buf[b * ch + c] = t;
		}
}

/* Source frames [start, start+n) with wrapping when asked. */
static void get_frames(sh_audio_source *src, int64_t start, size_t n, float *buf, size_t ch, bool wrap)
{
	int64_t frames = sh_audio_source_frames(src);
	if (!wrap || frames <= 0) {
		sh_audio_source_get(src, start, n, buf);
		return;
	}
	while (n > 0) {
		start %= frames;
		size_t k = (size_t)(frames - start) < n ? (size_t)(frames - start) : n;
		sh_audio_source_get(src, start, k, buf);
		buf += k * ch;
		start += (int64_t)k;
		n -= k;
	}
}

void sh_render_audio(const sh_cutlist *cl, sh_audio_source *src, int rate, int channels,
                     sh_audio_out *out, const sh_render_opts *opts)
{
	size_t ch = (size_t)channels;
	float *buf = sh_malloc(BLOCK * ch * sizeof(float));
	int64_t frames = sh_audio_source_frames(src);
	bool wrap = opts->fit == SH_FIT_WRAP;
	int64_t fade = opts->declick > 0 ? sh_seconds_to_index(opts->declick, rate) : 0;
	double cum = 0;
	int64_t prev = 0;
	sh_progress prog;
	sh_progress_start(&prog, "rendering");
	for (size_t i = 0; i < cl->n; i++) {
		const sh_cut *c = &cl->cuts[i];
		cum += c->dur;
		int64_t next = sh_seconds_to_index(cum, rate);
		int64_t len = next - prev;
		prev = next;
		if (len <= 0)
			continue;
		int64_t s = c->silence ? 0 : sh_render_piece_start(cl, i, len, frames, rate, opts);
		int64_t f = fade * 2 > len ? len / 2 : fade;
		for (int64_t done = 0; done < len;) {
			size_t k = (size_t)(len - done) < BLOCK ? (size_t)(len - done) : BLOCK;
			if (c->silence) {
				memset(buf, 0, k * ch * sizeof(float));
			} else if (!c->reverse) {
				get_frames(src, s + done, k, buf, ch, wrap);
			} else {
				/* backwards: the block that ends where the last one began */
				get_frames(src, s + len - done - (int64_t)k, k, buf, ch, wrap);
				reverse_frames(buf, k, ch);
			}
			if (c->gain != 1 && !c->silence) {
				float g = (float)c->gain;
				for (size_t j = 0; j < k * ch; j++)
					buf[j] *= g;
			}
			if (f > 0 && !c->silence) {
				for (size_t j = 0; j < k; j++) {
					int64_t pos = done + (int64_t)j;
					int64_t edge = pos < len - 1 - pos ? pos : len - 1 - pos;
					if (edge < f) {
						float g = (float)(edge + 1) / (float)(f + 1);
						for (size_t cc = 0; cc < ch; cc++)
							buf[j * ch + cc] *= g;
					}
				}
			}
			sh_audio_write(out, buf, k);
			done += (int64_t)k;
		}
		if ((i & 255) == 0)
			sh_progress_update(&prog, (double)i / (double)cl->n);
	}
	sh_progress_end(&prog);
	free(buf);
}
