"""The five applications of shared/scenarios/README.md, row by row, through real clients.

One private `s3emu serve --config` holds every user and group of the five applications. Each
scenario is set up as the README says: the root user creates the buckets, turns Block Public
Access off where the scenario says so and puts the bucket policy (with the AWS CLI); users act
with boto3; anonymous requests are unsigned boto3 calls or plain `requests`. Every allowed
response and every AccessDenied must carry the `x-s3emu-authz` explanation; every AccessDenied
has AWS's explicit message.
"""

from __future__ import annotations

import base64
import json
import os
import xml.etree.ElementTree as ET
from typing import Any, Iterator

import pytest
import requests

from s3conf import expect_error
from scenarios import (
    ACCOUNT_ID,
    APPLICATIONS,
    AUTHZ_HEADER,
    HERE,
    SHARED,
    ConfigServer,
    User,
    allowed,
    authz_of,
    cli_denied,
    denied,
    document,
    document_text,
    not_allowed,
    public_policy_blocked,
    start_config_server,
    stop_config_server,
    with_version,
)

ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
MIB = 1024 * 1024

CORS_NOT_ALLOWED = (
    "CORSResponse: This CORS request is not allowed. This is usually because the evalution of Origin, request "
    "method / Access-Control-Request-Method or Access-Control-Request-Headers are not whitelisted by the "
    "resource's CORS spec.")

OPEV = User("opev_user", "AKIAOPEVUSER00000001", "opev-user-secret",
            policies={"user-policy": document("orga-server/user-policy.json")})
STEVE = User("steve", "AKIASTEVE00000000001", "steve-secret",
             policies={"user-policy": document("djave-photos/user-policy.json")})
STEVE_NARROW = User("steve-narrow", "AKIASTEVENARROW00001", "steve-narrow-secret",
                    policies={"targeted-policy": document("derived/steve-narrow-policy.json")})
TRIAGE_APP = User("triage-app", "AKIATRIAGEAPP0000001", "triage-app-secret",
                  policies={"user-policy": document("triage-attachments/user-policy.json")})
OLSSONT = User("olssont", "AKIAOLSSONT000000001", "olssont-secret",
               policies={"user-policy": document("dtool-datasets/user-policy.json")})
BOB = User("bob", "AKIABOB0000000000001", "bob-secret",
           policies={"user-policy": document("dtool-datasets/user-policy.json")})
SHIFT = User("shift", "AKIASHIFT00000000001", "shift-secret", groups=["media-uploaders"])
GROUPS = {"media-uploaders": {"group-policy": document("shift-media/group-policy.json")}}


def _own_server_only() -> None:
    if os.environ.get("S3_ENDPOINT"):
        pytest.skip("the scenarios need s3emu's --config users (S3_ENDPOINT is set)")


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    """One server with the users and groups of all five applications."""
    _own_server_only()
    server = start_config_server(
        tmp_path_factory, "scenarios", [OPEV, STEVE, STEVE_NARROW, TRIAGE_APP, OLSSONT, BOB, SHIFT], GROUPS)
    yield server
    stop_config_server(server)


def turn_block_public_access_off(app: ConfigServer, bucket: str) -> None:
    app.aws().s3api(
        "put-public-access-block", "--bucket", bucket, "--public-access-block-configuration",
        "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=false")


def put_policy_file(app: ConfigServer, bucket: str, path: str) -> None:
    app.aws().s3api("put-bucket-policy", "--bucket", bucket, "--policy", f"file://{HERE / path}")


def error_of(response: requests.Response) -> dict[str, str]:
    """Code and Message of an S3 XML error body."""
    root = ET.fromstring(response.content)
    return {child.tag.split("}")[-1]: child.text or "" for child in root}


def assert_anonymous_http_denied(url: str) -> None:
    response = requests.get(url, timeout=10)
    assert response.status_code == 403, response.text
    assert error_of(response)["Code"] == "AccessDenied"
    assert error_of(response)["Message"] == "Access Denied"
    assert response.headers.get(AUTHZ_HEADER), response.headers


# -------------------------------------------------------------------------------------------------
# The fixtures are the published documents
# -------------------------------------------------------------------------------------------------


def test_policy_files_match_the_shared_scenarios() -> None:
    """Conformance/scenarios/ holds byte-exact copies of ../shared/scenarios (when it is present)."""
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present; the copies in {HERE} are used as they are")
    shared = sorted(p.relative_to(SHARED) for p in SHARED.rglob("*") if p.is_file())
    assert shared, f"no files under {SHARED}"
    ours = sorted(p.relative_to(HERE) for p in HERE.rglob("*")
                  if p.is_file() and (p.relative_to(HERE).parts[0] in APPLICATIONS or p == HERE / "README.md"))
    assert ours == shared, f"files differ: only shared {set(shared) - set(ours)}, only here {set(ours) - set(shared)}"
    for relative in shared:
        assert (HERE / relative).read_bytes() == (SHARED / relative).read_bytes(), f"{relative} differs from {SHARED}"


