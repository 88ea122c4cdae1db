"""Bucket versioning: Put/GetBucketVersioning, version ids on writes, GetObject/HeadObject/
DeleteObject with versionId, delete markers (404/405 with x-amz-delete-marker), the null version
under Suspended, ListObjectVersions (prefix, delimiter, key-marker, version-id-marker, max-keys),
DeleteObjects and CopyObject with versions, tagging of versions, multipart uploads in a versioned
bucket, and the version actions of IAM policies — through boto3 and the AWS CLI.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Any, Iterator

import pytest
from boto3.s3.transfer import TransferConfig

from s3conf import expect_error, headers_of, status_of
from scenarios import ConfigServer, User, allowed, denied, not_allowed, start_config_server, stop_config_server, user_arn

MiB = 1024 * 1024


def enable(s3: Any, bucket: str, status: str = "Enabled") -> None:
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": status})


def put(s3: Any, bucket: str, key: str, body: bytes) -> str:
    return s3.put_object(Bucket=bucket, Key=key, Body=body)["VersionId"]


def listing(s3: Any, bucket: str, **kwargs: Any) -> list[tuple[str, str, bool, str]]:
    """Every version and delete marker as (key, version id, is latest, 'V' or 'DM'), in S3's order."""
    entries: list[tuple[str, str, bool, str, str]] = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, **kwargs):
        for version in page.get("Versions", []):
            entries.append((version["Key"], version["VersionId"], version["IsLatest"], "V", version["LastModified"]))
        for marker in page.get("DeleteMarkers", []):
            entries.append((marker["Key"], marker["VersionId"], marker["IsLatest"], "DM", marker["LastModified"]))
    # boto3 splits the XML into Versions and DeleteMarkers: versions first, then markers.
    return [entry[:4] for entry in entries]


# -- PutBucketVersioning / GetBucketVersioning --------------------------------------------------------


def test_a_new_bucket_has_no_versioning_status(s3, bucket):
    response = s3.get_bucket_versioning(Bucket=bucket)
    assert "Status" not in response


@pytest.mark.parametrize("status", ["Enabled", "Suspended"])
def test_put_bucket_versioning_sets_the_status(s3, bucket, status):
    enable(s3, bucket, status)
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == status


def test_versioning_cannot_be_turned_off_only_suspended(s3, bucket, raw):
    enable(s3, bucket)
    body = b'<VersioningConfiguration xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><Status>Disabled</Status></VersioningConfiguration>'
    response = raw.request("PUT", f"/{bucket}?versioning", body=body)
    assert (response.status, response.error()["Code"]) == (400, "MalformedXML")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"


def test_versioning_of_a_missing_bucket_is_no_such_bucket(s3):
    expect_error("NoSuchBucket", 404, s3.get_bucket_versioning, Bucket="no-such-bucket-versioning")
    expect_error("NoSuchBucket", 404, s3.put_bucket_versioning, Bucket="no-such-bucket-versioning",
                 VersioningConfiguration={"Status": "Enabled"})


# -- writes, reads and deletes of versions -----------------------------------------------------------


def test_every_put_gets_its_own_version_id_and_every_version_stays_readable(s3, bucket):
    enable(s3, bucket)
    first = put(s3, bucket, "k", b"one")
    second = put(s3, bucket, "k", b"two")
    assert first != second and first != "null"
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"two"
    latest = s3.get_object(Bucket=bucket, Key="k")
    assert latest["VersionId"] == second
    old = s3.get_object(Bucket=bucket, Key="k", VersionId=first)
    assert old["Body"].read() == b"one"
    assert old["VersionId"] == first
    assert s3.head_object(Bucket=bucket, Key="k", VersionId=first)["ContentLength"] == 3
    assert listing(s3, bucket) == [("k", second, True, "V"), ("k", first, False, "V")]


