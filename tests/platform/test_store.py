"""The problem store: imports from directories and archives, hostile archives, versions, dedup,
and fetching packages back for graders."""

from __future__ import annotations

import hashlib
import io
import os
import shutil
import stat
import tarfile
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy.orm import Session

from tests.support.paths import APLUSB, DEMO_PACKAGES, FIXTURE_PACKAGES
from tests.support.users import MakeUser
from verdict.judge.errors import PackageError
from verdict.judge.packages import load_package
from verdict.judge.time_limits import Timing
from verdict.models import Blob, Problem, ProblemVersion, Submission
from verdict.platform import Platform
from verdict.problems.store import (
    ProblemNotFound,
    allocate_problem_id,
    fetch_package,
    get_problem,
    import_package,
    parse_problem_ref,
)
from verdict.settings import Settings


@pytest.fixture
def aplusb(tmp_path: Path) -> Path:
    """A private copy of a Kattis package (tests may modify it)."""
    return Path(shutil.copytree(APLUSB, tmp_path / "src" / "aplusb"))


@pytest.fixture
def scored(tmp_path: Path) -> Path:
    return Path(shutil.copytree(DEMO_PACKAGES / "scored.pbm", tmp_path / "src" / "scored.pbm"))


def _import(platform: Platform, session: Session, source: Path, **kwargs: object):
    result = import_package(session, source, settings=platform.settings, **kwargs)  # type: ignore[arg-type]
    session.commit()
    return result


def make_tgz(path: Path, root: Path, arcname: str | None = None) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        tf.add(root, arcname=arcname if arcname is not None else root.name)
    return path


def make_zip(path: Path, root: Path, prefix: str) -> Path:
    with zipfile.ZipFile(path, "w") as zf:
        for file in sorted(root.rglob("*")):
            zf.write(file, f"{prefix}{file.relative_to(root)}")
    return path


def count(session: Session, model: type) -> int:
    return session.scalar(sa.select(sa.func.count()).select_from(model)) or 0


# --------------------------------------------------------------------------- imports


@pytest.mark.integration
def test_import_directory(platform: Platform, session: Session, scored: Path, make_user: MakeUser) -> None:
    owner = make_user("teacher", role="instructor")
    result = _import(platform, session, scored, owner=owner)
    problem = result.problem
    assert result.problem_created and result.version_created
    assert problem.id.startswith("P") and len(problem.id) == 6 and problem.id[1:].isdigit()
    assert problem.owner_id == owner.id
    assert (problem.package_id, problem.format) == ("scored", "jutge")
    assert problem.titles == result.package.titles and problem.languages == sorted(problem.titles)
    assert problem.source_path == str(scored.resolve())
    version = problem.current_version
    assert version is result.version and version.meta["tests"] == len(result.package.tests)
    blob = session.get(Blob, version.blob_hash)
    assert hashlib.sha256(blob.data).hexdigest() == blob.hash and blob.size == len(blob.data)
    assert get_problem(session, f"{problem.id}_en") is problem


@pytest.mark.integration
def test_archives_pack_to_the_same_blob_as_the_directory(
    platform: Platform, session: Session, aplusb: Path, tmp_path: Path
) -> None:
    first = _import(platform, session, aplusb)
    tgz = make_tgz(tmp_path / "upload.tgz", aplusb)  # wrapped in aplusb/
    zipped = make_zip(tmp_path / "aplusb.zip", aplusb, prefix="")  # files at the top level
    for archive in (tgz, zipped):
        again = _import(platform, session, archive, problem_id=first.problem.id)
        assert again.problem.id == first.problem.id
        assert not again.problem_created and not again.version_created
        assert again.version.blob_hash == first.version.blob_hash
    assert count(session, Blob) == 1 and count(session, ProblemVersion) == 1


