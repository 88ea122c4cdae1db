"""Fixtures for the s3emu conformance suite.

By default a private `s3emu serve --port 0` is started for the session. With `S3_ENDPOINT` set
(plus `S3_ACCESS_KEY`, `S3_SECRET_KEY`, `S3_REGION`) the suite runs against that endpoint instead,
and tests that must restart or kill the server are skipped.
"""

from __future__ import annotations

import importlib
import itertools
import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import urlsplit, urlunsplit

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from s3conf import CI, create_bucket, empty_bucket, unique_name  # noqa: E402
from s3conf.server import S3EmuServer, ServerStartError, default_binary  # noqa: E402

# Keep the developer's own AWS configuration out of every client this suite starts.
_SCRUBBED_ENV = {k: os.environ.pop(k) for k in list(os.environ) if k.startswith("AWS_")}
os.environ["AWS_CONFIG_FILE"] = os.devnull
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = os.devnull
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"

# Clients the suite drives. Under CI=true a missing one is a failure, locally a skip.
REQUIRED_MODULES = ("boto3", "botocore", "requests", "awscrt")

_log_tail_servers: list[S3EmuServer] = []


def _missing(what: str) -> None:
    """A client or tool is missing: fail under CI, skip locally."""
    message = f"{what} is not installed (pip install -r Conformance/requirements.txt)"
    if CI:
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


def require_module(name: str) -> Any:
    try:
        return importlib.import_module(name)
    except ImportError:
        _missing(f"python module {name!r}")


@dataclass
class Target:
    endpoint: str
    access_key: str
    secret_key: str
    region: str
    server: S3EmuServer | None  # None when S3_ENDPOINT points elsewhere

    @property
    def is_own_server(self) -> bool:
        return self.server is not None


def make_client(endpoint: str, access_key: str, secret_key: str, region: str,
                addressing_style: str = "path", **config: Any) -> Any:
    boto3 = require_module("boto3")
    from botocore.config import Config

    cfg = Config(
        region_name=region,
        signature_version="s3v4",
        s3={"addressing_style": addressing_style},
        retries={"total_max_attempts": 1, "mode": "standard"},
        connect_timeout=10,
        read_timeout=60,
        max_pool_connections=32,
        **config,
    )
    session = boto3.session.Session()
    return session.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=access_key,
        aws_secret_access_key=secret_key,
        region_name=region,
        config=cfg,
    )


# ---------------------------------------------------------------------------------------------
# Session: the endpoint under test
# ---------------------------------------------------------------------------------------------


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "slow: takes more than a few seconds (still runs in CI)")
    config.addinivalue_line("markers", "own_server: starts, restarts or kills its own s3emu process")


def pytest_report_header(config: pytest.Config) -> list[str]:
    lines = []
    if os.environ.get("S3_ENDPOINT"):
        lines.append(f"s3 endpoint: {os.environ['S3_ENDPOINT']} (external)")
    else:
        lines.append(f"s3emu binary: {default_binary()}")
    versions = []
    for name in ("boto3", "botocore", "awscli", "awscrt", "requests"):
        try:
            versions.append(f"{name} {importlib.import_module(name).__version__}")
        except Exception:  # noqa: BLE001
            versions.append(f"{name} missing")
    lines.append("clients: " + ", ".join(versions))
    lines.append(f"CI: {CI}")
    return lines


@pytest.fixture(scope="session", autouse=True)
def required_clients() -> None:
    """Under CI=true every client the suite uses must be present (a failure, not a skip)."""
    if not CI:
        return
    from s3conf.awscli import find_aws_command

    missing = []
    for name in REQUIRED_MODULES:
        try:
            importlib.import_module(name)
        except ImportError:
            missing.append(f"python module {name}")
    if find_aws_command() is None:
        missing.append("aws CLI")
    if missing:
        pytest.fail("CI=true and required clients are missing: " + ", ".join(missing), pytrace=False)


@pytest.fixture(scope="session")
def target(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Target]:
    endpoint = os.environ.get("S3_ENDPOINT")
    if endpoint:
        yield Target(
            endpoint=endpoint.rstrip("/"),
            access_key=os.environ.get("S3_ACCESS_KEY", "test"),
            secret_key=os.environ.get("S3_SECRET_KEY", "test"),
            region=os.environ.get("S3_REGION", "us-east-1"),
            server=None,
        )
        return
    root = tmp_path_factory.mktemp("s3emu-session")
    server = S3EmuServer(default_binary(), root / "data", root / "logs", name="s3emu-session")
    try:
        server.start(timeout=30)
    except ServerStartError as error:
        pytest.fail(str(error), pytrace=False)
    _log_tail_servers.append(server)
    try:
        yield Target(server.endpoint or "", "test", "test", "us-east-1", server)
    finally:
        _log_tail_servers.remove(server)
        code = server.stop(timeout=10)
        if code != 0:
            pytest.fail(
                f"s3emu exited with status {code} on SIGTERM (expected 0)\n{server.diagnostics()}",
                pytrace=False,
            )


