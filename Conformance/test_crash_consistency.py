"""Crash consistency: concurrent writes, `kill -9` at a random moment, restart, check everything.

One test repeats the cycle (50 times by default, `S3EMU_CRASH_ITERATIONS` to change): eight
clients run PutObject (empty to multi-MiB, plain and aws-chunked), overwrites of a small set of
shared keys, CopyObject (COPY and REPLACE metadata), multipart uploads completed onto the shared
keys, DeleteObject and DeleteObjects — in an unversioned bucket and, every other cycle, in one with
versioning enabled; the server is killed with SIGKILL at a random moment and started again on the
same data directory. Then:

- every key holds exactly what one write left there — body, ETag, Content-Type and user metadata
  all of the same write — or nothing after a delete, and that write is one that was acknowledged
  or still in flight at the kill and that no acknowledged write started after it completed;
- every acknowledged write to a key of its own is there;
- no blob file is orphaned after the start-up sweep, none the metadata refers to is missing, and
  no temp file is left;
- SQLite's integrity check passes on the database the crash left.

A request that fails before the kill is a failure of the test.
"""

from __future__ import annotations

import hashlib
import itertools
import os
import random
import threading
from collections import Counter
import time
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

import pytest

from s3conf import unique_name
from s3conf.checksums import aws_chunked, checksum_b64, content_md5
from s3conf.raw import S3_NS, RawS3, quote_key
from s3conf.storage import census, integrity_check

pytestmark = [pytest.mark.own_server, pytest.mark.slow, pytest.mark.timeout(900)]

ITERATIONS = int(os.environ.get("S3EMU_CRASH_ITERATIONS", "50"))
WORKERS = 8
HOT_KEYS = [f"hot/{i}" for i in range(10)]
STABLE_KEYS = [f"stable/{i}" for i in range(3)]
MiB = 1024 * 1024
PART_SIZE = 5 * MiB  # S3's smallest part but the last


@dataclass(frozen=True)
class Version:
    """What a write leaves in a key (or `None` for a delete)."""
    md5: str
    etag: str
    content_type: str
    metadata: tuple[tuple[str, str], ...]


@dataclass
class Op:
    """One write to a key: started at `start`, acknowledged at `end` (None: in flight at the kill)."""
    key: str
    kind: str
    version: Version | None
    start: float
    end: float | None = None


@dataclass
class Ledger:
    lock: threading.Lock = field(default_factory=threading.Lock)
    ops: dict[str, list[Op]] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)
    acknowledged: int = 0

    def begin(self, key: str, kind: str, version: Version | None) -> Op:
        op = Op(key, kind, version, time.monotonic())
        with self.lock:
            self.ops.setdefault(key, []).append(op)
        return op

    def done(self, *ops: Op) -> None:
        now = time.monotonic()
        with self.lock:
            for op in ops:
                op.end = now
                self.acknowledged += 1


def user_metadata(headers: Any) -> tuple[tuple[str, str], ...]:
    return tuple(sorted((k.lower()[len("x-amz-meta-"):], v) for k, v in headers.items()
                        if k.lower().startswith("x-amz-meta-")))


