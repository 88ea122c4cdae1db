"""The same operations through the AWS CLI: `aws s3api …` for each operation, `aws s3 cp/ls/rm/sync`."""

from __future__ import annotations

import hashlib
import json
import os
import time
from pathlib import Path

import pytest

from s3conf import unique_name
from s3conf.checksums import etag

# Every aws invocation starts a Python process (~0.7 s); these tests take seconds each.
pytestmark = pytest.mark.slow


@pytest.fixture
def cli_bucket(aws, s3, bucket):
    return bucket


def write(path: Path, data: bytes) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    return path


# -- s3api: buckets -----------------------------------------------------------------------------------


def test_s3api_bucket_lifecycle(aws, s3, target):
    name = unique_name("cli")
    args = ["create-bucket", "--bucket", name]
    if target.region != "us-east-1":
        args += ["--create-bucket-configuration", f"LocationConstraint={target.region}"]
    created = aws.s3api(*args)
    if target.region == "us-east-1":
        assert created.json["Location"] == f"/{name}"
    try:
        listed = aws.s3api("list-buckets").json
        assert name in [b["Name"] for b in listed["Buckets"]]
        assert aws.s3api("head-bucket", "--bucket", name).returncode == 0
        location = aws.s3api("get-bucket-location", "--bucket", name).json
        assert location["LocationConstraint"] == (None if target.region == "us-east-1" else target.region)
        again = aws.s3api(*args, check=False)
        if target.region == "us-east-1":
            assert again.returncode == 0, again  # S3's documented us-east-1 legacy behaviour
        else:
            assert again.error_code() == "BucketAlreadyOwnedByYou"
    finally:
        aws.s3api("delete-bucket", "--bucket", name)
    missing = aws.s3api("head-bucket", "--bucket", name, check=False)
    assert missing.returncode != 0
    assert missing.error_code() == "404"


def test_s3api_invalid_bucket_name(aws):
    result = aws.s3api("create-bucket", "--bucket", "Invalid_Bucket_Name", check=False)
    assert result.returncode != 0
    assert result.error_code() == "InvalidBucketName"


def test_s3api_delete_non_empty_bucket(aws, s3, cli_bucket):
    s3.put_object(Bucket=cli_bucket, Key="k", Body=b"x")
    result = aws.s3api("delete-bucket", "--bucket", cli_bucket, check=False)
    assert result.error_code() == "BucketNotEmpty"


# -- s3api: objects -----------------------------------------------------------------------------------


def test_s3api_put_get_head_object_with_metadata(aws, cli_bucket, tmp_path):
    data = os.urandom(50_000)
    src = write(tmp_path / "in.bin", data)
    put = aws.s3api(
        "put-object", "--bucket", cli_bucket, "--key", "dir/obj ü+.bin", "--body", str(src),
        "--content-type", "application/x-cli", "--cache-control", "max-age=5",
        "--content-disposition", "attachment", "--content-language", "en-GB",
        "--metadata", "color=red,shape=round",
    ).json
    assert put["ETag"] == etag(data)
    head = aws.s3api("head-object", "--bucket", cli_bucket, "--key", "dir/obj ü+.bin").json
    assert head["ContentLength"] == len(data)
    assert head["ContentType"] == "application/x-cli"
    assert head["CacheControl"] == "max-age=5"
    assert head["ContentDisposition"] == "attachment"
    assert head["ContentLanguage"] == "en-GB"
    assert head["Metadata"] == {"color": "red", "shape": "round"}
    out = tmp_path / "out.bin"
    got = aws.s3api("get-object", "--bucket", cli_bucket, "--key", "dir/obj ü+.bin", str(out)).json
    assert got["ETag"] == etag(data)
    assert out.read_bytes() == data


def test_s3api_get_object_range(aws, s3, cli_bucket, tmp_path):
    s3.put_object(Bucket=cli_bucket, Key="r", Body=b"abcdefghijklmnopqrstuvwxyz")
    out = tmp_path / "out"
    got = aws.s3api("get-object", "--bucket", cli_bucket, "--key", "r", "--range", "bytes=2-5", str(out)).json
    assert got["ContentRange"] == "bytes 2-5/26"
    assert out.read_bytes() == b"cdef"
    bad = aws.s3api("get-object", "--bucket", cli_bucket, "--key", "r", "--range", "bytes=40-",
                    str(tmp_path / "x"), check=False)
    assert bad.error_code() == "InvalidRange"


