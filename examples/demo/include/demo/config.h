#ifndef DEMO_CONFIG_H
#define DEMO_CONFIG_H

#include "types.h"

#define DEMO_MAX_POINTS 4096

typedef struct demo_config {
  uint32_t capacity;
  demo_level log_level;
  demo_flags flags;
  union {
    int32_t as_int;
    float as_float;
  } tolerance;
  char name[32];
} demo_config;

#endif
