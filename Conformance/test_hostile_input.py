"""Hostile input: malformed raw requests sent over plain sockets, each answered as S3 answers it.

Every case is bytes written to a fresh TCP connection (no HTTP client library normalizes them),
with the status and S3 error code AWS gives, and whether the server must close the connection.
The cases cover bad HTTP framing, oversized header sections, Content-Length lies, invalid
UTF-8 and over-long keys, oversized user metadata, invalid bucket names, bodies where none
belong, XML bombs and deep nesting, huge and malformed policies, invalid percent-encoding,
duplicate query parameters, absurd Range headers and bad dates. Where a case names no error
code, S3's own front end answers it (a bare `400 Bad Request` for a request that is not HTTP).

The corpus runs against a private server; after all of it the server must still be healthy:
the process alive, a normal PUT and GET working, and its resident memory and open file
descriptors back near where they started.
"""

from __future__ import annotations

import hashlib
import os
import re
import socket
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable
from urllib.parse import quote

import pytest

from s3conf import unique_name
from s3conf.raw import RawS3, local
from s3conf.server import S3EmuServer, default_binary

pytestmark = pytest.mark.own_server

UNSIGNED = "UNSIGNED-PAYLOAD"
BUCKET = unique_name("hostile")
OBJECT_BODY = b"0123456789"


# ---------------------------------------------------------------------------------------------
# Raw HTTP over a socket
# ---------------------------------------------------------------------------------------------


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes

    def error_code(self) -> str | None:
        if not self.body.lstrip().startswith(b"<"):
            return None
        try:
            root = ET.fromstring(self.body)
        except ET.ParseError:
            return None
        if local(root.tag) != "Error":
            return None
        for child in root:
            if local(child.tag) == "Code":
                return child.text
        return None

    def error_field(self, name: str) -> str | None:
        root = ET.fromstring(self.body)
        for child in root:
            if local(child.tag) == name:
                return child.text
        return None


