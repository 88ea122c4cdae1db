"""ListObjectsV2 and ListObjects (v1)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from urllib.parse import quote, unquote_plus

import pytest

from s3conf import create_bucket, empty_bucket, expect_error, status_of, unique_name
from s3conf.checksums import etag
from s3conf.raw import S3_NS

TREE = ["a.txt", "dir/", "dir/b.txt", "dir/c.txt", "dir/sub/d.txt", "e/f.txt", "z.txt"]


@pytest.fixture
def tree(s3, bucket):
    for key in TREE:
        s3.put_object(Bucket=bucket, Key=key, Body=key.encode())
    return bucket


def keys_of(response):
    return [o["Key"] for o in response.get("Contents", [])]


def prefixes_of(response):
    return [p["Prefix"] for p in response.get("CommonPrefixes", [])]


# -- ListObjectsV2 ----------------------------------------------------------------------------------


def test_list_objects_v2_all(s3, tree):
    response = s3.list_objects_v2(Bucket=tree)
    assert status_of(response) == 200
    assert keys_of(response) == TREE
    assert response["KeyCount"] == len(TREE)
    assert response["IsTruncated"] is False
    assert response["Name"] == tree
    assert response["MaxKeys"] == 1000
    assert "NextContinuationToken" not in response
    assert "CommonPrefixes" not in response
    first = response["Contents"][0]
    assert first["ETag"] == etag(b"a.txt")
    assert first["Size"] == len(b"a.txt")
    assert first["StorageClass"] == "STANDARD"
    assert "Owner" not in first


def test_list_objects_v2_empty_bucket(s3, bucket):
    response = s3.list_objects_v2(Bucket=bucket)
    assert response["KeyCount"] == 0
    assert response["IsTruncated"] is False
    assert "Contents" not in response


def test_list_objects_v2_prefix(s3, tree):
    response = s3.list_objects_v2(Bucket=tree, Prefix="dir/")
    assert keys_of(response) == ["dir/", "dir/b.txt", "dir/c.txt", "dir/sub/d.txt"]
    assert response["Prefix"] == "dir/"
    assert response["KeyCount"] == 4


def test_list_objects_v2_prefix_matching_nothing(s3, tree):
    response = s3.list_objects_v2(Bucket=tree, Prefix="nothing-here/")
    assert response["KeyCount"] == 0
    assert "Contents" not in response


def test_list_objects_v2_delimiter(s3, tree):
    response = s3.list_objects_v2(Bucket=tree, Delimiter="/")
    assert keys_of(response) == ["a.txt", "z.txt"]
    assert prefixes_of(response) == ["dir/", "e/"]
    assert response["KeyCount"] == 4
    assert response["Delimiter"] == "/"


def test_list_objects_v2_prefix_and_delimiter(s3, tree):
    response = s3.list_objects_v2(Bucket=tree, Prefix="dir/", Delimiter="/")
    assert keys_of(response) == ["dir/", "dir/b.txt", "dir/c.txt"]
    assert prefixes_of(response) == ["dir/sub/"]
    assert response["KeyCount"] == 4


def test_list_objects_v2_multi_character_delimiter(s3, bucket):
    for key in ["a--b--c", "a--d", "x"]:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    response = s3.list_objects_v2(Bucket=bucket, Delimiter="--")
    assert keys_of(response) == ["x"]
    assert prefixes_of(response) == ["a--"]


def test_list_objects_v2_max_keys_and_continuation(s3, tree):
    first = s3.list_objects_v2(Bucket=tree, MaxKeys=3)
    assert keys_of(first) == TREE[:3]
    assert first["KeyCount"] == 3
    assert first["MaxKeys"] == 3
    assert first["IsTruncated"] is True
    token = first["NextContinuationToken"]
    assert token
    second = s3.list_objects_v2(Bucket=tree, MaxKeys=3, ContinuationToken=token)
    assert second["ContinuationToken"] == token
    assert keys_of(second) == TREE[3:6]
    assert second["IsTruncated"] is True
    third = s3.list_objects_v2(Bucket=tree, MaxKeys=3, ContinuationToken=second["NextContinuationToken"])
    assert keys_of(third) == TREE[6:]
    assert third["IsTruncated"] is False
    assert "NextContinuationToken" not in third


def test_list_objects_v2_max_keys_counts_common_prefixes(s3, tree):
    # Sorted entries with delimiter "/": a.txt, dir/, e/, z.txt
    first = s3.list_objects_v2(Bucket=tree, Delimiter="/", MaxKeys=2)
    assert keys_of(first) == ["a.txt"]
    assert prefixes_of(first) == ["dir/"]
    assert first["KeyCount"] == 2
    assert first["IsTruncated"] is True
    second = s3.list_objects_v2(
        Bucket=tree, Delimiter="/", MaxKeys=2, ContinuationToken=first["NextContinuationToken"]
    )
    assert prefixes_of(second) == ["e/"]
    assert keys_of(second) == ["z.txt"]
    assert second["IsTruncated"] is False


def test_list_objects_v2_start_after(s3, tree):
    response = s3.list_objects_v2(Bucket=tree, StartAfter="dir/c.txt")
    assert keys_of(response) == ["dir/sub/d.txt", "e/f.txt", "z.txt"]
    assert response["StartAfter"] == "dir/c.txt"


def test_list_objects_v2_start_after_not_an_existing_key(s3, tree):
    response = s3.list_objects_v2(Bucket=tree, StartAfter="dir/bz")
    assert keys_of(response) == ["dir/c.txt", "dir/sub/d.txt", "e/f.txt", "z.txt"]


def test_list_objects_v2_fetch_owner(s3, tree):
    owner_id = s3.list_buckets()["Owner"]["ID"]
    response = s3.list_objects_v2(Bucket=tree, FetchOwner=True)
    assert all(o["Owner"]["ID"] == owner_id for o in response["Contents"])


def test_list_objects_v2_invalid_continuation_token(s3, tree):
    expect_error("InvalidArgument", 400, s3.list_objects_v2, Bucket=tree, ContinuationToken="not-a-token!!")


def test_list_objects_v2_keys_sort_in_utf8_binary_order(s3, bucket):
    # UTF-16 order would put the emoji (surrogate D83D) before U+FF21; UTF-8 puts it after.
    keys = ["a", "B", "é", "z", "~", "Z1", "\uff21", "\U0001F600", "\u00ff", "0"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    listed = keys_of(s3.list_objects_v2(Bucket=bucket))
    assert listed == sorted(keys, key=lambda k: k.encode("utf-8"))


def test_list_objects_v2_encoding_type_url_raw(raw, s3, bucket):
    keys = ["plain", "with space", "plus+sign", "paren(3).png", "ctrl\x01char", "ü/日本"]
    for key in keys:
        s3.put_object(Bucket=bucket, Key=key, Body=b"")
    response = raw.request("GET", f"/{bucket}?list-type=2&encoding-type=url")
    assert response.status == 200, response
    root = response.xml()
    assert root.findtext(f"{S3_NS}EncodingType") == "url"
    encoded = [c.findtext(f"{S3_NS}Key") for c in root.iter(f"{S3_NS}Contents")]
    assert [unquote_plus(k) for k in encoded] == sorted(keys, key=lambda k: k.encode())
    for raw_key in encoded:
        assert " " not in raw_key and "\x01" not in raw_key and "(" not in raw_key
        assert all(ord(ch) < 128 for ch in raw_key), raw_key


def test_list_objects_v2_encoding_type_url_encodes_prefixes_and_delimiter(raw, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a b/c", Body=b"")
    s3.put_object(Bucket=bucket, Key="a b/d e/f", Body=b"")
    target = f"/{bucket}?list-type=2&encoding-type=url&delimiter=%2F&prefix={quote('a b/', safe='')}"
    response = raw.request("GET", target)
    assert response.status == 200, response
    root = response.xml()
    assert unquote_plus(root.findtext(f"{S3_NS}Prefix")) == "a b/"
    assert " " not in root.findtext(f"{S3_NS}Prefix")
    prefixes = [p.findtext(f"{S3_NS}Prefix") for p in root.iter(f"{S3_NS}CommonPrefixes")]
    assert [unquote_plus(p) for p in prefixes] == ["a b/d e/"]


def test_list_objects_v2_without_encoding_returns_literal_keys(raw, s3, bucket):
    s3.put_object(Bucket=bucket, Key="with space & amp", Body=b"")
    response = raw.request("GET", f"/{bucket}?list-type=2")
    root = response.xml()
    assert root.find(f"{S3_NS}EncodingType") is None
    assert [c.findtext(f"{S3_NS}Key") for c in root.iter(f"{S3_NS}Contents")] == ["with space & amp"]


def test_list_objects_v2_raw_xml_shape(raw, tree):
    response = raw.request("GET", f"/{tree}?list-type=2&max-keys=2")
    assert response.status == 200
    assert response.header("Content-Type").startswith("application/xml")
    root = response.xml()
    assert root.tag == f"{S3_NS}ListBucketResult"
    assert root.findtext(f"{S3_NS}Name") == tree
    assert root.findtext(f"{S3_NS}KeyCount") == "2"
    assert root.findtext(f"{S3_NS}MaxKeys") == "2"
    assert root.findtext(f"{S3_NS}IsTruncated") == "true"
    assert root.findtext(f"{S3_NS}NextContinuationToken")
    contents = root.find(f"{S3_NS}Contents")
    assert contents.findtext(f"{S3_NS}Key") == "a.txt"
    last_modified = contents.findtext(f"{S3_NS}LastModified")
    assert last_modified.endswith("Z") and "T" in last_modified and "." in last_modified
    assert contents.findtext(f"{S3_NS}ETag") == etag(b"a.txt")


# -- ListObjects (v1) --------------------------------------------------------------------------------


def test_list_objects_v1_marker_without_delimiter(s3, tree):
    first = s3.list_objects(Bucket=tree, MaxKeys=3)
    assert status_of(first) == 200
    assert keys_of(first) == TREE[:3]
    assert first["IsTruncated"] is True
    assert first.get("Marker", "") == ""
    # Without a delimiter S3 sends no NextMarker; the client continues from the last key.
    assert "NextMarker" not in first
    second = s3.list_objects(Bucket=tree, MaxKeys=3, Marker=keys_of(first)[-1])
    assert second["Marker"] == TREE[2]
    assert keys_of(second) == TREE[3:6]
    third = s3.list_objects(Bucket=tree, MaxKeys=3, Marker=keys_of(second)[-1])
    assert keys_of(third) == TREE[6:]
    assert third["IsTruncated"] is False


def test_list_objects_v1_next_marker_with_delimiter(s3, tree):
    first = s3.list_objects(Bucket=tree, Delimiter="/", MaxKeys=2)
    assert keys_of(first) == ["a.txt"]
    assert prefixes_of(first) == ["dir/"]
    assert first["IsTruncated"] is True
    assert first["NextMarker"] == "dir/"
    second = s3.list_objects(Bucket=tree, Delimiter="/", MaxKeys=2, Marker=first["NextMarker"])
    assert prefixes_of(second) == ["e/"]
    assert keys_of(second) == ["z.txt"]
    assert second["IsTruncated"] is False
    assert "NextMarker" not in second


def test_list_objects_v1_prefix_delimiter(s3, tree):
    response = s3.list_objects(Bucket=tree, Prefix="dir/", Delimiter="/")
    assert keys_of(response) == ["dir/", "dir/b.txt", "dir/c.txt"]
    assert prefixes_of(response) == ["dir/sub/"]
    assert response["MaxKeys"] == 1000


def test_list_objects_v1_owner_is_included(s3, tree):
    owner_id = s3.list_buckets()["Owner"]["ID"]
    response = s3.list_objects(Bucket=tree)
    assert all(o["Owner"]["ID"] == owner_id for o in response["Contents"])


# -- 2,500 keys -------------------------------------------------------------------------------------

MANY = 2500


@pytest.fixture(scope="module")
def many_keys_bucket(s3, target):
    name = unique_name("many")
    create_bucket(s3, name, target.region)
    keys = [f"many/{i:05d}" for i in range(MANY)]
    with ThreadPoolExecutor(8) as pool:
        list(pool.map(lambda k: s3.put_object(Bucket=name, Key=k, Body=b""), keys))
    yield name, keys
    try:
        empty_bucket(s3, name)
        s3.delete_bucket(Bucket=name)
    except Exception:  # noqa: BLE001
        pass


@pytest.mark.slow
def test_list_objects_v2_paginator_across_2500_keys(s3, many_keys_bucket):
    name, keys = many_keys_bucket
    pages = list(s3.get_paginator("list_objects_v2").paginate(Bucket=name))
    assert [p["KeyCount"] for p in pages] == [1000, 1000, 500]
    assert [p["IsTruncated"] for p in pages] == [True, True, False]
    assert [k for p in pages for k in keys_of(p)] == keys


@pytest.mark.slow
def test_list_objects_v2_max_keys_is_capped_at_1000(s3, many_keys_bucket):
    name, keys = many_keys_bucket
    response = s3.list_objects_v2(Bucket=name, MaxKeys=5000)
    assert response["KeyCount"] == 1000
    assert keys_of(response) == keys[:1000]
    assert response["IsTruncated"] is True


@pytest.mark.slow
def test_list_objects_v2_paginator_small_pages_with_start_after(s3, many_keys_bucket):
    name, keys = many_keys_bucket
    pages = list(s3.get_paginator("list_objects_v2").paginate(
        Bucket=name, StartAfter=keys[1234], PaginationConfig={"PageSize": 250}))
    assert all(p["KeyCount"] <= 250 for p in pages)
    assert [k for p in pages for k in keys_of(p)] == keys[1235:]


@pytest.mark.slow
def test_list_objects_v1_paginator_across_2500_keys(s3, many_keys_bucket):
    name, keys = many_keys_bucket
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=name))
    assert [len(keys_of(p)) for p in pages] == [1000, 1000, 500]
    assert [k for p in pages for k in keys_of(p)] == keys


@pytest.mark.slow
def test_list_objects_v2_delimiter_over_many_keys_collapses_to_one_prefix(s3, many_keys_bucket):
    name, _ = many_keys_bucket
    response = s3.list_objects_v2(Bucket=name, Delimiter="/")
    assert prefixes_of(response) == ["many/"]
    assert response["KeyCount"] == 1
    assert response["IsTruncated"] is False
