"""Object tags in policy conditions: s3:ExistingObjectTag/<key>, s3:RequestObjectTag/<key> and
s3:RequestObjectTagKeys, as the S3 condition key reference defines them.

A user may read only objects tagged classification=public, and may write only objects tagged
exactly project=blue.
"""

from __future__ import annotations

import os
from typing import Iterator

import pytest

from scenarios import (
    ConfigServer,
    User,
    allowed,
    denied,
    not_allowed,
    start_config_server,
    stop_config_server,
    user_arn,
)

BUCKET = "tag-conditions"

TAGGER = User("tagger", "AKIATAGGER0000000001", "tagger-secret", policies={"tags": {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Sid": "ReadPublicObjects",
            "Effect": "Allow",
            "Action": "s3:GetObject",
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {"StringEquals": {"s3:ExistingObjectTag/classification": "public"}},
        },
        {
            "Sid": "WriteBlueObjects",
            "Effect": "Allow",
            "Action": ["s3:PutObject", "s3:PutObjectTagging"],
            "Resource": f"arn:aws:s3:::{BUCKET}/*",
            "Condition": {
                "StringEquals": {"s3:RequestObjectTag/project": "blue"},
                "ForAllValues:StringEquals": {"s3:RequestObjectTagKeys": ["project"]},
            },
        },
    ],
}})


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    if os.environ.get("S3_ENDPOINT"):
        pytest.skip("needs s3emu's --config users (S3_ENDPOINT is set)")
    server = start_config_server(tmp_path_factory, "tag-conditions", [TAGGER], buckets=[{"name": BUCKET}])
    root = server.root()
    root.put_object(Bucket=BUCKET, Key="public.txt", Body=b"1", Tagging="classification=public")
    root.put_object(Bucket=BUCKET, Key="secret.txt", Body=b"1", Tagging="classification=secret")
    root.put_object(Bucket=BUCKET, Key="untagged.txt", Body=b"1")
    yield server
    stop_config_server(server)


def test_get_object_is_allowed_by_the_existing_object_tag(srv: ConfigServer) -> None:
    allowed(srv.user("tagger").get_object, Bucket=BUCKET, Key="public.txt")


@pytest.mark.parametrize("key", ["secret.txt", "untagged.txt"])
def test_get_object_without_the_tag_is_denied(srv: ConfigServer, key: str) -> None:
    denied(srv.user("tagger").get_object, Bucket=BUCKET, Key=key,
           message=not_allowed(user_arn("tagger"), "s3:GetObject", f"arn:aws:s3:::{BUCKET}/{key}"))


def test_put_object_with_the_required_request_tag_is_allowed(srv: ConfigServer) -> None:
    allowed(srv.user("tagger").put_object, Bucket=BUCKET, Key="blue.txt", Body=b"1", Tagging="project=blue")
    tags = srv.root().get_object_tagging(Bucket=BUCKET, Key="blue.txt")["TagSet"]
    assert tags == [{"Key": "project", "Value": "blue"}]


@pytest.mark.parametrize("tagging", ["project=red", None, "project=blue&extra=1"])
def test_put_object_without_exactly_the_required_tags_is_denied(srv: ConfigServer, tagging: str | None) -> None:
    kwargs = {"Tagging": tagging} if tagging else {}
    denied(srv.user("tagger").put_object, Bucket=BUCKET, Key="other.txt", Body=b"1",
           message=not_allowed(user_arn("tagger"), "s3:PutObject", f"arn:aws:s3:::{BUCKET}/other.txt"), **kwargs)
