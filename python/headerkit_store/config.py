"""Project configuration, found and read as the Node tool does (src/config/):

* discovery from the cwd upwards: in each directory `.headerkit.toml` first, then
  `pyproject.toml` only when it has `[tool.headerkit]`; the walk stops after a directory
  holding `.git`, at the filesystem root or at the home directory;
* the project root is the config file's directory, else the nearest `.git` ancestor,
  else the cwd;
* `${VAR}` in every string value is expanded (an unset variable is an error);
* values are type-checked, naming the file and key of a bad one.
"""
from __future__ import annotations

import datetime
import json
import os
import re
from typing import Any, Dict, List, NoReturn, Optional, Tuple

from .errors import ConfigError, UsageError
from .globs import compile_glob, is_glob
from .toml import parse_text, read_text

KeyPath = List[Any]


# Plain classes, not dataclasses: importing dataclasses (and inspect) costs more than the
# rest of a warm read (bench/python-reader.ts).

class Overrides:
    """Per-header settings from the config's `headers` entries (both forms); None: not set."""

    def __init__(self) -> None:
        self.defines: Optional[List[str]] = None
        self.include_dirs: Optional[List[str]] = None
        self.extra_args: Optional[List[str]] = None
        self.backend: Optional[str] = None
        self.target: Optional[str] = None
        self.writer_options: Optional[Dict[str, Dict[str, Any]]] = None
        self.output: Optional[Dict[str, str]] = None


class HeaderEntry:
    def __init__(self, pattern: str, form: str, overrides: Overrides) -> None:
        self.pattern = pattern
        self.form = form  # "array" ([[headers]]) or "table" ([headers."path"])
        self.overrides = overrides


class Config:
    """The validated headerkit table; None: not configured."""

    def __init__(self) -> None:
        self.backend: Optional[str] = None
        self.writers: Optional[List[str]] = None
        self.include_dirs: Optional[List[str]] = None
        self.defines: Optional[List[str]] = None
        self.backend_args: Optional[List[str]] = None
        self.target: Optional[str] = None
        self.store_dir: Optional[str] = None
        self.exclude: Optional[List[str]] = None
        self.headers: Optional[List[HeaderEntry]] = None
        self.output: Optional[Dict[str, str]] = None
        self.no_cache: Optional[bool] = None
        self.no_ir_cache: Optional[bool] = None
        self.no_output_cache: Optional[bool] = None
        self.writer: Dict[str, Dict[str, Any]] = {}
        self.build: Dict[str, Any] = {}


class Loaded:
    def __init__(self, file: str, kind: str, config: Config, warnings: Optional[List[str]] = None) -> None:
        self.file = file
        self.kind = kind  # "headerkit.toml" or "pyproject"
        self.config = config
        # "file: key: message" lines, as the Node tool prints them after "Warning: "
        # (without its line numbers).
        self.warnings: List[str] = warnings or []

    def key_path(self, *keys: str) -> str:
        return ".".join((["tool", "headerkit"] if self.kind == "pyproject" else []) + list(keys))


class ProjectContext:
    def __init__(self, cwd: str, project_root: str, loaded: Optional[Loaded]) -> None:
        self.cwd = cwd
        self.project_root = project_root
        self.loaded = loaded


# ---------------------------------------------------------------- discovery

def _has_git(d: str) -> bool:
    return os.path.exists(os.path.join(d, ".git"))


def _walk_up(start: str, home: str):
    d = os.path.abspath(start)
    while True:
        yield d
        parent = os.path.dirname(d)
        if _has_git(d) or parent == d or d == home:
            return
        d = parent


_HEADERKIT_SECTION = re.compile(r"^\s*\[\s*tool\s*\.\s*headerkit\s*[.\]]", re.M)


def _pyproject_has_headerkit(file: str) -> bool:
    try:
        text = read_text(file)
    except ConfigError:
        return False
    try:
        tool = parse_text(text, file).get("tool")
    except ConfigError:
        # An unparsable pyproject is passed over unless it visibly configures headerkit.
        if _HEADERKIT_SECTION.search(text):
            raise
        return False
    return isinstance(tool, dict) and "headerkit" in tool


