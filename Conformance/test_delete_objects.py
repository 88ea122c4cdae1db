"""DeleteObjects (multi-object delete)."""

from __future__ import annotations

import pytest

from s3conf import expect_error, status_of, unique_name
from s3conf.checksums import content_md5


def test_delete_objects_reports_each_key(s3, bucket):
    for key in ("a", "b/c", "d"):
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    response = s3.delete_objects(
        Bucket=bucket,
        Delete={"Objects": [{"Key": "a"}, {"Key": "b/c"}, {"Key": "never-existed"}]},
    )
    assert status_of(response) == 200
    deleted = sorted(d["Key"] for d in response["Deleted"])
    # S3 reports a missing key as deleted (the end state is what was asked for).
    assert deleted == ["a", "b/c", "never-existed"]
    assert "Errors" not in response or response["Errors"] == []
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
    assert remaining == ["d"]


def test_delete_objects_quiet_reports_nothing_on_success(s3, bucket):
    s3.put_object(Bucket=bucket, Key="a", Body=b"a")
    s3.put_object(Bucket=bucket, Key="b", Body=b"b")
    response = s3.delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "a"}, {"Key": "b"}], "Quiet": True}
    )
    assert status_of(response) == 200
    assert response.get("Deleted", []) == []
    assert response.get("Errors", []) == []
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_with_xml_special_characters_in_keys(s3, bucket):
    keys = ["a&b", "<tag>", "quote\"s", "apos'trophe", "ü/日本"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert sorted(d["Key"] for d in response["Deleted"]) == sorted(keys)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_accepts_1000_keys(s3, bucket):
    keys = [f"k{i:04d}" for i in range(1000)]
    for key in keys[:5]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
    assert status_of(response) == 200
    assert len(response["Deleted"]) == 1000
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_objects_with_more_than_1000_keys_fails_with_malformed_xml(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k0000", Body=b"x")
    expect_error(
        "MalformedXML", 400, s3.delete_objects,
        Bucket=bucket, Delete={"Objects": [{"Key": f"k{i:04d}"} for i in range(1001)]},
        message="The XML you provided was not well-formed or did not validate against our published schema",
    )
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 1


@pytest.mark.parametrize(
    "body",
    [b"this is not xml", b"<Delete><Object><Key>a</Key></Object>", b"<Delete></Delete>"],
    ids=["not-xml", "unterminated", "no-objects"],
)
def test_delete_objects_with_malformed_body_fails_with_malformed_xml(raw, bucket, body):
    response = raw.request("POST", f"/{bucket}?delete", {"Content-MD5": content_md5(body)}, body)
    assert response.status == 400, response
    assert response.error()["Code"] == "MalformedXML"


def test_delete_objects_missing_bucket(s3):
    expect_error(
        "NoSuchBucket", 404, s3.delete_objects,
        Bucket=unique_name("missing"), Delete={"Objects": [{"Key": "a"}]},
    )
