#ifndef POINT_TYPES_H
#define POINT_TYPES_H

typedef int point_coord;

enum point_quadrant {
    POINT_ORIGIN = 0,
    POINT_Q1 = 1,
    POINT_Q2 = 2,
    POINT_Q3 = 3,
    POINT_Q4 = 4
};

#endif
