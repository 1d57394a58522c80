"""Issue 10, H5 and the archive items of L1: archive and package bombs from an instructor's upload.

Each bomb is built here the way the audit made it, but streamed so that the test stays small: a
deflate stream of zeros is one compressed megabyte repeated (after a full flush, the compressor
emits the same bytes for the same input), so 2 GiB of zeros take 2 MB on disk and no time to
build. The attack runs in a fresh interpreter that reports the growth of its peak resident memory
(VmHWM) over what it had after its imports, so the bound measured is the attack's, not pytest's.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
import tarfile
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.archive_bombs import (
    GIB,
    LAUGHS,
    MIB,
    tar_gz_of_repeated_header,
    tar_gz_with_extended_header_of_zeros,
    tar_header,
    tar_of,
    zip_with_symlink_of_zeros,
)
from verdict.judge.errors import PackageError
from verdict.judge.packages import load_package
from verdict.judge.packages.common import MESSAGE_VALUE_CHARS, brief
from verdict.problems.archives import (
    MAX_PATH_DEPTH,
    MAX_TAR_HEADER_BYTES,
    Budget,
    is_archive,
    safe_extract,
)

MEMORY_BOUND_KB = 100 * 1024  # the audit saw +2.0 to +4.1 GB; the contained attack stays under this
FILE_CAP = 20000  # Settings.max_package_files
BYTE_CAP = 256 * MIB  # Settings.max_package_bytes

_PROBE = """
import json, sys, time
from pathlib import Path
from verdict.judge.packages import load_package
from verdict.judge.errors import PackageError
from verdict.problems.archives import Budget, is_archive, safe_extract

def peak_kb():
    for line in open("/proc/self/status"):
        if line.startswith("VmHWM:"):
            return int(line.split()[1])

target, scratch = Path(sys.argv[2]), Path(sys.argv[3])
base, started = peak_kb(), time.process_time()
error = ""
try:
    exec(sys.argv[1])
except PackageError as exc:
    error = str(exc)
