"""Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy, CompleteMultipartUpload,
AbortMultipartUpload, ListParts, ListMultipartUploads, and GetObject/HeadObject with PartNumber.

The transfers go through the real multipart paths of `aws s3 cp` and boto3's transfer manager;
the rules (part numbers, sizes, order, ETags, checksums) are checked with boto3's low-level calls.
"""

from __future__ import annotations

import base64
import hashlib
import os
import zlib
from pathlib import Path

import pytest

from s3conf import expect_error, headers_of, status_of
from s3conf.checksums import checksum_b64, crc64nvme

MiB = 1024 * 1024
PART = 5 * MiB


def multipart_etag(parts: list[bytes]) -> str:
    """S3's ETag of a multipart object: MD5 of the parts' binary MD5s, '-', the part count."""
    digest = hashlib.md5(b"".join(hashlib.md5(part).digest() for part in parts)).hexdigest()
    return f'"{digest}-{len(parts)}"'


def composite_checksum(algorithm: str, parts: list[bytes]) -> str:
    """A COMPOSITE checksum: the checksum of the parts' binary checksums, '-', the part count."""
    joined = b"".join(base64.b64decode(checksum_b64(algorithm, part)) for part in parts)
    return f"{checksum_b64(algorithm, joined)}-{len(parts)}"


def split(data: bytes, size: int) -> list[bytes]:
    return [data[start:start + size] for start in range(0, len(data), size)]


def file_md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(4 * MiB), b""):
            digest.update(block)
    return digest.hexdigest()


def upload_parts(s3, bucket: str, key: str, parts: list[bytes], **create_args) -> tuple[str, list[dict]]:
    """Creates an upload and uploads `parts`; returns the upload id and the Complete part list."""
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, **create_args)["UploadId"]
    completed = []
    for number, body in enumerate(parts, start=1):
        response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)
        completed.append({"PartNumber": number, "ETag": response["ETag"]})
    return upload_id, completed


# -- whole transfers --------------------------------------------------------------------------------


@pytest.mark.slow
def test_aws_s3_cp_of_a_100_mib_file_up_and_down_is_byte_exact(aws, s3, bucket, tmp_path):
    source = tmp_path / "big.bin"
    with open(source, "wb") as handle:
        for _ in range(100):
            handle.write(os.urandom(MiB))
    aws.s3("cp", str(source), f"s3://{bucket}/dir/big.bin")
    head = s3.head_object(Bucket=bucket, Key="dir/big.bin")
    assert head["ContentLength"] == 100 * MiB
    # The CLI's default part size is 8 MiB: 13 parts.
    parts = [source.read_bytes()[start:start + 8 * MiB] for start in range(0, 100 * MiB, 8 * MiB)]
    assert head["ETag"] == multipart_etag(parts)
    assert s3.head_object(Bucket=bucket, Key="dir/big.bin", PartNumber=1)["PartsCount"] == 13

    target = tmp_path / "back.bin"
    aws.s3("cp", f"s3://{bucket}/dir/big.bin", str(target))
    assert target.stat().st_size == 100 * MiB
    assert file_md5(target) == file_md5(source)


@pytest.mark.slow
def test_boto3_upload_file_and_download_file_with_5_mib_parts_and_eight_threads(s3, bucket, tmp_path):
    from boto3.s3.transfer import TransferConfig

    data = os.urandom(33 * MiB + 12345)
    source = tmp_path / "source.bin"
    source.write_bytes(data)
    config = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=8, use_threads=True)
    s3.upload_file(str(source), bucket, "threads.bin", Config=config,
                   ExtraArgs={"ContentType": "application/x-parts", "Metadata": {"origin": "boto3"}})
    head = s3.head_object(Bucket=bucket, Key="threads.bin")
    assert head["ContentLength"] == len(data)
    assert head["ETag"] == multipart_etag(split(data, PART))
    assert head["ContentType"] == "application/x-parts"
    assert head["Metadata"] == {"origin": "boto3"}

    target = tmp_path / "target.bin"
    s3.download_file(bucket, "threads.bin", str(target), Config=config)
    assert target.read_bytes() == data
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []


