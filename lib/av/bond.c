/* bond.c -- a sound bonded to a picture; see bond.h. */
#include "bond.h"

#include <dirent.h>
#include <stdbool.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include "audio.h"
#include "err.h"

int sh_bond_open_visual(const char *visual, sh_bond_kind *kind, sh_media **m)
{
	*m = NULL;
	struct stat sb;
	if (stat(visual, &sb) != 0) {
		sh_set_error("%s: %s", visual, strerror(errno));
		return -1;
	}
	if (S_ISDIR(sb.st_mode)) {
		*kind = SH_BOND_FOLDER;
		return 0;
	}
	*m = sh_media_open_image(visual);
	if (!*m)
		return -1;
	*kind = sh_media_get_info(*m)->is_image ? SH_BOND_STILL : SH_BOND_CLIP;
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static bool is_sound_name(const char *path)
{
	static const char *const exts[] = {"wav", "flac", "aif", "aiff", "au", "ogg", "mp3", "opus", "caf", NULL};
	const char *dot = strrchr(path, '.');
	if (!dot || strchr(dot, '/'))
		return false;
	for (const char *const *e = exts; *e; e++)
		if (!strcasecmp(dot + 1, *e))
			return true;
	return false;
}

char **sh_bond_scan_folder(const char *dir, size_t *count)
{
	DIR *d = opendir(dir);
	if (!d) {
		sh_set_error("%s: %s", dir, strerror(errno));
		return NULL;
	}
	struct dirent *e;
	char **names = NULL;
	size_t n = 0, cap = 0;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			names = sh_realloc(names, cap, sizeof *names);
		}
		size_t len = strlen(dir) + strlen(e->d_name) + 2;
		names[n] = sh_malloc(len);
		snprintf(names[n], len, "%s/%s", dir, e->d_name);
		n++;
	}
	closedir(d);
	if (n)
		qsort(names, n, sizeof *names, cmp_str);
	char **images = sh_calloc(n ? n : 1, sizeof *images);
	size_t nimages = 0;
	for (size_t i = 0; i < n; i++) {
		struct stat sb;
		if (stat(names[i], &sb) != 0 || !S_ISREG(sb.st_mode)) {
			free(names[i]);
			continue; /* sub-folders are not pictures */
		}
		/* a sound beside the pictures (a track part's sample.wav) is no picture
		 * and no mistake: left out without a word */
		if (is_sound_name(names[i])) {
			free(names[i]);
			continue;
		}
		/* a picture is a file FFmpeg (or ImageMagick) decodes into one still frame */
		sh_media *m = sh_media_open_image(names[i]);
		if (!m || !sh_media_get_info(m)->is_image) {
			sh_warn("%s: not a picture, skipped", names[i]);
			sh_media_close(m);
			free(names[i]);
			continue;
		}
		sh_media_close(m);
		images[nimages++] = names[i];
	}
	free(names);
	if (!nimages) {
		free(images);
		sh_set_error("%s: no pictures in the folder", dir);
		return NULL;
	}
	*count = nimages;
	return images;
}

int sh_bond_decode_still(const char *path, sh_media_video_opts *vo, sh_y4m_info *info, uint8_t **frame)
{
	sh_media *m = sh_media_open_image(path);
	if (!m)
		return -1;
	sh_y4m_info got;
	if (sh_media_video_begin(m, vo, &got) != 0) {
		sh_media_close(m);
		return -1;
	}
	if (!*frame) {
		/* the first picture sets the size the others are fitted to */
		*info = got;
		*frame = sh_malloc(got.frame_size);
		vo->width = got.width;
		vo->height = got.height;
	}
	if (sh_media_video_read(m, *frame) != 1) {
		sh_set_error("%s: %s", path, sh_error());
		sh_media_close(m);
		return -1;
	}
	sh_media_close(m);
	return 0;
}