def test_s3api_errors_and_conditionals(aws, cli_bucket, tmp_path):
    src = write(tmp_path / "in", b"cond")
    missing = aws.s3api("get-object", "--bucket", cli_bucket, "--key", "nope", str(tmp_path / "o"), check=False)
    assert missing.returncode != 0
    assert missing.error_code() == "NoSuchKey"
    head_missing = aws.s3api("head-object", "--bucket", cli_bucket, "--key", "nope", check=False)
    assert head_missing.error_code() == "404"
    aws.s3api("put-object", "--bucket", cli_bucket, "--key", "c", "--body", str(src), "--if-none-match", "*")
    again = aws.s3api("put-object", "--bucket", cli_bucket, "--key", "c", "--body", str(src),
                      "--if-none-match", "*", check=False)
    assert again.error_code() == "PreconditionFailed"
    wrong = aws.s3api("get-object", "--bucket", cli_bucket, "--key", "c", "--if-match", '"0"',
                      str(tmp_path / "o"), check=False)
    assert wrong.error_code() == "PreconditionFailed"
    bad_md5 = aws.s3api("put-object", "--bucket", cli_bucket, "--key", "m", "--body", str(src),
                        "--content-md5", "1B2M2Y8AsgTpgAmY7PhCfg==", check=False)
    assert bad_md5.error_code() == "BadDigest"


def test_s3api_put_object_with_checksum(aws, cli_bucket, tmp_path):
    data = b"checksummed by the cli"
    put = aws.s3api("put-object", "--bucket", cli_bucket, "--key", "sum",
                    "--body", str(write(tmp_path / "in", data)), "--checksum-algorithm", "SHA256").json
    import base64

    expected = base64.b64encode(hashlib.sha256(data).digest()).decode()
    assert put["ChecksumSHA256"] == expected
    head = aws.s3api("head-object", "--bucket", cli_bucket, "--key", "sum", "--checksum-mode", "ENABLED").json
    assert head["ChecksumSHA256"] == expected


def test_s3api_copy_object(aws, s3, cli_bucket):
    s3.put_object(Bucket=cli_bucket, Key="src key+1", Body=b"copy me", Metadata={"a": "1"})
    copied = aws.s3api("copy-object", "--bucket", cli_bucket, "--key", "dst",
                       "--copy-source", f"{cli_bucket}/src key+1").json
    assert copied["CopyObjectResult"]["ETag"] == etag(b"copy me")
    assert aws.s3api("head-object", "--bucket", cli_bucket, "--key", "dst").json["Metadata"] == {"a": "1"}
    aws.s3api("copy-object", "--bucket", cli_bucket, "--key", "dst", "--copy-source", f"{cli_bucket}/dst",
              "--metadata-directive", "REPLACE", "--metadata", "b=2")
    assert aws.s3api("head-object", "--bucket", cli_bucket, "--key", "dst").json["Metadata"] == {"b": "2"}
    self_copy = aws.s3api("copy-object", "--bucket", cli_bucket, "--key", "dst",
                          "--copy-source", f"{cli_bucket}/dst", check=False)
    assert self_copy.error_code() == "InvalidRequest"


def test_s3api_list_objects_v2_and_v1(aws, s3, cli_bucket):
    keys = ["a", "d/1", "d/2", "d/sub/3", "z"]
    for key in keys:
        s3.put_object(Bucket=cli_bucket, Key=key, Body=b"")
    everything = aws.s3api("list-objects-v2", "--bucket", cli_bucket, "--page-size", "2").json
    assert [o["Key"] for o in everything["Contents"]] == keys
    delimited = aws.s3api("list-objects-v2", "--bucket", cli_bucket, "--prefix", "d/", "--delimiter", "/").json
    assert [o["Key"] for o in delimited["Contents"]] == ["d/1", "d/2"]
    assert [p["Prefix"] for p in delimited["CommonPrefixes"]] == ["d/sub/"]
    one_page = aws.s3api("list-objects-v2", "--bucket", cli_bucket, "--max-items", "2").json
    assert [o["Key"] for o in one_page["Contents"]] == keys[:2]
    assert one_page.get("NextToken")
    after = aws.s3api("list-objects-v2", "--bucket", cli_bucket, "--start-after", "d/2").json
    assert [o["Key"] for o in after["Contents"]] == ["d/sub/3", "z"]
    v1 = aws.s3api("list-objects", "--bucket", cli_bucket, "--page-size", "2").json
    assert [o["Key"] for o in v1["Contents"]] == keys
    v1_marker = aws.s3api("list-objects", "--bucket", cli_bucket, "--marker", "d/1").json
    assert [o["Key"] for o in v1_marker["Contents"]] == ["d/2", "d/sub/3", "z"]


