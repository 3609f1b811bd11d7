"""Reading a store the Node tool wrote, with its rules (docs/store.md, "Reading"): read-only,
nothing followed through a symlink, every name checked before it becomes a path, and an
entry is usable only when it is a plain directory holding exactly metadata.json and its
payload, its metadata gives its key, and the payload has the recorded size and SHA-256.
Anything else is a problem with a reason, never an exception and never a read outside."""
from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from typing import Any, Dict, List, Optional, Tuple, Union

from .keys import key_from_metadata
from .spec import INDEX_VERSION, METADATA_VERSION

_NAME = re.compile(r"[A-Za-z0-9_][A-Za-z0-9_.=-]*")
_HASH = re.compile(r"[0-9a-f]{64}")
_OUTPUT_FILE = re.compile(r"output\.[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}")
METADATA_FILE = "metadata.json"
IR_PAYLOAD = "ir.json"


def is_valid_slug(s: Any) -> bool:
    return isinstance(s, str) and 0 < len(s) <= 200 and _NAME.fullmatch(s) is not None


def is_valid_writer_name(s: Any) -> bool:
    return isinstance(s, str) and 0 < len(s) <= 64 and _NAME.fullmatch(s) is not None


def _is_hash(v: Any) -> bool:
    return isinstance(v, str) and _HASH.fullmatch(v) is not None


