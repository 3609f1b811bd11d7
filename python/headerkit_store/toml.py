"""TOML reading: tomllib (Python >= 3.11) or its backport tomli (declared as a dependency
for 3.9 and 3.10 only). A syntax error names the file and the line, like the Node tool."""
from __future__ import annotations

import sys
from typing import Any, Dict

from .errors import ConfigError, HeaderkitStoreError


def _toml(path: str):  # type: ignore[no-untyped-def]
    """tomllib, or tomli before 3.11; imported only when a TOML file is read, so a run
    without a config (flags only) works even where tomli is not installed."""
    if sys.version_info >= (3, 11):
        import tomllib
        return tomllib
    try:
        import tomli
    except ImportError:
        raise HeaderkitStoreError(f"cannot read {path}: Python {sys.version_info[0]}.{sys.version_info[1]} needs the tomli package to read TOML",
                                  "pip install tomli (headerkit-store declares it as a dependency for Python < 3.11)") from None
    return tomli


def read_text(path: str) -> str:
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        raise ConfigError(path, "file not found", hint="check the path, or run without --config to use discovery") from None
    except IsADirectoryError:
        raise ConfigError(path, "is a directory, not a TOML file", hint="pass the path of a .toml file") from None
    except PermissionError:
        raise ConfigError(path, "cannot read the file (permission denied)", hint="make it readable") from None
    except OSError as error:
        raise ConfigError(path, f"cannot read the file: {error.strerror or error}") from None


def parse_text(text: str, path: str) -> Dict[str, Any]:
    toml = _toml(path)
    try:
        return toml.loads(text)
    except toml.TOMLDecodeError as error:
        # tomllib's message ends with "(at line L, column C)".
        raise ConfigError(path, f"TOML syntax error: {error}", hint="fix the TOML at that position") from None
