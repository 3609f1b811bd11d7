"""TOML reading: tomllib (Python >= 3.11) or its backport tomli (declared as a dependency
for 3.9 and 3.10 only). A syntax error names the file and the line, like the Node tool."""
from __future__ import annotations

import sys
from typing import Any, Dict

from .errors import ConfigError

if sys.version_info >= (3, 11):
    import tomllib as _toml
else:  # pragma: no cover - exercised on 3.9/3.10 only
    import tomli as _toml


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
    try:
        return _toml.loads(text)
    except _toml.TOMLDecodeError as error:
        # tomllib's message ends with "(at line L, column C)".
        raise ConfigError(path, f"TOML syntax error: {error}", hint="fix the TOML at that position") from None
