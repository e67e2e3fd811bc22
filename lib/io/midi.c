/* midi.c -- Standard MIDI File writer and PortMidi output; see midi.h. */
#define _GNU_SOURCE
#include "midi.h"
#include "cli.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <portmidi.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

struct sh_smf {
	sh_atomic *af;   /* the file, or NULL for stdout */
	FILE *spool;     /* stdout: the track is spooled here first */
	int fd;
	uint8_t buf[65536];
	size_t len;
	uint64_t track_bytes;
	int64_t last_tick;
	uint8_t running; /* running status in effect (0: none) */
	char *error;     /* the first failure: every later call repeats it */
};

/* Record the first failure (sh_error() holds it); -1. */
static int failed(sh_smf *f)
{
	if (!f->error)
		f->error = sh_strdup(sh_error());
	sh_set_error("%s", f->error);
	return -1;
}

static int flush_buf(sh_smf *f)
{
	if (f->len) {
		if (sh_write_named(f->fd, f->buf, f->len, sh_atomic_path(f->af)) != 0)
			return failed(f);
		f->len = 0;
	}
	return 0;
}

/* Buffered bytes of the track; a failed flush is kept for the caller's next check. */
static void put(sh_smf *f, const uint8_t *p, size_t n)
{
	if (f->len + n > sizeof f->buf && flush_buf(f) != 0)
		f->len = 0; /* the file is lost; keep the buffer usable */
	memcpy(f->buf + f->len, p, n);
	f->len += n;
	f->track_bytes += n;
}

static void put_vlq(sh_smf *f, uint64_t v)
{
	uint8_t tmp[10];
	int n = 0;
	tmp[n++] = v & 0x7f;
	while ((v >>= 7) && n < 10)
		tmp[n++] = (uint8_t)(0x80 | (v & 0x7f));
	uint8_t out[10];
	for (int i = 0; i < n; i++)
		out[i] = tmp[n - 1 - i];
	put(f, out, (size_t)n);
}

static int put_delta(sh_smf *f, int64_t tick)
{
	if (f->error)
		return failed(f);
	if (tick < f->last_tick) {
		sh_set_error("MIDI events out of order (tick %lld after %lld)", (long long)tick, (long long)f->last_tick);
		return failed(f);
	}
	if (tick - f->last_tick > 0x0fffffff) {
		sh_set_error("MIDI file too long: a gap of %lld ticks does not fit", (long long)(tick - f->last_tick));
		return failed(f);
	}
	put_vlq(f, (uint64_t)(tick - f->last_tick));
	f->last_tick = tick;
	return 0;
}

sh_smf *sh_smf_create(const char *path, int ppq)
{
	if (ppq < 1 || ppq > 0x7fff) {
		sh_set_error("MIDI division %d is outside 1..32767", ppq);
		return NULL;
	}
	sh_smf *f = sh_calloc(1, sizeof *f);
	if (strcmp(path, "-") == 0) {
		if (sh_stdout_binary() != 0) {
			free(f);
			return NULL;
		}
		f->spool = tmpfile();
		if (!f->spool) {
			sh_set_error("cannot create a temporary file: %s", strerror(errno));
			free(f);
			return NULL;
		}
		f->fd = fileno(f->spool);
	} else {
		f->af = sh_atomic_open(path);
		if (!f->af) {
			free(f);
			return NULL;
		}
		f->fd = sh_atomic_fd(f->af);
	}
	uint8_t hdr[22] = {'M', 'T', 'h', 'd', 0, 0, 0, 6, 0, 0, 0, 1, (uint8_t)(ppq >> 8), (uint8_t)ppq,
	                   'M', 'T', 'r', 'k', 0, 0, 0, 0};
	put(f, hdr, sizeof hdr);
	f->track_bytes = 0;
	return f;
}

int sh_midi_message_length(uint8_t status)
{
	switch (status & 0xf0) {
	case 0x80: case 0x90: case 0xa0: case 0xb0: case 0xe0: return 3;
	case 0xc0: case 0xd0: return 2;
	default: return 0;
	}
}

