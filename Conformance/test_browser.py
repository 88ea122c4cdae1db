"""Browser uploads proven in a real browser: headless Chromium (Debian's chromium and
chromium-driver, through selenium) loads a page from one origin and uploads to s3emu on another.

The page (Conformance/browser/) is served by a small Python http.server on its own 127.0.0.1 port;
s3emu listens on another port, so every request the page makes is cross-origin and the browser
itself enforces s3emu's CORS answers. Forms and URLs are presigned by botocore; what the browser
stored is checked with boto3.

- With rules that allow it, a presigned POST form (fetch + FormData) and a fetch() PUT to a
  presigned URL store the bytes, and fetch() GET reads them back.
- With rules that do not (wrong origin, method or header), the browser blocks the request:
  fetch() rejects with a TypeError, and a blocked PUT never reaches s3emu.
- A POST policy violation reaches the page as S3's XML error.
- The browser rows of the djave-photos and triage-attachments scenarios.

Under CI=true a missing browser or driver is a failure, locally a skip.
"""

from __future__ import annotations

import base64
import functools
import http.server
import json
import os
import shutil
import threading
from pathlib import Path
from typing import Any, Iterator

import pytest

from s3conf import CI, expect_error
from scenarios import ConfigServer, User, document, start_config_server, stop_config_server

PAGE_DIR = Path(__file__).resolve().parent / "browser"
CHROMIUM_CANDIDATES = ("chromium", "chromium-browser", "google-chrome")
DRIVER_CANDIDATES = ("chromedriver", "chromium-driver")

STEVE = User("steve", "AKIASTEVE00000000001", "steve-secret",
             policies={"user-policy": document("djave-photos/user-policy.json")})
TRIAGE_APP = User("triage-app", "AKIATRIAGEAPP0000001", "triage-app-secret",
                  policies={"user-policy": document("triage-attachments/user-policy.json")})


def _missing(what: str) -> None:
    message = f"{what} is not installed (apt-get install chromium chromium-driver; pip install selenium)"
    if CI:
        pytest.fail(f"CI=true: {message}", pytrace=False)
    pytest.skip(message)


# -------------------------------------------------------------------------------------------------
# The page's origin and the browser
# -------------------------------------------------------------------------------------------------


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - http.server's signature
        pass


@pytest.fixture(scope="module")
def page_origin() -> Iterator[str]:
    """http://127.0.0.1:PORT serving Conformance/browser/: the page's origin (origin A)."""
    handler = functools.partial(_QuietHandler, directory=str(PAGE_DIR))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, name="browser-page", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="module")
def browser(page_origin: str) -> Iterator[Any]:
    """Headless Chromium on the page, driven by selenium."""
    try:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service
    except ImportError:
        _missing("python module 'selenium'")
    binary = next((path for name in CHROMIUM_CANDIDATES if (path := shutil.which(name))), None)
    driver_path = next((path for name in DRIVER_CANDIDATES if (path := shutil.which(name))), None)
    if binary is None:
        _missing("chromium")
    if driver_path is None:
        _missing("chromium-driver")
    options = webdriver.ChromeOptions()
    options.binary_location = binary
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--disable-extensions", "--no-first-run", "--window-size=800,600"):
        options.add_argument(argument)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_script_timeout(60)
    try:
        driver.get(f"{page_origin}/index.html")
        assert driver.execute_script("return typeof window.s3emu") == "object", "the page did not load uploads.js"
        yield driver
    finally:
        driver.quit()


def run(browser: Any, function: str, *arguments: Any) -> dict[str, Any]:
    """Calls window.s3emu.<function>(...arguments) in the page and waits for its result."""
    script = (f"const done = arguments[arguments.length - 1];"
              f"window.s3emu.{function}(...Array.from(arguments).slice(0, -1)).then(done,"
              f" e => done({{error: 'script', message: String(e)}}));")
    return browser.execute_async_script(script, *arguments)


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def post_form(browser: Any, post: dict[str, Any], content: bytes, filename: str = "cat.png",
              content_type: str = "image/png") -> dict[str, Any]:
    fields = [[name, value] for name, value in post["fields"].items()]
    return run(browser, "postForm", post["url"], fields, filename, content_type, b64(content))


