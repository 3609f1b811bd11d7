"""The include closure of a header, found the way the Node tool finds it
(src/generate/deps.ts): `#include` lines scanned through every `#if` branch and resolved
like clang (the including file's directory for quotes, then -iquote, then -I). Files
outside the project or under -isystem/-idirafter are system state and not followed.
Each file is identified by the SHA-256 of its bytes with line endings normalised."""
from __future__ import annotations

import hashlib
import os
import re
from collections import deque
from typing import Dict, List, Optional, Tuple

from .args import SearchPaths, project_relative, resolve

# A directive is `#include "x.h"` / `<x.h>` (also include_next, import) with only spaces
# and tabs before the `#` on its line. The Node tool matches `^[ \t]*#...` in multiline
# mode, where a line starts after \n, \r, U+2028 or U+2029; searching for the `#` part and
# checking what precedes it is the same test, and much faster on big headers.
_DIRECTIVE = re.compile(r'#[ \t]*(?:include|include_next|import)[ \t]*(?:"([^"\n]+)"|<([^>\n]+)>)')
_LINE_BREAKS = "\n\r\u2028\u2029"
_BLOCK_COMMENT = re.compile(r"/\*.*?\*/", re.S)


def normalize_newlines(data: bytes) -> bytes:
    """CRLF and lone CR become LF, so Windows and Unix checkouts hash the same."""
    if b"\r" not in data:
        return data
    return data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")


def source_sha256(data: bytes) -> str:
    return hashlib.sha256(normalize_newlines(data)).hexdigest()


def scan_includes(text: str) -> Tuple[List[str], List[str]]:
    """(quoted, angled) include names, skipping directives inside block comments."""
    quoted: List[str] = []
    angled: List[str] = []
    # Block comments are found left to right, only as far as the directives go.
    comments = _BLOCK_COMMENT.finditer(text) if "/*" in text else iter(())
    comment = next(comments, None)
    for match in _DIRECTIVE.finditer(text):
        line_start = match.start()
        while line_start > 0 and text[line_start - 1] in " \t":
            line_start -= 1
        if line_start > 0 and text[line_start - 1] not in _LINE_BREAKS:
            continue
        # The Node tool's match starts at the line's indentation: that is where it is judged.
        while comment is not None and comment.end() <= line_start:
            comment = next(comments, None)
        if comment is not None and comment.start() <= line_start:
            continue
        if match.group(1) is not None:
            quoted.append(match.group(1))
        else:
            angled.append(match.group(2))
    return quoted, angled


def _is_under(path: str, dirs: List[str]) -> bool:
    return any(project_relative(path, d) is not None for d in dirs)


def include_closure(header: str, root: str, paths: SearchPaths, header_bytes: Optional[bytes] = None) -> List[Tuple[str, str]]:
    """Project-relative (path, sha256) of every project-local file `header` (absolute) can
    reach, the header itself excluded, sorted by path."""
    seen: Dict[str, str] = {}
    queue = deque([header, *(resolve(os.getcwd(), f) for f in paths.forced)])
    visited = set()

    def project_local(file: str) -> bool:
        return project_relative(file, root) is not None and not _is_under(file, paths.system)

    def resolve_include(name: str, origin: str, quoted: bool) -> Optional[str]:
        dirs = [os.path.dirname(origin), *paths.quote, *paths.angle] if quoted else paths.angle
        for d in dirs:
            candidate = resolve(d, name)
            if os.path.isfile(candidate):
                return candidate
        return None

    while queue:
        file = queue.popleft()
        if file in visited:
            continue
        visited.add(file)
        if file == header and header_bytes is not None:
            data = header_bytes
        else:
            try:
                with open(file, "rb") as f:
                    data = f.read()
            except OSError:
                continue  # a forced include that does not exist: the parse reports it
        if file != header and project_local(file):
            seen[file] = source_sha256(data)
        quoted, angled = scan_includes(data.decode("utf-8", errors="replace"))
        for names, is_quoted in ((quoted, True), (angled, False)):
            for name in names:
                target = resolve_include(name, file, is_quoted)
                if target is not None and project_local(target) and target not in visited:
                    queue.append(target)
    out = [(project_relative(abs_path, root) or "", digest) for abs_path, digest in seen.items()]
    return sorted(out)
