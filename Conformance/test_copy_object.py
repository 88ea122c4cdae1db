"""CopyObject: metadata directives, copy onto itself, x-amz-copy-source-if-*, encoded sources."""

from __future__ import annotations

import datetime as dt
import os

import pytest

from s3conf import expect_error, status_of, unique_name
from s3conf.checksums import etag
from s3conf.raw import quote_key

DAY = dt.timedelta(days=1)
OTHER_ETAG = '"00000000000000000000000000000000"'
SELF_COPY_MESSAGE = (
    "This copy request is illegal because it is trying to copy an object to itself without "
    "changing the object's metadata, storage class, website redirect location or encryption attributes."
)


@pytest.fixture
def source(s3, bucket):
    body = os.urandom(10_000)
    s3.put_object(
        Bucket=bucket, Key="src/object.bin", Body=body,
        ContentType="application/x-source", CacheControl="max-age=1",
        Metadata={"origin": "source", "n": "1"},
    )
    head = s3.head_object(Bucket=bucket, Key="src/object.bin")
    return bucket, "src/object.bin", body, head


def test_copy_object_default_directive_copies_metadata(s3, source):
    bucket, key, body, head = source
    response = s3.copy_object(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key})
    assert status_of(response) == 200
    assert response["CopyObjectResult"]["ETag"] == etag(body)
    assert isinstance(response["CopyObjectResult"]["LastModified"], dt.datetime)
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Body"].read() == body
    assert got["ETag"] == etag(body)
    assert got["ContentType"] == "application/x-source"
    assert got["CacheControl"] == "max-age=1"
    assert got["Metadata"] == {"origin": "source", "n": "1"}


def test_copy_object_copy_directive_ignores_supplied_metadata(s3, source):
    bucket, key, body, _ = source
    s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key},
        MetadataDirective="COPY", Metadata={"ignored": "yes"}, ContentType="text/ignored",
    )
    got = s3.head_object(Bucket=bucket, Key="dst")
    assert got["Metadata"] == {"origin": "source", "n": "1"}
    assert got["ContentType"] == "application/x-source"


def test_copy_object_replace_directive_sets_new_metadata(s3, source):
    bucket, key, body, _ = source
    response = s3.copy_object(
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key},
        MetadataDirective="REPLACE", Metadata={"fresh": "value"}, ContentType="text/plain",
    )
    assert status_of(response) == 200
    got = s3.get_object(Bucket=bucket, Key="dst")
    assert got["Metadata"] == {"fresh": "value"}
    assert got["ContentType"] == "text/plain"
    assert "CacheControl" not in got
    assert got["Body"].read() == body
    src = s3.head_object(Bucket=bucket, Key=key)
    assert src["Metadata"] == {"origin": "source", "n": "1"}


def test_copy_object_to_another_bucket(s3, source, bucket_factory):
    bucket, key, body, _ = source
    other = bucket_factory()
    s3.copy_object(Bucket=other, Key=key, CopySource={"Bucket": bucket, "Key": key})
    assert s3.get_object(Bucket=other, Key=key)["Body"].read() == body


def test_copy_object_onto_itself_without_replace_fails(s3, source):
    bucket, key, _, _ = source
    expect_error(
        "InvalidRequest", 400, s3.copy_object,
        Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key},
        message=SELF_COPY_MESSAGE,
    )


def test_copy_object_onto_itself_with_replace_updates_metadata(s3, source):
    bucket, key, body, _ = source
    response = s3.copy_object(
        Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key},
        MetadataDirective="REPLACE", Metadata={"rev": "2"},
    )
    assert status_of(response) == 200
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Metadata"] == {"rev": "2"}
    assert got["Body"].read() == body


def test_copy_object_with_invalid_metadata_directive_fails(s3, source):
    bucket, key, _, _ = source
    expect_error(
        "InvalidArgument", 400, s3.copy_object,
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key}, MetadataDirective="MERGE",
    )


def test_copy_object_missing_source_key(s3, bucket):
    expect_error(
        "NoSuchKey", 404, s3.copy_object,
        Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": "missing"},
    )


def test_copy_object_missing_source_bucket(s3, bucket):
    expect_error(
        "NoSuchBucket", 404, s3.copy_object,
        Bucket=bucket, Key="dst", CopySource={"Bucket": unique_name("missing"), "Key": "k"},
    )