/* ---------------------------------------------------------------- reading */

static uint32_t be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* A variable-length quantity of at most 4 bytes at *P; -1 when it runs past END. */
static int64_t varlen(const uint8_t **p, const uint8_t *end)
{
	int64_t v = 0;
	for (int i = 0; i < 4; i++) {
		if (*p >= end)
			return -1;
		unsigned char c = *(*p)++;
		v = v << 7 | (c & 0x7f);
		if (!(c & 0x80))
			return v;
	}
	return -1;
}

/* Written here: only the note starts are needed, and no Debian library reads
 * SMF in C without a synthesiser or a sequencer around it. */
int sh_smf_note_starts(const char *name, const uint8_t *b, size_t n, double **out, size_t *count)
{
	*out = NULL;
	*count = 0;
	if (n < 14 || memcmp(b, "MThd", 4) != 0) {
		sh_set_error("%s: not a MIDI file (no MThd header)", name);
		return -1;
	}
	uint32_t hlen = be32(b + 4);
	unsigned ntracks = (unsigned)b[10] << 8 | b[11], division = (unsigned)b[12] << 8 | b[13];
	if (hlen < 6 || hlen > n - 8) {
		sh_set_error("%s: a MIDI header of %u bytes in a file of %zu", name, (unsigned)hlen, n);
		return -1;
	}
	if (division & 0x8000) {
		sh_set_error("%s: the MIDI file counts time in SMPTE frames, not in beats", name);
		return -1;
	}
	if (division == 0) {
		sh_set_error("%s: a MIDI file of 0 ticks per quarter note", name);
		return -1;
	}
	size_t p = 8 + (size_t)hlen, cap = 0;
	double *t = NULL;
	const char *why = NULL;
	for (unsigned trk = 0; trk < ntracks && !why;) {
		if (n - p < 8) {
			why = "ends before its last track";
			break;
		}
		uint32_t len = be32(b + p + 4);
		if (len > n - p - 8) {
			why = "a track runs past the end of the file";
			break;
		}
		const uint8_t *q = b + p + 8, *end = q + len;
		bool track = !memcmp(b + p, "MTrk", 4); /* other chunks are skipped, as the standard says */
		p += 8 + (size_t)len;
		if (!track)
			continue;
		trk++;
		int64_t tick = 0;
		unsigned status = 0;
		while (q < end) {
			int64_t delta = varlen(&q, end);
			if (delta < 0 || q >= end) {
				why = "a track ends inside an event";
				break;
			}
			tick += delta;
			if ((double)tick / division > 1e9) {
				why = "an event later than a billion beats";
				break;
			}
			unsigned c = *q;
			if (c == 0xff || c == 0xf0 || c == 0xf7) { /* meta or sysex: skipped */
				unsigned type = 0;
				q++;
				if (c == 0xff)
					type = q < end ? *q++ : 0x100;
				int64_t l = type == 0x100 ? -1 : varlen(&q, end);
				if (l < 0 || l > end - q) {
					why = "a meta or system exclusive event runs past its track";
					break;
				}
				q += l;
				status = 0; /* they cancel running status */
				if (type == 0x2f)
					break; /* end of track */
				continue;
			}
			if (c & 0x80) {
				status = c;
				q++;
			} else if (!status) {
				why = "a data byte without a status (running status with nothing to run on)";
				break;
			}
			int data = sh_midi_message_length((uint8_t)status) - 1;
			if (data < 1) {
				why = "a system message inside a track";
				break;
			}
			if (end - q < data) {
				why = "a track ends inside an event";
				break;
			}
			if ((status & 0xf0) == 0x90 && q[1] > 0) {
				if (*count == cap) {
					cap = cap ? cap * 2 : 256;
					t = sh_realloc(t, cap, sizeof *t);
				}
				t[(*count)++] = (double)tick / division;
			}
			q += data;
		}
	}
	if (why) {
		sh_set_error("%s: not a readable MIDI file: %s", name, why);
		free(t);
		*count = 0;
		return -1;
	}
	*out = t;
	return 0;
}


