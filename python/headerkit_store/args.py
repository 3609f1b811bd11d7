"""Compiler arguments as the key sees them (src/generate/args.ts): `-D`, `-I` and backend
arguments in the user's order, made absolute for the include scan and project-relative
(`@/include`) for the key, so a checkout anywhere gets the same key."""
from __future__ import annotations

import os
from typing import List, Optional, Sequence, Tuple

from .errors import UsageError

# Flags whose value is a path, joined (`-Idir`) or separate (`-I dir`).
_PATH_FLAGS = ("-I", "-iquote", "-isystem", "-idirafter", "-include", "-imacros", "--sysroot", "-isysroot")
_NOT_DASH_I = ("-include", "-imacros", "-iquote", "-isystem", "-idirafter", "-isysroot")


def split_path_flag(arg: str) -> Optional[Tuple[str, Optional[str]]]:
    for flag in _PATH_FLAGS:
        if arg == flag:
            return flag, None
        if flag == "--sysroot" and arg.startswith("--sysroot="):
            return flag, arg[len("--sysroot="):]
        if flag not in ("--sysroot", "-isysroot") and arg.startswith(flag) and len(arg) > len(flag):
            # `-include` must not be read as `-I nclude`.
            if flag == "-I" and arg.startswith(_NOT_DASH_I):
                continue
            return flag, arg[len(flag):]
    return None


def resolve(base: str, path: str) -> str:
    """Node's path.resolve: absolute and normalised, symlinks not followed."""
    return os.path.normpath(os.path.join(base, path))


def project_relative(path: str, root: str) -> Optional[str]:
    """POSIX path of `path` relative to `root`, or None when it lies outside (Node's path.relative)."""
    rel = os.path.relpath(resolve(root, path), resolve(root, "."))
    if rel == ".":
        return "."
    if rel.startswith("..") or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def to_clang_args(extra: Sequence[str], base: str) -> List[str]:
    """Backend arguments with their path values made absolute against `base`."""
    out: List[str] = []
    i = 0
    while i < len(extra):
        arg = extra[i]
        split = split_path_flag(arg)
        if split is None:
            out.append(arg)
            i += 1
            continue
        flag, value = split
        if value is None:
            i += 1
            if i >= len(extra):
                raise UsageError(f"backend argument '{arg}' needs a value", f"write it as {arg}<value> or give the value as the next --backend-arg")
            value = extra[i]
        out.append(f"--sysroot={resolve(base, value)}" if flag == "--sysroot" else f"{flag}{resolve(base, value)}")
        i += 1
    return out


class SearchPaths:
    """Where includes are searched: `quote` for "..." after the includer's directory,
    `angle` (-I) for both forms, `system` never scanned, `forced` read first (-include)."""

    def __init__(self) -> None:
        self.quote: List[str] = []
        self.angle: List[str] = []
        self.system: List[str] = []
        self.forced: List[str] = []


def search_paths(clang_args: Sequence[str]) -> SearchPaths:
    paths = SearchPaths()
    for arg in clang_args:
        split = split_path_flag(arg)
        if split is None or split[1] is None:
            continue
        flag, value = split
        if flag == "-I":
            paths.angle.append(value)
        elif flag == "-iquote":
            paths.quote.append(value)
        elif flag in ("-isystem", "-idirafter"):
            paths.system.append(value)
        elif flag in ("-include", "-imacros"):
            paths.forced.append(value)
    return paths


def key_args(clang_args: Sequence[str], root: str) -> List[str]:
    out: List[str] = []
    for arg in clang_args:
        split = split_path_flag(arg)
        if split is None or split[1] is None:
            out.append(arg)
            continue
        flag, value = split
        rel = project_relative(value, root)
        shown = value if rel is None else f"@/{rel}"
        out.append(f"--sysroot={shown}" if flag == "--sysroot" else f"{flag}{shown}")
    return out


class CompilerArgs:
    """Absolute arguments in the order clang gets them."""

    def __init__(self, defines: List[str], include_dirs: List[str], extra_args: List[str]) -> None:
        self.defines = defines
        self.include_dirs = include_dirs
        self.extra_args = extra_args

    def clang_args(self) -> List[str]:
        return [*(f"-D{d}" for d in self.defines), *(f"-I{d}" for d in self.include_dirs), *self.extra_args]

    def key_form(self, root: str) -> Tuple[List[str], List[str], List[str]]:
        """(defines, include dirs, args) as IR keys, slugs and metadata hold them."""
        dirs = []
        for d in self.include_dirs:
            rel = project_relative(d, root)
            dirs.append(d if rel is None else f"@/{rel}")
        return list(self.defines), dirs, key_args(self.extra_args, root)


def header_args(config_defines: Optional[List[str]], config_dirs: Optional[List[str]], config_args: Optional[List[str]],
                flag_defines: Sequence[str], flag_dirs: Sequence[str], flag_args: Sequence[str], root: str, cwd: str) -> CompilerArgs:
    """Config lists (already replaced by a header override where one applies) first, then flags'.
    Config paths are relative to the project root, flag paths to the cwd."""
    return CompilerArgs(
        defines=[*(config_defines or []), *flag_defines],
        include_dirs=[*(resolve(root, d) for d in (config_dirs or [])), *(resolve(cwd, d) for d in flag_dirs)],
        extra_args=[*to_clang_args(config_args or [], root), *to_clang_args(list(flag_args), cwd)],
    )