# -------------------------------------------------------------------------------------------------
# orga-server
# -------------------------------------------------------------------------------------------------

ORGA = "opevbucketname"
ORGA_OTHER = "orga-other-bucket"


class TestOrgaServer:
    @pytest.fixture(scope="class", autouse=True)
    def setup(self, app: ConfigServer) -> None:
        root = app.root()
        for bucket in (ORGA, ORGA_OTHER):
            root.create_bucket(Bucket=bucket)
        root.put_object(Bucket=ORGA, Key="users/1/avatar", Body=b"avatar-by-root")

    @pytest.mark.parametrize("key", ["users/1/avatar", "events/7/logo", "events/7/sessions/3/audio"])
    def test_opev_user_puts_gets_and_deletes_objects(self, app: ConfigServer, key: str) -> None:
        opev = app.user("opev_user")
        allowed(opev.put_object, Bucket=ORGA, Key=key, Body=b"uploaded by the app")
        body = allowed(opev.get_object, Bucket=ORGA, Key=key)["Body"].read()
        assert body == b"uploaded by the app"
        allowed(opev.delete_object, Bucket=ORGA, Key=key)
        root = app.root()
        root.put_object(Bucket=ORGA, Key="users/1/avatar", Body=b"avatar-by-root")

    def test_opev_user_lists_the_bucket_gets_its_location_and_lists_buckets(self, app: ConfigServer) -> None:
        opev = app.user("opev_user")
        listed = allowed(opev.list_objects_v2, Bucket=ORGA)
        assert "users/1/avatar" in [o["Key"] for o in listed.get("Contents", [])]
        location = allowed(opev.get_bucket_location, Bucket=ORGA)
        assert location.get("LocationConstraint") is None
        buckets = allowed(opev.list_buckets)
        assert {ORGA, ORGA_OTHER} <= {b["Name"] for b in buckets["Buckets"]}

    def test_opev_user_cannot_put_a_bucket_policy(self, app: ConfigServer) -> None:
        policy = json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Effect": "Allow", "Principal": {"AWS": OPEV.arn}, "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{ORGA}/*"}],
        })
        message = not_allowed(OPEV.arn, "s3:PutBucketPolicy", f"arn:aws:s3:::{ORGA}")
        denied(app.user("opev_user").put_bucket_policy, Bucket=ORGA, Policy=policy, message=message,
               authz="implicit deny")
        result = app.aws("opev_user").s3api("put-bucket-policy", "--bucket", ORGA, "--policy", policy, check=False)
        cli_denied(result, "PutBucketPolicy", message)

    def test_opev_user_cannot_delete_the_bucket(self, app: ConfigServer) -> None:
        denied(app.user("opev_user").delete_bucket, Bucket=ORGA,
               message=not_allowed(OPEV.arn, "s3:DeleteBucket", f"arn:aws:s3:::{ORGA}"), authz="implicit deny")
        app.root().head_bucket(Bucket=ORGA)

    def test_opev_user_cannot_put_into_another_bucket(self, app: ConfigServer) -> None:
        denied(app.user("opev_user").put_object, Bucket=ORGA_OTHER, Key="users/1/avatar", Body=b"x",
               message=not_allowed(OPEV.arn, "s3:PutObject", f"arn:aws:s3:::{ORGA_OTHER}/users/1/avatar"),
               authz="implicit deny")

    def test_anonymous_cannot_get_the_avatar(self, app: ConfigServer) -> None:
        denied(app.anonymous().get_object, Bucket=ORGA, Key="users/1/avatar", message="Access Denied")
        # The app hands out the object's absolute URL: a browser following it is refused too.
        assert_anonymous_http_denied(app.url(ORGA, "users/1/avatar"))


# -------------------------------------------------------------------------------------------------
# djave-photos
# -------------------------------------------------------------------------------------------------

PUBLIC = "steves-public-bucket"
PRIVATE = "steves-private-bucket"
PHOTOS_ORIGIN = "https://photos.example"


def cors_rules_from_xml(path: str) -> list[dict[str, Any]]:
    """The CORSRule elements of a published cors.xml, as boto3's CORSRules."""
    namespace = "{http://s3.amazonaws.com/doc/2006-03-01/}"
    rules = []
    for rule in ET.fromstring(document_text(path).encode()).iter(f"{namespace}CORSRule"):
        def values(name: str) -> list[str]:
            return [e.text or "" for e in rule.findall(f"{namespace}{name}")]
        converted: dict[str, Any] = {"AllowedOrigins": values("AllowedOrigin"), "AllowedMethods": values("AllowedMethod")}
        if values("AllowedHeader"):
            converted["AllowedHeaders"] = values("AllowedHeader")
        rules.append(converted)
    assert rules, path
    return rules


class TestDjavePhotos:
    @pytest.fixture(scope="class", autouse=True)
    def setup(self, app: ConfigServer) -> None:
        root = app.root()
        root.create_bucket(Bucket=PUBLIC)
        root.create_bucket(Bucket=PRIVATE)
        turn_block_public_access_off(app, PUBLIC)
        put_policy_file(app, PUBLIC, "djave-photos/public-bucket-policy.json")
        steve = app.user("steve")
        allowed(steve.put_object, Bucket=PUBLIC, Key="cat.jpg", Body=b"public cat", ContentType="image/jpeg")
        allowed(steve.put_object, Bucket=PRIVATE, Key="cat.jpg", Body=b"private cat", ContentType="image/jpeg")

    def test_the_public_policy_is_stored_as_put(self, app: ConfigServer) -> None:
        stored = app.aws().s3api("get-bucket-policy", "--bucket", PUBLIC).json["Policy"]
        assert json.loads(stored) == document("djave-photos/public-bucket-policy.json")

    def test_anonymous_gets_from_the_public_bucket(self, app: ConfigServer) -> None:
        response = allowed(app.anonymous().get_object, Bucket=PUBLIC, Key="cat.jpg")
        assert response["Body"].read() == b"public cat"
        assert "PublicRead" in authz_of(response), authz_of(response)
        plain = requests.get(app.url(PUBLIC, "cat.jpg"), timeout=10)
        assert (plain.status_code, plain.content) == (200, b"public cat")

    def test_anonymous_cannot_get_from_the_private_bucket(self, app: ConfigServer) -> None:
        denied(app.anonymous().get_object, Bucket=PRIVATE, Key="cat.jpg", message="Access Denied")
        assert_anonymous_http_denied(app.url(PRIVATE, "cat.jpg"))

    def test_anonymous_cannot_list_the_public_bucket(self, app: ConfigServer) -> None:
        denied(app.anonymous().list_objects_v2, Bucket=PUBLIC, message="Access Denied")

    def test_steve_narrow_cannot_put_an_object(self, app: ConfigServer) -> None:
        resource = f"arn:aws:s3:::{PUBLIC}/photo.jpg"
        denied(app.user("steve-narrow").put_object, Bucket=PUBLIC, Key="photo.jpg", Body=b"x",
               message=not_allowed(STEVE_NARROW.arn, "s3:PutObject", resource), authz="resource not matched")

    def test_steve_narrow_lists_the_public_bucket(self, app: ConfigServer) -> None:
        listed = allowed(app.user("steve-narrow").list_objects_v2, Bucket=PUBLIC)
        assert "cat.jpg" in [o["Key"] for o in listed.get("Contents", [])]

    # -- browser uploads (issue 5) ----------------------------------------------------------------

    def post_form(self, app: ConfigServer, *, expires: int = 600, acl: str | None = None) -> dict[str, Any]:
        fields: dict[str, str] = {"Content-Type": "image/png"}
        conditions: list[Any] = [
            {"bucket": PUBLIC},
            ["starts-with", "$key", "uploads/"],
            ["content-length-range", 1, 10 * MIB],
            ["starts-with", "$Content-Type", "image/"],
        ]
        if acl is not None:
            fields["acl"] = acl
            conditions.append({"acl": acl})
        return app.user("steve").generate_presigned_post(
            PUBLIC, "uploads/${filename}", Fields=fields, Conditions=conditions, ExpiresIn=expires)

    def submit(self, form: dict[str, Any], filename: str, data: bytes,
               extra: dict[str, str] | None = None, content_type: str | None = None) -> requests.Response:
        fields = dict(form["fields"])
        if content_type is not None:
            fields["Content-Type"] = content_type
        fields.update(extra or {})
        return requests.post(form["url"], data=fields, files={"file": (filename, data, "image/png")},
                             headers={"Origin": PHOTOS_ORIGIN}, timeout=30)

    def ensure_cors(self, app: ConfigServer) -> None:
        app.root().put_bucket_cors(Bucket=PUBLIC,
                                   CORSConfiguration={"CORSRules": cors_rules_from_xml("djave-photos/cors.xml")})

    def test_steve_presigned_post_from_another_origin_stores_the_file(self, app: ConfigServer) -> None:
        self.ensure_cors(app)
        response = self.submit(self.post_form(app), "kitten.png", b"\x89PNG kitten")
        assert response.status_code == 204, response.text
        assert response.headers.get("Access-Control-Allow-Origin") == "*", response.headers
        stored = app.root().get_object(Bucket=PUBLIC, Key="uploads/kitten.png")
        assert stored["Body"].read() == b"\x89PNG kitten"

    def test_presigned_post_of_20_mib_is_too_large(self, app: ConfigServer) -> None:
        response = self.submit(self.post_form(app), "big.png", b"\0" * (20 * MIB))
        assert (response.status_code, error_of(response)["Code"]) == (400, "EntityTooLarge"), response.text

    def test_presigned_post_of_text_html_fails_the_content_type_condition(self, app: ConfigServer) -> None:
        response = self.submit(self.post_form(app), "page.html", b"<html>", content_type="text/html")
        assert response.status_code == 403, response.text
        assert error_of(response)["Code"] == "AccessDenied"
        assert error_of(response)["Message"] == (
            'Invalid according to Policy: Policy Condition failed: ["starts-with", "$Content-Type", "image/"]')

    def test_presigned_post_with_an_extra_field_is_refused(self, app: ConfigServer) -> None:
        response = self.submit(self.post_form(app), "cat.png", b"png", extra={"x-amz-meta-note": "unsigned"})
        assert response.status_code == 403, response.text
        assert error_of(response)["Code"] == "AccessDenied"
        assert error_of(response)["Message"] == "Invalid according to Policy: Extra input fields: x-amz-meta-note"

    def test_presigned_post_after_expiry_is_refused(self, app: ConfigServer) -> None:
        response = self.submit(self.post_form(app, expires=-60), "cat.png", b"png")
        assert response.status_code == 403, response.text
        assert error_of(response)["Code"] == "AccessDenied"
        assert error_of(response)["Message"] == "Invalid according to Policy: Policy expired."

    def test_presigned_post_with_a_tampered_policy_does_not_match_its_signature(self, app: ConfigServer) -> None:
        form = self.post_form(app)
        policy = json.loads(base64.b64decode(form["fields"]["policy"]))
        policy["conditions"] = [c for c in policy["conditions"]
                                if not (isinstance(c, list) and c[0] == "content-length-range")]
        policy["conditions"].append(["content-length-range", 1, 1024 * MIB])
        form["fields"]["policy"] = base64.b64encode(json.dumps(policy).encode()).decode()
        response = self.submit(form, "cat.png", b"png")
        assert (response.status_code, error_of(response)["Code"]) == (403, "SignatureDoesNotMatch"), response.text

    def test_presigned_post_with_a_public_read_acl_is_not_supported(self, app: ConfigServer) -> None:
        response = self.submit(self.post_form(app, acl="public-read"), "cat.png", b"png")
        assert response.status_code == 400, response.text
        assert error_of(response)["Code"] == "AccessControlListNotSupported"
        assert error_of(response)["Message"] == "The bucket does not allow ACLs"

    def test_preflight_for_post_from_any_origin_is_allowed(self, app: ConfigServer) -> None:
        self.ensure_cors(app)
        response = requests.options(app.url(PUBLIC), timeout=10, headers={
            "Origin": "https://anywhere.example", "Access-Control-Request-Method": "POST"})
        assert response.status_code == 200, response.text
        assert response.headers.get("Access-Control-Allow-Origin") == "*"
        assert "POST" in response.headers.get("Access-Control-Allow-Methods", "")

    @pytest.mark.parametrize("method", ["PUT", "DELETE"])
    def test_preflight_for_put_or_delete_is_refused(self, app: ConfigServer, method: str) -> None:
        self.ensure_cors(app)
        response = requests.options(app.url(PUBLIC, "uploads/cat.png"), timeout=10, headers={
            "Origin": PHOTOS_ORIGIN, "Access-Control-Request-Method": method})
        assert response.status_code == 403, response.text
        # "403 CORSResponse": S3's code is AccessForbidden, its message starts with CORSResponse.
        assert (error_of(response)["Code"], error_of(response)["Message"]) == ("AccessForbidden", CORS_NOT_ALLOWED)
        assert "Access-Control-Allow-Origin" not in response.headers


# -------------------------------------------------------------------------------------------------
# triage-attachments
# -------------------------------------------------------------------------------------------------

TRIAGE = "triage-attachments"
TICKET_KEY = "tickets/42/log.txt"


class TestTriageAttachments:
    @pytest.fixture(scope="class", autouse=True)
    def setup(self, app: ConfigServer) -> None:
        app.root().create_bucket(Bucket=TRIAGE)
        turn_block_public_access_off(app, TRIAGE)
        put_policy_file(app, TRIAGE, "triage-attachments/bucket-policy.json")
        allowed(app.user("triage-app").put_object, Bucket=TRIAGE, Key="tickets/1/screenshot.png", Body=b"png")

    def test_triage_app_puts_and_deletes_an_attachment(self, app: ConfigServer) -> None:
        triage = app.user("triage-app")
        allowed(triage.put_object, Bucket=TRIAGE, Key=TICKET_KEY, Body=b"log line\n")
        allowed(triage.delete_object, Bucket=TRIAGE, Key=TICKET_KEY)
        expect_error("NoSuchKey", 404, app.root().get_object, Bucket=TRIAGE, Key=TICKET_KEY)

    def test_triage_app_gets_through_the_bucket_policy(self, app: ConfigServer) -> None:
        triage = app.user("triage-app")
        allowed(triage.put_object, Bucket=TRIAGE, Key=TICKET_KEY, Body=b"log line\n")
        response = allowed(triage.get_object, Bucket=TRIAGE, Key=TICKET_KEY)
        assert response["Body"].read() == b"log line\n"
        assert "bucket policy" in authz_of(response), authz_of(response)

    def test_triage_app_cannot_list(self, app: ConfigServer) -> None:
        denied(app.user("triage-app").list_objects_v2, Bucket=TRIAGE,
               message=not_allowed(TRIAGE_APP.arn, "s3:ListBucket", f"arn:aws:s3:::{TRIAGE}"), authz="implicit deny")

    def test_anonymous_gets_but_cannot_put(self, app: ConfigServer) -> None:
        anonymous = app.anonymous()
        response = allowed(anonymous.get_object, Bucket=TRIAGE, Key="tickets/1/screenshot.png")
        assert response["Body"].read() == b"png"
        denied(anonymous.put_object, Bucket=TRIAGE, Key="tickets/1/evil.txt", Body=b"x", message="Access Denied")

    def test_triage_app_with_a_wrong_secret_does_not_match_the_signature(self, app: ConfigServer) -> None:
        from scenarios import make_client
        wrong = make_client(app.endpoint, TRIAGE_APP.access_key, "not-the-secret")
        expect_error("SignatureDoesNotMatch", 403, wrong.put_object, Bucket=TRIAGE, Key=TICKET_KEY, Body=b"x",
                     message="The request signature we calculated does not match the signature you provided. "
                             "Check your key and signing method.")

    def ensure_cors(self, app: ConfigServer) -> None:
        app.root().put_bucket_cors(Bucket=TRIAGE,
                                   CORSConfiguration={"CORSRules": document("triage-attachments/cors.json")})

    def test_preflight_for_put_with_content_type_is_allowed(self, app: ConfigServer) -> None:
        self.ensure_cors(app)
        response = requests.options(app.url(TRIAGE, TICKET_KEY), timeout=10, headers={
            "Origin": "https://triage.example", "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 200, response.text
        methods = [m.strip() for m in response.headers.get("Access-Control-Allow-Methods", "").split(",")]
        assert "PUT" in methods, response.headers
        assert response.headers.get("Access-Control-Allow-Origin") == "*"

    def test_preflight_for_post_is_refused(self, app: ConfigServer) -> None:
        self.ensure_cors(app)
        response = requests.options(app.url(TRIAGE, TICKET_KEY), timeout=10, headers={
            "Origin": "https://triage.example", "Access-Control-Request-Method": "POST"})
        assert response.status_code == 403, response.text
        # "403 CORSResponse": S3's code is AccessForbidden, its message starts with CORSResponse.
        assert (error_of(response)["Code"], error_of(response)["Message"]) == ("AccessForbidden", CORS_NOT_ALLOWED)


# -------------------------------------------------------------------------------------------------
# dtool-datasets
# -------------------------------------------------------------------------------------------------

DTOOL = "my-bucket"
README_KEY = "u/olssont/ds1/README.yml"
LITERAL = ("resource arn:aws:s3:::my-bucket/u/${aws:username}/* is literal text "
           "because the policy has no Version 2012-10-17")


def seed_dtool_bucket(server: ConfigServer) -> None:
    root = server.root()
    root.create_bucket(Bucket=DTOOL)
    for key in ("datasets/a/manifest.json", "u/bob/x", "dtool-0001"):
        root.put_object(Bucket=DTOOL, Key=key, Body=key.encode())


class TestDtoolDatasets:
    """The policy as published: no Version, so `${aws:username}` is literal text."""

    @pytest.fixture(scope="class", autouse=True)
    def setup(self, app: ConfigServer) -> None:
        seed_dtool_bucket(app)

    def test_olssont_reads_anywhere(self, app: ConfigServer) -> None:
        olssont = app.user("olssont")
        for key in ("datasets/a/manifest.json", "u/bob/x"):
            assert allowed(olssont.get_object, Bucket=DTOOL, Key=key)["Body"].read() == key.encode()
        listed = allowed(olssont.list_objects_v2, Bucket=DTOOL)
        assert {"datasets/a/manifest.json", "u/bob/x", "dtool-0001"} <= {o["Key"] for o in listed["Contents"]}

    def test_olssont_lists_object_versions(self, app: ConfigServer) -> None:
        versions = allowed(app.user("olssont").list_object_versions, Bucket=DTOOL)
        assert "u/bob/x" in {v["Key"] for v in versions.get("Versions", [])}

    def test_olssont_gets_object_tagging(self, app: ConfigServer) -> None:
        tagging = allowed(app.user("olssont").get_object_tagging, Bucket=DTOOL, Key="u/bob/x")
        assert tagging["TagSet"] == []

    def test_olssont_registers_a_dataset(self, app: ConfigServer) -> None:
        allowed(app.user("olssont").put_object, Bucket=DTOOL, Key="dtool-1234", Body=b"registration")

    def test_olssont_cannot_write_under_his_prefix_because_the_variable_is_literal(self, app: ConfigServer) -> None:
        resource = f"arn:aws:s3:::{DTOOL}/{README_KEY}"
        response = denied(app.user("olssont").put_object, Bucket=DTOOL, Key=README_KEY, Body=b"name: ds1\n",
                          message=not_allowed(OLSSONT.arn, "s3:PutObject", resource), authz=LITERAL)
        assert "AllowPartialWriteAccess" in authz_of(response), authz_of(response)

    def test_the_literal_prefix_itself_is_writable(self, app: ConfigServer) -> None:
        # What the published policy really allows: the key prefix "u/${aws:username}/", verbatim.
        allowed(app.user("olssont").put_object, Bucket=DTOOL, Key="u/${aws:username}/x", Body=b"literal")


@pytest.fixture(scope="module")
def fixed_dtool(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    """dtool's users with `"Version": "2012-10-17"` added to the policy."""
    _own_server_only()
    policy = {"user-policy": with_version(document("dtool-datasets/user-policy.json"))}
    users = [User(u.name, u.access_key, u.secret_key, policies=policy) for u in (OLSSONT, BOB)]
    server = start_config_server(tmp_path_factory, "dtool-versioned", users)
    seed_dtool_bucket(server)
    yield server
    stop_config_server(server)


class TestDtoolDatasetsWithVersion:
    def test_olssont_writes_under_his_prefix(self, fixed_dtool: ConfigServer) -> None:
        olssont = fixed_dtool.user("olssont")
        allowed(olssont.put_object, Bucket=DTOOL, Key=README_KEY, Body=b"name: ds1\n")
        allowed(olssont.delete_object, Bucket=DTOOL, Key=README_KEY)

    def test_olssont_cannot_write_or_delete_under_bobs_prefix(self, fixed_dtool: ConfigServer) -> None:
        olssont = fixed_dtool.user("olssont")
        resource = f"arn:aws:s3:::{DTOOL}/u/bob/x"
        denied(olssont.put_object, Bucket=DTOOL, Key="u/bob/x", Body=b"x",
               message=not_allowed(OLSSONT.arn, "s3:PutObject", resource), authz="implicit deny")
        denied(olssont.delete_object, Bucket=DTOOL, Key="u/bob/x",
               message=not_allowed(OLSSONT.arn, "s3:DeleteObject", resource), authz="implicit deny")
        assert fixed_dtool.root().get_object(Bucket=DTOOL, Key="u/bob/x")["Body"].read() == b"u/bob/x"

    def test_bob_writes_under_his_own_prefix(self, fixed_dtool: ConfigServer) -> None:
        allowed(fixed_dtool.user("bob").put_object, Bucket=DTOOL, Key="u/bob/y", Body=b"bob's")

    def test_the_literal_prefix_is_no_longer_writable(self, fixed_dtool: ConfigServer) -> None:
        key = "u/${aws:username}/x"
        denied(fixed_dtool.user("olssont").put_object, Bucket=DTOOL, Key=key, Body=b"x",
               message=not_allowed(OLSSONT.arn, "s3:PutObject", f"arn:aws:s3:::{DTOOL}/{key}"))

    def test_olssont_reads_older_versions_and_their_tags(self, fixed_dtool: ConfigServer) -> None:
        # dtool's policy grants s3:GetObjectVersion, s3:GetObjectVersionTagging and
        # s3:ListBucketVersions: what a versioned dataset bucket needs.
        fixed_dtool.root().put_bucket_versioning(Bucket=DTOOL, VersioningConfiguration={"Status": "Enabled"})
        olssont = fixed_dtool.user("olssont")
        key = "u/olssont/history.txt"
        first = allowed(olssont.put_object, Bucket=DTOOL, Key=key, Body=b"v1")["VersionId"]
        allowed(olssont.put_object, Bucket=DTOOL, Key=key, Body=b"v2")
        # Tags need s3:PutObjectTagging, which the policy does not grant: the owner tags the old version.
        fixed_dtool.root().put_object_tagging(Bucket=DTOOL, Key=key, VersionId=first,
                                             Tagging={"TagSet": [{"Key": "state", "Value": "draft"}]})
        assert allowed(olssont.get_object, Bucket=DTOOL, Key=key, VersionId=first)["Body"].read() == b"v1"
        tags = allowed(olssont.get_object_tagging, Bucket=DTOOL, Key=key, VersionId=first)["TagSet"]
        assert tags == [{"Key": "state", "Value": "draft"}]
        versions = allowed(olssont.list_object_versions, Bucket=DTOOL, Prefix=key)["Versions"]
        assert [v["IsLatest"] for v in versions] == [True, False]


# -------------------------------------------------------------------------------------------------
# shift-media
# -------------------------------------------------------------------------------------------------

SHIFT_BUCKET = "shift-media-bucket"
SHIFT_OTHER = "shift-other-bucket"


class TestShiftMedia:
    @pytest.fixture(scope="class", autouse=True)
    def setup(self, app: ConfigServer) -> None:
        root = app.root()
        root.create_bucket(Bucket=SHIFT_BUCKET)
        root.create_bucket(Bucket=SHIFT_OTHER)
        turn_block_public_access_off(app, SHIFT_BUCKET)
        put_policy_file(app, SHIFT_BUCKET, "shift-media/bucket-policy.json")
        root.put_object(Bucket=SHIFT_BUCKET, Key="media/poster.jpg", Body=b"poster")

    def test_shift_puts_and_deletes_through_the_group(self, app: ConfigServer) -> None:
        shift = app.user("shift")
        allowed(shift.put_object, Bucket=SHIFT_BUCKET, Key="media/clip.mp4", Body=b"clip")
        allowed(shift.delete_object, Bucket=SHIFT_BUCKET, Key="media/clip.mp4")

    def test_shift_puts_the_bucket_policy_through_the_group(self, app: ConfigServer) -> None:
        allowed(app.user("shift").put_bucket_policy, Bucket=SHIFT_BUCKET,
                Policy=document_text("shift-media/bucket-policy.json"))

    def test_shift_lists_buckets_through_the_group(self, app: ConfigServer) -> None:
        names = {b["Name"] for b in allowed(app.user("shift").list_buckets)["Buckets"]}
        assert {SHIFT_BUCKET, SHIFT_OTHER} <= names

    def test_shift_cannot_put_into_another_bucket(self, app: ConfigServer) -> None:
        denied(app.user("shift").put_object, Bucket=SHIFT_OTHER, Key="media/clip.mp4", Body=b"x",
               message=not_allowed(SHIFT.arn, "s3:PutObject", f"arn:aws:s3:::{SHIFT_OTHER}/media/clip.mp4"),
               authz="implicit deny")

    def test_anonymous_gets_through_the_public_policy(self, app: ConfigServer) -> None:
        response = allowed(app.anonymous().get_object, Bucket=SHIFT_BUCKET, Key="media/poster.jpg")
        assert response["Body"].read() == b"poster"
        plain = requests.get(app.url(SHIFT_BUCKET, "media/poster.jpg"), timeout=10)
        assert (plain.status_code, plain.content) == (200, b"poster")

    def test_the_policy_is_public(self, app: ConfigServer) -> None:
        status = allowed(app.user("shift").get_bucket_policy_status, Bucket=SHIFT_BUCKET)
        assert status["PolicyStatus"]["IsPublic"] is True

    def test_the_public_policy_is_refused_while_block_public_policy_is_on(self, app: ConfigServer) -> None:
        aws = app.aws()
        aws.s3api("put-public-access-block", "--bucket", SHIFT_BUCKET, "--public-access-block-configuration",
                  "BlockPublicAcls=false,IgnorePublicAcls=false,BlockPublicPolicy=true,RestrictPublicBuckets=false")
        try:
            denied(app.user("shift").put_bucket_policy, Bucket=SHIFT_BUCKET,
                   Policy=document_text("shift-media/bucket-policy.json"),
                   message=public_policy_blocked(SHIFT.arn, SHIFT_BUCKET), authz="BlockPublicPolicy")
            result = aws.s3api("put-bucket-policy", "--bucket", SHIFT_BUCKET, "--policy",
                               f"file://{HERE / 'shift-media/bucket-policy.json'}", check=False)
            cli_denied(result, "PutBucketPolicy", public_policy_blocked(ROOT_ARN, SHIFT_BUCKET))
        finally:
            turn_block_public_access_off(app, SHIFT_BUCKET)
        # The policy already stored stays in force: BlockPublicPolicy only refuses new ones.
        allowed(app.anonymous().get_object, Bucket=SHIFT_BUCKET, Key="media/poster.jpg")

    def test_a_new_bucket_refuses_the_public_policy(self, app: ConfigServer) -> None:
        """New buckets start with Block Public Access all on, as on AWS."""
        bucket = "shift-media-fresh"
        app.root().create_bucket(Bucket=bucket)
        policy = document_text("shift-media/bucket-policy.json").replace(SHIFT_BUCKET, bucket)
        result = app.aws().s3api("put-bucket-policy", "--bucket", bucket, "--policy", policy, check=False)
        cli_denied(result, "PutBucketPolicy", public_policy_blocked(ROOT_ARN, bucket))


# -------------------------------------------------------------------------------------------------
# The same settings declared in the --config file
# -------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    """triage-attachments declared in the config file: BPA off, its policy and CORS rules."""
    _own_server_only()
    buckets = [
        {
            "name": TRIAGE,
            "publicAccessBlock": {"BlockPublicAcls": False, "IgnorePublicAcls": False,
                                  "BlockPublicPolicy": False, "RestrictPublicBuckets": False},
            "objectOwnership": "BucketOwnerEnforced",
            "policy": document("triage-attachments/bucket-policy.json"),
            "cors": document("triage-attachments/cors.json"),
        },
        {"name": "seeded-defaults"},
    ]
    server = start_config_server(tmp_path_factory, "seeded", [TRIAGE_APP], buckets=buckets)
    yield server
    stop_config_server(server)


class TestSettingsFromTheConfigFile:
    def test_the_seeded_bucket_has_its_settings(self, seeded: ConfigServer) -> None:
        root = seeded.root()
        block = root.get_public_access_block(Bucket=TRIAGE)["PublicAccessBlockConfiguration"]
        assert block == {"BlockPublicAcls": False, "IgnorePublicAcls": False,
                         "BlockPublicPolicy": False, "RestrictPublicBuckets": False}
        assert json.loads(root.get_bucket_policy(Bucket=TRIAGE)["Policy"]) == document(
            "triage-attachments/bucket-policy.json")
        rules = root.get_bucket_ownership_controls(Bucket=TRIAGE)["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    def test_a_seeded_bucket_without_settings_gets_the_defaults_of_new_buckets(self, seeded: ConfigServer) -> None:
        root = seeded.root()
        block = root.get_public_access_block(Bucket="seeded-defaults")["PublicAccessBlockConfiguration"]
        assert block == {"BlockPublicAcls": True, "IgnorePublicAcls": True,
                         "BlockPublicPolicy": True, "RestrictPublicBuckets": True}
        rules = root.get_bucket_ownership_controls(Bucket="seeded-defaults")["OwnershipControls"]["Rules"]
        assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]

    def test_the_rows_hold_on_the_seeded_bucket(self, seeded: ConfigServer) -> None:
        triage = seeded.user("triage-app")
        allowed(triage.put_object, Bucket=TRIAGE, Key=TICKET_KEY, Body=b"seeded")
        assert allowed(seeded.anonymous().get_object, Bucket=TRIAGE, Key=TICKET_KEY)["Body"].read() == b"seeded"
        denied(seeded.anonymous().put_object, Bucket=TRIAGE, Key=TICKET_KEY, Body=b"x", message="Access Denied")
        denied(triage.list_objects_v2, Bucket=TRIAGE,
               message=not_allowed(TRIAGE_APP.arn, "s3:ListBucket", f"arn:aws:s3:::{TRIAGE}"))

    def test_the_seeded_cors_rules_answer_preflight(self, seeded: ConfigServer) -> None:
        response = requests.options(seeded.url(TRIAGE, TICKET_KEY), timeout=10, headers={
            "Origin": "https://triage.example", "Access-Control-Request-Method": "PUT",
            "Access-Control-Request-Headers": "content-type"})
        assert response.status_code == 200, response.text
        assert "PUT" in response.headers.get("Access-Control-Allow-Methods", "")
