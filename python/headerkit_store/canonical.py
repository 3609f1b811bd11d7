"""Canonical JSON as the Node tool writes it: keys sorted by code point at every depth,
compact for hashing (JSON.stringify's output), so the same value gives the same key."""
from __future__ import annotations

import json
from typing import Any


def canonical_json(value: Any) -> str:
    # ensure_ascii=False: JSON.stringify leaves non-ASCII characters as they are and
    # escapes control characters as lower-case \u00XX, as Python's encoder does.
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False)
