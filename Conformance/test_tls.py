"""HTTPS: `s3emu serve --tls-cert PEM --tls-key PEM`.

A self-signed certificate for 127.0.0.1 and localhost is made at test time with the openssl
command. boto3 (verify= the certificate) and curl (--cacert) talk to the server over TLS; a
bucket policy that denies `aws:SecureTransport = false` refuses plain HTTP and allows HTTPS;
a bad certificate or key is a one-line start-up error; a plain-HTTP request sent to the TLS
port is dropped without hurting the server.
"""

from __future__ import annotations

import json
import shutil
import socket
import ssl
import subprocess
from pathlib import Path
from typing import Any

import pytest

from s3conf import CI, expect_error, status_of, unique_name
from s3conf.server import S3EmuServer, default_binary

pytestmark = pytest.mark.own_server


def _tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        message = f"the {name} command is not installed"
        if CI:
            pytest.fail(f"CI=true: {message}", pytrace=False)
        pytest.skip(message)
    return path


@pytest.fixture(scope="module")
def certificate(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """A self-signed EC certificate for 127.0.0.1 and localhost: (certificate.pem, key.pem)."""
    openssl = _tool("openssl")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        [openssl, "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-days", "2", "-subj", "/CN=s3emu test",
         "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
         "-keyout", str(key), "-out", str(cert)],
        check=True, capture_output=True, timeout=60,
    )
    return cert, key


@pytest.fixture
def servers(target: Any, tmp_path: Path):  # type: ignore[no-untyped-def]
    """Start s3emu processes (`tls=(cert, key)` for HTTPS); all are stopped after the test."""
    if not target.is_own_server:
        pytest.skip("starts its own s3emu with --tls-cert (S3_ENDPOINT is set)")
    started: list[S3EmuServer] = []

    def start(data_dir: Path, tls: tuple[Path, Path] | None = None) -> S3EmuServer:
        extra: tuple[str, ...] = ()
        if tls is not None:
            extra = ("--tls-cert", str(tls[0]), "--tls-key", str(tls[1]))
        server = S3EmuServer(default_binary(), data_dir, tmp_path / "logs", extra_args=extra,
                             name=f"tls-{len(started)}")
        started.append(server)
        server.start(timeout=30)
        return server

    yield start
    for server in started:
        assert server.stop(timeout=10) == 0, server.diagnostics()


def client(endpoint: str, verify: Any = None) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.client(
        "s3", endpoint_url=endpoint, aws_access_key_id="test", aws_secret_access_key="test",
        region_name="us-east-1", verify=verify,
        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                      retries={"total_max_attempts": 1, "mode": "standard"},
                      connect_timeout=10, read_timeout=30),
    )


def test_https_ready_line_and_boto3_put_get_and_multipart(servers, certificate, tmp_path: Path) -> None:
    server = servers(tmp_path / "data", tls=certificate)
    assert server.endpoint.startswith("https://127.0.0.1:"), server.stdout_text()
    s3 = client(server.endpoint, verify=str(certificate[0]))
    bucket = unique_name("tls")
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="over/tls.txt", Body=b"sealed")
    assert s3.get_object(Bucket=bucket, Key="over/tls.txt")["Body"].read() == b"sealed"
    # Over HTTPS botocore streams file bodies as aws-chunked inside Transfer-Encoding: chunked,
    # with a checksum trailer; PutObject and UploadPart both take that framing.
    import io

    streamed = s3.put_object(Bucket=bucket, Key="streamed.bin", Body=io.BytesIO(b"s" * 70000))
    assert "ChecksumCRC32" in streamed or "ETag" in streamed
    upload = s3.create_multipart_upload(Bucket=bucket, Key="parts.bin", ChecksumAlgorithm="CRC32")
    parts = []
    for number, fill in ((1, b"a" * (5 * 1024 * 1024)), (2, b"b" * 1000)):
        part = s3.upload_part(Bucket=bucket, Key="parts.bin", UploadId=upload["UploadId"], PartNumber=number,
                              Body=io.BytesIO(fill), ChecksumAlgorithm="CRC32")
        parts.append({"PartNumber": number, "ETag": part["ETag"], "ChecksumCRC32": part["ChecksumCRC32"]})
    s3.complete_multipart_upload(Bucket=bucket, Key="parts.bin", UploadId=upload["UploadId"],
                                 MultipartUpload={"Parts": parts})
    body = s3.get_object(Bucket=bucket, Key="parts.bin")["Body"].read()
    assert body == b"a" * (5 * 1024 * 1024) + b"b" * 1000
    assert s3.get_object(Bucket=bucket, Key="streamed.bin")["Body"].read() == b"s" * 70000
    # A client that does not trust the certificate refuses the server.
    from botocore.exceptions import SSLError

    with pytest.raises(SSLError):
        client(server.endpoint, verify=True).list_buckets()


