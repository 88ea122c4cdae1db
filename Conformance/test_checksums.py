"""Additional checksums: header form (boto3) and trailer form (aws-chunked), verified and returned."""

from __future__ import annotations

import os

import pytest

from s3conf import expect_error, headers_of, status_of
from s3conf.checksums import (
    ALGORITHMS,
    aws_chunked,
    checksum_b64,
    crc32c_pure,
    crc64nvme_pure,
)

BODY = b"The quick brown fox jumps over the lazy dog. " * 100


def needs_crt(algorithm: str) -> None:
    """botocore computes CRC32C and CRC64NVME only with awscrt installed."""
    if algorithm in ("CRC32C", "CRC64NVME"):
        from conftest import require_module

        require_module("awscrt")


def test_reference_checksums_match_published_check_values():
    # Check values for "123456789" (CRC catalogue) and the awscrt implementation.
    assert crc32c_pure(b"123456789") == 0xE3069283
    assert crc64nvme_pure(b"123456789") == 0xAE8B14860A799888
    assert checksum_b64("crc32", b"123456789") == "y/Q5Jg=="
    data = os.urandom(4096)
    try:
        from awscrt import checksums as crt
    except ImportError:
        return
    assert crt.crc32c(data) == crc32c_pure(data)
    assert crt.crc64nvme(data) == crc64nvme_pure(data)


def test_reference_aws_chunked_encoding_matches_botocore():
    import io

    from botocore.httpchecksum import AwsChunkedWrapper, Crc32Checksum

    data = os.urandom(150 * 1024 + 17)
    wrapper = AwsChunkedWrapper(io.BytesIO(data), checksum_cls=Crc32Checksum,
                                checksum_name="x-amz-checksum-crc32", chunk_size=64 * 1024)
    assert aws_chunked(data, 64 * 1024, "x-amz-checksum-crc32", checksum_b64("crc32", data)) == wrapper.read()


# -- header form ------------------------------------------------------------------------------------


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_object_with_checksum_algorithm_header_form(s3, bucket, key, algorithm):
    needs_crt(algorithm)
    expected = checksum_b64(algorithm, BODY)
    response = s3.put_object(Bucket=bucket, Key=key, Body=BODY, ChecksumAlgorithm=algorithm)
    assert status_of(response) == 200
    assert response[f"Checksum{algorithm}"] == expected

    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got[f"Checksum{algorithm}"] == expected
    assert got["Body"].read() == BODY
    head = s3.head_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_object_with_explicit_correct_checksum_value(s3, bucket, key, algorithm):
    expected = checksum_b64(algorithm, BODY)
    response = s3.put_object(Bucket=bucket, Key=key, Body=BODY, **{f"Checksum{algorithm}": expected})
    assert status_of(response) == 200
    assert response[f"Checksum{algorithm}"] == expected


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_object_with_wrong_checksum_fails_with_bad_digest(s3, bucket, key, algorithm):
    wrong = checksum_b64(algorithm, b"some other bytes")
    expect_error("BadDigest", 400, s3.put_object, Bucket=bucket, Key=key, Body=BODY,
                 **{f"Checksum{algorithm}": wrong})
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key=key)


@pytest.mark.parametrize("algorithm", ["crc32", "sha256"])
def test_put_object_with_malformed_checksum_header_fails_with_invalid_request(raw, bucket, key, algorithm):
    response = raw.request("PUT", f"/{bucket}/{key}", {f"x-amz-checksum-{algorithm}": "not base64!"}, b"x")
    assert response.status == 400, response
    assert response.error()["Code"] == "InvalidRequest"


def test_checksum_is_not_returned_without_checksum_mode(raw, s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=BODY, ChecksumAlgorithm="SHA256")
    head = raw.request("HEAD", f"/{bucket}/{key}")
    assert head.status == 200
    assert head.header("x-amz-checksum-sha256") is None
    with_mode = raw.request("HEAD", f"/{bucket}/{key}", {"x-amz-checksum-mode": "ENABLED"})
    assert with_mode.header("x-amz-checksum-sha256") == checksum_b64("sha256", BODY)


def test_ranged_get_does_not_return_the_full_object_checksum(raw, s3, bucket, key):
    s3.put_object(Bucket=bucket, Key=key, Body=BODY, ChecksumAlgorithm="CRC32")
    response = raw.request("GET", f"/{bucket}/{key}", {"x-amz-checksum-mode": "ENABLED", "Range": "bytes=0-9"})
    assert response.status == 206
    assert response.body == BODY[:10]
    assert response.header("x-amz-checksum-crc32") is None
    # And boto3 (which validates response checksums by default) reads a range cleanly.
    assert s3.get_object(Bucket=bucket, Key=key, Range="bytes=5-14")["Body"].read() == BODY[5:15]


def test_boto3_default_put_sends_crc32_and_it_is_stored(s3, bucket, key):
    sent = {}

    def capture(request, **_):
        sent.update({k.lower(): v for k, v in request.headers.items()})

    s3.meta.events.register("before-send.s3.PutObject", capture)
    try:
        s3.put_object(Bucket=bucket, Key=key, Body=BODY)
    finally:
        s3.meta.events.unregister("before-send.s3.PutObject", capture)
    if "x-amz-checksum-crc32" not in sent:
        pytest.skip("this botocore does not send a default checksum")
    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got["ChecksumCRC32"] == checksum_b64("crc32", BODY)


