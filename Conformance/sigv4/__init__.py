"""Independent S3 clients driven through the same core operations, for the SigV4 conformance tests.

Every driver in `clients.py` uses only its own client to sign and send: boto3, the AWS CLI,
s3cmd (SigV4 and `--signature-v2`), minio-py, awscrt's signer (with `http.client` as transport),
curl `--aws-sigv4`, and rclone. `crt.py` holds the awscrt signer; `chunked.py` builds
`STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies as the S3 documentation defines them.
"""

from __future__ import annotations

import hashlib

# Keys every client must round-trip exactly (issue 3): spaces, `+`, `%`, `~`, `!*'()`, unicode,
# `//` and `..` — plus the other reserved characters of RFC 3986 that S3 allows in keys.
HARD_KEYS: dict[str, str] = {
    "space": "hard key/with space.txt",
    "plus": "plus+sign+.txt",
    "percent": "percent%20literal%2F%.txt",
    "tilde": "tilde~file~.txt",
    "subdelims": "sub-delims!*'().txt",
    "unicode": "unicode/日本語/ünïcödé-😀.txt",
    "double-slash": "double//slash//.txt",
    "dot-segments": "dots/../parent/./x.txt",
    "reserved": "reserved &$@=;:,.txt",
}


def body_for(key: str, size: int = 1000) -> bytes:
    """A deterministic body that differs per key (so a mixed-up key reads back the wrong bytes)."""
    out = bytearray()
    counter = 0
    while len(out) < size:
        out += hashlib.sha256(f"{key}\0{counter}".encode()).digest()
        counter += 1
    return bytes(out[:size])


def md5_hex(data: bytes) -> str:
    return hashlib.md5(data).hexdigest()


class ClientFailure(AssertionError):
    """A client command or call failed; the message carries its output."""
