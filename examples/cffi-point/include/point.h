/* point: a tiny C API whose declarations the pointlib package uses through cffi. */
#ifndef POINT_H
#define POINT_H

#include "point/types.h"

#define POINT_VERSION "1.2.0"
#define POINT_MAX_COORD 100000

struct point {
    point_coord x;
    point_coord y;
    enum point_quadrant quadrant;
};

struct segment {
    struct point from;
    struct point to;
    unsigned char flags;
};

#endif