int sh_smf_message(sh_smf *f, int64_t tick, const uint8_t *msg, int len)
{
	if (put_delta(f, tick) != 0)
		return -1;
	if (msg[0] == f->running) {
		put(f, msg + 1, (size_t)len - 1);
	} else {
		put(f, msg, (size_t)len);
		f->running = msg[0];
	}
	return f->error ? failed(f) : 0;
}

static int meta(sh_smf *f, int64_t tick, uint8_t type, const uint8_t *data, size_t n)
{
	if (put_delta(f, tick) != 0)
		return -1;
	uint8_t h[2] = {0xff, type};
	put(f, h, 2);
	put_vlq(f, n);
	if (n)
		put(f, data, n);
	f->running = 0; /* meta events cancel running status */
	return f->error ? failed(f) : 0;
}

int sh_smf_tempo(sh_smf *f, int64_t tick, double bpm)
{
	long us = lround(60e6 / bpm);
	if (us < 1)
		us = 1;
	if (us > 0xffffff)
		us = 0xffffff;
	uint8_t d[3] = {(uint8_t)(us >> 16), (uint8_t)(us >> 8), (uint8_t)us};
	return meta(f, tick, 0x51, d, 3);
}

int sh_smf_text(sh_smf *f, int64_t tick, int kind, const char *text)
{
	return meta(f, tick, (uint8_t)kind, (const uint8_t *)text, strlen(text));
}

int64_t sh_smf_last_tick(const sh_smf *f) { return f->last_tick; }

bool sh_smf_failed(sh_smf *f)
{
	if (f->error)
		sh_set_error("%s", f->error);
	return f->error != NULL;
}

/* The finished track: its length patched in, then the file renamed into place or
 * the spool copied to stdout. */
static int finish(sh_smf *f, int64_t end_tick)
{
	if (meta(f, end_tick > f->last_tick ? end_tick : f->last_tick, 0x2f, NULL, 0) != 0 || flush_buf(f) != 0)
		return -1;
	if (f->track_bytes > 0xffffffffULL) {
		sh_set_error("MIDI track longer than 4 GiB");
		return -1;
	}
	uint8_t len[4] = {(uint8_t)(f->track_bytes >> 24), (uint8_t)(f->track_bytes >> 16),
	                  (uint8_t)(f->track_bytes >> 8), (uint8_t)f->track_bytes};
	if (pwrite(f->fd, len, 4, 18) != 4) {
		sh_set_error("cannot write the MIDI file: %s", strerror(errno));
		return -1;
	}
	if (f->af) {
		int status = sh_atomic_commit(f->af);
		f->af = NULL; /* committed, or removed on failure */
		return status;
	}
	if (lseek(f->fd, 0, SEEK_SET) != 0) {
		sh_set_error("cannot rewind the spooled MIDI file: %s", strerror(errno));
		return -1;
	}
	char tmp[65536];
	ssize_t n;
	while ((n = read(f->fd, tmp, sizeof tmp)) > 0)
		if (sh_write_all(1, tmp, (size_t)n) != 0)
			return -1;
	return 0;
}

int sh_smf_finish(sh_smf *f, int64_t end_tick)
{
	int status = finish(f, end_tick);
	sh_smf_abort(f); /* what is left: a temporary file after a failure, the spool */
	return status;
}

void sh_smf_abort(sh_smf *f)
{
	if (!f)
		return;
	if (f->af)
		sh_atomic_abort(f->af);
	if (f->spool)
		fclose(f->spool);
	free(f->error);
	free(f);
}

/* ---------------------------------------------------------------- PortMidi */

struct sh_midi_port {
	PortMidiStream *stream;
	char *name;
};

static int pm_users;
static int saved_stderr = -1;

