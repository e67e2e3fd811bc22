/* audio.c -- audio in and out as interleaved float; see audio.h.
 *
 * AU and WAV go through our own streaming parser, so a pipe of unknown length,
 * a truncated stream or a header that lies all get the same clear treatment;
 * other formats go through libsndfile. */
#define _GNU_SOURCE
#include "audio.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <pthread.h>
#include <sndfile.h>
#include <soxr.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli.h"
#include "rng.h"

enum enc { ENC_U8, ENC_S8, ENC_S16, ENC_S24, ENC_S32, ENC_F32, ENC_F64, ENC_ULAW, ENC_ALAW };

/* libsndfile's message without its "System error : " prefix and final full
 * stop, so a full disk reads as it does from every other writer. */
static const char *sndfile_why(SNDFILE *sf)
{
	static _Thread_local char why[256];
	const char *m = sf_strerror(sf), *sys = "System error : ";
	if (!strncmp(m, sys, strlen(sys)))
		m += strlen(sys);
	snprintf(why, sizeof why, "%s", m);
	size_t n = strlen(why);
	if (n && why[n - 1] == '.')
		why[n - 1] = 0;
	return why;
}

static const int enc_bytes[] = {1, 1, 2, 3, 4, 4, 8, 1, 1};

#define RAW_BUF (1 << 20)        /* bytes read from the descriptor at a time */
#define RESAMPLE_BLOCK 4096      /* fixed input block for soxr: output never depends on reads */

struct sh_audio_in {
	char *name;
	int fd;
	bool own_fd;
	SNDFILE *sf;
	int rate, channels;
	int64_t frames;          /* -1 unknown */
	bool seekable;
	/* raw AU/WAV */
	enum enc enc;
	bool big_endian;
	int frame_bytes;
	int64_t data_offset;     /* where the samples start in a seekable file */
	int64_t data_bytes;      /* -1 unknown: read to the end */
	int64_t data_read;       /* bytes of samples consumed */
	uint8_t *buf;
	size_t buf_pos, buf_len;
	int64_t frame_pos;       /* frames delivered, for messages */
	bool eof;
	bool exact;              /* just seeked: read what is asked, no more (random access) */
	int64_t file_pos;        /* seekable: where the next read starts (pread) */
	/* resampling */
	soxr_t soxr;
	int in_rate;
	float *rs_in, *rs_out;
	size_t rs_out_len, rs_out_pos, rs_out_cap;
	bool rs_done;
};

/* ---------------------------------------------------------------- byte helpers */

static uint32_t be32(const uint8_t *p) { return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3]; }
static uint32_t le32(const uint8_t *p) { return (uint32_t)p[3] << 24 | p[2] << 16 | p[1] << 8 | p[0]; }
static uint16_t le16(const uint8_t *p) { return (uint16_t)(p[1] << 8 | p[0]); }

/* Fill the read buffer so that at least `want` bytes are available (or EOF). */
/* One read into DST: a seekable file by pread at file_pos (no lseek per seek),
 * anything else by read. */
static ssize_t read_some(sh_audio_in *in, void *dst, size_t n)
{
	if (!in->seekable)
		return read(in->fd, dst, n);
	ssize_t r = pread(in->fd, dst, n, (off_t)in->file_pos);
	if (r > 0)
		in->file_pos += r;
	return r;
}

static int fill(sh_audio_in *in, size_t want)
{
	if (in->buf_len - in->buf_pos >= want)
		return 0;
	if (in->buf_pos > 0) {
		memmove(in->buf, in->buf + in->buf_pos, in->buf_len - in->buf_pos);
		in->buf_len -= in->buf_pos;
		in->buf_pos = 0;
	}
	while (in->buf_len < want && !in->eof) {
		/* a seekable file is read for what is asked (random access stays cheap);
		 * a pipe in big gulps */
		size_t room = RAW_BUF - in->buf_len;
		if (in->seekable && room > want - in->buf_len + (in->exact ? 0 : 65536))
			room = want - in->buf_len + (in->exact ? 0 : 65536);
		ssize_t r = read_some(in, in->buf + in->buf_len, room);
		if (r < 0) {
			if (errno == EINTR)
				continue;
			sh_set_error("%s: read error: %s", in->name, strerror(errno));
			return -1;
		}
		if (r == 0)
			in->eof = true;
		in->buf_len += (size_t)r;
		in->exact = false;
	}
	return 0;
}

/* Consume exactly n header bytes into dst (NULL to skip); -1 if the stream ends. */
static int take(sh_audio_in *in, void *dst, size_t n)
{
	while (n > 0) {
		size_t chunk = n < RAW_BUF / 2 ? n : RAW_BUF / 2;
		if (fill(in, chunk) != 0)
			return -1;
		size_t have = in->buf_len - in->buf_pos;
		if (have < chunk) {
			sh_set_error("%s: truncated header", in->name);
			return -1;
		}
		if (dst) {
			memcpy(dst, in->buf + in->buf_pos, chunk);
			dst = (uint8_t *)dst + chunk;
		}
		in->buf_pos += chunk;
		n -= chunk;
	}
	return 0;
}

static int check_format(sh_audio_in *in)
{
	if (in->channels < 1 || in->channels > SH_MAX_CHANNELS) {
		sh_set_error("%s: %d channels: shards handles 1 to %d", in->name, in->channels, SH_MAX_CHANNELS);
		return -1;
	}
	if (in->rate < SH_MIN_RATE || in->rate > SH_MAX_RATE) {
		sh_set_error("%s: sample rate %d Hz: shards handles %d to %d Hz", in->name, in->rate,
		             SH_MIN_RATE, SH_MAX_RATE);
		return -1;
	}
	return 0;
}

static int parse_au(sh_audio_in *in)
{
	uint8_t h[24];
	if (take(in, h, 24) != 0)
		return -1;
	bool le = memcmp(h, "dns.", 4) == 0;
	uint32_t (*get)(const uint8_t *) = le ? le32 : be32;
	uint32_t offset = get(h + 4), size = get(h + 8), encoding = get(h + 12);
	in->rate = (int)get(h + 16);
	in->channels = (int)get(h + 20);
	if ((int32_t)get(h + 16) <= 0)
		in->rate = 0;
	if (offset < 24 || offset > (1u << 20)) {
		sh_set_error("%s: AU header offset %u is impossible", in->name, offset);
		return -1;
	}
	switch (encoding) {
	case 1: in->enc = ENC_ULAW; break;
	case 2: in->enc = ENC_S8; break;
	case 3: in->enc = ENC_S16; break;
	case 4: in->enc = ENC_S24; break;
	case 5: in->enc = ENC_S32; break;
	case 6: in->enc = ENC_F32; break;
	case 7: in->enc = ENC_F64; break;
	case 27: in->enc = ENC_ALAW; break;
	default:
		sh_set_error("%s: AU encoding %u is not supported (PCM, float, mu-law and A-law are)",
		             in->name, encoding);
		return -1;
	}
	in->big_endian = !le;
	if (check_format(in) != 0)
		return -1;
	if (take(in, NULL, offset - 24) != 0)
		return -1;
	in->data_offset = offset;
	in->data_bytes = size == 0xffffffffu ? -1 : (int64_t)size;
	return 0;
}

