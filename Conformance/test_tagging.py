"""Object and bucket tagging: Put/Get/DeleteObjectTagging, `x-amz-tagging` on PutObject,
CopyObject (`x-amz-tagging-directive`) and CreateMultipartUpload, `x-amz-tagging-count` on
GetObject, S3's tag limits (InvalidTag), and Put/Get/DeleteBucketTagging — through boto3.
"""

from __future__ import annotations

import pytest

from s3conf import expect_error, headers_of, status_of


def tag_set(**tags: str) -> dict:
    return {"TagSet": [{"Key": key, "Value": value} for key, value in tags.items()]}


def tags_of(s3, bucket: str, key: str) -> dict[str, str]:
    return {tag["Key"]: tag["Value"] for tag in s3.get_object_tagging(Bucket=bucket, Key=key)["TagSet"]}


# -- object tagging ---------------------------------------------------------------------------------


def test_put_get_and_delete_object_tagging(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert tags_of(s3, bucket, "k") == {}
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(project="blue", owner="Zoë"))
    assert tags_of(s3, bucket, "k") == {"project": "blue", "owner": "Zoë"}
    assert headers_of(s3.get_object(Bucket=bucket, Key="k"))["x-amz-tagging-count"] == "2"
    # A put replaces the whole set.
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(only="one"))
    assert tags_of(s3, bucket, "k") == {"only": "one"}
    assert status_of(s3.delete_object_tagging(Bucket=bucket, Key="k")) == 204
    assert tags_of(s3, bucket, "k") == {}
    assert "x-amz-tagging-count" not in headers_of(s3.get_object(Bucket=bucket, Key="k"))
    assert s3.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x", "tagging keeps the bytes"


def test_tagging_a_missing_object_is_no_such_key(s3, bucket):
    expect_error("NoSuchKey", 404, s3.get_object_tagging, Bucket=bucket, Key="missing")
    expect_error("NoSuchKey", 404, s3.put_object_tagging, Bucket=bucket, Key="missing", Tagging=tag_set(a="b"))
    expect_error("NoSuchKey", 404, s3.delete_object_tagging, Bucket=bucket, Key="missing")


def test_put_object_with_the_tagging_header(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x", Tagging="a=1&b=two%20words&empty=")
    assert tags_of(s3, bucket, "k") == {"a": "1", "b": "two words", "empty": ""}


@pytest.mark.parametrize("tags, message", [
    ({f"k{n}": "v" for n in range(11)}, "Object tags cannot be greater than 10"),
    ({"k" * 129: "v"}, "The TagKey you have provided is invalid"),
    ({"k": "v" * 257}, "The TagValue you have provided is invalid"),
])
def test_tag_limits_are_invalid_tag(s3, bucket, tags, message):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    expect_error("InvalidTag", 400, s3.put_object_tagging, Bucket=bucket, Key="k", Tagging=tag_set(**tags), message=message)
    header = "&".join(f"{key}={value}" for key, value in tags.items())
    expect_error("InvalidTag", 400, s3.put_object, Bucket=bucket, Key="k2", Body=b"x", Tagging=header, message=message)
    assert tags_of(s3, bucket, "k") == {}


def test_ten_tags_of_the_longest_keys_and_values_are_accepted(s3, bucket):
    tags = {f"{n}".ljust(128, "k"): "v" * 256 for n in range(10)}
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    s3.put_object_tagging(Bucket=bucket, Key="k", Tagging=tag_set(**tags))
    assert tags_of(s3, bucket, "k") == tags


def test_duplicate_tag_keys_are_invalid_tag(s3, bucket):
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    expect_error("InvalidTag", 400, s3.put_object_tagging, Bucket=bucket, Key="k",
                 Tagging={"TagSet": [{"Key": "a", "Value": "1"}, {"Key": "a", "Value": "2"}]},
                 message="Cannot provide multiple Tags with the same key")


def test_copy_object_copies_or_replaces_the_tags(s3, bucket):
    s3.put_object(Bucket=bucket, Key="src", Body=b"x", Tagging="colour=red")
    s3.copy_object(Bucket=bucket, Key="copied", CopySource={"Bucket": bucket, "Key": "src"})
    assert tags_of(s3, bucket, "copied") == {"colour": "red"}
    s3.copy_object(Bucket=bucket, Key="replaced", CopySource={"Bucket": bucket, "Key": "src"},
                   TaggingDirective="REPLACE", Tagging="colour=blue&size=big")
    assert tags_of(s3, bucket, "replaced") == {"colour": "blue", "size": "big"}
    s3.copy_object(Bucket=bucket, Key="cleared", CopySource={"Bucket": bucket, "Key": "src"}, TaggingDirective="REPLACE")
    assert tags_of(s3, bucket, "cleared") == {}
    expect_error("InvalidArgument", 400, s3.copy_object, Bucket=bucket, Key="bad", CopySource={"Bucket": bucket, "Key": "src"},
                 TaggingDirective="MERGE")


def test_create_multipart_upload_with_tags(s3, bucket):
    upload_id = s3.create_multipart_upload(Bucket=bucket, Key="mp", Tagging="stage=upload")["UploadId"]
    part = s3.upload_part(Bucket=bucket, Key="mp", UploadId=upload_id, PartNumber=1, Body=b"data")
    s3.complete_multipart_upload(Bucket=bucket, Key="mp", UploadId=upload_id,
                                 MultipartUpload={"Parts": [{"PartNumber": 1, "ETag": part["ETag"]}]})
    assert tags_of(s3, bucket, "mp") == {"stage": "upload"}


# -- bucket tagging ---------------------------------------------------------------------------------


def test_put_get_and_delete_bucket_tagging(s3, bucket):
    expect_error("NoSuchTagSet", 404, s3.get_bucket_tagging, Bucket=bucket, message="The TagSet does not exist")
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(team="storage", cost="42"))
    tags = {tag["Key"]: tag["Value"] for tag in s3.get_bucket_tagging(Bucket=bucket)["TagSet"]}
    assert tags == {"team": "storage", "cost": "42"}
    assert status_of(s3.delete_bucket_tagging(Bucket=bucket)) == 204
    expect_error("NoSuchTagSet", 404, s3.get_bucket_tagging, Bucket=bucket)


def test_bucket_tagging_limits(s3, bucket):
    s3.put_bucket_tagging(Bucket=bucket, Tagging=tag_set(**{f"k{n}": "v" for n in range(50)}))
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50
    expect_error("InvalidTag", 400, s3.put_bucket_tagging, Bucket=bucket, Tagging=tag_set(**{f"k{n}": "v" for n in range(51)}))
    expect_error("InvalidTag", 400, s3.put_bucket_tagging, Bucket=bucket, Tagging=tag_set(**{"aws:reserved": "v"}))
    assert len(s3.get_bucket_tagging(Bucket=bucket)["TagSet"]) == 50, "a refused put changes nothing"


def test_put_bucket_tagging_needs_content_md5(s3, bucket, raw):
    body = (b'<Tagging xmlns="http://s3.amazonaws.com/doc/2006-03-01/"><TagSet><Tag><Key>a</Key><Value>b</Value></Tag>'
            b'</TagSet></Tagging>')
    response = raw.request("PUT", f"/{bucket}?tagging", body=body)
    assert (response.status, response.error()["Code"]) == (400, "InvalidRequest")


def test_bucket_tagging_of_a_missing_bucket_is_no_such_bucket(s3):
    expect_error("NoSuchBucket", 404, s3.get_bucket_tagging, Bucket="no-such-bucket-tagging")