def test_objects_written_before_versioning_are_the_null_version(s3, bucket):
    put_response = s3.put_object(Bucket=bucket, Key="k", Body=b"before")
    assert "VersionId" not in put_response
    assert "VersionId" not in s3.get_object(Bucket=bucket, Key="k")
    enable(s3, bucket)
    assert s3.head_object(Bucket=bucket, Key="k")["VersionId"] == "null"
    new = put(s3, bucket, "k", b"after")
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"before"
    assert listing(s3, bucket) == [("k", new, True, "V"), ("k", "null", False, "V")]


def test_delete_adds_a_delete_marker_that_hides_the_key(s3, bucket):
    enable(s3, bucket)
    version = put(s3, bucket, "k", b"data")
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert status_of(deleted) == 204
    assert deleted["DeleteMarker"] is True
    marker = deleted["VersionId"]
    assert marker != version

    error = expect_error("NoSuchKey", 404, s3.get_object, Bucket=bucket, Key="k")
    assert headers_of(error)["x-amz-delete-marker"] == "true"
    assert headers_of(error)["x-amz-version-id"] == marker
    error = expect_error("404", 404, s3.head_object, Bucket=bucket, Key="k")
    assert headers_of(error)["x-amz-delete-marker"] == "true"

    # The marker itself, named by its id: 405 MethodNotAllowed, as S3 answers.
    error = expect_error("MethodNotAllowed", 405, s3.get_object, Bucket=bucket, Key="k", VersionId=marker)
    assert error["Error"]["ResourceType"] == "DeleteMarker"
    assert headers_of(error)["x-amz-delete-marker"] == "true"
    assert "last-modified" in headers_of(error)
    expect_error("405", 405, s3.head_object, Bucket=bucket, Key="k", VersionId=marker)

    assert s3.get_object(Bucket=bucket, Key="k", VersionId=version)["Body"].read() == b"data"
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0
    assert listing(s3, bucket) == [("k", version, False, "V"), ("k", marker, True, "DM")]


def test_deleting_the_delete_marker_restores_the_object(s3, bucket):
    enable(s3, bucket)
    put(s3, bucket, "k", b"data")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    removed = s3.delete_object(Bucket=bucket, Key="k", VersionId=marker)
    assert removed["DeleteMarker"] is True and removed["VersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"data"


def test_deleting_a_version_removes_it_for_good(s3, bucket):
    enable(s3, bucket)
    first = put(s3, bucket, "k", b"one")
    second = put(s3, bucket, "k", b"two")
    removed = s3.delete_object(Bucket=bucket, Key="k", VersionId=second)
    assert removed["VersionId"] == second and "DeleteMarker" not in removed
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"one"
    error = expect_error("NoSuchVersion", 404, s3.get_object, Bucket=bucket, Key="k", VersionId=second)
    assert error["Error"]["VersionId"] == second
    assert listing(s3, bucket) == [("k", first, True, "V")]
    # Deleting a version that is gone again is still a 204.
    assert status_of(s3.delete_object(Bucket=bucket, Key="k", VersionId=second)) == 204


@pytest.mark.parametrize("version_id, message", [
    ("not-a-version", "Invalid version id specified"),
    ("", "Version id cannot be the empty string"),
])
def test_malformed_version_ids_are_invalid_arguments(s3, bucket, raw, version_id, message):
    enable(s3, bucket)
    put(s3, bucket, "k", b"one")
    response = raw.request("GET", f"/{bucket}/k?versionId={version_id}")
    error = response.error()
    assert (response.status, error["Code"], error["Message"], error["ArgumentName"]) == (400, "InvalidArgument", message, "versionId")


def test_suspended_versioning_writes_the_null_version_and_keeps_the_others(s3, bucket):
    enable(s3, bucket)
    kept = put(s3, bucket, "k", b"versioned")
    enable(s3, bucket, "Suspended")
    assert put(s3, bucket, "k", b"null-one") == "null"
    assert put(s3, bucket, "k", b"null-two") == "null"
    assert listing(s3, bucket) == [("k", "null", True, "V"), ("k", kept, False, "V")]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"null-two"
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert deleted["DeleteMarker"] is True and deleted["VersionId"] == "null"
    assert listing(s3, bucket) == [("k", kept, False, "V"), ("k", "null", True, "DM")]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=kept)["Body"].read() == b"versioned"


