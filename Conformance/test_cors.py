"""CORS: Put/Get/DeleteBucketCors through boto3 and the AWS CLI, preflight requests and the
CORS headers of actual requests through `requests`, and rules seeded by the configuration file.

A preflight is unsigned, as a browser sends it; s3emu answers it from the bucket's rules before
any authentication. Actual requests are signed by boto3 and carry an `Origin` header.
"""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from typing import Any, Iterator

import pytest
import requests

from s3conf import expect_error
from scenarios import HERE as ROOT_SCENARIOS
from scenarios import ConfigServer, start_config_server, stop_config_server

NOT_ALLOWED = ("CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, "
               "request method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted "
               "by the resource's CORS spec.")
VARY = "Origin, Access-Control-Request-Headers, Access-Control-Request-Method"
APP = "https://app.example"

APP_RULES = [{
    "ID": "app",
    "AllowedOrigins": [APP, "http://*.example.net"],
    "AllowedMethods": ["GET", "PUT"],
    "AllowedHeaders": ["content-type", "x-amz-*"],
    "ExposeHeaders": ["ETag", "x-amz-request-id"],
    "MaxAgeSeconds": 3000,
}]


def error_of(response: requests.Response) -> dict[str, str]:
    root = ET.fromstring(response.content)
    return {child.tag.split("}")[-1]: child.text or "" for child in root}


def cors_headers(headers: Any) -> dict[str, str]:
    return {name.lower(): value for name, value in headers.items()
            if name.lower().startswith("access-control-") or name.lower() == "vary"}


def preflight(url: str, origin: str | None, method: str | None, request_headers: str | None = None) -> requests.Response:
    headers = {}
    if origin is not None:
        headers["Origin"] = origin
    if method is not None:
        headers["Access-Control-Request-Method"] = method
    if request_headers is not None:
        headers["Access-Control-Request-Headers"] = request_headers
    return requests.options(url, headers=headers, timeout=10)


def with_origin(client: Any, origin: str) -> Any:
    """The client, adding `Origin: origin` to each request until the returned callback is called."""
    def add(request: Any, **_: Any) -> None:
        request.headers["Origin"] = origin

    client.meta.events.register_first("before-sign.s3", add)
    return lambda: client.meta.events.unregister("before-sign.s3", add)


@pytest.fixture
def app_bucket(s3: Any, bucket: str) -> str:
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": APP_RULES})
    return bucket


# -------------------------------------------------------------------------------------------------
# Put/Get/DeleteBucketCors
# -------------------------------------------------------------------------------------------------


def test_get_bucket_cors_without_a_configuration_is_404(s3, bucket):
    error = expect_error("NoSuchCORSConfiguration", 404, s3.get_bucket_cors, Bucket=bucket,
                         message="The CORS configuration does not exist")
    assert error["Error"]["BucketName"] == bucket


def test_put_get_and_delete_bucket_cors(s3, bucket):
    response = s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": APP_RULES + [
        {"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]},
    ]})
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    rules = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert rules == APP_RULES + [{"AllowedOrigins": ["*"], "AllowedMethods": ["HEAD"]}]
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert s3.delete_bucket_cors(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error("NoSuchCORSConfiguration", 404, s3.get_bucket_cors, Bucket=bucket)


def test_put_bucket_cors_replaces_the_configuration(s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": APP_RULES})
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]})
    assert s3.get_bucket_cors(Bucket=bucket)["CORSRules"] == [{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}]