def test_upload_file_with_checksum_algorithm_crc32_stores_a_composite_checksum(s3, bucket, tmp_path):
    from boto3.s3.transfer import TransferConfig

    data = os.urandom(2 * PART + 777)
    source = tmp_path / "crc.bin"
    source.write_bytes(data)
    config = TransferConfig(multipart_threshold=PART, multipart_chunksize=PART, max_concurrency=4)
    s3.upload_file(str(source), bucket, "crc.bin", Config=config, ExtraArgs={"ChecksumAlgorithm": "CRC32"})
    head = s3.head_object(Bucket=bucket, Key="crc.bin", ChecksumMode="ENABLED")
    assert head["ChecksumCRC32"] == composite_checksum("crc32", split(data, PART))
    assert head["ChecksumType"] == "COMPOSITE"
    got = s3.get_object(Bucket=bucket, Key="crc.bin", ChecksumMode="ENABLED")
    assert got["Body"].read() == data


# -- the low-level calls ---------------------------------------------------------------------------


def test_complete_multipart_upload_keeps_the_metadata_given_at_creation(s3, bucket, key):
    parts = [os.urandom(PART), os.urandom(PART), b"tail"]
    upload_id, completed = upload_parts(
        s3, bucket, key, parts, ContentType="text/x-mp", CacheControl="max-age=60", ContentDisposition="inline",
        ContentLanguage="fr", ContentEncoding="identity", Metadata={"color": "blue", "size": "L"},
    )
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    assert done["ETag"] == multipart_etag(parts)
    assert done["Bucket"] == bucket and done["Key"] == key
    assert done["Location"].endswith(f"/{bucket}/{key}")
    head = s3.head_object(Bucket=bucket, Key=key)
    assert head["ContentLength"] == 2 * PART + 4
    assert head["ETag"] == multipart_etag(parts)
    assert (head["ContentType"], head["CacheControl"], head["ContentDisposition"], head["ContentLanguage"],
            head["ContentEncoding"]) == ("text/x-mp", "max-age=60", "inline", "fr", "identity")
    assert head["Metadata"] == {"color": "blue", "size": "L"}
    assert "PartsCount" not in head
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"".join(parts)
    listed = s3.list_objects_v2(Bucket=bucket)["Contents"]
    assert [(o["Key"], o["Size"], o["ETag"]) for o in listed] == [(key, 2 * PART + 4, multipart_etag(parts))]
    # The upload is gone.
    expect_error("NoSuchUpload", 404, s3.list_parts, Bucket=bucket, Key=key, UploadId=upload_id)


def test_complete_uses_only_the_listed_parts_and_a_reuploaded_part_replaces_the_first(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    bodies = {1: os.urandom(PART), 2: os.urandom(PART), 3: b"three", 4: b"unused"}
    etags = {}
    for number, body in bodies.items():
        etags[number] = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body)["ETag"]
    first = bodies[1]
    bodies[1] = os.urandom(PART)
    etags[1] = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=bodies[1])["ETag"]
    assert etags[1] != '"' + hashlib.md5(first).hexdigest() + '"'
    parts = [{"PartNumber": n, "ETag": etags[n]} for n in (1, 3)]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == bodies[1] + b"three"


def test_range_get_across_part_boundaries(s3, bucket, key):
    parts = [os.urandom(PART), os.urandom(PART), os.urandom(1000)]
    data = b"".join(parts)
    upload_id, completed = upload_parts(s3, bucket, key, parts)
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    for first, last in [(0, 0), (PART - 10, PART + 9), (PART - 1, 2 * PART), (2 * PART + 999, 2 * PART + 999), (3, 2 * PART + 500)]:
        got = s3.get_object(Bucket=bucket, Key=key, Range=f"bytes={first}-{last}")
        assert got["Body"].read() == data[first:last + 1], (first, last)
        assert got["ContentRange"] == f"bytes {first}-{last}/{len(data)}"
    assert s3.get_object(Bucket=bucket, Key=key, Range="bytes=-7")["Body"].read() == data[-7:]


