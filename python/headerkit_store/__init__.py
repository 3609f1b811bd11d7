"""headerkit_store: read a store written by headerkit (the Node tool) with the standard
library alone, and serve the bindings it holds: the same config, keys and freshness rules,
the same bytes `headerkit HEADER -w WRITER` prints, and never a stale entry.

    import headerkit_store
    cdef = headerkit_store.load("include/mylib.h", "cffi")
"""
from __future__ import annotations

import os
from typing import Any, Mapping, Optional, Sequence

from .config import load_project_context
from .errors import ConfigError, HeaderkitStoreError, InputError, StoreError, StoreMiss, UsageError
from .reader import payload_text, serve
from .request import plan

__all__ = ["load", "HeaderkitStoreError", "StoreMiss", "ConfigError", "InputError", "StoreError", "UsageError"]
__version__ = "0.1.0"


def load(header: str, writer: str, *, target: Optional[str] = None, store_dir: Optional[str] = None, include_dirs: Sequence[str] = (),
         defines: Sequence[str] = (), backend_args: Sequence[str] = (), writer_options: Optional[Mapping[str, Any]] = None,
         project_root: Optional[str] = None) -> str:
    """The text `headerkit HEADER -w WRITER` prints, from the store.

    `header` is relative to the current directory (or a glob naming one header, relative to
    the project root); `project_root`, when given, is where the run starts instead of the
    current directory (config discovery walks up from there, relative paths resolve there).
    `writer_options` are this writer's options as typed values (they win over the config's),
    `include_dirs`/`defines`/`backend_args` come after the config's, as the CLI's flags do.
    Raises StoreMiss when the store holds no fresh entry (never returns old output), and
    another HeaderkitStoreError for bad input."""
    env = dict(os.environ)
    ctx = load_project_context(cwd=project_root, env=env)
    req = plan(ctx, header, writer, env, target=target, store_dir=store_dir, include_dirs=include_dirs, defines=defines,
               backend_args=backend_args, writer_options=writer_options)
    return payload_text(serve(req))