@pytest.fixture(autouse=True)
def _server_still_alive(request: pytest.FixtureRequest) -> Iterator[None]:
    """Fail the test during which the session server died (a crash is never a pass)."""
    yield
    if "target" not in request.fixturenames:
        return
    tgt: Target = request.getfixturevalue("target")
    if tgt.server is not None and not tgt.server.is_running():
        pytest.fail(
            f"s3emu session server died (status {tgt.server.process.returncode}) during this test\n"
            f"{tgt.server.diagnostics()}",
            pytrace=False,
        )


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]):  # type: ignore[no-untyped-def]
    outcome = yield
    report = outcome.get_result()
    if report.failed and _log_tail_servers:
        tail = _log_tail_servers[-1].stderr_text().splitlines()[-15:]
        if tail:
            report.sections.append(("s3emu log (tail)", "\n".join(tail)))


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def s3(target: Target) -> Any:
    """boto3 S3 client: path style, SigV4, no retries, default checksum behaviour."""
    return make_client(target.endpoint, target.access_key, target.secret_key, target.region)


@pytest.fixture(scope="session")
def client_factory(target: Target) -> Callable[..., Any]:
    """Build another boto3 client for the target (`endpoint=` to point at a private server)."""

    def build(endpoint: str | None = None, region: str | None = None, **kwargs: Any) -> Any:
        return make_client(endpoint or target.endpoint, target.access_key, target.secret_key,
                           region or target.region, **kwargs)

    return build


@pytest.fixture(scope="session")
def virtual_client(target: Target) -> Any:
    """boto3 with virtual-hosted addressing (`http://bucket.localhost:PORT/key`).

    `*.localhost` does not resolve everywhere, so for our own server the request is signed for
    `bucket.localhost:PORT` and then sent to 127.0.0.1 with that Host header.
    """
    if not target.is_own_server:
        return make_client(target.endpoint, target.access_key, target.secret_key, target.region,
                           addressing_style="virtual")
    port = urlsplit(target.endpoint).port
    client = make_client(f"http://localhost:{port}", target.access_key, target.secret_key,
                         target.region, addressing_style="virtual")

    def redirect(request: Any, **_: Any) -> None:
        parts = urlsplit(request.url)
        request.headers["Host"] = parts.netloc
        request.url = urlunsplit((parts.scheme, f"127.0.0.1:{port}", parts.path, parts.query, ""))

    client.meta.events.register_first("before-send.s3", redirect)
    return client


@pytest.fixture(scope="session")
def raw(target: Target):  # type: ignore[no-untyped-def]
    """Byte-exact signed HTTP requests (botocore signer, http.client transport)."""
    from s3conf.raw import RawS3

    return RawS3(target.endpoint, target.access_key, target.secret_key, target.region)


@pytest.fixture(scope="session")
def aws(target: Target, tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The AWS CLI with an isolated config, JSON output (`aws.s3api(...)`, `aws.s3(...)`)."""
    from s3conf.awscli import AwsCli, find_aws_command

    command = find_aws_command()
    if command is None:
        _missing("the AWS CLI (aws)")
    return AwsCli(command, target.endpoint, target.access_key, target.secret_key, target.region,
                  tmp_path_factory.mktemp("awscli-home"))


# ---------------------------------------------------------------------------------------------
# Buckets
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def bucket_factory(s3: Any, target: Target) -> Iterator[Callable[..., str]]:
    """Create uniquely named buckets; all are emptied and deleted after the test."""
    created: list[str] = []

    def create(prefix: str = "conf") -> str:
        name = unique_name(prefix)
        create_bucket(s3, name, target.region)
        created.append(name)
        return name

    yield create
    for name in created:
        try:
            empty_bucket(s3, name)
            s3.delete_bucket(Bucket=name)
        except Exception:  # noqa: BLE001 - clean-up is best effort; the test already ran
            pass


@pytest.fixture
def bucket(bucket_factory: Callable[..., str]) -> str:
    """A fresh, empty bucket for this test."""
    return bucket_factory()


_key_counter = itertools.count()


@pytest.fixture
def key() -> str:
    """A fresh object key."""
    return f"obj-{next(_key_counter)}-{os.getpid()}.bin"


# ---------------------------------------------------------------------------------------------
# Private servers (restart / kill -9)
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def private_server(target: Target, tmp_path: Path) -> Iterator[Callable[..., S3EmuServer]]:
    """Start extra s3emu processes with their own data dir; stopped after the test.

    Skipped when the suite runs against an external S3_ENDPOINT.
    """
    if not target.is_own_server:
        pytest.skip("needs its own s3emu process (S3_ENDPOINT is set)")
    servers: list[S3EmuServer] = []

    def start(name: str = "private", region: str = "us-east-1", data_dir: Path | None = None,
              extra_args: tuple[str, ...] = ()) -> S3EmuServer:
        server = S3EmuServer(
            default_binary(),
            data_dir or (tmp_path / f"{name}-data"),
            tmp_path / "logs",
            region=region,
            extra_args=extra_args,
            name=f"{name}-{len(servers)}",
        )
        servers.append(server)
        _log_tail_servers.append(server)
        try:
            server.start(timeout=30)
        except ServerStartError as error:
            pytest.fail(str(error), pytrace=False)
        return server

    yield start
    for server in servers:
        _log_tail_servers.remove(server)
        server.kill()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    for server in list(_log_tail_servers):
        server.kill()