# -- trailer form (aws-chunked, STREAMING-UNSIGNED-PAYLOAD-TRAILER) ------------------------------------


def put_chunked(raw, bucket, key, data, algorithm, *, value=None, chunk_size=64 * 1024, extra=None):
    name = f"x-amz-checksum-{algorithm.lower()}"
    body = aws_chunked(data, chunk_size, name, value if value is not None else checksum_b64(algorithm, data))
    headers = {
        "Content-Encoding": "aws-chunked",
        "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
        "x-amz-decoded-content-length": str(len(data)),
        "x-amz-trailer": name,
        "x-amz-sdk-checksum-algorithm": algorithm.upper(),
        "Content-Length": str(len(body)),
        **(extra or {}),
    }
    return raw.request("PUT", f"/{bucket}/{key}", headers, body)


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_object_aws_chunked_trailer_checksum(raw, s3, bucket, key, algorithm):
    data = os.urandom(150 * 1024 + 17)  # three chunks: 64 KiB, 64 KiB, 22 KiB + 17
    expected = checksum_b64(algorithm, data)
    response = put_chunked(raw, bucket, key, data, algorithm)
    assert response.status == 200, response
    assert response.header(f"x-amz-checksum-{algorithm.lower()}") == expected
    got = s3.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got["ContentLength"] == len(data)
    assert got["Body"].read() == data
    assert got[f"Checksum{algorithm}"] == expected
    # aws-chunked is a transfer detail, not the object's Content-Encoding.
    assert "aws-chunked" not in (got.get("ContentEncoding") or "")


def test_put_object_aws_chunked_keeps_other_content_encoding(raw, s3, bucket, key):
    data = b"pretend gzip"
    response = put_chunked(raw, bucket, key, data, "CRC32", extra={"Content-Encoding": "aws-chunked,gzip"})
    assert response.status == 200, response
    assert s3.head_object(Bucket=bucket, Key=key)["ContentEncoding"] == "gzip"


@pytest.mark.parametrize("size", [0, 1, 64 * 1024])
def test_put_object_aws_chunked_edge_sizes(raw, s3, bucket, key, size):
    data = os.urandom(size)
    response = put_chunked(raw, bucket, key, data, "CRC32")
    assert response.status == 200, response
    assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == data


@pytest.mark.parametrize("algorithm", ALGORITHMS)
def test_put_object_aws_chunked_wrong_trailer_checksum_fails_with_bad_digest(raw, s3, bucket, key, algorithm):
    data = os.urandom(100_000)
    response = put_chunked(raw, bucket, key, data, algorithm, value=checksum_b64(algorithm, b"different"))
    assert response.status == 400, response
    assert response.error()["Code"] == "BadDigest"
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key=key)


def test_put_object_aws_chunked_decoded_length_mismatch_is_rejected(raw, s3, bucket, key):
    data = os.urandom(1000)
    response = put_chunked(raw, bucket, key, data, "CRC32", extra={"x-amz-decoded-content-length": "999"})
    assert 400 <= response.status < 500, response
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key=key)


@pytest.mark.parametrize("algorithm", ["CRC32", "CRC64NVME", "SHA256"])
def test_boto3_trailer_checksum_as_sent_over_https(client_factory, bucket, key, algorithm):
    """botocore sends the trailer form only over HTTPS (where it is the default); switch it on for
    HTTP by moving the resolved checksum to the trailer, and botocore builds the request as it
    does for HTTPS: Transfer-Encoding: chunked around an aws-chunked body,
    x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER, the checksum in the trailer."""
    needs_crt(algorithm)
    client = client_factory()
    data = os.urandom(3 * 1024 * 1024 + 11)  # several botocore chunks
    sent = {}

    def to_trailer(params, **_):
        algo = params["context"].get("checksum", {}).get("request_algorithm")
        if isinstance(algo, dict):
            algo["in"] = "trailer"

    def capture(request, **_):
        sent.update({k.lower(): (v.decode() if isinstance(v, bytes) else v) for k, v in request.headers.items()})

    client.meta.events.register("before-call.s3.PutObject", to_trailer)
    client.meta.events.register("before-send.s3.PutObject", capture)
    response = client.put_object(Bucket=bucket, Key=key, Body=data, ChecksumAlgorithm=algorithm)
    assert sent.get("x-amz-content-sha256") == "STREAMING-UNSIGNED-PAYLOAD-TRAILER", sent
    assert sent.get("x-amz-trailer") == f"x-amz-checksum-{algorithm.lower()}", sent
    assert sent.get("transfer-encoding") == "chunked", sent
    assert status_of(response) == 200
    expected = checksum_b64(algorithm, data)
    assert headers_of(response).get(f"x-amz-checksum-{algorithm.lower()}") == expected
    got = client.get_object(Bucket=bucket, Key=key, ChecksumMode="ENABLED")
    assert got["ContentLength"] == len(data)
    assert got["Body"].read() == data
    assert got[f"Checksum{algorithm}"] == expected
    assert "aws-chunked" not in (got.get("ContentEncoding") or "")