def test_curl_cacert_put_and_get(servers, certificate, tmp_path: Path) -> None:
    curl = _tool("curl")
    server = servers(tmp_path / "data", tls=certificate)
    bucket = unique_name("tls")
    client(server.endpoint, verify=str(certificate[0])).create_bucket(Bucket=bucket)
    body = tmp_path / "body.txt"
    body.write_bytes(b"curl over https\n")
    url = f"{server.endpoint}/{bucket}/curl.txt"
    signing = ["--aws-sigv4", "aws:amz:us-east-1:s3", "--user", "test:test"]
    put = subprocess.run([curl, "-sS", "--fail-with-body", "--cacert", str(certificate[0]), *signing,
                          "-T", str(body), "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", url],
                         capture_output=True, timeout=30)
    assert put.returncode == 0, put
    got = subprocess.run([curl, "-sS", "--fail-with-body", "--cacert", str(certificate[0]), *signing,
                          "-H", "x-amz-content-sha256: UNSIGNED-PAYLOAD", url],
                         capture_output=True, timeout=30)
    assert got.returncode == 0, got
    assert got.stdout == b"curl over https\n"
    # Without the certificate curl refuses the server (exit 60: peer certificate cannot be authenticated).
    refused = subprocess.run([curl, "-sS", *signing, url], capture_output=True, timeout=30)
    assert refused.returncode == 60, refused


def test_secure_transport_condition_denies_plain_http_and_allows_https(servers, certificate, tmp_path: Path) -> None:
    data = tmp_path / "data"
    bucket = unique_name("tls")
    policy = json.dumps({"Version": "2012-10-17", "Statement": [{
        "Sid": "DenyInsecureTransport", "Effect": "Deny", "Principal": "*", "Action": "s3:GetObject",
        "Resource": f"arn:aws:s3:::{bucket}/*",
        "Condition": {"Bool": {"aws:SecureTransport": "false"}},
    }]})
    plain = servers(data)
    assert plain.endpoint.startswith("http://")
    s3 = client(plain.endpoint)
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="secret.txt", Body=b"only over tls")
    s3.put_bucket_policy(Bucket=bucket, Policy=policy)
    error = expect_error("AccessDenied", 403, s3.get_object, Bucket=bucket, Key="secret.txt")
    assert "explicit deny" in error["Error"]["Message"], error
    assert plain.stop(timeout=10) == 0

    secure = servers(data, tls=certificate)
    s3s = client(secure.endpoint, verify=str(certificate[0]))
    response = s3s.get_object(Bucket=bucket, Key="secret.txt")
    assert status_of(response) == 200
    assert response["Body"].read() == b"only over tls"


@pytest.mark.parametrize("case", ["missing certificate", "missing key", "not a certificate",
                                  "key of another certificate", "only --tls-cert"])