class Workload:
    """The clients of one crash cycle."""

    def __init__(self, raw: RawS3, bucket: str, iteration: int, stable: dict[str, tuple[bytes, Version]],
                 ledger: Ledger) -> None:
        self.raw = raw
        self.bucket = bucket
        self.iteration = iteration
        self.stable = stable
        self.ledger = ledger
        self.killing = threading.Event()
        self.counter = itertools.count()

    # -- helpers ---------------------------------------------------------------------------------

    def body(self, rng: random.Random, size: int) -> bytes:
        tag = f"it{self.iteration}#{next(self.counter)}#".encode()  # every body is unique
        return tag + rng.randbytes(max(0, size - len(tag))) if size else b""

    def new_version(self, rng: random.Random, data: bytes) -> tuple[Version, dict[str, str]]:
        content_type = rng.choice(["application/octet-stream", "text/plain", "image/png", "application/x-crash"])
        metadata = {"op": f"{self.iteration}-{next(self.counter)}", "size": str(len(data))}
        headers = {"Content-Type": content_type, **{f"x-amz-meta-{k}": v for k, v in metadata.items()}}
        md5 = hashlib.md5(data).hexdigest()
        return Version(md5, f'"{md5}"', content_type, tuple(sorted(metadata.items()))), headers

    def path(self, key: str) -> str:
        return f"/{self.bucket}/{quote_key(key)}"

    def check(self, response: Any, expected_status: int, what: str) -> bool:
        if response.status == expected_status:
            return True
        if not self.killing.is_set():
            self.ledger.problems.append(f"{what}: {response.status} {response.body[:300]!r}")
        return False

    # -- operations ------------------------------------------------------------------------------

    def put(self, rng: random.Random, key: str, size: int, chunked: bool) -> None:
        data = self.body(rng, size)
        version, headers = self.new_version(rng, data)
        op = self.ledger.begin(key, "put-chunked" if chunked else "put", version)
        if chunked:
            name = "x-amz-checksum-crc32"
            body = aws_chunked(data, 64 * 1024, name, checksum_b64("crc32", data))
            headers.update({
                "Content-Encoding": "aws-chunked",
                "x-amz-content-sha256": "STREAMING-UNSIGNED-PAYLOAD-TRAILER",
                "x-amz-decoded-content-length": str(len(data)),
                "x-amz-trailer": name,
                "Content-Length": str(len(body)),
            })
        else:
            body = data
        response = self.raw.request("PUT", self.path(key), headers, body)
        if self.check(response, 200, f"PUT {key}"):
            if response.header("ETag") != version.etag:
                self.ledger.problems.append(f"PUT {key}: ETag {response.header('ETag')} != {version.etag}")
            self.ledger.done(op)

    def copy(self, rng: random.Random, key: str) -> None:
        source = rng.choice(STABLE_KEYS)
        data, source_version = self.stable[source]
        headers = {"x-amz-copy-source": f"/{self.bucket}/{quote_key(source)}"}
        if rng.random() < 0.5:
            version = source_version
            headers["x-amz-metadata-directive"] = "COPY"
        else:
            version, replaced = self.new_version(rng, data)
            headers.update(replaced)
            headers["x-amz-metadata-directive"] = "REPLACE"
        op = self.ledger.begin(key, "copy", version)
        response = self.raw.request("PUT", self.path(key), headers)
        if self.check(response, 200, f"CopyObject {source} -> {key}"):
            self.ledger.done(op)

    def multipart(self, rng: random.Random, key: str) -> None:
        parts = [self.body(rng, PART_SIZE), self.body(rng, rng.choice([1, 700 * 1024]))]
        data = b"".join(parts)
        version, headers = self.new_version(rng, data)
        digests = [hashlib.md5(part).digest() for part in parts]
        etag = f'"{hashlib.md5(b"".join(digests)).hexdigest()}-{len(parts)}"'
        version = Version(version.md5, etag, version.content_type, version.metadata)
        created = self.raw.request("POST", self.path(key) + "?uploads", headers)
        if not self.check(created, 200, f"CreateMultipartUpload {key}"):
            return
        upload_id = created.xml().findtext(f"{S3_NS}UploadId")
        for number, part in enumerate(parts, start=1):
            response = self.raw.request("PUT", f"{self.path(key)}?partNumber={number}&uploadId={upload_id}", {}, part)
            if not self.check(response, 200, f"UploadPart {number} of {key}"):
                return
        document = "<CompleteMultipartUpload>" + "".join(
            f"<Part><PartNumber>{n}</PartNumber><ETag>\"{d.hex()}\"</ETag></Part>" for n, d in enumerate(digests, start=1)
        ) + "</CompleteMultipartUpload>"
        op = self.ledger.begin(key, "multipart", version)
        response = self.raw.request("POST", f"{self.path(key)}?uploadId={upload_id}", {}, document.encode())
        if self.check(response, 200, f"CompleteMultipartUpload {key}"):
            if b"<Error>" in response.body:
                self.ledger.problems.append(f"CompleteMultipartUpload {key}: {response.body[:300]!r}")
                return
            self.ledger.done(op)

    def delete(self, key: str) -> None:
        op = self.ledger.begin(key, "delete", None)
        response = self.raw.request("DELETE", self.path(key))
        if self.check(response, 204, f"DeleteObject {key}"):
            self.ledger.done(op)

    def delete_many(self, keys: list[str]) -> None:
        document = ("<Delete><Quiet>true</Quiet>" + "".join(f"<Object><Key>{k}</Key></Object>" for k in keys)
                    + "</Delete>").encode()
        ops = [self.ledger.begin(key, "delete-objects", None) for key in keys]
        response = self.raw.request("POST", f"/{self.bucket}?delete", {"Content-MD5": content_md5(document)}, document)
        if self.check(response, 200, f"DeleteObjects {keys}"):
            if b"<Error>" in response.body:
                self.ledger.problems.append(f"DeleteObjects {keys}: {response.body[:300]!r}")
                return
            self.ledger.done(*ops)

    def worker(self, number: int, stop: threading.Event) -> None:
        rng = random.Random(f"{self.iteration}-{number}-{os.getpid()}")
        own = 0
        while not stop.is_set():
            roll = rng.random()
            hot = rng.choice(HOT_KEYS)
            try:
                if roll < 0.25:
                    self.put(rng, hot, rng.choice([0, 1, 100, 64 * 1024, 300 * 1024]), chunked=False)
                elif roll < 0.35:
                    self.put(rng, hot, rng.choice([1 * MiB, 2 * MiB + 17, 3 * MiB]), chunked=False)
                elif roll < 0.47:
                    self.put(rng, hot, rng.choice([10, 150 * 1024 + 17, 1 * MiB + 3]), chunked=True)
                elif roll < 0.57:
                    self.copy(rng, hot)
                elif roll < 0.62:
                    self.multipart(rng, hot)
                elif roll < 0.72:
                    self.delete(hot)
                elif roll < 0.77:
                    self.delete_many(rng.sample(HOT_KEYS, rng.randint(1, 3)))
                else:
                    own += 1
                    self.put(rng, f"own/it{self.iteration}/w{number}/{own}", rng.choice([0, 5, 50_000, 1 * MiB]),
                             chunked=rng.random() < 0.3)
            except Exception as error:  # noqa: BLE001 - a connection cut by the kill
                if not self.killing.is_set():
                    self.ledger.problems.append(f"worker {number}: {error!r}")
                return