@pytest.mark.integration
def test_packing_ignores_times_and_owners(platform: Platform, session: Session, aplusb: Path) -> None:
    first = _import(platform, session, aplusb, match_existing=False)
    for file in aplusb.rglob("*"):
        os.utime(file, (1, 1))
    (aplusb / ".git").mkdir()  # version-control clutter is not part of the package
    (aplusb / ".git" / "HEAD").write_text("ref: refs/heads/main\n")
    second = _import(platform, session, aplusb, match_existing=False)
    assert second.problem.id != first.problem.id  # two problems ...
    assert second.version.blob_hash == first.version.blob_hash  # ... sharing one blob
    assert count(session, Blob) == 1


@pytest.mark.integration
def test_reimport_makes_a_new_version_and_old_submissions_keep_theirs(
    platform: Platform, session: Session, aplusb: Path, make_user: MakeUser
) -> None:
    student = make_user("student")
    first = _import(platform, session, aplusb)
    submission = Submission(
        user_id=student.id, problem_id=first.problem.id, problem_version_id=first.version.id, source="x"
    )
    session.add(submission)
    session.commit()
    (aplusb / "data" / "secret" / "zz-extra.in").write_text("40 2\n")
    (aplusb / "data" / "secret" / "zz-extra.ans").write_text("42\n")
    second = _import(platform, session, aplusb)
    assert second.problem.id == first.problem.id and second.version_created
    assert second.version.id != first.version.id
    assert second.problem.current_version_id == second.version.id
    assert second.version.meta["tests"] == first.version.meta["tests"] + 1
    assert [v.id for v in second.problem.versions] == [first.version.id, second.version.id]
    session.refresh(submission)
    assert submission.problem_version_id == first.version.id
    assert count(session, Blob) == 2


@pytest.mark.integration
def test_a_reimport_from_a_path_updates_only_the_problem_of_that_path(
    platform: Platform, session: Session, tmp_path: Path, make_user: MakeUser
) -> None:
    """Two packages with the same folder name (x.pbm in two course directories) are two problems;
    importing either path again updates its own problem, never the other one."""
    owner = make_user("teacher", role="instructor")
    first_path = Path(shutil.copytree(DEMO_PACKAGES / "scored.pbm", tmp_path / "course1" / "x.pbm"))
    second_path = Path(shutil.copytree(DEMO_PACKAGES / "pe_ic.pbm", tmp_path / "course2" / "x.pbm"))
    first = _import(platform, session, first_path, owner=owner)
    second = _import(platform, session, second_path, owner=owner)
    assert second.problem_created and second.problem.id != first.problem.id
    (second_path / "problem.en.yml").write_text("title: Renamed\nauthor: Verdict Team\n")
    again = _import(platform, session, second_path, owner=owner)
    assert again.problem.id == second.problem.id and again.version_created
    session.refresh(first.problem)
    assert first.problem.current_version_id == first.version.id and first.problem.title("en") != "Renamed"
    assert again.problem.title("en") == "Renamed"


@pytest.mark.integration
def test_a_language_folder_is_refused_and_the_whole_package_imports(
    platform: Platform, session: Session, tmp_path: Path
) -> None:
    words = Path(shutil.copytree(FIXTURE_PACKAGES / "jutge" / "words.pbm", tmp_path / "src" / "words.pbm"))
    with pytest.raises(PackageError, match=r"import words\.pbm itself"):
        import_package(session, words / "en", settings=platform.settings)
    session.rollback()
    assert count(session, Problem) == 0
    result = _import(platform, session, words)
    assert result.problem.languages == ["ca", "en"] and result.problem.package_id == "words"
    meta = result.version.meta
    assert set(meta["timing"]) == {"ca", "en"} and meta["languages"] == ["ca", "en"]
    assert len(meta["preparation"]["made_outputs"]) == 7
    assert not list(words.rglob("*.cor"))  # made in the stored version, not in the teacher's files
    root = fetch_package(session, result.version.blob_hash, platform.settings.data_dir / "cache-fetch")
    assert sorted(p.name for p in (root / "en").glob("*.cor")) == [
        "sample-1.cor",
        "test-1.cor",
        "test-2.cor",
        "test-3.cor",
    ]


