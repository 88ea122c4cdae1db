"""POST Object (browser form uploads) through independent clients.

Forms are signed by botocore's `generate_presigned_post` (Signature Version 4, and Signature
Version 2 with `signature_version="s3"`), never by s3emu's own signer, and sent with `requests`
as a browser would send them: `multipart/form-data`, the fields first, the file last.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import xml.etree.ElementTree as ET
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from s3conf import expect_error

MIB = 1024 * 1024


def error_of(response: requests.Response) -> dict[str, str]:
    """The elements of an S3 XML error body."""
    root = ET.fromstring(response.content)
    return {child.tag.split("}")[-1]: child.text or "" for child in root}


def post_form(post: dict[str, Any], content: bytes, filename: str = "cat.png", *,
              content_type: str = "image/png", extra: dict[str, str] | None = None,
              after: dict[str, str] | None = None, timeout: float = 60) -> requests.Response:
    """Sends a presigned POST form: its fields (plus `extra`), the file, then `after`."""
    parts: list[tuple[str, Any]] = [(name, (None, value)) for name, value in post["fields"].items()]
    parts += [(name, (None, value)) for name, value in (extra or {}).items()]
    parts.append(("file", (filename, content, content_type)))
    parts += [(name, (None, value)) for name, value in (after or {}).items()]
    return requests.post(post["url"], files=parts, allow_redirects=False, timeout=timeout)


def assert_error(response: requests.Response, status: int, code: str, message: str | None = None) -> dict[str, str]:
    assert response.status_code == status, response.text
    error = error_of(response)
    assert error["Code"] == code, response.text
    if message is not None:
        assert error["Message"] == message, response.text
    return error


def client_with(target, access_key: str, secret_key: str, signature_version: str = "s3v4") -> Any:
    import boto3
    from botocore.config import Config

    return boto3.session.Session().client(
        "s3", endpoint_url=target.endpoint, region_name=target.region, aws_access_key_id=access_key,
        aws_secret_access_key=secret_key, config=Config(signature_version=signature_version, s3={"addressing_style": "path"}))


# -------------------------------------------------------------------------------------------------
# Stored
# -------------------------------------------------------------------------------------------------


def test_presigned_post_stores_the_file_and_answers_204(s3, bucket):
    post = s3.generate_presigned_post(bucket, "uploads/${filename}",
                                      Fields={"Content-Type": "image/png"},
                                      Conditions=[{"Content-Type": "image/png"}, ["content-length-range", 1, 10 * MIB]])
    content = os.urandom(70_000)
    response = post_form(post, content, "kitten.png")
    assert response.status_code == 204, response.text
    assert response.content == b""
    got = s3.get_object(Bucket=bucket, Key="uploads/kitten.png")
    assert got["Body"].read() == content
    assert got["ContentType"] == "image/png"
    assert response.headers["ETag"] == got["ETag"] == f'"{hashlib.md5(content).hexdigest()}"'
    assert response.headers["Location"].endswith(f"/{bucket}/uploads%2Fkitten.png")


def test_a_large_file_streams_through(s3, bucket):
    post = s3.generate_presigned_post(bucket, "big.bin", Conditions=[["content-length-range", 0, 64 * MIB]])
    content = os.urandom(24 * MIB + 5)
    response = post_form(post, content, "big.bin")
    assert response.status_code == 204, response.text
    head = s3.head_object(Bucket=bucket, Key="big.bin")
    assert head["ContentLength"] == len(content)
    assert head["ETag"] == f'"{hashlib.md5(content).hexdigest()}"'


def test_success_action_status_201_answers_a_post_response_document(s3, bucket):
    post = s3.generate_presigned_post(bucket, "doc/${filename}", Fields={"success_action_status": "201"},
                                      Conditions=[{"success_action_status": "201"}])
    response = post_form(post, b"something body", "my-file")
    assert response.status_code == 201, response.text
    root = ET.fromstring(response.content)
    assert root.tag == "PostResponse"
    values = {child.tag: child.text for child in root}
    assert values["Bucket"] == bucket
    assert values["Key"] == "doc/my-file"
    assert values["ETag"] == '"43281e21fce675ac3bcb3524b38ca4ed"'
    assert values["Location"].endswith(f"/{bucket}/doc%2Fmy-file")


@pytest.mark.parametrize("status, expected", [("200", 200), ("204", 204), ("404", 204), ("", 204)])
def test_success_action_status_200_204_and_anything_else(s3, bucket, status, expected):
    post = s3.generate_presigned_post(bucket, "status.txt", Fields={"success_action_status": status},
                                      Conditions=[{"success_action_status": status}])
    response = post_form(post, b"x")
    assert response.status_code == expected, response.text
    assert response.content == b""


def test_success_action_redirect_answers_303_with_bucket_key_and_etag(s3, bucket):
    redirect = "https://app.example/uploaded?ticket=42"
    post = s3.generate_presigned_post(bucket, "photos/${filename}", Fields={"success_action_redirect": redirect},
                                      Conditions=[{"success_action_redirect": redirect}])
    response = post_form(post, b"x", "my photo.jpg")
    assert response.status_code == 303, response.text
    location = response.headers["Location"]
    assert location.startswith(redirect + "&")
    query = parse_qs(urlsplit(location).query)
    assert query["bucket"] == [bucket]
    assert query["key"] == ["photos/my photo.jpg"]
    assert query["etag"] == [f'"{hashlib.md5(b"x").hexdigest()}"']
    assert "key=photos%2Fmy+photo.jpg" in location


def test_field_names_are_case_insensitive_and_x_ignore_fields_are_ignored(s3, bucket):
    post = s3.generate_presigned_post(bucket, "case.txt")
    renamed = {"KEY" if name == "key" else "Policy" if name == "policy" else name.title() if name.startswith("x-amz-") else name: value
               for name, value in post["fields"].items()}
    response = post_form({"url": post["url"], "fields": renamed}, b"case", extra={"x-ignore-flash": "1"})
    assert response.status_code == 204, response.text
    assert s3.get_object(Bucket=bucket, Key="case.txt")["Body"].read() == b"case"


def test_fields_after_the_file_are_ignored(s3, bucket):
    post = s3.generate_presigned_post(bucket, "late.txt")
    response = post_form(post, b"late", after={"x-amz-meta-late": "unsigned", "submit": "Upload"})
    assert response.status_code == 204, response.text
    assert s3.head_object(Bucket=bucket, Key="late.txt")["Metadata"] == {}


def test_metadata_and_content_headers_come_from_the_fields(s3, bucket):
    fields = {"Content-Type": "text/plain", "Cache-Control": "max-age=60", "x-amz-meta-TEST-2": "two"}
    post = s3.generate_presigned_post(bucket, "meta.txt", Fields=fields, Conditions=[{k: v} for k, v in fields.items()])
    response = post_form(post, b"meta", content_type="image/png")
    assert response.status_code == 204, response.text
    head = s3.head_object(Bucket=bucket, Key="meta.txt")
    assert head["ContentType"] == "text/plain"
    assert head["CacheControl"] == "max-age=60"
    assert head["Metadata"] == {"test-2": "two"}


def test_checksum_and_content_md5_fields_are_verified(s3, bucket):
    content = b"checked content"
    sha = base64.b64encode(hashlib.sha256(content).digest()).decode()
    post = s3.generate_presigned_post(bucket, "sum.txt", Fields={"x-amz-checksum-sha256": sha},
                                      Conditions=[{"x-amz-checksum-sha256": sha}])
    response = post_form(post, content)
    assert response.status_code == 204, response.text
    assert response.headers["x-amz-checksum-sha256"] == sha
    wrong = base64.b64encode(hashlib.md5(b"other").digest()).decode()
    post = s3.generate_presigned_post(bucket, "md5.txt", Fields={"Content-MD5": wrong}, Conditions=[{"Content-MD5": wrong}])
    assert_error(post_form(post, content), 400, "BadDigest")
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="md5.txt")


def test_the_tagging_field_sets_the_objects_tags(s3, bucket):
    tagging = "<Tagging><TagSet><Tag><Key>0</Key><Value>0</Value></Tag><Tag><Key>1</Key><Value>1</Value></Tag></TagSet></Tagging>"
    post = s3.generate_presigned_post(bucket, "tagged.txt", Fields={"tagging": tagging},
                                      Conditions=[["starts-with", "$tagging", ""]])
    response = post_form(post, b"tagged")
    assert response.status_code == 204, response.text
    tags = s3.get_object_tagging(Bucket=bucket, Key="tagged.txt")["TagSet"]
    assert sorted((t["Key"], t["Value"]) for t in tags) == [("0", "0"), ("1", "1")]
    post = s3.generate_presigned_post(bucket, "bad.txt", Fields={"tagging": "not-xml"}, Conditions=[["starts-with", "$tagging", ""]])
    assert_error(post_form(post, b"x"), 400, "MalformedXML")


def test_signature_version_2_forms(target, bucket):
    v2 = client_with(target, target.access_key, target.secret_key, signature_version="s3")
    post = v2.generate_presigned_post(bucket, "v2.txt")
    assert "AWSAccessKeyId" in post["fields"] and "signature" in post["fields"]
    response = post_form(post, b"v2")
    assert response.status_code == 204, response.text
    post["fields"]["signature"] = base64.b64encode(b"\0" * 20).decode()
    assert_error(post_form(post, b"v2"), 403, "SignatureDoesNotMatch")


# -------------------------------------------------------------------------------------------------
# The policy
# -------------------------------------------------------------------------------------------------


def test_a_failed_starts_with_condition_is_named(s3, bucket):
    post = s3.generate_presigned_post(bucket, "page.html", Fields={"Content-Type": "text/html"},
                                      Conditions=[["starts-with", "$Content-Type", "image/"]])
    assert_error(post_form(post, b"<html>"), 403, "AccessDenied",
                 'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]')


def test_a_failed_exact_condition_is_named_as_an_eq_array(s3, bucket):
    post = s3.generate_presigned_post(bucket, "a.txt")
    post["fields"]["key"] = "b.txt"
    assert_error(post_form(post, b"x"), 403, "AccessDenied",
                 'Invalid according to Policy: Policy Condition failed: ["eq", "$key", "a.txt"]')


def test_a_form_for_another_bucket_fails_the_bucket_condition(s3, bucket_factory):
    first, second = bucket_factory(), bucket_factory()
    post = s3.generate_presigned_post(first, "k.txt")
    post["url"] = post["url"].replace(first, second)
    assert_error(post_form(post, b"x"), 403, "AccessDenied",
                 f'Invalid according to Policy: Policy Condition failed: ["eq", "$bucket", "{first}"]')


def test_an_extra_field_is_refused(s3, bucket):
    post = s3.generate_presigned_post(bucket, "extra.txt")
    assert_error(post_form(post, b"x", extra={"x-amz-meta-note": "unsigned"}), 403, "AccessDenied",
                 "Invalid according to Policy: Extra input fields: x-amz-meta-note")


def test_an_expired_policy_is_refused(s3, bucket):
    post = s3.generate_presigned_post(bucket, "late.txt", ExpiresIn=-10)
    assert_error(post_form(post, b"x"), 403, "AccessDenied", "Invalid according to Policy: Policy expired.")


def test_a_tampered_policy_does_not_match_its_signature(s3, bucket):
    post = s3.generate_presigned_post(bucket, "t.txt", Conditions=[["content-length-range", 1, 10]])
    policy = json.loads(base64.b64decode(post["fields"]["policy"]))
    policy["conditions"] = [c for c in policy["conditions"] if not (isinstance(c, list) and c[0] == "content-length-range")]
    post["fields"]["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
    error = assert_error(post_form(post, b"x" * 100), 403, "SignatureDoesNotMatch")
    assert error["StringToSign"] == post["fields"]["policy"]
    assert error["SignatureProvided"] == post["fields"]["x-amz-signature"]


def test_a_wrong_secret_and_an_unknown_key_are_refused(target, bucket):
    wrong = client_with(target, target.access_key, "not-the-secret")
    assert_error(post_form(wrong.generate_presigned_post(bucket, "w.txt"), b"x"), 403, "SignatureDoesNotMatch")
    unknown = client_with(target, "AKIAUNKNOWNKEY000000", "whatever")
    error = assert_error(post_form(unknown.generate_presigned_post(bucket, "u.txt"), b"x"), 403, "InvalidAccessKeyId")
    assert error["AWSAccessKeyId"] == "AKIAUNKNOWNKEY000000"


@pytest.mark.parametrize("size, code, bound", [(11, "EntityTooLarge", "MaxSizeAllowed"), (0, "EntityTooSmall", "MinSizeAllowed")])
def test_content_length_range(s3, bucket, size, code, bound):
    post = s3.generate_presigned_post(bucket, "sized.bin", Conditions=[["content-length-range", 1, 10]])
    error = assert_error(post_form(post, b"z" * size), 400, code)
    assert error["ProposedSize"] == str(size)
    assert error[bound] == ("10" if bound == "MaxSizeAllowed" else "1")
    for edge in (1, 10):
        assert post_form(post, b"z" * edge).status_code == 204


def test_a_20_mib_file_over_a_10_mib_range_is_entity_too_large(s3, bucket):
    post = s3.generate_presigned_post(bucket, "big.png", Conditions=[["content-length-range", 1, 10 * MIB]])
    error = assert_error(post_form(post, b"\0" * (20 * MIB)), 400, "EntityTooLarge")
    assert error["ProposedSize"] == str(20 * MIB)
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="big.png")


def sigv4_post_signature(secret: str, credential: str, policy: str) -> str:
    """hex(HMAC-SHA256(signing key of the credential's scope, policy)), computed here, not by s3emu."""
    _, date, region, service, _ = credential.split("/")
    key = ("AWS4" + secret).encode()
    for part in (date, region, service, "aws4_request"):
        key = hmac.new(key, part.encode(), hashlib.sha256).digest()
    return hmac.new(key, policy.encode(), hashlib.sha256).hexdigest()


@pytest.mark.parametrize("document, message", [
    ("not json", "Invalid Policy: Invalid JSON."),
    ('{"conditions": []}', "Invalid Policy: Policy missing expiration."),
    ('{"expiration": "2030-01-01T00:00:00Z"}', "Invalid Policy: Policy missing conditions."),
    ('{"expiration": "2030-01-01 00:00:00 UTC", "conditions": []}',
     "Invalid Policy: Invalid 'expiration' value: '2030-01-01 00:00:00 UTC'"),
    ('{"expiration": "2030-01-01T00:00:00Z", "conditions": [{"bucket": "b", "key": "k"}]}',
     "Invalid Policy: Invalid Simple-Condition: Simple-Conditions must have exactly one property specified."),
    ('{"expiration": "2030-01-01T00:00:00Z", "conditions": [["content-length-range", 0, 512.0]]}',
     "Invalid Policy: Invalid JSON."),
    ('{"expiration": "2030-01-01T00:00:00Z", "conditions": [["ends-with", "$key", "x"]]}',
     "Invalid Policy: Invalid Condition: unknown operation 'ends-with'."),
])
def test_invalid_policy_documents(target, s3, bucket, document, message):
    post = s3.generate_presigned_post(bucket, "p.txt")
    fields = dict(post["fields"])
    fields["policy"] = base64.b64encode(document.encode()).decode()
    fields["x-amz-signature"] = sigv4_post_signature(target.secret_key, fields["x-amz-credential"], fields["policy"])
    assert_error(post_form({"url": post["url"], "fields": fields}, b"x"), 400, "InvalidPolicyDocument", message)


def test_acl_field_on_a_bucket_with_acls_disabled_is_not_supported(s3, bucket):
    post = s3.generate_presigned_post(bucket, "acl.txt", Fields={"acl": "public-read"}, Conditions=[{"acl": "public-read"}])
    assert_error(post_form(post, b"x"), 400, "AccessControlListNotSupported", "The bucket does not allow ACLs")


def test_acl_field_with_acls_enabled_sets_the_object_acl(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "BucketOwnerPreferred"}]})
    post = s3.generate_presigned_post(bucket, "public.txt", Fields={"acl": "public-read"}, Conditions=[{"acl": "public-read"}])
    response = post_form(post, b"public")
    assert response.status_code == 204, response.text
    grants = s3.get_object_acl(Bucket=bucket, Key="public.txt")["Grants"]
    assert any(g["Grantee"].get("URI", "").endswith("/AllUsers") and g["Permission"] == "READ" for g in grants), grants
    assert requests.get(f"{post['url']}/public.txt", timeout=10).content == b"public"


