/* trackinfo.c -- tempo and key of a track's parts (trackinfo.h). */
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "err.h"
#include "musickey.h"
#include "tempo.h"
#include "trackinfo.h"

#define BLOCK 8192

static int detect_part(const sh_track *t, sh_track_part *p)
{
	char *path = sh_track_path(t, p->sample);
	sh_audio_in *in = sh_audio_open(path);
	free(path);
	if (!in)
		return -1;
	int rate = sh_audio_rate(in), ch = sh_audio_channels(in);
	sh_tempo_opts o;
	sh_tempo_opts_default(&o);
	o.beats = false;
	sh_tempo *tp = sh_tempo_new(rate, &o);
	sh_key *k = tp ? sh_key_new(rate) : NULL;
	float *buf = sh_malloc((size_t)BLOCK * (size_t)ch * sizeof *buf);
	float *mono = sh_malloc((size_t)BLOCK * sizeof *mono);
	int r = tp && k ? 0 : -1;
	while (r == 0) {
		ssize_t got = sh_audio_read(in, buf, BLOCK);
		if (got < 0)
			r = -1;
		if (got <= 0)
			break;
		sh_audio_downmix(buf, (size_t)got, ch, mono);
		sh_tempo_feed(tp, mono, (size_t)got);
		sh_key_feed(k, mono, (size_t)got);
	}
	if (r == 0) {
		sh_tempo_result tr;
		sh_key_result kr;
		if (sh_tempo_finish(tp, &tr) != 0 || sh_key_finish(k, &kr) != 0) {
			r = -1;
		} else {
			p->bpm = tr.bpm > 0 ? tr.bpm : 0;
			sh_tempo_result_free(&tr);
			free(p->key);
			p->key = NULL;
			if (kr.tonic >= 0) {
				char name[32];
				p->key = sh_strdup(sh_key_name(kr.tonic, kr.minor, name, sizeof name));
			}
		}
	}
	sh_tempo_free(tp);
	sh_key_free(k);
	free(buf);
	free(mono);
	sh_audio_close(in);
	return r;
}

int sh_track_detect(sh_track *t)
{
	for (int i = 0; i < t->nparts; i++)
		if (detect_part(t, &t->parts[i]) != 0) {
			char *e = sh_strdup(sh_error());
			sh_set_error("part '%s': sample: %s", t->parts[i].name, e);
			free(e);
			return -1;
		}
	return 0;
}
