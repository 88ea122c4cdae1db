"""The five applications of `shared/scenarios` and helpers for servers started with `--config`.

The application folders here (`orga-server/`, `djave-photos/`, …) and `README.md` are byte-exact
copies of `../shared/scenarios` (test_scenarios.py checks that they still match when that folder
is present), so the suite runs without it. `derived/` holds documents this suite adds: policies
the README describes in words, such as steve-narrow's.

`ConfigServer` is one private `s3emu serve --config FILE` process with its IAM users; it builds
boto3 clients and AWS CLI runners for the root user, each user and anonymous requests.
"""

from __future__ import annotations

import copy
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest
from botocore.exceptions import ClientError

from s3conf.awscli import AwsCli, CliResult, find_aws_command
from s3conf.server import REPO_ROOT, S3EmuServer, ServerStartError, default_binary

HERE = Path(__file__).resolve().parent
SHARED = REPO_ROOT.parent / "shared" / "scenarios"
APPLICATIONS = ("orga-server", "djave-photos", "triage-attachments", "dtool-datasets", "shift-media")

ACCOUNT_ID = "123456789012"
REGION = "us-east-1"
ROOT_KEY = ("test", "test")
AUTHZ_HEADER = "x-s3emu-authz"


def document_text(path: str) -> str:
    """A policy or CORS file of this folder, as text (`"orga-server/user-policy.json"`)."""
    return (HERE / path).read_text("utf-8")


def document(path: str) -> Any:
    """A JSON file of this folder, parsed."""
    return json.loads(document_text(path))


def with_version(policy: dict[str, Any]) -> dict[str, Any]:
    """The policy with `"Version": "2012-10-17"` first, as the dtool fix adds it."""
    fixed = {"Version": "2012-10-17"}
    fixed.update({k: v for k, v in copy.deepcopy(policy).items() if k != "Version"})
    return fixed


def user_arn(name: str) -> str:
    return f"arn:aws:iam::{ACCOUNT_ID}:user/{name}"


def not_allowed(principal_arn: str, action: str, resource: str | None) -> str:
    """AWS's implicit-deny message for a principal of the bucket owner's account."""
    on = f' on resource: "{resource}"' if resource else ""
    return (f"User: {principal_arn} is not authorized to perform: {action}{on} "
            f"because no identity-based policy allows the {action} action")


def explicitly_denied(principal_arn: str, action: str, resource: str, where: str) -> str:
    """AWS's explicit-deny message; `where` is `resource-based` or `identity-based`."""
    return (f'User: {principal_arn} is not authorized to perform: {action} on resource: "{resource}" '
            f"with an explicit deny in {'an' if where[0] in 'aeiou' else 'a'} {where} policy")


def public_policy_blocked(principal_arn: str, bucket: str) -> str:
    """AWS's message when BlockPublicPolicy refuses a public bucket policy."""
    return (f"User: {principal_arn} is not authorized to perform: s3:PutBucketPolicy on resource: "
            f'"arn:aws:s3:::{bucket}" because public policies are blocked by the BlockPublicPolicy '
            "block public access setting.")


@dataclass
class User:
    name: str
    access_key: str
    secret_key: str
    groups: list[str] = field(default_factory=list)
    policies: dict[str, Any] = field(default_factory=dict)

    @property
    def arn(self) -> str:
        return user_arn(self.name)

    def config(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "groups": self.groups,
            "accessKeys": [{"accessKeyId": self.access_key, "secretAccessKey": self.secret_key}],
            "policies": self.policies,
        }