@pytest.mark.parametrize("rules, code, message", [
    ([{"AllowedOrigins": ["*"], "AllowedMethods": ["MYMETHOD"]}], "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is MYMETHOD"),
    ([{"AllowedOrigins": ["*"], "AllowedMethods": ["OPTIONS"]}], "InvalidRequest",
     "Found unsupported HTTP method in CORS config. Unsupported method is OPTIONS"),
    ([{"AllowedOrigins": ["*example*.com"], "AllowedMethods": ["GET"]}], "InvalidRequest",
     'AllowedOrigin "*example*.com" can not have more than one wildcard.'),
    ([{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"], "AllowedHeaders": ["x-*-*"]}], "InvalidRequest",
     'AllowedHeader "x-*-*" can not have more than one wildcard.'),
    ([{"AllowedOrigins": ["*"], "AllowedMethods": ["GET"]}] * 101, "InvalidRequest",
     "The number of CORS rules should not exceed allowed limit of 100 rules."),
    ([], "MalformedXML", None),
])
def test_put_bucket_cors_refusals(s3, bucket, rules, code, message):
    expect_error(code, 400, s3.put_bucket_cors, Bucket=bucket, CORSConfiguration={"CORSRules": rules}, message=message)


def test_one_hundred_rules_are_accepted(s3, bucket):
    rules = [{"AllowedOrigins": [f"https://site{i}.example"], "AllowedMethods": ["GET"]} for i in range(100)]
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": rules})
    assert len(s3.get_bucket_cors(Bucket=bucket)["CORSRules"]) == 100


def test_aws_cli_takes_the_console_json_form(aws, s3, bucket, tmp_path):
    path = tmp_path / "cors.json"
    rules = json.loads((ROOT_SCENARIOS / "triage-attachments" / "cors.json").read_text())
    path.write_text(json.dumps({"CORSRules": rules}))
    aws.s3api("put-bucket-cors", "--bucket", bucket, "--cors-configuration", f"file://{path}")
    got = s3.get_bucket_cors(Bucket=bucket)["CORSRules"]
    assert got == [{"AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "HEAD", "GET", "DELETE"], "AllowedOrigins": ["*"]}]


# -------------------------------------------------------------------------------------------------
# Preflight
# -------------------------------------------------------------------------------------------------


def test_a_matching_preflight_answers_200_with_the_rules_headers(target, app_bucket):
    response = preflight(f"{target.endpoint}/{app_bucket}/photos/cat.png", APP, "PUT", "Content-Type,X-Amz-Date")
    assert response.status_code == 200, response.text
    assert response.content == b""
    assert cors_headers(response.headers) == {
        "access-control-allow-origin": APP,
        "access-control-allow-methods": "GET, PUT",
        "access-control-allow-headers": "content-type, x-amz-date",
        "access-control-expose-headers": "ETag, x-amz-request-id",
        "access-control-max-age": "3000",
        "access-control-allow-credentials": "true",
        "vary": VARY,
    }


def test_a_wildcard_origin_pattern_echoes_the_origin(target, app_bucket):
    response = preflight(f"{target.endpoint}/{app_bucket}", "http://photos.example.net", "GET")
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "http://photos.example.net"
    assert "Access-Control-Allow-Headers" not in response.headers


def test_a_star_rule_answers_star_without_credentials(target, s3, bucket):
    s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [{"AllowedOrigins": ["*"], "AllowedMethods": ["POST"]}]})
    response = preflight(f"{target.endpoint}/{bucket}", "https://anywhere.example", "POST")
    assert response.status_code == 200, response.text
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers


@pytest.mark.parametrize("path, origin, method, request_headers, resource_type", [
    ("/photos/a.png", "https://evil.example", "PUT", None, "OBJECT"),
    ("/photos/a.png", "http://app.example", "PUT", None, "OBJECT"),
    ("/photos/a.png", APP + ":443", "PUT", None, "OBJECT"),
    ("/photos/a.png", APP + "/", "PUT", None, "OBJECT"),
    ("/photos/a.png", APP, "DELETE", None, "OBJECT"),
    ("/photos/a.png", APP, "POST", None, "OBJECT"),
    ("/photos/a.png", APP, "PUT", "content-type,authorization", "OBJECT"),
    ("", APP, "HEAD", None, "BUCKET"),
])
def test_a_preflight_no_rule_matches_is_403(target, app_bucket, path, origin, method, request_headers, resource_type):
    response = preflight(f"{target.endpoint}/{app_bucket}{path}", origin, method, request_headers)
    assert response.status_code == 403, response.text
    error = error_of(response)
    assert (error["Code"], error["Message"]) == ("AccessForbidden", NOT_ALLOWED)
    assert (error["Method"], error["ResourceType"]) == (method, resource_type)
    assert cors_headers(response.headers) == {}


def test_a_preflight_without_a_configuration_is_403(target, bucket):
    response = preflight(f"{target.endpoint}/{bucket}/a.png", APP, "PUT")
    assert response.status_code == 403, response.text
    error = error_of(response)
    assert (error["Code"], error["Message"]) == ("AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.")
    assert (error["Method"], error["ResourceType"]) == ("PUT", "BUCKET")


def test_a_preflight_needs_origin_and_a_known_method(target, app_bucket):
    url = f"{target.endpoint}/{app_bucket}/a.png"
    for origin, method, message in [
        (None, "GET", "Insufficient information. Origin request header needed."),
        (None, None, "Insufficient information. Origin request header needed."),
        (APP, None, "Invalid Access-Control-Request-Method: null"),
        (APP, "BLAH", "Invalid Access-Control-Request-Method: BLAH"),
    ]:
        response = preflight(url, origin, method)
        assert response.status_code == 400, response.text
        assert (error_of(response)["Code"], error_of(response)["Message"]) == ("BadRequest", message)


def test_a_preflight_is_answered_before_authentication(target, app_bucket):
    url = f"{target.endpoint}/{app_bucket}/a.png?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Signature=bad"
    response = requests.options(url, timeout=10, headers={
        "Origin": APP, "Access-Control-Request-Method": "GET",
        "Authorization": "AWS4-HMAC-SHA256 Credential=nobody/20200101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0"})
    assert response.status_code == 200, response.text


# -------------------------------------------------------------------------------------------------
# Actual requests
# -------------------------------------------------------------------------------------------------


def test_actual_requests_from_an_allowed_origin_carry_the_rule_headers(s3, app_bucket):
    s3.put_object(Bucket=app_bucket, Key="a.txt", Body=b"hello")
    stop = with_origin(s3, APP)
    try:
        got = s3.get_object(Bucket=app_bucket, Key="a.txt")
        headers = got["ResponseMetadata"]["HTTPHeaders"]
        assert headers["access-control-allow-origin"] == APP
        assert headers["access-control-allow-methods"] == "GET, PUT"
        assert headers["access-control-expose-headers"] == "ETag, x-amz-request-id"
        assert headers["access-control-max-age"] == "3000"
        assert headers["access-control-allow-credentials"] == "true"
        assert headers["vary"] == VARY
        # Errors carry them too, so a page can read S3's error.
        error = expect_error("NoSuchKey", 404, s3.get_object, Bucket=app_bucket, Key="missing.txt")
        assert error["ResponseMetadata"]["HTTPHeaders"]["access-control-allow-origin"] == APP
        # A method the rule does not allow gets none.
        deleted = s3.delete_object(Bucket=app_bucket, Key="a.txt")
        assert cors_headers(deleted["ResponseMetadata"]["HTTPHeaders"]) == {}
    finally:
        stop()


def test_actual_requests_from_other_origins_or_without_origin_get_no_cors_headers(target, s3, app_bucket):
    s3.put_object(Bucket=app_bucket, Key="a.txt", Body=b"hello")
    assert cors_headers(s3.get_object(Bucket=app_bucket, Key="a.txt")["ResponseMetadata"]["HTTPHeaders"]) == {}
    stop = with_origin(s3, "https://evil.example")
    try:
        assert cors_headers(s3.get_object(Bucket=app_bucket, Key="a.txt")["ResponseMetadata"]["HTTPHeaders"]) == {}
    finally:
        stop()
    anonymous = requests.get(f"{target.endpoint}/{app_bucket}/a.txt", headers={"Origin": APP}, timeout=10)
    assert anonymous.status_code == 403
    assert anonymous.headers["Access-Control-Allow-Origin"] == APP


def test_no_bucket_allows_every_origin_by_default(target, s3, bucket):
    s3.put_object(Bucket=bucket, Key="a.txt", Body=b"hello")
    response = requests.get(f"{target.endpoint}/{bucket}/a.txt", headers={"Origin": APP}, timeout=10)
    assert cors_headers(response.headers) == {}
    assert preflight(f"{target.endpoint}/{bucket}/a.txt", APP, "GET").status_code == 403


# -------------------------------------------------------------------------------------------------
# Rules from the configuration file
# -------------------------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    import os
    if os.environ.get("S3_ENDPOINT"):
        pytest.skip("seeded rules need s3emu's --config (S3_ENDPOINT is set)")
    rules = json.loads((ROOT_SCENARIOS / "triage-attachments" / "cors.json").read_text())
    server = start_config_server(tmp_path_factory, "cors-seeded", [], buckets=[{"name": "seeded-cors", "cors": rules}])
    yield server
    stop_config_server(server)


def test_rules_seeded_in_the_console_form_answer_preflight(seeded):
    url = seeded.url("seeded-cors", "tickets/42/log.txt")
    allowed = preflight(url, "https://triage.example", "PUT", "content-type")
    assert allowed.status_code == 200, allowed.text
    assert allowed.headers["Access-Control-Allow-Methods"] == "PUT, HEAD, GET, DELETE"
    assert preflight(url, "https://triage.example", "POST").status_code == 403
    rules = seeded.root().get_bucket_cors(Bucket="seeded-cors")["CORSRules"]
    assert rules == [{"AllowedHeaders": ["*"], "AllowedMethods": ["PUT", "HEAD", "GET", "DELETE"], "AllowedOrigins": ["*"]}]