static int parse_wav(sh_audio_in *in)
{
	uint8_t h[12];
	if (take(in, h, 12) != 0)
		return -1;
	int64_t pos = 12;
	bool have_fmt = false;
	for (;;) {
		uint8_t ch[8];
		if (take(in, ch, 8) != 0) {
			sh_set_error("%s: WAV has no data chunk", in->name);
			return -1;
		}
		pos += 8;
		uint32_t size = le32(ch + 4);
		if (memcmp(ch, "fmt ", 4) == 0) {
			uint8_t f[40] = {0};
			if (size < 16) {
				sh_set_error("%s: WAV fmt chunk is too short", in->name);
				return -1;
			}
			size_t keep = size < sizeof f ? size : sizeof f;
			if (take(in, f, keep) != 0 || take(in, NULL, size - keep + (size & 1)) != 0)
				return -1;
			pos += size + (size & 1);
			unsigned tag = le16(f), bits = le16(f + 14), align = le16(f + 12);
			in->channels = le16(f + 2);
			in->rate = (int)le32(f + 4);
			if ((int32_t)le32(f + 4) <= 0)
				in->rate = 0;
			if (tag == 0xFFFE && size >= 40)
				tag = le16(f + 24); /* WAVE_FORMAT_EXTENSIBLE: the subformat GUID's first two bytes */
			if (tag == 1 && bits == 8)
				in->enc = ENC_U8;
			else if (tag == 1 && bits == 16)
				in->enc = ENC_S16;
			else if (tag == 1 && bits == 24)
				in->enc = ENC_S24;
			else if (tag == 1 && bits == 32)
				in->enc = ENC_S32;
			else if (tag == 3 && bits == 32)
				in->enc = ENC_F32;
			else if (tag == 3 && bits == 64)
				in->enc = ENC_F64;
			else if (tag == 6 && bits == 8)
				in->enc = ENC_ALAW;
			else if (tag == 7 && bits == 8)
				in->enc = ENC_ULAW;
			else {
				sh_set_error("%s: WAV format %u with %u bits is not supported here", in->name, tag, bits);
				return -2; /* a file may still be read by libsndfile */
			}
			if (check_format(in) != 0)
				return -1;
			if ((int)align != in->channels * enc_bytes[in->enc]) {
				sh_set_error("%s: WAV block align %u does not match %d channels of %u bits",
				             in->name, align, in->channels, bits);
				return -1;
			}
			have_fmt = true;
		} else if (memcmp(ch, "data", 4) == 0) {
			if (!have_fmt) {
				sh_set_error("%s: WAV data chunk before its fmt chunk", in->name);
				return -1;
			}
			in->data_offset = pos;
			/* 0 and 0xffffffff are what writers put when the length is unknown */
			in->data_bytes = (size == 0 || size == 0xffffffffu) ? -1 : (int64_t)size;
			return 0;
		} else {
			if (take(in, NULL, (size_t)size + (size & 1)) != 0) {
				sh_set_error("%s: WAV has no data chunk", in->name);
				return -1;
			}
			pos += (int64_t)size + (size & 1);
		}
	}
}

/* ---------------------------------------------------------------- sample conversion */

/* COUNT 32-bit words from SRC to DST with their bytes reversed (DST may be
 * SRC): sixteen bytes at a time in plain vector arithmetic, which -O2 does not
 * find in the scalar loop and which the baseline x86-64 (SSE2) has. */
typedef uint32_t sh_v4u32 __attribute__((vector_size(16)));
static void swap32_copy(void *dst, const void *src, size_t count)
{
	uint8_t *d = dst;
	const uint8_t *p = src;
	size_t i = 0;
	for (; i + 4 <= count; i += 4) {
		sh_v4u32 x;
		memcpy(&x, p + 4 * i, 16);
		x = (x << 24) | (x >> 24) | ((x << 8) & 0xff0000u) | ((x >> 8) & 0xff00u);
		memcpy(d + 4 * i, &x, 16);
	}
	for (; i < count; i++) {
		uint32_t u;
		memcpy(&u, p + 4 * i, 4);
		u = __builtin_bswap32(u);
		memcpy(d + 4 * i, &u, 4);
	}
}

static float ulaw_table[256], alaw_table[256];

static void init_law_tables(void)
{
	if (ulaw_table[0] != 0)
		return;
	for (int i = 0; i < 256; i++) {
		int u = ~i & 0xff;
		int t = ((u & 0x0f) << 3) + 0x84;
		t <<= (u & 0x70) >> 4;
		int v = (u & 0x80) ? 0x84 - t : t - 0x84;
		ulaw_table[i] = (float)v / 32768.0f;
		int a = i ^ 0x55;
		int seg = (a & 0x70) >> 4;
		int m = (a & 0x0f) << 4;
		m = seg == 0 ? m + 8 : seg == 1 ? m + 0x108 : (m + 0x108) << (seg - 1);
		alaw_table[i] = (float)((a & 0x80) ? m : -m) / 32768.0f;
	}
}