def read_no_follow(path: str) -> bytes:
    """A regular file's bytes; a symlink at the last component or a special file is an error."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        if not stat.S_ISREG(os.fstat(fd).st_mode):
            raise OSError(f"{path} is not a regular file")
        chunks = []
        while True:
            chunk = os.read(fd, 1 << 20)
            if not chunk:
                return b"".join(chunks)
            chunks.append(chunk)
    finally:
        os.close(fd)


class Layer:
    """`ir` or `output/<writer>`: one index and its entry directories."""

    def __init__(self, name: str, kind: str, dir: str, writer: Optional[str] = None) -> None:
        self.name = name
        self.kind = kind
        self.dir = dir
        self.writer = writer


def ir_layer(store_dir: str) -> Layer:
    return Layer("ir", "ir", os.path.join(store_dir, "ir"))


def output_layer(store_dir: str, writer: str) -> Layer:
    return Layer(f"output/{writer}", "output", os.path.join(store_dir, "output", writer), writer)


class Index:
    def __init__(self, state: str, entries: Dict[str, str], reason: str = "") -> None:
        self.state = state  # ok | missing | unreadable
        self.entries = entries  # slug -> key
        self.reason = reason
        # key -> the first slug in code-point order holding it (the Node tool's choice)
        self.slug_of: Dict[str, str] = {}
        self.slugs = sorted(entries)
        for slug in self.slugs:
            self.slug_of.setdefault(entries[slug], slug)
        # slug -> read_metadata's answer, read at most once while this index is current
        self.metadata: Dict[str, Union[Dict[str, Any], "Problem"]] = {}
        # `<backend>.<stem>.` (slug_head) -> the slugs starting so, in code-point order;
        # slug components never hold a dot, so the head is a slug's first two components
        self.by_head: Dict[str, List[str]] = {}
        for slug in self.slugs:
            parts = slug.split(".", 2)
            if len(parts) == 3:
                self.by_head.setdefault(f"{parts[0]}.{parts[1]}.", []).append(slug)


def _layer_dir_ok(layer: Layer) -> Optional[str]:
    """A layer directory (and output/) must be plain directories, never links out of the store."""
    parts = [layer.dir] if layer.kind == "ir" else [os.path.dirname(layer.dir), layer.dir]
    for d in parts:
        try:
            st = os.lstat(d)
        except FileNotFoundError:
            return "missing"
        except OSError as error:
            return str(error)
        if not stat.S_ISDIR(st.st_mode):
            return f"{os.path.basename(d)} is not a plain directory"
    return None


# Index files read in this process: path -> (identity of the file read, its Index).
_INDEX_CACHE: Dict[str, Tuple[Tuple[int, int, int, int, int], Index]] = {}


def read_index(layer: Layer) -> Index:
    """The layer's index, read once per process while the file stays the same (DESIGN 11).

    Every writer replaces index.json by a rename, so each write gives a new inode and
    ctime: a file whose identity changed is read again. A stale index could only give a
    miss, or a slug whose entry read_entry judges by its own metadata and key."""
    problem = _layer_dir_ok(layer)
    if problem is not None:
        return _read_index(layer, problem)
    path = os.path.join(layer.dir, "index.json")
    try:
        st = os.lstat(path)
    except OSError:
        return _read_index(layer, None)
    identity = (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    cached = _INDEX_CACHE.get(path)
    if cached is not None and cached[0] == identity and stat.S_ISREG(st.st_mode):
        return cached[1]
    index = _read_index(layer, None)
    if index.state == "ok" and stat.S_ISREG(st.st_mode):
        _INDEX_CACHE[path] = (identity, index)
    else:
        _INDEX_CACHE.pop(path, None)
    return index


def _read_index(layer: Layer, problem: Optional[str]) -> Index:
    if problem == "missing":
        return Index("missing", {})
    if problem is not None:
        return Index("unreadable", {}, problem)
    try:
        text = read_no_follow(os.path.join(layer.dir, "index.json")).decode("utf-8", errors="replace")
    except FileNotFoundError:
        return Index("missing", {})
    except OSError as error:
        return Index("unreadable", {}, error.strerror or str(error))
    try:
        data = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: nested too deep to read
        return Index("unreadable", {}, f"not valid JSON ({error})")
    if not isinstance(data, dict):
        return Index("unreadable", {}, "not a JSON object")
    if data.get("version") != INDEX_VERSION:
        return Index("unreadable", {}, f"unsupported index version {json.dumps(data.get('version'))} (expected {INDEX_VERSION})")
    raw = data.get("entries")
    if not isinstance(raw, dict):
        return Index("unreadable", {}, '"entries" is not an object')
    entries: Dict[str, str] = {}
    for slug, value in raw.items():
        key = value.get("cache_key") if isinstance(value, dict) else None
        # Unsafe slugs (`../x`) and malformed keys are ignored, as the Node tool ignores them.
        if is_valid_slug(slug) and _is_hash(key):
            entries[slug] = key
    return Index("ok", entries)


def _sanitize(value: str) -> str:
    return re.sub(r"^-+|-+$", "", re.sub(r"-+", "-", re.sub(r"[^A-Za-z0-9_=-]", "-", value)))


def _component(value: str) -> str:
    """The Node tool's slug component (src/store/slug.ts): sanitised, never empty, at most 48 characters."""
    s = _sanitize(value) or "_"
    return s if len(s) <= 48 else f"{s[:39]}-{hashlib.sha256((s + chr(0)).encode('utf-8')).hexdigest()[:8]}"


def slug_head(backend: str, header_path: str) -> str:
    """`<backend>.<stem>.`: how every slug the Node tool gives an entry of this header starts
    (irSlug; a taken slug gets `-2`, `-3` at its end). Only a hint for which entries to read
    first: an entry is still judged by its metadata, and one under another name is found by
    the full scan."""
    base = header_path.rstrip("/").rsplit("/", 1)[-1]
    dot = base.rfind(".")
    stem = (base[:dot] if dot > 0 else base).lower()
    return f"{_component(backend.lower())}.{_component(stem)}."


def _str_list(v: Any) -> bool:
    return isinstance(v, list) and all(isinstance(x, str) for x in v)


def _digest(d: Any) -> bool:
    return isinstance(d, dict) and isinstance(d.get("path"), str) and isinstance(d.get("hash"), str) and (_is_hash(d.get("sha256")) or d.get("sha256") == "missing")


