"""`STREAMING-AWS4-HMAC-SHA256-PAYLOAD` bodies, built as the S3 documentation defines them
("Signature Calculations for the Authorization Header: Transferring Payload in Multiple Chunks").

Each chunk is `hex(size);chunk-signature=SIG\\r\\n DATA \\r\\n`, the last one empty. A chunk's
signature is HMAC-SHA256(signing key, string to sign) with the string to sign

    AWS4-HMAC-SHA256-PAYLOAD \\n timestamp \\n scope \\n previous signature \\n
    SHA256("") \\n SHA256(chunk data)

where the first previous signature is the seed: the request's own (header) signature.
`test_sigv4_streaming.py` checks this code against the documentation's worked example before
using it, so it is not our server's signer proving our server's verifier.
"""

from __future__ import annotations

import hashlib
import hmac

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


def signing_key(secret: str, date: str, region: str, service: str = "s3") -> bytes:
    key = hmac.new(("AWS4" + secret).encode(), date.encode(), hashlib.sha256).digest()
    for part in (region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return key


def chunk_signature(key: bytes, timestamp: str, scope: str, previous: str, data: bytes) -> str:
    string_to_sign = "\n".join([
        "AWS4-HMAC-SHA256-PAYLOAD", timestamp, scope, previous, EMPTY_SHA256, hashlib.sha256(data).hexdigest(),
    ])
    return hmac.new(key, string_to_sign.encode(), hashlib.sha256).hexdigest()


def chunk_sizes(total: int, chunk_size: int) -> list[int]:
    sizes = [chunk_size] * (total // chunk_size)
    if total % chunk_size:
        sizes.append(total % chunk_size)
    return sizes + [0]


def encoded_length(total: int, chunk_size: int) -> int:
    """The Content-Length of the aws-chunked body for `total` bytes of data."""
    return sum(len(f"{size:x};chunk-signature=") + 64 + 2 + size + 2 for size in chunk_sizes(total, chunk_size))


def signed_chunks(data: bytes, chunk_size: int, *, secret: str, timestamp: str, region: str,
                  seed_signature: str) -> tuple[list[tuple[bytes, str]], bytes]:
    """The chunks with their signatures, and the whole encoded body."""
    key = signing_key(secret, timestamp[:8], region)
    scope = f"{timestamp[:8]}/{region}/s3/aws4_request"
    previous = seed_signature
    chunks: list[tuple[bytes, str]] = []
    body = bytearray()
    offset = 0
    for size in chunk_sizes(len(data), chunk_size):
        piece = data[offset:offset + size]
        offset += size
        signature = chunk_signature(key, timestamp, scope, previous, piece)
        chunks.append((piece, signature))
        body += f"{size:x};chunk-signature={signature}\r\n".encode() + piece + b"\r\n"
        previous = signature
    return chunks, bytes(body)
