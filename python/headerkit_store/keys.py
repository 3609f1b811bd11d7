"""Cache keys, computed exactly as the Node tool computes them (src/store/keys.ts): BLAKE3
over the compact canonical JSON of a tagged inputs object."""
from __future__ import annotations

from typing import Any, Dict, List, Mapping, Sequence

from .blake3 import blake3_hex
from .canonical import canonical_json

# Canonical JSON text -> its key, for this process. A lookup computes the key of the
# request's inputs, then read_entry recomputes it from the entry's recorded inputs: the
# same text, hashed once (pure-Python BLAKE3 costs about a millisecond a key).
_KEYS: Dict[str, str] = {}


def _key(obj: Mapping[str, Any]) -> str:
    text = canonical_json(obj)
    key = _KEYS.get(text)
    if key is None:
        key = _KEYS[text] = blake3_hex(text.encode("utf-8"))
    return key


def ir_key(schema_version: int, extractor_version: str, backend: str, target: str, header_path: str, header_hash: str,
           defines: Sequence[str], include_dirs: Sequence[str], args: Sequence[str], deps: Sequence[Mapping[str, str]]) -> str:
    ordered: List[Dict[str, str]] = sorted(({"path": d["path"], "hash": d["hash"]} for d in deps), key=lambda d: (d["path"], d["hash"]))
    return _key({
        "kind": "ir",
        "schemaVersion": schema_version,
        "extractorVersion": extractor_version,
        "backend": backend,
        "target": target,
        "header": {"path": header_path, "hash": header_hash},
        "defines": list(defines),
        "includeDirs": list(include_dirs),
        "args": list(args),
        "deps": ordered,
    })


def output_key(ir_key_hex: str, writer: str, options: Mapping[str, Any], writer_cache_version: str, writer_impl_version: str) -> str:
    return _key({
        "kind": "output",
        "irKey": ir_key_hex,
        "writer": writer,
        "options": dict(options),
        "writerCacheVersion": writer_cache_version,
        "writerImplVersion": writer_impl_version,
    })


def key_from_metadata(m: Mapping[str, Any]) -> str:
    """The key the inputs recorded in (shape-checked) metadata give."""
    if m["kind"] == "ir":
        return ir_key(m["ir_schema_version"], m["extractor_version"], m["backend_name"], m["target"], m["header_path"], m["header_hash"],
                      m["defines"], m["includes"], m["other_args"], m["deps"])
    return output_key(m["ir_cache_key"], m["writer_name"], m["writer_options"], m["writer_cache_version"], m["writer_impl_version"])
