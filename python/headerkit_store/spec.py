"""What the reader knows of the Node tool: spec.json, generated from its source
(src/python-spec.ts, written by `npm run python-spec`) and checked against it by the test suite, so versions that
enter cache keys and writer option schemas cannot drift apart silently."""
from __future__ import annotations

import json
import os
from typing import Any, Dict

_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "spec.json")

with open(_PATH, "rb") as _f:
    SPEC: Dict[str, Any] = json.loads(_f.read().decode("utf-8"))

BACKEND: str = SPEC["backend"]
DEFAULT_WRITER: str = SPEC["default_writer"]
EXTRACTOR_VERSION: str = SPEC["extractor_version"]
IR_SCHEMA_VERSION: int = SPEC["ir_schema_version"]
INDEX_VERSION: int = SPEC["index_version"]
METADATA_VERSION: int = SPEC["metadata_version"]
WRITER_IMPL_VERSION: str = SPEC["writer_impl_version"]
WRITERS: Dict[str, Dict[str, Any]] = SPEC["writers"]
LINUX_PLATFORMS = SPEC["linux_platforms"]
