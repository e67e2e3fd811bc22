/* avsplit -- decode any media file into its streams: video as y4m (scaled,
 * fitted, at a constant frame rate), audio as AU float (or any file format by
 * extension). Both can be trimmed by start and duration. */
#include <stdlib.h>
#include <string.h>

#include "audio.h"
#include "cli.h"
#include "media.h"
#include "y4m.h"

static const char *usage =
	"avsplit [-a AUDIO] [-V VIDEO] [-r FPS] [-s WxH] [--fit crop|pad|stretch] [--start T] [-d DUR] MEDIA";

/* Defaults */
static const char *audio_path = NULL;  /* where the audio goes ("-" stdout) */
static const char *video_path = NULL;  /* where the video goes ("-" stdout) */
static sh_rational fps = {0, 0};       /* output frame rate; unset = the source's. 12 choppy and
                                          dreamlike, 24 film, 30 video, 60 smooth and glassy */
static const char *size = NULL;        /* WxH; unset = the source's */
static const char *fit = "crop";       /* crop fills the frame and loses the edges; pad keeps
                                          the whole picture with black bars; stretch distorts */
static const char *chroma = "420jpeg"; /* 420 is what every encoder takes; 444 keeps colour
                                          edges sharp for keying; mono is black and white */
static const char *start = "0";        /* where to begin in the source (seconds, or 2f, 500ms) */
static sh_duration duration = {0, SH_DUR_SECONDS}; /* how much to take; unset = to the end */
static int64_t rate = 0;               /* audio sample rate; 0 = the source's */
static int64_t channels = 0;           /* audio channels; 0 = the source's (1 and 2 mix down) */
static const char *bits = "32";

static sh_media_video_opts video_opts; /* size, fit, chroma and fps, as check_settings parsed them */

/* What a run would refuse before opening the source (the parameter table's
 * check hook, so --print-config refuses it too). --start in frames or samples
 * is converted once the source's rates are known. */
static int check_settings(void)
{
	if (rate != 0 && rate < SH_MIN_RATE) {
		sh_set_error("--rate: %lld is out of range %d..%d", (long long)rate, SH_MIN_RATE, SH_MAX_RATE);
		return -1;
	}
	if (sh_media_video_opts_cli(&video_opts, size, fit, chroma, fps) != 0)
		return -1;
	double v;
	sh_duration d;
	if (sh_parse_double(start, &v) == 0) {
		if (v < 0) {
			sh_set_error("--start: '%s' is negative", start);
			return -1;
		}
	} else if (sh_parse_duration(start, 1, &d) != 0) {
		sh_set_error("--start: %s", sh_error());
		return -1;
	}
	return 0;
}

/* The video stream, decoded to the planned geometry, as y4m to PATH. With
 * threads, decoding (media.c's decode-ahead and FFmpeg's own threads), the
 * conversion and the writing each run on a thread of their own; the frames
 * are the same. */
static void write_video(sh_media *m, const sh_media_video_opts *vo, const char *path, int jobs)
{
	sh_y4m_info info;
	if (sh_media_video_begin(m, vo, &info) != 0)
		sh_die("%s", sh_error());
	sh_y4m_out *out = sh_y4m_create(path, &info);
	if (!out)
		sh_die("%s", sh_error());
	int r;
	if (jobs > 1) {
		sh_media_reader *rd = sh_media_reader_start(m, info.frame_size, 4);
		if (!rd)
			sh_die("%s", sh_error());
		const uint8_t *frame;
		while ((r = sh_media_reader_next(rd, &frame)) == 1)
			if (sh_y4m_write_frame(out, frame) != 0)
				sh_die("%s", sh_error());
		sh_media_reader_stop(rd);
	} else {
		uint8_t *frame = sh_malloc(info.frame_size);
		while ((r = sh_media_video_read(m, frame)) == 1)
			if (sh_y4m_write_frame(out, frame) != 0)
				sh_die("%s", sh_error());
		free(frame);
	}
	if (r < 0 || sh_y4m_finish(out) != 0)
		sh_die("%s", sh_error());
	sh_note("%lld video frames at %d/%d fps", (long long)sh_media_video_count(m), info.fps_num, info.fps_den);
}

/* The audio stream from T0 for DUR seconds (0: to the end) to PATH. */
static void write_audio(sh_media *m, double t0, double dur, const char *path)
{
	if (sh_media_audio_begin(m, (int)rate, (int)channels, t0, dur) != 0)
		sh_die("%s", sh_error());
	sh_audio_out_opts ao = {.bits = sh_parse_bits(bits), .dither_seed = 0};
	if (sh_audio_check_output(path, ao.bits, sh_media_audio_rate(m), sh_media_audio_channels(m)) != 0)
		sh_usage_error("%s", sh_error());
	sh_audio_out *out = sh_audio_create(path, sh_media_audio_rate(m), sh_media_audio_channels(m), &ao);
	if (!out)
		sh_die("%s", sh_error());
	size_t block = 4096;
	float *buf = sh_malloc(block * sh_media_audio_channels(m) * sizeof *buf);
	ssize_t n;
	while ((n = sh_media_audio_read(m, buf, block)) > 0)
		if (sh_audio_write(out, buf, (size_t)n) != 0)
			sh_die("%s", sh_error());
	if (n < 0)
		sh_die("%s", sh_error());
	sh_note("%lld audio frames at %d Hz", (long long)sh_audio_written(out), sh_media_audio_rate(m));
	if (sh_audio_finish(out) != 0)
		sh_die("%s", sh_error());
	free(buf);
}

