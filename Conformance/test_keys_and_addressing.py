"""Special-character keys round-trip exactly; path-style and virtual-hosted addressing."""

from __future__ import annotations

import pytest

from s3conf import expect_error, status_of
from s3conf.checksums import etag
from s3conf.raw import S3_NS, quote_key

SPECIAL_KEYS = [
    pytest.param("with space", id="space"),
    pytest.param("  leading and trailing  ", id="spaces-around"),
    pytest.param("plus+sign", id="plus"),
    pytest.param("a + b = c", id="plus-spaces"),
    pytest.param("percent%sign", id="percent"),
    pytest.param("percent%20encoded-looking", id="percent-20"),
    pytest.param("percent%2Fslash", id="percent-2F"),
    pytest.param("ünïcødé/日本語/😀", id="unicode"),
    pytest.param("double//slash", id="double-slash"),
    pytest.param("//leading-double-slash", id="leading-double-slash"),
    pytest.param("../parent", id="dotdot-leading"),
    pytest.param("a/../b", id="dotdot-middle"),
    pytest.param("a/./b", id="dot-middle"),
    pytest.param("..", id="dotdot-only"),
    pytest.param("trailing/", id="trailing-slash"),
    pytest.param("~!*'()", id="sub-delims"),
    pytest.param("question?mark", id="question"),
    pytest.param("hash#tag", id="hash"),
    pytest.param("amp&er=sand;semi", id="ampersand"),
    pytest.param("brackets[]{}<>|^`\\", id="brackets"),
    pytest.param("quote\"double", id="double-quote"),
    pytest.param("colon:at@dollar$comma,", id="colon-at"),
    pytest.param("tab\there", id="tab"),
]


@pytest.mark.parametrize("special_key", SPECIAL_KEYS)
def test_special_key_round_trips_exactly(s3, bucket, special_key):
    body = ("body of " + special_key).encode()
    put = s3.put_object(Bucket=bucket, Key=special_key, Body=body, Metadata={"k": "v"})
    assert status_of(put) == 200
    assert s3.head_object(Bucket=bucket, Key=special_key)["ContentLength"] == len(body)
    got = s3.get_object(Bucket=bucket, Key=special_key)
    assert got["Body"].read() == body
    assert got["ETag"] == etag(body)
    listed = s3.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == [special_key]
    by_prefix = s3.list_objects_v2(Bucket=bucket, Prefix=special_key)
    assert [o["Key"] for o in by_prefix["Contents"]] == [special_key]
    copy = s3.copy_object(Bucket=bucket, Key=special_key + ".copy",
                          CopySource={"Bucket": bucket, "Key": special_key})
    assert status_of(copy) == 200
    assert s3.get_object(Bucket=bucket, Key=special_key + ".copy")["Body"].read() == body
    assert status_of(s3.delete_object(Bucket=bucket, Key=special_key)) == 204
    expect_error("NoSuchKey", 404, s3.get_object, Bucket=bucket, Key=special_key)
    remaining = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]]
    assert remaining == [special_key + ".copy"]


@pytest.mark.parametrize("special_key", SPECIAL_KEYS)
def test_special_key_raw_path_is_not_normalized(raw, s3, bucket, special_key):
    """The request path is taken literally: no dot-segment removal, no slash merging."""
    body = b"raw " + special_key.encode()
    put = raw.request("PUT", f"/{bucket}/{quote_key(special_key)}", {}, body)
    assert put.status == 200, put
    assert s3.get_object(Bucket=bucket, Key=special_key)["Body"].read() == body
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == [special_key]


def test_keys_differing_only_by_slashes_and_dots_are_distinct(s3, bucket):
    keys = ["a/b", "a//b", "a/./b", "a/../a/b", "a/b/", "/a/b"]
    for i, key in enumerate(keys):
        s3.put_object(Bucket=bucket, Key=key, Body=str(i).encode())
    for i, key in enumerate(keys):
        assert s3.get_object(Bucket=bucket, Key=key)["Body"].read() == str(i).encode(), key
    assert sorted(o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]) == sorted(keys)


def test_percent_encoded_key_is_decoded_once(raw, s3, bucket):
    # "%2541" on the wire is the key "%41", never "A".
    put = raw.request("PUT", f"/{bucket}/%2541", {}, b"once")
    assert put.status == 200, put
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["%41"]
    expect_error("NoSuchKey", 404, s3.get_object, Bucket=bucket, Key="A")


# -- addressing --------------------------------------------------------------------------------------


def test_virtual_hosted_style_with_boto3(virtual_client, s3, bucket):
    key = "virtual/host key+1"
    put = virtual_client.put_object(Bucket=bucket, Key=key, Body=b"via virtual host", Metadata={"a": "b"})
    assert status_of(put) == 200
    got = virtual_client.get_object(Bucket=bucket, Key=key)
    assert got["Body"].read() == b"via virtual host"
    assert got["Metadata"] == {"a": "b"}
    assert virtual_client.head_object(Bucket=bucket, Key=key)["ContentLength"] == 16
    listed = virtual_client.list_objects_v2(Bucket=bucket)
    assert [o["Key"] for o in listed["Contents"]] == [key]
    assert virtual_client.get_bucket_location(Bucket=bucket)["LocationConstraint"] in (None, s3.meta.region_name)
    copied = virtual_client.copy_object(Bucket=bucket, Key="copy", CopySource={"Bucket": bucket, "Key": key})
    assert status_of(copied) == 200
    assert status_of(virtual_client.delete_object(Bucket=bucket, Key=key)) == 204
    # Path-style clients see the same bucket.
    assert [o["Key"] for o in s3.list_objects_v2(Bucket=bucket)["Contents"]] == ["copy"]


def test_virtual_hosted_style_missing_key(virtual_client, bucket):
    response = expect_error("NoSuchKey", 404, virtual_client.get_object, Bucket=bucket, Key="nope")
    assert response["Error"].get("Key") == "nope"


def test_virtual_hosted_style_raw_host_header(raw, s3, bucket, target):
    if not target.is_own_server:
        pytest.skip("raw Host-header addressing is checked against s3emu's localhost domain")
    s3.put_object(Bucket=bucket, Key="dir/file.txt", Body=b"hello")
    host = f"{bucket}.localhost:{raw.port}"
    listing = raw.request("GET", "/?list-type=2", host=host)
    assert listing.status == 200, listing
    root = listing.xml()
    assert root.tag == f"{S3_NS}ListBucketResult"
    assert root.findtext(f"{S3_NS}Name") == bucket
    got = raw.request("GET", "/dir/file.txt", host=host)
    assert got.status == 200, got
    assert got.body == b"hello"
    # The leading "/" after the host is not part of the key.
    put = raw.request("PUT", "//leading", {}, b"x", host=host)
    assert put.status == 200, put
    assert s3.get_object(Bucket=bucket, Key="/leading")["Body"].read() == b"x"


def test_host_without_bucket_is_the_service(raw, bucket, target):
    if not target.is_own_server:
        pytest.skip("s3emu's localhost domain")
    response = raw.request("GET", "/", host=f"localhost:{raw.port}")
    assert response.status == 200, response
    assert response.xml().tag == f"{S3_NS}ListAllMyBucketsResult"
    names = [b.findtext(f"{S3_NS}Name") for b in response.xml().iter(f"{S3_NS}Bucket")]
    assert bucket in names


def test_path_style_on_ip_host(raw, s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"ip")
    response = raw.request("GET", f"/{bucket}/k")
    assert response.status == 200
    assert response.body == b"ip"
