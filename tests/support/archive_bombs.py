"""Archive and YAML bombs as the issue 10 audit made them (H5, L1), built streamed so that they
stay small on disk: a deflate stream of zeros is one compressed megabyte repeated (after a full
flush, the compressor emits the same bytes for the same input), so 2 GiB of zeros take 2 MB and
no time to build. Shared by tests/platform/test_archive_bombs.py and the faces' upload tests."""

from __future__ import annotations

import io
import struct
import tarfile
import zlib
from pathlib import Path

GIB = 1 << 30
MIB = 1 << 20


def deflated_zeros(size: int) -> bytes:
    """A raw deflate stream of ``size`` zero bytes (a multiple of 1 MiB), built in O(1) time."""
    assert size % MIB == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(bytes(MIB)) + compressor.flush(zlib.Z_FULL_FLUSH)
    return piece * (size // MIB) + compressor.flush()


def gzip_of(stream: bytes) -> bytes:
    """Wrap a raw deflate stream in a gzip member. The trailer's CRC is left 0: a reader that
    stops early (what the defences must do) never checks it."""
    header = b"\x1f\x8b\x08\x00" + b"\x00" * 4 + b"\x00\x03"
    return header + stream + struct.pack("<II", 0, 0)


def tar_header(name: str, kind: bytes, size: int) -> bytes:
    """One 512-byte ustar header; the size field is written by hand so that it may lie."""
    info = tarfile.TarInfo(name)
    info.type = kind
    block = bytearray(info.tobuf(format=tarfile.USTAR_FORMAT))
    # Octal while it fits in 11 digits, else the GNU base-256 form (tarfile reads both).
    field = f"{size:011o}\0".encode() if size < 8**11 else b"\x80" + size.to_bytes(11, "big")
    block[124:136] = field
    block[148:156] = b" " * 8
    block[148:156] = f"{sum(block):06o}\0 ".encode()
    return bytes(block)


def zip_with_symlink_of_zeros(path: Path, size: int) -> None:
    """A zip whose one member has the Unix symlink mode and ``size`` bytes of zeros as target."""
    name = b"link"
    data = deflated_zeros(size)
    local = struct.pack("<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, 0, len(data), size, len(name), 0)
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII",
        b"PK\x01\x02",
        (3 << 8) | 20,  # made on Unix: the high half of external_attr is st_mode
        20,
        0,
        8,
        0,
        0x21,
        0,
        len(data),
        size,
        len(name),
        0,
        0,
        0,
        0,
        0o120777 << 16,
        0,
    )
    offset = len(local) + len(name) + len(data)
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central) + len(name), offset, 0)
    path.write_bytes(local + name + data + central + name + end)


def tar_gz_with_extended_header_of_zeros(path: Path, kind: bytes, size: int) -> None:
    """A .tar.gz whose first member is a pax (``x``) or GNU long-name (``L``) header declaring
    ``size`` bytes, followed by that many zeros (compressed)."""
    header = tar_header("././@LongLink" if kind == b"L" else "./PaxHeaders/x", kind, size)
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = compressor.compress(header) + compressor.flush(zlib.Z_FULL_FLUSH)
    # Blocks ending in a full flush are byte-aligned and self-contained: the streams concatenate.
    path.write_bytes(gzip_of(head + deflated_zeros(size)))


def tar_gz_of_repeated_header(path: Path, header: bytes, count: int) -> None:
    """A .tar.gz of ``count`` copies of one 512-byte header, in about count/1000 bytes."""
    per_piece = MIB // len(header)
    assert count % per_piece == 0
    compressor = zlib.compressobj(9, zlib.DEFLATED, -15)
    piece = compressor.compress(header * per_piece) + compressor.flush(zlib.Z_FULL_FLUSH)
    path.write_bytes(gzip_of(piece * (count // per_piece) + compressor.flush()))


def tar_of(path: Path, names: list[str]) -> None:
    with tarfile.open(path, "w", format=tarfile.PAX_FORMAT) as tf:
        for name in names:
            info = tarfile.TarInfo(name)
            info.size = 2
            tf.addfile(info, io.BytesIO(b"1\n"))


LAUGHS = "\n".join(
    ["a: &a [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    + [f"{chr(98 + i)}: &{chr(98 + i)} [" + ", ".join([f"*{chr(97 + i)}"] * 9) + "]" for i in range(8)]
)
