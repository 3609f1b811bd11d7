#ifndef DEMO_TYPES_H
#define DEMO_TYPES_H

#include <stdint.h>

typedef enum demo_status {
  DEMO_OK = 0,
  DEMO_ERR_NOMEM = -1,
  DEMO_ERR_INVALID = -2,
  DEMO_ERR_IO = -3
} demo_status;

typedef enum demo_level { DEMO_DEBUG, DEMO_INFO, DEMO_WARN, DEMO_ERROR } demo_level;

typedef struct demo_point {
  double x;
  double y;
} demo_point;

typedef struct demo_flags {
  unsigned int visible : 1;
  unsigned int locked : 1;
  unsigned int layer : 6;
} demo_flags;

#endif
