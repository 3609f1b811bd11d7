"""Writer options made typed and canonical as the Node tool does (src/writers/options.ts):
defaults from the writer's schema (spec.json), then config `[writer.NAME]`, then the
header's override, then `--writer-opt` flags, then values passed to load(). The result's
canonical JSON is the writer-options part of the output key, so `{}` and `{indent: 2}`
for the json writer are the same options."""
from __future__ import annotations

import json
import re
from typing import Any, Dict, List, Mapping, Optional, Sequence, Tuple

from .errors import HeaderkitStoreError, UsageError
from .spec import WRITERS


class WriterOptionError(HeaderkitStoreError):
    pass


def get_writer(name: str) -> Dict[str, Any]:
    spec = WRITERS.get(name)
    if spec is None:
        # Plugin writers (config `plugins`) live in the Node tool only: their cache
        # versions and option schemas are unknown here, so their keys cannot be computed.
        raise WriterOptionError(f"Unknown writer: '{name}'. Available: {', '.join(sorted(WRITERS))}",
                                "headerkit_store knows the built-in writers only; plugin writers need the Node tool")
    return spec


def parse_writer_opt(item: str) -> Tuple[str, str, str]:
    colon = item.find(":")
    if colon < 0:
        raise WriterOptionError(f"unscoped --writer-opt: '{item}'; use WRITER:KEY=VALUE format")
    rest = item[colon + 1:]
    eq = rest.find("=")
    if eq < 0:
        raise WriterOptionError(f"malformed --writer-opt: '{item}'; expected WRITER:KEY=VALUE")
    writer, key = item[:colon], rest[:eq]
    if not writer or not key:
        raise WriterOptionError(f"malformed --writer-opt: '{item}'; expected WRITER:KEY=VALUE")
    return writer, key, rest[eq + 1:]


def _type_name(spec: Dict[str, Any]) -> str:
    t = spec["type"]
    if t == "enum":
        return "one of " + ", ".join(json.dumps(v) for v in spec.get("values", []))
    if t == "string-list":
        return "a list of strings"
    return "an integer" if t == "integer" else f"a {t}"


def _show(value: Any) -> str:
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list):
        return "[" + ", ".join(_show(v) for v in value) + "]"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _wrong(writer: str, key: str, spec: Dict[str, Any], value: Any, source: str) -> WriterOptionError:
    return WriterOptionError(f"{writer} writer option '{key}' (from {source}) must be {_type_name(spec)}, got {_show(value)}")


def _as_integer(value: Any) -> Optional[int]:
    """JavaScript has one number type: 2.0 from TOML is the integer 2 there."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int) and abs(value) <= 2 ** 53 - 1:
        return value
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2 ** 53 - 1:
        return int(value)
    return None


def _check_range(writer: str, key: str, spec: Dict[str, Any], value: int, source: str) -> int:
    lo, hi = spec.get("min"), spec.get("max")
    if (lo is not None and value < lo) or (hi is not None and value > hi):
        rng = f">= {lo}" if hi is None else f"<= {hi}" if lo is None else f"{lo}..{hi}"
        raise WriterOptionError(f"{writer} writer option '{key}' (from {source}) must be an integer {rng}, got {value}")
    return value


def _from_typed(writer: str, key: str, spec: Dict[str, Any], value: Any, source: str) -> Any:
    t = spec["type"]
    if t == "string" and isinstance(value, str):
        return value
    if t == "boolean" and isinstance(value, bool):
        return value
    if t == "integer":
        n = _as_integer(value)
        if n is not None:
            return _check_range(writer, key, spec, n, source)
    if t == "string-list":
        if isinstance(value, str):
            return [value]
        if isinstance(value, (list, tuple)) and all(isinstance(v, str) for v in value):
            return list(value)
    if t == "enum" and isinstance(value, str) and value in spec.get("values", []):
        return value
    if t == "ir":
        raise WriterOptionError(f"{writer} writer option '{key}' (from {source}) takes an IR, which headerkit_store cannot use", "run the Node tool for this writer")
    raise _wrong(writer, key, spec, value, source)


_TRUE = {"true", "1", "yes", "on"}
_FALSE = {"false", "0", "no", "off"}


def _from_flags(writer: str, key: str, spec: Dict[str, Any], values: List[str]) -> Any:
    source = "--writer-opt"
    if spec["type"] == "string-list":
        return values
    if len(values) > 1:
        raise WriterOptionError(f"{writer} writer option '{key}' (from --writer-opt) was given {len(values)} times but takes one value")
    text = values[0]
    if spec["type"] == "boolean":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise _wrong(writer, key, spec, text, source)
    if spec["type"] == "integer":
        if re.fullmatch(r"[+-]?\d+", text.strip()) and abs(int(text)) <= 2 ** 53 - 1:
            return _check_range(writer, key, spec, int(text), source)
        raise _wrong(writer, key, spec, text, source)
    return _from_typed(writer, key, spec, text, source)


def _unknown(writer: str, options: Dict[str, Any], key: str, source: str) -> WriterOptionError:
    known = sorted(options)
    hint = f"known options: {', '.join(known)}" if known else f"the {writer} writer takes no options"
    return WriterOptionError(f"unknown option '{key}' for the {writer} writer (from {source})", hint)


def resolve_writer_options(writer: str, config: Optional[Mapping[str, Any]] = None, override: Optional[Mapping[str, Any]] = None,
                           flags: Sequence[str] = (), api: Optional[Mapping[str, Any]] = None) -> Dict[str, Any]:
    spec = get_writer(writer)
    schema: Dict[str, Any] = spec["options"]
    out: Dict[str, Any] = {}
    for key, opt in schema.items():
        if "default" in opt:
            default = opt["default"]
            out[key] = list(default) if isinstance(default, list) else default

    def typed_layer(values: Optional[Mapping[str, Any]], source: str) -> None:
        for key, value in (values or {}).items():
            opt = schema.get(key)
            if opt is None:
                raise _unknown(writer, schema, key, source)
            if value is None:
                continue
            out[key] = _from_typed(writer, key, opt, value, source)

    typed_layer(config, f"config [writer.{writer}]")
    typed_layer(override, "per-header override")
    grouped: Dict[str, List[str]] = {}
    for raw in flags:
        w, key, value = parse_writer_opt(raw)
        if w != writer:
            continue
        if key not in schema:
            raise _unknown(writer, schema, key, "--writer-opt")
        grouped.setdefault(key, []).append(value)
    for key, values in grouped.items():
        out[key] = _from_flags(writer, key, schema[key], values)
    typed_layer(api, "API")
    return out


def check_writer_opt_flags(flags: Sequence[str]) -> None:
    """Every flag is well-formed and names a known writer (before anything is read)."""
    for raw in flags:
        try:
            parse_writer_opt(raw)
        except WriterOptionError as error:
            raise UsageError(error.message) from None
