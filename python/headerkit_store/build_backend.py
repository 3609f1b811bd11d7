"""A PEP 517 build backend that writes the project's bindings from the committed store
into the tree, then lets the project's real backend build.

    [build-system]
    requires = ["headerkit-store", "setuptools", "cffi"]
    build-backend = "headerkit_store.build_backend"

    [tool.headerkit.build]
    backend = "setuptools.build_meta"   # the default

Before build_wheel, build_editable and build_sdist it writes every configured output
(`[tool.headerkit]` headers x writers -> their output templates) for the native target,
rewriting a file only when its bytes change (so build tools see no change otherwise). On
a miss it runs the Node CLI when one is available (HEADERKIT_CLI, else `headerkit` on
PATH), which parses and fills the store; otherwise the build fails with the one-line miss.
Every other hook, and every hook's arguments, go to the wrapped backend unchanged."""
from __future__ import annotations

import importlib
import os
import shlex
import shutil
import subprocess
import sys
from typing import Any, Dict, List, NoReturn, Optional, Tuple

from .config import load_project_context
from .errors import HeaderkitStoreError, StoreMiss
from .reader import payload_text, serve
from .request import configured_outputs, plan

DEFAULT_BACKEND = "setuptools.build_meta"


class BuildError(HeaderkitStoreError):
    pass


def _wrapped_name() -> str:
    ctx = load_project_context(cwd=os.getcwd())
    build = ctx.loaded.config.build if ctx.loaded else {}
    name = build.get("backend", DEFAULT_BACKEND)
    if name == __name__:
        raise BuildError(f"[tool.headerkit.build] backend names {__name__} itself", f"name the real backend, for example {DEFAULT_BACKEND}")
    return name


def _load_backend() -> Any:
    """The wrapped backend object; `module:object` as PEP 517 spells it."""
    name = _wrapped_name()
    module_name, _, attr = name.partition(":")
    try:
        obj: Any = importlib.import_module(module_name)
    except ImportError as error:
        raise BuildError(f"cannot import the build backend '{name}' named by [tool.headerkit.build] backend: {error}",
                         "add it to [build-system] requires, or install it when building with --no-build-isolation") from None
    for part in filter(None, attr.split(".")):
        obj = getattr(obj, part)
    return obj


def _write_if_changed(path: str, data: bytes) -> bool:
    try:
        with open(path, "rb") as f:
            if f.read() == data:
                return False
    except OSError:
        pass
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    temp = os.path.join(os.path.dirname(path) or ".", f".{os.path.basename(path)}.{os.getpid()}.headerkit-tmp")
    try:
        with open(temp, "wb") as f:
            f.write(data)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
    return True


def _node_cli() -> Optional[List[str]]:
    configured = os.environ.get("HEADERKIT_CLI")
    if configured:
        return shlex.split(configured)
    found = shutil.which("headerkit")
    return [found] if found else None


def _serve_all(root: str) -> Tuple[List[Tuple[str, bytes]], List[StoreMiss]]:
    env = dict(os.environ)
    ctx = load_project_context(cwd=root, env=env)
    if ctx.loaded is None:
        raise BuildError(f"no headerkit configuration found for {root}", "add [tool.headerkit] to pyproject.toml (headers, writers, output)")
    for warning in ctx.loaded.warnings:
        sys.stderr.write(f"Warning: {warning}\n")
    served: List[Tuple[str, bytes]] = []
    misses: List[StoreMiss] = []
    for out in configured_outputs(ctx):
        req = plan(ctx, out["header"], out["writer"], env, header_is_relative=True)
        try:
            served.append((os.path.join(ctx.project_root, out["path"]), payload_text(serve(req)).encode("utf-8")))
        except StoreMiss as miss:
            misses.append(miss)
    return served, misses


def write_outputs(root: Optional[str] = None) -> List[str]:
    """Writes every configured output from the store; returns the paths rewritten."""
    here = os.path.abspath(root or os.getcwd())
    served, misses = _serve_all(here)
    if misses:
        cli = _node_cli()
        if cli is None:
            raise misses[0]
        sys.stderr.write(f"headerkit_store: {misses[0].one_line()}; running {' '.join(cli)}\n")
        result = subprocess.run(cli, cwd=here)
        if result.returncode != 0:
            raise BuildError(f"{' '.join(cli)} failed with exit code {result.returncode} while generating the bindings in {here}", "see its error above")
        served, misses = _serve_all(here)
        if misses:
            raise misses[0]
    changed = [path for path, data in served if _write_if_changed(path, data)]
    for path in changed:
        sys.stderr.write(f"headerkit_store: wrote {os.path.relpath(path, here)}\n")
    return changed


def _fail(error: HeaderkitStoreError) -> NoReturn:
    sys.stderr.write(f"Error: {error.one_line()}\n")
    raise SystemExit(1)


def _before_build() -> Any:
    try:
        write_outputs()
        return _load_backend()
    except HeaderkitStoreError as error:
        _fail(error)


def _backend() -> Any:
    try:
        return _load_backend()
    except HeaderkitStoreError as error:
        _fail(error)


def build_wheel(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    return _before_build().build_wheel(wheel_directory, config_settings, metadata_directory)


def build_sdist(sdist_directory: str, config_settings: Optional[Dict[str, Any]] = None) -> str:
    return _before_build().build_sdist(sdist_directory, config_settings)


def build_editable(wheel_directory: str, config_settings: Optional[Dict[str, Any]] = None, metadata_directory: Optional[str] = None) -> str:
    backend = _before_build()
    if not hasattr(backend, "build_editable"):
        _fail(BuildError(f"the build backend {_wrapped_name()} does not support editable installs (no build_editable hook)", "upgrade it, or install without -e"))
    return backend.build_editable(wheel_directory, config_settings, metadata_directory)


def _optional(hook: str, default: Any, *args: Any) -> Any:
    fn = getattr(_backend(), hook, None)
    return default if fn is None else fn(*args)


def get_requires_for_build_wheel(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return _optional("get_requires_for_build_wheel", [], config_settings)


def get_requires_for_build_sdist(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return _optional("get_requires_for_build_sdist", [], config_settings)


def get_requires_for_build_editable(config_settings: Optional[Dict[str, Any]] = None) -> List[str]:
    return _optional("get_requires_for_build_editable", [], config_settings)


def __getattr__(name: str) -> Any:
    """Every other hook comes from the wrapped backend: prepare_metadata_for_build_wheel and
    _editable (metadata needs no bindings), and any later PEP's. A hook the wrapped backend
    lacks is an AttributeError here, which is how a frontend sees a hook is missing (and
    falls back, for the prepare_metadata hooks, to build_wheel, which writes the bindings)."""
    if name.startswith("__"):
        raise AttributeError(name)
    return getattr(_backend(), name)
