/* audio_ogg.c -- the audio_file harness for Ogg files only (see audio_file.c). */
#define OGG_ONLY
#include "audio_file.c"