def test_get_object_and_head_object_with_part_number(s3, bucket, key):
    parts = [os.urandom(PART), os.urandom(PART + 3), b"last part"]
    upload_id, completed = upload_parts(s3, bucket, key, parts)
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    total = sum(len(p) for p in parts)
    start = 0
    for number, body in enumerate(parts, start=1):
        got = s3.get_object(Bucket=bucket, Key=key, PartNumber=number)
        assert status_of(got) == 206
        assert got["Body"].read() == body
        assert got["PartsCount"] == 3
        assert got["ContentLength"] == len(body)
        assert got["ContentRange"] == f"bytes {start}-{start + len(body) - 1}/{total}"
        assert got["ETag"] == multipart_etag(parts)
        head = s3.head_object(Bucket=bucket, Key=key, PartNumber=number)
        assert (head["PartsCount"], head["ContentLength"]) == (3, len(body))
        start += len(body)
    expect_error("InvalidPartNumber", 416, s3.get_object, Bucket=bucket, Key=key, PartNumber=4)
    expect_error("InvalidArgument", 400, s3.get_object, Bucket=bucket, Key=key, PartNumber=0)
    expect_error("InvalidArgument", 400, s3.get_object, Bucket=bucket, Key=key, PartNumber=10001)
    expect_error("InvalidRequest", 400, s3.get_object, Bucket=bucket, Key=key, PartNumber=1, Range="bytes=0-1")


def test_part_number_on_an_object_uploaded_in_one_piece(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"single")
    got = s3.get_object(Bucket=bucket, Key=key, PartNumber=1)
    assert got["Body"].read() == b"single"
    assert "PartsCount" not in got
    expect_error("InvalidPartNumber", 416, s3.get_object, Bucket=bucket, Key=key, PartNumber=2)


def test_a_single_part_upload_may_be_smaller_than_5_mib(s3, bucket, key):
    upload_id, completed = upload_parts(s3, bucket, key, [b"tiny"])
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    head = s3.head_object(Bucket=bucket, Key=key, PartNumber=1)
    assert (head["ETag"], head["PartsCount"], head["ContentLength"]) == (multipart_etag([b"tiny"]), 1, 4)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"tiny"


def test_complete_replaces_an_existing_object_and_honours_if_none_match(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"old")
    upload_id, completed = upload_parts(s3, bucket, key, [b"new"])
    expect_error("PreconditionFailed", 412, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": completed}, IfNoneMatch="*")
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"old"
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"new"


def test_a_refused_completion_of_several_parts_keeps_them_for_the_next(s3, bucket, key):
    """A completion refused with 412 leaves the upload as it was: its parts can still complete it."""
    s3.put_object(Bucket=bucket, Key=key, Body=b"old")
    parts = [os.urandom(PART), os.urandom(1000)]
    upload_id, completed = upload_parts(s3, bucket, key, parts)
    expect_error("PreconditionFailed", 412, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": completed}, IfNoneMatch="*")
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)["Parts"]
    assert [(p["PartNumber"], p["Size"]) for p in listed] == [(1, PART), (2, 1000)]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["ETag"] == multipart_etag(parts)
    assert got["Body"].read() == b"".join(parts)


def test_upload_part_copy_with_and_without_a_source_range(s3, bucket, key):
    source = os.urandom(2 * PART + 100)
    s3.put_object(Bucket=bucket, Key="source", Body=source)
    s3.put_object(Bucket=bucket, Key="small source", Body=b"whole small object")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    first = s3.upload_part_copy(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1,
                                CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange=f"bytes=0-{PART - 1}")
    second = s3.upload_part_copy(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=2,
                                 CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange=f"bytes={PART}-{2 * PART + 99}")
    third = s3.upload_part_copy(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=3,
                                CopySource=f"{bucket}/small source")  # botocore URL-encodes it
    assert first["CopyPartResult"]["ETag"] == '"' + hashlib.md5(source[:PART]).hexdigest() + '"'
    assert "LastModified" in first["CopyPartResult"]
    parts = [{"PartNumber": n, "ETag": r["CopyPartResult"]["ETag"]} for n, r in ((1, first), (2, second), (3, third))]
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == source + b"whole small object"


def test_upload_part_copy_errors(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key="source", Body=b"0123456789")
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    copy = {"Bucket": bucket, "Key": key, "UploadId": upload_id, "PartNumber": 1}
    for bad in ("bytes=0-10", "bytes=5-4", "bytes=-3", "bytes=3-", "0-3", "bytes=a-b"):
        expect_error("InvalidArgument", 400, s3.upload_part_copy, CopySource={"Bucket": bucket, "Key": "source"},
                     CopySourceRange=bad, **copy)
    expect_error("NoSuchKey", 404, s3.upload_part_copy, CopySource={"Bucket": bucket, "Key": "missing"}, **copy)
    expect_error("PreconditionFailed", 412, s3.upload_part_copy, CopySource={"Bucket": bucket, "Key": "source"},
                 CopySourceIfMatch='"nope"', **copy)
    expect_error("NoSuchUpload", 404, s3.upload_part_copy, CopySource={"Bucket": bucket, "Key": "source"},
                 **{**copy, "UploadId": "not-an-upload"})
    got = s3.upload_part_copy(CopySource={"Bucket": bucket, "Key": "source"}, CopySourceRange="bytes=2-4", **copy)
    assert got["CopyPartResult"]["ETag"] == '"' + hashlib.md5(b"234").hexdigest() + '"'


# -- errors ----------------------------------------------------------------------------------------


def test_part_numbers_outside_1_to_10000_are_invalid_argument(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    for number in (0, 10001, -1):
        error = expect_error("InvalidArgument", 400, s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id,
                             PartNumber=number, Body=b"x")
        assert error["Error"]["Message"] == "Part number must be an integer between 1 and 10000, inclusive"
        assert error["Error"]["ArgumentName"] == "partNumber"
    assert status_of(s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=10000, Body=b"x")) == 200


def test_parts_below_5_mib_except_the_last_are_entity_too_small_at_completion(s3, bucket, key):
    upload_id, completed = upload_parts(s3, bucket, key, [os.urandom(PART), b"small", b"last"])
    error = expect_error("EntityTooSmall", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key,
                         UploadId=upload_id, MultipartUpload={"Parts": completed})
    assert error["Error"]["ProposedSize"] == "5"
    assert error["Error"]["MinSizeAllowed"] == str(PART)
    assert error["Error"]["PartNumber"] == "2"
    # The upload is intact: completing with the first and the last part works.
    s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id,
                                 MultipartUpload={"Parts": [completed[0], completed[2]]})