@pytest.mark.integration
def test_update_by_id_and_unknown_ids(
    platform: Platform, session: Session, aplusb: Path, scored: Path
) -> None:
    first = _import(platform, session, aplusb)
    updated = _import(platform, session, scored, problem_id=first.problem.id, password="letmein")
    assert updated.problem.id == first.problem.id and updated.problem.format == "jutge"
    assert updated.problem.password_hash and updated.problem.password_hash.startswith("$argon2")
    with pytest.raises(ProblemNotFound):
        import_package(session, aplusb, settings=platform.settings, problem_id="P00000")


@pytest.mark.integration
def test_a_jutge_style_package_id_becomes_the_problem_id(
    platform: Platform, session: Session, aplusb: Path
) -> None:
    renamed = aplusb.rename(aplusb.parent / "P12345")
    assert _import(platform, session, renamed).problem.id == "P12345"
    other = Path(shutil.copytree(renamed, renamed.parent.parent / "again" / "P12345"))
    second = _import(platform, session, other, match_existing=False)
    assert second.problem.id != "P12345"  # taken: a fresh id instead


@pytest.mark.integration
def test_invalid_packages_are_refused_and_nothing_is_stored(platform: Platform, session: Session) -> None:
    with pytest.raises(PackageError, match=r"no_cor\.pbm"):
        import_package(session, FIXTURE_PACKAGES / "bad" / "no_cor.pbm", settings=platform.settings)
    with pytest.raises(PackageError, match="no such file"):
        import_package(session, FIXTURE_PACKAGES / "nowhere", settings=platform.settings)
    session.rollback()
    assert count(session, Blob) == 0 and count(session, Problem) == 0


@pytest.mark.unit
def test_problem_ids() -> None:
    assert parse_problem_ref("P12345_ca") == ("P12345", "ca")
    assert parse_problem_ref("P12345") == ("P12345", None)
    assert parse_problem_ref("weird") == ("weird", None)


@pytest.mark.integration
def test_allocated_ids_are_free(session: Session) -> None:
    ids = {allocate_problem_id(session) for _ in range(50)}
    assert all(len(i) == 6 and i[0] == "P" and i[1:].isdigit() for i in ids)


# --------------------------------------------------------------------------- hostile archives


def _tar(path: Path, *members: tuple[tarfile.TarInfo, bytes | None]) -> Path:
    with tarfile.open(path, "w:gz") as tf:
        for info, data in members:
            if data is not None:
                info.size = len(data)
            tf.addfile(info, io.BytesIO(data) if data is not None else None)
    return path


def _file(name: str, data: bytes = b"x") -> tuple[tarfile.TarInfo, bytes]:
    return tarfile.TarInfo(name), data


def _special(name: str, kind: bytes, link: str = "") -> tuple[tarfile.TarInfo, None]:
    info = tarfile.TarInfo(name)
    info.type, info.linkname = kind, link
    return info, None


def _package_members(root: Path, prefix: str) -> list[tuple[tarfile.TarInfo, bytes]]:
    return [
        _file(f"{prefix}{p.relative_to(root)}", p.read_bytes())
        for p in sorted(root.rglob("*"))
        if p.is_file()
    ]


@pytest.mark.integration
@pytest.mark.parametrize(
    ("member", "message"),
    [
        (_file("../../evil.txt"), "escapes the package"),
        (_file("pkg/../../evil.txt"), "escapes the package"),
        (_file("/tmp/evil.txt"), "absolute path"),
        (_special("pkg/link", tarfile.SYMTYPE, "/etc/passwd"), "points outside"),
        (_special("pkg/link", tarfile.SYMTYPE, "../../../etc/passwd"), "points outside"),
        (_special("pkg/hard", tarfile.LNKTYPE, "../etc/passwd"), "escapes the package"),
        (_special("pkg/dev", tarfile.CHRTYPE), "device files"),
        (_special("pkg/fifo", tarfile.FIFOTYPE), "device files"),
        (_special("pkg/self", tarfile.SYMTYPE, ".."), "points to the package root"),
        (_special("pkg/loop", tarfile.SYMTYPE, "loop"), "ancestor"),
        (_special("pkg/a", tarfile.SYMTYPE, "b"), "dangling"),
    ],
)
def test_hostile_tar_members_are_refused(
    platform: Platform,
    session: Session,
    tmp_path: Path,
    member: tuple[tarfile.TarInfo, bytes | None],
    message: str,
) -> None:
    upload = tmp_path / "up"
    upload.mkdir()
    archive = _tar(upload / "evil.tgz", _file("pkg/problem.yaml", b"name: x\n"), member)
    with pytest.raises(PackageError, match=message):
        import_package(session, archive, settings=platform.settings)
    assert not (tmp_path / "evil.txt").exists() and not Path("/tmp/evil.txt").exists()
    assert list((platform.settings.data_dir / "tmp").iterdir()) == []  # scratch space cleaned


