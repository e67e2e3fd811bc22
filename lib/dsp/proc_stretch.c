/* proc_stretch.c -- the stretch processor: Rubber Band's real-time engine
 * through lib/dsp/stretch (stretch(1) on a pipe).
 *
 * Length: the output is round(input x ratio) frames, so the class owns its
 * length (own_length) and drain ends it. Latency: Rubber Band's start pad and
 * start delay are compensated inside sh_stretch (the pad goes in first, the
 * delay is dropped), so the driver has none to compensate: at ratio 1 and no
 * pitch shift an impulse comes out where it went in, give or take the
 * engine's smearing. Block: Rubber Band's real-time output depends on the
 * sizes handed to it, so it works in fixed blocks of `block` frames. Threads
 * (p->jobs): with channels=apart the channels' stretchers run at once
 * (lib/dsp/stretch.h); together, one stretcher takes them all on one thread. */
#include <math.h>
#include <string.h>

#include "cli.h"
#include "proc.h"
#include "stretch.h"

typedef struct {
	double ratio, pitch;
	bool formant;
	const char *engine;
	const char *channels;
	int64_t block;
	sh_stretch *st;
} stretch;

static const stretch defaults = {
	.ratio = 1,          /* output length / input length: 0.5 double speed, 2 half speed, 8+
	                        smeared into slow-motion drones */
	.pitch = 0,          /* semitones: -12 an octave down (darker, slower-sounding), +7 a fifth
	                        up, +-0.1 a subtle detune */
	.formant = false,    /* keep the formants: voices shift without chipmunking */
	.engine = "finer",   /* finer: R3, smooth and clean; faster: R2, cheaper, crisper transients,
	                        more phasey on big shifts */
	.channels = "together", /* together: one stretcher keeps the stereo image (phases locked
	                        below 600 Hz); apart: a stretcher per channel, on threads, each
	                        channel as if alone: faster, wider and looser, phasey on spaced
	                        stereo recordings */
	.block = 1024,       /* real-time block: the output depends on it, never on the pipe */
};

static const sh_option params[] = {
	{.name = "ratio", .short_name = 'R', .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(stretch, ratio),
	 .min = 0.01, .max = 100, .arg = "R", .help = "output duration / input duration, 0.01..100"},
	{.name = "pitch", .short_name = 'P', .type = SH_OPT_DOUBLE, .dest = SH_PROC_PARAM(stretch, pitch),
	 .min = -48, .max = 48, .arg = "SEMITONES", .unit = "semitones",
	 .help = "shift pitch up or down, -48..48"},
	{.name = "formant", .short_name = 'F', .type = SH_OPT_FLAG,
	 .dest = SH_PROC_PARAM(stretch, formant), .help = "preserve formants when shifting pitch"},
	{.name = "engine", .type = SH_OPT_CHOICE, .dest = SH_PROC_PARAM(stretch, engine),
	 .choices = "finer|faster", .help = "Rubber Band engine: finer (R3) or faster (R2)"},
	{.name = "channels", .type = SH_OPT_CHOICE, .dest = SH_PROC_PARAM(stretch, channels),
	 .choices = "together|apart",
	 .help = "one stretcher for all channels, or one each on threads (looser stereo image)"},
	{.name = "block", .type = SH_OPT_INT, .dest = SH_PROC_PARAM(stretch, block), .min = 64,
	 .max = 65536, .arg = "N", .unit = "frames", .help = "real-time block size, 64..65536"},
	{0},
};

/* The knobs as lib/dsp/stretch takes them (offline too: stretch(1) uses this). */
sh_stretch_opts sh_proc_stretch_opts(const sh_proc *p)
{
	const stretch *s = p->priv;
	return (sh_stretch_opts){.ratio = s->ratio, .pitch = pow(2.0, s->pitch / 12.0),
	                         .formant = s->formant, .faster = !strcmp(s->engine, "faster"),
	                         .block = (int)s->block, .apart = !strcmp(s->channels, "apart"),
	                         .jobs = p->jobs};
}

static int stretch_start(sh_proc *p)
{
	stretch *s = p->priv;
	sh_stretch_opts so = sh_proc_stretch_opts(p);
	if (!(s->st = sh_stretch_new(&so, p->rate, p->channels_in, sh_proc_emit_callback, p)))
		return -1;
	p->block = (int)s->block;
	return 0;
}

/* Rubber Band's output comes out through sh_proc_emit_callback. */
static int stretch_flow(sh_proc *p, const float *in, size_t frames)
{
	return sh_stretch_push(((stretch *)p->priv)->st, in, frames), 0;
}

static int stretch_drain(sh_proc *p) { return sh_stretch_finish(((stretch *)p->priv)->st), 0; }
static void stretch_stop(sh_proc *p) { sh_stretch_free(((stretch *)p->priv)->st); }

const sh_proc_class sh_proc_stretch = {
	.name = "stretch",
	.purpose = "change duration and pitch independently (Rubber Band, real time)",
	SH_PROC_STATE(stretch, defaults, params),
	.neutral = "ratio=1 pitch=0",
	.own_length = true,
	.start = stretch_start, .flow = stretch_flow, .drain = stretch_drain, .stop = stretch_stop,
};