def test_s3api_delete_object_and_delete_objects(aws, s3, cli_bucket):
    for key in ["a", "b", "c"]:
        s3.put_object(Bucket=cli_bucket, Key=key, Body=b"x")
    aws.s3api("delete-object", "--bucket", cli_bucket, "--key", "a")
    aws.s3api("delete-object", "--bucket", cli_bucket, "--key", "never-there")
    deleted = aws.s3api("delete-objects", "--bucket", cli_bucket, "--delete",
                        json.dumps({"Objects": [{"Key": "b"}, {"Key": "c"}, {"Key": "zz"}]})).json
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["b", "c", "zz"]
    quiet = aws.s3api("delete-objects", "--bucket", cli_bucket, "--delete",
                      json.dumps({"Objects": [{"Key": "b"}], "Quiet": True}))
    assert not (quiet.json or {}).get("Deleted")
    listed = aws.s3api("list-objects-v2", "--bucket", cli_bucket).json
    assert not listed.get("Contents")


# -- high-level `aws s3` ------------------------------------------------------------------------------


def test_s3_cp_upload_download_and_ls(aws, cli_bucket, tmp_path):
    data = os.urandom(3 * 1024 * 1024 + 5)  # below the 8 MiB multipart threshold
    src = write(tmp_path / "up" / "file with space.bin", data)
    aws.s3("cp", str(src), f"s3://{cli_bucket}/dir/file with space.bin")
    listing = aws.s3("ls", f"s3://{cli_bucket}/dir/").stdout
    assert "file with space.bin" in listing
    assert str(len(data)) in listing
    root_listing = aws.s3("ls", f"s3://{cli_bucket}/").stdout
    assert "PRE dir/" in root_listing
    dst = tmp_path / "down.bin"
    aws.s3("cp", f"s3://{cli_bucket}/dir/file with space.bin", str(dst))
    assert dst.read_bytes() == data
    missing = aws.s3("cp", f"s3://{cli_bucket}/dir/absent", str(tmp_path / "x"), check=False)
    assert missing.returncode != 0


def test_s3_sync_up_and_down_and_rm(aws, s3, cli_bucket, tmp_path):
    files = {
        "a.txt": b"a",
        "nested/b.txt": b"bb",
        "nested/deeper/c d+e.txt": b"ccc",
        "unicode/ü.txt": "ü".encode(),
    }
    up = tmp_path / "up"
    an_hour_ago = time.time() - 3600
    for rel, data in files.items():
        # sync re-uploads a local file newer than the object; keep mtimes clearly older.
        os.utime(write(up / rel, data), (an_hour_ago, an_hour_ago))
    aws.s3("sync", str(up), f"s3://{cli_bucket}/tree")
    listed = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket)["Contents"])
    assert listed == sorted(f"tree/{rel}" for rel in files)
    recursive = aws.s3("ls", "--recursive", f"s3://{cli_bucket}/").stdout
    for rel in files:
        assert f"tree/{rel}" in recursive
    # A second sync uploads nothing.
    second = aws.s3("sync", str(up), f"s3://{cli_bucket}/tree")
    assert "upload:" not in second.stdout
    down = tmp_path / "down"
    aws.s3("sync", f"s3://{cli_bucket}/tree", str(down))
    for rel, data in files.items():
        assert (down / rel).read_bytes() == data
    aws.s3("rm", f"s3://{cli_bucket}/tree/a.txt")
    assert "tree/a.txt" not in [o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket)["Contents"]]
    aws.s3("rm", "--recursive", f"s3://{cli_bucket}/tree/")
    assert s3.list_objects_v2(Bucket=cli_bucket)["KeyCount"] == 0


def test_s3_cp_between_keys_and_mv(aws, s3, cli_bucket, tmp_path):
    aws.s3("cp", str(write(tmp_path / "f", b"move me")), f"s3://{cli_bucket}/one")
    aws.s3("cp", f"s3://{cli_bucket}/one", f"s3://{cli_bucket}/two")
    aws.s3("mv", f"s3://{cli_bucket}/two", f"s3://{cli_bucket}/three")
    keys = sorted(o["Key"] for o in s3.list_objects_v2(Bucket=cli_bucket)["Contents"])
    assert keys == ["one", "three"]
    assert s3.get_object(Bucket=cli_bucket, Key="three")["Body"].read() == b"move me"


def test_s3_mb_and_rb(aws, s3):
    name = unique_name("climb")
    aws.s3("mb", f"s3://{name}")
    assert name in [b["Name"] for b in s3.list_buckets()["Buckets"]]
    aws.s3("rb", f"s3://{name}")
    assert name not in [b["Name"] for b in s3.list_buckets()["Buckets"]]