def send(browser: Any, url: str, method: str, headers: dict[str, str] | None = None, content: bytes | None = None) -> dict[str, Any]:
    return run(browser, "send", url, method, headers or {}, None if content is None else b64(content))


def assert_blocked(result: dict[str, Any]) -> None:
    """The browser refused to hand the response to the page: fetch() rejected with a TypeError."""
    assert result.get("error") == "TypeError", f"expected the browser to block the request, got {result}"


# -------------------------------------------------------------------------------------------------
# Uploads from the page, with the session server
# -------------------------------------------------------------------------------------------------


@pytest.fixture
def cors_bucket(s3, bucket):
    """A bucket and a setter for its CORS rules."""
    def set_rules(*rules: dict[str, Any]) -> str:
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": list(rules)})
        return bucket
    return set_rules


def test_presigned_post_form_from_another_origin_is_stored(browser, page_origin, s3, cors_bucket):
    bucket = cors_bucket({"AllowedOrigins": [page_origin], "AllowedMethods": ["POST"], "AllowedHeaders": ["*"],
                          "ExposeHeaders": ["ETag", "Location"]})
    post = s3.generate_presigned_post(bucket, "browser/${filename}", Fields={"Content-Type": "image/png"},
                                      Conditions=[{"Content-Type": "image/png"}, ["content-length-range", 1, 1024 * 1024]])
    content = os.urandom(50_000)
    result = post_form(browser, post, content, "kitten.png")
    assert result.get("status") == 204, result
    assert result["etag"] == s3.head_object(Bucket=bucket, Key="browser/kitten.png")["ETag"]
    assert s3.get_object(Bucket=bucket, Key="browser/kitten.png")["Body"].read() == content


def test_fetch_put_to_a_presigned_url_then_get_reads_it_back(browser, page_origin, s3, cors_bucket):
    bucket = cors_bucket({"AllowedOrigins": [page_origin], "AllowedMethods": ["PUT", "GET"],
                          "AllowedHeaders": ["content-type"], "ExposeHeaders": ["ETag"], "MaxAgeSeconds": 0})
    content = b"written by the browser \x00\x01\xff"
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "page/data.bin"}, ExpiresIn=300)
    put = send(browser, put_url, "PUT", {"Content-Type": "application/octet-stream"}, content)
    assert put.get("status") == 200, put
    stored = s3.get_object(Bucket=bucket, Key="page/data.bin")
    assert stored["Body"].read() == content
    assert put["etag"] == stored["ETag"]
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "page/data.bin"}, ExpiresIn=300)
    got = send(browser, get_url, "GET")
    assert got.get("status") == 200, got
    s3.put_object(Bucket=bucket, Key="page/text.txt", Body="read by the page ✓".encode())
    readable = send(browser, s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "page/text.txt"}), "GET")
    assert readable.get("text") == "read by the page ✓", readable


def test_a_rule_for_another_origin_blocks_put_and_post(browser, s3, cors_bucket):
    bucket = cors_bucket({"AllowedOrigins": ["https://elsewhere.example"], "AllowedMethods": ["PUT", "POST", "GET"],
                          "AllowedHeaders": ["*"]})
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "blocked.bin"}, ExpiresIn=300)
    assert_blocked(send(browser, put_url, "PUT", {"Content-Type": "application/octet-stream"}, b"never stored"))
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="blocked.bin")
    # A form POST is a simple request: the browser sends it, but hides the answer from the page.
    post = s3.generate_presigned_post(bucket, "posted.bin")
    assert_blocked(post_form(browser, post, b"hidden answer"))