def test_unknown_part_or_wrong_etag_is_invalid_part(s3, bucket, key):
    upload_id, completed = upload_parts(s3, bucket, key, [os.urandom(PART), b"last"])
    cases = [
        [completed[0], {"PartNumber": 3, "ETag": completed[1]["ETag"]}],
        [completed[0], {"PartNumber": 2, "ETag": '"' + "0" * 32 + '"'}],
    ]
    for parts in cases:
        error = expect_error("InvalidPart", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key,
                             UploadId=upload_id, MultipartUpload={"Parts": parts})
        assert error["Error"]["Message"].startswith("One or more of the specified parts could not be found.")


def test_parts_out_of_order_or_repeated_are_invalid_part_order(s3, bucket, key):
    upload_id, completed = upload_parts(s3, bucket, key, [os.urandom(PART), os.urandom(PART)])
    for parts in ([completed[1], completed[0]], [completed[0], completed[0]]):
        expect_error("InvalidPartOrder", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key,
                     UploadId=upload_id, MultipartUpload={"Parts": parts})


def test_complete_without_parts_is_malformed_xml(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    expect_error("MalformedXML", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": []})


def test_unknown_upload_ids_are_no_such_upload(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key)["UploadId"]
    calls = [
        (s3.upload_part, {"PartNumber": 1, "Body": b"x"}),
        (s3.list_parts, {}),
        (s3.abort_multipart_upload, {}),
        (s3.complete_multipart_upload, {"MultipartUpload": {"Parts": [{"PartNumber": 1, "ETag": '"x"'}]}}),
    ]
    for call, extra in calls:
        error = expect_error("NoSuchUpload", 404, call, Bucket=bucket, Key=key, UploadId="no-such-upload", **extra)
        assert error["Error"]["UploadId"] == "no-such-upload"
        # An upload id is bound to its key.
        expect_error("NoSuchUpload", 404, call, Bucket=bucket, Key=key + "-other", UploadId=upload_id, **extra)
    expect_error("NoSuchBucket", 404, s3.upload_part, Bucket=bucket + "-missing", Key=key, UploadId=upload_id,
                 PartNumber=1, Body=b"x")


def test_abort_removes_the_upload_and_its_parts(s3, bucket, key):
    upload_id, completed = upload_parts(s3, bucket, key, [b"a", b"b"])
    assert status_of(s3.abort_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id)) == 204
    assert s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []) == []
    expect_error("NoSuchUpload", 404, s3.abort_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id)
    expect_error("NoSuchUpload", 404, s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=3, Body=b"c")
    expect_error("NoSuchUpload", 404, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": completed})
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


# -- listing ---------------------------------------------------------------------------------------


def test_list_multipart_uploads_by_key_then_initiation_with_prefix_delimiter_and_pages(s3, bucket):
    keys = ["a.txt", "dir/x", "dir/sub/z", "a.txt", "e", "dir/y"]
    ids = [s3.create_multipart_upload(Bucket=bucket, Key=k)["UploadId"] for k in keys]
    listed = s3.list_multipart_uploads(Bucket=bucket)
    assert [(u["Key"], u["UploadId"]) for u in listed["Uploads"]] == [
        ("a.txt", ids[0]), ("a.txt", ids[3]), ("dir/sub/z", ids[2]), ("dir/x", ids[1]), ("dir/y", ids[5]), ("e", ids[4]),
    ]
    assert listed["IsTruncated"] is False and listed["MaxUploads"] == 1000
    upload = listed["Uploads"][0]
    assert upload["StorageClass"] == "STANDARD" and "Initiated" in upload and upload["Owner"]["ID"]
    assert upload["Initiator"]["ID"]

    rolled = s3.list_multipart_uploads(Bucket=bucket, Delimiter="/")
    assert [u["Key"] for u in rolled["Uploads"]] == ["a.txt", "a.txt", "e"]
    assert [p["Prefix"] for p in rolled["CommonPrefixes"]] == ["dir/"]
    nested = s3.list_multipart_uploads(Bucket=bucket, Prefix="dir/", Delimiter="/")
    assert [u["Key"] for u in nested["Uploads"]] == ["dir/x", "dir/y"]
    assert [p["Prefix"] for p in nested["CommonPrefixes"]] == ["dir/sub/"]

    page = s3.list_multipart_uploads(Bucket=bucket, MaxUploads=1)
    assert page["IsTruncated"] is True
    assert (page["NextKeyMarker"], page["NextUploadIdMarker"]) == ("a.txt", ids[0])
    rest = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="a.txt", UploadIdMarker=ids[0])
    assert [u["UploadId"] for u in rest["Uploads"]] == [ids[3], ids[2], ids[1], ids[5], ids[4]]
    after_key = s3.list_multipart_uploads(Bucket=bucket, KeyMarker="a.txt")
    assert [u["Key"] for u in after_key["Uploads"]] == ["dir/sub/z", "dir/x", "dir/y", "e"]

    seen = []
    for page in s3.get_paginator("list_multipart_uploads").paginate(Bucket=bucket, PaginationConfig={"PageSize": 2}):
        seen += [u["UploadId"] for u in page.get("Uploads", [])]
    assert sorted(seen) == sorted(ids) and len(seen) == len(ids)