print(json.dumps({"error": error, "growth_kb": peak_kb() - base, "cpu": time.process_time() - started}))
"""

EXTRACT = (
    "assert is_archive(target); "
    f"safe_extract(target, scratch / 'x', Budget({BYTE_CAP}, {FILE_CAP}, 'upload'))"
)
LOAD = "load_package(target)"


@dataclass(frozen=True)
class Outcome:
    error: str
    growth_kb: int
    cpu: float


def attack(action: str, target: Path, scratch: Path) -> Outcome:
    """Run ``action`` on ``target`` in a fresh interpreter; any error but PackageError fails."""
    result = subprocess.run(
        [sys.executable, "-c", _PROBE, action, str(target), str(scratch)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    report = json.loads(result.stdout.strip().splitlines()[-1])
    return Outcome(report["error"], report["growth_kb"], report["cpu"])


def assert_contained(outcome: Outcome, message: str) -> None:
    assert message in outcome.error, outcome.error
    assert len(outcome.error) < 1000  # a clear message, not the bomb quoted back
    assert outcome.growth_kb < MEMORY_BOUND_KB, f"peak RSS grew by {outcome.growth_kb} kB"


# --------------------------------------------------------------------------- the attacks


@pytest.mark.integration
def test_zip_symlink_with_2_gib_target_is_refused_before_it_is_read(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.zip"
    zip_with_symlink_of_zeros(bomb, 2 * GIB)
    assert bomb.stat().st_size < 3 * MIB
    assert_contained(attack(EXTRACT, bomb, tmp_path), "symlink link: its target is longer than 4096 bytes")


@pytest.mark.integration
@pytest.mark.parametrize(("kind", "label"), [(b"x", "pax"), (b"L", "GNU long name")])
def test_tar_extended_header_of_2_gib_is_refused_before_it_is_read(
    tmp_path: Path, kind: bytes, label: str
) -> None:
    bomb = tmp_path / "bomb.tar.gz"
    tar_gz_with_extended_header_of_zeros(bomb, kind, 2 * GIB)
    assert bomb.stat().st_size < 3 * MIB
    outcome = attack(EXTRACT, bomb, tmp_path)
    assert_contained(outcome, f"an extended header of {2 * GIB} bytes (at most {MAX_TAR_HEADER_BYTES}")


@pytest.mark.unit
def test_truncated_huge_pax_header_is_refused_by_its_declared_size(tmp_path: Path) -> None:
    """The size check comes first: a header declaring 8 GiB with only a few bytes after it."""
    bomb = tmp_path / "bomb.tar"
    bomb.write_bytes(tar_header("./PaxHeaders/x", b"x", 8 * GIB) + b"30 path=" + b"a" * 100)
    assert is_archive(bomb)
    with pytest.raises(PackageError, match=f"an extended header of {8 * GIB} bytes"):
        safe_extract(bomb, tmp_path / "x", Budget(BYTE_CAP, FILE_CAP, "upload"))


@pytest.mark.integration
def test_a_million_root_entries_count_against_the_file_budget(tmp_path: Path) -> None:
    root = tarfile.TarInfo("./")
    root.type = tarfile.DIRTYPE
    bomb = tmp_path / "roots.tar.gz"
    tar_gz_of_repeated_header(bomb, root.tobuf(format=tarfile.USTAR_FORMAT), 1024 * 1024)
    assert bomb.stat().st_size < 4 * MIB
    outcome = attack(EXTRACT, bomb, tmp_path)
    assert_contained(outcome, f"too many files: more than {FILE_CAP}")
    assert outcome.cpu < 10, f"{outcome.cpu:.1f} s of CPU"  # the audit measured 29 s


@pytest.mark.integration
def test_many_pax_headers_in_a_row_are_an_error_not_a_recursion(tmp_path: Path) -> None:
    # tarfile recurses once per extended header before the member they describe.
    pax = tar_header("./PaxHeaders/x", b"x", 0)
    bomb = tmp_path / "chain.tar.gz"
    tar_gz_of_repeated_header(bomb, pax, 2048 * 8)
    assert_contained(attack(EXTRACT, bomb, tmp_path), "too many extended headers in a row")


@pytest.mark.unit
def test_zip_declaring_more_entries_than_the_budget_is_refused_before_its_directory_is_read(
    tmp_path: Path,
) -> None:
    archive = tmp_path / "many.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        for index in range(50):
            zf.writestr(f"f{index}", b"")
    with pytest.raises(PackageError, match="the zip declares 50 \\(at most 10\\)"):
        safe_extract(archive, tmp_path / "x", Budget(None, 10, "upload"))


@pytest.mark.unit
@pytest.mark.parametrize(
    ("names", "message"),
    [
        (["p/" + "n" * 300], "is longer than 255 bytes"),
        (["p/" + "d/" * 1900 + "f"], f"is more than {MAX_PATH_DEPTH} levels deep"),
        (["p/" + "/".join(["d" * 200] * 12) + "/f"], "is longer than 2048 bytes"),
    ],
    ids=["long-component", "1900-deep", "long-path"],
)
def test_unreasonable_paths_are_refused_clearly(tmp_path: Path, names: list[str], message: str) -> None:
    archive = tmp_path / "paths.tar"
    tar_of(archive, names)
    with pytest.raises(PackageError, match=message) as caught:
        safe_extract(archive, tmp_path / "x", Budget(BYTE_CAP, FILE_CAP, "upload"))
    assert len(str(caught.value)) < 500


@pytest.mark.unit
def test_a_symlink_copying_a_deep_directory_deeper_is_refused_by_the_depth_cap(tmp_path: Path) -> None:
    # Each path is within the cap, but materialising the link puts s/ (31 deep) under e/ (21 deep).
    archive = tmp_path / "links.tar"
    with tarfile.open(archive, "w") as tf:
        tf.addfile(tarfile.TarInfo("p/s/" + "d/" * 30 + "f"), io.BytesIO(b""))
        link = tarfile.TarInfo("p/" + "e/" * 20 + "l")
        link.type, link.linkname = tarfile.SYMTYPE, "../" * 20 + "s"
        tf.addfile(link)
    with pytest.raises(PackageError, match=f"more than {MAX_PATH_DEPTH} levels deep"):
        safe_extract(archive, tmp_path / "x", Budget(BYTE_CAP, FILE_CAP, "upload"))


# --------------------------------------------------------------------------- YAML bombs


def kattis_package(root: Path, problem_yaml: str) -> Path:
    (root / "data" / "secret").mkdir(parents=True)
    (root / "data" / "secret" / "1.in").write_text("1\n")
    (root / "data" / "secret" / "1.ans").write_text("1\n")
    (root / "problem.yaml").write_text(problem_yaml)
    return root


@pytest.mark.integration
def test_problem_yaml_billion_laughs_is_refused_with_a_short_message(tmp_path: Path) -> None:
    # The audit's 1.7 KB tree, put where a scalar belongs: the old message quoted it whole (722 MB).
    text = LAUGHS + "\nname: *i\nproblem_format_version: *i\n"
    assert len(text) < 1800
    package = kattis_package(tmp_path / "laughs", text)
    assert_contained(attack(LOAD, package, tmp_path), "the YAML expands to more than 100000 values")


@pytest.mark.integration
def test_handler_yml_billion_laughs_is_refused(tmp_path: Path) -> None:
    package = tmp_path / "laughs.pbm"
    package.mkdir()
    (package / "handler.yml").write_text(LAUGHS + "\nhandler: *i\n")
    (package / "sample.inp").write_text("1\n")
    (package / "sample.cor").write_text("1\n")
    assert_contained(attack(LOAD, package, tmp_path), "the YAML expands to more than 100000 values")


@pytest.mark.unit
def test_recursive_alias_is_refused(tmp_path: Path) -> None:
    package = kattis_package(tmp_path / "loop", "name: &x [*x]\n")
    with pytest.raises(PackageError, match="recursive alias"):
        load_package(package)


@pytest.mark.unit
def test_modest_aliases_still_load(tmp_path: Path) -> None:
    text = "limits: &l {time_multiplier: 2}\nname: Hello\nother: *l\n"
    assert load_package(kattis_package(tmp_path / "ok", text)).titles


@pytest.mark.unit
def test_a_long_bad_value_is_quoted_cut_in_the_message(tmp_path: Path) -> None:
    package = kattis_package(tmp_path / "long", "problem_format_version: " + "x" * 100_000 + "\n")
    with pytest.raises(PackageError, match="has unknown value") as caught:
        load_package(package)
    assert len(str(caught.value)) < 500


@pytest.mark.unit
def test_brief_cuts_big_and_deep_values() -> None:
    assert len(brief("x" * 10**6)) <= MESSAGE_VALUE_CHARS
    shared: list[object] = ["lol"] * 9
    for _ in range(9):
        shared = [shared] * 9  # 9**10 leaves if walked: brief must not walk it
    assert len(brief(shared)) <= MESSAGE_VALUE_CHARS
    assert brief("short") == "'short'"