def superseded(op: Op, ops: list[Op]) -> bool:
    """An acknowledged write that started after `op` was acknowledged replaced it for good."""
    if op.end is None:
        return False
    return any(other is not op and other.end is not None and other.start > op.end for other in ops)


def observe(raw: RawS3, bucket: str, key: str) -> Version | None:
    response = raw.request("GET", f"/{bucket}/{quote_key(key)}")
    if response.status == 404:
        assert response.error()["Code"] == "NoSuchKey", response
        return None
    assert response.status == 200, (key, response)
    assert int(response.header("Content-Length")) == len(response.body), key
    return Version(hashlib.md5(response.body).hexdigest(), response.header("ETag"),
                   response.header("Content-Type"), user_metadata(response.headers))


def verify(raw: RawS3, bucket: str, ledger: Ledger, initial: dict[str, Version | None]) -> dict[str, Version | None]:
    """Checks every key the ledger wrote; returns the state found (the next cycle's initial state)."""
    listed: dict[str, tuple[int, str]] = {}
    token = None
    while True:
        target = f"/{bucket}?list-type=2" + (f"&continuation-token={quote(token, safe='')}" if token else "")
        page = raw.request("GET", target)
        assert page.status == 200, page
        root = page.xml()
        for item in root.findall(f"{S3_NS}Contents"):
            listed[item.findtext(f"{S3_NS}Key")] = (int(item.findtext(f"{S3_NS}Size")), item.findtext(f"{S3_NS}ETag"))
        token = root.findtext(f"{S3_NS}NextContinuationToken")
        if not token:
            break

    state: dict[str, Version | None] = {}
    for key, ops in ledger.ops.items():
        found = observe(raw, bucket, key)
        state[key] = found
        # The state before this cycle counts as a write that completed before it began.
        before = Op(key, "before", initial.get(key), float("-inf"), float("-inf"))
        candidates = [op for op in [before, *ops] if op.version == found and not superseded(op, ops)]
        history = [(op.kind, op.version.md5[:8] if op.version else None, op.end is not None) for op in ops]
        assert candidates, (
            f"{key}: found {found} — not what any acknowledged or in-flight write left (a mix, a torn "
            f"body, or a lost acknowledged write); writes (kind, md5, acknowledged): {history}; before: {before.version}"
        )
        if found is None:
            assert key not in listed, f"{key} is listed but GetObject answers NoSuchKey"
        else:
            assert key in listed, f"{key} answers GetObject but is not listed"
    for key, version in initial.items():
        if key not in ledger.ops:
            state[key] = observe(raw, bucket, key)
            assert state[key] == version, f"{key} changed though nothing wrote to it: {state[key]} != {version}"
    for key in listed:
        assert key in ledger.ops or key in initial or key in STABLE_KEYS, f"unexpected key {key} listed"
    return state