static void convert_in(const sh_audio_in *in, const uint8_t *src, float *dst, size_t count)
{
	bool be = in->big_endian;
	switch (in->enc) {
	case ENC_U8:
		for (size_t i = 0; i < count; i++)
			dst[i] = ((int)src[i] - 128) * (1.0f / 128);
		break;
	case ENC_S8:
		for (size_t i = 0; i < count; i++)
			dst[i] = (int8_t)src[i] * (1.0f / 128);
		break;
	case ENC_S16:
		for (size_t i = 0; i < count; i++) {
			const uint8_t *p = src + 2 * i;
			int16_t v = (int16_t)(be ? (p[0] << 8 | p[1]) : (p[1] << 8 | p[0]));
			dst[i] = v * (1.0f / 32768);
		}
		break;
	case ENC_S24:
		for (size_t i = 0; i < count; i++) {
			const uint8_t *p = src + 3 * i;
			int32_t v = (int32_t)(be ? ((uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8)
			                         : ((uint32_t)p[2] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[0] << 8));
			dst[i] = (float)(v >> 8) * (1.0f / 8388608);
		}
		break;
	case ENC_S32:
		for (size_t i = 0; i < count; i++) {
			uint32_t u;
			memcpy(&u, src + 4 * i, 4);
			if (be)
				u = __builtin_bswap32(u);
			dst[i] = (float)((double)(int32_t)u * (1.0 / 2147483648.0));
		}
		break;
	case ENC_F32:
		if (be != (__BYTE_ORDER__ == __ORDER_BIG_ENDIAN__)) {
			swap32_copy(dst, src, count);
		} else if ((const void *)src != (const void *)dst) {
			memcpy(dst, src, count * 4);
		}
		break;
	case ENC_F64:
		for (size_t i = 0; i < count; i++) {
			uint64_t u;
			memcpy(&u, src + 8 * i, 8);
			if (be)
				u = __builtin_bswap64(u);
			double d;
			memcpy(&d, &u, 8);
			dst[i] = (float)d;
		}
		break;
	case ENC_ULAW:
		for (size_t i = 0; i < count; i++)
			dst[i] = ulaw_table[src[i]];
		break;
	case ENC_ALAW:
		for (size_t i = 0; i < count; i++)
			dst[i] = alaw_table[src[i]];
		break;
	}
}

/* Index of the first non-finite value, or count. Written to vectorise: the common
 * case (all finite) is one pass of compares. */
size_t sh_audio_first_nonfinite(const float *x, size_t count)
{
	size_t i = 0;
	for (; i + 64 <= count; i += 64) {
		int bad = 0;
		for (size_t j = 0; j < 64; j++) {
			uint32_t u;
			memcpy(&u, &x[i + j], 4);
			bad |= (u & 0x7f800000u) == 0x7f800000u;
		}
		if (bad)
			break;
	}
	for (; i < count; i++)
		if (!isfinite(x[i]))
			return i;
	return count;
}

static int check_finite(sh_audio_in *in, const float *buf, size_t frames)
{
	size_t count = frames * (size_t)in->channels;
	size_t bad = sh_audio_first_nonfinite(buf, count);
	if (bad < count) {
		sh_set_error("%s: frame %lld channel %zu is %s: shards refuses non-finite audio",
		             in->name, (long long)(in->frame_pos + (int64_t)(bad / (size_t)in->channels)),
		             bad % (size_t)in->channels, isnan(buf[bad]) ? "NaN" : "infinite");
		return -1;
	}
	return 0;
}

/* ---------------------------------------------------------------- opening */

/* libsndfile on PATH, or on FD (>= 0, closed with the source) named PATH. */
static sh_audio_in *open_sndfile(sh_audio_in *in, const char *path, int fd)
{
	SF_INFO info;
	memset(&info, 0, sizeof info);
	/* libsndfile keeps the last opening error in one global: sources opened on
	 * several threads take turns, so each reads its own */
	static pthread_mutex_t open_lock = PTHREAD_MUTEX_INITIALIZER;
	pthread_mutex_lock(&open_lock);
	in->sf = fd >= 0 ? sf_open_fd(fd, SFM_READ, &info, SF_TRUE) : sf_open(path, SFM_READ, &info);
	if (!in->sf)
		sh_set_error("%s: %s", path, sf_strerror(NULL));
	pthread_mutex_unlock(&open_lock);
	if (!in->sf && fd >= 0)
		close(fd);
	if (!in->sf)
		return NULL;
	in->rate = info.samplerate;
	in->channels = info.channels;
	in->frames = info.frames;
	in->seekable = info.seekable;
	if (check_format(in) != 0)
		return NULL;
	sf_command(in->sf, SFC_SET_NORM_FLOAT, NULL, SF_TRUE);
	return in;
}

static void free_in(sh_audio_in *in)
{
	if (!in)
		return;
	if (in->sf)
		sf_close(in->sf);
	if (in->own_fd && in->fd >= 0)
		close(in->fd);
	if (in->soxr)
		soxr_delete(in->soxr);
	free(in->rs_in);
	free(in->rs_out);
	free(in->buf);
	free(in->name);
	free(in);
}

static sh_audio_in *open_common(sh_audio_in *in, const char *path, bool is_stdin, const void *pre, size_t npre);

sh_audio_in *sh_audio_open(const char *path)
{
	bool is_stdin = !path || strcmp(path, "-") == 0;
	sh_audio_in *in = sh_calloc(1, sizeof *in);
	in->name = sh_strdup(is_stdin ? "stdin" : path);
	in->fd = is_stdin ? 0 : open(path, O_RDONLY | O_CLOEXEC);
	in->own_fd = !is_stdin;
	if (in->fd < 0) {
		sh_set_error("%s: %s", path, strerror(errno));
		free_in(in);
		return NULL;
	}
	return open_common(in, path, is_stdin, NULL, 0);
}

sh_audio_in *sh_audio_open_fd(int fd, const char *name, const void *pre, size_t npre)
{
	sh_audio_in *in = sh_calloc(1, sizeof *in);
	in->name = sh_strdup(name);
	in->fd = fd;
	if (npre > RAW_BUF) {
		sh_set_error("%s: internal error: sniffed too much", name);
		free_in(in);
		return NULL;
	}
	/* a named regular file may still go to libsndfile, which reopens it by name */
	return open_common(in, strcmp(name, "stdin") ? name : NULL, fd == 0, pre, npre);
}

/* A piped WAV whose data length is at least this is taken for a placeholder */
#define WAV_PIPE_PLACEHOLDER 0x3FFF0000LL

/* The first bytes of a format libsndfile reads that is not AU or WAV. */
static bool sndfile_magic(const uint8_t *m, size_t n)
{
	static const char *const tags[] = {"fLaC", "OggS", "FORM", "caff", "RF64", "ID3"};
	for (size_t i = 0; i < sizeof tags / sizeof *tags; i++)
		if (n >= strlen(tags[i]) && memcmp(m, tags[i], strlen(tags[i])) == 0)
			return true;
	return n >= 2 && m[0] == 0xFF && (m[1] & 0xE0) == 0xE0; /* an MPEG audio frame */
}

/* What IN has buffered and the rest of its descriptor, into a spool file
 * rewound to its start; -1 + sh_error(). */
static int spool_rest(sh_audio_in *in)
{
	int sp = sh_spool_file();
	if (sp < 0)
		return -1;
	const uint8_t *pending = in->buf + in->buf_pos;
	size_t n = in->buf_len - in->buf_pos;
	for (;;) {
		if (n > 0 && sh_write_all(sp, pending, n) != 0) {
			sh_set_error("%s: spooling to a temporary file: %s", in->name, sh_error());
			close(sp);
			return -1;
		}
		ssize_t r = read(in->fd, in->buf, RAW_BUF);
		if (r < 0 && errno == EINTR) {
			n = 0;
			continue;
		}
		if (r < 0) {
			sh_set_error("%s: %s", in->name, strerror(errno));
			close(sp);
			return -1;
		}
		if (r == 0)
			break;
		pending = in->buf;
		n = (size_t)r;
	}
	if (lseek(sp, 0, SEEK_SET) != 0) {
		sh_set_error("%s: spool file: %s", in->name, strerror(errno));
		close(sp);
		return -1;
	}
	return sp;
}

static sh_audio_in *open_common(sh_audio_in *in, const char *path, bool is_stdin, const void *pre, size_t npre)
{
	init_law_tables();
	in->frames = -1;
	struct stat st;
	if (fstat(in->fd, &st) != 0) {
		sh_set_error("%s: %s", in->name, strerror(errno));
		free_in(in);
		return NULL;
	}
	if (S_ISDIR(st.st_mode)) {
		sh_set_error("%s: is a directory", in->name);
		free_in(in);
		return NULL;
	}
	bool regular = S_ISREG(st.st_mode) && lseek(in->fd, 0, SEEK_CUR) == (off_t)npre;
	if (!regular)
		sh_pipe_grow(in->fd);
	in->buf = sh_malloc(RAW_BUF);
	if (npre) {
		memcpy(in->buf, pre, npre);
		in->buf_len = npre;
	}
	if (fill(in, 12) != 0) {
		free_in(in);
		return NULL;
	}
	const uint8_t *m = in->buf;
	size_t have = in->buf_len;
	int rc;
	bool wav = false;
	if (have == 0) {
		sh_set_error("%s: empty input: expected audio%s", in->name,
		             is_stdin ? " (AU or WAV on stdin)" : "");
		free_in(in);
		return NULL;
	}
	if (have >= 4 && (memcmp(m, ".snd", 4) == 0 || memcmp(m, "dns.", 4) == 0)) {
		rc = parse_au(in);
	} else if (have >= 12 && memcmp(m, "RIFF", 4) == 0 && memcmp(m + 8, "WAVE", 4) == 0) {
		rc = parse_wav(in);
		wav = true;
	} else if ((is_stdin || !regular) && sndfile_magic(m, have)) {
		/* FLAC, Ogg, AIFF... on stdin: libsndfile needs to seek, so a pipe goes
		 * to a spool file first (these formats are compressed or small); a
		 * file given as stdin is read from its start */
		int sp = regular ? (lseek(in->fd, 0, SEEK_SET) == 0 ? dup(in->fd) : -1) : spool_rest(in);
		if (sp < 0 && regular)
			sh_set_error("%s: %s", in->name, strerror(errno));
		free(in->buf);
		in->buf = NULL;
		in->buf_len = in->buf_pos = 0;
		if (sp < 0 || !open_sndfile(in, in->name, sp)) {
			free_in(in);
			return NULL;
		}
		return in;
	} else if (is_stdin || !regular) {
		sh_set_error("%s: not audio shards reads from a pipe (AU, WAV, FLAC, Ogg, AIFF, CAF, "
		             "RF64 or MP3; other formats must be named as files)", in->name);
		free_in(in);
		return NULL;
	} else {
		rc = -2;
	}
	if (rc == -2 && regular) { /* not ours: let libsndfile try the named file */
		if (is_stdin || !path) {
			free_in(in);
			return NULL;
		}
		free(in->buf);
		in->buf = NULL;
		if (in->own_fd)
			close(in->fd);
		in->fd = -1;
		if (!open_sndfile(in, path, -1)) {
			free_in(in);
			return NULL;
		}
		return in;
	}
	if (rc != 0) {
		free_in(in);
		return NULL;
	}
	/* A WAV writer that cannot seek back (sox on a pipe) puts a placeholder of
	 * about 1 GiB or more as the length: on a pipe such a length is unknown, so
	 * the stream ends where it ends, as it does for ffmpeg's piped WAV. */
	if (!regular && wav && in->data_bytes >= WAV_PIPE_PLACEHOLDER)
		in->data_bytes = -1;
	in->frame_bytes = in->channels * enc_bytes[in->enc];
	if (regular) {
		int64_t avail = (int64_t)st.st_size - in->data_offset;
		if (avail < 0)
			avail = 0;
		if (in->data_bytes > avail) {
			sh_set_error("%s: header claims %lld bytes of audio but the file holds %lld: truncated or "
			             "lying header", in->name, (long long)in->data_bytes, (long long)avail);
			free_in(in);
			return NULL;
		}
		if (in->data_bytes < 0) {
			if (avail % in->frame_bytes) {
				sh_set_error("%s: truncated: the file ends inside a frame", in->name);
				free_in(in);
				return NULL;
			}
			in->data_bytes = avail;
		}
		in->frames = in->data_bytes / in->frame_bytes;
		in->seekable = true;
		off_t pos = lseek(in->fd, 0, SEEK_CUR);
		in->file_pos = pos < 0 ? 0 : (int64_t)pos;
	}
	return in;
}

int sh_audio_rate(const sh_audio_in *in) { return in->rate; }
int sh_audio_channels(const sh_audio_in *in) { return in->channels; }
const char *sh_audio_name(const sh_audio_in *in) { return in->name; }
int64_t sh_audio_frames(const sh_audio_in *in) { return in->frames; }
bool sh_audio_seekable(const sh_audio_in *in) { return in->seekable; }

/* ---------------------------------------------------------------- reading */

static ssize_t read_raw(sh_audio_in *in, float *out, size_t n)
{
	size_t fb = (size_t)in->frame_bytes;
	size_t done = 0;
	while (done < n) {
		size_t want = n - done;
		if (in->data_bytes >= 0) {
			int64_t left = (in->data_bytes - in->data_read) / (int64_t)fb;
			if ((int64_t)want > left)
				want = (size_t)left;
			if (want == 0) {
				if (in->data_bytes - in->data_read > 0 && in->seekable) {
					sh_set_error("%s: ends inside a frame", in->name);
					return -1;
				}
				break;
			}
		}
		size_t max_frames = (RAW_BUF / 2) / fb;
		if (want > max_frames)
			want = max_frames;
		float *dst = out + done * (size_t)in->channels;
		if (in->buf_pos == in->buf_len && enc_bytes[in->enc] == 4 && !in->eof &&
		    (want * fb >= 65536 || in->exact)) {
			/* 4-byte samples, a big read or one just after a seek: straight
			 * into the caller's floats, converted in place, one copy fewer
			 * (small reads in sequence still go through the buffer) */
			in->buf_pos = in->buf_len = 0;
			ssize_t r = read_some(in, dst, want * fb);
			if (r < 0 && errno == EINTR)
				continue;
			if (r < 0) {
				sh_set_error("%s: read error: %s", in->name, strerror(errno));
				return -1;
			}
			in->exact = false;
			if (r == 0) {
				in->eof = true;
				continue;
			}
			size_t whole = (size_t)r / fb, rest = (size_t)r % fb;
			memcpy(in->buf, (uint8_t *)dst + whole * fb, rest); /* a frame split by a pipe */
			in->buf_len = rest;
			if (whole == 0)
				continue;
			convert_in(in, (const uint8_t *)dst, dst, whole * (size_t)in->channels);
			if (in->enc == ENC_F32 && check_finite(in, dst, whole) != 0)
				return -1;
			in->data_read += (int64_t)(whole * fb);
			in->frame_pos += (int64_t)whole;
			done += whole;
			continue;
		}
		if (fill(in, want * fb) != 0)
			return -1;
		size_t have = (in->buf_len - in->buf_pos) / fb;
		if (have == 0) {
			if (in->buf_len > in->buf_pos) {
				sh_set_error("%s: truncated: the stream ends inside a frame", in->name);
				return -1;
			}
			if (in->data_bytes >= 0 && in->data_read < in->data_bytes) {
				sh_set_error("%s: truncated: header promised %lld frames, the stream ended after %lld",
				             in->name, (long long)(in->data_bytes / (int64_t)fb),
				             (long long)(in->data_read / (int64_t)fb));
				return -1;
			}
			break;
		}
		if (have > want)
			have = want;
		convert_in(in, in->buf + in->buf_pos, dst, have * (size_t)in->channels);
		if ((in->enc == ENC_F32 || in->enc == ENC_F64) && check_finite(in, dst, have) != 0)
			return -1;
		in->buf_pos += have * fb;
		in->data_read += (int64_t)(have * fb);
		in->frame_pos += (int64_t)have;
		done += have;
	}
	return (ssize_t)done;
}

static ssize_t read_native(sh_audio_in *in, float *buf, size_t n)
{
	if (in->sf) {
		sf_count_t got = sf_readf_float(in->sf, buf, (sf_count_t)n);
		if (got < 0 || sf_error(in->sf)) {
			sh_set_error("%s: %s", in->name, sf_strerror(in->sf));
			return -1;
		}
		if (check_finite(in, buf, (size_t)got) != 0)
			return -1;
		in->frame_pos += got;
		return (ssize_t)got;
	}
	return read_raw(in, buf, n);
}

/* Fully read n frames unless the stream ends. */
static ssize_t read_full(sh_audio_in *in, float *buf, size_t n)
{
	size_t done = 0;
	while (done < n) {
		ssize_t r = read_native(in, buf + done * (size_t)in->channels, n - done);
		if (r < 0)
			return -1;
		if (r == 0)
			break;
		done += (size_t)r;
	}
	return (ssize_t)done;
}

static ssize_t read_resampled(sh_audio_in *in, float *buf, size_t n)
{
	size_t ch = (size_t)in->channels, done = 0;
	while (done < n) {
		if (in->rs_out_pos < in->rs_out_len) {
			size_t k = in->rs_out_len - in->rs_out_pos;
			if (k > n - done)
				k = n - done;
			memcpy(buf + done * ch, in->rs_out + in->rs_out_pos * ch, k * ch * sizeof(float));
			in->rs_out_pos += k;
			done += k;
			continue;
		}
		if (in->rs_done)
			break;
		in->rs_out_len = in->rs_out_pos = 0;
		ssize_t got = read_full(in, in->rs_in, RESAMPLE_BLOCK);
		if (got < 0)
			return -1;
		size_t idone = 0, odone = 0;
		soxr_error_t e;
		if (got == 0) {
			e = soxr_process(in->soxr, NULL, 0, NULL, in->rs_out, in->rs_out_cap, &odone);
			if (odone == 0)
				in->rs_done = true;
		} else {
			e = soxr_process(in->soxr, in->rs_in, (size_t)got, &idone, in->rs_out, in->rs_out_cap, &odone);
		}
		if (e) {
			sh_set_error("%s: resampling failed: %s", in->name, e);
			return -1;
		}
		in->rs_out_len = odone;
	}
	return (ssize_t)done;
}

ssize_t sh_audio_read(sh_audio_in *in, float *buf, size_t n)
{
	if (in->soxr)
		return read_resampled(in, buf, n);
	return read_full(in, buf, n);
}

int sh_audio_seek(sh_audio_in *in, int64_t frame)
{
	if (!in->seekable || in->soxr) {
		sh_set_error("%s: cannot seek", in->name);
		return -1;
	}
	if (frame < 0 || frame > in->frames) {
		sh_set_error("%s: seek to frame %lld outside 0..%lld", in->name, (long long)frame,
		             (long long)in->frames);
		return -1;
	}
	if (in->sf) {
		if (sf_seek(in->sf, frame, SEEK_SET) < 0) {
			sh_set_error("%s: seek failed: %s", in->name, sf_strerror(in->sf));
			return -1;
		}
	} else {
		int64_t target = frame * in->frame_bytes;
		if (target >= in->data_read && target <= in->data_read + (int64_t)(in->buf_len - in->buf_pos)) {
			/* ahead, inside what is buffered (the next piece): no read. Behind
			 * is read again, so that a file cut short since is noticed. */
			in->buf_pos += (size_t)(target - in->data_read);
		} else {
			in->file_pos = in->data_offset + target;
			in->buf_pos = in->buf_len = 0;
			in->eof = false;
			in->exact = true;
		}
		in->data_read = target;
	}
	in->frame_pos = frame;
	return 0;
}

void sh_audio_close(sh_audio_in *in) { free_in(in); }

int sh_audio_resample_to(sh_audio_in *in, int rate)
{
	if (rate == in->rate || in->soxr)
		return 0;
	soxr_io_spec_t io = soxr_io_spec(SOXR_FLOAT32_I, SOXR_FLOAT32_I);
	soxr_quality_spec_t q = soxr_quality_spec(SOXR_VHQ, 0);
	soxr_error_t e;
	in->soxr = soxr_create(in->rate, rate, (unsigned)in->channels, &e, &io, &q, NULL);
	if (!in->soxr) {
		sh_set_error("%s: cannot resample %d Hz to %d Hz: %s", in->name, in->rate, rate, e);
		return -1;
	}
	sh_note("%s: resampling %d Hz to %d Hz", in->name, in->rate, rate);
	in->in_rate = in->rate;
	in->rs_in = sh_malloc(RESAMPLE_BLOCK * (size_t)in->channels * sizeof(float));
	in->rs_out_cap = (size_t)ceil((double)RESAMPLE_BLOCK * rate / in->rate) + 256;
	in->rs_out = sh_malloc(in->rs_out_cap * (size_t)in->channels * sizeof(float));
	if (in->frames >= 0)
		in->frames = (int64_t)llround((double)in->frames * rate / in->rate);
	in->rate = rate;
	in->seekable = false;
	return 0;
}

float *sh_audio_slurp(sh_audio_in *in, size_t *frames)
{
	size_t ch = (size_t)in->channels, cap = 1 << 16, n = 0;
	if (in->frames > 0 && in->seekable && (uint64_t)in->frames < (1ull << 34) / ch)
		cap = (size_t)in->frames + 1;
	float *buf = sh_malloc(cap * ch * sizeof(float));
	for (;;) {
		if (n == cap) {
			cap *= 2;
			buf = sh_realloc(buf, cap * ch, sizeof(float));
		}
		ssize_t got = sh_audio_read(in, buf + n * ch, cap - n);
		if (got < 0) {
			free(buf);
			return NULL;
		}
		if (got == 0)
			break;
		n += (size_t)got;
	}
	*frames = n;
	return buf;
}

/* ---------------------------------------------------------------- random access */

#define CHUNK_FRAMES 65536

struct sh_audio_source {
	sh_audio_in *in;
	int channels;
	int64_t frames;
	/* piped input: chunks in memory, then a spool file */
	float **chunks;
	size_t nchunks;
	int spool_fd;
	float *tmp;
	/* lazy (streaming) mode: read on demand, chunks released behind the reader */
	bool lazy, eof;
	size_t live, max_chunks, released;
	/* chunks are carved from big slabs backed by huge pages and reused once
	 * released: first-touch page faults, not copying, were most of the cost of
	 * holding a piped stream (one fault per 2 MiB instead of per 4 KiB) */
	uint8_t **slabs;
	size_t nslabs, slab_bytes, slab_used; /* slab_used: bytes carved from the last slab */
	float **spare;                        /* released chunks, reused before carving */
	size_t nspare, spare_cap;
};

#define SLAB_BYTES ((size_t)32 << 20)

static size_t chunk_bytes_of(const sh_audio_source *s)
{
	return CHUNK_FRAMES * (size_t)s->channels * sizeof(float);
}

/* A chunk: a released one, else carved from the current slab, else from a new
 * slab. NULL with sh_error() when memory is out. */
static float *take_chunk(sh_audio_source *s)
{
	if (s->nspare)
		return s->spare[--s->nspare];
	size_t cb = chunk_bytes_of(s);
	if (!s->nslabs || s->slab_used + cb > s->slab_bytes) {
		size_t bytes = SLAB_BYTES / cb * cb;
		if (bytes < cb)
			bytes = cb;
		void *p = mmap(NULL, bytes, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED) {
			sh_set_error("out of memory (%zu bytes)", bytes);
			return NULL;
		}
#ifdef MADV_HUGEPAGE
		madvise(p, bytes, MADV_HUGEPAGE); /* a hint: without it, small pages */
#endif
		s->slabs = sh_realloc(s->slabs, s->nslabs + 1, sizeof *s->slabs);
		s->slabs[s->nslabs++] = p;
		s->slab_bytes = bytes;
		s->slab_used = 0;
	}
	float *c = (float *)(void *)(s->slabs[s->nslabs - 1] + s->slab_used);
	s->slab_used += cb;
	return c;
}

/* Give a chunk back for reuse (NULL is ignored). */
static void chunk_free(sh_audio_source *s, float *c)
{
	if (!c)
		return;
	if (s->nspare == s->spare_cap) {
		s->spare_cap = s->spare_cap ? s->spare_cap * 2 : 64;
		s->spare = sh_realloc(s->spare, s->spare_cap, sizeof *s->spare);
	}
	s->spare[s->nspare++] = c;
}

/* Write a chunk into the spool file at its own offset; -1 with sh_error(). */
static int spool_chunk(const sh_audio_source *s, const float *chunk, size_t index, size_t chunk_bytes)
{
	if (pwrite(s->spool_fd, chunk, chunk_bytes, (off_t)(index * chunk_bytes)) != (ssize_t)chunk_bytes) {
		sh_set_error("spool file write error: %s", strerror(errno));
		return -1;
	}
	return 0;
}

/* Lazy mode: read chunks until `upto` frames are held or the stream ends; -1
 * with sh_error() on a read or spool error. */
static int ensure(sh_audio_source *s, int64_t upto)
{
	size_t ch = (size_t)s->channels, chunk_bytes = CHUNK_FRAMES * ch * sizeof(float);
	while (!s->eof && s->frames < upto) {
		float *block = take_chunk(s);
		if (!block)
			return -1;
		ssize_t r = sh_audio_read(s->in, block, CHUNK_FRAMES);
		if (r < 0) {
			chunk_free(s, block);
			return -1;
		}
		size_t got = (size_t)r;
		if (got < CHUNK_FRAMES) {
			memset(block + got * ch, 0, (CHUNK_FRAMES - got) * ch * sizeof(float));
			s->eof = true;
		}
		if (got == 0) {
			chunk_free(s, block);
			break;
		}
		if (s->spool_fd < 0 && s->live >= s->max_chunks) {
			/* the window grew too big for memory: move it to a temporary file, at
			 * each chunk's own offset (released chunks leave holes) */
			s->spool_fd = sh_spool_file();
			if (s->spool_fd < 0) {
				chunk_free(s, block);
				return -1;
			}
			for (size_t i = s->released; i < s->nchunks; i++) {
				if (spool_chunk(s, s->chunks[i], i, chunk_bytes) != 0) {
					chunk_free(s, block);
					return -1;
				}
				chunk_free(s, s->chunks[i]);
				s->chunks[i] = NULL;
			}
			sh_note("spooling input to a temporary file");
		}
		if (s->spool_fd >= 0) {
			int rc = spool_chunk(s, block, s->nchunks, chunk_bytes);
			chunk_free(s, block);
			block = NULL;
			if (rc != 0)
				return -1;
		}
		s->chunks = sh_realloc(s->chunks, s->nchunks + 1, sizeof *s->chunks);
		s->chunks[s->nchunks++] = block;
		s->live++;
		s->frames += (int64_t)got;
	}
	return 0;
}

sh_audio_source *sh_audio_source_open_lazy(sh_audio_in *in, size_t spool_limit)
{
	if (in->seekable)
		return sh_audio_source_open(in, spool_limit);
	sh_audio_source *s = sh_calloc(1, sizeof *s);
	s->in = in;
	s->channels = in->channels;
	s->spool_fd = -1;
	s->lazy = true;
	s->max_chunks = spool_limit / (CHUNK_FRAMES * (size_t)in->channels * sizeof(float)) + 1;
	return s;
}

int64_t sh_audio_source_ensure(sh_audio_source *s, int64_t upto)
{
	if (s->lazy && ensure(s, upto) != 0)
		return -1;
	return s->frames;
}

bool sh_audio_source_complete(const sh_audio_source *s) { return !s->lazy || s->eof; }

void sh_audio_source_release(sh_audio_source *s, int64_t before)
{
	if (!s->lazy)
		return;
	size_t upto = before <= 0 ? 0 : (size_t)(before / CHUNK_FRAMES);
	if (upto > s->nchunks)
		upto = s->nchunks;
	for (; s->released < upto; s->released++) {
		float *c = s->chunks[s->released];
		s->chunks[s->released] = NULL;
		chunk_free(s, c);
		if (s->live)
			s->live--;
	}
}

sh_audio_source *sh_audio_source_open(sh_audio_in *in, size_t spool_limit)
{
	sh_audio_source *s = sh_calloc(1, sizeof *s);
	s->in = in;
	s->channels = in->channels;
	s->spool_fd = -1;
	if (in->seekable) {
		s->frames = in->frames;
		return s;
	}
	size_t ch = (size_t)in->channels;
	size_t chunk_bytes = CHUNK_FRAMES * ch * sizeof(float);
	size_t max_chunks = spool_limit / chunk_bytes + 1;
	float *block = NULL;
	for (;;) {
		if (!block && !(block = take_chunk(s)))
			goto fail;
		ssize_t r = sh_audio_read(in, block, CHUNK_FRAMES);
		if (r < 0)
			goto fail;
		size_t got = (size_t)r;
		if (got == 0)
			break;
		if (s->spool_fd < 0 && s->nchunks >= max_chunks) {
			/* too big for memory: move what we have to a temporary file */
			s->spool_fd = sh_spool_file();
			if (s->spool_fd < 0)
				goto fail;
			for (size_t i = 0; i < s->nchunks; i++) {
				if (sh_write_all(s->spool_fd, s->chunks[i], chunk_bytes) != 0)
					goto fail;
				chunk_free(s, s->chunks[i]);
				s->chunks[i] = NULL;
			}
			free(s->chunks);
			s->chunks = NULL;
			sh_note("spooling input to a temporary file");
		}
		if (got < CHUNK_FRAMES)
			memset(block + got * ch, 0, (CHUNK_FRAMES - got) * ch * sizeof(float));
		if (s->spool_fd >= 0) {
			if (sh_write_all(s->spool_fd, block, chunk_bytes) != 0)
				goto fail;
		} else {
			s->chunks = sh_realloc(s->chunks, s->nchunks + 1, sizeof *s->chunks);
			s->chunks[s->nchunks] = block;
			block = NULL; /* the list holds it now */
		}
		s->nchunks++;
		s->frames += (int64_t)got;
		if (got < CHUNK_FRAMES)
			break;
	}
	chunk_free(s, block);
	return s;
fail:
	chunk_free(s, block);
	sh_audio_source_close(s);
	return NULL;
}

int64_t sh_audio_source_frames(const sh_audio_source *s) { return s->lazy && !s->eof ? -1 : s->frames; }

int sh_audio_source_get(sh_audio_source *s, int64_t start, size_t n, float *buf)
{
	size_t ch = (size_t)s->channels;
	/* zero outside the source */
	while (n > 0 && start < 0) {
		memset(buf, 0, ch * sizeof(float));
		buf += ch;
		start++;
		n--;
	}
	if (n == 0)
		return 0;
	if (s->lazy && ensure(s, start + (int64_t)n) != 0)
		return -1;
	size_t inside = start >= s->frames ? 0 : (size_t)(s->frames - start) < n ? (size_t)(s->frames - start) : n;
	memset(buf + inside * ch, 0, (n - inside) * ch * sizeof(float));
	if (inside == 0)
		return 0;
	if (s->in->seekable) {
		if (sh_audio_seek(s->in, start) != 0)
			return -1;
		ssize_t got = sh_audio_read(s->in, buf, inside);
		if (got < 0)
			return -1;
		if ((size_t)got < inside) {
			sh_set_error("%s: shorter than its header said (file changed while reading?)", sh_audio_name(s->in));
			return -1;
		}
		return 0;
	}
	if (s->spool_fd >= 0 && !s->lazy)
		return sh_pread_all(s->spool_fd, buf, inside * ch * sizeof(float), (off_t)start * (off_t)(ch * sizeof(float)),
		                    "spool file");
	size_t done = 0;
	while (done < inside) {
		int64_t f = start + (int64_t)done;
		size_t c = (size_t)(f / CHUNK_FRAMES), o = (size_t)(f % CHUNK_FRAMES);
		size_t k = CHUNK_FRAMES - o;
		if (k > inside - done)
			k = inside - done;
		if (s->chunks[c])
			memcpy(buf + done * ch, s->chunks[c] + o * ch, k * ch * sizeof(float));
		else if (s->spool_fd >= 0 && c >= s->released) { /* lazy chunks that went to the spool file */
			if (sh_pread_all(s->spool_fd, buf + done * ch, k * ch * sizeof(float),
			             (off_t)((int64_t)c * CHUNK_FRAMES + (int64_t)o) * (off_t)(ch * sizeof(float)), "spool file") != 0)
				return -1;
		} else {
			sh_set_error("internal error: audio frame %lld was released", (long long)f);
			return -1;
		}
		done += k;
	}
	return 0;
}

void sh_audio_source_close(sh_audio_source *s)
{
	if (!s)
		return;
	free(s->chunks);
	for (size_t i = 0; i < s->nslabs; i++)
		munmap(s->slabs[i], s->slab_bytes); /* every slab has this size */
	free(s->slabs);
	free(s->spare);
	if (s->spool_fd >= 0)
		close(s->spool_fd);
	free(s->tmp);
	free(s);
}

/* ---------------------------------------------------------------- writing */

#define OUT_BUF (1 << 20)
#define WAV_FLOAT_HEADER 58 /* RIFF 12 + fmt 26 + fact 12 + data 8 */
#define AU_HEADER 28        /* 24 + 4 of annotation, as sox expects at least */

struct sh_audio_out {
	int rate, channels, bits;
	int64_t written;
	/* float written by us: AU on stdout (big-endian), or a WAV file (little-endian)
	 * laid out as sox writes it (fmt with cbSize, fact), which sox, ffmpeg and
	 * libsndfile all read without complaint */
	bool raw;
	bool swap;
	bool au_file;
	bool stream_file; /* AU stream into a device or FIFO: no header to patch */
	bool direct;      /* a file the shell opened as stdout (> out.wav): written in place */
	int fd;
	uint8_t *buf;
	size_t buf_len;
	/* file */
	sh_atomic *atomic;
	SNDFILE *sf;
	char *path;
	sh_rng dither;
	short *pcm16;
	bool header_pending; /* an AU stream's header, put before the first samples */
	char comment[40];    /* "shards seed N" when the run's seed matters, else empty */
	char *emit_error; /* the first failure of sh_audio_emit, for sh_audio_finish */
};

static void put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (24 - 8 * i));
}