def test_a_bucket_with_versions_is_not_empty(s3, bucket):
    enable(s3, bucket)
    put(s3, bucket, "k", b"one")
    s3.delete_object(Bucket=bucket, Key="k")
    expect_error("BucketNotEmpty", 409, s3.delete_bucket, Bucket=bucket)


# -- ListObjectVersions -----------------------------------------------------------------------------


def test_list_object_versions_pages_through_keys_and_versions(s3, bucket):
    enable(s3, bucket)
    expected = []
    for key in ["a", "b/1", "b/2", "c"]:
        ids = [put(s3, bucket, key, f"{key}-{n}".encode()) for n in range(3)]
        expected += [(key, version, index == 0, "V") for index, version in enumerate(reversed(ids))]
    whole = s3.list_object_versions(Bucket=bucket)
    assert not whole["IsTruncated"]
    assert [(v["Key"], v["VersionId"], v["IsLatest"], "V") for v in whole["Versions"]] == expected

    for page_size in (1, 2, 5):
        seen = []
        pages = 0
        for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, MaxKeys=page_size):
            pages += 1
            assert len(page.get("Versions", [])) <= page_size
            if page["IsTruncated"]:
                assert page["NextKeyMarker"] and page["NextVersionIdMarker"]
            seen += [(v["Key"], v["VersionId"], v["IsLatest"], "V") for v in page.get("Versions", [])]
        assert seen == expected, page_size
        assert pages == -(-len(expected) // page_size)


def test_list_object_versions_with_prefix_and_delimiter(s3, bucket):
    enable(s3, bucket)
    for key in ["photos/2024/a.jpg", "photos/2024/a.jpg", "photos/2025/b.jpg", "photos/top.jpg", "readme"]:
        put(s3, bucket, key, b"x")
    response = s3.list_object_versions(Bucket=bucket, Prefix="photos/", Delimiter="/")
    assert [p["Prefix"] for p in response["CommonPrefixes"]] == ["photos/2024/", "photos/2025/"]
    assert [v["Key"] for v in response["Versions"]] == ["photos/top.jpg"]
    response = s3.list_object_versions(Bucket=bucket, Prefix="photos/2024/")
    assert [(v["Key"], v["IsLatest"]) for v in response["Versions"]] == [("photos/2024/a.jpg", True), ("photos/2024/a.jpg", False)]


def test_list_object_versions_starts_after_the_key_and_version_markers(s3, bucket):
    enable(s3, bucket)
    ids = [put(s3, bucket, "k", str(n).encode()) for n in range(3)]
    put(s3, bucket, "z", b"z")
    after_middle = s3.list_object_versions(Bucket=bucket, KeyMarker="k", VersionIdMarker=ids[1])
    assert [(v["Key"], v["VersionId"]) for v in after_middle["Versions"]] == [("k", ids[0]), ("z", after_middle["Versions"][1]["VersionId"])]
    assert after_middle["KeyMarker"] == "k" and after_middle["VersionIdMarker"] == ids[1]
    after_key = s3.list_object_versions(Bucket=bucket, KeyMarker="k")
    assert [v["Key"] for v in after_key["Versions"]] == ["z"]


def test_a_version_id_marker_needs_a_key_marker(s3, bucket, raw):
    response = raw.request("GET", f"/{bucket}?versions&version-id-marker=null")
    error = response.error()
    assert (response.status, error["Code"]) == (400, "InvalidArgument")
    assert error["Message"] == "A version-id marker cannot be specified without a key marker."


# -- DeleteObjects, CopyObject, tagging, multipart with versions -----------------------------------------


def test_delete_objects_with_and_without_version_ids(s3, bucket):
    enable(s3, bucket)
    first = put(s3, bucket, "a", b"1")
    second = put(s3, bucket, "a", b"2")
    put(s3, bucket, "b", b"1")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [
        {"Key": "a", "VersionId": second},
        {"Key": "b"},
    ]})
    deleted = {entry["Key"]: entry for entry in response["Deleted"]}
    assert deleted["a"]["VersionId"] == second and "DeleteMarker" not in deleted["a"]
    assert deleted["b"]["DeleteMarker"] is True and deleted["b"]["DeleteMarkerVersionId"]
    marker = deleted["b"]["DeleteMarkerVersionId"]
    assert s3.get_object(Bucket=bucket, Key="a")["VersionId"] == first
    expect_error("NoSuchKey", 404, s3.get_object, Bucket=bucket, Key="b")
    # Removing the marker by version id reports it as a delete marker.
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "b", "VersionId": marker}]})
    assert response["Deleted"][0]["DeleteMarker"] is True
    assert response["Deleted"][0]["DeleteMarkerVersionId"] == marker
    assert s3.get_object(Bucket=bucket, Key="b")["Body"].read() == b"1"


