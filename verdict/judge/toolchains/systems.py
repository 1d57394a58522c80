"""Compiled systems languages: Rust, from Debian's toolchain or a world-readable rustup."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from verdict.judge.bwrap import Mount
from verdict.judge.toolchains.base import Language, host_output, world_traversable

SUM_RUST = (
    "use std::io::Read;\nfn main(){let mut s=String::new();std::io::stdin().read_to_string(&mut s)"
    ".unwrap();let v:Vec<i64>=s.split_whitespace().map(|x|x.parse().unwrap()).collect();"
    'println!("{}",v[0]+v[1]);}\n'
)


def rust_sysroot() -> str | None:
    """A Rust toolchain the sandbox uids can read: Debian's in /usr first, else rustup's when
    its directories are world-traversable (rustup under a 0700 /root is not)."""
    if os.path.exists("/usr/bin/rustc"):
        return "/usr"
    rustc = shutil.which("rustc")
    if rustc is None:
        return None
    sysroot = host_output([rustc, "--print", "sysroot"])
    return sysroot if sysroot and world_traversable(Path(sysroot)) else None


def _rust(sysroot: str | None) -> Language:
    prefix = "/usr" if sysroot in (None, "/usr") else "/opt/rust"
    elsewhere = sysroot is not None and sysroot != "/usr"
    return Language(
        id="Rust",
        name="Rust",
        extensions=(".rs",),
        source_name="main.rs",
        compile=(
            f"{prefix}/bin/rustc",
            "-O",
            "--edition",
            "2021",
            "-C",
            "codegen-units=1",
            "-o",
            "main",
            "main.rs",
        ),
        run=lambda limits: ["./main"],
        artifacts=("main",),
        version_command=(f"{sysroot}/bin/rustc", "--version") if sysroot else ("rustc", "--version"),
        toolchain=f"{sysroot}/bin/rustc" if sysroot else "rustc",
        selftest_source=SUM_RUST,
        mounts=(Mount(sysroot, "/opt/rust"),) if elsewhere and sysroot else (),
        env=(("LD_LIBRARY_PATH", "/opt/rust/lib"),) if elsewhere else (),
        memory_errors=("memory allocation of",),
    )


def build() -> list[Language]:
    return [_rust(rust_sysroot())]