/* The run's seed, when it matters, as the comment an audio file carries (AU
 * annotation, WAV ICMT, FLAC/Vorbis comment). False when there is none. */
static bool seed_comment(sh_audio_out *out)
{
	uint64_t seed;
	if (!sh_seed_to_carry(&seed))
		return false;
	snprintf(out->comment, sizeof out->comment, "shards seed %llu", (unsigned long long)seed);
	return true;
}

static void comment_carried(const sh_audio_out *out)
{
	unsigned long long seed;
	if (sscanf(out->comment, "shards seed %llu", &seed) == 1)
		sh_seed_carried((uint64_t)seed);
}

/* Sun AU: 24 bytes, then the annotation (NUL-terminated, the header a multiple
 * of 8 bytes), at least 4 bytes of it, as sox expects. */
static size_t au_header_size(const sh_audio_out *out)
{
	return *out->comment ? (24 + strlen(out->comment) + 1 + 7) / 8 * 8 : AU_HEADER;
}

static void au_header(const sh_audio_out *out, uint8_t *h, int bits, uint32_t data_size)
{
	size_t n = au_header_size(out);
	memcpy(h, ".snd", 4);
	put_be32(h + 4, (uint32_t)n);
	put_be32(h + 8, data_size);
	put_be32(h + 12, bits == 16 ? 3 : bits == 24 ? 4 : 6);
	put_be32(h + 16, (uint32_t)out->rate);
	put_be32(h + 20, (uint32_t)out->channels);
	memset(h + 24, 0, n - 24);
	memcpy(h + 24, out->comment, strlen(out->comment));
}

