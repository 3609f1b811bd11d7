"""Serving one request from the store, never stale.

The Node tool finds an output by its key, and the key holds BLAKE3 hashes of the header
and of every project header it includes. Hashing a 600 KB header in pure Python costs
about a second, so the reader matches the other way round: it looks for the IR entry whose
recorded inputs are this request's (backend, target, header path, arguments, versions) and
whose recorded SHA-256 of the header and of each file of the include closure equal the
files on disk now. Those recorded BLAKE3 hashes are then the current files' hashes, so
the reader computes the very key the Node tool would (pure-Python BLAKE3 over a small
canonical JSON text), and serves the output entry stored under it only when the files the
parser actually read are also unchanged. Anything else is a StoreMiss saying why."""
from __future__ import annotations

import json
import os
from typing import Any, Callable, Dict, List, Optional, Tuple

from .args import project_relative, search_paths
from .blake3 import blake3_hex
from .canonical import canonical_json
from .deps import include_closure, source_sha256
from .errors import InputError, StoreMiss
from .keys import ir_key, output_key
from .request import Request
from .spec import BACKEND, EXTRACTOR_VERSION, IR_SCHEMA_VERSION, LINUX_PLATFORMS, WRITER_IMPL_VERSION, WRITERS
from .store import Index, Layer, Problem, ir_layer, lookup, output_layer, read_index, read_metadata, slug_head


def _run_hint(req: Request) -> str:
    if req.host_target:
        return f"`headerkit {req.header} -w {req.writer}` where libclang is installed"
    return f"`headerkit cache populate` (or `headerkit {req.header} -w {req.writer} --target {req.target}`)"


def _miss(req: Request, why: str) -> StoreMiss:
    return StoreMiss(req.header, req.writer, req.target, why, _run_hint(req))


def _stale_file(root: str, recorded: List[Dict[str, str]]) -> Optional[str]:
    """The first recorded file whose bytes are no longer the recorded ones."""
    for dep in recorded:
        path = dep["path"]
        if project_relative(os.path.join(root, path), root) is None or dep["sha256"] == "missing":
            return path
        try:
            with open(os.path.join(root, path), "rb") as f:
                data = f.read()
        except OSError:
            return path
        if source_sha256(data) != dep["sha256"]:
            return path
    return None


def _describe_deps_change(recorded: List[Tuple[str, str]], current: List[Tuple[str, str]], header: str) -> str:
    old, new = dict(recorded), dict(current)
    for path in sorted(set(old) & set(new)):
        if old[path] != new[path]:
            return f"{path} (included by {header}) has changed since the store was filled"
    added = sorted(set(new) - set(old))
    removed = sorted(set(old) - set(new))
    parts = ([f"now includes {', '.join(added)}"] if added else []) + ([f"no longer includes {', '.join(removed)}"] if removed else [])
    return f"the headers {header} includes have changed ({'; '.join(parts)})"


def _matching_ir(req: Request, target: str, layer: Layer, index: Index, slugs: List[str], header_sha: str, closure: List[Tuple[str, str]],
                 key_form: Tuple[List[str], List[str], List[str]]) -> Tuple[Optional[Dict[str, Any]], str]:
    """The metadata of the IR entry among `slugs` made from this request's inputs and today's
    bytes of the header and its include closure for `target`, or None and why there is none."""
    same_header: List[Dict[str, Any]] = []
    damaged: List[str] = []
    for slug in slugs:
        m = index.metadata.get(slug)
        if m is None:
            m = index.metadata[slug] = read_metadata(layer, slug)
        if isinstance(m, Problem):
            damaged.append(f"ir/{slug}: {m.detail}")
        elif m["header_path"] == req.header and m["backend_name"] == BACKEND:
            same_header.append(m)
    same_target = [m for m in same_header if m["target"] == target]
    if not same_target:
        others = sorted({m["target"] for m in same_header})
        why = f"no entry for target {target}" + (f" (the store has {req.header} for {', '.join(others)})" if others else f" (the store has no entry for {req.header})")
        if damaged:
            # The IR entries' metadata is where the sources' hashes are recorded: a damaged
            # one cannot be matched, even if its outputs are intact.
            why += f"; {len(damaged)} IR entr{'y is' if len(damaged) == 1 else 'ies are'} unusable ({damaged[0]}; see `headerkit cache verify`)"
        return None, why
    defines, include_dirs, args = key_form
    same_args = [m for m in same_target if (m["defines"], m["includes"], m["other_args"]) == key_form]
    if not same_args:
        return None, f"no entry for these arguments (defines {json.dumps(defines)}, include dirs {json.dumps(include_dirs)}, args {json.dumps(args)})"
    same_version = [m for m in same_args if m["ir_schema_version"] == IR_SCHEMA_VERSION and m["extractor_version"] == EXTRACTOR_VERSION]
    if not same_version:
        return None, f"the entries were made by another headerkit version (IR schema {same_args[0]['ir_schema_version']}, extractor {same_args[0]['extractor_version']}; this reader needs {IR_SCHEMA_VERSION}, {EXTRACTOR_VERSION})"
    same_bytes = [m for m in same_version if m["header_sha256"] == header_sha]
    if not same_bytes:
        return None, f"{req.header} has changed since the store was filled"
    match = next((m for m in same_bytes if sorted((d["path"], d["sha256"]) for d in m["deps"]) == closure), None)
    if match is None:
        recorded = [(d["path"], d["sha256"]) for d in same_bytes[0]["deps"]]
        return None, _describe_deps_change(recorded, closure, req.header)
    return match, ""