def test_copy_object_with_malformed_copy_source_fails(raw, bucket):
    response = raw.request("PUT", f"/{bucket}/dst", {"x-amz-copy-source": "no-slash-here"})
    assert response.status == 400, response
    assert response.error()["Code"] == "InvalidArgument"


# -- x-amz-copy-source-if-* -------------------------------------------------------------------------


def _copy_conditions(kind, tag, last_modified):
    return {
        "match": {"CopySourceIfMatch": tag},
        "match-other": {"CopySourceIfMatch": OTHER_ETAG},
        "none-match": {"CopySourceIfNoneMatch": tag},
        "none-match-other": {"CopySourceIfNoneMatch": OTHER_ETAG},
        "modified-since-lm": {"CopySourceIfModifiedSince": last_modified},
        "modified-since-before": {"CopySourceIfModifiedSince": last_modified - DAY},
        "unmodified-since-lm": {"CopySourceIfUnmodifiedSince": last_modified},
        "unmodified-since-before": {"CopySourceIfUnmodifiedSince": last_modified - DAY},
        # S3's documented precedence for CopyObject:
        "match+unmodified-false": {"CopySourceIfMatch": tag, "CopySourceIfUnmodifiedSince": last_modified - DAY},
        "none-match-false+modified-true": {
            "CopySourceIfNoneMatch": tag, "CopySourceIfModifiedSince": last_modified - DAY},
    }[kind]


@pytest.mark.parametrize(
    ("kind", "copied"),
    [
        ("match", True),
        ("match-other", False),
        ("none-match", False),
        ("none-match-other", True),
        ("modified-since-lm", False),
        ("modified-since-before", True),
        ("unmodified-since-lm", True),
        ("unmodified-since-before", False),
        ("match+unmodified-false", True),
        ("none-match-false+modified-true", False),
    ],
)
def test_copy_object_source_conditions(s3, source, kind, copied):
    bucket, key, body, head = source
    kwargs = _copy_conditions(kind, head["ETag"], head["LastModified"])
    call = dict(Bucket=bucket, Key="dst", CopySource={"Bucket": bucket, "Key": key}, **kwargs)
    if copied:
        assert status_of(s3.copy_object(**call)) == 200
        assert s3.get_object(Bucket=bucket, Key="dst")["Body"].read() == body
    else:
        expect_error(
            "PreconditionFailed", 412, s3.copy_object, **call,
            message="At least one of the pre-conditions you specified did not hold",
        )
        expect_error("404", 404, s3.head_object, Bucket=bucket, Key="dst")


# -- encoded copy sources ---------------------------------------------------------------------------

SPECIAL_SOURCE_KEYS = [
    "dir/with space.txt",
    "plus+sign",
    "percent%20literal",
    "unicode/ünï©ødé/日本語",
    "query?and#hash&amp=1",
    "tilde~bang!star*quote'paren()",
    "double//slash",
]


@pytest.mark.parametrize("src_key", SPECIAL_SOURCE_KEYS)
def test_copy_object_with_url_encoded_special_source_key(s3, bucket, src_key):
    body = src_key.encode() * 3
    s3.put_object(Bucket=bucket, Key=src_key, Body=body, Metadata={"k": "v"})
    dst_key = "copy of " + src_key
    response = s3.copy_object(Bucket=bucket, Key=dst_key, CopySource={"Bucket": bucket, "Key": src_key})
    assert status_of(response) == 200
    got = s3.get_object(Bucket=bucket, Key=dst_key)
    assert got["Body"].read() == body
    assert got["Metadata"] == {"k": "v"}


def test_copy_object_raw_copy_source_with_leading_slash_and_encoding(raw, s3, bucket):
    src_key = "a b+c/ü"
    s3.put_object(Bucket=bucket, Key=src_key, Body=b"payload")
    for i, header in enumerate([f"/{bucket}/{quote_key(src_key)}", f"{bucket}/{quote_key(src_key)}"]):
        response = raw.request("PUT", f"/{bucket}/dst{i}", {"x-amz-copy-source": header})
        assert response.status == 200, response
        root = response.xml()
        assert root.tag.endswith("CopyObjectResult")
        assert s3.get_object(Bucket=bucket, Key=f"dst{i}")["Body"].read() == b"payload"
