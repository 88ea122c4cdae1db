"""Bodies stream: a 2 GiB PutObject and GetObject keep the server under 100 MiB resident."""

from __future__ import annotations

import hashlib
import os
import threading
import time

import pytest

from s3conf import unique_name
from s3conf.raw import RawS3

pytestmark = [pytest.mark.own_server, pytest.mark.slow]

SIZE = 2 * 1024 * 1024 * 1024
BLOCK = 1024 * 1024
LIMIT = 100 * 1024 * 1024


def rss_kib(pid: int, field: str) -> int:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1])
    raise AssertionError(f"{field} not in /proc/{pid}/status")


def test_two_gib_put_and_get_stream_within_100_mib(private_server, client_factory):
    if not os.path.exists("/proc/self/status"):
        pytest.skip("needs /proc to read the server's resident memory")
    server = private_server("stream")
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("stream")
    client.create_bucket(Bucket=name)
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    pid = server.pid
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], rss_kib(pid, "VmRSS") * 1024)
            time.sleep(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    block = os.urandom(BLOCK)
    md5 = hashlib.md5()

    def body():
        for i in range(SIZE // BLOCK):
            chunk = block[i % 251:] + block[:i % 251]  # every block differs
            md5.update(chunk)
            yield chunk

    try:
        headers = raw.signed_headers("PUT", f"/{name}/big", {"x-amz-content-sha256": "UNSIGNED-PAYLOAD"})
        headers["Content-Length"] = str(SIZE)
        conn = raw.connection(timeout=600)
        conn.putrequest("PUT", f"/{name}/big", skip_host=True, skip_accept_encoding=True)
        for k, v in headers.items():
            conn.putheader(k, v)
        conn.endheaders()
        for chunk in body():
            conn.send(chunk)
        response = conn.getresponse()
        response.read()
        conn.close()
        assert response.status == 200
        assert response.getheader("ETag") == f'"{md5.hexdigest()}"'

        get_headers = raw.signed_headers("GET", f"/{name}/big")
        conn = raw.connection(timeout=600)
        conn.request("GET", f"/{name}/big", headers=get_headers)
        response = conn.getresponse()
        assert response.status == 200
        got = hashlib.md5()
        received = 0
        while True:
            chunk = response.read(BLOCK)
            if not chunk:
                break
            received += len(chunk)
            got.update(chunk)
        conn.close()
        assert received == SIZE
        assert got.hexdigest() == md5.hexdigest()
    finally:
        stop.set()
        sampler.join(5)
    high_water = rss_kib(pid, "VmHWM") * 1024
    assert max(peak[0], high_water) < LIMIT, (
        f"server resident memory peaked at {max(peak[0], high_water) / 2**20:.0f} MiB (limit 100 MiB)")
    client.delete_object(Bucket=name, Key="big")