def test_list_multipart_uploads_with_url_encoding(s3, bucket):
    s3.create_multipart_upload(Bucket=bucket, Key="sp ace/é+")
    listed = s3.list_multipart_uploads(Bucket=bucket)  # boto3 asks for encoding-type=url and decodes
    assert [u["Key"] for u in listed["Uploads"]] == ["sp ace/é+"]


def test_list_parts_pages_by_part_number(s3, bucket, key):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, StorageClass="STANDARD_IA")["UploadId"]
    etags = {}
    for number in (3, 1, 2, 7):
        etags[number] = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number,
                                       Body=bytes([number]) * number)["ETag"]
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [(p["PartNumber"], p["ETag"], p["Size"]) for p in listed["Parts"]] == [(n, etags[n], n) for n in (1, 2, 3, 7)]
    assert listed["IsTruncated"] is False
    assert listed["StorageClass"] == "STANDARD_IA"
    assert listed["Initiator"]["ID"] and listed["Owner"]["ID"]
    first = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2)
    assert [p["PartNumber"] for p in first["Parts"]] == [1, 2]
    assert first["IsTruncated"] is True and first["NextPartNumberMarker"] == 2
    second = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id, MaxParts=2, PartNumberMarker=2)
    assert [p["PartNumber"] for p in second["Parts"]] == [3, 7]
    assert second["IsTruncated"] is False


