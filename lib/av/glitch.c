/* glitch.c -- the one-pass AV glitch render; see glitch.h. */
#include "glitch.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <libavutil/frame.h>

#include "audio.h"
#include "clock.h"
#include "err.h"
#include "file.h"

struct sh_glitch {
	const sh_glitch_opts *opts;
	sh_bond_kind kind;
	sh_media *clip;         /* CLIP: open */
	char **pictures;        /* FOLDER (or the still alone) */
	size_t npictures;
	int64_t samples, nframes;
	int rate, channels;
	size_t *pic;            /* the picture each bonded frame shows */
};

sh_glitch *sh_glitch_open(const sh_glitch_opts *o)
{
	sh_glitch *g = sh_calloc(1, sizeof *g);
	g->opts = o;
	sh_media *m = NULL;
	if (sh_bond_open_visual(o->visual, &g->kind, &m) != 0)
		goto fail;
	if (g->kind == SH_BOND_CLIP) {
		g->clip = m;
		sh_media_set_threads(m, o->threads);
	} else {
		sh_media_close(m);
	}
	if (g->kind == SH_BOND_FOLDER) {
		if (!(g->pictures = sh_bond_scan_folder(o->visual, &g->npictures)))
			goto fail;
	} else if (g->kind == SH_BOND_STILL) {
		g->pictures = sh_malloc(sizeof *g->pictures);
		g->pictures[0] = sh_strdup(o->visual);
		g->npictures = 1;
	}
	bool onsets = g->kind == SH_BOND_FOLDER && o->sw.every <= 0 && !o->sw.onsets_file;
	sh_odf *odf = NULL;
	if (sh_bond_read_audio(o->audio, &g->samples, &g->rate, onsets ? &odf : NULL) != 0)
		goto fail;
	g->nframes = sh_bond_frames(g->samples, g->rate, o->fps);
	if (g->kind == SH_BOND_CLIP)
		return g;
	double *sw = NULL;
	size_t nsw = 0;
	if (g->kind == SH_BOND_FOLDER && sh_bond_switch_times(&o->sw, odf, g->samples, g->rate, &sw, &nsw) != 0)
		goto fail;
	g->pic = sh_bond_pictures(sw, nsw, g->npictures, g->nframes, o->fps, o->shuffle_pictures, o->rng);
	sh_note("%lld audio samples at %d Hz: %lld bonded frames, %zu pictures, %zu switches",
	        (long long)g->samples, g->rate, (long long)g->nframes, g->npictures, nsw);
	free(sw);
	return g;
fail:
	sh_glitch_free(g);
	return NULL;
}

int64_t sh_glitch_samples(const sh_glitch *g) { return g->samples; }
int sh_glitch_rate(const sh_glitch *g) { return g->rate; }
int64_t sh_glitch_frames(const sh_glitch *g) { return g->nframes; }
sh_bond_kind sh_glitch_kind(const sh_glitch *g) { return g->kind; }

void sh_glitch_free(sh_glitch *g)
{
	if (!g)
		return;
	sh_media_close(g->clip);
	for (size_t i = 0; i < g->npictures; i++)
		free(g->pictures[i]);
	free(g->pictures);
	free(g->pic);
	free(g);
}

/* ---- the cut audio, as a float WAV the encoder reads ---- */

/* cutapply's message names its own --fit; here that is --cut-fit. */
static void name_cut_fit(void)
{
	char buf[1024];
	size_t n = 0;
	for (const char *e = sh_error(); *e && n + 16 < sizeof buf;) {
		if (!strncmp(e, "--fit ", 6)) {
			n += (size_t)snprintf(buf + n, sizeof buf - n, "--cut-fit ");
			e += 6;
		} else {
			buf[n++] = *e++;
		}
	}
	buf[n] = 0;
	sh_set_error("%s", buf);
}

/* Render CL over the audio into PATH, held under its temporary name. */
static sh_atomic *render_audio(sh_glitch *g, const sh_cutlist *cl, const char *path)
{
	sh_audio_in *in = sh_audio_open(g->opts->audio);
	if (!in)
		return NULL;
	g->channels = sh_audio_channels(in);
	sh_audio_source *src = sh_audio_source_open(in, g->opts->memory);
	sh_atomic *at = NULL;
	if (src) {
		sh_audio_out_opts oo = {0};
		sh_audio_out *out = sh_audio_create(path, g->rate, g->channels, &oo);
		if (out && sh_render_audio(cl, src, g->rate, g->channels, out, &g->opts->ro) == 0)
			at = sh_audio_finish_held(out);
		else
			sh_audio_abort(out);
		sh_audio_source_close(src);
	}
	sh_audio_close(in);
	return at;
}