int main(int argc, char **argv)
{
	sh_init(argc, argv);
	sh_option opts[] = {
		{.name = "audio", .short_name = 'a', .type = SH_OPT_STRING, .dest = &audio_path,
		 .no_preset = true, .arg = "FILE", .help = "write the audio to FILE (au, wav, flac, ...; - stdout)"},
		{.name = "video", .short_name = 'V', .type = SH_OPT_STRING, .dest = &video_path,
		 .no_preset = true, .arg = "FILE", .help = "write the video to FILE as y4m (- stdout)"},
		{.name = "fps", .short_name = 'r', .type = SH_OPT_RATE, .dest = &fps,
		 .help = "output frame rate, e.g. 30, 24, 30000/1001; unset: the source's"},
		{.name = "size", .short_name = 's', .type = SH_OPT_STRING, .dest = &size, .arg = "WxH",
		 .help = "output frame size, 2..16384 each; unset: the source's"},
		{.name = "fit", .type = SH_OPT_CHOICE, .dest = &fit, .choices = SH_FRAME_FIT_CHOICES,
		 .help = "how the picture fills a different aspect"},
		{.name = "chroma", .short_name = 'C', .type = SH_OPT_CHOICE, .dest = &chroma,
		 .choices = SH_CHROMA_CHOICES, .arg = "CHROMA",
		 .help = "y4m chroma: 420jpeg 420mpeg2 420paldv 420 422 444 mono"},
		{.name = "start", .type = SH_OPT_STRING, .dest = &start, .arg = "T",
		 .help = "start this far into the source: seconds, 500ms, 2f"},
		{.name = "duration", .short_name = 'd', .type = SH_OPT_DURATION, .dest = &duration, .scale = 1,
		 .help = "take this much: seconds, 500ms, 48f; unset: to the end"},
		{.name = "rate", .type = SH_OPT_INT, .dest = &rate, .min = 0, .max = SH_MAX_RATE, .arg = "HZ",
		 .unit = "Hz", .help = "audio sample rate, 1000..768000, 0 = the source's"},
		{.name = "channels", .short_name = 'c', .type = SH_OPT_INT, .dest = &channels, .min = 0, .max = 64,
		 .help = "audio channels, 0 = the source's"},
		{.name = "bits", .type = SH_OPT_CHOICE, .dest = &bits, .choices = "16|24|32|32f",
		 .arg = "16|24|32f", .help = "sample format of an audio file; 32 is float"},
		{0},
	};
	sh_program prog = {.usage = usage, .has_jobs = true, .check = check_settings,
	                   .summary = "decode a media file into y4m video and AU/WAV audio, scaled, trimmed, at a fixed fps"};
	int first = sh_parse_options(&prog, opts, argc, argv);
	if (first <= 0)
		return sh_parse_status(first);
	if (argc - first != 1)
		sh_usage_error("one media file (usage: %s)", usage);
	const char *src = argv[first];

	if (video_path && !(video_path = sh_media_output(video_path)))
		sh_die("%s", sh_error());
	if (audio_path && !(audio_path = sh_media_output(audio_path)))
		sh_die("%s", sh_error());
	if (audio_path && video_path && !strcmp(audio_path, "-") && !strcmp(video_path, "-"))
		sh_usage_error("audio and video cannot both go to stdout");
	bool from_stdin = !strcmp(src, "-");
	if (from_stdin && audio_path && video_path)
		sh_usage_error("stdin gives one stream only: save the media to a file to take both");

	sh_media *m = sh_media_open(src);
	if (!m)
		sh_die("%s", sh_error());
	sh_media_set_threads(m, prog.jobs);
	const sh_media_info *mi = sh_media_get_info(m);
	if (!audio_path && !video_path) {
		if (mi->has_video)
			video_path = "-";
		else
			audio_path = "-";
	}

	if (video_path && !mi->has_video)
		sh_die("%s: no video stream", src);
	if (audio_path && !mi->has_audio)
		sh_die("%s: no audio stream", src);

	/* times may be given in frames (at the output rate) or samples */
	double out_fps = fps.num ? sh_rational_value(fps)
	                         : (mi->fps_num ? (double)mi->fps_num / mi->fps_den : 25);
	double out_rate = rate ? (double)rate : mi->audio_rate;
	double t0 = 0, dur = 0;
	double v;
	if (sh_parse_double(start, &v) == 0) {
		t0 = v;
	} else {
		sh_duration d;
		if (sh_parse_duration(start, 1, &d) != 0 || sh_duration_seconds(&d, 0, out_fps, out_rate, &t0) != 0)
			sh_usage_error("--start: %s", sh_error());
	}
	if (sh_option_given(opts, "duration") && sh_duration_seconds(&duration, 0, out_fps, out_rate, &dur) != 0)
		sh_usage_error("--duration: %s", sh_error());
	video_opts.start = t0;
	video_opts.duration = dur;

	if (video_path) {
		write_video(m, &video_opts, video_path, prog.jobs);
		sh_media_close(m);
		m = NULL;
	}
	if (audio_path) {
		if (!m && !(m = sh_media_open(src)))
			sh_die("%s", sh_error());
		sh_media_set_threads(m, prog.jobs);
		write_audio(m, t0, dur, audio_path);
	}
	sh_media_close(m);
	return 0;
}
