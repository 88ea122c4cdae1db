"""Security defaults of `s3emu serve`: it listens on 127.0.0.1 unless --host says otherwise.

The listening socket is read from the kernel's own table (/proc/net/tcp, /proc/net/tcp6), so
the test sees the address actually bound, not what the ready line claims.
"""

from __future__ import annotations

import socket
import subprocess
import threading
from pathlib import Path
from typing import Any

import pytest

from s3conf.server import READY_LINE, default_binary

pytestmark = pytest.mark.own_server


def listening_addresses(port: int) -> set[str]:
    """The local addresses with a socket in LISTEN state on `port` ("127.0.0.1", "0.0.0.0", "::1", "::")."""
    found: set[str] = set()
    for table, family in (("/proc/net/tcp", socket.AF_INET), ("/proc/net/tcp6", socket.AF_INET6)):
        path = Path(table)
        if not path.exists():
            continue
        for line in path.read_text().splitlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            address_hex, port_hex = local.split(":")
            if state != "0A" or int(port_hex, 16) != port:
                continue
            raw = bytes.fromhex(address_hex)
            # The kernel prints each 32-bit word in host (little-endian) order.
            packed = b"".join(raw[i:i + 4][::-1] for i in range(0, len(raw), 4))
            found.add(socket.inet_ntop(family, packed))
    return found


class Serve:
    """`s3emu serve` with the given arguments, until stopped."""

    def __init__(self, args: list[str], tmp_path: Path) -> None:
        self.process = subprocess.Popen(
            [str(default_binary()), "serve", "--port", "0", "--data-dir", str(tmp_path / "data"), *args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        )
        self.endpoint: str | None = None
        ready = threading.Event()

        def read() -> None:
            assert self.process.stdout is not None
            for raw in iter(self.process.stdout.readline, b""):
                match = READY_LINE.match(raw.decode().strip())
                if match and not ready.is_set():
                    self.endpoint = match.group(1)
                    ready.set()

        threading.Thread(target=read, daemon=True).start()
        if not ready.wait(30):
            self.stop()
            pytest.fail(f"no ready line; stderr: {self.process.stderr.read() if self.process.stderr else ''}")

    @property
    def port(self) -> int:
        assert self.endpoint
        return int(self.endpoint.rsplit(":", 1)[1])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)


@pytest.fixture
def serve(target: Any, tmp_path: Path):  # type: ignore[no-untyped-def]
    if not target.is_own_server:
        pytest.skip("checks the s3emu command itself (S3_ENDPOINT is set)")
    if not Path("/proc/net/tcp").exists():
        pytest.skip("needs Linux's /proc/net/tcp to see the bound address")
    started: list[Serve] = []

    def start(*args: str) -> Serve:
        server = Serve(list(args), tmp_path / str(len(started)))
        started.append(server)
        return server

    yield start
    for server in started:
        server.stop()


def test_serve_listens_on_loopback_only_by_default(serve) -> None:  # type: ignore[no-untyped-def]
    server = serve()
    assert server.endpoint == f"http://127.0.0.1:{server.port}"
    assert listening_addresses(server.port) == {"127.0.0.1"}


def test_host_option_chooses_the_listening_address(serve) -> None:  # type: ignore[no-untyped-def]
    everywhere = serve("--host", "0.0.0.0")
    assert everywhere.endpoint == f"http://0.0.0.0:{everywhere.port}"
    assert listening_addresses(everywhere.port) == {"0.0.0.0"}
    if socket.has_ipv6 and Path("/proc/net/tcp6").exists():
        try:
            with socket.socket(socket.AF_INET6) as probe:
                probe.bind(("::1", 0))
        except OSError:
            return  # no IPv6 loopback on this machine
        six = serve("--host", "::1")
        assert six.endpoint == f"http://[::1]:{six.port}"
        assert listening_addresses(six.port) == {"::1"}
