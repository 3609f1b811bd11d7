"""`python3 -m headerkit_store [--store-dir D] [--target T] [-I DIR]... [-D NAME[=V]]...
[--backend-arg A]... [--writer-opt W:K=V]... HEADER -w WRITER`: prints what
`headerkit HEADER -w WRITER` prints, from the store; on a miss or bad input one
`Error: ...` line on stderr and a non-zero exit (1, or 2 for usage errors)."""
from __future__ import annotations

import argparse
import os
import sys
from typing import List, NoReturn, Optional

from .config import load_project_context
from .errors import HeaderkitStoreError, UsageError
from .options import check_writer_opt_flags, get_writer
from .reader import serve
from .request import plan
from .spec import DEFAULT_WRITER, WRITERS


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> NoReturn:
        raise UsageError(message, "see python3 -m headerkit_store --help")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="python3 -m headerkit_store", description="Print a header's bindings from a headerkit store, without Node or libclang.")
    p.add_argument("header", metavar="HEADER", help="header path (relative to the current directory)")
    p.add_argument("-w", "--writer", default=None, help=f"writer (default: the config's first, else {DEFAULT_WRITER})")
    p.add_argument("--store-dir", default=None)
    p.add_argument("--target", action="append", default=None, help="target triple; with --universal, a target to cover (repeatable)")
    p.add_argument("--universal", action="store_true", help="the module covering every target the store holds (ctypes, cffi), as headerkit --universal")
    p.add_argument("-I", "--include-dir", dest="include_dirs", action="append", default=[])
    p.add_argument("-D", "--define", dest="defines", action="append", default=[])
    p.add_argument("--backend-arg", dest="backend_args", action="append", default=[])
    p.add_argument("--writer-opt", dest="writer_opts", action="append", default=[])
    p.add_argument("--config", default=None)
    p.add_argument("--no-config", action="store_true")
    return p


def main(argv: Optional[List[str]] = None) -> int:
    try:
        # `--backend-arg=-std=c11` is the documented form; argparse reads it fine.
        ns = _parser().parse_args(argv)
        check_writer_opt_flags(ns.writer_opts)
        env = dict(os.environ)
        ctx = load_project_context(config_path=ns.config, no_config=ns.no_config, env=env)
        writer = ns.writer
        if writer is None:
            # As headerkit: the config's writers, else cffi. Several would mean several
            # outputs, which headerkit writes to files; this prints one.
            configured = list(dict.fromkeys(ctx.loaded.config.writers or [])) if ctx.loaded else []
            if len(configured) > 1:
                raise UsageError(f"the config names {len(configured)} writers ({', '.join(configured)})", "choose one with -w WRITER")
            writer = configured[0] if configured else DEFAULT_WRITER
        for warning in ctx.loaded.warnings if ctx.loaded else []:
            sys.stderr.write(f"Warning: {warning}\n")
        targets = ns.target or []
        universal = None
        if ns.universal:
            if "universal" not in get_writer(writer)["options"]:
                raise UsageError(f"--universal: the {writer} writer cannot make a universal output", "writers that can: " + ", ".join(w for w in sorted(WRITERS) if "universal" in WRITERS[w]["options"]))
            universal = {"universal": True, **({"universal_targets": targets} if targets else {})}
        elif len(targets) > 1:
            raise UsageError(f"--target was given {len(targets)} times, but a request without --universal takes one target", "give one --target, or add --universal")
        req = plan(ctx, ns.header, writer, env, target=None if ns.universal or not targets else targets[0], store_dir=ns.store_dir, include_dirs=ns.include_dirs,
                   defines=ns.defines, backend_args=ns.backend_args, writer_opt_flags=ns.writer_opts, writer_options=universal)
        payload = serve(req)
    except HeaderkitStoreError as error:
        sys.stderr.write(f"Error: {error.one_line()}\n")
        return error.exit_code
    except KeyboardInterrupt:
        return 130
    except Exception as error:  # a bug: still one line, the traceback only under DEBUG
        if os.environ.get("DEBUG"):
            raise
        sys.stderr.write(f"Error: internal error: {type(error).__name__}: {error} (this is a bug in headerkit_store; rerun with DEBUG=1 for the traceback and report it)\n")
        return 1
    # The stored bytes are exactly what the Node tool prints (it decodes and re-encodes UTF-8).
    sys.stdout.buffer.write(payload.decode("utf-8", errors="replace").encode("utf-8"))
    sys.stdout.buffer.flush()
    return 0
