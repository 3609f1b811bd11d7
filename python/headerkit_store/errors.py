"""Typed errors. Each renders as one line: what, where, and (in parentheses) what to do,
the same shape as the Node tool's `Error: ...` lines."""
from __future__ import annotations

from typing import Optional


class HeaderkitStoreError(Exception):
    """Base class: a message and an optional hint. `exit_code` is what the CLI exits with."""

    exit_code = 1

    def __init__(self, message: str, hint: Optional[str] = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def one_line(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message

    def __str__(self) -> str:
        return self.one_line()


class UsageError(HeaderkitStoreError):
    """Bad arguments: exit 2, like the Node tool."""

    exit_code = 2


class ConfigError(HeaderkitStoreError):
    """A config file that cannot be read or has a bad value; names the file, key and line."""

    def __init__(self, file: str, message: str, key: Optional[str] = None, line: Optional[int] = None, hint: Optional[str] = None) -> None:
        where = file if line is None else f"{file}:{line}"
        what = message if key is None else f"{key}: {message}"
        super().__init__(f"config error in {where}: {what}", hint)
        self.file = file
        self.key = key
        self.line = line


class InputError(HeaderkitStoreError):
    """A header that is missing, unreadable or outside the project."""


class StoreError(HeaderkitStoreError):
    """A store directory that is missing or not a directory."""


class StoreMiss(HeaderkitStoreError):
    """The store cannot answer this request with fresh output: never served stale.

    One line naming the header, writer and target, why, and what to run."""

    def __init__(self, header: str, writer: str, target: str, why: str, run: str) -> None:
        super().__init__(f"no fresh {writer} output for {header} ({target}) in the store: {why}", f"run {run}, then commit .headerkit/")
        self.header = header
        self.writer = writer
        self.target = target
        self.why = why
        self.run = run