/* One sample to 16 bits: values already on the 16-bit grid (16-bit sources,
 * digital silence) pass exactly; everything else gets TPDF dither (the sum of two
 * uniform values of one LSB each). */
static int16_t quantize16(sh_rng *dither, float sample)
{
	double x = sample * 32768.0;
	double d = x == floor(x) ? 0 : sh_rng_quiet_uniform(dither) - sh_rng_quiet_uniform(dither);
	double v = floor(x + d + 0.5);
	return (int16_t)(v > 32767 ? 32767 : v < -32768 ? -32768 : v);
}

static int32_t quantize24(float sample)
{
	double v = floor(sample * 8388608.0 + 0.5);
	return (int32_t)(v > 8388607 ? 8388607 : v < -8388608 ? -8388608 : v);
}

int sh_parse_bits(const char *text)
{
	if (!text)
		return 0;
	if (!strcmp(text, "16"))
		return 16;
	if (!strcmp(text, "24"))
		return 24;
	if (!strcmp(text, "32") || !strcmp(text, "32f"))
		return 32;
	return -1;
}

static int major_format(const char *path, int *def_bits)
{
	const char *dot = strrchr(path, '.');
	const char *slash = strrchr(path, '/');
	if (!dot || (slash && dot < slash))
		return 0;
	static const struct {
		const char *ext;
		int format, bits;
	} map[] = {
		{"wav", SF_FORMAT_WAVEX, 32}, {"wave", SF_FORMAT_WAVEX, 32}, {"aiff", SF_FORMAT_AIFF, 32},
		{"aif", SF_FORMAT_AIFF, 32}, {"aifc", SF_FORMAT_AIFF, 32}, {"au", SF_FORMAT_AU, 32},
		{"snd", SF_FORMAT_AU, 32}, {"caf", SF_FORMAT_CAF, 32}, {"w64", SF_FORMAT_W64, 32},
		{"rf64", SF_FORMAT_RF64, 32}, {"flac", SF_FORMAT_FLAC, 24},
		{"ogg", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0}, {"oga", SF_FORMAT_OGG | SF_FORMAT_VORBIS, 0},
		{"opus", SF_FORMAT_OGG | SF_FORMAT_OPUS, 0},
		{"mp3", SF_FORMAT_MPEG | SF_FORMAT_MPEG_LAYER_III, 0},
	};
	for (size_t i = 0; i < sizeof map / sizeof *map; i++)
		if (strcasecmp(dot + 1, map[i].ext) == 0) {
			*def_bits = map[i].bits;
			return map[i].format;
		}
	return 0;
}