/* ---- a clip's frames, decoded forward, kept for random access ---- */

typedef struct {
	size_t frame_size, count, in_memory, max_memory;
	uint8_t **mem;
	int fd;                 /* spool file, or -1 */
} store;

static int store_add(store *s, const uint8_t *frame)
{
	if (s->in_memory < s->max_memory) {
		s->mem[s->in_memory] = sh_malloc(s->frame_size);
		memcpy(s->mem[s->in_memory++], frame, s->frame_size);
	} else {
		if (s->fd < 0 && (s->fd = sh_spool_file()) < 0)
			return -1;
		if (sh_write_all(s->fd, frame, s->frame_size) != 0)
			return -1;
	}
	s->count++;
	return 0;
}

static const uint8_t *store_get(store *s, size_t i, uint8_t *scratch)
{
	if (i < s->in_memory)
		return s->mem[i];
	off_t off = (off_t)(i - s->in_memory) * (off_t)s->frame_size;
	return sh_pread_all(s->fd, scratch, s->frame_size, off, "spool file") != 0 ? NULL : scratch;
}

static void store_free(store *s)
{
	for (size_t i = 0; i < s->in_memory; i++)
		free(s->mem[i]);
	free(s->mem);
	if (s->fd >= 0)
		close(s->fd);
}

/* Decode the clip's bonded frames up to the last one MAP uses, keeping those
 * it uses; slot[k] is frame k's place in the store. */
static int read_clip(sh_glitch *g, const int64_t *map, size_t n, const sh_y4m_info *info, store *s, size_t **slot_out)
{
	size_t nf = (size_t)g->nframes;
	size_t *slot = sh_malloc((nf ? nf : 1) * sizeof *slot);
	int64_t last = -1;
	for (size_t k = 0; k < nf; k++)
		slot[k] = SIZE_MAX;
	for (size_t j = 0; j < n; j++)
		if (map[j] >= 0) {
			slot[map[j]] = 0;
			if (map[j] > last)
				last = map[j];
		}
	*slot_out = slot;
	s->frame_size = info->frame_size;
	s->fd = -1;
	s->max_memory = g->opts->memory / info->frame_size;
	if (s->max_memory > nf)
		s->max_memory = nf;
	s->mem = sh_malloc((s->max_memory ? s->max_memory : 1) * sizeof *s->mem);
	uint8_t *cur = sh_malloc(info->frame_size);
	bool ended = false;
	int rc = 0;
	for (int64_t k = 0; k <= last; k++) {
		if (!ended) {
			int r = sh_media_video_read(g->clip, cur);
			if (r < 0) {
				rc = -1;
				break;
			}
			if (r == 0) {
				if (k == 0) {
					sh_set_error("%s: no frames to show", g->opts->visual);
					rc = -1;
					break;
				}
				ended = true; /* hold the last frame */
			}
		}
		if (slot[k] != SIZE_MAX) {
			slot[k] = s->count;
			if (store_add(s, cur) != 0) {
				rc = -1;
				break;
			}
		}
	}
	free(cur);
	return rc;
}

/* ---- the run ---- */

static AVFrame *new_frame(const sh_y4m_info *info)
{
	AVFrame *f = av_frame_alloc();
	if (!f)
		return NULL;
	f->format = sh_av_pix_fmt(info->chroma);
	f->width = info->width;
	f->height = info->height;
	if (av_frame_get_buffer(f, 0) < 0)
		av_frame_free(&f);
	return f;
}

/* The size the pictures are fitted to must be even (4:2:0): a visual of an odd
 * size without --size is fitted to the even size just under its own. */
static int even_size(sh_glitch *g, sh_media_video_opts *vo)
{
	if (vo->width)
		return 0;
	const char *first = g->kind == SH_BOND_CLIP ? NULL : g->pictures[0];
	sh_media *m = first ? sh_media_open_image(first) : NULL;
	if (first && !m)
		return -1;
	const sh_media_info *mi = sh_media_get_info(m ? m : g->clip);
	if ((mi->width & 1) || (mi->height & 1)) {
		vo->width = mi->width & ~1;
		vo->height = mi->height & ~1;
	}
	sh_media_close(m);
	if (vo->width && (vo->width < 2 || vo->height < 2)) {
		sh_set_error("%s: a %dx%d picture is too small to encode", g->opts->visual, mi->width, mi->height);
		return -1;
	}
	return 0;
}

typedef struct {
	AVFrame **pics;         /* pictures: each decoded once */
	AVFrame *black, *work;
	store st;
	size_t *slot;
	uint8_t *scratch;
	sh_y4m_info info;
} frames;