def _check_source(m: Dict[str, Any], where: str) -> Optional[str]:
    for k in ("backend_name", "header_path", "target"):
        if not isinstance(m.get(k), str):
            return f"{where}{k} is not a string"
    for k in ("defines", "includes", "other_args"):
        if not _str_list(m.get(k)):
            return f"{where}{k} is not a list of strings"
    return None


def check_metadata(data: Any, kind: str) -> Optional[str]:
    """The Node tool's checkMetadata: a reason when the metadata is not usable."""
    if not isinstance(data, dict):
        return "metadata is not a JSON object"
    if data.get("kind") != kind:
        return f'metadata kind is {json.dumps(data.get("kind"))}, expected "{kind}"'
    if data.get("version") != METADATA_VERSION or isinstance(data.get("version"), bool):
        return f"unsupported metadata version {json.dumps(data.get('version'))}"
    if not _is_hash(data.get("cache_key")):
        return "metadata cache_key is missing or malformed"
    if not isinstance(data.get("headerkit_version"), str):
        return "metadata headerkit_version is not a string"
    if not isinstance(data.get("provenance"), dict):
        return "metadata provenance is not an object"
    files = data.get("files")
    if not isinstance(files, dict):
        return "metadata files is not an object"
    names = list(files)
    if len(names) != 1 or not (names[0] == IR_PAYLOAD if kind == "ir" else _OUTPUT_FILE.fullmatch(names[0])):
        return f"metadata files must name exactly one {IR_PAYLOAD if kind == 'ir' else 'output.<ext>'} file"
    rec = files[names[0]]
    if not (isinstance(rec, dict) and isinstance(rec.get("size"), int) and not isinstance(rec.get("size"), bool) and 0 <= rec["size"] <= 2 ** 53 - 1
            and _is_hash(rec.get("blake3")) and _is_hash(rec.get("sha256"))):
        return "metadata files record is malformed (size, blake3 and sha256 are required)"
    if kind == "ir":
        if not isinstance(data.get("ir_schema_version"), (int, float)) or isinstance(data.get("ir_schema_version"), bool):
            return "metadata ir_schema_version is not a number"
        if not isinstance(data.get("extractor_version"), str) or not isinstance(data.get("header_hash"), str):
            return "metadata extractor_version/header_hash missing"
        if not _is_hash(data.get("header_sha256")):
            return "metadata header_sha256 is missing or malformed"
        if not isinstance(data.get("deps"), list) or not all(_digest(d) for d in data["deps"]):
            return "metadata deps is malformed (each needs path, hash and sha256)"
        parsed = data["provenance"].get("parsed_includes")
        if parsed is not None and (not isinstance(parsed, list) or not all(_digest(d) for d in parsed)):
            return "metadata provenance.parsed_includes is malformed (each needs path, hash and sha256)"
        return _check_source(data, "")
    if not _is_hash(data.get("ir_cache_key")):
        return "metadata ir_cache_key is missing or malformed"
    if not isinstance(data.get("writer_name"), str) or not isinstance(data.get("writer_options"), dict):
        return "metadata writer_name/writer_options malformed"
    if not isinstance(data.get("writer_cache_version"), str) or not isinstance(data.get("writer_impl_version"), str):
        return "metadata writer versions are not strings"
    if not isinstance(data.get("source"), dict):
        return "metadata source is not an object"
    return _check_source(data["source"], "source.")


class Problem:
    def __init__(self, reason: str, detail: str) -> None:
        self.reason = reason  # invalid-slug, entry-missing, entry-corrupt, key-mismatch, payload-mismatch
        self.detail = detail


class Entry:
    def __init__(self, slug: str, metadata: Dict[str, Any], payload: bytes) -> None:
        self.slug = slug
        self.metadata = metadata
        self.payload = payload


