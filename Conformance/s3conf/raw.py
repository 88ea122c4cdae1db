"""Raw, byte-exact HTTP requests signed by botocore's SigV4 signer.

`requests` and urllib3 re-quote paths and drop dot segments, so raw requests go through
`http.client`, which sends the request target exactly as given. Signing uses botocore's
`S3SigV4Auth` (an independent signer); the payload hash is whatever `x-amz-content-sha256`
says, or the SHA-256 of the body.
"""

from __future__ import annotations

import hashlib
import http.client
import socket
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from email.message import Message
from urllib.parse import quote, urlsplit

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


class _FixedPayloadS3SigV4Auth(S3SigV4Auth):
    """botocore's S3 SigV4 signer with the payload hash given, not computed from the body
    (for UNSIGNED-PAYLOAD and the STREAMING-* modes, and to sign bodies sent separately)."""

    def __init__(self, credentials: Credentials, region: str, payload_hash: str) -> None:
        super().__init__(credentials, "s3", region)
        self._payload_hash = payload_hash

    def payload(self, request: AWSRequest) -> str:
        return self._payload_hash


def quote_key(key: str) -> str:
    """Percent-encode an object key for a request path, keeping `/` (as the SDKs do)."""
    return quote(key, safe="/~")


def local(tag: str) -> str:
    """An element's tag without its XML namespace."""
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


@dataclass
class RawResponse:
    status: int
    reason: str
    headers: Message
    body: bytes
    request_headers: dict[str, str] = field(default_factory=dict)

    def header(self, name: str) -> str | None:
        return self.headers.get(name)

    def header_all(self, name: str) -> list[str]:
        return self.headers.get_all(name) or []

    def xml(self) -> ET.Element:
        assert self.body, f"expected an XML body, got an empty body (status {self.status})"
        return ET.fromstring(self.body)

    def error(self) -> dict[str, str]:
        """The S3 error body as a dict of child element name → text."""
        root = self.xml()
        assert local(root.tag) == "Error", f"root element is {root.tag!r}, not Error: {self.body!r}"
        return {local(child.tag): (child.text or "") for child in root}

    def __repr__(self) -> str:  # helpful pytest failure output
        return f"<RawResponse {self.status} {self.reason} body={self.body[:500]!r}>"


class RawS3:
    """Sign with botocore SigV4 and send with http.client, byte for byte."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str) -> None:
        self.endpoint = endpoint.rstrip("/")
        parts = urlsplit(self.endpoint)
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.hostname = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.credentials = Credentials(access_key, secret_key)
        self.region = region

    def connection(self, timeout: float = 30.0) -> http.client.HTTPConnection:
        if self.scheme == "https":
            return http.client.HTTPSConnection(self.hostname, self.port, timeout=timeout)
        return http.client.HTTPConnection(self.hostname, self.port, timeout=timeout)

    def signed_headers(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        host: str | None = None,
        payload_hash: str | None = None,
    ) -> dict[str, str]:
        """Headers (including Authorization) for `method target` as botocore signs them.

        `target` is the raw request target: an already-encoded path plus optional `?query`.
        """
        hdrs = dict(headers or {})
        host_header = host or self.netloc
        if payload_hash is None:
            payload_hash = next(
                (v for k, v in hdrs.items() if k.lower() == "x-amz-content-sha256"), None
            ) or hashlib.sha256(body).hexdigest()
        hdrs = {k: v for k, v in hdrs.items() if k.lower() != "x-amz-content-sha256"}
        hdrs["X-Amz-Content-SHA256"] = payload_hash
        hdrs["Host"] = host_header
        request = AWSRequest(method=method, url=f"{self.scheme}://{host_header}{target}", headers=hdrs)
        _FixedPayloadS3SigV4Auth(self.credentials, self.region, payload_hash).add_auth(request)
        return {k: v for k, v in request.headers.items()}

    def request(
        self,
        method: str,
        target: str,
        headers: dict[str, str] | None = None,
        body: bytes = b"",
        *,
        host: str | None = None,
        payload_hash: str | None = None,
        sign: bool = True,
        timeout: float = 30.0,
    ) -> RawResponse:
        if sign:
            hdrs = self.signed_headers(method, target, headers, body, host=host, payload_hash=payload_hash)
        else:
            hdrs = dict(headers or {})
            hdrs.setdefault("Host", host or self.netloc)
        conn = self.connection(timeout)
        try:
            conn.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            has_length = any(k.lower() in ("content-length", "transfer-encoding") for k in hdrs)
            if not has_length and (body or method in ("PUT", "POST")):
                hdrs["Content-Length"] = str(len(body))
            for name, value in hdrs.items():
                conn.putheader(name, value)
            conn.endheaders(body if body else None)
            response = conn.getresponse()
            data = response.read()
            return RawResponse(response.status, response.reason, response.msg, data, hdrs)
        finally:
            conn.close()


def read_http_head(sock: socket.socket, timeout: float, buffered: bytes = b"") -> tuple[bytes, bytes]:
    """Read one HTTP response head from a socket. Returns (head, bytes read past the head)."""
    sock.settimeout(timeout)
    buf = buffered
    deadline = time.monotonic() + timeout
    while b"\r\n\r\n" not in buf:
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError(f"no complete response head within {timeout} s; got {buf!r}")
        sock.settimeout(remaining)
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError(f"connection closed; got {buf!r}")
        buf += chunk
    head, _, rest = buf.partition(b"\r\n\r\n")
    return head, rest