# -- checksums -------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "SHA1", "SHA256"])
def test_composite_checksum_per_part_and_for_the_object(s3, bucket, key, algorithm):
    parts = [os.urandom(PART), b"end of the object"]
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm)
    assert upload["ChecksumAlgorithm"] == algorithm
    assert headers_of(upload)["x-amz-checksum-type"] == "COMPOSITE"
    upload_id = upload["UploadId"]
    completed = []
    field = "Checksum" + algorithm
    for number, body in enumerate(parts, start=1):
        response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body,
                                  ChecksumAlgorithm=algorithm)
        assert response[field] == checksum_b64(algorithm, body)
        completed.append({"PartNumber": number, "ETag": response["ETag"], field: response[field]})
    listed = s3.list_parts(Bucket=bucket, Key=key, UploadId=upload_id)
    assert [p[field] for p in listed["Parts"]] == [checksum_b64(algorithm, p) for p in parts]
    assert listed["ChecksumAlgorithm"] == algorithm
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed})
    assert done[field] == composite_checksum(algorithm, parts)
    assert done["ChecksumType"] == "COMPOSITE"
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert (head[field], head["ChecksumType"]) == (composite_checksum(algorithm, parts), "COMPOSITE")


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC32C", "CRC64NVME"])
def test_full_object_checksum_combines_the_part_crcs(s3, bucket, key, algorithm):
    parts = [os.urandom(PART), os.urandom(PART + 1), b"z"]
    data = b"".join(parts)
    args = {} if algorithm == "CRC64NVME" else {"ChecksumType": "FULL_OBJECT"}
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm=algorithm, **args)
    assert headers_of(upload)["x-amz-checksum-type"] == "FULL_OBJECT"
    upload_id = upload["UploadId"]
    field = "Checksum" + algorithm
    completed = []
    for number, body in enumerate(parts, start=1):
        response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=number, Body=body,
                                  ChecksumAlgorithm=algorithm)
        completed.append({"PartNumber": number, "ETag": response["ETag"], field: response[field]})
    whole = checksum_b64(algorithm, data)
    done = s3.complete_multipart_upload(Bucket=bucket, Key=key, UploadId=upload_id, MultipartUpload={"Parts": completed},
                                        ChecksumType="FULL_OBJECT", **{field: whole})
    assert (done[field], done["ChecksumType"]) == (whole, "FULL_OBJECT")
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert (head[field], head["ChecksumType"]) == (whole, "FULL_OBJECT")
    if algorithm == "CRC64NVME":
        assert whole == base64.b64encode(crc64nvme(data).to_bytes(8, "big")).decode()


