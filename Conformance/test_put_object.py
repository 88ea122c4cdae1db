"""PutObject: bodies, ETag, Content-MD5, stored headers and metadata, conditional writes."""

from __future__ import annotations

import datetime as dt
import gzip
import hashlib
import io
import os

import pytest

from s3conf import expect_error, headers_of, status_of
from s3conf.checksums import b64, content_md5, etag


@pytest.mark.parametrize("size", [0, 1, 1000, 64 * 1024 + 7, 5 * 1024 * 1024 + 3])
def test_put_object_round_trips_bytes_and_etag(s3, bucket, key, size):
    body = os.urandom(size)
    response = s3.put_object(Bucket=bucket, Key=key, Body=body)
    assert status_of(response) == 200
    assert response["ETag"] == etag(body)
    got = s3.get_object(Bucket=bucket, Key=key)
    assert status_of(got) == 200
    assert got["ContentLength"] == size
    assert got["ETag"] == etag(body)
    assert got["Body"].read() == body


def test_put_object_from_file_object_round_trips(s3, bucket, key):
    body = os.urandom(300_000)
    response = s3.put_object(Bucket=bucket, Key=key, Body=io.BytesIO(body))
    assert status_of(response) == 200
    assert hashlib.sha256(s3.get_object(Bucket=bucket, Key=key)["Body"].read()).digest() == \
        hashlib.sha256(body).digest()


def test_put_object_overwrites_body_and_metadata(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"first", Metadata={"a": "1"}, ContentType="text/plain")
    s3.put_object(Bucket=bucket, Key=key, Body=b"second!", Metadata={"b": "2"})
    got = s3.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b"second!"
    assert got["Metadata"] == {"b": "2"}
    assert got["ContentType"] == "binary/octet-stream"


def test_put_object_without_content_type_defaults_to_binary_octet_stream(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"data")
    assert s3.head_object(Bucket=bucket, Key=key)["ContentType"] == "binary/octet-stream"


def test_put_object_with_correct_content_md5_succeeds(s3, bucket, key):
    body = b"hello md5"
    response = s3.put_object(Bucket=bucket, Key=key, Body=body, ContentMD5=content_md5(body))
    assert status_of(response) == 200
    assert response["ETag"] == etag(body)


def test_put_object_with_mismatched_content_md5_fails_with_bad_digest(s3, bucket, key):
    expect_error(
        "BadDigest", 400, s3.put_object,
        Bucket=bucket, Key=key, Body=b"actual body", ContentMD5=content_md5(b"other body"),
        message="The Content-MD5 you specified did not match what we received.",
    )
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key=key)


@pytest.mark.parametrize("value", ["not-base64!", b64(b"short")], ids=["not-base64", "wrong-length"])
def test_put_object_with_malformed_content_md5_fails_with_invalid_digest(raw, bucket, key, value):
    response = raw.request("PUT", f"/{bucket}/{key}", {"Content-MD5": value}, b"body")
    assert response.status == 400, response
    error = response.error()
    assert error["Code"] == "InvalidDigest"
    assert error["Message"] == "The Content-MD5 you specified is not valid."


def test_put_object_stores_and_returns_content_headers_and_metadata(s3, bucket, key):
    body = gzip.compress(b"compressed text " * 20)
    expires = dt.datetime(2030, 1, 2, 3, 4, 5, tzinfo=dt.timezone.utc)
    s3.put_object(
        Bucket=bucket, Key=key, Body=body,
        ContentType="text/plain; charset=utf-8",
        CacheControl="max-age=60, must-revalidate",
        ContentDisposition='attachment; filename="report 1.txt"',
        ContentEncoding="gzip",
        ContentLanguage="de-DE",
        Expires=expires,
        Metadata={"color": "blue", "Mixed-Case": "Value With Spaces"},
    )
    for response in (s3.head_object(Bucket=bucket, Key=key), s3.get_object(Bucket=bucket, Key=key)):
        assert response["ContentType"] == "text/plain; charset=utf-8"
        assert response["CacheControl"] == "max-age=60, must-revalidate"
        assert response["ContentDisposition"] == 'attachment; filename="report 1.txt"'
        assert response["ContentEncoding"] == "gzip"
        assert response["ContentLanguage"] == "de-DE"
        assert headers_of(response)["expires"] == "Wed, 02 Jan 2030 03:04:05 GMT"
        assert response["Metadata"] == {"color": "blue", "mixed-case": "Value With Spaces"}
        assert response["ContentLength"] == len(body)
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == body


