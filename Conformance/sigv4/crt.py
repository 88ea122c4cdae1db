"""Requests signed by awscrt's SigV4 signer (the C signer behind the newer AWS SDKs), sent
byte-exact with `http.client`.

awscrt is told what S3 expects: no double URI encoding and no path normalization, so the
request target it signs is exactly the one sent.
"""

from __future__ import annotations

import datetime
import hashlib
import http.client
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from email.message import Message
from urllib.parse import quote, urlsplit


def local(tag: str) -> str:
    return tag.split("}", 1)[1] if tag.startswith("{") else tag


def quote_key(key: str) -> str:
    """A key as a path: every byte percent-encoded except unreserved characters and `/`."""
    return quote(key, safe="/~")


def quote_query(value: str) -> str:
    """A query value as SigV4 canonicalizes it (unreserved characters only)."""
    return quote(value, safe="~")


@dataclass
class CrtResponse:
    status: int
    headers: Message
    body: bytes

    def error(self) -> dict[str, str]:
        root = ET.fromstring(self.body)
        assert local(root.tag) == "Error", self.body
        return {local(child.tag): (child.text or "") for child in root}

    def error_code(self) -> str | None:
        if not self.body.lstrip().startswith(b"<"):
            return None
        try:
            root = ET.fromstring(self.body)
        except ET.ParseError:
            return None
        return root.findtext("Code") if local(root.tag) == "Error" else None

    def __repr__(self) -> str:
        return f"<CrtResponse {self.status} {self.body[:1500]!r}>"


class CrtS3:
    """Sign with `awscrt.auth.aws_sign_request`, send with `http.client`."""

    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str) -> None:
        from awscrt import auth

        self.auth = auth
        parts = urlsplit(endpoint)
        self.scheme = parts.scheme
        self.netloc = parts.netloc
        self.hostname = parts.hostname or "127.0.0.1"
        self.port = parts.port or (443 if parts.scheme == "https" else 80)
        self.region = region
        self.credentials = auth.AwsCredentialsProvider.new_static(access_key, secret_key)

    def sign(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]] | None = None,
        *,
        body_hash: str,
        date: datetime.datetime | None = None,
        presign_expires: int | None = None,
    ):  # -> awscrt.http.HttpRequest
        """The signed awscrt request for `method target` (target: encoded path + `?query`).

        `presign_expires` signs the query (a presigned URL) instead of the headers.
        """
        from awscrt import http as crt_http

        auth = self.auth
        all_headers = [("Host", self.netloc), *(headers or [])]
        request = crt_http.HttpRequest(method, target, crt_http.HttpHeaders(all_headers))
        query_signing = presign_expires is not None
        config = auth.AwsSigningConfig(
            algorithm=auth.AwsSigningAlgorithm.V4,
            signature_type=(auth.AwsSignatureType.HTTP_REQUEST_QUERY_PARAMS if query_signing
                            else auth.AwsSignatureType.HTTP_REQUEST_HEADERS),
            credentials_provider=self.credentials,
            region=self.region,
            service="s3",
            date=date or datetime.datetime.now(datetime.timezone.utc),
            use_double_uri_encode=False,
            should_normalize_uri_path=False,
            signed_body_value=body_hash,
            signed_body_header_type=(auth.AwsSignedBodyHeaderType.NONE if query_signing
                                     else auth.AwsSignedBodyHeaderType.X_AMZ_CONTENT_SHA_256),
            expiration_in_seconds=presign_expires,
        )
        auth.aws_sign_request(request, config).result(timeout=10)
        return request

    def send(self, method: str, target: str, headers: list[tuple[str, str]], body: bytes = b"") -> CrtResponse:
        connection = http.client.HTTPConnection(self.hostname, self.port, timeout=30)
        try:
            connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
            names = {name.lower() for name, _ in headers}
            for name, value in headers:
                connection.putheader(name, value)
            if "content-length" not in names and (body or method in ("PUT", "POST")):
                connection.putheader("Content-Length", str(len(body)))
            connection.endheaders(body or None)
            response = connection.getresponse()
            return CrtResponse(response.status, response.msg, response.read())
        finally:
            connection.close()

    def request(
        self,
        method: str,
        target: str,
        headers: list[tuple[str, str]] | None = None,
        body: bytes = b"",
        *,
        unsigned_payload: bool = False,
        date: datetime.datetime | None = None,
    ) -> CrtResponse:
        body_hash = "UNSIGNED-PAYLOAD" if unsigned_payload else hashlib.sha256(body).hexdigest()
        signed = self.sign(method, target, headers, body_hash=body_hash, date=date)
        return self.send(method, signed.path, list(signed.headers), body)

    def presign(self, method: str, target: str, expires: int, *, date: datetime.datetime | None = None) -> str:
        """A presigned URL (query auth) for `method target`."""
        signed = self.sign(method, target, body_hash="UNSIGNED-PAYLOAD", date=date, presign_expires=expires)
        return f"{self.scheme}://{self.netloc}{signed.path}"
