"""Bucket operations: ListBuckets, CreateBucket, HeadBucket, DeleteBucket, GetBucketLocation."""

from __future__ import annotations

import datetime as dt

import pytest

from s3conf import create_bucket, expect_error, headers_of, status_of, unique_name
from s3conf.raw import S3_NS, local


def test_list_buckets_includes_created_bucket_with_creation_date_and_owner(s3, bucket):
    response = s3.list_buckets()
    assert status_of(response) == 200
    entries = {b["Name"]: b for b in response["Buckets"]}
    assert bucket in entries
    created = entries[bucket]["CreationDate"]
    assert isinstance(created, dt.datetime)
    assert abs((dt.datetime.now(dt.timezone.utc) - created).total_seconds()) < 15 * 60
    assert response["Owner"]["ID"]


def test_list_buckets_is_sorted_by_name(s3, bucket_factory):
    names = [bucket_factory("conf-b"), bucket_factory("conf-a"), bucket_factory("conf-c")]
    listed = [b["Name"] for b in s3.list_buckets()["Buckets"]]
    ours = [n for n in listed if n in names]
    assert ours == sorted(names)


def test_list_buckets_raw_xml_shape(raw, bucket):
    response = raw.request("GET", "/")
    assert response.status == 200
    assert response.header("Content-Type", ).startswith("application/xml")
    root = response.xml()
    assert root.tag == f"{S3_NS}ListAllMyBucketsResult"
    assert [local(c.tag) for c in root].count("Owner") == 1
    names = [b.findtext(f"{S3_NS}Name") for b in root.iter(f"{S3_NS}Bucket")]
    assert bucket in names


def test_create_bucket_without_configuration_answers_location(s3, target):
    if target.region != "us-east-1":
        pytest.skip("a bucket without LocationConstraint is only valid in us-east-1")
    name = unique_name()
    response = s3.create_bucket(Bucket=name)
    try:
        assert status_of(response) == 200
        assert response["Location"] == f"/{name}"
        assert status_of(s3.head_bucket(Bucket=name)) == 200
        assert s3.get_bucket_location(Bucket=name)["LocationConstraint"] is None
    finally:
        s3.delete_bucket(Bucket=name)


def test_create_bucket_with_us_east_1_location_constraint_is_invalid(s3, target):
    if target.region != "us-east-1":
        pytest.skip("us-east-1 specific")
    name = unique_name()
    expect_error(
        "InvalidLocationConstraint", 400, s3.create_bucket,
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-east-1"},
    )
    expect_error("404", 404, s3.head_bucket, Bucket=name)


def test_create_bucket_with_unknown_location_constraint_is_invalid(s3):
    name = unique_name()
    expect_error(
        "InvalidLocationConstraint", 400, s3.create_bucket,
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "moon-central-1"},
    )


@pytest.mark.own_server
def test_create_bucket_with_location_constraint_of_server_region(private_server, client_factory):
    server = private_server("euw1", region="eu-west-1")
    client = client_factory(endpoint=server.endpoint, region="eu-west-1")
    name = unique_name()
    response = client.create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"})
    assert status_of(response) == 200
    assert client.get_bucket_location(Bucket=name)["LocationConstraint"] == "eu-west-1"
    head = client.head_bucket(Bucket=name)
    assert status_of(head) == 200
    assert headers_of(head)["x-amz-bucket-region"] == "eu-west-1"
    listed = client.list_buckets()
    assert name in [b["Name"] for b in listed["Buckets"]]


@pytest.mark.own_server
def test_create_bucket_without_configuration_outside_us_east_1_is_illegal(private_server, client_factory):
    server = private_server("euw1", region="eu-west-1")
    client = client_factory(endpoint=server.endpoint, region="eu-west-1")
    name = unique_name()
    expect_error("IllegalLocationConstraintException", 400, client.create_bucket, Bucket=name)
    expect_error(
        "IllegalLocationConstraintException", 400, client.create_bucket,
        Bucket=name, CreateBucketConfiguration={"LocationConstraint": "us-west-2"},
    )
    expect_error("404", 404, client.head_bucket, Bucket=name)


INVALID_BUCKET_NAMES = [
    pytest.param("ab", id="too-short"),
    pytest.param("a" * 64, id="too-long"),
    pytest.param("Upper-Case-Bucket", id="uppercase"),
    pytest.param("under_score_bucket", id="underscore"),
    pytest.param("-leading-hyphen", id="leading-hyphen"),
    pytest.param("trailing-hyphen-", id="trailing-hyphen"),
    pytest.param(".leading-dot", id="leading-dot"),
    pytest.param("trailing-dot.", id="trailing-dot"),
    pytest.param("double..dot", id="adjacent-dots"),
    pytest.param("192.168.5.4", id="ip-address"),
    pytest.param("xn--bucket-name", id="xn-prefix"),
    pytest.param("sthree-bucket", id="sthree-prefix"),
    pytest.param("bucket-name-s3alias", id="s3alias-suffix"),
    pytest.param("bucket-name--ol-s3", id="ol-s3-suffix"),
]


