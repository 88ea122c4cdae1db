"""Read an s3emu data directory from outside: which blob files exist, which the metadata refers to.

The layout (Sources/S3EmulatorStorage): `metadata.sqlite` (WAL), blobs under
`blobs/<first two characters>/<id>`, temp files under `tmp/`. A blob id is 32 lowercase hex
characters; a composite blob (a completed multipart upload) is the same followed by `.parts`, and
its file lists the plain blobs it joins (`s3emu composite blob 1`, then `<id> <size>` lines). An
inline blob (a small object's bytes) is the same followed by `.inline`; it is a row of the
`inline_blobs` table, not a file.
"""

from __future__ import annotations

import shutil
import sqlite3
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

COMPOSITE_SUFFIX = ".parts"
COMPOSITE_HEADER = "s3emu composite blob 1"


@dataclass
class BlobCensus:
    files: set[str] = field(default_factory=set)       # blob files under blobs/, and inline blobs in SQLite
    temps: list[str] = field(default_factory=list)     # files under tmp/
    referenced: set[str] = field(default_factory=set)  # blob ids in the metadata
    joined: set[str] = field(default_factory=set)      # plain blobs that live composites join

    @property
    def expected(self) -> set[str]:
        return self.referenced | self.joined

    @property
    def orphans(self) -> set[str]:
        """Blob files nothing refers to."""
        return self.files - self.expected

    @property
    def missing(self) -> set[str]:
        """Blobs the metadata refers to that have no file (lost data)."""
        return self.expected - self.files


def blob_columns(connection: sqlite3.Connection) -> list[tuple[str, str]]:
    """Every (table, column) that holds blob ids: each column named `blob_id`, in any table, so
    tables added by later schema migrations are counted too."""
    found = []
    tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    for table in tables:
        for column in connection.execute(f'PRAGMA table_info("{table}")'):
            if column[1] == "blob_id":
                found.append((table, column[1]))
    return found


def census(data_dir: Path) -> BlobCensus:
    """Blob files against the blob ids in SQLite. Read-only: safe while the server runs (WAL)."""
    data_dir = Path(data_dir)
    result = BlobCensus()
    blobs = data_dir / "blobs"
    if blobs.is_dir():
        for fan_out in blobs.iterdir():
            if fan_out.is_dir():
                result.files.update(entry.name for entry in fan_out.iterdir() if entry.is_file())
    tmp = data_dir / "tmp"
    if tmp.is_dir():
        result.temps = sorted(entry.name for entry in tmp.iterdir())
    connection = sqlite3.connect(f"file:{data_dir / 'metadata.sqlite'}?mode=ro", uri=True, timeout=10)
    try:
        with connection:  # one read transaction: a consistent snapshot
            for table, column in blob_columns(connection):
                # A delete marker (a version with no bytes) has an empty blob id.
                result.referenced.update(row[0] for row in connection.execute(f'SELECT "{column}" FROM "{table}"') if row[0])
            tables = {row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
            if "inline_blobs" in tables:
                result.files.update(row[0] for row in connection.execute("SELECT id FROM inline_blobs"))
    finally:
        connection.close()
    for blob_id in result.referenced:
        if blob_id.endswith(COMPOSITE_SUFFIX):
            path = blobs / blob_id[:2] / blob_id
            if path.is_file():
                lines = path.read_text("ascii").splitlines()
                assert lines and lines[0] == COMPOSITE_HEADER, f"composite blob {blob_id} has no manifest header"
                result.joined.update(line.split(" ")[0] for line in lines[1:])
    return result


def integrity_check(data_dir: Path) -> str:
    """`PRAGMA integrity_check` on a copy of the database and its WAL (as a crash left them), so
    the check neither waits for nor changes the files the next server start recovers from."""
    data_dir = Path(data_dir)
    with tempfile.TemporaryDirectory(prefix="s3emu-integrity-") as scratch:
        for suffix in ("", "-wal"):
            source = data_dir / f"metadata.sqlite{suffix}"
            if source.exists():
                shutil.copyfile(source, Path(scratch) / source.name)
        connection = sqlite3.connect(str(Path(scratch) / "metadata.sqlite"), timeout=10)
        try:
            rows = connection.execute("PRAGMA integrity_check").fetchall()
        finally:
            connection.close()
    return "\n".join(str(row[0]) for row in rows)