int sh_bond_read_audio(const char *path, int64_t *samples, int *rate_out, sh_odf **odf_out)
{
	sh_audio_in *ain = sh_audio_open(path);
	if (!ain)
		return -1;
	int rate = sh_audio_rate(ain), ch = sh_audio_channels(ain);
	sh_odf *odf = NULL;
	if (odf_out && !(odf = sh_odf_new(rate))) {
		sh_audio_close(ain);
		return -1;
	}
	size_t block = 8192;
	float *buf = sh_malloc(block * (size_t)ch * sizeof *buf);
	float *mono = sh_malloc(block * sizeof *mono);
	int64_t total = 0;
	ssize_t got;
	while ((got = sh_audio_read(ain, buf, block)) > 0) {
		total += (int64_t)got;
		if (odf) {
			sh_audio_downmix(buf, (size_t)got, ch, mono);
			sh_odf_feed(odf, mono, (size_t)got);
		}
	}
	sh_audio_close(ain);
	free(buf);
	free(mono);
	if (got < 0) {
		sh_odf_free(odf);
		return -1;
	}
	if (odf) {
		sh_odf_flush(odf);
		*odf_out = odf;
	}
	*samples = total;
	*rate_out = rate;
	return 0;
}

int64_t sh_bond_frames(int64_t samples, int rate, sh_rational fps)
{
	int64_t num = (int64_t)fps.num, den = (int64_t)fps.den * rate;
	return (samples * num * 2 + den) / (2 * den);
}

int sh_bond_switch_times(const sh_bond_switch_opts *o, sh_odf *odf, int64_t samples, int rate, double **sw,
                         size_t *nsw)
{
	*sw = NULL;
	*nsw = 0;
	if (o->onsets_file) {
		sh_odf_free(odf);
		return sh_onsets_load(o->onsets_file, sw, nsw);
	}
	if (o->every > 0) {
		sh_odf_free(odf);
		double step = o->every * 60.0 / o->bpm;
		double total = (double)samples / rate;
		*nsw = (size_t)(total / step) + 1;
		*sw = sh_calloc(*nsw, sizeof **sw);
		for (size_t i = 0; i < *nsw; i++)
			(*sw)[i] = (double)(i + 1) * step;
		return 0;
	}
	sh_onset_opts oo;
	sh_onset_opts_default(&oo);
	oo.threshold = o->threshold;
	oo.min_gap = o->min_gap;
	sh_onset *on = NULL;
	const float *env = sh_odf_values(odf, -1);
	*nsw = sh_onsets_pick(env, sh_odf_frames(odf), sh_odf_rate(odf), &oo, &on);
	*sw = sh_calloc(*nsw ? *nsw : 1, sizeof **sw);
	for (size_t i = 0; i < *nsw; i++)
		(*sw)[i] = on[i].t;
	free(on);
	sh_odf_free(odf);
	return 0;
}

size_t *sh_bond_pictures(const double *sw, size_t nsw, size_t npictures, int64_t nframes, sh_rational fps,
                         bool shuffle, sh_rng *rng)
{
	size_t *pic = sh_calloc(nframes > 0 ? (size_t)nframes : 1, sizeof *pic);
	size_t cur = 0, next_sw = 0;
	double half = 0.5 / sh_rational_value(fps);
	/* a switch at the very start would only skip the first picture */
	while (next_sw < nsw && sw[next_sw] < half)
		next_sw++;
	for (int64_t k = 0; k < nframes; k++) {
		double t = (double)k * fps.den / fps.num;
		/* a switch lands on the frame nearest its time */
		while (next_sw < nsw && sw[next_sw] < t + half) {
			next_sw++;
			if (npictures > 1) {
				if (shuffle) {
					size_t pick = (size_t)sh_rng_below(rng, npictures - 1);
					cur = pick >= cur ? pick + 1 : pick;
				} else {
					cur = (cur + 1) % npictures;
				}
			}
		}
		pic[k] = cur;
	}
	return pic;
}