def test_put_object_metadata_headers_are_returned_lowercased_as_x_amz_meta(raw, bucket, key):
    put = raw.request("PUT", f"/{bucket}/{key}", {"x-amz-meta-Project": "Apollo 11"}, b"x")
    assert put.status == 200, put
    head = raw.request("HEAD", f"/{bucket}/{key}")
    assert head.status == 200
    assert head.header("x-amz-meta-project") == "Apollo 11"
    names = [name.lower() for name in head.headers.keys()]
    assert "x-amz-meta-project" in names


def test_put_object_key_longer_than_1024_bytes_fails(s3, bucket):
    expect_error("KeyTooLongError", 400, s3.put_object, Bucket=bucket, Key="k" * 1025, Body=b"x")


def test_put_object_key_of_1024_bytes_succeeds(s3, bucket):
    key = "é" * 512  # 1024 UTF-8 bytes
    assert status_of(s3.put_object(Bucket=bucket, Key=key, Body=b"x")) == 200
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"x"


# -- conditional writes ---------------------------------------------------------------------------


def test_put_object_with_if_none_match_star_on_new_key_succeeds(s3, bucket, key):
    response = s3.put_object(Bucket=bucket, Key=key, Body=b"new", IfNoneMatch="*")
    assert status_of(response) == 200
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"new"


def test_put_object_with_if_none_match_star_on_existing_key_fails(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"original")
    expect_error(
        "PreconditionFailed", 412, s3.put_object,
        Bucket=bucket, Key=key, Body=b"replacement", IfNoneMatch="*",
        message="At least one of the pre-conditions you specified did not hold",
    )
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"original"


def test_put_object_with_matching_if_match_overwrites(s3, bucket, key):
    first = s3.put_object(Bucket=bucket, Key=key, Body=b"v1")
    response = s3.put_object(Bucket=bucket, Key=key, Body=b"v2", IfMatch=first["ETag"])
    assert status_of(response) == 200
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"v2"


def test_put_object_with_mismatched_if_match_fails(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"v1")
    expect_error(
        "PreconditionFailed", 412, s3.put_object,
        Bucket=bucket, Key=key, Body=b"v2", IfMatch=etag(b"something else"),
        message="At least one of the pre-conditions you specified did not hold",
    )
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == b"v1"


def test_put_object_with_if_match_on_missing_key_fails_with_no_such_key(s3, bucket, key):
    # S3 user guide (conditional writes): no current object → "404 Not Found".
    expect_error("NoSuchKey", 404, s3.put_object, Bucket=bucket, Key=key, Body=b"x", IfMatch=etag(b"x"))
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key=key)


def test_concurrent_if_none_match_star_creates_exactly_once(s3, bucket, key):
    """Conditional create is atomic: of racing writers exactly one wins; the others get 412
    PreconditionFailed (or 409 ConditionalRequestConflict while the winner is in flight)."""
    from concurrent.futures import ThreadPoolExecutor

    from botocore.exceptions import ClientError

    bodies = [f"writer {i} ".encode() * 20_000 for i in range(8)]

    def attempt(body):
        try:
            return status_of(s3.put_object(Bucket=bucket, Key=key, Body=body, IfNoneMatch="*")), body
        except ClientError as error:
            return (error.response["Error"]["Code"], status_of(error.response)), body

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(attempt, bodies))
    winners = [body for outcome, body in results if outcome == 200]
    losers = [outcome for outcome, _ in results if outcome != 200]
    assert len(winners) == 1, results
    assert all(o in (("PreconditionFailed", 412), ("ConditionalRequestConflict", 409)) for o in losers), losers
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == winners[0]
