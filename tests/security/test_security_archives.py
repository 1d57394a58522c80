"""Issue 10, H5: a real server (its own process, see tests/support/live_server.py) fed every
archive and package bomb of the audit through the Jutge upload endpoint answers each with a clear
400, and its peak memory (VmHWM) stays under 300 MB for all of them together (the audit saw +2.0
to +4.1 GB each)."""

from __future__ import annotations

import shutil
import tarfile
from pathlib import Path

import httpx
import pytest

from tests.support.archive_bombs import (
    GIB,
    LAUGHS,
    tar_gz_of_repeated_header,
    tar_gz_with_extended_header_of_zeros,
    tar_of,
    zip_with_symlink_of_zeros,
)
from tests.support.live_server import live_server
from tests.support.users import basic
from verdict.demo import PASSWORD as DEMO_PASSWORD

pytestmark = pytest.mark.e2e

MEMORY_CEILING = 300 * 1000 * 1000


def bombs(tmp: Path) -> dict[str, tuple[Path, str]]:
    """Each bomb file with words its error message must contain."""
    tmp.mkdir(parents=True, exist_ok=True)
    made: dict[str, tuple[Path, str]] = {}
    zip_with_symlink_of_zeros(tmp / "link.zip", 2 * GIB)
    made["zip symlink of 2 GiB"] = (tmp / "link.zip", "its target is longer than 4096 bytes")
    for kind, name in ((b"x", "pax"), (b"L", "longname")):
        tar_gz_with_extended_header_of_zeros(tmp / f"{name}.tgz", kind, 2 * GIB)
        made[f"{name} header of 2 GiB"] = (tmp / f"{name}.tgz", "an extended header of 2147483648 bytes")
    root = tarfile.TarInfo("./")
    root.type = tarfile.DIRTYPE
    tar_gz_of_repeated_header(tmp / "roots.tgz", root.tobuf(format=tarfile.USTAR_FORMAT), 1024 * 1024)
    made["a million ./ entries"] = (tmp / "roots.tgz", "too many files")
    tar_of(tmp / "long.tar", ["x/" + "n" * 300])
    made["a 300-character name"] = (tmp / "long.tar", "longer than 255 bytes")
    tar_of(tmp / "deep.tar", ["x/" + "d/" * 1900 + "f"])
    made["1,900 levels"] = (tmp / "deep.tar", "levels deep")
    package = tmp / "laughs" / "laughs.pbm"
    package.mkdir(parents=True)
    (package / "handler.yml").write_text(LAUGHS + "\nhandler: *i\n")
    (package / "sample.inp").write_text("1\n")
    (package / "sample.cor").write_text("1\n")
    with tarfile.open(tmp / "laughs.tgz", "w:gz") as tf:
        tf.add(package, arcname="laughs.pbm")
    shutil.rmtree(tmp / "laughs")
    made["billion laughs"] = (tmp / "laughs.tgz", "the YAML expands to more than")
    return made


def test_every_h5_bomb_gets_a_400_and_the_server_stays_under_300_mb(tmp_path: Path) -> None:
    teacher = basic("teacher", DEMO_PASSWORD)["Authorization"]
    files = bombs(tmp_path / "bombs")
    with live_server(tmp_path / "server") as server:
        before = server.status("VmHWM")
        with httpx.Client(base_url=server.url, timeout=120, headers={"Authorization": teacher}) as client:
            for label, (path, words) in files.items():
                with open(path, "rb") as data:
                    response = client.post(
                        "/services/problems/add-upload?format=json", files={"file": (path.name, data)}
                    )
                assert response.status_code == 400, (label, response.text[:500])
                assert words in response.text and len(response.text) < 2000, (label, response.text[:500])
        peak = server.status("VmHWM")
    print(f"server VmHWM: {before / 1e6:.1f} MB at start, {peak / 1e6:.1f} MB after the H5 bombs")
    assert peak < MEMORY_CEILING
