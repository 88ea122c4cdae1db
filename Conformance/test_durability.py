"""Restarts keep data; SIGTERM exits cleanly; kill -9 during uploads loses nothing acknowledged."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import random
import threading
import time

import pytest

from s3conf import empty_bucket, status_of, unique_name
from s3conf.checksums import etag

pytestmark = pytest.mark.own_server


@pytest.mark.slow
def test_restart_keeps_buckets_objects_and_metadata(private_server, client_factory):
    server = private_server("restart")
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("restart")
    client.create_bucket(Bucket=name)
    empty = unique_name("restart-empty")
    client.create_bucket(Bucket=empty)
    objects = {
        "plain.bin": os.urandom(200_000),
        "dir/unicode ü +%.txt": b"text body",
        "empty": b"",
    }
    for key, body in objects.items():
        client.put_object(
            Bucket=name, Key=key, Body=body, ContentType="application/x-test",
            CacheControl="no-store", ContentDisposition="inline", ContentLanguage="en",
            Expires=dt.datetime(2030, 1, 1, tzinfo=dt.timezone.utc),
            Metadata={"who": "restart-test", "key": "v"}, ChecksumAlgorithm="SHA256",
        )
    before = {k: client.head_object(Bucket=name, Key=k, ChecksumMode="ENABLED") for k in objects}
    created_before = {b["Name"]: b["CreationDate"] for b in client.list_buckets()["Buckets"]}

    assert server.stop(timeout=10) == 0, server.diagnostics()
    server.start()
    client = client_factory(endpoint=server.endpoint)

    buckets = {b["Name"]: b["CreationDate"] for b in client.list_buckets()["Buckets"]}
    assert buckets == created_before
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"]]
    assert listed == sorted(objects)
    for key, body in objects.items():
        got = client.get_object(Bucket=name, Key=key, ChecksumMode="ENABLED")
        assert got["Body"].read() == body
        for field in ("ETag", "ContentLength", "ContentType", "CacheControl", "ContentDisposition",
                      "ContentLanguage", "Metadata", "LastModified", "ChecksumSHA256"):
            assert got[field] == before[key][field], (key, field)
        assert got["ResponseMetadata"]["HTTPHeaders"]["expires"] == "Tue, 01 Jan 2030 00:00:00 GMT"
    assert client.list_objects_v2(Bucket=empty)["KeyCount"] == 0
    # Writes after a restart still work, and deletes stick across another restart.
    client.delete_object(Bucket=name, Key="plain.bin")
    client.put_object(Bucket=name, Key="after-restart", Body=b"new")
    assert server.stop(timeout=10) == 0, server.diagnostics()
    server.start()
    client = client_factory(endpoint=server.endpoint)
    listed = [o["Key"] for o in client.list_objects_v2(Bucket=name)["Contents"]]
    assert listed == sorted(["after-restart", "dir/unicode ü +%.txt", "empty"])


def test_sigterm_exits_zero_promptly(private_server, client_factory):
    server = private_server("sigterm")
    client = client_factory(endpoint=server.endpoint)
    client.list_buckets()
    started = time.monotonic()
    code = server.stop(timeout=10)
    assert code == 0, server.diagnostics()
    assert time.monotonic() - started < 5


def test_sigterm_drains_an_in_flight_upload(private_server, client_factory):
    """A request in progress when SIGTERM arrives completes; the object is then durable."""
    import socket

    from s3conf.raw import RawS3, read_http_head

    server = private_server("drain")
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("drain")
    client.create_bucket(Bucket=name)
    raw = RawS3(server.endpoint, "test", "test", "us-east-1")
    body = os.urandom(256 * 1024)
    headers = raw.signed_headers("PUT", f"/{name}/inflight", {"Content-Length": str(len(body))}, body)
    with socket.create_connection((raw.hostname, raw.port), timeout=10) as sock:
        head = f"PUT /{name}/inflight HTTP/1.1\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items()) + "\r\n"
        sock.sendall(head.encode() + body[:1000])
        time.sleep(0.3)
        server.process.send_signal(__import__("signal").SIGTERM)
        time.sleep(0.3)
        sock.sendall(body[1000:])
        status_line, _ = read_http_head(sock, timeout=10)
        assert status_line.startswith(b"HTTP/1.1 200"), status_line
    assert server.process.wait(10) == 0, server.diagnostics()
    server.start()
    client = client_factory(endpoint=server.endpoint)
    assert client.get_object(Bucket=name, Key="inflight")["Body"].read() == body


@pytest.mark.slow
def test_kill_9_during_concurrent_uploads_keeps_every_acknowledged_object(private_server, client_factory):
    server = private_server("kill9")
    client = client_factory(endpoint=server.endpoint)
    name = unique_name("kill9")
    client.create_bucket(Bucket=name)

    lock = threading.Lock()
    sent: dict[str, list[str]] = {}   # key -> md5 of every body sent for it, in order
    acknowledged: dict[str, int] = {}  # key -> index in sent[key] of the last acknowledged body
    problems: list[str] = []
    stop = threading.Event()
    killing = threading.Event()

    def writer(worker: int) -> None:
        rng = random.Random(worker)
        local_client = client_factory(endpoint=server.endpoint)
        i = 0
        while not stop.is_set():
            # Half the writes create new keys, half overwrite this worker's own hot keys
            # (one writer per key, so the order of writes to a key is known).
            key = f"w{worker}/new-{i}" if i % 2 == 0 else f"w{worker}/hot-{i % 3}"
            size = rng.choice([0, 1, 1000, 64 * 1024, 700 * 1024, 3 * 1024 * 1024])
            body = f"{key}#{i}#".encode() + os.urandom(size)  # every body is unique
            digest = hashlib.md5(body).hexdigest()
            with lock:
                sent.setdefault(key, []).append(digest)
                index = len(sent[key]) - 1
            try:
                response = local_client.put_object(Bucket=name, Key=key, Body=body)
            except Exception as error:  # noqa: BLE001
                if not killing.is_set():  # before the kill every upload must succeed
                    problems.append(f"{key}: {error!r}")
                return
            if status_of(response) != 200 or response["ETag"] != f'"{digest}"':
                problems.append(f"{key}: {status_of(response)} {response.get('ETag')} != {digest}")
            with lock:
                acknowledged[key] = index
            i += 1

    threads = [threading.Thread(target=writer, args=(w,), daemon=True) for w in range(6)]
    for thread in threads:
        thread.start()
    # Kill once a good number of uploads is acknowledged (however slow the machine), while
    # others are in flight.
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and len(acknowledged) < 12 and not problems:
        time.sleep(0.05)
    time.sleep(0.2)
    killing.set()
    server.kill()
    stop.set()
    for thread in threads:
        thread.join(30)
    assert not problems, problems
    assert len(acknowledged) >= 12, "too few uploads acknowledged before the kill; the test proved little"

    server.start()
    client = client_factory(endpoint=server.endpoint)
    listed = {}
    for page in client.get_paginator("list_objects_v2").paginate(Bucket=name):
        for obj in page.get("Contents", []):
            listed[obj["Key"]] = obj
    for key in acknowledged:
        assert key in listed, f"acknowledged object {key} lost after kill -9"
    for key, obj in listed.items():
        assert key in sent, f"unexpected key {key}"
        body = client.get_object(Bucket=name, Key=key)["Body"].read()
        got = hashlib.md5(body).hexdigest()
        assert got in sent[key], f"{key}: bytes match no body that was sent (partial object?)"
        assert obj["Size"] == len(body), key
        assert obj["ETag"] == f'"{got}"', key
        if key in acknowledged:
            # The acknowledged body, or one sent after it that committed just before the kill.
            assert sent[key].index(got) >= acknowledged[key], f"{key}: an acknowledged overwrite was lost"
    # The store is usable after the crash.
    client.put_object(Bucket=name, Key="after-crash", Body=b"ok")
    assert client.get_object(Bucket=name, Key="after-crash")["Body"].read() == b"ok"
    empty_bucket(client, name)