class Connection:
    """One TCP connection: write raw bytes, read HTTP/1.1 responses, notice the close."""

    def __init__(self, port: int, timeout: float = 15.0) -> None:
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
        self.buffer = b""
        self.timeout = timeout
        self.closed = False

    def send(self, data: bytes, half_close: bool = False) -> None:
        try:
            self.sock.sendall(data)
            if half_close:
                self.sock.shutdown(socket.SHUT_WR)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the server may answer and close before reading everything we send

    def _fill(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no answer within {self.timeout} s; have {self.buffer[:300]!r}")
        self.sock.settimeout(remaining)
        try:
            chunk = self.sock.recv(65536)
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            self.closed = True
            return False
        self.buffer += chunk
        return True

    def response(self, head_request: bool = False) -> Answer | None:
        """The next response, or None when the server closed without one."""
        deadline = time.monotonic() + self.timeout
        while b"\r\n\r\n" not in self.buffer:
            if not self._fill(deadline):
                if self.buffer:
                    raise AssertionError(f"connection closed inside a response head: {self.buffer!r}")
                return None
        head, _, self.buffer = self.buffer.partition(b"\r\n\r\n")
        lines = head.decode("latin-1").split("\r\n")
        parts = lines[0].split(" ", 2)
        assert parts[0] == "HTTP/1.1", lines[0]
        status = int(parts[1])
        headers: dict[str, str] = {}
        for line in lines[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        length = 0
        if not head_request and status not in (204, 304) and status >= 200:
            assert "transfer-encoding" not in headers, headers
            length = int(headers.get("content-length", "0"))
        while len(self.buffer) < length:
            if not self._fill(deadline):
                raise AssertionError(f"connection closed inside a body: {self.buffer!r}")
        body, self.buffer = self.buffer[:length], self.buffer[length:]
        return Answer(status, headers, body)

    def closes(self, within: float = 10.0) -> bool:
        """True when the server closes the connection (after any further bytes) within `within` s."""
        deadline = time.monotonic() + within
        while not self.closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            self.sock.settimeout(remaining)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                return False
            except ConnectionResetError:
                chunk = b""
            if not chunk:
                self.closed = True
            else:
                self.buffer += chunk
        return True

    def close(self) -> None:
        self.sock.close()


# ---------------------------------------------------------------------------------------------
# Building requests
# ---------------------------------------------------------------------------------------------


@dataclass
class Context:
    port: int
    raw: RawS3

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def signed(self, method: str, target: str, headers: dict[str, str] | None = None, body: bytes = b"",
               *, payload_hash: str | None = UNSIGNED, content_length: int | None = None,
               extra: list[tuple[str, str]] | None = None) -> bytes:
        """`method target` signed by botocore (UNSIGNED-PAYLOAD unless told), as raw bytes;
        `extra` header lines are added after signing, unsigned."""
        signed = self.raw.signed_headers(method, target, headers, body, payload_hash=payload_hash)
        lines = [f"{method} {target} HTTP/1.1"]
        lines += [f"{name}: {value}" for name, value in signed.items()]
        has_length = any(name.lower() in ("content-length", "transfer-encoding") for name in signed)
        if not has_length and (body or method in ("PUT", "POST") or content_length is not None):
            lines.append(f"Content-Length: {len(body) if content_length is None else content_length}")
        lines += [f"{name}: {value}" for name, value in extra or []]
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body

    def unsigned(self, method: str, target: str, headers: list[tuple[str, str]] | None = None,
                 body: bytes = b"") -> bytes:
        lines = [f"{method} {target} HTTP/1.1", f"Host: {self.host}"]
        lines += [f"{name}: {value}" for name, value in headers or []]
        if body:
            lines.append(f"Content-Length: {len(body)}")
        return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


@dataclass
class Case:
    """One hostile request and S3's answer to it."""

    name: str
    build: Callable[[Context], bytes]
    status: int
    code: str | None = None
    #: The server must close the connection after answering (it cannot trust what follows).
    closes: bool = False
    #: Shut our side down after sending (a body shorter than its Content-Length, then EOF).
    half_close: bool = False
    head_request: bool = False
    #: Further checks on the answer (and the server), after the status and code.
    check: Callable[[Context, Answer], None] | None = None
    #: A second response expected on the same connection (a pipelined follow-up).
    then_status: int | None = None
    then_code: str | None = None
    marks: list[Any] = field(default_factory=list)


CASES: list[Case] = []


def case(name: str, build: Callable[[Context], bytes], status: int, code: str | None = None, **kw: Any) -> None:
    CASES.append(Case(name, build, status, code, **kw))


def b(ctx: Context) -> str:
    return f"/{BUCKET}"


def obj(key: str = "present") -> str:
    return f"/{BUCKET}/{key}"


def xml_put(target: str, body: bytes, headers: dict[str, str] | None = None) -> Callable[[Context], bytes]:
    def build(ctx: Context) -> bytes:
        hdrs = {"Content-MD5": _md5(body)}
        hdrs.update(headers or {})
        return ctx.signed("PUT", target, hdrs, body)
    return build


def xml_post(target: str, body: bytes) -> Callable[[Context], bytes]:
    return lambda ctx: ctx.signed("POST", target, {"Content-MD5": _md5(body)}, body)


def _md5(body: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.md5(body).digest()).decode()


# --- 1. HTTP framing: not HTTP at all, or HTTP that cannot be parsed safely -------------------
# S3's front end answers these with 400 Bad Request and closes the connection.

def _raw(data: bytes) -> Callable[[Context], bytes]:
    return lambda ctx: data.replace(b"{host}", ctx.host.encode())


FRAMING: list[tuple[str, bytes]] = [
    ("garbage-line", b"GARBAGE\r\n\r\n"),
    ("only-method", b"GET\r\n\r\n"),
    ("no-version", b"GET /\r\nHost: {host}\r\n\r\n"),
    ("version-http-2", b"GET / HTTP/2.0\r\nHost: {host}\r\n\r\n"),
    ("version-http-9", b"GET / HTTP/9.9\r\nHost: {host}\r\n\r\n"),
    ("version-garbage", b"GET / HTTP/x.y\r\nHost: {host}\r\n\r\n"),
    ("version-lowercase", b"GET / http/1.1\r\nHost: {host}\r\n\r\n"),
    ("version-missing-slash", b"GET / HTTP1.1\r\nHost: {host}\r\n\r\n"),
    ("request-line-extra-token", b"GET / HTTP/1.1 extra\r\nHost: {host}\r\n\r\n"),
    ("method-with-at-sign", b"G@T / HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    ("target-with-space", b"GET /a b HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    ("target-with-nul", b"GET /a\x00b HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    ("target-with-del", b"GET /a\x7fb HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    ("target-with-raw-utf8-control", b"GET /a\x01b HTTP/1.1\r\nHost: {host}\r\n\r\n"),
    ("obs-fold-header", b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Folded: a\r\n  b\r\n\r\n"),
    ("obs-fold-first-header", b"GET / HTTP/1.1\r\n folded\r\nHost: {host}\r\n\r\n"),
    ("nul-in-header-value", b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Nul: a\x00b\r\n\r\n"),
    ("nul-in-header-name", b"GET / HTTP/1.1\r\nHost: {host}\r\nX-N\x00ul: a\r\n\r\n"),
    ("cr-in-header-value", b"GET / HTTP/1.1\r\nHost: {host}\r\nX-Cr: a\rb\r\n\r\n"),
    ("space-before-colon", b"GET / HTTP/1.1\r\nHost : {host}\r\n\r\n"),
    ("header-without-colon", b"GET / HTTP/1.1\r\nHost: {host}\r\nNoColonHere\r\n\r\n"),
    ("header-name-with-space", b"GET / HTTP/1.1\r\nHost: {host}\r\nBad Name: x\r\n\r\n"),
    ("header-name-with-slash", b"GET / HTTP/1.1\r\nHost: {host}\r\nBad/Name: x\r\n\r\n"),
    ("empty-header-name", b"GET / HTTP/1.1\r\nHost: {host}\r\n: value\r\n\r\n"),
    ("content-length-and-transfer-encoding",
     b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
    ("content-length-not-a-number", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: abc\r\n\r\n"),
    ("content-length-negative", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: -1\r\n\r\n"),
    ("content-length-two-values", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\nab"),
    ("content-length-list", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1, 2\r\n\r\nab"),
    ("content-length-with-inner-space", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: 1 2\r\n\r\n"),
    ("content-length-overflow", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: 99999999999999999999999\r\n\r\n"),
    ("content-length-hex", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nContent-Length: 0x10\r\n\r\n"),
    ("transfer-encoding-chunked-not-last", b"PUT /x/y HTTP/1.1\r\nHost: {host}\r\nTransfer-Encoding: chunked, gzip\r\n\r\n0\r\n\r\n"),
    ("lf-only-line-endings-with-cr-in-name", b"GET / HTTP/1.1\nHost: {host}\nX\rY: z\n\n"),
    ("binary-noise", bytes(range(256)) * 4),
    ("tls-client-hello-on-http-port", b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + b"\x00" * 64),
    ("http2-preface", b"PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n"),
]
for _name, _data in FRAMING:
    case(f"framing/{_name}", _raw(_data), 400, None, closes=True)

# Broken chunked framing inside a body the server reads (PutObjectTagging): the body ends
# where its framing breaks, so it is incomplete, and nothing after it can be trusted.
BAD_CHUNKS = {
    "chunk-size-not-hex": b"zz\r\nhello\r\n0\r\n\r\n",
    "chunk-size-negative": b"-5\r\nhello\r\n0\r\n\r\n",
    "chunk-size-overflow": b"ffffffffffffffffffffff\r\nhello\r\n0\r\n\r\n",
    "chunk-missing-crlf": b"5\r\nhelloXX0\r\n\r\n",
    "chunk-size-with-space-inside": b"5 5\r\nhello\r\n0\r\n\r\n",
    "chunk-extension-garbage": b"5;\x00\r\nhello\r\n0\r\n\r\n",
}
for _name, _chunks in BAD_CHUNKS.items():
    case(f"framing/{_name}",
         lambda ctx, c=_chunks: ctx.signed("PUT", obj() + "?tagging", {"Transfer-Encoding": "chunked"}) + c,
         400, "IncompleteBody", closes=True)
# S3 takes no transfer coding on an object body but aws-chunked's own framing.
case("framing/transfer-encoding-gzip-on-put-object",
     lambda ctx: ctx.signed("PUT", obj("gzip"), {"Transfer-Encoding": "gzip"}) + b"hello",
     501, "NotImplemented", closes=True, check=lambda ctx, a: _expect_field(a, "Header", "Transfer-Encoding"))
case("framing/transfer-encoding-chunked-on-put-object",
     lambda ctx: ctx.signed("PUT", obj("chunked"), {"Transfer-Encoding": "chunked"}) + b"5\r\nhello\r\n0\r\n\r\n",
     501, "NotImplemented", check=lambda ctx, a: _expect_field(a, "Header", "Transfer-Encoding"))


# --- 2. Header sections: S3 reads at most 8 KiB of request header ----------------------------

def _big_headers(total: int, single: bool) -> Callable[[Context], bytes]:
    def build(ctx: Context) -> bytes:
        if single:
            extra = [("X-Padding", "p" * total)]
        else:
            extra = [(f"X-Padding-{i:04d}", "p" * 90) for i in range(total // 100)]
        return ctx.signed("GET", obj(), extra=extra)
    return build


for _size in (9 * 1024, 16 * 1024, 60 * 1024):
    for _single in (True, False):
        case(f"header-section/{'one' if _single else 'many'}-headers-{_size // 1024}KiB",
             _big_headers(_size, _single), 400, "RequestHeaderSectionTooLarge",
             check=lambda ctx, a: _expect_field(a, "MaxSizeAllowed", "8192"))
# Past what the HTTP decoder buffers at all: answered before any S3 processing, connection closed.
for _size in (100 * 1024, 1024 * 1024):
    for _single in (True, False):
        case(f"header-section/{'one' if _single else 'many'}-headers-{_size // 1024}KiB-too-big-to-read",
             _big_headers(_size, _single), 400, None, closes=True)
case("header-section/2000-tiny-headers",
     lambda ctx: ctx.signed("GET", obj(), extra=[(f"X-{i}", "") for i in range(2000)]), 400, None, closes=True)


def _expect_field(answer: Answer, name: str, value: str) -> None:
    assert answer.error_field(name) == value, answer.body


# --- 3. Content-Length lies ------------------------------------------------------------------


def _short_body(key: str, declared: int, sent: bytes) -> Callable[[Context], bytes]:
    return lambda ctx: ctx.signed("PUT", obj(key), body=sent, content_length=declared)


for _declared, _sent in ((10, b"12345"), (1000, b"x"), (1, b""), (65536, b"y" * 65535)):
    case(f"content-length/shorter-body-{_declared}-declared-{len(_sent)}-sent",
         _short_body(f"short-{_declared}", _declared, _sent), 400, "IncompleteBody", half_close=True,
         check=lambda ctx, a, key=f"short-{_declared}": _expect_absent(ctx, key))


def _longer_body(key: str, follow: bytes) -> Callable[[Context], bytes]:
    return lambda ctx: ctx.signed("PUT", obj(key), body=b"exact", content_length=5) + follow


case("content-length/longer-body-garbage-follows", _longer_body("long-1", b"GARBAGE TRAILING BYTES\r\n\r\n"),
     200, then_status=400, closes=True, check=lambda ctx, a: _expect_object(ctx, "long-1", b"exact"))
case("content-length/longer-body-smuggled-request-follows",
     lambda ctx: _longer_body("long-2", b"")(ctx) + ctx.signed("GET", obj("long-2")),
     200, then_status=200, check=lambda ctx, a: _expect_object(ctx, "long-2", b"exact"))
case("content-length/longer-body-smuggled-delete-is-a-separate-unsigned-request",
     lambda ctx: _longer_body("long-3", b"")(ctx) + ctx.unsigned("DELETE", obj("long-3")),
     200, then_status=403, then_code="AccessDenied", check=lambda ctx, a: _expect_object(ctx, "long-3", b"exact"))
case("content-length/zero-with-body-on-put",
     lambda ctx: ctx.signed("PUT", obj("zero-len"), body=b"", content_length=0) + b"NOT A REQUEST\r\n\r\n",
     200, then_status=400, closes=True, check=lambda ctx, a: _expect_object(ctx, "zero-len", b""))
case("content-length/missing-on-put",
     lambda ctx: ctx.signed("PUT", obj("no-len"), body=b"").replace(b"Content-Length: 0\r\n", b""),
     411, "MissingContentLength")


def _expect_absent(ctx: Context, key: str) -> None:
    response = ctx.raw.request("GET", obj(key))
    assert response.status == 404, response


def _expect_object(ctx: Context, key: str, body: bytes) -> None:
    response = ctx.raw.request("GET", obj(key))
    assert (response.status, response.body) == (200, body), response


# --- 4. Keys -----------------------------------------------------------------------------------

for _length in (1025, 1100, 4096, 65000):
    case(f"key/too-long-{_length}-bytes", lambda ctx, n=_length: ctx.signed("PUT", obj("k" * n), body=b"x"),
         400, "KeyTooLongError", check=lambda ctx, a, n=_length: _expect_field(a, "Size", str(n)))
case("key/too-long-multibyte-1026-bytes",
     lambda ctx: ctx.signed("PUT", obj(quote("é" * 513)), body=b"x"), 400, "KeyTooLongError")
case("key/exactly-1024-bytes-is-fine", lambda ctx: ctx.signed("PUT", obj("k" * 1024), body=b"x"), 200)

INVALID_UTF8_PATHS = {
    "lone-continuation": "%80",
    "ff-byte": "%FF",
    "fe-byte": "%FE",
    "overlong-slash": "%C0%AF",
    "overlong-nul": "%C0%80",
    "surrogate-half": "%ED%A0%80",
    "truncated-two-byte": "%C3",
    "truncated-three-byte": "%E2%82",
    "truncated-four-byte": "%F0%9F%98",
    "beyond-unicode": "%F4%90%80%80",
    "five-byte-form": "%F8%88%80%80%80",
    "latin1-e-acute": "caf%E9",
}
for _name, _encoded in INVALID_UTF8_PATHS.items():
    case(f"key/invalid-utf8-{_name}-put", lambda ctx, e=_encoded: ctx.signed("PUT", obj("bad-" + e), body=b"x"),
         400, "InvalidURI")
    case(f"key/invalid-utf8-{_name}-get", lambda ctx, e=_encoded: ctx.signed("GET", obj("bad-" + e)), 400, "InvalidURI")

INVALID_PERCENT = {"lone-percent": "%", "one-digit": "%4", "non-hex": "%zz", "g-digit": "%G0", "double-percent": "%%41",
                   "percent-space": "%%20x", "trailing-percent": "abc%", "half-at-end": "abc%2"}
for _name, _encoded in INVALID_PERCENT.items():
    case(f"percent-encoding/key-{_name}", lambda ctx, e=_encoded: ctx.signed("GET", obj("p" + e)), 400, "InvalidURI")
    case(f"percent-encoding/bucket-{_name}",
         lambda ctx, e=_encoded: ctx.signed("GET", f"/{BUCKET}{e}/key"), 400, "InvalidURI")

# Keys that look like paths, NULs and control characters are keys: stored and read back as sent.
STRANGE_KEYS = {
    "dotdot-etc-passwd": "../../../../etc/passwd",
    "percent-encoded-dotdot-text": "%2e%2e/%2e%2e/etc/passwd",
    "dotdot-with-slashes-in-one-segment": "..%2f..%2fetc%2fpasswd",
    "backslash-dotdot": "..\\..\\windows\\system32",
    "nul-inside": "a\x00b",
    "nul-only": "\x00",
    "control-chars": "\x01\x02\x1f\x7f",
    "newline-crlf": "line\r\nbreak",
    "sql-quote": "'; DROP TABLE objects;--",
    "sql-like-wildcards": "%_%",
    "dot-only": ".",
    "blob-dir-lookalike": "blobs/00/00000000000000000000000000000000",
    "unicode-rtl": "\u202etxt.exe",
    "bom": "\ufeffbom",
}
for _name, _key in STRANGE_KEYS.items():
    _path = obj("strange/" + quote(_key, safe="/~"))

    def _check(ctx: Context, a: Answer, path: str = _path, key: str = _key) -> None:
        got = ctx.raw.request("GET", path)
        assert (got.status, got.body) == (200, ("body of " + key).encode()), got
    case(f"key/stays-a-key-{_name}",
         lambda ctx, p=_path, k=_key: ctx.signed("PUT", p, body=("body of " + k).encode()), 200, check=_check)


# --- 5. User metadata: at most 2 KB, names and values counted in UTF-8 -------------------------

def _metadata(pairs: list[tuple[str, str]], key: str = "meta") -> Callable[[Context], bytes]:
    return lambda ctx: ctx.signed("PUT", obj(key), {f"x-amz-meta-{n}": v for n, v in pairs}, b"m")


case("metadata/one-value-3KiB", _metadata([("big", "v" * 3072)]), 400, "MetadataTooLarge")
case("metadata/many-values-3KiB", _metadata([(f"k{i:02d}", "v" * 100) for i in range(30)]), 400, "MetadataTooLarge")
case("metadata/just-over-2KiB", _metadata([("a", "v" * 2048)]), 400, "MetadataTooLarge")
case("metadata/just-under-2KiB-is-fine", _metadata([("a", "v" * 2046)], key="meta-ok"), 200)
case("metadata/long-name", _metadata([("n" * 2100, "v")]), 400, "MetadataTooLarge")
case("metadata/many-empty-values", _metadata([(f"empty-{i:02d}-" + "n" * 45, "") for i in range(40)]), 400, "MetadataTooLarge")


def _raw_metadata(value: bytes, key: str) -> Callable[[Context], bytes]:
    def build(ctx: Context) -> bytes:
        request = ctx.signed("PUT", obj(key), {"x-amz-meta-raw": "PLACEHOLDER"}, b"m")
        return request.replace(b"PLACEHOLDER", value)
    return build


# Every x-amz-* header must be signed; an unsigned one is refused and named.
case("metadata/unsigned-x-amz-meta-header",
     lambda ctx: ctx.signed("PUT", obj("meta-unsigned"), {}, b"m", extra=[("x-amz-meta-sneaky", "v")]),
     403, "AccessDenied", check=lambda ctx, a: _expect_field(a, "HeadersNotSigned", "x-amz-meta-sneaky"))
case("metadata/control-character-in-header-value",
     lambda ctx: ctx.signed("PUT", obj("meta-control"), {}, b"m", extra=[("Cache-Control", "a\x01b")]), 400, None, closes=True)
# Bytes that are not UTF-8 in a signed header break the signature: S3 refuses it as unsigned bytes.
for _name, _value in {"ff": b"\xff\xfe", "overlong": b"\xc0\xaf", "truncated": b"\xe2\x82", "surrogate": b"\xed\xa0\x80"}.items():
    case(f"metadata/invalid-utf8-{_name}", _raw_metadata(_value, f"meta-{_name}"), 403, "SignatureDoesNotMatch")


# --- 6. Bucket names ---------------------------------------------------------------------------

INVALID_BUCKETS = [
    "ab", "a", "x" * 64, "UpperCase", "under_score", "-leading-dash", "trailing-dash-", ".leading-dot",
    "trailing-dot.", "double..dot", "192.168.5.4", "10.0.0.1", "xn--punycode", "sthree-prefix",
    "sthree-configurator", "amzn-s3-demo-bucket", "ends-s3alias", "ends--ol-s3", "ends.mrap", "ends--x-s3",
    "ends--table-s3", "spa%20ce", "at%40sign", "exclaim%21", "unicode-%C3%A9",
    "tab%09name", "star%2A", "colon%3Aname",
]
for _bucket in INVALID_BUCKETS:
    case(f"bucket-name/create-{_bucket}", lambda ctx, n=_bucket: ctx.signed("PUT", f"/{n}"), 400, "InvalidBucketName")


# --- 7. XML bodies: bombs, entities, nesting, broken documents ---------------------------------

BILLION_LAUGHS = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                  + b"".join(b'<!ENTITY lol%d "%s">' % (i, (b"&lol%d;" % (i - 1) if i > 1 else b"&lol;") * 10) for i in range(1, 10))
                  + b']><Tagging><TagSet><Tag><Key>k</Key><Value>&lol9;</Value></Tag></TagSet></Tagging>')
EXTERNAL_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
                   b"<Tagging><TagSet><Tag><Key>k</Key><Value>&xxe;</Value></Tag></TagSet></Tagging>")
PARAMETER_ENTITY = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY % p SYSTEM "http://127.0.0.1:1/evil.dtd"> %p;]>'
                    b"<Tagging><TagSet/></Tagging>")
QUADRATIC_BLOWUP = (b'<?xml version="1.0"?><!DOCTYPE t [<!ENTITY a "' + b"a" * 50000 + b'">]><Tagging><TagSet><Tag><Key>k</Key><Value>'
                    + b"&a;" * 1000 + b"</Value></Tag></TagSet></Tagging>")
DEEP = b"<Tagging>" + b"<a>" * 5000 + b"</a>" * 5000 + b"</Tagging>"
DEEP_UNCLOSED = b"<Tagging>" + b"<a>" * 9000
XML_BODIES = {
    "billion-laughs": BILLION_LAUGHS,
    "external-entity": EXTERNAL_ENTITY,
    "parameter-entity": PARAMETER_ENTITY,
    "quadratic-blowup": QUADRATIC_BLOWUP,
    "deep-nesting-5000": DEEP,
    "deep-unclosed-9000": DEEP_UNCLOSED,
    "not-xml": b"this is not xml",
    "empty-element-soup": b"<<<<>>>>",
    "unclosed-root": b"<Tagging><TagSet>",
    "mismatched-tags": b"<Tagging><TagSet></Tagging></TagSet>",
    "two-roots": b"<Tagging><TagSet/></Tagging><Tagging><TagSet/></Tagging>",
    "invalid-utf8": b"<Tagging><TagSet><Tag><Key>\xff\xfe</Key><Value>v</Value></Tag></TagSet></Tagging>",
    "nul-byte": b"<Tagging><TagSet><Tag><Key>a\x00b</Key><Value>v</Value></Tag></TagSet></Tagging>",
    "undefined-entity": b"<Tagging><TagSet><Tag><Key>&nope;</Key><Value>v</Value></Tag></TagSet></Tagging>",
    "huge-char-reference": b"<Tagging><TagSet><Tag><Key>&#99999999999;</Key><Value>v</Value></Tag></TagSet></Tagging>",
    "char-reference-to-nul": b"<Tagging><TagSet><Tag><Key>&#0;</Key><Value>v</Value></Tag></TagSet></Tagging>",
    "unterminated-comment": b"<Tagging><!-- never ends",
    "unterminated-cdata": b"<Tagging><![CDATA[ never ends",
    "processing-instruction-only": b'<?xml version="1.0"?>',
    "duplicate-attributes": b'<Tagging a="1" a="2"><TagSet/></Tagging>',
    "wrong-root": b"<Delete><Object><Key>k</Key></Object></Delete>",
}
for _name, _body in XML_BODIES.items():
    case(f"xml/put-object-tagging-{_name}", xml_put(obj() + "?tagging", _body), 400, "MalformedXML")
# Many attributes are well-formed XML, parsed in linear time and ignored.
case("xml/put-object-tagging-5000-attributes",
     xml_put(obj() + "?tagging", b"<Tagging " + b" ".join(b'a%d="x"' % i for i in range(5000)) + b"><TagSet/></Tagging>"), 200)

# A body past what the operation reads at all (64 KiB for tagging) is refused by its size.
case("xml/put-object-tagging-deep-nesting-100000-over-the-size-limit",
     xml_put(obj() + "?tagging", b"<Tagging>" + b"<a>" * 100000 + b"</a>" * 100000 + b"</Tagging>"),
     400, "MaxMessageLengthExceeded", check=lambda ctx, a: _expect_field(a, "MaxMessageLengthBytes", "65536"))

for _name in ("billion-laughs", "external-entity", "deep-nesting-5000", "not-xml", "unclosed-root", "invalid-utf8"):
    _doc = XML_BODIES[_name]
    _doc_cors = _doc.replace(b"Tagging", b"CORSConfiguration")
    _doc_delete = _doc.replace(b"Tagging", b"Delete")
    _doc_complete = _doc.replace(b"Tagging", b"CompleteMultipartUpload")
    _doc_create = _doc.replace(b"Tagging", b"CreateBucketConfiguration")
    _doc_pab = _doc.replace(b"Tagging", b"PublicAccessBlockConfiguration")
    _doc_own = _doc.replace(b"Tagging", b"OwnershipControls")
    _doc_acl = _doc.replace(b"Tagging", b"AccessControlPolicy")
    case(f"xml/put-bucket-cors-{_name}", xml_put(f"/{BUCKET}?cors", _doc_cors), 400, "MalformedXML")
    case(f"xml/delete-objects-{_name}", xml_post(f"/{BUCKET}?delete", _doc_delete), 400, "MalformedXML")
    case(f"xml/complete-multipart-upload-{_name}",
         lambda ctx, d=_doc_complete: xml_post(obj("mpu") + f"?uploadId={ctx_upload_id(ctx)}", d)(ctx), 400, "MalformedXML")
    case(f"xml/create-bucket-configuration-{_name}",
         lambda ctx, d=_doc_create: ctx.signed("PUT", f"/{unique_name('xmlbomb')}", {}, d), 400, "MalformedXML")
    case(f"xml/put-public-access-block-{_name}", xml_put(f"/{BUCKET}?publicAccessBlock", _doc_pab), 400, "MalformedXML")
    case(f"xml/put-bucket-ownership-controls-{_name}", xml_put(f"/{BUCKET}?ownershipControls", _doc_own), 400, "MalformedXML")
    # A document that is not well-formed XML is MalformedXML; a well-formed one that is not an
    # AccessControlPolicy is MalformedACLError.
    case(f"xml/put-object-acl-{_name}", xml_put(obj() + "?acl", _doc_acl), 400, "MalformedXML")
case("xml/put-object-acl-wrong-root", xml_put(obj() + "?acl", b"<Tagging><TagSet/></Tagging>"), 400, "MalformedACLError")

_UPLOAD_IDS: dict[int, str] = {}


def ctx_upload_id(ctx: Context) -> str:
    """The id of one upload in progress on `mpu` (created on first use)."""
    if ctx.port not in _UPLOAD_IDS:
        response = ctx.raw.request("POST", obj("mpu") + "?uploads")
        assert response.status == 200, response
        _UPLOAD_IDS[ctx.port] = next(e.text for e in response.xml() if local(e.tag) == "UploadId")
    return _UPLOAD_IDS[ctx.port]


# --- 8. Bucket policies ------------------------------------------------------------------------

def _policy(body: bytes) -> Callable[[Context], bytes]:
    return lambda ctx: ctx.signed("PUT", f"/{BUCKET}?policy", {}, body)


_BIG_STATEMENT = (b'{"Sid":"S%05d","Effect":"Allow","Principal":"*","Action":"s3:GetObject","Resource":"arn:aws:s3:::'
                  + BUCKET.encode() + b'/p%05d/*"}')
_BIG_POLICY = (b'{"Version":"2012-10-17","Statement":['
               + b",".join(_BIG_STATEMENT % (i, i) for i in range(200)) + b"]}")
assert len(_BIG_POLICY) > 20 * 1024
case("policy/over-20KiB", _policy(_BIG_POLICY), 400, "PolicyTooLarge")
_PRETTY_STATEMENT = ('\n        {\n            "Sid": "Own%03d",\n            "Effect": "Allow",\n'
                    '            "Principal": {"AWS": "arn:aws:iam::123456789012:root"},\n'
                    '            "Action": "s3:GetObject",\n'
                    '            "Resource": "arn:aws:s3:::' + BUCKET + '/own%03d/*"\n        }')
_PRETTY_POLICY = ('{\n    "Version": "2012-10-17",\n    "Statement": ['
                  + ",".join(_PRETTY_STATEMENT % (i, i) for i in range(90)) + "\n    ]\n}\n").encode()
assert len(_PRETTY_POLICY) > 20 * 1024 and len(b"".join(_PRETTY_POLICY.split())) < 20 * 1024
# S3 measures a policy without the whitespace between its tokens.
case("policy/pretty-printed-over-20KiB-with-whitespace-is-accepted", _policy(_PRETTY_POLICY), 204)
case("policy/1MiB", _policy(b'{"Version":"2012-10-17","Statement":[' + b" " * (1 << 20) + b"]}"), 400, "PolicyTooLarge")
case("policy/deeply-nested-arrays", _policy(b'{"Version":"2012-10-17","Statement":' + b"[" * 5000 + b"]" * 5000 + b"}"),
     400, "MalformedPolicy")
case("policy/deeply-nested-objects",
     _policy(b'{"Version":"2012-10-17","Statement":' + b'{"a":' * 3000 + b"1" + b"}" * 3000 + b"}"), 400, "MalformedPolicy")
case("policy/not-json", _policy(b"<Policy/>"), 400, "MalformedPolicy")
case("policy/truncated-json", _policy(b'{"Version":"2012-10-17","Statement":[{"Effect":'), 400, "MalformedPolicy")
case("policy/invalid-utf8", _policy(b'{"Version":"2012-10-17","Statement":[{"Sid":"\xff"}]}'), 400, "MalformedPolicy")
case("policy/nul-byte", _policy(b'{"Version":"2012-10-17",\x00"Statement":[]}'), 400, "MalformedPolicy")
case("policy/huge-number", _policy(b'{"Version":"2012-10-17","Statement":[],"X":1' + b"0" * 5000 + b"}"), 400, "MalformedPolicy")


# --- 9. Query strings --------------------------------------------------------------------------

case("query/duplicate-list-type", lambda ctx: ctx.signed("GET", f"/{BUCKET}?list-type=2&list-type=2"), 200)
case("query/duplicate-max-keys", lambda ctx: ctx.signed("GET", f"/{BUCKET}?max-keys=1&max-keys=2"), 200)
case("query/duplicate-prefix", lambda ctx: ctx.signed("GET", f"/{BUCKET}?prefix=a&prefix=b"), 200)
case("query/max-keys-not-a-number", lambda ctx: ctx.signed("GET", f"/{BUCKET}?max-keys=lots"), 400, "InvalidArgument")
case("query/max-keys-negative", lambda ctx: ctx.signed("GET", f"/{BUCKET}?max-keys=-1"), 400, "InvalidArgument")
case("query/max-keys-overflow", lambda ctx: ctx.signed("GET", f"/{BUCKET}?max-keys=99999999999999999999"), 400, "InvalidArgument")
case("query/part-number-zero", lambda ctx: ctx.signed("GET", obj() + "?partNumber=0"), 400, "InvalidArgument")
case("query/part-number-huge", lambda ctx: ctx.signed("GET", obj() + "?partNumber=99999999999"), 400, "InvalidArgument")
case("query/upload-id-garbage", lambda ctx: ctx.signed("GET", obj("mpu") + "?uploadId=..%2F..%2Fetc"), 404, "NoSuchUpload")
case("query/upload-id-sql", lambda ctx: ctx.signed("GET", obj("mpu") + "?uploadId=%27%20OR%201%3D1--"), 404, "NoSuchUpload")
case("query/invalid-percent-in-value", lambda ctx: ctx.signed("GET", f"/{BUCKET}?prefix=%zz"), 400, "InvalidArgument")
case("query/continuation-token-garbage",
     lambda ctx: ctx.signed("GET", f"/{BUCKET}?list-type=2&continuation-token=%FF%FE%00"), 400, "InvalidArgument")


# --- 10. Range and conditional headers --------------------------------------------------------
# An invalid Range is ignored (the whole object, 200); a syntactically valid one that starts
# past the end is 416 InvalidRange.

def _get(headers: dict[str, str]) -> Callable[[Context], bytes]:
    return lambda ctx: ctx.signed("GET", obj(), headers)


for _range in ("bytes=5-1", "bytes=abc", "bytes=", "bytes=-", "bytes=0-1,3-4", "items=0-1", "bytes=0-1-2",
               "bytes==0-1", "bytes=--1", "bytes=1-2-", "bytes= 0-1x", "bytes=0x1-2"):
    case(f"range/ignored-{_range[:40]}", _get({"Range": _range}), 200,
         check=lambda ctx, a: _expect_body(a, OBJECT_BODY))
for _range in ("bytes=10-", "bytes=100-200", "bytes=10-10", "bytes=99999999999999999999999-",
               "bytes=1" + "0" * 400 + "-"):
    case(f"range/unsatisfiable-{_range}", _get({"Range": _range}), 416, "InvalidRange")
# A suffix longer than the object, or a last byte past its end, is the whole object.
for _range in ("bytes=-1000", "bytes=-99999999999999999999999", "bytes=0-" + "9" * 400):
    case(f"range/whole-object-{_range[:40]}", _get({"Range": _range}), 206, check=lambda ctx, a: _expect_body(a, OBJECT_BODY))


def _expect_body(answer: Answer, body: bytes) -> None:
    assert answer.body == body, answer.body


for _name, _value in {"garbage": "yesterday", "year-zero": "Sat, 00 Jan 0000 00:00:00 GMT", "overflow": "9" * 300,
                      "nul-free-control": "Mon, 32 Foo 2020 25:61:61 GMT"}.items():
    case(f"dates/if-modified-since-{_name}-is-ignored", _get({"If-Modified-Since": _value}), 200)
    case(f"dates/if-unmodified-since-{_name}-is-ignored", _get({"If-Unmodified-Since": _value}), 200)
case("dates/x-amz-date-garbage", lambda ctx: ctx.signed("GET", obj()).replace(b"X-Amz-Date: ", b"X-Amz-Date: X"),
     403, "AccessDenied")
# The credential scope's date must be the X-Amz-Date's day.
case("dates/x-amz-date-absurd-year",
     lambda ctx: _replace_amz_date(ctx.signed("GET", obj()), b"99991231T235959Z"), 400, "AuthorizationHeaderMalformed")


def _replace_amz_date(request: bytes, value: bytes) -> bytes:
    start = request.index(b"X-Amz-Date: ") + len(b"X-Amz-Date: ")
    end = request.index(b"\r\n", start)
    return request[:start] + value + request[end:]


# --- 11. Bodies where none belong, odd methods --------------------------------------------------

case("body-on-get/get-object-with-body-and-pipelined-get",
     lambda ctx: ctx.signed("GET", obj(), {}, b"unexpected body", payload_hash=UNSIGNED) + ctx.signed("GET", obj()),
     200, then_status=200, check=lambda ctx, a: _expect_body(a, OBJECT_BODY))
case("body-on-get/list-buckets-with-body", lambda ctx: ctx.signed("GET", "/", {}, b"x" * 1000), 200)
case("body-on-get/head-object-with-body", lambda ctx: ctx.signed("HEAD", obj(), {}, b"x" * 100), 200, head_request=True)
case("body-on-get/delete-object-with-chunked-body",
     lambda ctx: ctx.signed("DELETE", obj("never-existed"), {"Transfer-Encoding": "chunked"})
     + b"5\r\nhello\r\n0\r\n\r\n", 204)
# A method the HTTP parser does not know is not HTTP: 400 and the connection closed.
case("method/unknown-method-on-object", lambda ctx: ctx.signed("BREW", obj()), 400, None, closes=True)
case("method/patch-on-object", lambda ctx: ctx.signed("PATCH", obj(), {}, b"x"), 405, "MethodNotAllowed")
case("method/trace-on-bucket", lambda ctx: ctx.signed("TRACE", f"/{BUCKET}"), 405, "MethodNotAllowed")
case("method/connect-on-service", lambda ctx: ctx.unsigned("CONNECT", "127.0.0.1:80"), 400, None, closes=True)
# The absolute form is HTTP/1.1: its path addresses the bucket, unsigned here, so refused.
case("target/absolute-form", lambda ctx: ctx.unsigned("GET", "http://evil.example/" + BUCKET), 403, "AccessDenied")
# A request target longer than the HTTP decoder reads: refused before any S3 processing.
case("target/100KiB-path", lambda ctx: ctx.unsigned("GET", obj("k" * 100000)), 400, None, closes=True)
case("target/100KiB-query", lambda ctx: ctx.unsigned("GET", f"/{BUCKET}?prefix=" + "a" * 100000), 400, None, closes=True)
case("target/asterisk", lambda ctx: ctx.unsigned("GET", "*"), 400, "InvalidURI")


# ---------------------------------------------------------------------------------------------
# The server and the run
# ---------------------------------------------------------------------------------------------


def _resources(pid: int) -> tuple[int, int]:
    """(resident KiB, open file descriptors) of a process."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1])
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


@pytest.fixture(scope="module")
def hostile(target: Any, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """A private server with one bucket holding `present`; its resources measured at the start."""
    if not target.is_own_server:
        pytest.skip("sends malformed bytes to its own s3emu (S3_ENDPOINT is set)")
    root = tmp_path_factory.mktemp("hostile")
    server = S3EmuServer(default_binary(), root / "data", root / "logs", name="hostile")
    server.start(timeout=30)
    raw = RawS3(server.endpoint or "", "test", "test", "us-east-1")
    assert raw.request("PUT", f"/{BUCKET}").status == 200
    assert raw.request("PUT", obj(), {}, OBJECT_BODY).status == 200
    ctx = Context(server.port, raw)
    # Warm up, then measure: the first requests allocate pools the rest reuse.
    for _ in range(50):
        assert raw.request("GET", obj()).status == 200
    start = _resources(server.pid or 0)
    yield server, ctx, start
    code = server.stop(timeout=10)
    assert code == 0, server.diagnostics()


def test_the_corpus_has_at_least_200_cases() -> None:
    assert len(CASES) >= 200, len(CASES)
    assert len({c.name for c in CASES}) == len(CASES), "case names are unique"


@pytest.mark.parametrize("hostile_case", [pytest.param(c, id=c.name, marks=c.marks) for c in CASES])
def test_hostile_request_gets_the_s3_answer(hostile, hostile_case: Case) -> None:  # type: ignore[no-untyped-def]
    server, ctx, _ = hostile
    connection = Connection(ctx.port)
    try:
        connection.send(hostile_case.build(ctx), half_close=hostile_case.half_close)
        answer = connection.response(head_request=hostile_case.head_request)
        assert answer is not None, "the server closed the connection without an answer"
        assert answer.status != 500, answer
        got = (answer.status, answer.error_code() if hostile_case.code else None)
        assert got == (hostile_case.status, hostile_case.code), f"{answer.status} {answer.body[:600]!r}"
        if hostile_case.code:
            assert answer.headers.get("x-amz-request-id"), answer.headers
        if hostile_case.then_status is not None:
            follow = connection.response()
            assert follow is not None, "no answer to the pipelined request"
            assert follow.status == hostile_case.then_status, follow
            if hostile_case.then_code:
                assert follow.error_code() == hostile_case.then_code, follow
        if hostile_case.closes:
            assert connection.closes(), "the server kept a connection it cannot trust"
            assert connection.buffer == b"", f"bytes after the answer: {connection.buffer[:300]!r}"
        if hostile_case.check:
            hostile_case.check(ctx, answer)
    finally:
        connection.close()
    assert server.is_running(), server.diagnostics()


def test_server_is_healthy_after_the_corpus(hostile) -> None:  # type: ignore[no-untyped-def]
    server, ctx, (rss_before, fds_before) = hostile
    assert server.is_running(), server.diagnostics()
    put = ctx.raw.request("PUT", obj("after-the-corpus"), {}, b"still here")
    assert put.status == 200, put
    got = ctx.raw.request("GET", obj("after-the-corpus"))
    assert (got.status, got.body) == (200, b"still here"), got
    listed = ctx.raw.request("GET", f"/{BUCKET}?list-type=2")
    assert listed.status == 200, listed
    # Keys never became paths: the data directory holds the database and hex-named blobs only.

    blob_name = re.compile(r"^blobs/[0-9a-f]{2}/[0-9a-f]{32}(\.parts)?$")
    for path in sorted(server.data_dir.rglob("*")):
        relative = path.relative_to(server.data_dir).as_posix()
        if path.is_dir():
            assert relative in ("blobs", "tmp") or re.fullmatch(r"blobs/[0-9a-f]{2}", relative), relative
        else:
            assert relative.startswith("metadata.sqlite") or blob_name.match(relative) or relative.startswith("tmp/"), relative
    deadline = time.monotonic() + 10
    while True:  # closed connections are released asynchronously
        rss, fds = _resources(server.pid or 0)
        if fds <= fds_before + 4 or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert fds <= fds_before + 4, f"file descriptors: {fds_before} before the corpus, {fds} after"
    assert rss <= rss_before + 128 * 1024, f"resident memory: {rss_before} KiB before the corpus, {rss} KiB after"
