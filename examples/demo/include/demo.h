/* demo.h: the public API of a small C library used by headerkit's example. */
#ifndef DEMO_H
#define DEMO_H

#include <stddef.h>
#include <stdint.h>
#include "demo/types.h"
#include "demo/config.h"
#include "demo/platform.h"

#define DEMO_VERSION_MAJOR 1
#define DEMO_VERSION_MINOR 4
#define DEMO_VERSION ((DEMO_VERSION_MAJOR << 8) | DEMO_VERSION_MINOR)
#define DEMO_NAME "demo"
#define DEMO_PI 3.14159

typedef struct demo_ctx demo_ctx;

typedef void (*demo_log_fn)(void *user, demo_level level, const char *message);

DEMO_API demo_ctx *demo_open(const demo_config *config, demo_status *status);
DEMO_API void demo_close(demo_ctx *ctx);
DEMO_API demo_status demo_push(demo_ctx *ctx, const demo_point *points, size_t count);
DEMO_API double demo_area(const demo_ctx *ctx);
DEMO_API void demo_set_logger(demo_ctx *ctx, demo_log_fn fn, void *user);
DEMO_API int demo_format(char *buf, size_t len, const char *fmt, ...);
DEMO_API const char *demo_status_name(demo_status status);

/* Not part of the public API; excluded from the cffi output by config. */
DEMO_API void _demo_internal_reset(demo_ctx *ctx);

#endif
