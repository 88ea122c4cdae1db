"""SigV4 (and SigV2) verification proven by clients we did not write.

Every core operation — PutObject, GetObject with a range, HeadObject, ListObjectsV2, CopyObject,
DeleteObject, DeleteObjects — round-trips through each independent client with each hard key
(spaces, `+`, `%`, `~`, `!*'()`, unicode, `//`, `..`, reserved characters). What was stored is
checked separately with boto3, so a client that silently rewrote a key is caught too.

A false SignatureDoesNotMatch for any of these is the worst failure a strict emulator can have.
"""

from __future__ import annotations

from typing import Any

import pytest

from conftest import _missing
from sigv4 import HARD_KEYS, body_for, md5_hex
from sigv4.clients import CLIENT_NAMES
from sigv4.drivers import make_driver


@pytest.fixture
def driver_for(target, tmp_path):
    def build(name: str, access_key: str | None = None, secret_key: str | None = None, **options: Any):
        return make_driver(name, target.endpoint, access_key or target.access_key, secret_key or target.secret_key,
                           target.region, tmp_path / name, _missing, **options)

    return build


@pytest.mark.parametrize("label", list(HARD_KEYS))
@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_core_operations_round_trip(client: str, label: str, driver_for, s3: Any, bucket: str) -> None:
    driver = driver_for(client)
    if label in driver.unsupported:
        pytest.skip(f"{client}: {driver.unsupported[label]}")
    key = HARD_KEYS[label]
    copy = key + " (copy)"
    data = body_for(key)

    # PutObject
    driver.put(bucket, key, data)
    stored = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    assert stored == data, f"{client} stored other bytes under {key!r}"

    # GetObject with a range
    last = 99 if driver.closed_ranges else None
    got = driver.get_range(bucket, key, 10, last)
    assert got == (data[10:100] if last is not None else data[10:])

    # HeadObject
    assert driver.head(bucket, key) == (len(data), md5_hex(data))

    # ListObjectsV2
    assert driver.list_v2(bucket, key) == [key]

    # CopyObject
    driver.copy(bucket, key, copy)
    assert s3.get_object(Bucket=bucket, Key=copy)["Body"].read() == data

    # DeleteObject
    driver.delete(bucket, key)
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])] == [copy]

    # DeleteObjects (the already deleted key too: S3 reports it deleted)
    s3.put_object(Bucket=bucket, Key=key, Body=data)
    driver.delete_many(bucket, sorted([key, copy]))
    assert s3.list_objects_v2(Bucket=bucket).get("KeyCount") == 0


@pytest.mark.parametrize("client", CLIENT_NAMES)
def test_empty_object_round_trips(client: str, driver_for, s3: Any, bucket: str) -> None:
    """A zero-byte body (the SHA-256 of the empty payload) through each client."""
    driver = driver_for(client)
    driver.put(bucket, "empty", b"")
    assert s3.head_object(Bucket=bucket, Key="empty")["ContentLength"] == 0
    assert driver.head(bucket, "empty") == (0, md5_hex(b""))
    assert driver.list_v2(bucket, "") == ["empty"]


def test_rclone_default_private_acl_is_accepted_from_the_bucket_owners_account(driver_for, s3: Any, bucket: str) -> None:
    """rclone sends `x-amz-acl: private` on every write unless configured otherwise. In a bucket
    with ACLs disabled (BucketOwnerEnforced, the default) S3 accepts ACLs that grant only the
    bucket owner full control — which `private` does when the writer is in the bucket owner's
    account — and refuses the others with AccessControlListNotSupported."""
    driver = driver_for("rclone", acl="private")
    driver.put(bucket, "private-acl", b"written with x-amz-acl: private")
    assert s3.get_object(Bucket=bucket, Key="private-acl")["Body"].read() == b"written with x-amz-acl: private"