static bool is_stdout(const char *path) { return !path || strcmp(path, "-") == 0; }

/* A device or FIFO (-o /dev/null, a named pipe) cannot take a header patched at
 * the end: it gets the AU stream of stdout, whatever its name. */
static bool is_stream_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && !S_ISREG(st.st_mode) && !S_ISDIR(st.st_mode);
}

/* The libsndfile format for PATH with BITS (0 = the format's default), or 0 with
 * sh_error() for what the user must change. */
static int output_format(const char *path, int bits)
{
	int def_bits = 0;
	int format = major_format(path, &def_bits);
	if (!format) {
		sh_set_error("%s: unknown output format: use .wav, .flac, .aiff, .au, .caf, .w64, .ogg, .opus or .mp3", path);
		return 0;
	}
	int type = format & SF_FORMAT_TYPEMASK;
	if (type == SF_FORMAT_OGG || type == SF_FORMAT_MPEG) {
		if (bits) {
			sh_set_error("%s: --bits does not apply to lossy formats", path);
			return 0;
		}
		return format;
	}
	if (!bits)
		bits = def_bits;
	if (bits == 16)
		return format | SF_FORMAT_PCM_16;
	if (bits == 24)
		return format | SF_FORMAT_PCM_24;
	if (type == SF_FORMAT_FLAC) {
		sh_set_error("%s: FLAC holds 16 or 24 bits, not float", path);
		return 0;
	}
	return format | SF_FORMAT_FLOAT;
}