def _home(home: Optional[str]) -> str:
    return os.path.abspath(home if home is not None else os.path.expanduser("~"))


def find_config_file(cwd: str, home: Optional[str] = None) -> Optional[Tuple[str, str, Optional[str]]]:
    """(file, kind, a pyproject.toml with [tool.headerkit] it shadows) or None."""
    for d in _walk_up(cwd, _home(home)):
        headerkit_toml = os.path.join(d, ".headerkit.toml")
        pyproject = os.path.join(d, "pyproject.toml")
        if os.path.isfile(headerkit_toml):
            shadowed = None
            try:
                if os.path.isfile(pyproject) and _pyproject_has_headerkit(pyproject):
                    shadowed = pyproject
            except ConfigError:
                pass
            return headerkit_toml, "headerkit.toml", shadowed
        if os.path.isfile(pyproject) and _pyproject_has_headerkit(pyproject):
            return pyproject, "pyproject", None
    return None


def find_project_root(cwd: str, config_file: Optional[str], home: Optional[str] = None) -> str:
    if config_file is not None:
        return os.path.dirname(os.path.abspath(config_file))
    for d in _walk_up(cwd, _home(home)):
        if _has_git(d):
            return d
    return os.path.abspath(cwd)


def load_project_context(cwd: Optional[str] = None, config_path: Optional[str] = None, no_config: bool = False,
                         env: Optional[Dict[str, str]] = None, home: Optional[str] = None) -> ProjectContext:
    here = os.path.abspath(cwd or os.getcwd())
    environ = dict(os.environ) if env is None else env
    if config_path is not None and no_config:
        raise UsageError("--config and --no-config are mutually exclusive", "pass one of them")
    if no_config:
        return ProjectContext(here, find_project_root(here, None, home), None)
    if config_path is not None:
        if config_path.strip() == "":
            raise UsageError("--config was given an empty path", "pass the path of a .headerkit.toml or pyproject.toml")
        file = os.path.join(here, config_path)
        kind = "pyproject" if os.path.basename(file) == "pyproject.toml" else "headerkit.toml"
        loaded = load_config_file(os.path.normpath(file), kind, environ)
        return ProjectContext(here, find_project_root(here, loaded.file, home), loaded)
    found = find_config_file(here, home)
    if found is None:
        return ProjectContext(here, find_project_root(here, None, home), None)
    loaded = load_config_file(found[0], found[1], environ)
    if found[2] is not None:
        loaded.warnings.insert(0, f"{found[2]}: tool.headerkit: ignored: {loaded.file} is in the same directory and takes precedence")
    return ProjectContext(here, find_project_root(here, loaded.file, home), loaded)


# ---------------------------------------------------------------- loading

def format_key_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            bare = part if re.fullmatch(r"[A-Za-z0-9_-]+", part) else _js_string(part)
            out += bare if out == "" else f".{bare}"
    return out


def _js_string(text: str) -> str:
    """JSON.stringify of a string, as the Node tool quotes keys and values in messages."""
    return json.dumps(text, ensure_ascii=False)


_REFERENCE = re.compile(r"\$\{([^}]*)\}")


def _expand(node: Any, env: Dict[str, str], file: str, path: KeyPath) -> Any:
    if isinstance(node, str):
        def sub(m: "re.Match[str]") -> str:
            name = m.group(1)
            if name not in env:
                raise ConfigError(file, f"environment variable '{name}' is not set (referenced as ${{{name}}})", key=format_key_path(path),
                                  hint=f"set {name} in the environment, or change the value")
            return env[name]
        return _REFERENCE.sub(sub, node)
    if isinstance(node, list):
        return [_expand(item, env, file, [*path, i]) for i, item in enumerate(node)]
    if isinstance(node, dict):
        return {k: _expand(v, env, file, [*path, k]) for k, v in node.items()}
    return node


