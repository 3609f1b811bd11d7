"""What one request means, decided the way the Node tool's planGeneration decides it:
which header (project-relative), which target, which compiler arguments, which writer
options, which store. Precedence per setting: argument > environment > the header's
config override > config > default; config lists come before argument lists, and a
header override replaces the config's list for that header."""
from __future__ import annotations

import os
from typing import Any, Dict, List, Mapping, Optional, Sequence

from . import globs
from .args import CompilerArgs, header_args
from .config import Config, ProjectContext, entry_matches, merge_overrides, Overrides
from .errors import ConfigError, InputError, UsageError
from .options import resolve_writer_options
from .target import detect_host_triple, normalize_triple


def env_value(env: Mapping[str, str], name: str) -> Optional[str]:
    """A set, non-empty environment variable (an empty one counts as unset)."""
    value = env.get(name)
    return None if value is None or value == "" else value


def resolve_store_dir(ctx: ProjectContext, flag: Optional[str], env: Mapping[str, str]) -> str:
    if flag is not None:
        if flag.strip() == "":
            raise UsageError("--store-dir was given an empty path", "pass a directory, or leave the flag out to use the default")
        return os.path.normpath(os.path.join(ctx.cwd, flag))
    from_env = env_value(env, "HEADERKIT_STORE_DIR")
    if from_env is not None:
        return os.path.normpath(os.path.join(ctx.cwd, from_env))
    if ctx.loaded is not None and ctx.loaded.config.store_dir is not None:
        return os.path.normpath(os.path.join(os.path.dirname(ctx.loaded.file), ctx.loaded.config.store_dir))
    return os.path.join(ctx.project_root, ".headerkit")


def resolve_target(ctx: ProjectContext, flag: Optional[str], env: Mapping[str, str]) -> str:
    if flag is not None:
        return normalize_triple(flag, "--target")
    from_env = env_value(env, "HEADERKIT_TARGET")
    if from_env is not None:
        return normalize_triple(from_env, "HEADERKIT_TARGET")
    if ctx.loaded is not None and ctx.loaded.config.target is not None:
        source = f"{ctx.loaded.key_path('target')} in {ctx.loaded.file}"
        try:
            return normalize_triple(ctx.loaded.config.target, source)
        except UsageError as error:
            # A bad value in a file is a config error (exit 1), not a usage error.
            raise ConfigError(ctx.loaded.file, error.message.replace(f" (from {source})", ""), key=ctx.loaded.key_path("target"), hint=error.hint) from None
    return detect_host_triple()


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off"}


def env_boolean(env: Mapping[str, str], name: str) -> Optional[bool]:
    raw = env_value(env, name)
    if raw is None:
        return None
    word = raw.strip().lower()
    if word in _TRUE:
        return True
    if word in _FALSE:
        return False
    raise UsageError(f"environment variable {name} has the value '{raw}', which is not a boolean", "use 1/true/yes/on or 0/false/no/off, or unset it")


def output_cache_disabled(config: Config, env: Mapping[str, str]) -> Optional[str]:
    """Why the Node tool would not read output entries here (it would run the writer), if so."""
    for variable, value, key in (("HEADERKIT_NO_CACHE", config.no_cache, "cache.no_cache"), ("HEADERKIT_NO_OUTPUT_CACHE", config.no_output_cache, "cache.no_output_cache")):
        from_env = env_boolean(env, variable)
        if from_env is True or (from_env is None and value):
            return f"the output cache is disabled ({variable if from_env else key})"
    return None


def _inside_root(absolute: str, root: str) -> Optional[str]:
    rel = os.path.relpath(os.path.realpath(absolute), os.path.realpath(root))
    if rel == "." or rel.startswith("..") or os.path.isabs(rel):
        return None
    return rel.replace(os.sep, "/")


def resolve_header(pattern: str, ctx: ProjectContext) -> str:
    """A header path (relative to the cwd) or a glob (relative to the project root) naming one header."""
    root = ctx.project_root
    if pattern.strip() == "":
        raise UsageError("an empty header path was given", "name a header file or a glob")
    if globs.is_glob(pattern):
        matches = sorted(globs.expand(pattern.replace(os.sep, "/"), root))
        if len(matches) != 1:
            raise UsageError(f"{pattern} matches {len(matches)} headers (relative to the project root {root})", "name exactly one header")
        return matches[0]
    absolute = os.path.normpath(os.path.join(ctx.cwd, pattern))
    if not os.path.exists(absolute):
        raise InputError(f"header not found: {pattern} (looked for {absolute})", "check the path; paths are relative to the current directory")
    if not os.path.isfile(absolute):
        raise InputError(f"not a file: {pattern}", 'name a header file, or a glob such as "include/**/*.h"')
    rel = _inside_root(absolute, root)
    if rel is None:
        raise InputError(f"header outside the project root: {pattern} (root is {root})",
                         "headers must live inside the project so cache keys are portable; copy the header into the project or run from its project")
    return rel