def test_full_object_checksum_that_does_not_match_is_bad_digest(s3, bucket, key):
    upload = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32", ChecksumType="FULL_OBJECT")
    upload_id = upload["UploadId"]
    response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"abc", ChecksumAlgorithm="CRC32")
    parts = [{"PartNumber": 1, "ETag": response["ETag"], "ChecksumCRC32": response["ChecksumCRC32"]}]
    wrong = base64.b64encode((zlib.crc32(b"abd") & 0xFFFFFFFF).to_bytes(4, "big")).decode()
    expect_error("BadDigest", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": parts}, ChecksumCRC32=wrong, ChecksumType="FULL_OBJECT")


def test_checksum_rules_of_create_upload_part_and_complete(s3, bucket, key):
    # Type/algorithm combinations S3 refuses.
    for args in ({"ChecksumAlgorithm": "SHA256", "ChecksumType": "FULL_OBJECT"},
                 {"ChecksumAlgorithm": "CRC64NVME", "ChecksumType": "COMPOSITE"}):
        expect_error("InvalidRequest", 400, s3.create_multipart_upload, Bucket=bucket, Key=key, **args)
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key=key, ChecksumAlgorithm="CRC32")["UploadId"]
    # A part checksum that does not match its body.
    expect_error("BadDigest", 400, s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1,
                 Body=b"body", ChecksumCRC32=checksum_b64("crc32", b"other"))
    # A part checksummed with another algorithm than the upload's.
    expect_error("InvalidRequest", 400, s3.upload_part, Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1,
                 Body=b"body", ChecksumAlgorithm="SHA1")
    response = s3.upload_part(Bucket=bucket, Key=key, UploadId=upload_id, PartNumber=1, Body=b"body", ChecksumAlgorithm="CRC32")
    # A part's checksum in the Complete list must be the part's.
    expect_error("InvalidPart", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": response["ETag"],
                                             "ChecksumCRC32": checksum_b64("crc32", b"other")}]})
    # A COMPOSITE upload needs each part's checksum in the Complete list.
    expect_error("InvalidRequest", 400, s3.complete_multipart_upload, Bucket=bucket, Key=key, UploadId=upload_id,
                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": response["ETag"]}]})


# -- storage ---------------------------------------------------------------------------------------


def _blob_files(server) -> list[Path]:
    return [p for p in (server.data_dir / "blobs").rglob("*") if p.is_file()]


@pytest.mark.own_server
def test_aborted_and_completed_uploads_leave_no_stray_blobs_and_survive_a_restart(private_server, client_factory):
    from s3conf import unique_name

    server = private_server("multipart-blobs")
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("mpblobs")
    client.create_bucket(Bucket=name)
    aborted, _ = upload_parts(client, name, "aborted", [b"1", b"2", b"3"])
    client.abort_multipart_upload(Bucket=name, Key="aborted", UploadId=aborted)
    assert _blob_files(server) == []

    parts = [os.urandom(PART), b"tail"]
    done, completed = upload_parts(client, name, "done", parts + [b"left out"])
    client.complete_multipart_upload(Bucket=name, Key="done", UploadId=done, MultipartUpload={"Parts": completed[:2]})
    pending, _ = upload_parts(client, name, "pending", [os.urandom(PART)])
    # The object (its two parts and the list joining them) and the pending part.
    assert len(_blob_files(server)) == 4

    assert server.stop(timeout=10) == 0, server.diagnostics()
    server.start()
    client = client_factory(endpoint=server.endpoint)
    assert len(_blob_files(server)) == 4
    assert client.get_object(Bucket=name, Key="done")["Body"].read() == b"".join(parts)
    listed = client.list_multipart_uploads(Bucket=name)["Uploads"]
    assert [(u["Key"], u["UploadId"]) for u in listed] == [("pending", pending)]
    response = client.upload_part(Bucket=name, Key="pending", UploadId=pending, PartNumber=2, Body=b"after restart")
    parts_list = client.list_parts(Bucket=name, Key="pending", UploadId=pending)["Parts"]
    client.complete_multipart_upload(Bucket=name, Key="pending", UploadId=pending, MultipartUpload={
        "Parts": [{"PartNumber": p["PartNumber"], "ETag": p["ETag"]} for p in parts_list]})
    assert response["ETag"] == parts_list[1]["ETag"]
    client.delete_object(Bucket=name, Key="done")
    client.delete_object(Bucket=name, Key="pending")
    assert _blob_files(server) == []


@pytest.mark.own_server
@pytest.mark.slow
def test_a_1_gib_multipart_upload_stays_under_100_mib_of_server_memory_and_reads_back(private_server, client_factory, tmp_path):
    import threading
    import time

    from boto3.s3.transfer import TransferConfig

    from s3conf import unique_name

    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc to read the server's resident memory")

    def rss_bytes(pid: int, field: str) -> int:
        with open(f"/proc/{pid}/status", encoding="ascii") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1]) * 1024
        raise AssertionError(f"{field} not in /proc/{pid}/status")

    server = private_server("multipart-memory")
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("mpmem")
    client.create_bucket(Bucket=name)
    source = tmp_path / "gib.bin"
    block = os.urandom(MiB)
    digest = hashlib.md5()
    with open(source, "wb") as handle:
        for index in range(1024):
            chunk = block[index % 251:] + block[:index % 251]
            digest.update(chunk)
            handle.write(chunk)

    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_bytes(server.pid, "VmRSS"))
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    config = TransferConfig(multipart_threshold=16 * MiB, multipart_chunksize=16 * MiB, max_concurrency=6)
    try:
        client.upload_file(str(source), name, "gib", Config=config)
        upload_peak = peak[0]
        assert client.head_object(Bucket=name, Key="gib", PartNumber=1)["PartsCount"] == 64
        got = hashlib.md5()
        body = client.get_object(Bucket=name, Key="gib")["Body"]
        for chunk in iter(lambda: body.read(4 * MiB), b""):
            got.update(chunk)
        assert got.hexdigest() == digest.hexdigest()
    finally:
        stop.set()
        sampler.join(5)
    # The upload is what this test measures; the download streams through GetObject, whose
    # memory test_streaming.py measures (under heavy machine load glibc's per-thread malloc
    # arenas can lift a download's transient peak past 100 MiB, multipart or not).
    assert upload_peak < 100 * MiB, f"server resident memory peaked at {upload_peak / MiB:.0f} MiB while uploading (limit 100 MiB)"
    client.delete_object(Bucket=name, Key="gib")
    assert _blob_files(server) == []
