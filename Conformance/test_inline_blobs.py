"""Small objects live in the metadata database (inline blobs), large ones in blob files.

A body of at most 64 KiB (`MetadataStore.inlineBlobLimit`) written by PutObject, POST or
CopyObject is stored in SQLite in the transaction that commits its row: no file, no fsync. These
tests read the data directory from outside (`s3conf.storage.census`) to check where each object's
bytes went, that every size reads back exactly (whole, in ranges, after a restart), and that
overwrites, copies, versions and deletes leave neither an orphan nor a missing blob.
"""

from __future__ import annotations

import hashlib
import os

import pytest

from s3conf import unique_name
from s3conf.storage import census

pytestmark = pytest.mark.own_server

LIMIT = 64 * 1024
SIZES = [0, 1, 1024, LIMIT - 1, LIMIT, LIMIT + 1, 300 * 1024]


def _inline(ids: set[str]) -> set[str]:
    return {blob for blob in ids if blob.endswith(".inline")}


def _files(ids: set[str]) -> set[str]:
    return {blob for blob in ids if not blob.endswith(".inline")}


def _assert_clean(server) -> None:
    seen = census(server.data_dir)
    assert not seen.orphans, f"blobs nothing refers to: {sorted(seen.orphans)[:5]}"
    assert not seen.missing, f"blobs the metadata refers to are missing: {sorted(seen.missing)[:5]}"
    assert not seen.temps, f"temp files left: {seen.temps}"


@pytest.fixture
def server_and_client(private_server, client_factory):
    server = private_server("inline")
    client = client_factory(endpoint=server.endpoint)
    bucket = unique_name("inline")
    client.create_bucket(Bucket=bucket)
    return server, client, bucket


def test_bodies_up_to_64_kib_are_stored_inline_and_larger_ones_in_files(server_and_client, client_factory):
    server, client, bucket = server_and_client
    bodies = {size: os.urandom(size) for size in SIZES}
    for size, body in bodies.items():
        response = client.put_object(Bucket=bucket, Key=f"size-{size}", Body=body)
        assert response["ETag"] == '"' + hashlib.md5(body).hexdigest() + '"'
    seen = census(server.data_dir)
    assert len(_inline(seen.referenced)) == sum(1 for size in SIZES if size <= LIMIT)
    assert len(_files(seen.referenced)) == sum(1 for size in SIZES if size > LIMIT)
    _assert_clean(server)

    def check(client) -> None:
        for size, body in bodies.items():
            got = client.get_object(Bucket=bucket, Key=f"size-{size}")
            assert got["ContentLength"] == size
            assert got["Body"].read() == body
            if size >= 10:
                ranged = client.get_object(Bucket=bucket, Key=f"size-{size}", Range=f"bytes=3-{size - 2}")
                assert ranged["ContentRange"] == f"bytes 3-{size - 2}/{size}"
                assert ranged["Body"].read() == body[3:size - 1]
                suffix = client.get_object(Bucket=bucket, Key=f"size-{size}", Range="bytes=-5")
                assert suffix["Body"].read() == body[-5:]
            assert client.head_object(Bucket=bucket, Key=f"size-{size}")["ContentLength"] == size

    check(client)
    assert server.stop(timeout=10) == 0, server.diagnostics()
    server.start()
    check(client_factory(endpoint=server.endpoint))
    _assert_clean(server)


def test_overwrites_copies_and_deletes_leave_no_orphan(server_and_client):
    server, client, bucket = server_and_client
    small, large = os.urandom(2048), os.urandom(LIMIT + 4096)
    client.put_object(Bucket=bucket, Key="k", Body=small)
    client.put_object(Bucket=bucket, Key="k", Body=large)   # inline replaced by a file
    _assert_clean(server)
    assert _inline(census(server.data_dir).referenced) == set()
    client.put_object(Bucket=bucket, Key="k", Body=small)   # file replaced by inline
    client.put_object(Bucket=bucket, Key="k", Body=small)   # inline replaced by inline
    _assert_clean(server)
    assert census(server.data_dir).files == census(server.data_dir).referenced
    assert len(census(server.data_dir).referenced) == 1

    # A small copy is inline, a large one a file; both read back, also copied onto themselves.
    client.put_object(Bucket=bucket, Key="big", Body=large)
    client.copy_object(Bucket=bucket, Key="small-copy", CopySource={"Bucket": bucket, "Key": "k"})
    client.copy_object(Bucket=bucket, Key="big-copy", CopySource={"Bucket": bucket, "Key": "big"})
    client.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k"},
                       Metadata={"note": "replaced"}, MetadataDirective="REPLACE")
    referenced = census(server.data_dir).referenced
    assert len(_inline(referenced)) == 2 and len(_files(referenced)) == 2
    assert client.get_object(Bucket=bucket, Key="small-copy")["Body"].read() == small
    assert client.get_object(Bucket=bucket, Key="big-copy")["Body"].read() == large
    got = client.get_object(Bucket=bucket, Key="k")
    assert got["Metadata"] == {"note": "replaced"} and got["Body"].read() == small
    _assert_clean(server)

    # UploadPartCopy from an inline source makes an ordinary part.
    upload = client.create_multipart_upload(Bucket=bucket, Key="joined")["UploadId"]
    first = client.upload_part(Bucket=bucket, Key="joined", UploadId=upload, PartNumber=1, Body=os.urandom(5 * 1024 * 1024))
    second = client.upload_part_copy(Bucket=bucket, Key="joined", UploadId=upload, PartNumber=2,
                                     CopySource={"Bucket": bucket, "Key": "k"}, CopySourceRange="bytes=0-99")
    client.complete_multipart_upload(Bucket=bucket, Key="joined", UploadId=upload, MultipartUpload={"Parts": [
        {"PartNumber": 1, "ETag": first["ETag"]}, {"PartNumber": 2, "ETag": second["CopyPartResult"]["ETag"]}]})
    assert client.get_object(Bucket=bucket, Key="joined", Range="bytes=-100")["Body"].read() == small[:100]

    response = client.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": key} for key in ("k", "big", "small-copy", "big-copy", "joined")]})
    assert len(response["Deleted"]) == 5
    seen = census(server.data_dir)
    assert seen.files == set() and seen.referenced == set()


