#ifndef DEMO_PLATFORM_H
#define DEMO_PLATFORM_H

#include <stdint.h>

/* What differs between platforms: each target's parse takes its own branch, which is
   why `headerkit cache populate` parses once per platform. */
#ifdef __aarch64__
#define DEMO_ARCH_NAME "aarch64"
#define DEMO_VECTOR_LANES 2
typedef struct demo_vector { uint64_t lanes[2]; } demo_vector;
#else
#define DEMO_ARCH_NAME "generic"
#define DEMO_VECTOR_LANES 4
typedef struct demo_vector { uint32_t lanes[4]; } demo_vector;
#endif

/* Plain char: signed on x86_64, unsigned on aarch64. */
typedef struct demo_token {
  char tag;
  int value;
} demo_token;

#endif