def _universal_key(req: Request, member_key: Callable[[str], Tuple[Optional[str], str]]) -> str:
    """The key standing for a universal output's IR (src/store/keys.ts universalIrKey): every
    covered target's IR key. The targets are those `universal_targets` names, else every Linux
    target of cibuildwheel the store holds a fresh entry for, as the Node tool finds them."""
    named = req.options.get("universal_targets") or []
    candidates = named or [p["triple"][libc] for p in LINUX_PLATFORMS for libc in ("gnu", "musl")]
    members: List[Dict[str, str]] = []
    for target in candidates:
        key, why = member_key(target)
        if key is not None:
            members.append({"target": target, "irKey": key})
        elif named:
            raise _miss(req, f"the universal output covers {target}, and {why}")
    if not members:
        raise _miss(req, "the store holds a fresh IR of the header for no target, so there is no universal output")
    members.sort(key=lambda m: m["target"])
    return blake3_hex(canonical_json({"kind": "universal", "members": members}).encode("utf-8"))


def serve(req: Request) -> bytes:
    """The output bytes the Node tool would print for this request, or a StoreMiss."""
    writer = WRITERS[req.writer]
    if not writer["cache_output"]:
        raise _miss(req, f"the {req.writer} writer's output is never stored (it depends on more than the IR and its options)")
    if req.disabled:
        raise _miss(req, req.disabled)
    if not os.path.isdir(req.store_dir):
        # A miss, not a usage error: the build backend can still run the Node CLI to fill it.
        raise _miss(req, f"the store directory {req.store_dir} does not exist (check --store-dir / HEADERKIT_STORE_DIR / store_dir)")
    root = req.ctx.project_root
    header_abs = os.path.join(root, req.header)
    try:
        with open(header_abs, "rb") as f:
            header_bytes = f.read()
    except OSError as error:
        raise InputError(f"cannot read header {req.header}: {error.strerror or error}", "check that the file exists and is readable") from None
    header_sha = source_sha256(header_bytes)
    closure = include_closure(header_abs, root, search_paths(req.args.clang_args()), header_bytes)
    defines, include_dirs, args = req.args.key_form(root)

    layer = ir_layer(req.store_dir)
    index = read_index(layer)
    if index.state == "unreadable":
        raise _miss(req, f"ir/index.json is unreadable ({index.reason}); run `headerkit cache rebuild-index`")
    # The entries whose slug names this header are read first (DESIGN 11: no scan of the
    # store per lookup); every entry is read only when none of them is the one, which also
    # gives a miss its full reason.
    hinted = index.by_head.get(slug_head(BACKEND, req.header), [])

    def member_key(target: str) -> Tuple[Optional[str], str]:
        """The IR key of this request on `target` when the store holds a fresh entry for it, else (None, why)."""
        key_form = (defines, include_dirs, args)
        match, why = _matching_ir(req, target, layer, index, hinted, header_sha, closure, key_form) if hinted else (None, "")
        if match is None:
            match, why = _matching_ir(req, target, layer, index, index.slugs, header_sha, closure, key_form)
        if match is None:
            return None, why
        # The recorded BLAKE3 hashes are those of today's files: this is the Node tool's key.
        blake = {d["path"]: d["hash"] for d in match["deps"]}
        key = ir_key(IR_SCHEMA_VERSION, EXTRACTOR_VERSION, BACKEND, target, req.header, match["header_hash"], defines, include_dirs, args,
                     [{"path": p, "hash": blake[p]} for p, _ in closure])
        ir_entry, problem = lookup(layer, key)
        if ir_entry is None:
            return None, problem or "no IR entry under the current key"
        stale = _stale_file(root, ir_entry.metadata["provenance"].get("parsed_includes") or [])
        if stale is not None:
            return None, f"{stale} (read by the parser) has changed since the store was filled"
        return key, ""

    if req.options.get("universal") is True:
        key = _universal_key(req, member_key)
    else:
        key, why = member_key(req.target)
        if key is None:
            raise _miss(req, why)

    options = json.loads(canonical_json(req.options))
    out_key = output_key(key, req.writer, options, writer["cache_version"], WRITER_IMPL_VERSION)
    out_layer = output_layer(req.store_dir, req.writer)
    found, problem = lookup(out_layer, out_key)
    if found is None:
        raise _miss(req, problem or f"no {req.writer} output stored for these writer options ({canonical_json(options)})")
    return found.payload


def payload_text(payload: bytes) -> str:
    """The text the Node tool prints: the payload decoded as UTF-8 (Buffer.toString)."""
    return payload.decode("utf-8", errors="replace")
