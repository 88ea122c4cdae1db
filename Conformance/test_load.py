"""Load: 64 concurrent clients of mixed operations for 60 s against one server.

Every request must succeed with the status S3 gives; the server's resident memory and open file
descriptors (from /proc) must not grow between the first and the last 10 s beyond the stated
tolerance (memory by the windows' peaks, descriptors by their medians), and the descriptors must
return to a handful once the clients have gone; p50 and p99 latencies are printed per operation
(run pytest with -s, or read the captured output of the test). `S3EMU_LOAD_SECONDS` changes
the duration.

The clients are raw SigV4 requests (botocore's signer) over one keep-alive connection per client,
so the load is the server's, not the client library's.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import random
import statistics
import threading
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from s3conf import unique_name
from s3conf.checksums import content_md5
from s3conf.raw import S3_NS, RawS3, quote_key

pytestmark = [pytest.mark.own_server, pytest.mark.slow, pytest.mark.timeout(900)]

SECONDS = float(os.environ.get("S3EMU_LOAD_SECONDS", "60"))
CLIENTS = 64
WINDOW = 10.0  # seconds compared at the start and the end
# Tolerances: the last window's peak may exceed the first window's by this much and no more.
RSS_TOLERANCE_FRACTION = 0.25
RSS_TOLERANCE_BYTES = 24 * 1024 * 1024
FD_TOLERANCE = 16


@dataclass
class Results:
    lock: threading.Lock = field(default_factory=threading.Lock)
    latencies: dict[str, list[float]] = field(default_factory=dict)
    errors: list[str] = field(default_factory=list)

    def record(self, operation: str, seconds: float) -> None:
        with self.lock:
            self.latencies.setdefault(operation, []).append(seconds)


class Client:
    """One keep-alive connection, signed requests, latency recorded per operation."""

    def __init__(self, raw: RawS3, results: Results) -> None:
        self.raw = raw
        self.results = results
        self.connection: http.client.HTTPConnection | None = None

    def request(self, operation: str, method: str, target: str, expected: int,
                headers: dict[str, str] | None = None, body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
        signed = self.raw.signed_headers(method, target, headers, body)
        if body or method in ("PUT", "POST"):
            signed["Content-Length"] = str(len(body))
        started = time.perf_counter()
        for attempt in range(2):
            if self.connection is None:
                self.connection = self.raw.connection(timeout=60)
            try:
                self.connection.putrequest(method, target, skip_host=True, skip_accept_encoding=True)
                for name, value in signed.items():
                    self.connection.putheader(name, value)
                self.connection.endheaders(body if body else None)
                response = self.connection.getresponse()
                data = response.read()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError) as error:
                # A keep-alive connection the server closed while idle: S3 clients retry these once.
                self.connection.close()
                self.connection = None
                if attempt == 1:
                    raise AssertionError(f"{operation}: {error!r}") from error
        self.results.record(operation, time.perf_counter() - started)
        if response.status != expected:
            raise AssertionError(f"{operation} {method} {target}: {response.status} {data[:300]!r}")
        if response.getheader("Connection", "").lower() == "close":
            self.connection.close()
            self.connection = None
        return response.status, {k.lower(): v for k, v in response.getheaders()}, data


def client_loop(number: int, raw: RawS3, bucket: str, deadline: float, results: Results) -> None:
    rng = random.Random(number)
    client = Client(raw, results)
    mine: dict[str, str] = {}  # key -> md5 of this client's objects (one writer per key)
    etags: dict[str, str] = {}  # key -> its ETag
    counter = 0
    try:
        while time.monotonic() < deadline:
            counter += 1
            roll = rng.random()
            if roll < 0.25 or not mine:
                key = f"c{number}/{counter % 40}"
                body = rng.randbytes(rng.choice([0, 100, 4096, 64 * 1024, 256 * 1024]))
                client.request("PutObject", "PUT", f"/{bucket}/{quote_key(key)}", 200, {"Content-Type": "application/x-load"}, body)
                mine[key] = hashlib.md5(body).hexdigest()
                etags[key] = f'"{mine[key]}"'
            elif roll < 0.50:
                key = rng.choice(list(mine))
                _, headers, data = client.request("GetObject", "GET", f"/{bucket}/{quote_key(key)}", 200)
                assert hashlib.md5(data).hexdigest() == mine[key], f"GetObject {key}: wrong bytes"
            elif roll < 0.60:
                key = rng.choice(list(mine))
                _, headers, _ = client.request("HeadObject", "HEAD", f"/{bucket}/{quote_key(key)}", 200)
                assert headers["etag"] == etags[key], key
            elif roll < 0.70:
                _, _, data = client.request("ListObjectsV2", "GET", f"/{bucket}?list-type=2&prefix=c{number}%2F&max-keys=50", 200)
                assert b"<ListBucketResult" in data
            elif roll < 0.78:
                key = rng.choice(list(mine))
                client.request("DeleteObject", "DELETE", f"/{bucket}/{quote_key(key)}", 204)
                del mine[key]
            elif roll < 0.88:
                key = f"c{number}/copy-{counter % 10}"
                source = rng.choice([k for k in mine if k != key] or [key])
                if source == key:
                    continue
                _, _, data = client.request("CopyObject", "PUT", f"/{bucket}/{quote_key(key)}", 200,
                                            {"x-amz-copy-source": f"/{bucket}/{quote_key(source)}"})
                assert b"<CopyObjectResult" in data, data[:300]
                mine[key] = mine[source]
                # A copy is stored in one piece: its ETag is its own (an MD5 even when the source was multipart).
                etags[key] = ET.fromstring(data).findtext(f"{S3_NS}ETag")
                assert etags[key] in (etags[source], f'"{mine[key]}"'), (etags[key], etags[source])
            elif roll < 0.93:
                document = ("<Delete><Quiet>true</Quiet>" + "".join(
                    f"<Object><Key>{k}</Key></Object>" for k in list(mine)[:3]) + "</Delete>").encode()
                _, _, data = client.request("DeleteObjects", "POST", f"/{bucket}?delete", 200,
                                            {"Content-MD5": content_md5(document)}, document)
                assert b"<Error>" not in data, data[:300]
                for k in list(mine)[:3]:
                    del mine[k]
            else:
                key = f"c{number}/mp-{counter % 5}"
                path = f"/{bucket}/{quote_key(key)}"
                _, _, data = client.request("CreateMultipartUpload", "POST", path + "?uploads", 200)
                upload_id = data.split(b"<UploadId>")[1].split(b"</UploadId>")[0].decode()
                parts = [rng.randbytes(rng.choice([1000, 100 * 1024])) for _ in range(rng.choice([1, 2]))]
                if len(parts) == 2:
                    parts[0] = rng.randbytes(5 * 1024 * 1024)
                part_etags = []
                for n, part in enumerate(parts, start=1):
                    _, headers, _ = client.request("UploadPart", "PUT", f"{path}?partNumber={n}&uploadId={upload_id}", 200, {}, part)
                    part_etags.append(headers["etag"])
                document = ("<CompleteMultipartUpload>" + "".join(
                    f"<Part><PartNumber>{n}</PartNumber><ETag>{e}</ETag></Part>" for n, e in enumerate(part_etags, start=1))
                    + "</CompleteMultipartUpload>").encode()
                _, _, data = client.request("CompleteMultipartUpload", "POST", f"{path}?uploadId={upload_id}", 200, {}, document)
                assert b"<CompleteMultipartUploadResult" in data, data[:300]
                mine[key] = hashlib.md5(b"".join(parts)).hexdigest()
                digests = b"".join(hashlib.md5(part).digest() for part in parts)
                etags[key] = f'"{hashlib.md5(digests).hexdigest()}-{len(parts)}"'
                assert etags[key].strip('"').encode() in data, (etags[key], data[:300])
    except Exception as error:  # noqa: BLE001
        with results.lock:
            results.errors.append(f"client {number}: {error}")
    finally:
        if client.connection is not None:
            client.connection.close()


def sample_process(pid: int) -> tuple[int, int]:
    """(resident bytes, open file descriptors) of a process, from /proc."""
    rss = 0
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            rss = int(line.split()[1]) * 1024
    return rss, len(os.listdir(f"/proc/{pid}/fd"))


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(fraction * (len(ordered) - 1))))]


def test_64_clients_of_mixed_operations_for_60_seconds(private_server):
    if not Path("/proc/self/status").exists():
        pytest.skip("needs /proc to read the server's memory and file descriptors")
    server = private_server("load")
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    bucket = unique_name("load")
    assert raw.request("PUT", f"/{bucket}").status == 200

    _, baseline_fds = sample_process(server.pid)
    results = Results()
    samples: list[tuple[float, int, int]] = []
    started = time.monotonic()
    deadline = started + SECONDS
    threads = [threading.Thread(target=client_loop, args=(n, raw, bucket, deadline, results), daemon=True)
               for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    while time.monotonic() < deadline:
        rss, fds = sample_process(server.pid)
        samples.append((time.monotonic() - started, rss, fds))
        time.sleep(0.5)
    for thread in threads:
        thread.join(120)
        assert not thread.is_alive(), "a client hung"
    assert server.is_running(), server.diagnostics()

    total = sum(len(v) for v in results.latencies.values())
    lines = [f"\nload: {CLIENTS} clients, {SECONDS:.0f} s, {total} requests ({total / SECONDS:.0f}/s), "
             f"{len(results.errors)} errors"]
    everything = [x for values in results.latencies.values() for x in values]
    for operation, values in sorted(results.latencies.items()) + [("all", everything)]:
        if values:
            lines.append(f"  {operation:24} n={len(values):6}  p50={percentile(values, 0.5) * 1000:7.1f} ms"
                         f"  p99={percentile(values, 0.99) * 1000:7.1f} ms")
    first = [s for s in samples if s[0] <= WINDOW]
    last = [s for s in samples if s[0] >= SECONDS - WINDOW]
    first_rss, last_rss = max(s[1] for s in first), max(s[1] for s in last)
    # Descriptors are compared by the windows' medians: a leak raises the whole window, while
    # the peak is mostly how many files happened to be open mid-request at one sample (up to
    # two per client: a copy's source and its new blob).
    first_fds, last_fds = statistics.median(s[2] for s in first), statistics.median(s[2] for s in last)
    lines.append(f"  RSS peak: first {WINDOW:.0f} s {first_rss / 2**20:.1f} MiB, last {WINDOW:.0f} s {last_rss / 2**20:.1f} MiB"
                 f" (median {statistics.median(s[1] for s in first) / 2**20:.1f} → {statistics.median(s[1] for s in last) / 2**20:.1f})")
    lines.append(f"  open fds median: first {first_fds:.0f}, last {last_fds:.0f}"
                 f" (peak {max(s[2] for s in first)} → {max(s[2] for s in last)})")
    print("\n".join(lines))

    assert not results.errors, results.errors[:10]
    assert total >= CLIENTS * 10, f"only {total} requests in {SECONDS} s; the load proved little"
    assert last_rss <= first_rss * (1 + RSS_TOLERANCE_FRACTION) + RSS_TOLERANCE_BYTES, (
        f"resident memory grew from {first_rss / 2**20:.1f} MiB to {last_rss / 2**20:.1f} MiB"
    )
    assert last_fds <= first_fds + FD_TOLERANCE, f"open file descriptors grew from {first_fds} to {last_fds}"
    # Nothing leaks past the load either: with the clients gone, descriptors return to a handful.
    time.sleep(1)
    _, idle_fds = sample_process(server.pid)
    assert idle_fds <= baseline_fds + FD_TOLERANCE, f"{idle_fds} descriptors open after the clients left"