def test_delete_object_removes_the_bytes_before_it_answers(server_and_client):
    """DeleteObject of an inline object and of a file object: both gone from the data directory
    when the 204 arrives (the inline bytes with the row, the file before the answer)."""
    server, client, bucket = server_and_client
    client.put_object(Bucket=bucket, Key="small", Body=os.urandom(100))
    client.put_object(Bucket=bucket, Key="large", Body=os.urandom(LIMIT + 1))
    seen = census(server.data_dir)
    assert len(_inline(seen.referenced)) == 1 and len(_files(seen.referenced)) == 1 and seen.files == seen.referenced
    for key in ("small", "large"):
        assert client.delete_object(Bucket=bucket, Key=key)["ResponseMetadata"]["HTTPStatusCode"] == 204
    seen = census(server.data_dir)
    assert seen.files == set() and seen.referenced == set()
    _assert_clean(server)


def test_versions_keep_their_inline_bytes_until_deleted_for_good(server_and_client):
    server, client, bucket = server_and_client
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    bodies = [os.urandom(100 + index) for index in range(3)]
    versions = [client.put_object(Bucket=bucket, Key="k", Body=body)["VersionId"] for body in bodies]
    client.delete_object(Bucket=bucket, Key="k")  # a delete marker hides them
    assert len(_inline(census(server.data_dir).referenced)) == 3
    for version, body in zip(versions, bodies):
        assert client.get_object(Bucket=bucket, Key="k", VersionId=version)["Body"].read() == body
    _assert_clean(server)
    for version in versions:
        client.delete_object(Bucket=bucket, Key="k", VersionId=version)
    assert census(server.data_dir).files == set()
    _assert_clean(server)


def test_reads_racing_overwrites_get_a_whole_object_never_an_error(server_and_client, client_factory):
    """GETs of a key that other threads keep overwriting (inline and file bodies, and deletes)
    each get one whole written object with its own ETag, or NoSuchKey: never a 500, never a mix."""
    import threading
    import time

    from botocore.exceptions import ClientError

    server, client, bucket = server_and_client
    bodies = [os.urandom(size) for size in (10, 5000, LIMIT, LIMIT + 1, 200 * 1024)]
    by_etag = {'"' + hashlib.md5(body).hexdigest() + '"': body for body in bodies}
    client.put_object(Bucket=bucket, Key="hot", Body=bodies[0])
    stop = time.monotonic() + 4
    failures: list[str] = []
    reads = [0]

    def writer(offset: int) -> None:
        own = client_factory(endpoint=server.endpoint)
        index = offset
        while time.monotonic() < stop:
            if index % 7 == 6:
                own.delete_object(Bucket=bucket, Key="hot")
            else:
                own.put_object(Bucket=bucket, Key="hot", Body=bodies[index % len(bodies)])
            index += 1

    def reader() -> None:
        own = client_factory(endpoint=server.endpoint)
        while time.monotonic() < stop:
            try:
                got = own.get_object(Bucket=bucket, Key="hot")
                body = got["Body"].read()
                if by_etag.get(got["ETag"]) != body:
                    failures.append(f"a body of {len(body)} bytes does not match ETag {got['ETag']}")
                reads[0] += 1
            except ClientError as error:
                if error.response["Error"]["Code"] != "NoSuchKey":
                    failures.append(f"{error.response['ResponseMetadata']['HTTPStatusCode']} {error.response['Error']['Code']}")

    threads = [threading.Thread(target=writer, args=(offset,)) for offset in range(2)]
    threads += [threading.Thread(target=reader) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not failures, failures[:5]
    assert reads[0] > 50
    _assert_clean(server)