def load_config_file(file: str, kind: str, env: Dict[str, str]) -> Loaded:
    file = os.path.abspath(file)
    doc = parse_text(read_text(file), file)
    base: KeyPath = ["tool", "headerkit"] if kind == "pyproject" else []
    if kind == "pyproject":
        tool = doc.get("tool")
        section = tool.get("headerkit", {}) if isinstance(tool, dict) else {}
    else:
        section = doc
    value = _expand(section, env, file, base)
    validator = _Validator(file, base)
    config = validator.config(value)
    return Loaded(file, kind, config, validator.warnings)


def _toml_type(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, str):
        return "string"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "float"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "table"
    if isinstance(value, (datetime.date, datetime.time)):
        return "date-time"
    return type(value).__name__


def _describe(value: Any) -> str:
    kind = _toml_type(value)
    if kind == "string":
        text = value if len(value) <= 40 else value[:37] + "..."
        return f"string {_js_string(text)}"
    if kind == "boolean":
        return f"boolean {'true' if value else 'false'}"
    if kind in ("integer", "float"):
        return f"{kind} {int(value) if kind == 'integer' else value}"
    return kind


_TOP_KEYS = ("backend", "writers", "include_dirs", "defines", "backend_args", "plugins", "target", "store_dir", "exclude", "headers", "output", "cache",
             "writer", "build", "auto_install_libclang")
_OVERRIDE_KEYS = ("defines", "include_dirs", "extra_args", "backend", "target", "writer_options", "output")
_CACHE_KEYS = ("no_cache", "no_ir_cache", "no_output_cache", "populate")
_POPULATE_KEYS = ("platforms", "python_versions", "timeout", "concurrency", "images", "hosts", "engine", "engines")


def _distance(a: str, b: str) -> int:
    row = list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        prev, row[0] = row[0], i
        for j in range(1, len(b) + 1):
            saved = row[j]
            row[j] = min(row[j] + 1, row[j - 1] + 1, prev + (0 if a[i - 1] == b[j - 1] else 1))
            prev = saved
    return row[len(b)]


