"""Output path templates (src/generate/templates.ts): `{stem}`, `{name}`, `{dir}`, and
`{{`/`}}` for literal braces; a result outside the project root is refused."""
from __future__ import annotations

import posixpath

from .errors import InputError, UsageError

FIELDS = ("stem", "name", "dir")


def _expand(template: str, values: dict, source: str) -> str:
    out = ""
    i = 0
    while i < len(template):
        c = template[i]
        nxt = template[i + 1] if i + 1 < len(template) else ""
        if c == "{" and nxt == "{":
            out += "{"
            i += 2
            continue
        if c == "}" and nxt == "}":
            out += "}"
            i += 2
            continue
        if c == "{":
            end = template.find("}", i)
            if end == -1:
                raise UsageError(f"unclosed '{{' in output template '{template}' (from {source})", "use {stem}, {name} or {dir}; write {{ for a literal brace")
            name = template[i + 1:end]
            if name not in FIELDS:
                raise UsageError(f"unknown template variable '{{{name}}}' in output template '{template}' (from {source})", "the variables are {stem}, {name} and {dir}")
            out += values[name]
            i = end + 1
            continue
        if c == "}":
            raise UsageError(f"unmatched '}}' in output template '{template}' (from {source})", "write }} for a literal brace")
        out += c
        i += 1
    return out


def render_template(template: str, header: str, source: str) -> str:
    """The normalised project-relative POSIX path for `header`."""
    name = posixpath.basename(header)
    dot = name.rfind(".")
    stem = name[:dot] if dot > 0 else name
    expanded = _expand(template, {"stem": stem, "name": name, "dir": posixpath.dirname(header) or "."}, source)
    if expanded == "":
        raise UsageError(f"output template '{template}' (from {source}) gives an empty path")
    normalised = posixpath.normpath(expanded)
    if posixpath.isabs(normalised) or normalised == ".." or normalised.startswith("../"):
        raise InputError(f"output template '{template}' (from {source}) writes {expanded}, outside the project", "write outputs inside the project root")
    return normalised
