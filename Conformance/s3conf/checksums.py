"""The S3 checksum algorithms, computed independently of the server (base64 of big-endian bytes).

CRC32C and CRC64NVME use awscrt when it is installed and a small table-driven
implementation otherwise; `test_checksums.py` cross-checks the two.
"""

from __future__ import annotations

import base64
import hashlib
import zlib


def _table(poly: int, width: int) -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ poly if crc & 1 else crc >> 1
        table.append(crc & ((1 << width) - 1))
    return table


_CRC32C_TABLE = _table(0x82F63B78, 32)
_CRC64NVME_TABLE = _table(0x9A6C9329AC4BC9B5, 64)


def crc32c_pure(data: bytes) -> int:
    crc = 0xFFFFFFFF
    table = _CRC32C_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def crc64nvme_pure(data: bytes) -> int:
    crc = 0xFFFFFFFFFFFFFFFF
    table = _CRC64NVME_TABLE
    for b in data:
        crc = table[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFFFFFFFFFF


try:  # pragma: no cover - depends on the environment
    from awscrt import checksums as _crt

    def crc32c(data: bytes) -> int:
        return _crt.crc32c(data)

    def crc64nvme(data: bytes) -> int:
        return _crt.crc64nvme(data)

    HAVE_AWSCRT = True
except Exception:  # noqa: BLE001
    crc32c = crc32c_pure
    crc64nvme = crc64nvme_pure
    HAVE_AWSCRT = False


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def checksum_b64(algorithm: str, data: bytes) -> str:
    """The value S3 puts in `x-amz-checksum-<algorithm>` for `data`."""
    algorithm = algorithm.lower()
    if algorithm == "crc32":
        return b64((zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "big"))
    if algorithm == "crc32c":
        return b64(crc32c(data).to_bytes(4, "big"))
    if algorithm == "crc64nvme":
        return b64(crc64nvme(data).to_bytes(8, "big"))
    if algorithm == "sha1":
        return b64(hashlib.sha1(data).digest())
    if algorithm == "sha256":
        return b64(hashlib.sha256(data).digest())
    raise ValueError(f"unknown checksum algorithm {algorithm!r}")


def content_md5(data: bytes) -> str:
    return b64(hashlib.md5(data).digest())


def etag(data: bytes) -> str:
    return '"' + hashlib.md5(data).hexdigest() + '"'


ALGORITHMS = ("CRC32", "CRC32C", "CRC64NVME", "SHA1", "SHA256")


def aws_chunked(data: bytes, chunk_size: int, trailer_name: str | None, trailer_value: str | None) -> bytes:
    """An unsigned aws-chunked body (STREAMING-UNSIGNED-PAYLOAD-TRAILER), as the SDKs write it:

    hex(size) CRLF data CRLF ... 0 CRLF [name:value CRLF] CRLF
    """
    out = bytearray()
    for start in range(0, len(data), chunk_size):
        chunk = data[start:start + chunk_size]
        out += f"{len(chunk):x}\r\n".encode() + chunk + b"\r\n"
    out += b"0\r\n"
    if trailer_name is not None:
        out += f"{trailer_name}:{trailer_value}\r\n".encode()
    out += b"\r\n"
    return bytes(out)