@pytest.mark.integration
def test_hostile_zip_members_are_refused(platform: Platform, session: Session, tmp_path: Path) -> None:
    traversal = tmp_path / "traversal.zip"
    with zipfile.ZipFile(traversal, "w") as zf:
        zf.writestr("../evil.txt", "x")
    link = tmp_path / "link.zip"
    with zipfile.ZipFile(link, "w") as zf:
        info = zipfile.ZipInfo("pkg/link")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    for archive, message in ((traversal, "escapes the package"), (link, "points outside")):
        with pytest.raises(PackageError, match=message):
            import_package(session, archive, settings=platform.settings)


@pytest.mark.integration
def test_links_inside_the_package_become_copies(
    platform: Platform, session: Session, aplusb: Path, tmp_path: Path
) -> None:
    members = _package_members(aplusb, "aplusb/")
    members.append(_special("aplusb/statement-copy", tarfile.SYMTYPE, "statement"))  # a directory
    members.append(_special("aplusb/problem-copy.yaml", tarfile.LNKTYPE, "aplusb/problem.yaml"))  # hard link
    result = _import(platform, session, _tar(tmp_path / "links.tgz", *members))
    root = fetch_package(session, result.version.blob_hash, platform.settings.cache_dir)
    copy = root / "problem-copy.yaml"
    assert copy.is_file() and not copy.is_symlink()
    assert copy.read_bytes() == (aplusb / "problem.yaml").read_bytes()
    assert (root / "statement-copy").is_dir() and not (root / "statement-copy").is_symlink()


@pytest.mark.integration
def test_directory_symlinks_pointing_outside_are_refused(
    platform: Platform, session: Session, aplusb: Path
) -> None:
    (aplusb / "secret").symlink_to("/etc/hostname")
    with pytest.raises(PackageError, match="points outside"):
        import_package(session, aplusb, settings=platform.settings)
    (aplusb / "secret").unlink()
    (aplusb / "inside").symlink_to("problem.yaml")  # fine: followed and stored as a file
    result = _import(platform, session, aplusb)
    root = fetch_package(session, result.version.blob_hash, platform.settings.cache_dir)
    assert (root / "inside").read_bytes() == (aplusb / "problem.yaml").read_bytes()


def _tight(platform: Platform, **limits: int) -> Settings:
    return platform.settings.model_copy(update=limits)


@pytest.mark.integration
def test_size_and_file_count_caps(platform: Platform, session: Session, aplusb: Path, tmp_path: Path) -> None:
    bomb = _tar(
        tmp_path / "bomb.tgz", _file("pkg/problem.yaml", b"name: x\n"), _file("pkg/big", b"\0" * 200_000)
    )
    with pytest.raises(PackageError, match="package too large"):
        import_package(session, bomb, settings=_tight(platform, max_package_bytes=100_000))
    many = _tar(tmp_path / "many.tgz", *(_file(f"pkg/f{i}") for i in range(50)))
    with pytest.raises(PackageError, match="too many files"):
        import_package(session, many, settings=_tight(platform, max_package_files=20))
    # The same caps hold for directories, and for links copied out of an archive.
    with pytest.raises(PackageError, match="too many files"):
        import_package(session, aplusb, settings=_tight(platform, max_package_files=3))
    amplified = [_file("pkg/problem.yaml", b"name: x\n"), _file("pkg/big", b"\0" * 60_000)]
    amplified += [_special(f"pkg/copy{i}", tarfile.SYMTYPE, "big") for i in range(5)]
    with pytest.raises(PackageError, match="package too large"):
        import_package(
            session,
            _tar(tmp_path / "amp.tgz", *amplified),
            settings=_tight(platform, max_package_bytes=200_000),
        )