def test_a_security_token_field_is_refused(s3, bucket):
    post = s3.generate_presigned_post(bucket, "token.txt", Fields={"x-amz-security-token": "FQoGZXIvYXdzEJr"},
                                      Conditions=[{"x-amz-security-token": "FQoGZXIvYXdzEJr"}])
    assert_error(post_form(post, b"x"), 400, "InvalidToken")


# -------------------------------------------------------------------------------------------------
# Anonymous forms
# -------------------------------------------------------------------------------------------------


def test_an_anonymous_form_cannot_write_to_a_private_bucket(s3, bucket):
    url = s3.generate_presigned_post(bucket, "x")["url"]
    assert_error(post_form({"url": url, "fields": {"key": "anon.txt"}}, b"x"), 403, "AccessDenied", "Access Denied")


def test_an_anonymous_form_writes_where_the_bucket_policy_allows_it(s3, bucket):
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Principal": "*", "Action": "s3:PutObject", "Resource": f"arn:aws:s3:::{bucket}/drop/*"}],
    }))
    url = s3.generate_presigned_post(bucket, "x")["url"]
    response = post_form({"url": url, "fields": {"key": "drop/${filename}"}}, b"anonymous", "note.txt")
    assert response.status_code == 204, response.text
    assert s3.get_object(Bucket=bucket, Key="drop/note.txt")["Body"].read() == b"anonymous"
    assert_error(post_form({"url": url, "fields": {"key": "elsewhere.txt"}}, b"x"), 403, "AccessDenied")


# -------------------------------------------------------------------------------------------------
# Malformed forms
# -------------------------------------------------------------------------------------------------


def raw_post(url: str, body: bytes, content_type: str | None) -> requests.Response:
    headers = {"Content-Type": content_type} if content_type else {}
    return requests.post(url, data=body, headers=headers, timeout=30)


def test_a_body_that_is_not_multipart_is_a_precondition_failure(s3, bucket):
    url = s3.generate_presigned_post(bucket, "x")["url"]
    error = assert_error(raw_post(url, b"key=x", "application/x-www-form-urlencoded"), 412, "PreconditionFailed")
    assert error["Condition"] == "Bucket POST must be of the enclosure-type multipart/form-data"


@pytest.mark.parametrize("body, content_type, code", [
    (b"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--b--\r\n", "multipart/form-data", "MalformedPOSTRequest"),
    (b"garbage", "multipart/form-data; boundary=b", "MalformedPOSTRequest"),
    (b"--b\r\nContent-Disposition: form-data; name=\"key\"\r\n\r\nk\r\n--b--\r\n", "multipart/form-data; boundary=b", "InvalidArgument"),
    (b"--b\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n\r\ndata\r\n--b--\r\n",
     "multipart/form-data; boundary=b", "InvalidArgument"),
    (b"--b\r\nContent-Disposition: form-data; name=\"x-ignore-pad\"\r\n\r\n" + b"p" * 21000 + b"\r\n--b--\r\n",
     "multipart/form-data; boundary=b", "MaxPostPreDataLengthExceeded"),
])
def test_malformed_forms_are_client_errors(s3, bucket, body, content_type, code):
    url = s3.generate_presigned_post(bucket, "x")["url"]
    assert_error(raw_post(url, body, content_type), 400, code)


def test_a_file_part_without_its_closing_boundary_is_malformed(s3, bucket):
    post = s3.generate_presigned_post(bucket, "open.txt")
    body = b"".join(f'--b\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in post["fields"].items())
    body += b'--b\r\nContent-Disposition: form-data; name="file"; filename="f"\r\n\r\nunterminated'
    assert_error(raw_post(post["url"], body, "multipart/form-data; boundary=b"), 400, "MalformedPOSTRequest")
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="open.txt")


def test_missing_key_and_missing_file_messages(s3, bucket):
    post = s3.generate_presigned_post(bucket, "k.txt")
    fields = {name: value for name, value in post["fields"].items() if name != "key"}
    error = assert_error(post_form({"url": post["url"], "fields": fields}, b"x"), 400, "InvalidArgument",
                         "Bucket POST must contain a field named 'key'.  If it is specified, please check the order of the fields.")
    assert error["ArgumentName"] == "key"
    parts = [(name, (None, value)) for name, value in post["fields"].items()]
    response = requests.post(post["url"], files=parts, timeout=30)
    error = assert_error(response, 400, "InvalidArgument", "POST requires exactly one file upload per request.")
    assert (error["ArgumentName"], error["ArgumentValue"]) == ("file", "0")


def test_a_missing_signature_field_is_named(s3, bucket):
    post = s3.generate_presigned_post(bucket, "k.txt")
    del post["fields"]["x-amz-signature"]
    error = assert_error(post_form(post, b"x"), 400, "InvalidArgument",
                         "Bucket POST must contain a field named 'X-Amz-Signature'.  If it is specified, please check the order of the fields.")
    assert error["ArgumentName"] == "X-Amz-Signature"


def test_post_to_a_missing_bucket_is_no_such_bucket(s3, bucket):
    post = s3.generate_presigned_post(bucket, "k.txt")
    post["url"] = post["url"].rsplit("/", 1)[0] + "/no-such-bucket-for-post"
    assert_error(post_form(post, b"x"), 404, "NoSuchBucket")


# -------------------------------------------------------------------------------------------------
# s3emu presign / presign-post (the forms people build by hand)
# -------------------------------------------------------------------------------------------------


def run_s3emu(target, *arguments: str) -> str:
    import subprocess

    from s3conf.server import default_binary

    if not target.is_own_server:
        pytest.skip("the s3emu CLI signs for its own server (S3_ENDPOINT is set)")
    result = subprocess.run([str(default_binary()), *arguments, "--endpoint", target.endpoint,
                             "--access-key", target.access_key, "--secret-key", target.secret_key],
                            capture_output=True, text=True, timeout=30, check=False)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_s3emu_presign_post_prints_a_form_that_uploads(target, s3, bucket):
    output = run_s3emu(target, "presign-post", f"s3://{bucket}/cli/${{filename}}", "--field", "Content-Type=image/png",
                       "--starts-with", "Content-Type=image/", "--content-length-range", "1:1024")
    post = json.loads(output)
    assert post["url"] == f"{target.endpoint}/{bucket}"
    response = post_form(post, b"from the cli", "cli.png")
    assert response.status_code == 204, response.text
    assert s3.get_object(Bucket=bucket, Key="cli/cli.png")["Body"].read() == b"from the cli"
    assert_error(post_form(post, b"x" * 2000, "big.png"), 400, "EntityTooLarge")


def test_s3emu_presign_prints_urls_for_put_and_get(target, s3, bucket):
    put_url = run_s3emu(target, "presign", f"s3://{bucket}/cli/put.txt", "--method", "PUT", "--expires", "60").strip()
    assert requests.put(put_url, data=b"put by url", timeout=10).status_code == 200
    get_url = run_s3emu(target, "presign", f"s3://{bucket}/cli/put.txt").strip()
    assert requests.get(get_url, timeout=10).content == b"put by url"
    assert requests.get(get_url.replace("X-Amz-Signature=", "X-Amz-Signature=0"), timeout=10).status_code == 403
