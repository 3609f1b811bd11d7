"""pointlib: struct point and struct segment from include/point.h, through cffi's ABI mode.

point.cdef.txt is not committed: headerkit_store.build_backend writes it from the
project's store when the wheel is built."""
from importlib.resources import files

import cffi

ffi = cffi.FFI()
ffi.cdef(files(__name__).joinpath("point.cdef.txt").read_text(encoding="utf-8"))


def point(x: int, y: int):
    """A new struct point with its quadrant filled in."""
    p = ffi.new("struct point *")
    p.x, p.y = x, y
    if x == 0 and y == 0:
        p.quadrant = ffi.cast("enum point_quadrant", 0)
    else:
        p.quadrant = 1 if x > 0 and y >= 0 else 2 if x <= 0 and y > 0 else 3 if x < 0 else 4
    return p
