"""BLAKE3 (hash mode, 32-byte digest) in pure Python.

The store's keys are BLAKE3 over small canonical JSON texts (a few hundred bytes to a
few kilobytes), so the reader must compute BLAKE3 to find an entry by its key. Large
files (headers, payloads) are never hashed here: metadata version 3 records their
SHA-256, which hashlib computes at C speed. The round function is unrolled by hand
(eight G calls per round on sixteen locals) because function calls dominate in CPython.
"""
from __future__ import annotations

import struct

__all__ = ["blake3_hex"]

M = 0xFFFFFFFF
IV = (0x6A09E667, 0xBB67AE85, 0x3C6EF372, 0xA54FF53A, 0x510E527F, 0x9B05688C, 0x1F83D9AB, 0x5BE0CD19)
CHUNK_LEN = 1024
BLOCK_LEN = 64
CHUNK_START = 1
CHUNK_END = 2
PARENT = 4
ROOT = 8

_PERMUTATION = (2, 6, 3, 10, 7, 0, 4, 13, 1, 11, 12, 5, 9, 14, 15, 8)


def _schedules() -> tuple[tuple[int, ...], ...]:
    """Message word order for each of the seven rounds (the permutation applied r times)."""
    order = tuple(range(16))
    out = []
    for _ in range(7):
        out.append(order)
        order = tuple(order[i] for i in _PERMUTATION)
    return tuple(out)


_SCHEDULES = _schedules()
_WORDS = struct.Struct("<16I")


def _compress(cv: tuple[int, ...], m: tuple[int, ...], counter: int, block_len: int, flags: int) -> list[int]:
    v0, v1, v2, v3, v4, v5, v6, v7 = cv
    v8, v9, v10, v11 = IV[0], IV[1], IV[2], IV[3]
    v12 = counter & M
    v13 = (counter >> 32) & M
    v14 = block_len
    v15 = flags
    for s in _SCHEDULES:
        v0 = (v0 + v4 + m[s[0]]) & M
        v12 ^= v0; v12 = ((v12 >> 16) | (v12 << 16)) & M
        v8 = (v8 + v12) & M
        v4 ^= v8; v4 = ((v4 >> 12) | (v4 << 20)) & M
        v0 = (v0 + v4 + m[s[1]]) & M
        v12 ^= v0; v12 = ((v12 >> 8) | (v12 << 24)) & M
        v8 = (v8 + v12) & M
        v4 ^= v8; v4 = ((v4 >> 7) | (v4 << 25)) & M
        v1 = (v1 + v5 + m[s[2]]) & M
        v13 ^= v1; v13 = ((v13 >> 16) | (v13 << 16)) & M
        v9 = (v9 + v13) & M
        v5 ^= v9; v5 = ((v5 >> 12) | (v5 << 20)) & M
        v1 = (v1 + v5 + m[s[3]]) & M
        v13 ^= v1; v13 = ((v13 >> 8) | (v13 << 24)) & M
        v9 = (v9 + v13) & M
        v5 ^= v9; v5 = ((v5 >> 7) | (v5 << 25)) & M
        v2 = (v2 + v6 + m[s[4]]) & M
        v14 ^= v2; v14 = ((v14 >> 16) | (v14 << 16)) & M
        v10 = (v10 + v14) & M
        v6 ^= v10; v6 = ((v6 >> 12) | (v6 << 20)) & M
        v2 = (v2 + v6 + m[s[5]]) & M
        v14 ^= v2; v14 = ((v14 >> 8) | (v14 << 24)) & M
        v10 = (v10 + v14) & M
        v6 ^= v10; v6 = ((v6 >> 7) | (v6 << 25)) & M
        v3 = (v3 + v7 + m[s[6]]) & M
        v15 ^= v3; v15 = ((v15 >> 16) | (v15 << 16)) & M
        v11 = (v11 + v15) & M
        v7 ^= v11; v7 = ((v7 >> 12) | (v7 << 20)) & M
        v3 = (v3 + v7 + m[s[7]]) & M
        v15 ^= v3; v15 = ((v15 >> 8) | (v15 << 24)) & M
        v11 = (v11 + v15) & M
        v7 ^= v11; v7 = ((v7 >> 7) | (v7 << 25)) & M
        v0 = (v0 + v5 + m[s[8]]) & M
        v15 ^= v0; v15 = ((v15 >> 16) | (v15 << 16)) & M
        v10 = (v10 + v15) & M
        v5 ^= v10; v5 = ((v5 >> 12) | (v5 << 20)) & M
        v0 = (v0 + v5 + m[s[9]]) & M
        v15 ^= v0; v15 = ((v15 >> 8) | (v15 << 24)) & M
        v10 = (v10 + v15) & M
        v5 ^= v10; v5 = ((v5 >> 7) | (v5 << 25)) & M
        v1 = (v1 + v6 + m[s[10]]) & M
        v12 ^= v1; v12 = ((v12 >> 16) | (v12 << 16)) & M
        v11 = (v11 + v12) & M
        v6 ^= v11; v6 = ((v6 >> 12) | (v6 << 20)) & M
        v1 = (v1 + v6 + m[s[11]]) & M
        v12 ^= v1; v12 = ((v12 >> 8) | (v12 << 24)) & M
        v11 = (v11 + v12) & M
        v6 ^= v11; v6 = ((v6 >> 7) | (v6 << 25)) & M
        v2 = (v2 + v7 + m[s[12]]) & M
        v13 ^= v2; v13 = ((v13 >> 16) | (v13 << 16)) & M
        v8 = (v8 + v13) & M
        v7 ^= v8; v7 = ((v7 >> 12) | (v7 << 20)) & M
        v2 = (v2 + v7 + m[s[13]]) & M
        v13 ^= v2; v13 = ((v13 >> 8) | (v13 << 24)) & M
        v8 = (v8 + v13) & M
        v7 ^= v8; v7 = ((v7 >> 7) | (v7 << 25)) & M
        v3 = (v3 + v4 + m[s[14]]) & M
        v14 ^= v3; v14 = ((v14 >> 16) | (v14 << 16)) & M
        v9 = (v9 + v14) & M
        v4 ^= v9; v4 = ((v4 >> 12) | (v4 << 20)) & M
        v3 = (v3 + v4 + m[s[15]]) & M
        v14 ^= v3; v14 = ((v14 >> 8) | (v14 << 24)) & M
        v9 = (v9 + v14) & M
        v4 ^= v9; v4 = ((v4 >> 7) | (v4 << 25)) & M
    return [
        v0 ^ v8, v1 ^ v9, v2 ^ v10, v3 ^ v11, v4 ^ v12, v5 ^ v13, v6 ^ v14, v7 ^ v15,
        v8 ^ cv[0], v9 ^ cv[1], v10 ^ cv[2], v11 ^ cv[3], v12 ^ cv[4], v13 ^ cv[5], v14 ^ cv[6], v15 ^ cv[7],
    ]


