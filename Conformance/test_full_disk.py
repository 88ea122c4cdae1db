"""A full disk: the write that finds no space gets an S3 error, and nothing else is affected.

The server's data directory is on a 16 MiB tmpfs mounted for the test (root only; under CI=true
a file system that cannot be mounted fails the test instead of skipping it). A filler file takes
the free space; then a PutObject, a CopyObject, an UploadPart, a run of small PutObjects until SQLite itself
cannot commit, and a CompleteMultipartUpload each fail with 503 ServiceUnavailable naming the full
disk (why 503: see `S3Emulator.errorResponse`); no partial object or part becomes visible, no temp
file or orphaned blob is left, earlier objects read back intact, and once space is freed the same
writes succeed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import subprocess
from pathlib import Path
from urllib.parse import quote

import pytest

from s3conf import CI, unique_name
from s3conf.raw import S3_NS, RawS3
from s3conf.storage import census, integrity_check

pytestmark = [pytest.mark.own_server, pytest.mark.slow]

MiB = 1024 * 1024
FULL_MESSAGE = "no space left"


@pytest.fixture
def small_filesystem(tmp_path: Path):
    """A 16 MiB tmpfs, unmounted after the test."""
    mount_point = tmp_path / "small-fs"
    mount_point.mkdir()
    reason = None
    if os.geteuid() != 0:
        reason = "mounting a tmpfs needs root"
    else:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=16m,mode=0700", "tmpfs", str(mount_point)],
                                capture_output=True, text=True)
        if result.returncode != 0:
            reason = f"mount -t tmpfs failed: {result.stderr.strip() or result.returncode}"
    if reason:
        message = f"cannot make a small file system for the full-disk test: {reason}"
        if CI:
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    try:
        yield mount_point
    finally:
        subprocess.run(["umount", "-l", str(mount_point)], capture_output=True)


def fill(path: Path, leave: int = 0) -> None:
    """Write `path` until the file system is full, then give back `leave` bytes."""
    chunk = b"\0" * MiB
    with open(path, "ab", buffering=0) as filler:
        while True:
            try:
                written = filler.write(chunk)
            except OSError as error:
                assert error.errno == errno.ENOSPC, error
                if len(chunk) == 1:
                    break
                chunk = chunk[: len(chunk) // 2]
                continue
            if written < len(chunk):
                chunk = chunk[: max(1, len(chunk) // 2)]
        os.fsync(filler.fileno())
    if leave:
        os.truncate(path, max(0, path.stat().st_size - leave))


def assert_disk_full(response) -> None:
    assert response.status == 503, response
    error = response.error()
    assert error["Code"] == "ServiceUnavailable", error
    assert FULL_MESSAGE in error["Message"], error
    assert error.get("RequestId") and response.header("x-amz-request-id") == error["RequestId"], error


def test_a_full_disk_fails_the_write_that_needs_space_and_nothing_else(small_filesystem, private_server):
    data_dir = small_filesystem / "data"
    server = private_server("full", data_dir=data_dir)
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    bucket = unique_name("full")
    assert raw.request("PUT", f"/{bucket}").status == 200

    earlier = {"a": os.urandom(100_000), "b/c": os.urandom(MiB)}
    for key, body in earlier.items():
        assert raw.request("PUT", f"/{bucket}/{key}", {"Content-Type": "text/x-early", "x-amz-meta-k": key}, body).status == 200
    created = raw.request("POST", f"/{bucket}/mp?uploads")
    assert created.status == 200, created
    upload_id = created.xml().findtext(f"{S3_NS}UploadId")
    parts = [os.urandom(5 * MiB), os.urandom(100_000)]
    etags = []
    for number, part in enumerate(parts, start=1):
        response = raw.request("PUT", f"/{bucket}/mp?partNumber={number}&uploadId={upload_id}", {}, part)
        assert response.status == 200, response
        etags.append(response.header("ETag"))

    def check_nothing_else_changed(expected_keys: set[str]) -> None:
        for key, body in earlier.items():
            got = raw.request("GET", f"/{bucket}/{key}")
            assert got.status == 200 and got.body == body, (key, got)
            assert got.header("Content-Type") == "text/x-early" and got.header("x-amz-meta-k") == key
        keys: set[str] = set()
        token = ""
        while True:
            page = raw.request("GET", f"/{bucket}?list-type=2" + (f"&continuation-token={quote(token, safe='')}" if token else ""))
            assert page.status == 200, page
            root = page.xml()
            keys.update(item.findtext(f"{S3_NS}Key") for item in root.findall(f"{S3_NS}Contents"))
            token = root.findtext(f"{S3_NS}NextContinuationToken") or ""
            if not token:
                break
        assert keys == expected_keys, sorted(keys ^ expected_keys)[:10]
        seen = census(data_dir)
        assert not seen.temps, f"temp files left: {seen.temps}"
        assert not seen.orphans, f"orphaned blobs: {seen.orphans}"
        assert not seen.missing, f"blobs missing: {seen.missing}"

    # PutObject with too little space: 503, no object, no temp file.
    filler = small_filesystem / "filler"
    fill(filler, leave=256 * 1024)
    big = os.urandom(MiB)
    assert_disk_full(raw.request("PUT", f"/{bucket}/too-big", {}, big))
    assert raw.request("HEAD", f"/{bucket}/too-big").status == 404
    check_nothing_else_changed(set(earlier))

    # CopyObject: 503, no copy.
    assert_disk_full(raw.request("PUT", f"/{bucket}/copy", {"x-amz-copy-source": f"/{bucket}/b/c"}))
    assert raw.request("HEAD", f"/{bucket}/copy").status == 404
    check_nothing_else_changed(set(earlier))

    # UploadPart: 503, the upload keeps only its earlier parts.
    assert_disk_full(raw.request("PUT", f"/{bucket}/mp?partNumber=3&uploadId={upload_id}", {}, big))
    listed_parts = raw.request("GET", f"/{bucket}/mp?uploadId={upload_id}").xml()
    assert [p.findtext(f"{S3_NS}PartNumber") for p in listed_parts.findall(f"{S3_NS}Part")] == ["1", "2"]
    check_nothing_else_changed(set(earlier))

    # No space at all: small writes go on until SQLite cannot grow its log; the first failure is a
    # 503 and leaves nothing behind; every write acknowledged before it stays.
    fill(small_filesystem / "filler-2")
    metadata = {f"x-amz-meta-m{i}": "v" * 180 for i in range(10)}  # about S3's 2 KB limit
    acknowledged = []
    failure = None
    for i in range(4000):
        key = f"small/{i:05d}/" + "k" * 900
        response = raw.request("PUT", f"/{bucket}/{key}", metadata, b"")
        if response.status != 200:
            failure = (key, response)
            break
        acknowledged.append(key)
    assert failure is not None, "4000 writes fitted on a full disk; the test proved nothing"
    failed_key, response = failure
    assert_disk_full(response)
    assert raw.request("HEAD", f"/{bucket}/{failed_key}").status == 404
    assert server.log_lines_containing("SQLite error 13"), (
        "the failure was not SQLite's SQLITE_FULL; the commit path was not exercised\n" + server.diagnostics())
    check_nothing_else_changed(set(earlier) | set(acknowledged))

    # CompleteMultipartUpload on the full disk: 503, and the upload and its parts survive.
    document = ("<CompleteMultipartUpload>" + "".join(
        f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in enumerate(etags, start=1))
        + "</CompleteMultipartUpload>").encode()
    assert_disk_full(raw.request("POST", f"/{bucket}/mp?uploadId={upload_id}", {}, document))
    assert raw.request("HEAD", f"/{bucket}/mp").status == 404
    check_nothing_else_changed(set(earlier) | set(acknowledged))

    # Space freed: the same writes succeed.
    filler.unlink()
    (small_filesystem / "filler-2").unlink()
    assert raw.request("PUT", f"/{bucket}/too-big", {}, big).status == 200
    assert raw.request("GET", f"/{bucket}/too-big").body == big
    assert raw.request("PUT", f"/{bucket}/{failed_key}", metadata, b"").status == 200
    completed = raw.request("POST", f"/{bucket}/mp?uploadId={upload_id}", {}, document)
    assert completed.status == 200 and b"<CompleteMultipartUploadResult" in completed.body, completed
    got = raw.request("GET", f"/{bucket}/mp")
    assert got.status == 200 and hashlib.md5(got.body).digest() == hashlib.md5(b"".join(parts)).digest()
    for key in acknowledged[:: max(1, len(acknowledged) // 20)]:
        assert raw.request("HEAD", f"/{bucket}/{key}").status == 200, key
    check_nothing_else_changed(set(earlier) | set(acknowledged) | {"too-big", failed_key, "mp"})

    # And the store the full disk left reopens cleanly.
    assert server.stop(timeout=10) == 0, server.diagnostics()
    assert integrity_check(data_dir) == "ok"
    server.start()
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    check_nothing_else_changed(set(earlier) | set(acknowledged) | {"too-big", failed_key, "mp"})
