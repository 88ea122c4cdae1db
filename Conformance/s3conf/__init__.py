"""Helpers shared by the conformance tests."""

from __future__ import annotations

import os
import uuid
from typing import Any, Callable

from botocore.exceptions import ClientError

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def unique_name(prefix: str = "conf") -> str:
    """A bucket name no other test (or other S3 user) will pick: lowercase, 3-63 chars."""
    return f"{prefix}-{uuid.uuid4().hex[:20]}"


def status_of(response: dict[str, Any]) -> int:
    return response["ResponseMetadata"]["HTTPStatusCode"]


def headers_of(response: dict[str, Any]) -> dict[str, str]:
    return response["ResponseMetadata"]["HTTPHeaders"]


def expect_error(
    code: str,
    status: int,
    fn: Callable[..., Any],
    *args: Any,
    message: str | None = None,
    **kwargs: Any,
) -> dict[str, Any]:
    """Call a boto3 operation that must fail with exactly `code` and HTTP `status`.

    Returns the botocore error response (`['Error']` holds Code, Message and the extra elements).
    """
    try:
        result = fn(*args, **kwargs)
    except ClientError as error:
        response = error.response
        got_code = response.get("Error", {}).get("Code")
        got_status = response.get("ResponseMetadata", {}).get("HTTPStatusCode")
        assert (got_code, got_status) == (code, status), (
            f"expected {code} ({status}), got {got_code} ({got_status}): {response}"
        )
        if message is not None:
            assert response["Error"].get("Message") == message, response
        return response
    raise AssertionError(
        f"expected {code} ({status}), but the call succeeded with status "
        f"{result.get('ResponseMetadata', {}).get('HTTPStatusCode') if isinstance(result, dict) else '?'}: {result!r}"[:2000]
    )


def empty_bucket(client: Any, bucket: str) -> None:
    """Delete every object version and delete marker in `bucket` (best effort; used by fixtures' clean-up)."""
    paginator = client.get_paginator("list_object_versions")
    for page in paginator.paginate(Bucket=bucket):
        entries = page.get("Versions", []) + page.get("DeleteMarkers", [])
        keys = [{"Key": entry["Key"], "VersionId": entry["VersionId"]} for entry in entries]
        if keys:
            client.delete_objects(Bucket=bucket, Delete={"Objects": keys, "Quiet": True})


def create_bucket(client: Any, bucket: str, region: str) -> dict[str, Any]:
    """CreateBucket as a well-behaved client does it for `region`."""
    if region == "us-east-1":
        return client.create_bucket(Bucket=bucket)
    return client.create_bucket(Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region})