def remove_noncurrent_versions(raw: RawS3, bucket: str) -> None:
    """Deletes every version that is not the latest (keeps a versioned bucket's data small)."""
    old: list[tuple[str, str]] = []
    marker = ""
    while True:
        page = raw.request("GET", f"/{bucket}?versions" + marker)
        assert page.status == 200, page
        root = page.xml()
        for element in [*root.findall(f"{S3_NS}Version"), *root.findall(f"{S3_NS}DeleteMarker")]:
            if element.findtext(f"{S3_NS}IsLatest") == "false":
                old.append((element.findtext(f"{S3_NS}Key"), element.findtext(f"{S3_NS}VersionId")))
        if root.findtext(f"{S3_NS}IsTruncated") != "true":
            break
        marker = (f"&key-marker={quote(root.findtext(f'{S3_NS}NextKeyMarker'), safe='')}"
                  f"&version-id-marker={quote(root.findtext(f'{S3_NS}NextVersionIdMarker'), safe='')}")
    delete_objects(raw, bucket, old)


def delete_objects(raw: RawS3, bucket: str, objects: list[tuple[str, str | None]]) -> None:
    for start in range(0, len(objects), 1000):
        document = ("<Delete><Quiet>true</Quiet>" + "".join(
            f"<Object><Key>{key}</Key>" + (f"<VersionId>{version}</VersionId>" if version else "") + "</Object>"
            for key, version in objects[start:start + 1000]) + "</Delete>").encode()
        response = raw.request("POST", f"/{bucket}?delete", {"Content-MD5": content_md5(document)}, document)
        assert response.status == 200 and b"<Error>" not in response.body, response