/* Float WAV and every AU file are written by us: libsndfile's AU header is
 * shorter than sox accepts quietly. */
static bool written_raw(int format, bool *au_file)
{
	bool wav_float = (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_WAVEX && (format & SF_FORMAT_SUBMASK) == SF_FORMAT_FLOAT;
	*au_file = !wav_float && (format & SF_FORMAT_TYPEMASK) == SF_FORMAT_AU;
	return wav_float || *au_file;
}

/* `prog > out.wav`: stdout is a regular file, at its start and not appended
 * to, whose name says an audio format other than AU. Its name into NAME. */
static bool stdout_names_format(char *name, size_t size)
{
	struct stat st;
	int fl = fcntl(1, F_GETFL);
	if (fstat(1, &st) != 0 || !S_ISREG(st.st_mode) || fl < 0 || (fl & O_APPEND) ||
	    lseek(1, 0, SEEK_CUR) != 0)
		return false;
	ssize_t n = readlink("/proc/self/fd/1", name, size - 1);
	if (n <= 0)
		return false;
	name[n] = 0;
	int def_bits;
	int format = major_format(name, &def_bits);
	return format && (format & SF_FORMAT_TYPEMASK) != SF_FORMAT_AU;
}

int sh_audio_check_output(const char *path, int bits, int rate, int channels)
{
	char named[PATH_MAX];
	if (is_stdout(path) && stdout_names_format(named, sizeof named))
		path = named;
	bool to_stdout = is_stdout(path);
	if (to_stdout || is_stream_file(path)) {
		if (bits && bits != 32) {
			sh_set_error("--bits %d: %s", bits, to_stdout ? "stdout always carries 32-bit float AU; use -o FILE"
			                                               : "a stream carries 32-bit float AU");
			return -1;
		}
		return 0;
	}
	int format = output_format(path, bits);
	if (!format)
		return -1;
	bool au_file;
	if (rate > 0 && channels > 0 && !written_raw(format, &au_file)) {
		SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
		if (!sf_format_check(&info)) {
			sh_set_error("%s: libsndfile cannot write %d channels at %d Hz in this format", path, channels, rate);
			return -1;
		}
	}
	return 0;
}

/* The AU stream of stdout, to fd (stdout, or a device or FIFO opened in place). */
static void start_stream(sh_audio_out *out)
{
	sh_pipe_grow(out->fd);
	out->raw = true;
	out->swap = true;
	out->buf = sh_malloc(OUT_BUF);
	out->bits = 32;
	out->header_pending = true;
}

/* An AU stream's header goes out with the first samples, not at create: by
 * then the first block is made, so a seed its making drew from is known to
 * matter. */
static void put_stream_header(sh_audio_out *out)
{
	out->header_pending = false;
	if (seed_comment(out))
		comment_carried(out);
	au_header(out, out->buf, 32, 0xffffffffu); /* nothing is buffered before it */
	out->buf_len = au_header_size(out);
}

static sh_audio_out *create_failed(sh_audio_out *out)
{
	sh_audio_abort(out);
	return NULL;
}

sh_audio_out *sh_audio_create(const char *path, int rate, int channels, const sh_audio_out_opts *opts)
{
	int bits = opts ? opts->bits : 0;
	if (channels < 1 || channels > SH_MAX_CHANNELS || rate < 1) {
		sh_set_error("cannot write audio with %d channels at %d Hz", channels, rate);
		return NULL;
	}
	if (sh_audio_check_output(path, bits, rate, channels) != 0)
		return NULL;
	sh_audio_out *out = sh_calloc(1, sizeof *out);
	out->rate = rate;
	out->channels = channels;
	char named[PATH_MAX];
	if (is_stdout(path)) {
		if (!stdout_names_format(named, sizeof named)) {
			if (sh_stdout_binary() != 0)
				return create_failed(out);
			out->fd = 1;
			start_stream(out);
			return out;
		}
		/* the format its name says, as sox would; the shell made the file, so it
		 * is written in place rather than renamed over */
		path = named;
		out->direct = true;
	}
	out->path = sh_strdup(path);
	if (is_stream_file(path)) {
		out->atomic = sh_atomic_open(path); /* opens the device in place */
		if (!out->atomic)
			return create_failed(out);
		out->fd = sh_atomic_fd(out->atomic);
		out->stream_file = true;
		start_stream(out);
		return out;
	}
	int def_bits = 0;
	major_format(path, &def_bits);
	if (!bits)
		bits = def_bits;
	int format = output_format(path, opts ? opts->bits : 0);
	if (!out->direct && !(out->atomic = sh_atomic_open(path)))
		return create_failed(out);
	const int fd = out->direct ? 1 : sh_atomic_fd(out->atomic);
	out->bits = bits;
	if (bits == 16) {
		sh_rng_seed(&out->dither, opts ? opts->dither_seed : 0);
		uint64_t run;
		if (opts && sh_seed_picked(&run) && run == opts->dither_seed)
			sh_rng_mark_drawn(); /* the dither is drawn from the run's seed */
	}
	if (written_raw(format, &out->au_file)) {
		out->raw = true;
		out->swap = out->au_file;
		out->fd = fd;
		out->buf = sh_malloc(OUT_BUF);
		if (out->au_file && seed_comment(out))
			comment_carried(out);
		out->buf_len = out->au_file ? au_header_size(out) : WAV_FLOAT_HEADER;
		memset(out->buf, 0, out->buf_len); /* filled in by sh_audio_finish */
		return out;
	}
	SF_INFO info = {.samplerate = rate, .channels = channels, .format = format};
	out->sf = sf_open_fd(fd, SFM_WRITE, &info, SF_FALSE);
	if (!out->sf) {
		sh_set_error("%s: cannot write: %s", path, sndfile_why(NULL));
		return create_failed(out);
	}
	sf_command(out->sf, SFC_SET_ADD_PEAK_CHUNK, NULL, SF_FALSE);
	sf_command(out->sf, SFC_SET_CLIPPING, NULL, SF_TRUE);
	if (seed_comment(out) && sf_set_string(out->sf, SF_STR_COMMENT, out->comment) == 0)
		comment_carried(out);
	else
		*out->comment = 0; /* tried again at the end */
	if (bits == 16)
		out->pcm16 = sh_malloc(4096 * (size_t)channels * sizeof(short));
	return out;
}

static int flush_raw(sh_audio_out *out)
{
	if (sh_write_named(out->fd, out->buf, out->buf_len, out->path) != 0)
		return -1;
	out->buf_len = 0;
	return 0;
}

static void put16(uint8_t *p, unsigned v) { p[0] = (uint8_t)v; p[1] = (uint8_t)(v >> 8); }
static void put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

/* Write a header over the placeholder at the start of the file. */
static int patch_header(const sh_audio_out *out, const uint8_t *h, size_t n)
{
	if (pwrite(out->fd, h, n, 0) != (ssize_t)n) {
		sh_set_error("%s: cannot write: %s", out->path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The seed's comment as a LIST INFO chunk after the samples, where RIFF allows
 * it: whether the seed mattered is known only once the samples are written. */
static int wav_comment(sh_audio_out *out, uint64_t data)
{
	size_t text = strlen(out->comment) + 1, padded = (text + 1) / 2 * 2;
	uint8_t c[20 + sizeof out->comment + 1] = {0};
	memcpy(c, "LIST", 4);
	put32(c + 4, (uint32_t)(12 + padded));
	memcpy(c + 8, "INFOICMT", 8);
	put32(c + 16, (uint32_t)text);
	memcpy(c + 20, out->comment, text);
	uint8_t riff[4];
	put32(riff, (uint32_t)(data + WAV_FLOAT_HEADER - 8 + 20 + padded));
	if (sh_write_all(out->fd, c, 20 + padded) != 0 || pwrite(out->fd, riff, 4, 4) != 4) {
		sh_set_error("%s: cannot write: %s", out->path, strerror(errno));
		return -1;
	}
	comment_carried(out);
	return 0;
}

static int finish_wav_float(sh_audio_out *out)
{
	uint64_t data = (uint64_t)out->written * (uint64_t)out->channels * 4;
	if (data + WAV_FLOAT_HEADER - 8 > 0xffffffffu) {
		sh_set_error("%s: more than 4 GiB of audio does not fit a WAV file: use .w64 or .caf", out->path);
		return -1;
	}
	uint8_t h[WAV_FLOAT_HEADER];
	unsigned ch = (unsigned)out->channels;
	memcpy(h, "RIFF", 4);
	put32(h + 4, (uint32_t)(data + WAV_FLOAT_HEADER - 8));
	memcpy(h + 8, "WAVEfmt ", 8);
	put32(h + 16, 18);
	put16(h + 20, 3); /* IEEE float */
	put16(h + 22, ch);
	put32(h + 24, (uint32_t)out->rate);
	put32(h + 28, (uint32_t)out->rate * ch * 4);
	put16(h + 32, ch * 4);
	put16(h + 34, 32);
	put16(h + 36, 0); /* cbSize */
	memcpy(h + 38, "fact", 4);
	put32(h + 42, 4);
	put32(h + 46, (uint32_t)out->written);
	memcpy(h + 50, "data", 4);
	put32(h + 54, (uint32_t)data);
	if (patch_header(out, h, sizeof h) != 0)
		return -1;
	return seed_comment(out) ? wav_comment(out, data) : 0;
}

int sh_audio_write(sh_audio_out *out, const float *buf, size_t frames)
{
	size_t count = frames * (size_t)out->channels;
	out->written += (int64_t)frames;
	if (out->header_pending)
		put_stream_header(out);
	if (out->raw && out->bits != 32) { /* PCM in an AU file: big-endian */
		int bytes = out->bits / 8;
		for (size_t i = 0; i < count; i++) {
			if (OUT_BUF - out->buf_len < 4 && flush_raw(out) != 0)
				return -1;
			uint8_t *p = out->buf + out->buf_len;
			if (bytes == 2) {
				uint16_t v = (uint16_t)quantize16(&out->dither, buf[i]);
				p[0] = (uint8_t)(v >> 8);
				p[1] = (uint8_t)v;
			} else {
				uint32_t v = (uint32_t)quantize24(buf[i]);
				p[0] = (uint8_t)(v >> 16);
				p[1] = (uint8_t)(v >> 8);
				p[2] = (uint8_t)v;
			}
			out->buf_len += (size_t)bytes;
		}
		return 0;
	}
	if (out->raw) {
		bool swap = out->swap == (__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__);
		while (count > 0) {
			size_t room = (OUT_BUF - out->buf_len) / 4;
			if (room == 0) {
				if (flush_raw(out) != 0)
					return -1;
				continue;
			}
			size_t k = count < room ? count : room;
			uint8_t *dst = out->buf + out->buf_len;
			if (swap) {
				swap32_copy(dst, buf, k);
			} else {
				memcpy(dst, buf, k * 4);
			}
			out->buf_len += k * 4;
			buf += k;
			count -= k;
		}
		return 0;
	}
	if (out->bits == 16) {
		/* TPDF dither: the sum of two uniform values of one LSB each */
		size_t ch = (size_t)out->channels;
		while (frames > 0) {
			size_t k = frames < 4096 ? frames : 4096;
			for (size_t i = 0; i < k * ch; i++)
				out->pcm16[i] = quantize16(&out->dither, buf[i]);
			if (sf_writef_short(out->sf, out->pcm16, (sf_count_t)k) != (sf_count_t)k) {
				sh_set_error("%s: cannot write: %s", out->path, sndfile_why(out->sf));
				return -1;
			}
			buf += k * ch;
			frames -= k;
		}
		return 0;
	}
	if (sf_writef_float(out->sf, buf, (sf_count_t)frames) != (sf_count_t)frames) {
		sh_set_error("%s: cannot write: %s", out->path, sndfile_why(out->sf));
		return -1;
	}
	return 0;
}

void sh_audio_emit(void *user, const float *buf, size_t frames)
{
	sh_audio_out *out = user;
	if (!out->emit_error && sh_audio_write(out, buf, frames) != 0)
		out->emit_error = sh_strdup(sh_error());
}

/* Free OUT. A libsndfile handle still open is closed unchecked (before its
 * descriptor goes), and a file not yet committed is removed. */
static void free_out(sh_audio_out *out)
{
	if (out->sf)
		sf_close(out->sf);
	if (out->atomic)
		sh_atomic_abort(out->atomic);
	free(out->buf);
	free(out->pcm16);
	free(out->path);
	free(out->emit_error);
	free(out);
}

void sh_audio_abort(sh_audio_out *out)
{
	if (out)
		free_out(out);
}

/* Flush and complete the header, short of the rename. */
static int complete(sh_audio_out *out)
{
	if (out->emit_error) {
		sh_set_error("%s", out->emit_error);
		return -1;
	}
	if (!out->raw) {
		/* WAV and AIFF take a comment after the samples; FLAC and Ogg do not, and
		 * the seed is then printed at exit */
		if (!*out->comment && seed_comment(out) && sf_set_string(out->sf, SF_STR_COMMENT, out->comment) == 0)
			comment_carried(out);
		sf_write_sync(out->sf);
		int rc = sf_close(out->sf);
		out->sf = NULL;
		if (rc != 0) {
			sh_set_error("%s: cannot finish writing", out->path);
			return -1;
		}
		return 0;
	}
	if (out->header_pending)
		put_stream_header(out);
	if (flush_raw(out) != 0)
		return -1;
	if ((!out->atomic && !out->direct) || out->stream_file)
		return 0;
	if (!out->au_file)
		return finish_wav_float(out);
	uint8_t h[AU_HEADER + sizeof out->comment + 8];
	uint64_t data = (uint64_t)out->written * (uint64_t)out->channels * (uint64_t)(out->bits / 8);
	au_header(out, h, out->bits, data < 0xffffffffu ? (uint32_t)data : 0xffffffffu);
	return patch_header(out, h, au_header_size(out));
}

int sh_audio_finish(sh_audio_out *out)
{
	if (complete(out) != 0) {
		free_out(out);
		return -1;
	}
	int rc = out->atomic ? sh_atomic_commit(out->atomic) : 0; /* removes the file on failure */
	out->atomic = NULL;
	free_out(out);
	return rc;
}

sh_atomic *sh_audio_finish_held(sh_audio_out *out)
{
	if (!out->atomic || !sh_atomic_tmpname(out->atomic)) {
		sh_set_error("%s: not a file that can be held back", out->path);
		free_out(out);
		return NULL;
	}
	if (complete(out) != 0) {
		free_out(out);
		return NULL;
	}
	sh_atomic *a = out->atomic;
	out->atomic = NULL;
	free_out(out);
	return sh_atomic_sync(a) == 0 ? a : NULL; /* sync removes the file on failure */
}

int64_t sh_audio_written(const sh_audio_out *out) { return out->written; }

void sh_audio_downmix(const float *in, size_t n, int channels, float *out)
{
	if (channels == 1) {
		memmove(out, in, n * sizeof *out);
		return;
	}
	for (size_t i = 0; i < n; i++) {
		float s = 0;
		for (int c = 0; c < channels; c++)
			s += in[i * channels + c];
		out[i] = s / channels;
	}
}
