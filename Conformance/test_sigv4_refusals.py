"""Every authentication refusal, produced by a real client: a wrong secret, an unknown access key,
a shifted clock, an expired presigned URL and a tampered one — with S3's codes, statuses,
messages and error elements.
"""

from __future__ import annotations

import contextlib
import datetime
import http.client
import os
import re
import subprocess
import time
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from conftest import _missing, require_module
from s3conf import expect_error
from sigv4 import HARD_KEYS, body_for
from sigv4.clients import CLIENT_NAMES, botocore_python_signer, find_program
from sigv4.crt import CrtS3, local, quote_key
from sigv4.drivers import make_driver

UNKNOWN_ACCESS_KEY = "AKIAS3EMUUNKNOWN0000"
SKEW_MESSAGE = "The difference between the request time and the current time is too large."
SIGNATURE_MESSAGE = ("The request signature we calculated does not match the signature you provided. "
                     "Check your key and signing method.")


def now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc)


def get(url: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """GET a URL exactly as given (no re-quoting of the path or query)."""
    parts = urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        connection.request("GET", target, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.read()
    finally:
        connection.close()


def error_of(body: bytes) -> dict[str, str]:
    root = ET.fromstring(body)
    assert local(root.tag) == "Error", body
    return {local(child.tag): (child.text or "") for child in root}


@pytest.fixture
def driver_for(target, tmp_path):
    def build(name: str, access_key: str | None = None, secret_key: str | None = None):
        return make_driver(name, target.endpoint, access_key or target.access_key, secret_key or target.secret_key,
                           target.region, tmp_path / name, _missing)

    return build


@pytest.fixture
def crt(target) -> CrtS3:
    require_module("awscrt")
    return CrtS3(target.endpoint, target.access_key, target.secret_key, target.region)


@pytest.fixture
def stored(s3: Any, bucket: str) -> tuple[str, str, bytes]:
    """A bucket holding one object under a hard key."""
    key = HARD_KEYS["subdelims"]
    data = body_for(key)
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    return bucket, key, data


# ---------------------------------------------------------------------------------------------
# Wrong secret, unknown key: through every client
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_wrong_secret_is_signature_does_not_match(client: str, driver_for, bucket: str) -> None:
    driver = driver_for(client, secret_key="not-the-secret")
    assert driver.list_error(bucket) == "SignatureDoesNotMatch"


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_unknown_access_key_is_invalid_access_key_id(client: str, driver_for, bucket: str) -> None:
    driver = driver_for(client, access_key=UNKNOWN_ACCESS_KEY)
    assert driver.list_error(bucket) == "InvalidAccessKeyId"


def test_unknown_access_key_error_body(target, bucket: str) -> None:
    crt = CrtS3(target.endpoint, UNKNOWN_ACCESS_KEY, "secret", target.region)
    response = crt.request("GET", f"/{bucket}?list-type=2")
    assert response.status == 403
    error = response.error()
    assert error["Code"] == "InvalidAccessKeyId"
    assert error["Message"] == "The AWS Access Key Id you provided does not exist in our records."
    assert error["AWSAccessKeyId"] == UNKNOWN_ACCESS_KEY


def test_signature_does_not_match_carries_what_the_server_signed(target, stored) -> None:
    """The error body holds the canonical request and string to sign the server computed — byte
    for byte what botocore computed for the same request (only the secret differs)."""
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials

    bucket, key, _ = stored
    computed: dict[str, str] = {}

    class RecordingAuth(S3SigV4Auth):
        def canonical_request(self, request):  # type: ignore[no-untyped-def]
            computed["canonical"] = super().canonical_request(request)
            return computed["canonical"]

        def string_to_sign(self, request, canonical_request):  # type: ignore[no-untyped-def]
            computed["string_to_sign"] = super().string_to_sign(request, canonical_request)
            return computed["string_to_sign"]

    netloc = urlsplit(target.endpoint).netloc
    path = f"/{bucket}/{quote_key(key)}"
    request = AWSRequest(method="GET", url=f"{target.endpoint}{path}?response-content-type=text%2Fplain",
                         headers={"Range": "bytes=0-9", "x-amz-meta-folded": "  two   spaces  "})
    RecordingAuth(Credentials(target.access_key, "not-the-secret"), "s3", target.region).add_auth(request)
    headers = dict(request.headers.items())
    headers["Host"] = netloc
    status, body = get(request.url, headers)
    assert status == 403, body
    error = error_of(body)
    assert error["Code"] == "SignatureDoesNotMatch"
    assert error["Message"] == SIGNATURE_MESSAGE
    assert error["AWSAccessKeyId"] == target.access_key
    assert error["CanonicalRequest"] == computed["canonical"]
    assert error["StringToSign"] == computed["string_to_sign"]
    assert error["SignatureProvided"] == re.search(r"Signature=([0-9a-f]{64})", headers["Authorization"]).group(1)
    # The byte dumps are the same texts as space-separated hex.
    assert bytes.fromhex(error["CanonicalRequestBytes"]) == computed["canonical"].encode()
    assert bytes.fromhex(error["StringToSignBytes"]) == computed["string_to_sign"].encode()


# ---------------------------------------------------------------------------------------------
# Clock skew
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("minutes", [-20, 20])
def test_awscrt_signing_with_a_shifted_clock_is_request_time_too_skewed(crt: CrtS3, bucket: str, minutes: int) -> None:
    signed_at = now() + datetime.timedelta(minutes=minutes)
    response = crt.request("GET", f"/{bucket}?list-type=2", date=signed_at)
    assert response.status == 403, response
    error = response.error()
    assert error["Code"] == "RequestTimeTooSkewed"
    assert error["Message"] == SKEW_MESSAGE
    assert error["RequestTime"] == signed_at.strftime("%Y%m%dT%H%M%SZ")
    assert error["MaxAllowedSkewMilliseconds"] == "900000"
    assert "ServerTime" in error


@pytest.mark.parametrize("minutes", [-14, 14])
def test_awscrt_signing_within_fifteen_minutes_is_accepted(crt: CrtS3, bucket: str, minutes: int) -> None:
    response = crt.request("GET", f"/{bucket}?list-type=2", date=now() + datetime.timedelta(minutes=minutes))
    assert response.status == 200, response


@pytest.mark.parametrize("signer", ["installed", "python"])
def test_botocore_with_a_slow_clock_is_request_time_too_skewed(s3: Any, bucket: str, monkeypatch, signer: str) -> None:
    """botocore's clock patched 20 minutes slow; `installed` is the signer boto3 picks (awscrt's
    when awscrt is installed), `python` botocore's own."""
    import botocore.auth

    real = botocore.auth.get_current_datetime

    def slow(*args: Any, **kwargs: Any) -> datetime.datetime:
        return real(*args, **kwargs) - datetime.timedelta(minutes=20)

    monkeypatch.setattr(botocore.auth, "get_current_datetime", slow)
    try:
        import botocore.crt.auth

        monkeypatch.setattr(botocore.crt.auth, "get_current_datetime", slow)
    except ImportError:
        pass
    with botocore_python_signer() if signer == "python" else contextlib.nullcontext():
        response = expect_error("RequestTimeTooSkewed", 403, s3.list_objects_v2, Bucket=bucket)
    assert response["Error"]["Message"] == SKEW_MESSAGE


# ---------------------------------------------------------------------------------------------
# Presigned URLs: valid, expired, tampered
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("signer", ["installed", "python"])
def test_boto3_presigned_url_works_then_expires(s3: Any, stored, signer: str) -> None:
    bucket, key, data = stored
    # X-Amz-Date is whole seconds: a URL signed late in a second is nearly a second old at once,
    # and a 1-second URL would expire before its first GET. Sign at the start of a second.
    time.sleep(1.02 - time.time() % 1)
    with botocore_python_signer() if signer == "python" else contextlib.nullcontext():
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=1)
    status, body = get(url)
    assert (status, body) == (200, data)
    time.sleep(2.1)
    status, body = get(url)
    assert status == 403, body
    error = error_of(body)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired")
    assert error["X-Amz-Expires"] == "1"
    assert "Expires" in error and "ServerTime" in error


def test_awscrt_presigned_url_signed_in_the_past_has_expired(crt: CrtS3, stored) -> None:
    bucket, key, data = stored
    target = f"/{bucket}/{quote_key(key)}"
    assert get(crt.presign("GET", target, 60)) == (200, data)
    status, body = get(crt.presign("GET", target, 60, date=now() - datetime.timedelta(minutes=10)))
    assert status == 403, body
    error = error_of(body)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired")
    assert error["X-Amz-Expires"] == "60"


def _tamper_query(url: str, name: str, value: str) -> str:
    parts = urlsplit(url)
    query = [(k, value if k == name else v) for k, v in parse_qsl(parts.query, keep_blank_values=True)]
    return urlunsplit(parts._replace(query=urlencode(query, safe="~")))


@pytest.mark.parametrize("signer", ["installed", "python"])
@pytest.mark.parametrize("tamper", ["key", "expires", "signature", "date"])
def test_tampered_presigned_url_is_signature_does_not_match(s3: Any, stored, tamper: str, signer: str) -> None:
    bucket, key, data = stored
    s3.put_object(Bucket=bucket, Key=key + ".other", Body=b"other")
    with botocore_python_signer() if signer == "python" else contextlib.nullcontext():
        url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": key}, ExpiresIn=300)
    assert get(url) == (200, data)
    parts = urlsplit(url)
    query = dict(parse_qsl(parts.query))
    if tamper == "key":
        bad = urlunsplit(parts._replace(path=parts.path + ".other"))
    elif tamper == "expires":
        bad = _tamper_query(url, "X-Amz-Expires", "3600")
    elif tamper == "signature":
        signature = query["X-Amz-Signature"]
        bad = _tamper_query(url, "X-Amz-Signature", ("0" if signature[0] != "0" else "1") + signature[1:])
    else:
        signed = datetime.datetime.strptime(query["X-Amz-Date"], "%Y%m%dT%H%M%SZ")
        bad = _tamper_query(url, "X-Amz-Date", (signed + datetime.timedelta(seconds=1)).strftime("%Y%m%dT%H%M%SZ"))
    status, body = get(bad)
    assert status == 403, body
    error = error_of(body)
    assert error["Code"] == "SignatureDoesNotMatch", error
    assert "CanonicalRequest" in error and "StringToSign" in error


def test_minio_presigned_url_round_trip_and_tamper(target, stored) -> None:
    minio = require_module("minio")
    bucket, key, data = stored
    client = minio.Minio(urlsplit(target.endpoint).netloc, access_key=target.access_key,
                         secret_key=target.secret_key, secure=False, region=target.region)
    url = client.presigned_get_object(bucket, key, expires=datetime.timedelta(minutes=5))
    assert get(url) == (200, data)
    parts = urlsplit(url)
    status, body = get(urlunsplit(parts._replace(path=parts.path + ".other")))
    assert status == 403 and error_of(body)["Code"] == "SignatureDoesNotMatch", body


def test_s3cmd_signurl_signature_v2_query_auth(target, stored, tmp_path) -> None:
    """`s3cmd signurl` makes a Signature Version 2 presigned URL (AWSAccessKeyId, Expires, Signature)."""
    command = find_program("s3cmd")
    if command is None:
        _missing("s3cmd (pip install s3cmd)")
    bucket, key, data = stored
    config = tmp_path / "s3cfg"
    netloc = urlsplit(target.endpoint).netloc
    config.write_text(f"[default]\naccess_key = {target.access_key}\nsecret_key = {target.secret_key}\n"
                      f"host_base = {netloc}\nhost_bucket = {netloc}\nuse_https = False\n")

    def signurl(expiry: str) -> str:
        result = subprocess.run([*command, "-c", str(config), "signurl", f"s3://{bucket}/{key}", expiry],
                                capture_output=True, text=True, timeout=60, env={**os.environ, "HOME": str(tmp_path)})
        assert result.returncode == 0, result
        return result.stdout.strip()

    url = signurl("+300")
    assert "AWSAccessKeyId=" in url and "Signature=" in url, url
    assert get(url) == (200, data)

    status, body = get(_tamper_query(url, "Expires", str(int(dict(parse_qsl(urlsplit(url).query))["Expires"]) + 1)))
    assert status == 403 and error_of(body)["Code"] == "SignatureDoesNotMatch", body

    expired = signurl(str(int(time.time()) - 60))
    status, body = get(expired)
    assert status == 403, body
    error = error_of(body)
    assert (error["Code"], error["Message"]) == ("AccessDenied", "Request has expired")
