"""GetObject and HeadObject: ranges, conditional requests, response-* overrides; DeleteObject."""

from __future__ import annotations

import datetime as dt

import pytest

from s3conf import expect_error, headers_of, status_of
from s3conf.checksums import etag

ALPHABET = b"abcdefghijklmnopqrstuvwxyz"


@pytest.fixture
def alphabet(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=ALPHABET, ContentType="text/plain")
    head = s3.head_object(Bucket=bucket, Key=key)
    return bucket, key, head["ETag"], head["LastModified"]


def test_get_object_full(s3, alphabet):
    bucket, key, tag, last_modified = alphabet
    response = s3.get_object(Bucket=bucket, Key=key)
    assert status_of(response) == 200
    assert response["ContentLength"] == 26
    assert response["ETag"] == etag(ALPHABET) == tag
    assert response["ContentType"] == "text/plain"
    assert response["AcceptRanges"] == "bytes"
    assert response["LastModified"] == last_modified
    assert "ContentRange" not in response
    assert response["Body"].read() == ALPHABET


def test_get_object_missing_key_fails_with_no_such_key(s3, bucket):
    response = expect_error(
        "NoSuchKey", 404, s3.get_object, Bucket=bucket, Key="no/such/key",
        message="The specified key does not exist.",
    )
    assert response["Error"].get("Key") == "no/such/key"


# -- ranges ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("range_header", "content_range", "expected"),
    [
        ("bytes=0-4", "bytes 0-4/26", b"abcde"),
        ("bytes=10-", "bytes 10-25/26", ALPHABET[10:]),
        ("bytes=-3", "bytes 23-25/26", b"xyz"),
        ("bytes=25-25", "bytes 25-25/26", b"z"),
        ("bytes=20-100", "bytes 20-25/26", ALPHABET[20:]),
        ("bytes=-100", "bytes 0-25/26", ALPHABET),
        ("bytes=0-0", "bytes 0-0/26", b"a"),
    ],
)
def test_get_object_range_answers_206_with_content_range(s3, alphabet, range_header, content_range, expected):
    bucket, key, tag, _ = alphabet
    response = s3.get_object(Bucket=bucket, Key=key, Range=range_header)
    assert status_of(response) == 206
    assert response["ContentRange"] == content_range
    assert response["ContentLength"] == len(expected)
    assert response["ETag"] == tag
    assert response["Body"].read() == expected


@pytest.mark.parametrize("range_header", ["bytes=26-", "bytes=30-40", "bytes=26-26"])
def test_get_object_unsatisfiable_range_fails_with_invalid_range(s3, alphabet, range_header):
    bucket, key, _, _ = alphabet
    response = expect_error(
        "InvalidRange", 416, s3.get_object, Bucket=bucket, Key=key, Range=range_header,
        message="The requested range is not satisfiable",
    )
    assert response["Error"].get("RangeRequested") == range_header
    assert response["Error"].get("ActualObjectSize") == "26"


def test_get_object_range_on_empty_object_is_unsatisfiable(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"")
    expect_error("InvalidRange", 416, s3.get_object, Bucket=bucket, Key=key, Range="bytes=0-")


def test_get_object_with_malformed_range_returns_whole_object(s3, alphabet):
    bucket, key, _, _ = alphabet
    response = s3.get_object(Bucket=bucket, Key=key, Range="bytes=abc")
    assert status_of(response) == 200
    assert response["Body"].read() == ALPHABET


def test_head_object_with_range(s3, alphabet):
    bucket, key, _, _ = alphabet
    response = s3.head_object(Bucket=bucket, Key=key, Range="bytes=0-4")
    assert status_of(response) == 206
    assert response["ContentLength"] == 5
    assert response["ContentRange"] == "bytes 0-4/26"


def test_head_object_with_unsatisfiable_range_is_416(s3, alphabet):
    bucket, key, _, _ = alphabet
    expect_error("416", 416, s3.head_object, Bucket=bucket, Key=key, Range="bytes=100-")


# -- conditional requests -------------------------------------------------------------------------

DAY = dt.timedelta(days=1)
OTHER_ETAG = '"00000000000000000000000000000000"'


def _conditions(kind, tag, last_modified):
    return {
        "match": {"IfMatch": tag},
        "match-other": {"IfMatch": OTHER_ETAG},
        "none-match": {"IfNoneMatch": tag},
        "none-match-other": {"IfNoneMatch": OTHER_ETAG},
        "modified-since-lm": {"IfModifiedSince": last_modified},
        "modified-since-before": {"IfModifiedSince": last_modified - DAY},
        "unmodified-since-lm": {"IfUnmodifiedSince": last_modified},
        "unmodified-since-before": {"IfUnmodifiedSince": last_modified - DAY},
        # S3's documented precedence:
        "match+unmodified-false": {"IfMatch": tag, "IfUnmodifiedSince": last_modified - DAY},
        "none-match-false+modified-true": {"IfNoneMatch": tag, "IfModifiedSince": last_modified - DAY},
        "match-false+none-match-false": {"IfMatch": OTHER_ETAG, "IfNoneMatch": tag},
    }[kind]


CONDITIONAL_CASES = [
    ("match", 200),
    ("match-other", 412),
    ("none-match", 304),
    ("none-match-other", 200),
    ("modified-since-lm", 304),
    ("modified-since-before", 200),
    ("unmodified-since-lm", 200),
    ("unmodified-since-before", 412),
    ("match+unmodified-false", 200),
    ("none-match-false+modified-true", 304),
    ("match-false+none-match-false", 412),
]