def configuration(users: list[User], groups: dict[str, dict[str, Any]] | None = None,
                  buckets: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A `--config` document (the JSON format of issue 3)."""
    return {
        "accountId": ACCOUNT_ID,
        "rootCredentials": {"accessKeyId": ROOT_KEY[0], "secretAccessKey": ROOT_KEY[1]},
        "groups": [{"name": name, "policies": policies} for name, policies in (groups or {}).items()],
        "users": [user.config() for user in users],
        "buckets": buckets or [],
    }


def make_client(endpoint: str, access_key: str | None, secret_key: str | None, **config: Any) -> Any:
    """boto3 S3, path style, no retries; unsigned (anonymous) when `access_key` is None."""
    import boto3
    from botocore import UNSIGNED
    from botocore.config import Config

    signature = UNSIGNED if access_key is None else "s3v4"
    cfg = Config(
        region_name=REGION,
        signature_version=signature,
        s3={"addressing_style": "path"},
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        **config,
    )
    return boto3.session.Session().client(
        "s3", endpoint_url=endpoint, region_name=REGION,
        aws_access_key_id=access_key or "unused", aws_secret_access_key=secret_key or "unused", config=cfg,
    )


class ConfigServer:
    """A private `s3emu serve --config FILE` and clients for its principals."""

    def __init__(self, server: S3EmuServer, config_path: Path, users: list[User], home: Path) -> None:
        self.server = server
        self.config_path = config_path
        self.users = {user.name: user for user in users}
        self.home = home
        self._clients: dict[str, Any] = {}

    @property
    def endpoint(self) -> str:
        assert self.server.endpoint
        return self.server.endpoint

    def root(self) -> Any:
        return self._client("<root>", *ROOT_KEY)

    def user(self, name: str) -> Any:
        user = self.users[name]
        return self._client(name, user.access_key, user.secret_key)

    def anonymous(self) -> Any:
        return self._client("<anonymous>", None, None)

    def _client(self, cache_key: str, access_key: str | None, secret_key: str | None) -> Any:
        if cache_key not in self._clients:
            self._clients[cache_key] = make_client(self.endpoint, access_key, secret_key)
        return self._clients[cache_key]

    def aws(self, name: str | None = None) -> AwsCli:
        """The AWS CLI as the root user, or as user `name`."""
        command = find_aws_command()
        if command is None:
            from s3conf import CI
            message = "the AWS CLI (aws) is not installed (pip install -r Conformance/requirements.txt)"
            if CI:
                pytest.fail(f"CI=true: {message}", pytrace=False)
            pytest.skip(message)
        key, secret = ROOT_KEY if name is None else (self.users[name].access_key, self.users[name].secret_key)
        return AwsCli(command, self.endpoint, key, secret, REGION, self.home / f"awscli-{name or 'root'}")

    def url(self, bucket: str, key: str = "") -> str:
        from urllib.parse import quote
        return f"{self.endpoint}/{bucket}" + (f"/{quote(key, safe='/~')}" if key else "")


def start_config_server(tmp_path_factory: pytest.TempPathFactory, name: str, users: list[User],
                        groups: dict[str, dict[str, Any]] | None = None,
                        buckets: list[dict[str, Any]] | None = None) -> ConfigServer:
    """Writes the configuration and starts `s3emu serve --config` on it (fails the test if it cannot)."""
    root = tmp_path_factory.mktemp(name)
    config_path = root / "s3emu.json"
    config_path.write_text(json.dumps(configuration(users, groups, buckets), indent=2) + "\n")
    server = S3EmuServer(default_binary(), root / "data", root / "logs", region=REGION,
                         extra_args=("--config", str(config_path)), name=name)
    try:
        server.start(timeout=30)
    except ServerStartError as error:
        pytest.fail(f"{error}\nconfig: {config_path}", pytrace=False)
    _log_tails().append(server)
    return ConfigServer(server, config_path, users, root)


def stop_config_server(config_server: ConfigServer) -> None:
    """SIGTERM; the server must exit 0, as the session server must."""
    tails = _log_tails()
    if config_server.server in tails:
        tails.remove(config_server.server)
    code = config_server.server.stop(timeout=10)
    if code != 0:
        pytest.fail(f"{config_server.server.name} exited with status {code} on SIGTERM\n"
                    f"{config_server.server.diagnostics()}", pytrace=False)


def _log_tails() -> list[S3EmuServer]:
    """conftest's list of servers whose log tail is attached to a failing test's report."""
    conftest = sys.modules.get("conftest")
    tails = getattr(conftest, "_log_tail_servers", None)
    return tails if isinstance(tails, list) else []


# -------------------------------------------------------------------------------------------------
# Outcomes
# -------------------------------------------------------------------------------------------------


def authz_of(response: dict[str, Any]) -> str | None:
    return response.get("ResponseMetadata", {}).get("HTTPHeaders", {}).get(AUTHZ_HEADER)


def allowed(call: Callable[..., Any], *args: Any, **kwargs: Any) -> Any:
    """Calls a boto3 operation that must succeed; the response must explain itself in x-s3emu-authz."""
    try:
        response = call(*args, **kwargs)
    except ClientError as error:
        raise AssertionError(
            f"expected the request to be allowed, got {error.response.get('Error')} "
            f"{AUTHZ_HEADER}={authz_of(error.response)!r}"
        ) from None
    status = response["ResponseMetadata"]["HTTPStatusCode"]
    assert 200 <= status < 300, response
    assert authz_of(response), f"allowed response without {AUTHZ_HEADER}: {response['ResponseMetadata']}"
    return response


def denied(call: Callable[..., Any], *args: Any, message: str, authz: str | None = None,
           code: str = "AccessDenied", status: int = 403, **kwargs: Any) -> dict[str, Any]:
    """Calls a boto3 operation that must be refused with AccessDenied and exactly `message`.

    The refusal must carry `x-s3emu-authz`; `authz` is a piece of text it must contain.
    """
    try:
        response = call(*args, **kwargs)
    except ClientError as error:
        got = error.response
        header = authz_of(got)
        got_code = got.get("Error", {}).get("Code")
        got_status = got.get("ResponseMetadata", {}).get("HTTPStatusCode")
        assert (got_code, got_status) == (code, status), (
            f"expected {code} ({status}), got {got_code} ({got_status}): {got.get('Error')} "
            f"{AUTHZ_HEADER}={header!r}"
        )
        assert got["Error"].get("Message") == message, (
            f"message:\n  expected {message!r}\n  got      {got['Error'].get('Message')!r}\n"
            f"{AUTHZ_HEADER}={header!r}"
        )
        assert header, f"{code} without {AUTHZ_HEADER}: {got['ResponseMetadata']}"
        if authz is not None:
            assert authz in header, f"{AUTHZ_HEADER} should contain {authz!r}, got {header!r}"
        return got
    raise AssertionError(f"expected {code}, but the request was allowed: {response.get('ResponseMetadata')}")


def cli_denied(result: CliResult, operation: str, message: str) -> None:
    """An AWS CLI call that must have failed with AccessDenied and `message`."""
    assert result.returncode != 0, result
    assert result.error_code() == "AccessDenied", result
    pattern = (rf"An error occurred \(AccessDenied\) when calling the {operation} operation"
               rf"(?: \(reached max retries: \d+\))?: {re.escape(message)}\s*$")
    assert re.search(pattern, result.stderr), f"expected AccessDenied with {message!r} in\n{result.stderr}"