/* The pictures MAP shows, decoded. */
static int decode_pictures(sh_glitch *g, sh_media_video_opts *vo, const int64_t *map, size_t n, frames *fr)
{
	bool *used = sh_calloc(g->npictures, sizeof *used);
	used[0] = true; /* the first picture sets the size */
	for (size_t j = 0; j < n; j++)
		if (map[j] >= 0)
			used[g->pic[map[j]]] = true;
	fr->pics = sh_calloc(g->npictures, sizeof *fr->pics);
	uint8_t *buf = NULL;
	int rc = 0;
	for (size_t i = 0; i < g->npictures && rc == 0; i++) {
		if (!used[i])
			continue;
		if (sh_bond_decode_still(g->pictures[i], vo, &fr->info, &buf) != 0) {
			rc = -1;
			break;
		}
		if (!(fr->pics[i] = new_frame(&fr->info))) {
			sh_set_error("out of memory");
			rc = -1;
			break;
		}
		sh_frame_to_av(&fr->info, buf, fr->pics[i]);
	}
	free(buf);
	free(used);
	return rc;
}

static void free_frames(sh_glitch *g, frames *fr)
{
	for (size_t i = 0; fr->pics && i < g->npictures; i++)
		av_frame_free(&fr->pics[i]);
	free(fr->pics);
	av_frame_free(&fr->black);
	av_frame_free(&fr->work);
	if (fr->slot)
		store_free(&fr->st);
	free(fr->slot);
	free(fr->scratch);
}

/* Output frame J as an AVFrame for the encoder (a new reference in OUT). */
static int frame_at(sh_glitch *g, frames *fr, int64_t src, AVFrame *out)
{
	if (src < 0)
		return av_frame_ref(out, fr->black) < 0 ? -1 : 0;
	if (!fr->slot)
		return av_frame_ref(out, fr->pics[g->pic[src]]) < 0 ? -1 : 0;
	const uint8_t *raw = store_get(&fr->st, fr->slot[src], fr->scratch);
	if (!raw)
		return -1;
	/* a new buffer when the encoder still holds the last one */
	if (av_frame_make_writable(fr->work) < 0) {
		sh_set_error("out of memory");
		return -1;
	}
	sh_frame_to_av(&fr->info, raw, fr->work);
	return av_frame_ref(out, fr->work) < 0 ? -1 : 0;
}

/* The frames MAP shows, ready: pictures decoded, or the clip read and kept. */
static int prepare_frames(sh_glitch *g, const int64_t *map, size_t n, frames *fr)
{
	sh_media_video_opts vo = g->opts->vo;
	if (even_size(g, &vo) != 0)
		return -1;
	if (g->kind == SH_BOND_CLIP) {
		vo.start = g->opts->start;
		vo.loop = g->opts->loop;
		if (sh_media_video_begin(g->clip, &vo, &fr->info) != 0)
			return -1;
		if (read_clip(g, map, n, &fr->info, &fr->st, &fr->slot) != 0)
			return -1;
		fr->scratch = sh_malloc(fr->info.frame_size);
		if (!(fr->work = new_frame(&fr->info)))
			goto oom;
	} else if (decode_pictures(g, &vo, map, n, fr) != 0) {
		return -1;
	}
	if (!(fr->black = new_frame(&fr->info)))
		goto oom;
	uint8_t *black = sh_malloc(fr->info.frame_size);
	/* cutapply's black: video range (Y 16), neutral chroma */
	memset(black, 16, fr->info.plane_size[0]);
	memset(black + fr->info.plane_size[0], 128, fr->info.frame_size - fr->info.plane_size[0]);
	sh_frame_to_av(&fr->info, black, fr->black);
	free(black);
	return 0;
oom:
	sh_set_error("out of memory");
	return -1;
}

/* Where the cut audio goes: DIR/cut.wav, or a temporary name in $TMPDIR. */
static char *audio_path(const sh_glitch *g)
{
	const char *dir = g->opts->keep;
	if (!dir) {
		dir = getenv("TMPDIR");
		if (!dir || !*dir)
			dir = "/tmp";
	}
	size_t len = strlen(dir) + 64;
	char *p = sh_malloc(len);
	if (g->opts->keep)
		snprintf(p, len, "%s/cut.wav", dir);
	else
		snprintf(p, len, "%s/avglitch-%ld.wav", dir, (long)getpid());
	return p;
}

