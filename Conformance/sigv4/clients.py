"""One driver per independent S3 client, each running the core operations with its own signer.

A driver never borrows another client's signer: the boto3 driver uses boto3, the curl driver
runs curl, and so on. Checks of what was stored are made by the tests with boto3, separately.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import xml.etree.ElementTree as ET
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

from sigv4 import ClientFailure, md5_hex
from sigv4.crt import CrtS3, local, quote_key, quote_query

S3_NS = "{http://s3.amazonaws.com/doc/2006-03-01/}"


def _xml_escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("'", "&apos;").replace('"', "&quot;")


def delete_xml(keys: list[str]) -> bytes:
    objects = "".join(f"<Object><Key>{_xml_escape(key)}</Key></Object>" for key in keys)
    return f'<Delete xmlns="http://s3.amazonaws.com/doc/2006-03-01/">{objects}</Delete>'.encode()


def content_md5(data: bytes) -> str:
    import base64

    return base64.b64encode(hashlib.md5(data).digest()).decode()


def error_code_in_xml(body: bytes) -> str | None:
    try:
        root = ET.fromstring(body)
    except ET.ParseError:
        return None
    return root.findtext("Code") if local(root.tag) == "Error" else None


def listed_keys(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    if local(root.tag) != "ListBucketResult":
        raise ClientFailure(f"not a ListBucketResult: {body[:1000]!r}")
    return [contents.findtext(f"{S3_NS}Key") or "" for contents in root.iter(f"{S3_NS}Contents")]


def deleted_keys(body: bytes) -> list[str]:
    root = ET.fromstring(body)
    if local(root.tag) != "DeleteResult":
        raise ClientFailure(f"not a DeleteResult: {body[:1000]!r}")
    errors = [ET.tostring(error, encoding="unicode") for error in root.iter(f"{S3_NS}Error")]
    if errors:
        raise ClientFailure(f"DeleteObjects reported errors: {errors}")
    return [deleted.findtext(f"{S3_NS}Key") or "" for deleted in root.iter(f"{S3_NS}Deleted")]


def find_program(name: str) -> list[str] | None:
    """`name` on PATH, else the script pip installed next to this Python."""
    found = shutil.which(name)
    if found:
        return [found]
    script = Path(sysconfig.get_path("scripts")) / name
    if script.exists():
        return [sys.executable, str(script)] if name == "s3cmd" else [str(script)]
    return None


class Driver:
    """The core operations through one client. Subclasses set `name` and may set `unsupported`
    (hard-key label → why the client itself cannot address such a key)."""

    name = "?"
    unsupported: dict[str, str] = {}
    closed_ranges = True
    #: Whether `delete_many` sends DeleteObjects (rclone has no way to).
    sends_delete_objects = True

    def __init__(self, endpoint: str, access_key: str, secret_key: str, region: str, workdir: Path) -> None:
        self.endpoint = endpoint.rstrip("/")
        self.access_key = access_key
        self.secret_key = secret_key
        self.region = region
        self.workdir = workdir
        workdir.mkdir(parents=True, exist_ok=True)
        self.netloc = urlsplit(self.endpoint).netloc
        self._files = 0

    def file(self, data: bytes | None = None, suffix: str = ".bin") -> Path:
        self._files += 1
        path = self.workdir / f"f{self._files}{suffix}"
        if data is not None:
            path.write_bytes(data)
        return path

    # Operations ---------------------------------------------------------------------------------
    def put(self, bucket: str, key: str, data: bytes) -> None: raise NotImplementedError
    def get_range(self, bucket: str, key: str, first: int, last: int | None) -> bytes: raise NotImplementedError
    def head(self, bucket: str, key: str) -> tuple[int, str]: raise NotImplementedError
    def list_v2(self, bucket: str, prefix: str) -> list[str]: raise NotImplementedError
    def copy(self, bucket: str, source: str, destination: str) -> None: raise NotImplementedError
    def delete(self, bucket: str, key: str) -> None: raise NotImplementedError
    def delete_many(self, bucket: str, keys: list[str]) -> None: raise NotImplementedError
    #: The S3 error code the client reports when listing `bucket` fails (None when it succeeds).
    def list_error(self, bucket: str) -> str | None: raise NotImplementedError

    def run(self, argv: list[str], *, env: dict[str, str] | None = None, check: bool = True,
            timeout: float = 120) -> subprocess.CompletedProcess[bytes]:
        result = subprocess.run(argv, env=env, capture_output=True, timeout=timeout, cwd=self.workdir,
                                stdin=subprocess.DEVNULL)
        if check and result.returncode != 0:
            raise ClientFailure(
                f"{self.name}: {' '.join(argv)} exited {result.returncode}\n"
                f"stdout: {result.stdout[-3000:]!r}\nstderr: {result.stderr[-3000:]!r}"
            )
        return result


@contextmanager
def botocore_python_signer() -> Iterator[None]:
    """Make botocore sign `s3v4` with its pure-Python signer.

    With awscrt installed, botocore signs SigV4 with awscrt's C signer (`botocore.crt.auth`), the
    same signer as the awscrt driver; this puts botocore's own Python implementation back for
    the duration (the signer class is looked up for every request).
    """
    import botocore.auth

    saved = {name: botocore.auth.AUTH_TYPE_MAPS[name] for name in ("s3v4", "s3v4-query")}
    botocore.auth.AUTH_TYPE_MAPS.update({"s3v4": botocore.auth.S3SigV4Auth, "s3v4-query": botocore.auth.S3SigV4QueryAuth})
    try:
        yield
    finally:
        botocore.auth.AUTH_TYPE_MAPS.update(saved)


class _Signing:
    """Wraps a boto3 client so that every call runs under botocore's Python signer."""

    def __init__(self, client: Any) -> None:
        self._client = client

    def __getattr__(self, name: str) -> Any:
        attribute = getattr(self._client, name)
        if not callable(attribute):
            return attribute

        def call(*args: Any, **kwargs: Any) -> Any:
            with botocore_python_signer():
                return attribute(*args, **kwargs)

        return call