class Request:
    """One header through one writer, every input of its keys resolved."""

    def __init__(self, ctx: ProjectContext, header: str, writer: str, target: str, host_target: bool, args: CompilerArgs,
                 options: Dict[str, Any], store_dir: str, disabled: Optional[str]) -> None:
        self.ctx = ctx
        self.header = header  # project-relative POSIX path
        self.writer = writer
        self.target = target
        self.host_target = host_target  # the triple this machine builds for
        self.args = args
        self.options = options  # resolved, defaults applied
        self.store_dir = store_dir
        self.disabled = disabled  # why the output cache is off, if it is


def plan(ctx: ProjectContext, header: str, writer: str, env: Mapping[str, str], *, target: Optional[str] = None, store_dir: Optional[str] = None,
         include_dirs: Sequence[str] = (), defines: Sequence[str] = (), backend_args: Sequence[str] = (),
         writer_opt_flags: Sequence[str] = (), writer_options: Optional[Mapping[str, Any]] = None, header_is_relative: bool = False) -> Request:
    config = ctx.loaded.config if ctx.loaded else Config()
    if config.backend is not None and config.backend != "libclang":
        raise UsageError(f"unknown parser backend '{config.backend}' (from backend in {ctx.loaded.file if ctx.loaded else ''})", "known backends: libclang")
    rel = header if header_is_relative else resolve_header(header, ctx)
    if not header_is_relative and any(globs.compile_glob(p).match(rel) for p in config.exclude or []):
        raise UsageError(f"every header given (1) was excluded by exclude in {ctx.loaded.file if ctx.loaded else ''}",
                         "loosen the exclude globs, or name other headers")
    override: Overrides = merge_overrides([e for e in (config.headers or []) if entry_matches(e, rel)])
    if override.backend is not None and override.backend != "libclang":
        raise UsageError(f"unknown parser backend '{override.backend}' (from the headers entry for {rel} in {ctx.loaded.file if ctx.loaded else ''})", "known backends: libclang")
    flag_target = target if target is not None else env_value(env, "HEADERKIT_TARGET")
    if flag_target is None and override.target is not None:
        triple = normalize_triple(override.target, f"target of the headers entry for {rel} in {ctx.loaded.file if ctx.loaded else ''}")
    else:
        triple = resolve_target(ctx, target, env)
    args = header_args(
        override.defines if override.defines is not None else config.defines,
        override.include_dirs if override.include_dirs is not None else config.include_dirs,
        override.extra_args if override.extra_args is not None else config.backend_args,
        list(defines), list(include_dirs), list(backend_args), ctx.project_root, ctx.cwd)
    options = resolve_writer_options(writer, config.writer.get(writer), (override.writer_options or {}).get(writer), writer_opt_flags, writer_options)
    if isinstance(options.get("universal_targets"), list):
        # As the Node tool keys them: normalised, each once, sorted.
        options["universal_targets"] = sorted({normalize_triple(t, f"universal_targets of the {writer} writer") for t in options["universal_targets"]})
    return Request(ctx, rel, writer, triple, triple == detect_host_triple(), args, options,
                   resolve_store_dir(ctx, store_dir, env), output_cache_disabled(config, env))


def configured_outputs(ctx: ProjectContext) -> List[Dict[str, str]]:
    """Every configured header x writer with its output path (project-relative): what
    `headerkit` with no arguments writes, and what the build backend writes into the tree."""
    from .options import get_writer
    from .spec import DEFAULT_WRITER
    from .templates import render_template
    config = ctx.loaded.config if ctx.loaded else Config()
    root = ctx.project_root
    writers: List[str] = []
    for name in config.writers or [DEFAULT_WRITER]:
        if name not in writers:
            writers.append(name)
    for name in writers:
        get_writer(name)
    found = set()
    for entry in config.headers or []:
        if entry.form == "array" and globs.is_glob(entry.pattern):
            matches = globs.expand(entry.pattern.replace("\\", "/"), root)
            if not matches:
                raise InputError(f"no header matches {entry.pattern} (from the config headers, relative to the project root {root})", "globs are relative to the project root; check the pattern")
            found.update(matches)
        else:
            absolute = os.path.normpath(os.path.join(root, entry.pattern))
            if not os.path.isfile(absolute):
                raise InputError(f"header not found: {entry.pattern} (from the config headers, looked for {absolute})", "config paths are relative to the project root")
            rel = _inside_root(absolute, root)
            if rel is None:
                raise InputError(f"header outside the project root: {entry.pattern} (root is {root})", "copy the header into the project")
            found.add(rel)
    if config.exclude:
        patterns = [globs.compile_glob(p) for p in config.exclude]
        found = {p for p in found if not any(r.match(p) for r in patterns)}
    if not found:
        raise UsageError("no headers configured", "set headers in [tool.headerkit] / .headerkit.toml")
    out: List[Dict[str, str]] = []
    claimed: Dict[str, str] = {}
    for header in sorted(found):
        override = merge_overrides([e for e in (config.headers or []) if entry_matches(e, header)])
        for name in writers:
            spec = get_writer(name)
            template = (override.output or {}).get(name) or (config.output or {}).get(name) or spec["default_output_pattern"]
            path = render_template(template, header, f"output.{name}")
            owner = f"{header} ({name})"
            if path in claimed:
                raise UsageError(f"two outputs resolve to {path}: {claimed[path]} and {owner}", "give the writers different templates, for example with {stem} or {dir}")
            claimed[path] = owner
            out.append({"header": header, "writer": name, "path": path})
    return out