def test_copy_object_from_an_older_version(s3, bucket):
    enable(s3, bucket)
    old = put(s3, bucket, "k", b"old")
    put(s3, bucket, "k", b"new")
    copied = s3.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k", "VersionId": old})
    assert copied["CopySourceVersionId"] == old
    assert copied["VersionId"] not in ("null", old)
    assert s3.get_object(Bucket=bucket, Key="copy")["Body"].read() == b"old"
    # Restoring an old version by copying it onto its own key.
    restored = s3.copy_object(Bucket=bucket, Key="k", CopySource={"Bucket": bucket, "Key": "k", "VersionId": old})
    assert s3.get_object(Bucket=bucket, Key="k")["VersionId"] == restored["VersionId"]
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"old"
    assert len(listing(s3, bucket, Prefix="k")) == 3


def test_copy_object_from_a_delete_marker_is_refused(s3, bucket):
    enable(s3, bucket)
    put(s3, bucket, "k", b"x")
    marker = s3.delete_object(Bucket=bucket, Key="k")["VersionId"]
    expect_error("InvalidRequest", 400, s3.copy_object, Bucket=bucket, Key="copy",
                 CopySource={"Bucket": bucket, "Key": "k", "VersionId": marker})
    expect_error("NoSuchKey", 404, s3.copy_object, Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": "k"})


def test_tags_of_one_version(s3, bucket):
    enable(s3, bucket)
    old = s3.put_object(Bucket=bucket, Key="k", Body=b"1", Tagging="v=old")["VersionId"]
    new = s3.put_object(Bucket=bucket, Key="k", Body=b"2", Tagging="v=new")["VersionId"]
    response = s3.put_object_tagging(Bucket=bucket, Key="k", VersionId=old, Tagging={"TagSet": [{"Key": "v", "Value": "changed"}]})
    assert response["VersionId"] == old
    tagged = s3.get_object_tagging(Bucket=bucket, Key="k", VersionId=old)
    assert tagged["VersionId"] == old and tagged["TagSet"] == [{"Key": "v", "Value": "changed"}]
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == [{"Key": "v", "Value": "new"}]
    s3.delete_object_tagging(Bucket=bucket, Key="k", VersionId=new)
    assert s3.get_object_tagging(Bucket=bucket, Key="k")["TagSet"] == []
    assert len(listing(s3, bucket)) == 2, "tagging makes no version"


def test_multipart_uploads_in_a_versioned_bucket_make_versions(s3, bucket, tmp_path):
    enable(s3, bucket)
    data = os.urandom(12 * MiB)
    source = tmp_path / "big.bin"
    source.write_bytes(data)
    config = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    s3.upload_file(str(source), bucket, "big.bin", Config=config)
    first = s3.head_object(Bucket=bucket, Key="big.bin")["VersionId"]
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="big.bin")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="big.bin", UploadId=upload_id, PartNumber=1, Body=b"small")
    completed = s3.complete_multipart_upload(Bucket=bucket, Key="big.bin", UploadId=upload_id,
                                             MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert completed["VersionId"] not in (None, "null", first)
    target = tmp_path / "down.bin"
    s3.download_file(bucket, "big.bin", str(target), ExtraArgs={"VersionId": first}, Config=config)
    assert hashlib.md5(target.read_bytes()).digest() == hashlib.md5(data).digest()
    assert s3.get_object(Bucket=bucket, Key="big.bin")["Body"].read() == b"small"


# -- the AWS CLI ---------------------------------------------------------------------------------------


def test_awscli_versioning_round_trip(aws, s3, bucket, tmp_path: Path):
    aws.s3api("put-bucket-versioning", "--bucket", bucket, "--versioning-configuration", "Status=Enabled")
    assert aws.s3api("get-bucket-versioning", "--bucket", bucket).json["Status"] == "Enabled"
    path = tmp_path / "f.txt"
    path.write_bytes(b"first")
    aws.s3("cp", str(path), f"s3://{bucket}/f.txt")
    path.write_bytes(b"second")
    aws.s3("cp", str(path), f"s3://{bucket}/f.txt")
    aws.s3("rm", f"s3://{bucket}/f.txt")
    versions = aws.s3api("list-object-versions", "--bucket", bucket).json
    assert [v["IsLatest"] for v in versions["Versions"]] == [False, False]
    assert versions["DeleteMarkers"][0]["IsLatest"] is True
    oldest = versions["Versions"][1]["VersionId"]
    out = tmp_path / "out.txt"
    aws.s3api("get-object", "--bucket", bucket, "--key", "f.txt", "--version-id", oldest, str(out))
    assert out.read_bytes() == b"first"
    result = aws.s3api("get-object", "--bucket", bucket, "--key", "f.txt", str(out), check=False)
    assert result.error_code() == "NoSuchKey"


# -- policies: the version actions -----------------------------------------------------------------------

BUCKET = "versioned-policies"
READER = User("reader", "AKIAREADER0000000001", "reader-secret", policies={"read": {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["s3:GetObject", "s3:DeleteObject"], "Resource": f"arn:aws:s3:::{BUCKET}/*"}],
}})


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    if os.environ.get("S3_ENDPOINT"):
        pytest.skip("needs s3emu's --config users (S3_ENDPOINT is set)")
    server = start_config_server(tmp_path_factory, "versioned-policies", [READER], buckets=[{"name": BUCKET}])
    yield server
    stop_config_server(server)


def test_reading_or_deleting_a_named_version_needs_the_version_actions(srv: ConfigServer) -> None:
    root = srv.root()
    enable(root, BUCKET)
    version = put(root, BUCKET, "k", b"1")
    reader = srv.user("reader")
    allowed(reader.get_object, Bucket=BUCKET, Key="k")
    denied(reader.get_object, Bucket=BUCKET, Key="k", VersionId=version,
           message=not_allowed(user_arn("reader"), "s3:GetObjectVersion", f"arn:aws:s3:::{BUCKET}/k"))
    denied(reader.delete_object, Bucket=BUCKET, Key="k", VersionId=version,
           message=not_allowed(user_arn("reader"), "s3:DeleteObjectVersion", f"arn:aws:s3:::{BUCKET}/k"))
    denied(reader.list_object_versions, Bucket=BUCKET,
           message=not_allowed(user_arn("reader"), "s3:ListBucketVersions", f"arn:aws:s3:::{BUCKET}"))
    allowed(reader.delete_object, Bucket=BUCKET, Key="k")
    assert root.get_object(Bucket=BUCKET, Key="k", VersionId=version)["Body"].read() == b"1"