@pytest.mark.integration
def test_not_an_archive(platform: Platform, session: Session, tmp_path: Path) -> None:
    junk = tmp_path / "junk.tgz"
    junk.write_bytes(b"this is not gzip")
    with pytest.raises(PackageError, match="neither a directory nor a tar or zip archive"):
        import_package(session, junk, settings=platform.settings)


# --------------------------------------------------------------------------- fetching


@pytest.mark.integration
def test_fetch_extracts_once_into_the_cache(platform: Platform, session: Session, scored: Path) -> None:
    result = _import(platform, session, scored)
    cache = platform.settings.cache_dir / "packages"
    root = fetch_package(session, result.version.blob_hash, cache)
    assert root == cache / result.version.blob_hash / "scored.pbm"
    package = load_package(root)
    assert package.problem_id == "scored" and len(package.tests) == len(result.package.tests)
    # A second fetch does not need the database any more.
    session.execute(sa.update(Blob).values(data=b""))
    assert fetch_package(session, result.version.blob_hash, cache) == root
    assert [p.name for p in cache.iterdir()] == [result.version.blob_hash]  # no leftovers
    session.rollback()


@pytest.mark.integration
def test_concurrent_fetches_agree(platform: Platform, session: Session, aplusb: Path) -> None:
    blob_hash = _import(platform, session, aplusb).version.blob_hash
    cache = platform.settings.cache_dir / "packages"  # the import compiled into cache_dir itself

    def fetch(_: int) -> Path:
        with platform.sessionmaker() as own:
            return fetch_package(own, blob_hash, cache)

    with ThreadPoolExecutor(max_workers=6) as pool:
        results = list(pool.map(fetch, range(6)))  # re-raises any thread's error
    assert len(set(results)) == 1
    assert sorted(p.name for p in cache.iterdir()) == [blob_hash]


@pytest.mark.integration
def test_fetch_refuses_bad_hashes(platform: Platform, session: Session) -> None:
    with pytest.raises(ValueError, match="not a sha256"):
        fetch_package(session, "../../etc", platform.settings.cache_dir)
    with pytest.raises(ProblemNotFound):
        fetch_package(session, "0" * 64, platform.settings.cache_dir)


@pytest.mark.integration
def test_workers_apply_the_stored_limits_of_the_variant_or_the_original_language(
    platform: Platform, session: Session, tmp_path: Path
) -> None:
    """No worker measures again: the limit is the stored one, per variant, and a submission naming
    no variant gets the original language's (ca, whose problem.ca.yml names the author)."""
    words = Path(shutil.copytree(FIXTURE_PACKAGES / "jutge" / "words.pbm", tmp_path / "src" / "words.pbm"))
    version = _import(platform, session, words).version
    # Distinctive stored times: measuring again (~0.01 s, the 0.5 s floor) would give other limits.
    timings = {name: dict(data) for name, data in version.meta["timing"].items()}
    for name, seconds in (("ca", 0.7), ("en", 0.9)):
        timings[name]["references"] = [{**r, "seconds": seconds} for r in timings[name]["references"]]
    version.meta = {**version.meta, "timing": timings}
    session.commit()
    stored = {name: Timing.from_dict(data) for name, data in timings.items()}
    assert stored["ca"].limit_for(".py", "slow") != stored["en"].limit_for(".py", "slow")
    engine = platform.grading_engine()
    source = "import sys\nprint(len(sys.stdin.read().split()))\n"
    for variant, timing_of in (("en", "en"), (None, "ca")):
        result = engine.judge(version.id, "Python3", source, variant=variant)
        assert result.verdict.value == "AC", result
        assert result.time_limit == stored[timing_of].limit_for(".py", "slow")
