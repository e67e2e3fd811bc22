/* midi.h -- Standard MIDI Files out (and their note starts in), and live MIDI through PortMidi.
 *
 * The SMF writer makes a format-0 file (one track, all channels) with a fixed
 * division (ticks per quarter note), written under a temporary name and renamed
 * into place by sh_smf_finish, so a file appears whole or not at all. Channel
 * messages use running status; meta events (tempo, end of track) cancel it, as
 * the standard says. Events must come in non-decreasing tick order. */
#ifndef SHARDS_MIDI_H
#define SHARDS_MIDI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

typedef struct sh_smf sh_smf;

/* path "-" writes to stdout (refuses a terminal). NULL with sh_error() on error.
 * The writing calls return 0, or -1 with sh_error(); a file that failed once stays
 * failed (every later call says why again), so a caller may check only now and then. */
sh_smf *sh_smf_create(const char *path, int ppq);
/* A channel message of 2 or 3 bytes at an absolute tick. */
int sh_smf_message(sh_smf *f, int64_t tick, const uint8_t *msg, int len);
int sh_smf_tempo(sh_smf *f, int64_t tick, double bpm);
int sh_smf_text(sh_smf *f, int64_t tick, int kind, const char *text); /* meta text event */
/* Writes end-of-track at `end_tick` (or the last event's tick if later), patches the
 * track length, commits the file and frees F: 0, or -1 with sh_error() (no file left). */
int sh_smf_finish(sh_smf *f, int64_t end_tick);
/* Has a write failed? Then sh_error() says why. */
bool sh_smf_failed(sh_smf *f);
/* Give up: remove the temporary file, free F. */
void sh_smf_abort(sh_smf *f);
int64_t sh_smf_last_tick(const sh_smf *f);

/* Bytes in a channel message with this status byte (2 or 3; 0 if not one). */
int sh_midi_message_length(uint8_t status);

/* The note-on times of a Standard MIDI File's N bytes, every track, in beats
 * (ticks over its division), in file order into *BEATS (caller frees). Other
 * chunks, meta and system exclusive events are skipped; -1 with sh_error()
 * naming NAME and what is wrong (SMPTE time, a truncated track...). */
int sh_smf_note_starts(const char *name, const uint8_t *data, size_t n, double **beats, size_t *count);

/* ---- PortMidi ----
 * Every call keeps ALSA's complaints on a machine without a sequencer away from
 * the terminal (stderr is pointed at /dev/null while PortMidi runs its set-up). */
typedef struct sh_midi_port sh_midi_port;
/* Print "N: name" for each output port to stdout; returns how many there are. */
int sh_midi_list_outputs(void);
/* Open an output port by number or by (a substring of) its name; NULL and
 * sh_error() (which names the ports there are) when none matches. */
sh_midi_port *sh_midi_open(const char *spec);
const char *sh_midi_port_name(const sh_midi_port *p);
/* Send now; -1 with sh_error() on failure. */
int sh_midi_send(sh_midi_port *p, const uint8_t *msg, int len);
void sh_midi_close(sh_midi_port *p);

#endif