def read_metadata(layer: Layer, slug: str) -> Union[Dict[str, Any], Problem]:
    """Only the (shape-checked) metadata of an entry: enough to tell which inputs it was made from."""
    if not is_valid_slug(slug):
        return Problem("invalid-slug", f"unsafe slug {json.dumps(slug)}")
    try:
        data = json.loads(read_no_follow(os.path.join(layer.dir, slug, METADATA_FILE)).decode("utf-8"))
    except FileNotFoundError:
        return Problem("entry-missing", "entry directory or metadata.json is missing")
    except (OSError, ValueError, RecursionError) as error:
        return Problem("entry-corrupt", f"metadata.json is unreadable: {error}")
    shape = check_metadata(data, layer.kind)
    return Problem("entry-corrupt", shape) if shape else data


def read_entry(layer: Layer, slug: str, expect_key: Optional[str] = None) -> Union[Entry, Problem]:
    """Judges `<layer>/<slug>` as the Node tool's readEntry does."""
    if not is_valid_slug(slug):
        return Problem("invalid-slug", f"unsafe slug {json.dumps(slug)}")
    d = os.path.join(layer.dir, slug)
    try:
        st = os.lstat(d)
    except FileNotFoundError:
        return Problem("entry-missing", "entry directory is missing")
    except OSError as error:
        return Problem("entry-corrupt", f"entry is unreadable: {error}")
    if not stat.S_ISDIR(st.st_mode):
        return Problem("entry-corrupt", "entry is a symlink or a file, not a directory")
    try:
        children = list(os.scandir(d))
    except OSError as error:
        return Problem("entry-corrupt", f"entry directory is unreadable: {error}")
    for child in children:
        if not child.is_file(follow_symlinks=False):
            return Problem("entry-corrupt", f"{child.name} is not a plain file")
    names = {c.name for c in children}
    if METADATA_FILE not in names:
        return Problem("entry-corrupt", "metadata.json is missing")
    metadata = read_metadata(layer, slug)
    if isinstance(metadata, Problem):
        return metadata
    if expect_key is not None and metadata["cache_key"] != expect_key:
        return Problem("key-mismatch", f"metadata holds key {metadata['cache_key'][:12]}..., index says {expect_key[:12]}...")
    if layer.kind == "output" and metadata["writer_name"] != layer.writer:
        return Problem("key-mismatch", f"metadata names writer '{metadata['writer_name']}', entry is under output/{layer.writer}")
    if key_from_metadata(metadata) != metadata["cache_key"]:
        return Problem("key-mismatch", "the inputs recorded in metadata.json do not give its cache_key")
    payload_name = next(iter(metadata["files"]))
    for name in names:
        if name not in (METADATA_FILE, payload_name):
            return Problem("entry-corrupt", f"unexpected file {name}")
    if payload_name not in names:
        return Problem("entry-corrupt", f"{payload_name} is missing")
    try:
        payload = read_no_follow(os.path.join(d, payload_name))
    except OSError as error:
        return Problem("entry-corrupt", f"{payload_name} is unreadable: {error}")
    record = metadata["files"][payload_name]
    if len(payload) != record["size"]:
        return Problem("payload-mismatch", f"{payload_name} has {len(payload)} bytes, metadata says {record['size']}")
    if hashlib.sha256(payload).hexdigest() != record["sha256"]:
        return Problem("payload-mismatch", f"{payload_name} does not match the sha256 in metadata.json")
    return Entry(slug, metadata, payload)


def lookup(layer: Layer, key: str) -> Tuple[Optional[Entry], str]:
    """(entry, "") on a hit, (None, why) on a miss."""
    index = read_index(layer)
    if index.state == "unreadable":
        return None, f"{layer.name}/index.json is unreadable ({index.reason}); run `headerkit cache rebuild-index`"
    slug = index.slug_of.get(key)
    if slug is None:
        return None, ""
    found = read_entry(layer, slug, key)
    if isinstance(found, Problem):
        return None, f"corrupt cache entry {layer.name}/{slug}: {found.detail}"
    return found, ""