def test_bad_certificate_or_key_is_a_one_line_startup_error(target, certificate, tmp_path: Path, case: str) -> None:
    if not target.is_own_server:
        pytest.skip("checks the s3emu command itself (S3_ENDPOINT is set)")
    cert, key = certificate
    junk = tmp_path / "junk.pem"
    junk.write_text("-----BEGIN CERTIFICATE-----\nnot base64 at all\n-----END CERTIFICATE-----\n")
    other_key = tmp_path / "other-key.pem"
    if case == "key of another certificate":
        subprocess.run([_tool("openssl"), "genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256",
                        "-out", str(other_key)], check=True, capture_output=True, timeout=60)
    args, expected = {
        "missing certificate": (["--tls-cert", str(tmp_path / "nope.pem"), "--tls-key", str(key)],
                                f"cannot read the TLS certificate {tmp_path / 'nope.pem'}: No such file or directory"),
        "missing key": (["--tls-cert", str(cert), "--tls-key", str(tmp_path / "nokey.pem")],
                        f"cannot read the TLS key {tmp_path / 'nokey.pem'}: No such file or directory"),
        "not a certificate": (["--tls-cert", str(junk), "--tls-key", str(key)],
                              f"the TLS certificate {junk} holds no PEM certificate"),
        "key of another certificate": (["--tls-cert", str(cert), "--tls-key", str(other_key)],
                                       f"the TLS key {other_key} does not belong to the certificate {cert}"),
        "only --tls-cert": (["--tls-cert", str(cert)], "--tls-cert and --tls-key go together"),
    }[case]
    result = subprocess.run(
        [str(default_binary()), "serve", "--port", "0", "--data-dir", str(tmp_path / "d"), *args],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
    )
    assert result.returncode != 0, result
    assert "s3emu ready at" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert expected in result.stderr, result.stderr
    if case != "only --tls-cert":  # ArgumentParser adds its usage lines to a validation error
        assert lines == [f"s3emu: {expected}"], result.stderr


def test_plain_http_to_the_tls_port_is_dropped_and_the_server_keeps_serving(servers, certificate, tmp_path: Path) -> None:
    server = servers(tmp_path / "data", tls=certificate)
    s3 = client(server.endpoint, verify=str(certificate[0]))
    bucket = unique_name("tls")
    s3.create_bucket(Bucket=bucket)
    for attempt in range(5):
        with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
            sock.sendall(f"GET /{bucket} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
            received = b""
            while True:  # the server answers (at most) a TLS alert, then closes
                chunk = sock.recv(4096)
                if not chunk:
                    break
                received += chunk
            assert b"HTTP/1.1" not in received, received
            assert len(received) < 64, received
    # A TLS client that aborts its handshake does no harm either.
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        sock.sendall(b"\x16\x03\x01\x00\x05\x01\x00\x00\x01\x00")
    context = ssl.create_default_context(cafile=str(certificate[0]))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(b"GET /nope-no-such-bucket HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            answer = b""
            while chunk := tls.recv(4096):
                answer += chunk
    assert answer.startswith(b"HTTP/1.1 "), answer
    assert server.is_running()
    s3.put_object(Bucket=bucket, Key="still.txt", Body=b"alive")
    assert s3.get_object(Bucket=bucket, Key="still.txt")["Body"].read() == b"alive"


@pytest.mark.parametrize("request_bytes", [
    b"GARBAGE\r\n\r\n",
    b"GET / HTTP/9.9\r\nHost: x\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Nul: a\x00b\r\n\r\n",
    b"PUT /b/k HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n",
    b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"p" * (100 * 1024) + b"\r\n\r\n",
], ids=["garbage", "bad-version", "nul-in-header", "length-and-chunked", "100KiB-header"])
def test_malformed_http_inside_tls_is_refused_like_plain_http(servers, certificate, tmp_path: Path,
                                                             request_bytes: bytes) -> None:
    server = servers(tmp_path / "data", tls=certificate)
    context = ssl.create_default_context(cafile=str(certificate[0]))
    with socket.create_connection(("127.0.0.1", server.port), timeout=10) as sock:
        with context.wrap_socket(sock, server_hostname="127.0.0.1") as tls:
            tls.sendall(request_bytes)
            answer = b""
            try:
                while chunk := tls.recv(65536):
                    answer += chunk
            except (ssl.SSLError, ConnectionResetError):
                pass  # the server closed without waiting for our close_notify
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:300]
    assert server.is_running()
    s3 = client(server.endpoint, verify=str(certificate[0]))
    assert s3.list_buckets()["ResponseMetadata"]["HTTPStatusCode"] == 200