class _Validator:
    def __init__(self, file: str, base: KeyPath) -> None:
        self.file = file
        self.base = base
        self.warnings: List[str] = []

    def warn(self, path: KeyPath, message: str) -> None:
        self.warnings.append(f"{self.file}: {format_key_path([*self.base, *path])}: {message}")

    def unknown_keys(self, table: Dict[str, Any], path: KeyPath, known: Tuple[str, ...]) -> None:
        for key in table:
            if key in known:
                continue
            close = sorted((k for k in known if _distance(k, key) <= 2), key=lambda k: _distance(k, key))
            self.warn([*path, key], "unknown key, ignored" + (f" (did you mean '{close[0]}'?)" if close else ""))

    def positive_integer(self, value: Any, path: KeyPath) -> int:
        if isinstance(value, bool) or not isinstance(value, int):
            self.expected(path, "a positive integer", value)
        if value <= 0:
            self.fail(path, f"expected a positive integer, found {value}")
        return value

    def populate(self, value: Any, path: KeyPath) -> None:
        """Checked as the Node tool checks it (a bad value fails every run there), then unused."""
        table = self.table(value, path)
        for key in ("platforms", "python_versions"):
            if key in table:
                self.string_list(table[key], [*path, key], True)
        for key in ("timeout", "concurrency"):
            if key in table:
                self.positive_integer(table[key], [*path, key])
        if "images" in table:
            self.string_table(table["images"], [*path, "images"], "platform -> image")
        if "hosts" in table:
            self.string_table(table["hosts"], [*path, "hosts"], "platform -> Docker endpoint")
        if "engine" in table and table["engine"] not in ("docker", "sysroot", "auto"):
            self.fail([*path, "engine"], f"unknown engine {_js_string(table['engine']) if isinstance(table['engine'], str) else table['engine']}", 'use "auto", "docker" or "sysroot"')
        if "engines" in table:
            self.string_table(table["engines"], [*path, "engines"], "platform -> engine")
            for key, engine in table["engines"].items():
                if engine not in ("docker", "sysroot", "auto"):
                    self.fail([*path, "engines", key], f"unknown engine {_js_string(engine)}", 'use "auto", "docker" or "sysroot"')
        self.unknown_keys(table, path, _POPULATE_KEYS)

    def fail(self, path: KeyPath, message: str, hint: Optional[str] = None) -> NoReturn:
        raise ConfigError(self.file, message, key=format_key_path([*self.base, *path]), hint=hint)

    def expected(self, path: KeyPath, what: str, value: Any, hint: Optional[str] = None) -> NoReturn:
        self.fail(path, f"expected {what}, found {_describe(value)}", hint)

    def string(self, value: Any, path: KeyPath, non_empty: bool = False) -> str:
        if not isinstance(value, str):
            self.expected(path, "a string", value, "quote the value to make it a string" if isinstance(value, (int, float)) and not isinstance(value, bool) else None)
        if non_empty and value.strip() == "":
            self.fail(path, "expected a non-empty string, found an empty one")
        return value

    def string_list(self, value: Any, path: KeyPath, non_empty: bool = False) -> List[str]:
        if not isinstance(value, list):
            self.expected(path, "an array of strings", value, f"write it as a list: [{_js_string(value)}]" if isinstance(value, str) else None)
        return [self.string(item, [*path, i], non_empty) for i, item in enumerate(value)]

    def boolean(self, value: Any, path: KeyPath) -> bool:
        if not isinstance(value, bool):
            self.expected(path, "a boolean (true or false, unquoted)", value)
        return value

    def table(self, value: Any, path: KeyPath, what: str = "a table") -> Dict[str, Any]:
        if not isinstance(value, dict):
            self.expected(path, what, value)
        return value

    def string_table(self, value: Any, path: KeyPath, what: str) -> Dict[str, str]:
        table = self.table(value, path, f"a table of {what}")
        return {k: self.string(v, [*path, k], True) for k, v in table.items()}

    def writer_value(self, value: Any, path: KeyPath) -> Any:
        if isinstance(value, (str, bool, float)):
            return value
        if isinstance(value, int):
            if abs(value) > 2 ** 53 - 1:
                self.fail(path, f"integer {value} is too large")
            return value
        if isinstance(value, list):
            return [self.writer_value(item, [*path, i]) for i, item in enumerate(value)]
        if isinstance(value, dict):
            return self.writer_options(value, path)
        if isinstance(value, datetime.datetime) and value.tzinfo is not None:
            # Node keeps a TOML date as Date.toISOString(): UTC, milliseconds, "Z".
            utc = value.astimezone(datetime.timezone.utc)
            return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"
        self.expected(path, "a string, number, boolean, array or table", value)

    def writer_options(self, value: Any, path: KeyPath) -> Dict[str, Any]:
        table = self.table(value, path, "a table of writer options")
        return {k: self.writer_value(v, [*path, k]) for k, v in table.items()}

    def overrides(self, table: Dict[str, Any], path: KeyPath, skip: Tuple[str, ...] = ()) -> Overrides:
        out = Overrides()
        if "defines" in table:
            out.defines = self.string_list(table["defines"], [*path, "defines"], True)
        if "include_dirs" in table:
            out.include_dirs = self.string_list(table["include_dirs"], [*path, "include_dirs"], True)
        if "extra_args" in table:
            out.extra_args = self.string_list(table["extra_args"], [*path, "extra_args"], True)
        if "backend" in table:
            out.backend = self.string(table["backend"], [*path, "backend"], True)
        if "target" in table:
            out.target = self.string(table["target"], [*path, "target"], True)
        if "writer_options" in table:
            writers = self.table(table["writer_options"], [*path, "writer_options"], "a table of writer name -> options table")
            out.writer_options = {name: self.writer_options(opts, [*path, "writer_options", name]) for name, opts in writers.items()}
        if "output" in table:
            out.output = self.string_table(table["output"], [*path, "output"], "writer name -> output template")
        if "backend_args" in table:
            self.warn([*path, "backend_args"], "per-header overrides use 'extra_args', not 'backend_args'; ignored")
        self.unknown_keys(table, path, (*_OVERRIDE_KEYS, *skip, "backend_args"))
        return out

    def headers(self, value: Any) -> List[HeaderEntry]:
        hint = 'use [[headers]] with pattern = "include/**/*.h", or [headers."include/a.h"] with per-header overrides'
        if isinstance(value, list):
            entries = []
            for i, item in enumerate(value):
                table = self.table(item, ["headers", i], "a table with a pattern key ([[headers]])")
                if "pattern" not in table:
                    self.fail(["headers", i], "missing the required key 'pattern'", 'add pattern = "include/**/*.h" to this [[headers]] entry')
                pattern = self.string(table["pattern"], ["headers", i, "pattern"], True)
                entries.append(HeaderEntry(pattern, "array", self.overrides(table, ["headers", i], ("pattern",))))
            return entries
        if isinstance(value, dict):
            entries = []
            for pattern, item in value.items():
                if not isinstance(item, dict):
                    self.expected(["headers", pattern], f"a table of overrides for header '{pattern}'", item, hint)
                if pattern.strip() == "":
                    self.fail(["headers", pattern], "header path is empty")
                entries.append(HeaderEntry(pattern, "table", self.overrides(item, ["headers", pattern])))
            return entries
        self.expected(["headers"], 'an array of tables ([[headers]]) or a table keyed by header path ([headers."include/a.h"])', value, hint)

    def config(self, root: Any) -> Config:
        root = self.table(root, [], "a table")
        out = Config()
        if "backend" in root:
            out.backend = self.string(root["backend"], ["backend"], True)
        if "writers" in root:
            out.writers = self.string_list(root["writers"], ["writers"], True)
            for i, name in enumerate(out.writers):
                if ":" in name:
                    self.fail(["writers", i], f"expected a bare writer name, found {_js_string(name)}", "write the name only (cffi); output paths go in [output]")
        for key in ("include_dirs", "defines", "backend_args", "exclude"):
            if key in root:
                setattr(out, key, self.string_list(root[key], [key], True))
        if "plugins" in root:
            self.string_list(root["plugins"], ["plugins"], True)
        for key in ("target", "store_dir"):
            if key in root:
                setattr(out, key, self.string(root[key], [key], True))
        if "headers" in root:
            out.headers = self.headers(root["headers"])
        if "output" in root:
            out.output = self.string_table(root["output"], ["output"], "writer name -> output template")
        if "cache" in root:
            cache = self.table(root["cache"], ["cache"])
            for key in ("no_cache", "no_ir_cache", "no_output_cache"):
                if key in cache:
                    setattr(out, key, self.boolean(cache[key], ["cache", key]))
            if "populate" in cache:
                self.populate(cache["populate"], ["cache", "populate"])
            self.unknown_keys(cache, ["cache"], (*_CACHE_KEYS, "store_dir"))
            if "store_dir" in cache:
                self.warn(["cache", "store_dir"], "store_dir belongs at the top level of the headerkit table, not in [cache]; ignored")
        if "writer" in root:
            writers = self.table(root["writer"], ["writer"], "a table of [writer.NAME] tables")
            out.writer = {name: self.writer_options(opts, ["writer", name]) for name, opts in writers.items()}
        if "build" in root:
            # [tool.headerkit.build]: read by headerkit_store.build_backend only.
            build = self.table(root["build"], ["build"])
            if "backend" in build:
                self.string(build["backend"], ["build", "backend"], True)
            out.build = build
        if "auto_install_libclang" in root:
            self.warn(["auto_install_libclang"], "not supported by headerkit for Node (libclang comes from the system); ignored")
        self.unknown_keys(root, [], _TOP_KEYS)
        return out


# ---------------------------------------------------------------- headers and overrides

def entry_matches(entry: HeaderEntry, header: str) -> bool:
    pattern = entry.pattern.replace("\\", "/")
    if pattern.startswith("./"):
        pattern = pattern[2:]
    if entry.form == "table" or not is_glob(pattern):
        return pattern == header
    return compile_glob(pattern).match(header) is not None


def merge_overrides(entries: List[HeaderEntry]) -> Overrides:
    """Later entries win per key (Object.assign over the entries in config order)."""
    merged = Overrides()
    for entry in entries:
        for name, value in vars(entry.overrides).items():
            if value is not None:
                setattr(merged, name, value)
    return merged