@pytest.mark.parametrize("name", INVALID_BUCKET_NAMES)
def test_create_bucket_with_invalid_name_fails(s3, name):
    response = expect_error(
        "InvalidBucketName", 400, s3.create_bucket, Bucket=name,
        message="The specified bucket is not valid.",
    )
    assert response["Error"].get("BucketName") == name


def test_create_bucket_with_63_character_name_succeeds(s3, target):
    name = (unique_name("c63") + "-" + "x" * 63)[:63]
    assert len(name) == 63
    response = create_bucket(s3, name, target.region)
    try:
        assert status_of(response) == 200
    finally:
        s3.delete_bucket(Bucket=name)


def test_create_existing_own_bucket_in_us_east_1_is_a_legacy_no_op(s3, bucket, target):
    # S3 documents that in us-east-1 re-creating a bucket you own answers 200 OK (legacy
    # compatibility); every other region answers BucketAlreadyOwnedByYou (next test).
    if target.region != "us-east-1":
        pytest.skip("us-east-1 specific")
    s3.put_object(Bucket=bucket, Key="still-here", Body=b"x")
    response = s3.create_bucket(Bucket=bucket)
    assert status_of(response) == 200
    assert s3.get_object(Bucket=bucket, Key="still-here")["Body"].read() == b"x"


@pytest.mark.own_server
def test_create_existing_own_bucket_outside_us_east_1_fails_with_bucket_already_owned_by_you(
        private_server, client_factory):
    server = private_server("euw1", region="eu-west-1")
    client = client_factory(endpoint=server.endpoint, region="eu-west-1")
    name = unique_name()
    config = {"LocationConstraint": "eu-west-1"}
    client.create_bucket(Bucket=name, CreateBucketConfiguration=config)
    response = expect_error(
        "BucketAlreadyOwnedByYou", 409, client.create_bucket, Bucket=name, CreateBucketConfiguration=config,
        message="Your previous request to create the named bucket succeeded and you already own it.",
    )
    assert response["Error"].get("BucketName") == name


def test_head_bucket_existing(s3, bucket, target):
    response = s3.head_bucket(Bucket=bucket)
    assert status_of(response) == 200
    assert headers_of(response)["x-amz-bucket-region"] == target.region


def test_head_bucket_missing_is_404(s3):
    response = expect_error("404", 404, s3.head_bucket, Bucket=unique_name("missing"))
    assert response["Error"]["Message"] == "Not Found"
    headers = headers_of(response)
    assert headers.get("x-amz-request-id")


def test_delete_empty_bucket_answers_204(s3, target):
    name = unique_name()
    create_bucket(s3, name, target.region)
    response = s3.delete_bucket(Bucket=name)
    assert status_of(response) == 204
    expect_error("404", 404, s3.head_bucket, Bucket=name)
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_delete_non_empty_bucket_fails_with_bucket_not_empty(s3, bucket):
    s3.put_object(Bucket=bucket, Key="keep", Body=b"x")
    response = expect_error(
        "BucketNotEmpty", 409, s3.delete_bucket, Bucket=bucket,
        message="The bucket you tried to delete is not empty",
    )
    assert response["Error"].get("BucketName") == bucket
    assert status_of(s3.head_bucket(Bucket=bucket)) == 200
    assert s3.get_object(Bucket=bucket, Key="keep")["Body"].read() == b"x"


def test_delete_missing_bucket_fails_with_no_such_bucket(s3):
    name = unique_name("missing")
    response = expect_error(
        "NoSuchBucket", 404, s3.delete_bucket, Bucket=name,
        message="The specified bucket does not exist",
    )
    assert response["Error"].get("BucketName") == name


def test_get_bucket_location_in_us_east_1_is_empty(s3, raw, bucket, target):
    if target.region != "us-east-1":
        pytest.skip("us-east-1 specific")
    response = s3.get_bucket_location(Bucket=bucket)
    assert status_of(response) == 200
    assert response["LocationConstraint"] is None
    xml = raw.request("GET", f"/{bucket}?location")
    assert xml.status == 200
    root = xml.xml()
    assert root.tag == f"{S3_NS}LocationConstraint"
    assert (root.text or "") == ""
    assert list(root) == []


def test_get_bucket_location_missing_bucket(s3):
    expect_error("NoSuchBucket", 404, s3.get_bucket_location, Bucket=unique_name("missing"))


def test_bucket_operations_on_missing_bucket_fail_with_no_such_bucket(s3):
    name = unique_name("missing")
    for call, kwargs in [
        (s3.list_objects_v2, {}),
        (s3.list_objects, {}),
        (s3.put_object, {"Key": "k", "Body": b"x"}),
        (s3.get_object, {"Key": "k"}),
        (s3.delete_object, {"Key": "k"}),
    ]:
        response = expect_error("NoSuchBucket", 404, call, Bucket=name, **kwargs)
        assert response["Error"].get("BucketName") == name, call
