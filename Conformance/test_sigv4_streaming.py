"""`STREAMING-AWS4-HMAC-SHA256-PAYLOAD` uploads: the seed signature is awscrt's, the chunk
signatures follow the S3 documentation (`sigv4/chunked.py`), and both are first checked against
the documentation's worked example. Every chunk is verified; one corrupted byte or one wrong
chunk signature refuses the upload and stores nothing.
"""

from __future__ import annotations

import datetime
import hashlib
import re
from typing import Any

import pytest

from conftest import require_module
from s3conf import expect_error
from sigv4 import HARD_KEYS, body_for
from sigv4.chunked import encoded_length, signed_chunks
from sigv4.crt import CrtS3, quote_key

# "Example: PUT Object" of "Transferring Payload in Multiple Chunks" in the S3 API reference.
EXAMPLE_SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
EXAMPLE_TIMESTAMP = "20130524T000000Z"
EXAMPLE_SEED = "4f232c4386841ef735655705268965c44a0e4690baa4adea153f7db9fa80a0a9"
EXAMPLE_CHUNK_SIGNATURES = [
    "ad80c730a21e5b8d04586a2213dd63b9a0e99e0e2307b0ade35a65485a288648",
    "0055627c9e194cb4542bae2aa5492e3c1575bbb81b612b7d234b86a503ef5497",
    "b6c6ea8a5354eaf15b3cb7646744f4275b71ea724fed81ceb9323e279d449df9",
]
STREAMING = "STREAMING-AWS4-HMAC-SHA256-PAYLOAD"
CHUNK_SIZE = 64 * 1024


def test_chunk_signer_reproduces_the_documented_example() -> None:
    chunks, body = signed_chunks(b"a" * 66560, 65536, secret=EXAMPLE_SECRET, timestamp=EXAMPLE_TIMESTAMP,
                                 region="us-east-1", seed_signature=EXAMPLE_SEED)
    assert [signature for _, signature in chunks] == EXAMPLE_CHUNK_SIGNATURES
    assert len(body) == 66824 == encoded_length(66560, 65536)  # the example's Content-Length


def test_awscrt_reproduces_the_documented_seed_signature() -> None:
    require_module("awscrt")
    from awscrt import auth, http

    request = http.HttpRequest("PUT", "/examplebucket/chunkObject.txt", http.HttpHeaders([
        ("Host", "s3.amazonaws.com"),
        ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", "66560"),
        ("Content-Length", "66824"),
    ]))
    config = auth.AwsSigningConfig(
        algorithm=auth.AwsSigningAlgorithm.V4,
        signature_type=auth.AwsSignatureType.HTTP_REQUEST_HEADERS,
        credentials_provider=auth.AwsCredentialsProvider.new_static("AKIAIOSFODNN7EXAMPLE", EXAMPLE_SECRET),
        region="us-east-1", service="s3",
        date=datetime.datetime(2013, 5, 24, tzinfo=datetime.timezone.utc),
        use_double_uri_encode=False, should_normalize_uri_path=False,
        signed_body_value=auth.AwsSignedBodyValue.STREAMING_AWS4_HMAC_SHA256_PAYLOAD,
        signed_body_header_type=auth.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256,
    )
    auth.aws_sign_request(request, config).result(timeout=10)
    assert _signature(dict(request.headers)["Authorization"]) == EXAMPLE_SEED


def _signature(authorization: str) -> str:
    match = re.search(r"Signature=([0-9a-f]{64})", authorization)
    assert match, authorization
    return match.group(1)


def _streaming_put(target, bucket: str, key: str, data: bytes, corrupt=None) -> Any:
    """PUT `data` as signed chunks; `corrupt(chunks, body) -> body` may damage the encoded body."""
    require_module("awscrt")
    crt = CrtS3(target.endpoint, target.access_key, target.secret_key, target.region)
    path = f"/{bucket}/{quote_key(key)}"
    headers = [
        ("Content-Encoding", "aws-chunked"),
        ("x-amz-decoded-content-length", str(len(data))),
        ("Content-Length", str(encoded_length(len(data), CHUNK_SIZE))),
        ("Content-Type", "application/octet-stream"),
    ]
    signed = crt.sign("PUT", path, headers, body_hash=STREAMING)
    signed_headers = list(signed.headers)
    values = {name.lower(): value for name, value in signed_headers}
    assert values["x-amz-content-sha256"] == STREAMING
    chunks, body = signed_chunks(data, CHUNK_SIZE, secret=target.secret_key, timestamp=values["x-amz-date"],
                                 region=target.region, seed_signature=_signature(values["authorization"]))
    if corrupt is not None:
        body = corrupt(chunks, body)
    return crt.send("PUT", signed.path, signed_headers, body)


@pytest.fixture
def own_target(target):
    if not target.is_own_server:
        pytest.skip("signs chunks with the target's secret, known only for s3emu's own server")
    return target


@pytest.mark.parametrize("label", ["space", "unicode", "subdelims"])
def test_streaming_signed_upload_is_verified_and_stored(own_target, s3: Any, bucket: str, label: str) -> None:
    key = HARD_KEYS[label]
    data = body_for(key, 3 * CHUNK_SIZE + 12345)
    response = _streaming_put(own_target, bucket, key, data)
    assert response.status == 200, response
    assert response.headers["ETag"] == f'"{hashlib.md5(data).hexdigest()}"'
    stored = s3.get_object(Bucket=bucket, Key=key)
    assert stored["Body"].read() == data
    assert "ContentEncoding" not in stored or stored["ContentEncoding"] != "aws-chunked"


def _flip_byte_in_chunk(index: int):
    def corrupt(chunks, body: bytes) -> bytes:
        piece = chunks[index][0]
        at = body.index(piece) + len(piece) // 2
        return body[:at] + bytes([body[at] ^ 0x01]) + body[at + 1:]
    return corrupt


def _wrong_signature_of_chunk(index: int):
    def corrupt(chunks, body: bytes) -> bytes:
        signature = chunks[index][1]
        return body.replace(signature.encode(), (("0" if signature[0] != "0" else "1") + signature[1:]).encode(), 1)
    return corrupt


@pytest.mark.parametrize("damage", [
    pytest.param(_flip_byte_in_chunk(0), id="byte-flipped-in-first-chunk"),
    pytest.param(_flip_byte_in_chunk(2), id="byte-flipped-in-third-chunk"),
    pytest.param(_wrong_signature_of_chunk(1), id="wrong-second-chunk-signature"),
    pytest.param(_wrong_signature_of_chunk(-1), id="wrong-final-chunk-signature"),
])
def test_corrupted_chunk_is_refused_and_nothing_is_stored(own_target, s3: Any, bucket: str, damage) -> None:
    key = HARD_KEYS["space"]
    data = body_for(key, 3 * CHUNK_SIZE + 12345)
    response = _streaming_put(own_target, bucket, key, data, corrupt=damage)
    assert response.status == 403, response
    assert response.error()["Code"] == "SignatureDoesNotMatch"
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key=key)
