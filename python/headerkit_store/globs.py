"""Glob patterns as the Node tool matches config `headers` and `exclude` (picomatch with
dot files included): `*` and `?` stay within one path segment, `**` spans segments,
`[...]` classes and `{a,b}` alternatives. Also the file walk that expands a pattern
under the project root (tinyglobby's role in the Node tool)."""
from __future__ import annotations

import os
import re
from typing import List, Pattern

_GLOB_CHARS = re.compile(r"[*?[]")


def is_glob(pattern: str) -> bool:
    return _GLOB_CHARS.search(pattern) is not None


def _translate(p: str) -> str:
    out = ""
    i = 0
    n = len(p)
    while i < n:
        c = p[i]
        if c == "*":
            if p.startswith("**", i):
                at_start = i == 0 or p[i - 1] == "/"
                j = i + 2
                if at_start and (j == n or p[j] == "/"):
                    if j == n:
                        out += ".*"
                        i = j
                    else:
                        out += "(?:.*/)?"
                        i = j + 1
                    continue
            out += "[^/]*"
            while i < n and p[i] == "*":
                i += 1
            continue
        if c == "?":
            out += "[^/]"
        elif c == "[":
            # picomatch negates with `^` only; `[!a]` is the class of `!` and `a` there.
            end = p.find("]", i + 2 if i + 1 < n and p[i + 1] == "^" else i + 1)
            if end == -1:
                out += re.escape(c)
            else:
                body = p[i + 1:end]
                out += "[" + body.replace("\\", "\\\\") + "]"
                i = end
        elif c == "{":
            depth, j = 1, i + 1
            while j < n and depth:
                depth += {"{": 1, "}": -1}.get(p[j], 0)
                j += 1
            if depth:
                out += re.escape(c)
            else:
                alternatives = _split_top(p[i + 1:j - 1])
                if len(alternatives) > 1:
                    out += "(?:" + "|".join(_translate(a) for a in alternatives) + ")"
                else:
                    out += re.escape("{" + alternatives[0] + "}")
                i = j
                continue
        else:
            out += re.escape(c)
        i += 1
    return out


def _split_top(text: str) -> List[str]:
    parts, depth, current = [], 0, ""
    for c in text:
        if c == "," and depth == 0:
            parts.append(current)
            current = ""
            continue
        depth += {"{": 1, "}": -1}.get(c, 0)
        current += c
    parts.append(current)
    return parts


def compile_glob(pattern: str) -> Pattern[str]:
    return re.compile(_translate(pattern.replace("\\", "/")) + r"\Z", re.S)


def _static_prefix(pattern: str) -> str:
    parts = pattern.split("/")
    fixed = []
    for part in parts[:-1]:
        if is_glob(part) or "{" in part:
            break
        fixed.append(part)
    return "/".join(fixed)


def expand(pattern: str, root: str) -> List[str]:
    """Project-relative POSIX paths of the files under `root` matching `pattern` (relative)."""
    regex = compile_glob(pattern)
    prefix = _static_prefix(pattern)
    start = os.path.join(root, prefix) if prefix else root
    found: List[str] = []
    for dirpath, dirnames, filenames in os.walk(start, followlinks=True):
        dirnames.sort()
        rel_dir = os.path.relpath(dirpath, root).replace(os.sep, "/")
        for name in filenames:
            rel = name if rel_dir == "." else f"{rel_dir}/{name}"
            if regex.match(rel) and os.path.isfile(os.path.join(dirpath, name)):
                found.append(rel)
    return found