class _Output:
    """The inputs of a compression not yet done: it becomes a chaining value or the root."""

    __slots__ = ("cv", "block", "counter", "block_len", "flags")

    def __init__(self, cv: tuple[int, ...], block: tuple[int, ...], counter: int, block_len: int, flags: int) -> None:
        self.cv = cv
        self.block = block
        self.counter = counter
        self.block_len = block_len
        self.flags = flags

    def chaining_value(self) -> tuple[int, ...]:
        return tuple(_compress(self.cv, self.block, self.counter, self.block_len, self.flags)[:8])

    def root_digest(self) -> bytes:
        words = _compress(self.cv, self.block, 0, self.block_len, self.flags | ROOT)
        return struct.pack("<8I", *words[:8])


def _chunk_output(data: bytes, start: int, end: int, counter: int) -> _Output:
    """Compresses every block of one chunk but the last; returns the last as an _Output."""
    cv: tuple[int, ...] = IV
    flags = CHUNK_START
    pos = start
    while end - pos > BLOCK_LEN:
        words = _WORDS.unpack_from(data, pos)
        cv = tuple(_compress(cv, words, counter, BLOCK_LEN, flags)[:8])
        flags = 0
        pos += BLOCK_LEN
    last = data[pos:end]
    block = _WORDS.unpack(last + b"\0" * (BLOCK_LEN - len(last)))
    return _Output(cv, block, counter, len(last), flags | CHUNK_END)


def _parent_output(left: tuple[int, ...], right: tuple[int, ...]) -> _Output:
    return _Output(IV, left + right, 0, BLOCK_LEN, PARENT)


def blake3_hex(data: bytes) -> str:
    """BLAKE3 of `data`, 64 lower-case hex digits (the same as the Node tool's blake3Hex)."""
    n = len(data)
    chunks = max(1, (n + CHUNK_LEN - 1) // CHUNK_LEN)
    stack: list[tuple[int, ...]] = []
    for index in range(chunks - 1):
        cv = _chunk_output(data, index * CHUNK_LEN, (index + 1) * CHUNK_LEN, index).chaining_value()
        # Merge completed subtrees: as many as there are trailing zero bits in the count.
        total = index + 1
        while total & 1 == 0:
            cv = _parent_output(stack.pop(), cv).chaining_value()
            total >>= 1
        stack.append(cv)
    output = _chunk_output(data, (chunks - 1) * CHUNK_LEN, n, chunks - 1)
    while stack:
        output = _parent_output(stack.pop(), output.chaining_value())
    return output.root_digest().hex()
