"""Target triples: normalisation of what users type and native detection, as the Node
tool's src/target/triple.ts and host.ts do it, so a build on a platform computes the
triple that `headerkit cache populate` stored its entries under (gnu and musl apart)."""
from __future__ import annotations

import platform
import re
import struct
import sys
from typing import List, Optional

from .errors import UsageError
from .spec import LINUX_PLATFORMS

_KNOWN_VENDORS = {"pc", "apple", "unknown", "none", "ibm", "scei", "w64", "suse", "redhat", "amd", "nvidia", "mesa", "oe", "alpine", "gentoo"}

_LINUX_ARCH_ALIASES = {
    "x86_64": "x86_64", "amd64": "x86_64", "x64": "x86_64",
    "i386": "i686", "i486": "i686", "i586": "i686", "i686": "i686", "x86": "i686",
    "aarch64": "aarch64", "arm64": "aarch64",
    "powerpc64le": "ppc64le", "ppc64le": "ppc64le",
    "s390x": "s390x",
    "armv7l": "armv7l", "armv7": "armv7l", "armv7hl": "armv7l", "armhf": "armv7l",
    "riscv64": "riscv64", "riscv64gc": "riscv64",
}

_TRIPLE = re.compile(r"^[a-z0-9_.]+(-[a-z0-9_.]+){1,4}$")


def _platform(arch: str) -> dict:
    for p in LINUX_PLATFORMS:
        if p["arch"] == arch:
            return p
    raise KeyError(arch)


# The architectures clang's triple parser knows, as src/target/triple.ts lists them.
_CLANG_ARCH = re.compile(
    r"(?:x86_64h?|i[3-6]86|amd64|x64|x86|aarch64(?:_be|_32)?|arm64(?:_32|e)?|arm\w*|thumb\w*|xscale\w*|powerpc\w*|ppc\w*|s390x|systemz"
    r"|riscv(?:32|64)\w*|mips\w*|sparc\w*|wasm(?:32|64)|loongarch(?:32|64)|hexagon|msp430|avr|bpf\w*|amdgcn|r600|nvptx\w*|xcore|lanai"
    r"|m68k|ve|csky|le(?:32|64)|spir\w*|amdil\w*|hsail\w*|kalimba\w*|shave|renderscript\w*|arc|tce\w*|xtensa|dxil|spirv\w*)")


def normalize_triple(text: str, source: str = "--target") -> str:
    """`x86_64-linux-gnu`, `AMD64-pc-linux-gnu` -> `x86_64-pc-linux-gnu`; others keep their spelling."""
    raw = text.strip().lower()
    if not _TRIPLE.fullmatch(raw):
        raise UsageError(f"invalid target triple '{text}' (from {source})", "expected arch-vendor-os[-env], for example x86_64-pc-linux-gnu")
    parts = raw.split("-")
    if len(parts) < 3:
        raise UsageError(f"invalid target triple '{text}' (from {source}): expected at least 3 hyphen-separated parts", "for example x86_64-pc-linux-gnu or aarch64-linux-gnu")
    if not _CLANG_ARCH.fullmatch(parts[0]):
        raise UsageError(f"unknown architecture '{parts[0]}' in target triple '{text}' (from {source})",
                         "use a triple clang knows, for example x86_64-pc-linux-gnu or aarch64-unknown-linux-gnu")
    if parts[1] not in _KNOWN_VENDORS and len(parts) <= 4:
        parts = [parts[0], "unknown", *parts[1:]]
    arch, os_name, env = parts[0], parts[2], "-".join(parts[3:])
    linux_arch = _LINUX_ARCH_ALIASES.get(arch)
    if os_name == "linux" and linux_arch:
        triples = _platform(linux_arch)["triple"]
        if env == "" or env.startswith("gnu"):
            return triples["gnu"]
        if env.startswith("musl"):
            return triples["musl"]
    return "-".join(parts)


_LIBC: List[str] = []


def detect_libc() -> str:
    """`gnu` or `musl`: the loader mapped into this process, as the Node tool reads it
    (read once per process: it cannot change)."""
    if not _LIBC:
        _LIBC.append(_detect_libc())
    return _LIBC[0]


def _detect_libc() -> str:
    try:
        with open("/proc/self/maps", encoding="utf-8", errors="replace") as f:
            maps = f.read()
        if "ld-musl" in maps:
            return "musl"
        if "libc.so.6" in maps or "ld-linux" in maps:
            return "gnu"
    except OSError:
        pass
    name, _ = platform.libc_ver()
    return "gnu" if name == "glibc" else "musl"


def _linux_arch() -> Optional[str]:
    machine = platform.machine().lower()
    arch = _LINUX_ARCH_ALIASES.get(machine)
    # A 32-bit interpreter on a 64-bit kernel builds 32-bit extensions: Node's process.arch
    # says ia32/arm there, so the triple follows the interpreter, not the kernel.
    if struct.calcsize("P") == 4:
        arch = {"x86_64": "i686", "aarch64": "armv7l"}.get(arch or "", arch)
    return arch


def detect_host_triple() -> str:
    if sys.platform.startswith("linux"):
        arch = _linux_arch()
        if arch is not None:
            return _platform(arch)["triple"][detect_libc()]
        return f"{platform.machine().lower()}-unknown-linux-gnu"
    machine = platform.machine().lower()
    arch = {"amd64": "x86_64", "x64": "x86_64", "arm64": "aarch64"}.get(machine, machine)
    if sys.platform == "darwin":
        return f"{arch}-apple-darwin"
    if sys.platform == "win32":
        return f"{arch}-pc-windows-msvc"
    return f"{arch}-unknown-{sys.platform}"
