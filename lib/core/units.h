/* units.h -- numbers, durations with units, MIN..MAX ranges and frame rates as
 * text, both ways. Parsers return 0, or -1 with sh_error(). */
#ifndef SHARDS_UNITS_H
#define SHARDS_UNITS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Durations: "40ms", "0.5s", "2min", "1200smp", "2f" (frames, needs fps),
 * "0.25b" or "1/4b" (beats, needs bpm), "1/16" (a sixteenth note: note fractions
 * are of a whole note, a beat is a quarter note), a bare number = default unit. */
typedef enum { SH_DUR_SECONDS, SH_DUR_SAMPLES, SH_DUR_FRAMES, SH_DUR_BEATS } sh_dur_unit;
typedef struct {
	double amount;
	sh_dur_unit unit;
} sh_duration;
/* bare_unit_seconds: what a bare number means in seconds (0.001 for ms). */
int sh_parse_duration(const char *text, double bare_unit_seconds, sh_duration *out);
/* The same, zero allowed: a point in time (a section's start) rather than a length. */
int sh_parse_time(const char *text, double bare_unit_seconds, sh_duration *out);
/* To seconds; fails (sh_error) when the unit needs a bpm/fps/rate that is 0. */
int sh_duration_seconds(const sh_duration *d, double bpm, double fps, double rate, double *seconds);

/* Ranges "X" or "X..Y" (X <= Y); sh_range_draw picks uniformly within. */
typedef struct {
	double lo, hi;
} sh_range;
int sh_parse_range(const char *text, sh_range *out);

/* Frame rates: "30", "29.97", "30000/1001", "ntsc" ... as a rational. */
typedef struct {
	int num, den;
} sh_rational;
int sh_parse_rate(const char *text, sh_rational *out);
static inline double sh_rational_value(sh_rational r) { return r.den ? (double)r.num / r.den : 0.0; }

/* Strict number parsing: whole string, finite. */
int sh_parse_double(const char *text, double *out);
/* The shortest text that reads back as the same double ("2", "0.25", "0.1"), as
 * JSON writes numbers. */
void sh_format_number(char *buf, size_t n, double v);
int sh_parse_int64(const char *text, int64_t *out);
/* A MIDI channel, 0..15 into *out: a bare number counts as MIDI does (0..15, as
 * the suite's files always have), "chN" as DAWs and players show it (ch1..ch16,
 * so ch10 is 9, the General MIDI drums). -1 with sh_error() otherwise. */
int sh_parse_channel(const char *text, int64_t *out);

/* Fixed-point text with up to `digits` decimals, trailing zeros trimmed, never
 * "nan"/"inf" (they become 0), for reports. buf >= 32 bytes; returns buf. */
char *sh_format_fixed(char *buf, double v, int digits);

#endif