def test_a_method_the_rule_does_not_allow_is_blocked(browser, page_origin, s3, cors_bucket):
    bucket = cors_bucket({"AllowedOrigins": [page_origin], "AllowedMethods": ["GET"], "AllowedHeaders": ["*"]})
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "nope.bin"}, ExpiresIn=300)
    assert_blocked(send(browser, put_url, "PUT", {"Content-Type": "application/octet-stream"}, b"x"))
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="nope.bin")
    delete_url = s3.generate_presigned_url("delete_object", Params={"Bucket": bucket, "Key": "nope.bin"}, ExpiresIn=300)
    assert_blocked(send(browser, delete_url, "DELETE"))


def test_a_header_the_rule_does_not_allow_is_blocked(browser, page_origin, s3, cors_bucket):
    bucket = cors_bucket({"AllowedOrigins": [page_origin], "AllowedMethods": ["PUT"], "AllowedHeaders": ["x-amz-meta-*"]})
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "typed.bin"}, ExpiresIn=300)
    assert_blocked(send(browser, url, "PUT", {"Content-Type": "application/octet-stream"}, b"x"))
    expect_error("404", 404, s3.head_object, Bucket=bucket, Key="typed.bin")
    # Without the header the preflight asks for no headers, and the same rule allows it.
    plain = send(browser, url, "PUT", {}, b"no content type")
    assert plain.get("status") == 200, plain
    assert s3.get_object(Bucket=bucket, Key="typed.bin")["Body"].read() == b"no content type"


def test_without_any_rule_the_browser_blocks_everything(browser, s3, bucket):
    url = s3.generate_presigned_url("put_object", Params={"Bucket": bucket, "Key": "none.bin"}, ExpiresIn=300)
    assert_blocked(send(browser, url, "PUT", {"Content-Type": "application/octet-stream"}, b"x"))
    s3.put_object(Bucket=bucket, Key="exists.txt", Body=b"x")
    assert_blocked(send(browser, s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "exists.txt"}), "GET"))


def test_a_post_policy_violation_reaches_the_page_as_s3_error_xml(browser, page_origin, s3, cors_bucket):
    bucket = cors_bucket({"AllowedOrigins": [page_origin], "AllowedMethods": ["POST"], "AllowedHeaders": ["*"]})
    post = s3.generate_presigned_post(bucket, "uploads/${filename}", Fields={"Content-Type": "text/html"},
                                      Conditions=[["starts-with", "$Content-Type", "image/"]])
    result = post_form(browser, post, b"<html>", "page.html", "text/html")
    assert result.get("status") == 403, result
    assert "<Code>AccessDenied</Code>" in result["text"], result
    assert ("<Message>Invalid according to Policy: Policy Condition failed: "
            "[&quot;starts-with&quot;, &quot;$Content-Type&quot;, &quot;image/&quot;]</Message>") in result["text"] \
        or '["starts-with", "$Content-Type", "image/"]' in result["text"], result
    too_big = s3.generate_presigned_post(bucket, "big.bin", Conditions=[["content-length-range", 1, 10]])
    result = post_form(browser, too_big, b"x" * 11)
    assert result.get("status") == 400 and "<Code>EntityTooLarge</Code>" in result["text"], result