/* Encode the frames of MAP and the audio of AIN. */
static int encode(sh_glitch *g, sh_encoder *enc, frames *fr, const int64_t *map, size_t n, sh_media *ain)
{
	AVFrame *f = av_frame_alloc();
	if (!f) {
		sh_set_error("out of memory");
		return -1;
	}
	int rc = 0, audio = 1;
	sh_progress pr;
	sh_progress_start(&pr, "encoding");
	for (size_t j = 0; j < n && rc == 0; j++) {
		if (frame_at(g, fr, map[j], f) != 0 || sh_encoder_video(enc, f) != 0)
			rc = -1;
		av_frame_unref(f);
		if (rc == 0 && audio > 0 && (audio = sh_encoder_audio_from(enc, ain, false)) < 0)
			rc = -1;
		if ((j & 31) == 0)
			sh_progress_update(&pr, (double)j / (double)n);
	}
	while (rc == 0 && audio > 0)
		if ((audio = sh_encoder_audio_from(enc, ain, true)) < 0)
			rc = -1;
	sh_progress_end(&pr);
	av_frame_free(&f);
	return rc;
}

int sh_glitch_render(sh_glitch *g, const sh_cutlist *cl, const char *cl_text)
{
	const sh_glitch_opts *o = g->opts;
	double fps = sh_rational_value(o->fps);
	if (sh_render_check(cl, g->samples, g->rate, &o->ro) != 0 ||
	    sh_render_check(cl, g->nframes, fps, &o->ro) != 0) {
		name_cut_fit();
		sh_set_error("%s: %s", o->audio, sh_error());
		return -1;
	}
	int rc = -1;
	size_t n;
	int64_t *map = sh_render_frame_map(cl, g->nframes, fps, &o->ro, o->drop, &n);
	if (o->preview > 0) {
		size_t pn = (size_t)ceil(o->preview * fps - 1e-9);
		if (pn < n)
			n = pn;
	}
	if (n == 0) {
		free(map);
		sh_set_error("the cut list is empty: no frames to encode");
		return -1;
	}
	bool made_keep = false;
	if (o->keep) {
		if (mkdir(o->keep, 0777) == 0)
			made_keep = true;
		else if (errno != EEXIST) {
			free(map);
			sh_set_error("--keep %s: %s", o->keep, strerror(errno));
			return -1;
		}
	}
	frames fr = {0};
	sh_atomic *cuts_at = NULL, *wav_at = NULL;
	sh_media *ain = NULL;
	sh_encoder *enc = NULL;
	char *wav = audio_path(g);
	if (!(wav_at = render_audio(g, cl, wav)))
		goto done;
	if (prepare_frames(g, map, n, &fr) != 0)
		goto done;
	if (!(ain = sh_media_open(sh_atomic_tmpname(wav_at))))
		goto done;
	sh_media_set_threads(ain, 1);
	sh_encode_opts eo = o->eo;
	eo.width = fr.info.width;
	eo.height = fr.info.height;
	eo.fps_num = o->fps.num;
	eo.fps_den = o->fps.den;
	if ((eo.rate = sh_encode_audio_rate(g->rate)) < 0)
		goto done;
	eo.channels = g->channels > 2 ? 2 : g->channels;
	if (sh_media_audio_begin(ain, eo.rate, eo.channels, 0, o->preview) != 0)
		goto done;
	if (!(enc = sh_encoder_open(o->output, &eo)))
		goto done;
	if (encode(g, enc, &fr, map, n, ain) != 0 || sh_encoder_flush(enc) != 0)
		goto done;
	int64_t nv = sh_encoder_video_frames(enc), na = sh_encoder_audio_samples(enc);
	if (fabs((double)nv / fps - (double)na / eo.rate) > 1.0 / fps + 1e-9) {
		sh_set_error("the video (%lld frames) and the audio (%lld samples) differ by more than a frame",
		             (long long)nv, (long long)na);
		goto done;
	}
	if (o->keep) {
		char path[4096];
		snprintf(path, sizeof path, "%s/cuts.json", o->keep);
		if (!(cuts_at = sh_write_file_held(path, cl_text, strlen(cl_text))))
			goto done;
	}
	if (sh_encoder_finish(enc) != 0)
		goto done;
	sh_note("%lld frames (%.3fs), %lld audio samples (%.3fs)", (long long)nv, nv / fps, (long long)na,
	        (double)na / eo.rate);
	rc = 0;
	if (o->keep) {
		if (sh_atomic_commit(cuts_at) != 0 || sh_atomic_commit(wav_at) != 0)
			rc = -1;
		cuts_at = wav_at = NULL;
	}
done:
	sh_encoder_close(enc);
	sh_media_close(ain);
	if (cuts_at)
		sh_atomic_abort(cuts_at);
	if (wav_at)
		sh_atomic_abort(wav_at);
	free_frames(g, &fr);
	free(wav);
	free(map);
	if (rc != 0 && made_keep)
		rmdir(o->keep); /* the folder this run made, left empty */
	return rc;
}