class Boto3Driver(Driver):
    """boto3 as installed: with awscrt present botocore signs through awscrt's C signer.
    `python_signer=True` ("boto3-python") forces botocore's pure-Python SigV4 signer."""

    def __init__(self, *args: Any, python_signer: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import boto3
        from botocore.config import Config

        self.name = "boto3-python" if python_signer else "boto3"
        client = boto3.session.Session().client(
            "s3", endpoint_url=self.endpoint, aws_access_key_id=self.access_key,
            aws_secret_access_key=self.secret_key, region_name=self.region,
            config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                          retries={"total_max_attempts": 1}),
        )
        self.client = _Signing(client) if python_signer else client

    def put(self, bucket, key, data):
        self.client.put_object(Bucket=bucket, Key=key, Body=data)

    def get_range(self, bucket, key, first, last):
        end = "" if last is None else str(last)
        return self.client.get_object(Bucket=bucket, Key=key, Range=f"bytes={first}-{end}")["Body"].read()

    def head(self, bucket, key):
        response = self.client.head_object(Bucket=bucket, Key=key)
        return response["ContentLength"], response["ETag"].strip('"')

    def list_v2(self, bucket, prefix):
        return [item["Key"] for item in self.client.list_objects_v2(Bucket=bucket, Prefix=prefix).get("Contents", [])]

    def copy(self, bucket, source, destination):
        self.client.copy_object(Bucket=bucket, Key=destination, CopySource={"Bucket": bucket, "Key": source})

    def delete(self, bucket, key):
        self.client.delete_object(Bucket=bucket, Key=key)

    def delete_many(self, bucket, keys):
        response = self.client.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys]})
        if response.get("Errors"):
            raise ClientFailure(f"DeleteObjects errors: {response['Errors']}")

    def list_error(self, bucket):
        from botocore.exceptions import ClientError

        try:
            self.client.list_objects_v2(Bucket=bucket)
        except ClientError as error:
            return error.response["Error"]["Code"]
        return None


