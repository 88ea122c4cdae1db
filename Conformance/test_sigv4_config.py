"""Identities from `s3emu serve --config FILE` and the credential options: users' keys
authenticate, root credentials come from flags, environment or file in that order, and a bad
file is refused at start with one line naming the file, the JSON path and the problem.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest

from s3conf import expect_error, unique_name

pytestmark = pytest.mark.own_server

USER_KEY = "AKIASHIFT0000000001"
USER_SECRET = "shift-secret+/=with spaces"
SEEDED_BUCKET = "shift-media-bucket"

CONFIG: dict[str, Any] = {
    "accountId": "111122223333",
    "rootCredentials": {"accessKeyId": "file-root", "secretAccessKey": "file-root-secret"},
    "groups": [{"name": "media-uploaders", "policies": {"media": {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": ["s3:PutObject", "s3:GetObject"], "Resource": f"arn:aws:s3:::{SEEDED_BUCKET}/*"},
    ]}}}],
    "users": [{
        "name": "shift", "groups": ["media-uploaders"],
        "accessKeys": [{"accessKeyId": USER_KEY, "secretAccessKey": USER_SECRET}],
        "policies": {"list": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{SEEDED_BUCKET}"},
        ]}},
    }],
    "buckets": [{
        "name": SEEDED_BUCKET,
        "publicAccessBlock": {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                              "BlockPublicPolicy": True, "RestrictPublicBuckets": True},
        "objectOwnership": "BucketOwnerEnforced",
        "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"]}],
    }],
}


def write_config(tmp_path: Path, config: dict[str, Any] | str, name: str = "s3emu.json") -> Path:
    path = tmp_path / name
    path.write_text(config if isinstance(config, str) else json.dumps(config, indent=2))
    return path


def outcome(client: Any, call: str, **params: Any) -> str:
    """`ok` or the S3 error code of one boto3 call."""
    from botocore.exceptions import ClientError

    try:
        getattr(client, call)(**params)
    except ClientError as error:
        return error.response["Error"]["Code"]
    return "ok"


@pytest.fixture
def configured(private_server, tmp_path):
    return private_server("config", extra_args=("--config", str(write_config(tmp_path, CONFIG))))


def _client(endpoint: str, access_key: str, secret_key: str) -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, aws_access_key_id=access_key, aws_secret_access_key=secret_key,
        region_name="us-east-1", config=Config(s3={"addressing_style": "path"}, retries={"total_max_attempts": 1}))


def test_user_access_key_from_the_config_file_authenticates(configured) -> None:
    bucket = unique_name("cfg")
    _client(configured.endpoint, "file-root", "file-root-secret").create_bucket(Bucket=bucket)
    user = _client(configured.endpoint, USER_KEY, USER_SECRET)
    # Whatever authorization decides, the key and its signature are accepted.
    for call, params in [("list_buckets", {}), ("list_objects_v2", {"Bucket": bucket}),
                         ("put_object", {"Bucket": bucket, "Key": "k", "Body": b"x"})]:
        assert outcome(user, call, **params) in ("ok", "AccessDenied"), call


def test_user_access_key_with_a_wrong_secret_is_signature_does_not_match(configured) -> None:
    expect_error("SignatureDoesNotMatch", 403, _client(configured.endpoint, USER_KEY, "wrong").list_buckets)


def test_root_credentials_come_from_the_config_file(configured) -> None:
    assert outcome(_client(configured.endpoint, "file-root", "file-root-secret"), "list_buckets") == "ok"
    assert outcome(_client(configured.endpoint, "test", "test"), "list_buckets") == "InvalidAccessKeyId"


def test_buckets_declared_in_the_config_file_exist_at_start(configured) -> None:
    root = _client(configured.endpoint, "file-root", "file-root-secret")
    assert SEEDED_BUCKET in [b["Name"] for b in root.list_buckets()["Buckets"]]
    assert root.head_bucket(Bucket=SEEDED_BUCKET)["ResponseMetadata"]["HTTPStatusCode"] == 200


@pytest.mark.parametrize("source", ["flags", "environment", "flags-over-environment"])
def test_root_credentials_from_flags_and_environment_override_the_file(
    private_server, tmp_path, monkeypatch, source: str
) -> None:
    args = ["--config", str(write_config(tmp_path, CONFIG))]
    if source in ("environment", "flags-over-environment"):
        monkeypatch.setenv("S3EMU_ACCESS_KEY", "env-root")
        monkeypatch.setenv("S3EMU_SECRET_KEY", "env-root-secret")
    if source in ("flags", "flags-over-environment"):
        args += ["--access-key", "flag-root", "--secret-key", "flag-root-secret"]
    server = private_server("credentials", extra_args=tuple(args))
    expected = ("env-root", "env-root-secret") if source == "environment" else ("flag-root", "flag-root-secret")
    assert outcome(_client(server.endpoint, *expected), "list_buckets") == "ok"
    for other in [("file-root", "file-root-secret"), ("env-root", "env-root-secret"), ("test", "test")]:
        if other != expected:
            assert outcome(_client(server.endpoint, *other), "list_buckets") == "InvalidAccessKeyId", other
    # The users of the file are still there.
    assert outcome(_client(server.endpoint, USER_KEY, USER_SECRET), "list_buckets") in ("ok", "AccessDenied")


def test_default_root_credentials_are_test_test(private_server, monkeypatch) -> None:
    monkeypatch.delenv("S3EMU_ACCESS_KEY", raising=False)
    monkeypatch.setenv("S3EMU_SECRET_KEY", "")  # empty counts as unset
    server = private_server("defaults")
    assert outcome(_client(server.endpoint, "test", "test"), "list_buckets") == "ok"


# ---------------------------------------------------------------------------------------------
# Start-up refusals
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def binary(target) -> str:
    if not target.is_own_server:
        pytest.skip("runs the s3emu command (S3_ENDPOINT is set)")
    return str(target.server.binary)


def serve(binary: str, tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    import os

    return subprocess.run(
        [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--data-dir", str(tmp_path / "data"), *args],
        capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL,
        env={**os.environ, **(env or {})},
    )


def assert_refused_with(result: subprocess.CompletedProcess[str], line: str) -> None:
    assert result.returncode == 1, result
    assert "s3emu ready at" not in result.stdout, result
    assert result.stderr.splitlines() == [line], result.stderr


BAD_CONFIGS = [
    pytest.param(
        {"users": [{"name": "a", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "x"}]},
                   {"name": "b", "accessKeys": [{"accessKeyId": "K2"}]}]},
        "users[1].accessKeys[0].secretAccessKey: missing (required)", id="missing-secret"),
    pytest.param(
        {"users": [{"name": "a", "groups": ["editors"]}]},
        'users[0].groups[0]: no group named "editors" is declared in groups', id="unknown-group"),
    pytest.param(
        {"users": [{"name": "a", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "x"}]},
                   {"name": "b", "accessKeys": [{"accessKeyId": "K1", "secretAccessKey": "y"}]}]},
        'users[1].accessKeys[0].accessKeyId: "K1" is already the access key of user "a" '
        "(users[0].accessKeys[0].accessKeyId); access key ids must be unique", id="duplicate-access-key"),
    pytest.param(
        {"buckets": [{"name": "Bad_Bucket"}]},
        'buckets[0].name: "Bad_Bucket" is not a valid bucket name (3 to 63 lowercase letters, digits, \'.\' and \'-\', '
        "a letter or digit at both ends, no '..', not an IP address, no reserved prefix or suffix)", id="bucket-name"),
    pytest.param(
        {"buckets": [{"name": "photos", "policy": {"Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Principal": "*", "Action": "s3:Fly", "Resource": "arn:aws:s3:::photos/*"}]}}]},
        "buckets[0].policy: not a valid bucket policy: Policy has invalid action", id="bucket-policy"),
    pytest.param(
        {"buckets": [{"name": "photos", "cors": [{"AllowedOrigins": ["*"], "AllowedMethods": ["PATCH"]}]}]},
        "buckets[0].cors[0].AllowedMethods[0]: Found unsupported HTTP method in CORS config. Unsupported method is PATCH "
        "(allowed: GET, PUT, POST, DELETE, HEAD)", id="cors-method"),
    pytest.param(
        {"buckets": [{"name": "photos", "objectOwnership": "Anyone"}]},
        'buckets[0].objectOwnership: "Anyone" is not one of BucketOwnerEnforced, BucketOwnerPreferred, ObjectWriter',
        id="object-ownership"),
    pytest.param(
        {"users": [], "colour": "blue"},
        "colour: unknown field (expected accountId, rootCredentials, publicAccessBlock, groups, users or buckets)",
        id="unknown-field"),
    pytest.param(
        '{\n  "users": [\n    {"name": "a",}\n  ]\n}',
        "users[0]: not valid JSON at line 3, column 18: expected a field name in double quotes, found '}'", id="syntax"),
]


@pytest.mark.parametrize("config, message", BAD_CONFIGS)
def test_bad_config_file_is_refused_with_one_line(binary, tmp_path, config, message: str) -> None:
    path = write_config(tmp_path, config)
    assert_refused_with(serve(binary, tmp_path, "--config", str(path)), f"s3emu: {path}: {message}")


def test_missing_config_file_is_refused_with_one_line(binary, tmp_path) -> None:
    path = tmp_path / "nowhere.json"
    assert_refused_with(serve(binary, tmp_path, "--config", str(path)),
                        f"s3emu: {path}: cannot read the file: No such file or directory")


def test_root_key_colliding_with_a_user_key_is_refused(binary, tmp_path) -> None:
    path = write_config(tmp_path, {"users": [{"name": "a", "accessKeys": [{"accessKeyId": "ci-key", "secretAccessKey": "x"}]}]})
    assert_refused_with(
        serve(binary, tmp_path, "--config", str(path), env={"S3EMU_ACCESS_KEY": "ci-key"}),
        f's3emu: {path}: users[0].accessKeys[0].accessKeyId: "ci-key" is also the root user\'s access key '
        "(S3EMU_ACCESS_KEY); access key ids must be unique",
    )


@pytest.mark.parametrize("args, env, line", [
    (("--account-id", "1234"), {}, 's3emu: --account-id: "1234" is not an AWS account id (12 digits)'),
    (("--access-key", "has space"), {},
     "s3emu: --access-key: \"has space\" is not an access key id: use only letters, digits, '_', '-' and '.'"),
    ((), {"S3EMU_ACCESS_KEY": "a/b"},
     "s3emu: S3EMU_ACCESS_KEY: \"a/b\" is not an access key id: use only letters, digits, '_', '-' and '.'"),
    ((), {"S3EMU_SECRET_KEY": "tab\tsecret"}, "s3emu: S3EMU_SECRET_KEY: a secret access key cannot contain control characters"),
])
def test_bad_credential_options_are_refused_with_one_line(binary, tmp_path, args, env, line) -> None:
    assert_refused_with(serve(binary, tmp_path, *args, env=env), line)


def test_unusable_data_directory_names_the_reason(binary, tmp_path) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("")
    result = subprocess.run([binary, "serve", "--port", "0", "--data-dir", str(blocker / "data")],
                            capture_output=True, text=True, timeout=30, stdin=subprocess.DEVNULL)
    assert_refused_with(result, f"s3emu: cannot open the data directory {blocker / 'data'}: Not a directory")


def test_serve_help_explains_every_credential_option(binary) -> None:
    result = subprocess.run([binary, "serve", "--help"], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0, result
    for text in ("--config <file>", "--access-key <id>", "--secret-key <secret>", "--account-id <id>",
                 "S3EMU_ACCESS_KEY", "S3EMU_SECRET_KEY"):
        assert text in result.stdout, text


def test_config_bucket_names_are_checked_like_create_bucket(binary, tmp_path) -> None:
    name = unique_name("ok")
    path = write_config(tmp_path, {"buckets": [{"name": name}, {"name": name}]})
    assert_refused_with(serve(binary, tmp_path, "--config", str(path)),
                        f's3emu: {path}: buckets[1].name: the bucket "{name}" is declared twice (first at buckets[0])')
