"""The front-end packages (htmx and its extensions, later KaTeX and an editor), pinned in
``assets.toml`` and fetched from the npm registry into ``static/vendor/`` at install time.

Each tarball is checked against its pinned ``sha512`` integrity (the registry's Subresource
Integrity string) before a single file of it is written, so a changed or corrupted package stops
the install instead of reaching a browser. A stamp file records the manifest that was fetched: a
second run with the same manifest does nothing (no network). Run by ``./dev``::

    python -m verdict.faces.html.assets            # fetch what is missing
    python -m verdict.faces.html.assets --check    # exit 1 if anything is missing or stale
"""

from __future__ import annotations

import base64
import hashlib
import io
import sys
import tarfile
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).parent
MANIFEST = HERE / "assets.toml"
VENDOR = HERE / "static" / "vendor"
REGISTRY = "https://registry.npmjs.org"
STAMP = ".manifest-sha256"
MAX_TARBALL = 50 * 1024 * 1024


class AssetError(Exception):
    """A package that cannot be had as pinned (unreachable, wrong integrity, missing file)."""


@dataclass(frozen=True)
class Package:
    name: str
    version: str
    integrity: str  # "sha512-<base64>"
    files: dict[str, str]  # path in the tarball (under package/) -> path under vendor/<name>/

    @property
    def tarball_url(self) -> str:
        # Scoped packages (@scope/name) keep the scope in the path, not in the file name.
        return f"{REGISTRY}/{self.name}/-/{self.name.split('/')[-1]}-{self.version}.tgz"


def read_manifest(path: Path = MANIFEST) -> list[Package]:
    data = tomllib.loads(path.read_text())
    return [
        Package(
            name=str(entry["name"]),
            version=str(entry["version"]),
            integrity=str(entry["integrity"]),
            files={str(k): str(v) for k, v in entry["files"].items()},
        )
        for entry in data["package"]
    ]


def check_integrity(data: bytes, integrity: str) -> None:
    """Raise :class:`AssetError` unless ``data`` hashes to ``integrity`` (``sha512-<base64>``)."""
    algorithm, _, expected = integrity.partition("-")
    if algorithm != "sha512":
        raise AssetError(f"only sha512 integrity is accepted, not {algorithm!r}")
    actual = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if actual != expected:
        raise AssetError(f"integrity mismatch: expected sha512-{expected}, got sha512-{actual}")


def extract(package: Package, tarball: bytes, target: Path) -> None:
    """Write the package's listed files into ``target`` (only those: nothing else of the tarball)."""
    with tarfile.open(fileobj=io.BytesIO(tarball), mode="r:gz") as archive:
        for inside, name in package.files.items():
            # A plain file name, or one under plain folder names (KaTeX's CSS wants fonts/...).
            if any(not part or part.startswith(".") for part in name.split("/")):
                raise AssetError(f"{package.name}: target {name!r} must be a plain file name")
            try:
                member = archive.getmember(f"package/{inside}")
            except KeyError:
                raise AssetError(f"{package.name}@{package.version} has no file {inside!r}") from None
            stream = archive.extractfile(member) if member.isfile() else None
            if stream is None:
                raise AssetError(f"{package.name}@{package.version}: {inside!r} is not a regular file")
            (target / name).parent.mkdir(parents=True, exist_ok=True)
            (target / name).write_bytes(stream.read())


def download(url: str) -> bytes:
    try:
        with urllib.request.urlopen(url, timeout=60) as response:
            data: bytes = response.read(MAX_TARBALL + 1)
    except OSError as error:
        raise AssetError(f"cannot download {url}: {error}") from error
    if len(data) > MAX_TARBALL:
        raise AssetError(f"{url} is larger than {MAX_TARBALL} bytes")
    return data


def manifest_digest(path: Path = MANIFEST) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def up_to_date(vendor: Path = VENDOR, manifest: Path = MANIFEST) -> bool:
    """Whether ``vendor`` holds exactly what the manifest pins (by the stamp, and every file)."""
    stamp = vendor / STAMP
    if not stamp.is_file() or stamp.read_text().strip() != manifest_digest(manifest):
        return False
    return all(
        (vendor / package.name / name).is_file()
        for package in read_manifest(manifest)
        for name in package.files.values()
    )


def fetch(vendor: Path = VENDOR, manifest: Path = MANIFEST) -> list[str]:
    """Fetch, check and extract every package unless already there; the packages fetched."""
    if up_to_date(vendor, manifest):
        return []
    fetched = []
    for package in read_manifest(manifest):
        tarball = download(package.tarball_url)
        try:
            check_integrity(tarball, package.integrity)
        except AssetError as error:
            raise AssetError(f"{package.name}@{package.version}: {error}") from None
        extract(package, tarball, vendor / package.name)
        fetched.append(f"{package.name}@{package.version}")
    (vendor / STAMP).write_text(manifest_digest(manifest) + "\n")
    return fetched


def main(argv: list[str]) -> int:
    if "--check" in argv:
        ok = up_to_date()
        print("front-end assets " + ("up to date" if ok else f"missing or stale in {VENDOR}"))
        return 0 if ok else 1
    try:
        fetched = fetch()
    except AssetError as error:
        print(f"front-end assets: {error}", file=sys.stderr)
        return 1
    if fetched:
        print("front-end assets fetched: " + ", ".join(fetched))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