/* ALSA writes "ALSA lib seq_hw.c:...: cannot open /dev/snd/seq" straight to fd 2
 * when there is no sequencer; hide it while PortMidi talks to ALSA. */
static void quiet_begin(void)
{
	fflush(stderr);
	saved_stderr = dup(2);
	int null = open("/dev/null", O_WRONLY | O_CLOEXEC);
	if (null >= 0) {
		dup2(null, 2);
		close(null);
	}
}

static void quiet_end(void)
{
	fflush(stderr);
	if (saved_stderr >= 0) {
		dup2(saved_stderr, 2);
		close(saved_stderr);
		saved_stderr = -1;
	}
}

static void pm_up(void)
{
	if (pm_users++ == 0) {
		quiet_begin();
		Pm_Initialize();
		quiet_end();
	}
}

static void pm_down(void)
{
	if (--pm_users == 0) {
		quiet_begin();
		Pm_Terminate();
		quiet_end();
	}
}

static void port_names(char *buf, size_t n)
{
	buf[0] = 0;
	int count = Pm_CountDevices(), found = 0;
	for (int i = 0; i < count; i++) {
		const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
		if (!d || !d->output)
			continue;
		size_t len = strlen(buf);
		snprintf(buf + len, n - len, "%s%d: %s", found++ ? ", " : "", i, d->name);
	}
	if (!found)
		snprintf(buf, n, "none");
}

int sh_midi_list_outputs(void)
{
	pm_up();
	quiet_begin();
	int count = Pm_CountDevices(), found = 0;
	quiet_end();
	for (int i = 0; i < count; i++) {
		const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
		if (d && d->output) {
			printf("%d: %s (%s)\n", i, d->name, d->interf);
			found++;
		}
	}
	fflush(stdout);
	pm_down();
	return found;
}

sh_midi_port *sh_midi_open(const char *spec)
{
	pm_up();
	quiet_begin();
	int count = Pm_CountDevices(), id = -1;
	char *end;
	long num = strtol(spec, &end, 10);
	if (*spec && !*end) {
		const PmDeviceInfo *d = num >= 0 && num < count ? Pm_GetDeviceInfo((int)num) : NULL;
		if (d && d->output)
			id = (int)num;
	} else {
		for (int i = 0; i < count && id < 0; i++) {
			const PmDeviceInfo *d = Pm_GetDeviceInfo(i);
			if (d && d->output && strcasestr(d->name, spec))
				id = i;
		}
	}
	PortMidiStream *stream = NULL;
	PmError err = pmNoError;
	if (id >= 0)
		err = Pm_OpenOutput(&stream, id, NULL, 0, NULL, NULL, 0);
	char names[1024];
	port_names(names, sizeof names);
	quiet_end();
	if (id < 0) {
		sh_set_error("no MIDI output port '%s' (output ports: %s)", spec, names);
		pm_down();
		return NULL;
	}
	if (err != pmNoError) {
		sh_set_error("cannot open MIDI port '%s': %s", spec, Pm_GetErrorText(err));
		pm_down();
		return NULL;
	}
	sh_midi_port *p = sh_calloc(1, sizeof *p);
	p->stream = stream;
	p->name = sh_strdup(Pm_GetDeviceInfo(id)->name);
	return p;
}

const char *sh_midi_port_name(const sh_midi_port *p) { return p->name; }

int sh_midi_send(sh_midi_port *p, const uint8_t *msg, int len)
{
	PmMessage m = Pm_Message(msg[0], len > 1 ? msg[1] : 0, len > 2 ? msg[2] : 0);
	PmError err = Pm_WriteShort(p->stream, 0, m);
	if (err != pmNoError) {
		sh_set_error("MIDI send failed: %s", Pm_GetErrorText(err));
		return -1;
	}
	return 0;
}

void sh_midi_close(sh_midi_port *p)
{
	if (!p)
		return;
	quiet_begin();
	Pm_Close(p->stream);
	quiet_end();
	free(p->name);
	free(p);
	pm_down();
}
