"""The `s3emu` command: help, start-up failures, request log lines, --in-memory, --domain, SIGINT."""

from __future__ import annotations

import re
import signal
import socket
import subprocess
import time

import pytest

from s3conf import status_of, unique_name
from s3conf.raw import S3_NS, RawS3

pytestmark = pytest.mark.own_server


@pytest.fixture
def binary(target):
    if not target.is_own_server:
        pytest.skip("checks the s3emu command itself (S3_ENDPOINT is set)")
    return str(target.server.binary)


def run(binary, *args, timeout=20):
    return subprocess.run([binary, *args], capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)


def test_help_lists_the_serve_command(binary):
    result = run(binary, "--help")
    assert result.returncode == 0, result
    assert "serve" in result.stdout


def test_serve_help_explains_every_option(binary):
    result = run(binary, "serve", "--help")
    assert result.returncode == 0, result
    for option in ("--host", "--port", "--data-dir", "--in-memory", "--region", "--log-level", "--domain",
                   "--tls-cert", "--tls-key"):
        assert option in result.stdout, option


def assert_one_line_failure(result):
    assert result.returncode != 0, result
    assert "s3emu ready at" not in result.stdout
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert 1 <= len(lines) <= 3, f"expected a one-line error, got:\n{result.stderr}"
    text = result.stderr.lower()
    for trace_marker in ("fatal error", "stack dump", "backtrace", "0x0000"):
        assert trace_marker not in text, result.stderr


def test_port_already_in_use_is_a_one_line_error(binary, tmp_path):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run(binary, "serve", "--host", "127.0.0.1", "--port", str(port), "--data-dir", str(tmp_path / "d"))
    assert_one_line_failure(result)
    assert str(port) in result.stderr


def test_unusable_data_dir_is_a_one_line_error(binary, tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a directory")
    result = run(binary, "serve", "--port", "0", "--data-dir", str(blocker / "data"))
    assert_one_line_failure(result)


def test_unknown_flag_is_an_error(binary):
    result = run(binary, "serve", "--no-such-flag")
    assert result.returncode != 0
    assert "no-such-flag" in result.stderr
    assert "fatal error" not in result.stderr.lower()


def test_one_log_line_per_request(target, raw, bucket):
    if not target.is_own_server:
        pytest.skip("reads s3emu's log")
    response = raw.request("GET", f"/{bucket}/log-line-probe")
    assert response.status == 404
    request_id = response.header("x-amz-request-id")
    server = target.server
    assert server.log_lines_containing(request_id), "no log line for the request"
    time.sleep(0.1)  # a second line for the same request would come in the same or the next batch
    lines = server.log_lines_containing(request_id)
    assert len(lines) == 1, lines
    line = lines[0]
    assert "GET" in line
    assert f"/{bucket}/log-line-probe" in line
    assert re.search(r"\b404\b", line), line


def test_in_memory_keeps_nothing_across_restarts(private_server, client_factory, tmp_path):
    data_dir = tmp_path / "unused-data-dir"
    server = private_server("memory", data_dir=data_dir, extra_args=("--in-memory",))
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("mem")
    client.create_bucket(Bucket=name)
    client.put_object(Bucket=name, Key="k", Body=b"in memory")
    assert client.get_object(Bucket=name, Key="k")["Body"].read() == b"in memory"
    assert server.stop() == 0, server.diagnostics()
    assert not data_dir.exists() or not any(data_dir.iterdir()), "--in-memory wrote to --data-dir"
    server.start()
    client = client_factory(endpoint=server.endpoint)
    assert name not in [b["Name"] for b in client.list_buckets()["Buckets"]]


def test_custom_domain_virtual_hosted_style(private_server, client_factory):
    server = private_server("domain", extra_args=("--domain", "s3.conformance.test"))
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("dom")
    client.create_bucket(Bucket=name)
    client.put_object(Bucket=name, Key="dir/k", Body=b"custom domain")
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    host = f"{name}.s3.conformance.test:{server.port}"
    got = raw.request("GET", "/dir/k", host=host)
    assert got.status == 200, got
    assert got.body == b"custom domain"
    listing = raw.request("GET", "/?list-type=2", host=host)
    assert listing.xml().findtext(f"{S3_NS}Name") == name
    # localhost keeps working next to the custom domain.
    local = raw.request("GET", "/dir/k", host=f"{name}.localhost:{server.port}")
    assert local.status == 200 and local.body == b"custom domain"


def test_sigint_exits_zero(private_server, client_factory):
    server = private_server("sigint")
    assert status_of(client_factory(endpoint=server.endpoint).list_buckets()) == 200
    server.process.send_signal(signal.SIGINT)
    assert server.process.wait(10) == 0, server.diagnostics()