def test_kill_9_at_random_moments_never_loses_or_tears_an_acknowledged_write(private_server):
    """Even cycles write to an unversioned bucket, odd ones to a bucket with versioning enabled
    (where overwrites and deletes keep the old versions' blobs)."""
    server = private_server("crash")
    data_dir = server.data_dir
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    buckets = [unique_name("crash"), unique_name("crash-versioned")]
    for bucket in buckets:
        assert raw.request("PUT", f"/{bucket}").status == 200
    versioning = b'<VersioningConfiguration><Status>Enabled</Status></VersioningConfiguration>'
    response = raw.request("PUT", f"/{buckets[1]}?versioning", {"Content-MD5": content_md5(versioning)}, versioning)
    assert response.status == 200, response

    setup_rng = random.Random(1)
    stable: dict[str, dict[str, tuple[bytes, Version]]] = {bucket: {} for bucket in buckets}
    for bucket in buckets:
        setup = Workload(raw, bucket, -1, stable[bucket], Ledger())
        for key in STABLE_KEYS:
            data = setup.body(setup_rng, setup_rng.choice([3, 200_000, 1 * MiB + 5]))
            version, headers = setup.new_version(setup_rng, data)
            assert raw.request("PUT", f"/{bucket}/{quote_key(key)}", headers, data).status == 200
            stable[bucket][key] = (data, version)

    states: dict[str, dict[str, Version | None]] = {bucket: {} for bucket in buckets}
    kinds: Counter[str] = Counter()
    total_acknowledged = 0
    total_in_flight = 0
    kill_rng = random.Random(os.getpid())
    started = time.monotonic()
    for iteration in range(ITERATIONS):
        bucket = buckets[iteration % 2]
        state = states[bucket]
        ledger = Ledger()
        workload = Workload(raw, bucket, iteration, stable[bucket], ledger)
        stop = threading.Event()
        threads = [threading.Thread(target=workload.worker, args=(n, stop), daemon=True) for n in range(WORKERS)]
        for thread in threads:
            thread.start()
        time.sleep(kill_rng.uniform(0.1, 1.5))
        workload.killing.set()
        server.kill()
        stop.set()
        for thread in threads:
            thread.join(30)
            assert not thread.is_alive(), "a client did not return after the kill"
        assert not ledger.problems, f"iteration {iteration}: requests failed before the kill: {ledger.problems[:5]}"
        total_acknowledged += ledger.acknowledged
        total_in_flight += sum(1 for ops in ledger.ops.values() for op in ops if op.end is None)
        kinds.update(op.kind for ops in ledger.ops.values() for op in ops if op.end is not None)

        integrity = integrity_check(data_dir)
        assert integrity == "ok", f"iteration {iteration}: PRAGMA integrity_check after kill -9: {integrity}"

        server.start()
        raw = RawS3(server.endpoint, "test", "test", "us-east-1")
        seen = census(data_dir)
        assert not seen.temps, f"iteration {iteration}: temp files left after the start-up sweep: {seen.temps[:5]}"
        assert not seen.missing, f"iteration {iteration}: blobs the metadata refers to are missing: {sorted(seen.missing)[:5]}"
        assert not seen.orphans, f"iteration {iteration}: orphaned blobs after the start-up sweep: {sorted(seen.orphans)[:5]}"

        found = verify(raw, bucket, ledger, state)
        for key, ops in ledger.ops.items():
            if key.startswith("own/") and any(op.end is not None for op in ops):
                assert found[key] is not None, f"acknowledged object {key} lost after kill -9"
        for key in STABLE_KEYS:
            assert observe(raw, bucket, key) == stable[bucket][key][1], f"{key} changed"
        state.update({k: v for k, v in found.items() if k in HOT_KEYS})

        # Keep the data directory small: drop this cycle's own keys, abort uploads left open, and
        # in the versioned bucket remove the noncurrent versions.
        delete_objects(raw, bucket, [(k, None) for k, v in found.items() if k.startswith("own/") and v is not None])
        uploads = raw.request("GET", f"/{bucket}?uploads").xml()
        for upload in uploads.findall(f"{S3_NS}Upload"):
            key, upload_id = upload.findtext(f"{S3_NS}Key"), upload.findtext(f"{S3_NS}UploadId")
            assert raw.request("DELETE", f"/{bucket}/{quote_key(key)}?uploadId={upload_id}").status == 204
        if bucket == buckets[1]:
            remove_noncurrent_versions(raw, bucket)

    elapsed = time.monotonic() - started
    print(f"\ncrash consistency: {ITERATIONS} kill -9 cycles in {elapsed:.1f} s, "
          f"{total_acknowledged} writes acknowledged ({dict(sorted(kinds.items()))}), "
          f"{total_in_flight} in flight at the kills")
    assert total_acknowledged >= ITERATIONS * 2, "too few writes acknowledged; the test proved little"
    assert total_in_flight >= ITERATIONS, "too few writes in flight at the kills; the test proved little"
    assert all(kinds[kind] > 0 for kind in ("put", "put-chunked", "copy", "multipart", "delete", "delete-objects")), kinds

    # A clean stop, then the same checks on the files a graceful shutdown leaves.
    assert server.stop(timeout=10) == 0, server.diagnostics()
    seen = census(data_dir)
    assert not seen.temps and not seen.missing and not seen.orphans, (seen.temps, seen.missing, seen.orphans)
    assert integrity_check(data_dir) == "ok"