class AwsCliDriver(Driver):
    name = "awscli"

    def __init__(self, *args: Any, command: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        from s3conf.awscli import AwsCli

        self.cli = AwsCli(command, self.endpoint, self.access_key, self.secret_key, self.region,
                          self.workdir / "aws-home")

    def s3api(self, *args: str) -> Any:
        result = self.cli.s3api(*args, check=False)
        if result.returncode != 0:
            raise ClientFailure(f"awscli: s3api {' '.join(args)} failed: {result!r}")
        return result.json

    def put(self, bucket, key, data):
        self.s3api("put-object", "--bucket", bucket, "--key", key, "--body", str(self.file(data)))

    def get_range(self, bucket, key, first, last):
        out = self.file()
        end = "" if last is None else str(last)
        self.s3api("get-object", "--bucket", bucket, "--key", key, "--range", f"bytes={first}-{end}", str(out))
        return out.read_bytes()

    def head(self, bucket, key):
        response = self.s3api("head-object", "--bucket", bucket, "--key", key)
        return response["ContentLength"], response["ETag"].strip('"')

    def list_v2(self, bucket, prefix):
        response = self.s3api("list-objects-v2", "--bucket", bucket, "--prefix", prefix) or {}
        return [item["Key"] for item in response.get("Contents", [])]

    def copy(self, bucket, source, destination):
        # botocore percent-encodes a string copy source itself.
        self.s3api("copy-object", "--bucket", bucket, "--key", destination, "--copy-source", f"{bucket}/{source}")

    def delete(self, bucket, key):
        self.s3api("delete-object", "--bucket", bucket, "--key", key)

    def delete_many(self, bucket, keys):
        spec = self.file(json.dumps({"Objects": [{"Key": k} for k in keys]}).encode(), ".json")
        response = self.s3api("delete-objects", "--bucket", bucket, "--delete", f"file://{spec}") or {}
        if response.get("Errors"):
            raise ClientFailure(f"DeleteObjects errors: {response['Errors']}")

    def list_error(self, bucket):
        result = self.cli.s3api("list-objects-v2", "--bucket", bucket, check=False)
        return None if result.returncode == 0 else result.error_code()


class S3cmdDriver(Driver):
    """s3cmd with path-style addressing; `signature_v2` selects `--signature-v2`."""

    closed_ranges = False  # s3cmd only resumes downloads: `get --continue` sends `Range: bytes=N-`

    def __init__(self, *args: Any, command: list[str], signature_v2: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command = command
        self.signature_v2 = signature_v2
        self.name = "s3cmd-v2" if signature_v2 else "s3cmd-v4"
        self.config = self.workdir / "s3cfg"
        self.config.write_text(
            "[default]\n"
            f"access_key = {self.access_key}\n"
            f"secret_key = {self.secret_key}\n"
            f"host_base = {self.netloc}\n"
            f"host_bucket = {self.netloc}\n"
            f"bucket_location = {self.region}\n"
            "use_https = False\n"
            f"signature_v2 = {self.signature_v2}\n"
            "progress_meter = False\n"
        )
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "S3CMD"))}
        self.env["HOME"] = str(self.workdir)

    def s3cmd(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        flags = ["--signature-v2"] if self.signature_v2 else []
        return self.run([*self.command, "-c", str(self.config), *flags, *args], env=self.env, check=check)

    def put(self, bucket, key, data):
        self.s3cmd("put", str(self.file(data)), f"s3://{bucket}/{key}")

    def get_range(self, bucket, key, first, last):
        assert last is None
        # A partial local file makes s3cmd resume the download with `Range: bytes=<size>-`.
        out = self.file(b"\0" * first)
        self.s3cmd("get", "--continue", f"s3://{bucket}/{key}", str(out))
        return out.read_bytes()[first:]

    def head(self, bucket, key):
        text = self.s3cmd("info", f"s3://{bucket}/{key}").stdout.decode()
        size = re.search(r"File size:\s*(\d+)", text)
        md5 = re.search(r"MD5 sum:\s*([0-9a-f]{32})", text)
        if not size or not md5:
            raise ClientFailure(f"s3cmd info printed no size or MD5:\n{text}")
        return int(size.group(1)), md5.group(1)

    def list_v2(self, bucket, prefix):
        # The s3cmd command lists with ListObjects (v1) ...
        text = self.s3cmd("ls", "--recursive", f"s3://{bucket}/{prefix}").stdout.decode()
        v1 = [line.split(f"s3://{bucket}/", 1)[1] for line in text.splitlines() if f"s3://{bucket}/" in line]
        # ... so ListObjectsV2 is sent through s3cmd's own request signer, in process.
        from S3.Config import Config
        from S3.S3 import S3

        config = Config(str(self.config))
        config.signature_v2 = self.signature_v2
        request = S3(config).create_request("BUCKET_LIST", bucket=bucket, uri_params={"list-type": "2", "prefix": prefix})
        response = S3(config).send_request(request)
        v2 = listed_keys(response["data"])
        if sorted(v1) != sorted(v2):
            raise ClientFailure(f"s3cmd ls (v1) listed {v1}, ListObjectsV2 listed {v2}")
        return v2

    def copy(self, bucket, source, destination):
        # Without --acl-private, s3cmd copies the source's ACL with PutObjectAcl after the copy,
        # which S3 refuses on buckets with ACLs disabled (BucketOwnerEnforced, the default):
        # AccessControlListNotSupported, as s3tools/s3cmd#1304 reports against AWS.
        self.s3cmd("cp", "--acl-private", f"s3://{bucket}/{source}", f"s3://{bucket}/{destination}")

    def delete(self, bucket, key):
        self.s3cmd("del", f"s3://{bucket}/{key}")

    def delete_many(self, bucket, keys):
        # `del --recursive` lists the bucket and removes what it found with one DeleteObjects.
        text = self.s3cmd("del", "--recursive", "--force", f"s3://{bucket}/").stdout.decode()
        deleted = [line.split(f"s3://{bucket}/", 1)[1].rstrip("'") for line in text.splitlines() if "delete:" in line]
        if sorted(deleted) != sorted(keys):
            raise ClientFailure(f"s3cmd deleted {deleted}, expected {keys}:\n{text}")

    def list_error(self, bucket):
        result = self.s3cmd("ls", f"s3://{bucket}/", check=False)
        if result.returncode == 0:
            return None
        match = re.search(r"S3 error: \d+ \((\w+)\)", result.stderr.decode())
        return match.group(1) if match else f"unparsed: {result.stderr.decode()[-500:]}"


class MinioDriver(Driver):
    name = "minio"
    unsupported = {"dot-segments": "minio-py refuses keys with '.' or '..' path segments before sending"}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        import minio

        self.client = minio.Minio(self.netloc, access_key=self.access_key, secret_key=self.secret_key,
                                  secure=False, region=self.region)

    def put(self, bucket, key, data):
        import io

        self.client.put_object(bucket, key, io.BytesIO(data), len(data))

    def get_range(self, bucket, key, first, last):
        length = 0 if last is None else last - first + 1
        response = self.client.get_object(bucket, key, offset=first, length=length)
        try:
            return response.read()
        finally:
            response.close()
            response.release_conn()

    def head(self, bucket, key):
        stat = self.client.stat_object(bucket, key)
        return stat.size, (stat.etag or "").strip('"')

    def list_v2(self, bucket, prefix):
        return [o.object_name for o in self.client.list_objects(bucket, prefix=prefix, recursive=True)]

    def copy(self, bucket, source, destination):
        from minio.commonconfig import CopySource

        self.client.copy_object(bucket, destination, CopySource(bucket, source))

    def delete(self, bucket, key):
        self.client.remove_object(bucket, key)

    def delete_many(self, bucket, keys):
        from minio.deleteobjects import DeleteObject

        errors = list(self.client.remove_objects(bucket, [DeleteObject(k) for k in keys]))
        if errors:
            raise ClientFailure(f"DeleteObjects errors: {errors}")

    def list_error(self, bucket):
        from minio.error import S3Error

        try:
            list(self.client.list_objects(bucket))
        except S3Error as error:
            return error.code
        return None


class CrtDriver(Driver):
    """awscrt's signer (`awscrt.auth.aws_sign_request`) with `http.client` as transport."""

    name = "awscrt"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.crt = CrtS3(self.endpoint, self.access_key, self.secret_key, self.region)

    def call(self, method, target, headers=None, body=b"", expect=(200,)):
        response = self.crt.request(method, target, headers or [], body)
        if response.status not in expect:
            raise ClientFailure(f"awscrt: {method} {target} → {response.status} {response.body[:2000]!r}")
        return response

    def put(self, bucket, key, data):
        self.call("PUT", f"/{bucket}/{quote_key(key)}", body=data)

    def get_range(self, bucket, key, first, last):
        end = "" if last is None else str(last)
        return self.call("GET", f"/{bucket}/{quote_key(key)}", [("Range", f"bytes={first}-{end}")], expect=(206,)).body

    def head(self, bucket, key):
        response = self.call("HEAD", f"/{bucket}/{quote_key(key)}")
        return int(response.headers["Content-Length"]), response.headers["ETag"].strip('"')

    def list_v2(self, bucket, prefix):
        return listed_keys(self.call("GET", f"/{bucket}?list-type=2&prefix={quote_query(prefix)}").body)

    def copy(self, bucket, source, destination):
        self.call("PUT", f"/{bucket}/{quote_key(destination)}", [("x-amz-copy-source", f"/{bucket}/{quote_key(source)}")])

    def delete(self, bucket, key):
        self.call("DELETE", f"/{bucket}/{quote_key(key)}", expect=(204,))

    def delete_many(self, bucket, keys):
        body = delete_xml(keys)
        response = self.call("POST", f"/{bucket}?delete", [("Content-MD5", content_md5(body)),
                                                             ("Content-Type", "application/xml")], body)
        deleted_keys(response.body)

    def list_error(self, bucket):
        response = self.crt.request("GET", f"/{bucket}?list-type=2")
        return None if response.status == 200 else error_code_in_xml(response.body)


class CurlDriver(Driver):
    """curl `--aws-sigv4 aws:amz:REGION:s3`.

    curl (7.88) sends no `x-amz-content-sha256`, which S3 requires, so every request names its
    payload hash in that header (curl then signs with it). Paths are percent-encoded here and
    sent as given (`--path-as-is`); query strings are given sorted and encoded, and a valueless
    sub-resource is written `?delete=`: curl 7.88 signs a bare `?delete` as `delete` where SigV4
    (and S3) canonicalize it as `delete=`.
    """

    name = "curl"

    def __init__(self, *args: Any, command: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command = command

    def curl(self, method: str, target: str, *args: str, payload_hash: str | None = None,
             expect: tuple[int, ...] | None = (200,)) -> tuple[int, bytes, Path]:
        """Runs one signed request; raises unless the status is in `expect` (None: any status)."""
        out, head = self.file(), self.file(suffix=".head")
        method_args = ["-I"] if method == "HEAD" else ["-X", method]
        argv = [
            *self.command, "-sS", "--path-as-is", *method_args,
            "--aws-sigv4", f"aws:amz:{self.region}:s3", "--user", f"{self.access_key}:{self.secret_key}",
            "-H", f"x-amz-content-sha256: {payload_hash or hashlib.sha256(b'').hexdigest()}",
            "-o", str(out), "-D", str(head), "-w", "%{http_code}", *args, self.endpoint + target,
        ]
        result = self.run(argv)
        status = int(result.stdout.decode().strip() or 0)
        body = out.read_bytes() if out.exists() else b""
        if expect is not None and status not in expect:
            raise ClientFailure(f"curl: {method} {target} → {status} {body[:2000]!r}")
        return status, body, head

    @staticmethod
    def header(head: Path, name: str) -> str:
        for line in head.read_text("latin-1").splitlines():
            field, _, value = line.partition(":")
            if field.strip().lower() == name.lower():
                return value.strip()
        raise ClientFailure(f"no {name} header in {head.read_text('latin-1')!r}")

    def put(self, bucket, key, data):
        self.curl("PUT", f"/{bucket}/{quote_key(key)}", "-T", str(self.file(data)),
                  payload_hash=hashlib.sha256(data).hexdigest())

    def get_range(self, bucket, key, first, last):
        end = "" if last is None else str(last)
        return self.curl("GET", f"/{bucket}/{quote_key(key)}", "-r", f"{first}-{end}", expect=(206,))[1]

    def head(self, bucket, key):
        _, _, head = self.curl("HEAD", f"/{bucket}/{quote_key(key)}")
        return int(self.header(head, "Content-Length")), self.header(head, "ETag").strip('"')

    def list_v2(self, bucket, prefix):
        return listed_keys(self.curl("GET", f"/{bucket}?list-type=2&prefix={quote_query(prefix)}")[1])

    def copy(self, bucket, source, destination):
        self.curl("PUT", f"/{bucket}/{quote_key(destination)}", "-H", f"x-amz-copy-source: /{bucket}/{quote_key(source)}",
                  "-H", "Content-Length: 0")

    def delete(self, bucket, key):
        self.curl("DELETE", f"/{bucket}/{quote_key(key)}", expect=(204,))

    def delete_many(self, bucket, keys):
        body = delete_xml(keys)
        _, response, _ = self.curl(
            "POST", f"/{bucket}?delete=", "--data-binary", f"@{self.file(body)}", "-H", f"Content-MD5: {content_md5(body)}",
            "-H", "Content-Type: application/xml", payload_hash=hashlib.sha256(body).hexdigest(),
        )
        deleted_keys(response)

    def list_error(self, bucket):
        status, body, _ = self.curl("GET", f"/{bucket}?list-type=2", expect=None)
        return None if status == 200 else error_code_in_xml(body)


class RcloneDriver(Driver):
    """rclone's s3 backend (provider Other, path style), configured through the environment.

    rclone cleans its paths, so keys with empty (`//`) or dot (`..`) segments cannot be named
    through it; and it removes objects one DeleteObject at a time (it never sends DeleteObjects).
    rclone always sends `x-amz-acl` on writes (`private` unless configured); `acl` sets it, by
    default to `bucket-owner-full-control`, the value AWS documents for buckets with ACLs disabled.
    """

    name = "rclone"
    unsupported = {
        "double-slash": "rclone cleans paths: `a//b` is stored as `a/b`",
        "dot-segments": "rclone cleans paths: `a/../b` is stored as `b`",
    }
    sends_delete_objects = False

    def __init__(self, *args: Any, command: list[str], acl: str = "bucket-owner-full-control", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.command = command
        config = self.workdir / "rclone.conf"
        config.write_text("")
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "RCLONE_"))}
        self.env.update({
            "HOME": str(self.workdir),
            "RCLONE_CONFIG": str(config),
            "RCLONE_CONFIG_EMU_TYPE": "s3",
            "RCLONE_CONFIG_EMU_PROVIDER": "Other",
            "RCLONE_CONFIG_EMU_ENV_AUTH": "false",
            "RCLONE_CONFIG_EMU_ACCESS_KEY_ID": self.access_key,
            "RCLONE_CONFIG_EMU_SECRET_ACCESS_KEY": self.secret_key,
            "RCLONE_CONFIG_EMU_ENDPOINT": self.endpoint,
            "RCLONE_CONFIG_EMU_REGION": self.region,
            "RCLONE_CONFIG_EMU_FORCE_PATH_STYLE": "true",
            "RCLONE_CONFIG_EMU_LIST_VERSION": "2",
            "RCLONE_CONFIG_EMU_NO_CHECK_BUCKET": "true",
            "RCLONE_CONFIG_EMU_ACL": acl,
            "RCLONE_RETRIES": "1",
            "RCLONE_LOW_LEVEL_RETRIES": "1",
        })

    def rclone(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[bytes]:
        return self.run([*self.command, *args], env=self.env, check=check)

    def put(self, bucket, key, data):
        self.rclone("copyto", str(self.file(data)), f"emu:{bucket}/{key}")

    def get_range(self, bucket, key, first, last):
        count = [] if last is None else ["--count", str(last - first + 1)]
        return self.rclone("cat", "--offset", str(first), *count, f"emu:{bucket}/{key}").stdout

    def head(self, bucket, key):
        info = json.loads(self.rclone("lsjson", "--stat", "--hash", f"emu:{bucket}/{key}").stdout)
        return info["Size"], info.get("Hashes", {}).get("md5", "")

    def list_v2(self, bucket, prefix):
        listing = json.loads(self.rclone("lsjson", "--recursive", "--files-only", "--fast-list", f"emu:{bucket}").stdout)
        return [item["Path"] for item in listing if item["Path"].startswith(prefix)]

    def copy(self, bucket, source, destination):
        self.rclone("copyto", f"emu:{bucket}/{source}", f"emu:{bucket}/{destination}")

    def delete(self, bucket, key):
        self.rclone("deletefile", f"emu:{bucket}/{key}")

    def delete_many(self, bucket, keys):
        self.rclone("delete", f"emu:{bucket}")

    def list_error(self, bucket):
        result = self.rclone("lsf", f"emu:{bucket}", check=False)
        if result.returncode == 0:
            return None
        stderr = result.stderr.decode()
        match = re.search(r"\b(SignatureDoesNotMatch|InvalidAccessKeyId|AccessDenied|RequestTimeTooSkewed|\w+Exception)\b", stderr)
        return match.group(1) if match else f"unparsed: {stderr[-500:]}"


CLIENT_NAMES = ("boto3", "boto3-python", "awscli", "s3cmd-v4", "s3cmd-v2", "minio", "awscrt", "curl", "rclone")