@pytest.mark.parametrize(("kind", "status"), CONDITIONAL_CASES)
def test_get_object_conditional(s3, alphabet, kind, status):
    bucket, key, tag, last_modified = alphabet
    kwargs = _conditions(kind, tag, last_modified)
    if status == 200:
        response = s3.get_object(Bucket=bucket, Key=key, **kwargs)
        assert status_of(response) == 200
        assert response["Body"].read() == ALPHABET
    elif status == 304:
        response = expect_error("304", 304, s3.get_object, Bucket=bucket, Key=key, **kwargs)
        assert headers_of(response).get("etag") == tag
    else:
        response = expect_error(
            "PreconditionFailed", 412, s3.get_object, Bucket=bucket, Key=key, **kwargs,
            message="At least one of the pre-conditions you specified did not hold",
        )
        assert response["Error"].get("Condition") in ("If-Match", "If-Unmodified-Since")


@pytest.mark.parametrize(("kind", "status"), CONDITIONAL_CASES)
def test_head_object_conditional(s3, alphabet, kind, status):
    bucket, key, tag, last_modified = alphabet
    kwargs = _conditions(kind, tag, last_modified)
    if status == 200:
        response = s3.head_object(Bucket=bucket, Key=key, **kwargs)
        assert status_of(response) == 200
        assert response["ContentLength"] == 26
    else:
        expect_error(str(status), status, s3.head_object, Bucket=bucket, Key=key, **kwargs)


def test_get_object_412_error_names_the_condition(raw, alphabet):
    bucket, key, _, _ = alphabet
    response = raw.request("GET", f"/{bucket}/{key}", {"If-Match": OTHER_ETAG})
    assert response.status == 412
    error = response.error()
    assert error["Code"] == "PreconditionFailed"
    assert error["Condition"] == "If-Match"


def test_get_object_304_has_no_body(raw, alphabet):
    bucket, key, tag, _ = alphabet
    response = raw.request("GET", f"/{bucket}/{key}", {"If-None-Match": tag})
    assert response.status == 304
    assert response.body == b""
    assert response.header("ETag") == tag


# -- response-* overrides --------------------------------------------------------------------------


def test_get_object_response_overrides(s3, alphabet):
    bucket, key, _, _ = alphabet
    response = s3.get_object(
        Bucket=bucket, Key=key,
        ResponseContentType="application/x-override",
        ResponseContentLanguage="fr-CA",
        ResponseExpires=dt.datetime(2031, 5, 6, 7, 8, 9, tzinfo=dt.timezone.utc),
        ResponseCacheControl="no-cache",
        ResponseContentDisposition='inline; filename="x y.txt"',
        ResponseContentEncoding="identity",
    )
    assert status_of(response) == 200
    headers = headers_of(response)
    assert headers["content-type"] == "application/x-override"
    assert headers["content-language"] == "fr-CA"
    assert headers["expires"] == "Tue, 06 May 2031 07:08:09 GMT"
    assert headers["cache-control"] == "no-cache"
    assert headers["content-disposition"] == 'inline; filename="x y.txt"'
    assert headers["content-encoding"] == "identity"
    assert response["Body"].read() == ALPHABET
    # The stored object is unchanged.
    assert s3.head_object(Bucket=bucket, Key=key)["ContentType"] == "text/plain"


def test_get_object_response_override_applies_to_ranges(s3, alphabet):
    bucket, key, _, _ = alphabet
    response = s3.get_object(Bucket=bucket, Key=key, Range="bytes=0-1", ResponseContentType="image/png")
    assert status_of(response) == 206
    assert response["ContentType"] == "image/png"
    assert response["Body"].read() == b"ab"


# -- HeadObject -----------------------------------------------------------------------------------


def test_head_object_returns_same_headers_as_get_without_body(s3, raw, alphabet):
    bucket, key, tag, last_modified = alphabet
    head = s3.head_object(Bucket=bucket, Key=key)
    get = s3.get_object(Bucket=bucket, Key=key)
    assert status_of(head) == 200
    for field in ("ContentLength", "ContentType", "ETag", "LastModified", "AcceptRanges", "Metadata"):
        assert head[field] == get[field], field
    raw_head = raw.request("HEAD", f"/{bucket}/{key}")
    assert raw_head.status == 200
    assert raw_head.body == b""
    assert raw_head.header("Content-Length") == "26"
    assert raw_head.header("ETag") == tag
    assert raw_head.header("Last-Modified") == last_modified.strftime("%a, %d %b %Y %H:%M:%S GMT")


def test_head_object_missing_key_is_404_without_body(s3, raw, bucket):
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="missing")
    response = raw.request("HEAD", f"/{bucket}/missing")
    assert response.status == 404
    assert response.body == b""
    assert response.header("x-amz-request-id")


# -- DeleteObject -----------------------------------------------------------------------------------


def test_delete_object_answers_204_and_removes_it(s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    response = s3.delete_object(Bucket=bucket, Key=key)
    assert status_of(response) == 204
    expect_error("NoSuchKey", 404, s3.get_object, Bucket=bucket, Key=key)
    assert s3.list_objects_v2(Bucket=bucket)["KeyCount"] == 0


def test_delete_object_missing_key_answers_204(s3, bucket):
    response = s3.delete_object(Bucket=bucket, Key="never-existed")
    assert status_of(response) == 204