# -------------------------------------------------------------------------------------------------
# The scenarios' browser rows
# -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    """A server with the djave-photos and triage-attachments users, set up as the README says."""
    if os.environ.get("S3_ENDPOINT"):
        pytest.skip("the scenarios need s3emu's --config users (S3_ENDPOINT is set)")
    server = start_config_server(tmp_path_factory, "browser-scenarios", [STEVE, TRIAGE_APP])
    root = server.root()
    for bucket, policy in (("steves-public-bucket", "djave-photos/public-bucket-policy.json"),
                           ("triage-attachments", "triage-attachments/bucket-policy.json")):
        root.create_bucket(Bucket=bucket)
        root.delete_public_access_block(Bucket=bucket)
        root.put_bucket_policy(Bucket=bucket, Policy=json.dumps(document(policy)))
    cors_xml = (Path(__file__).resolve().parent / "scenarios" / "djave-photos" / "cors.xml").read_bytes()
    import hashlib
    import requests
    from botocore.auth import S3SigV4Auth
    from botocore.awsrequest import AWSRequest
    from botocore.credentials import Credentials
    request = AWSRequest(method="PUT", url=server.url("steves-public-bucket") + "?cors", data=cors_xml,
                         headers={"Content-MD5": base64.b64encode(hashlib.md5(cors_xml).digest()).decode()})
    S3SigV4Auth(Credentials("test", "test"), "s3", "us-east-1").add_auth(request)
    response = requests.put(request.url, data=cors_xml, headers=dict(request.headers), timeout=10)
    assert response.status_code == 200, f"PutBucketCors with djave-photos/cors.xml as published: {response.text}"
    root.put_bucket_cors(Bucket="triage-attachments",
                         CORSConfiguration={"CORSRules": document("triage-attachments/cors.json")})
    yield server
    stop_config_server(server)


def test_djave_photos_steve_presigned_post_from_a_browser_page_is_stored(browser, app):
    steve = app.user("steve")
    post = steve.generate_presigned_post(
        "steves-public-bucket", "uploads/${filename}",
        Conditions=[["starts-with", "$key", "uploads/"], ["content-length-range", 1, 10 * 1024 * 1024],
                    ["starts-with", "$Content-Type", "image/"]],
        Fields={"Content-Type": "image/png"})
    content = b"\x89PNG\r\n\x1a\n" + os.urandom(4000)
    result = post_form(browser, post, content, "kitten.png")
    assert result.get("status") == 204, result
    assert app.root().get_object(Bucket="steves-public-bucket", Key="uploads/kitten.png")["Body"].read() == content
    # The same form with a text/html type: the page reads S3's refusal.
    post["fields"]["Content-Type"] = "text/html"
    refused = post_form(browser, post, b"<html>", "page.html", "text/html")
    assert refused.get("status") == 403 and "<Code>AccessDenied</Code>" in refused["text"], refused


def test_djave_photos_browser_put_or_delete_is_blocked_by_the_preflight(browser, app):
    steve = app.user("steve")
    put_url = steve.generate_presigned_url("put_object", Params={"Bucket": "steves-public-bucket", "Key": "put.png"})
    assert_blocked(send(browser, put_url, "PUT", {"Content-Type": "image/png"}, b"png"))
    expect_error("404", 404, app.root().head_object, Bucket="steves-public-bucket", Key="put.png")
    delete_url = steve.generate_presigned_url("delete_object", Params={"Bucket": "steves-public-bucket", "Key": "uploads/kitten.png"})
    assert_blocked(send(browser, delete_url, "DELETE"))


def test_triage_attachments_browser_put_with_content_type_is_allowed(browser, app):
    triage = app.user("triage-app")
    url = triage.generate_presigned_url("put_object", Params={"Bucket": "triage-attachments", "Key": "tickets/42/log.txt"})
    result = send(browser, url, "PUT", {"Content-Type": "text/plain; charset=utf-8"}, b"log line\n")
    assert result.get("status") == 200, result
    assert app.root().get_object(Bucket="triage-attachments", Key="tickets/42/log.txt")["Body"].read() == b"log line\n"
    # Everyone may read (bucket policy), and the rules allow GET from any origin.
    public_url = app.url("triage-attachments", "tickets/42/log.txt")
    read = send(browser, public_url, "GET")
    assert read.get("status") == 200 and read["text"] == "log line\n", read


def test_triage_attachments_browser_post_is_blocked_by_the_preflight(browser, app):
    result = send(browser, app.url("triage-attachments"), "POST", {"Content-Type": "application/json"}, b"{}")
    assert_blocked(result)
