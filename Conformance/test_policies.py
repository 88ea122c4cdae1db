"""Bucket policies, Block Public Access, Object Ownership and ACLs, end to end.

PutBucketPolicy validation with S3's MalformedPolicy messages; Get/DeleteBucketPolicy and
GetBucketPolicyStatus; Put/Get/DeletePublicAccessBlock; Put/Get/DeleteBucketOwnershipControls;
canned ACLs and their shapes; condition keys (aws:SourceIp, s3:prefix, aws:SecureTransport);
Deny beats Allow; DeleteObjects' per-key AccessDenied; CopyObject's s3:GetObject on the source.

A private `s3emu serve --config` provides the IAM users; the root user creates the buckets.
"""

from __future__ import annotations

import json
import os
import xml.etree.ElementTree as ET
from typing import Any, Callable, Iterator

import pytest
import requests
from botocore.exceptions import ClientError

from s3conf import empty_bucket, expect_error, unique_name
from scenarios import (
    ACCOUNT_ID,
    AUTHZ_HEADER,
    ConfigServer,
    User,
    allowed,
    authz_of,
    cli_denied,
    denied,
    explicitly_denied,
    not_allowed,
    public_policy_blocked,
    start_config_server,
    stop_config_server,
)

ROOT_ARN = f"arn:aws:iam::{ACCOUNT_ID}:root"
ALL_BUCKETS = ["arn:aws:s3:::pol-*", "arn:aws:s3:::pol-*/*"]

ALICE = User("alice", "AKIAALICE00000000001", "alice-secret", policies={"everything-in-pol": {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": ALL_BUCKETS},
        {"Effect": "Allow", "Action": "s3:ListAllMyBuckets", "Resource": "*"},
    ],
}})
BOB = User("bob", "AKIABOB0000000000001", "bob-secret")
CAROL = User("carol", "AKIACAROL00000000001", "carol-secret", policies={"all-but-private": {
    "Version": "2012-10-17",
    "Statement": [
        {"Effect": "Allow", "Action": "s3:*", "Resource": ALL_BUCKETS},
        {"Sid": "NoPrivate", "Effect": "Deny", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::pol-*/private/*"},
    ],
}})
DAVE = User("dave", "AKIADAVE000000000001", "dave-secret", policies={"copies-only": {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": "s3:PutObject", "Resource": "arn:aws:s3:::pol-*/copies/*"}],
}})

NO_BLOCK = {"BlockPublicAcls": False, "IgnorePublicAcls": False, "BlockPublicPolicy": False,
            "RestrictPublicBuckets": False}
ALL_BLOCKED = {k: True for k in NO_BLOCK}
ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"


@pytest.fixture(scope="module")
def srv(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConfigServer]:
    if os.environ.get("S3_ENDPOINT"):
        pytest.skip("needs s3emu's --config users (S3_ENDPOINT is set)")
    server = start_config_server(tmp_path_factory, "policies", [ALICE, BOB, CAROL, DAVE])
    yield server
    stop_config_server(server)


@pytest.fixture
def new_bucket(srv: ConfigServer) -> Iterator[Callable[..., str]]:
    """Buckets created by the root user (named `pol-…`); emptied and deleted after the test."""
    created: list[str] = []

    def create(**kwargs: Any) -> str:
        name = unique_name("pol")
        srv.root().create_bucket(Bucket=name, **kwargs)
        created.append(name)
        return name

    yield create
    root = srv.root()
    for name in created:
        try:
            root.delete_bucket_policy(Bucket=name)
            empty_bucket(root, name)
            root.delete_bucket(Bucket=name)
        except ClientError:
            pass


@pytest.fixture
def bucket(new_bucket: Callable[..., str]) -> str:
    return new_bucket()


def policy(bucket: str, *statements: dict[str, Any], version: bool = True) -> str:
    document: dict[str, Any] = {"Version": "2012-10-17"} if version else {}
    document["Statement"] = list(statements)
    return json.dumps(document)


def allow(principal: Any, action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Allow", "Principal": principal, "Action": action, "Resource": resource, **extra}


def deny(principal: Any, action: Any, resource: Any, **extra: Any) -> dict[str, Any]:
    return {"Effect": "Deny", "Principal": principal, "Action": action, "Resource": resource, **extra}


def aws_user(user: User) -> dict[str, str]:
    return {"AWS": user.arn}


def block(srv: ConfigServer, bucket: str, **settings: bool) -> None:
    srv.root().put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={**NO_BLOCK, **settings})


# -------------------------------------------------------------------------------------------------
# PutBucketPolicy validation
# -------------------------------------------------------------------------------------------------

GET = "s3:GetObject"


def malformed_cases(b: str) -> list[tuple[str, str, str]]:
    """(id, policy text, MalformedPolicy message) for bucket `b`."""
    objects = f"arn:aws:s3:::{b}/*"
    root = {"AWS": ROOT_ARN}
    return [
        ("not-json", "not json", "Policies must be valid JSON and the first byte must be '{'"),
        ("invalid-json", '{"Version": "2012-10-17", "Statement": [', "This policy contains invalid Json"),
        ("bad-version", json.dumps({"Version": "2012-10-18", "Statement": [allow(root, GET, objects)]}),
         "The policy must contain a valid version string"),
        ("no-statement", json.dumps({"Version": "2012-10-17"}), "Missing required field Statement"),
        ("bad-effect", policy(b, {"Effect": "Permit", "Principal": root, "Action": GET, "Resource": objects}),
         "Invalid effect: Permit"),
        ("unknown-action", policy(b, allow(root, "s3:GetObjekt", objects)), "Policy has invalid action"),
        ("other-service-action", policy(b, allow(root, "iam:CreateUser", objects)), "Policy has invalid action"),
        ("resource-not-an-arn", policy(b, allow(root, GET, f"{b}/*")), "Policy has invalid resource"),
        ("resource-in-another-bucket", policy(b, allow(root, GET, "arn:aws:s3:::some-other-bucket/*")),
         "Policy has invalid resource"),
        ("action-does-not-apply", policy(b, allow(root, GET, f"arn:aws:s3:::{b}")),
         "Action does not apply to any resource(s) in statement"),
        ("principal-not-an-arn", policy(b, allow("someone", GET, objects)), "Invalid principal in policy"),
        ("principal-unknown-key", policy(b, allow({"Foo": "x"}, GET, objects)), "Invalid principal in policy"),
        ("principal-missing", policy(b, {"Effect": "Allow", "Action": GET, "Resource": objects}),
         "Missing required field Principal"),
        ("unknown-condition-operator",
         policy(b, allow(root, GET, objects, Condition={"StringEqualz": {"aws:SourceIp": "x"}})),
         "Invalid Condition type : StringEqualz"),
        ("unknown-condition-key",
         policy(b, allow(root, GET, objects, Condition={"StringEquals": {"s3:notakey": "x"}})),
         "Policy has an invalid condition key"),
        ("invalid-ip-address",
         policy(b, allow(root, GET, objects, Condition={"IpAddress": {"aws:SourceIp": "300.1.1.1/32"}})),
         "Invalid IP address in Conditions"),
        ("condition-does-not-apply",
         policy(b, allow(root, GET, objects, Condition={"StringLike": {"s3:prefix": "home/*"}})),
         "Conditions do not apply to combination of actions and resources in statement"),
    ]


CASE_IDS = [case[0] for case in malformed_cases("b")]


@pytest.mark.parametrize("case", CASE_IDS)
def test_put_bucket_policy_refuses_a_malformed_policy(srv: ConfigServer, bucket: str, case: str) -> None:
    _, text, message = next(c for c in malformed_cases(bucket) if c[0] == case)
    expect_error("MalformedPolicy", 400, srv.root().put_bucket_policy, Bucket=bucket, Policy=text, message=message)
    expect_error("NoSuchBucketPolicy", 404, srv.root().get_bucket_policy, Bucket=bucket,
                 message="The bucket policy does not exist")


def test_put_bucket_policy_refuses_a_user_that_does_not_exist(srv: ConfigServer, bucket: str) -> None:
    ghost = f"arn:aws:iam::{ACCOUNT_ID}:user/ghost"
    text = policy(bucket, allow({"AWS": ghost}, GET, f"arn:aws:s3:::{bucket}/*"))
    expect_error("MalformedPolicy", 400, srv.root().put_bucket_policy, Bucket=bucket, Policy=text,
                 message="Invalid principal in policy")


def test_awscli_put_bucket_policy_reports_the_malformed_policy(srv: ConfigServer, bucket: str) -> None:
    text = policy(bucket, allow({"AWS": ROOT_ARN}, "s3:GetObjekt", f"arn:aws:s3:::{bucket}/*"))
    result = srv.aws().s3api("put-bucket-policy", "--bucket", bucket, "--policy", text, check=False)
    assert result.error_code() == "MalformedPolicy", result
    assert "Policy has invalid action" in result.stderr, result


# -------------------------------------------------------------------------------------------------
# Get/DeleteBucketPolicy, GetBucketPolicyStatus
# -------------------------------------------------------------------------------------------------


def test_bucket_policy_lifecycle(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    expect_error("NoSuchBucketPolicy", 404, root.get_bucket_policy, Bucket=bucket,
                 message="The bucket policy does not exist")
    text = policy(bucket, allow(aws_user(ALICE), GET, f"arn:aws:s3:::{bucket}/*"))
    assert root.put_bucket_policy(Bucket=bucket, Policy=text)["ResponseMetadata"]["HTTPStatusCode"] == 204
    assert json.loads(root.get_bucket_policy(Bucket=bucket)["Policy"]) == json.loads(text)
    assert json.loads(srv.aws().s3api("get-bucket-policy", "--bucket", bucket).json["Policy"]) == json.loads(text)
    assert root.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error("NoSuchBucketPolicy", 404, root.get_bucket_policy, Bucket=bucket,
                 message="The bucket policy does not exist")
    # Deleting a policy that is not there is not an error.
    assert root.delete_bucket_policy(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204


def test_bucket_policy_of_a_missing_bucket(srv: ConfigServer) -> None:
    expect_error("NoSuchBucket", 404, srv.root().get_bucket_policy, Bucket=unique_name("pol"))


def test_get_bucket_policy_status(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    expect_error("NoSuchBucketPolicy", 404, root.get_bucket_policy_status, Bucket=bucket,
                 message="The bucket policy does not exist")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, allow(aws_user(ALICE), GET, f"arn:aws:s3:::{bucket}/*")))
    assert root.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}
    block(srv, bucket)
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, allow("*", GET, f"arn:aws:s3:::{bucket}/*")))
    assert root.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": True}
    # A fixed source address makes the same grant non-public.
    fixed = allow("*", GET, f"arn:aws:s3:::{bucket}/*", Condition={"IpAddress": {"aws:SourceIp": "192.0.2.0/24"}})
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, fixed))
    assert root.get_bucket_policy_status(Bucket=bucket)["PolicyStatus"] == {"IsPublic": False}


def test_users_need_the_policy_actions(srv: ConfigServer, bucket: str) -> None:
    resource = f"arn:aws:s3:::{bucket}"
    bob = srv.user("bob")
    denied(bob.get_bucket_policy, Bucket=bucket, message=not_allowed(BOB.arn, "s3:GetBucketPolicy", resource))
    denied(bob.delete_bucket_policy, Bucket=bucket, message=not_allowed(BOB.arn, "s3:DeleteBucketPolicy", resource))
    denied(bob.get_bucket_policy_status, Bucket=bucket,
           message=not_allowed(BOB.arn, "s3:GetBucketPolicyStatus", resource))
    denied(bob.get_public_access_block, Bucket=bucket,
           message=not_allowed(BOB.arn, "s3:GetBucketPublicAccessBlock", resource))
    denied(bob.put_public_access_block, Bucket=bucket, PublicAccessBlockConfiguration=NO_BLOCK,
           message=not_allowed(BOB.arn, "s3:PutBucketPublicAccessBlock", resource))
    denied(bob.get_bucket_ownership_controls, Bucket=bucket,
           message=not_allowed(BOB.arn, "s3:GetBucketOwnershipControls", resource))
    denied(bob.get_bucket_acl, Bucket=bucket, message=not_allowed(BOB.arn, "s3:GetBucketAcl", resource))
    result = srv.aws("bob").s3api("put-public-access-block", "--bucket", bucket,
                                  "--public-access-block-configuration", "BlockPublicPolicy=false", check=False)
    cli_denied(result, "PutPublicAccessBlock", not_allowed(BOB.arn, "s3:PutBucketPublicAccessBlock", resource))
    assert srv.root().get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_BLOCKED


# -------------------------------------------------------------------------------------------------
# Block Public Access
# -------------------------------------------------------------------------------------------------


def test_public_access_block_lifecycle(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    assert root.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == ALL_BLOCKED
    srv.aws().s3api("put-public-access-block", "--bucket", bucket, "--public-access-block-configuration",
                    "BlockPublicAcls=true,IgnorePublicAcls=false,BlockPublicPolicy=false,RestrictPublicBuckets=true")
    assert root.get_public_access_block(Bucket=bucket)["PublicAccessBlockConfiguration"] == {
        "BlockPublicAcls": True, "IgnorePublicAcls": False, "BlockPublicPolicy": False, "RestrictPublicBuckets": True}
    assert root.delete_public_access_block(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error("NoSuchPublicAccessBlockConfiguration", 404, root.get_public_access_block, Bucket=bucket,
                 message="The public access block configuration was not found")


def test_block_public_policy_refuses_public_policies_only(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    public = policy(bucket, {"Sid": "Open", **allow("*", GET, f"arn:aws:s3:::{bucket}/*")})
    response = denied(root.put_bucket_policy, Bucket=bucket, Policy=public,
                      message=public_policy_blocked(ROOT_ARN, bucket), authz="BlockPublicPolicy")
    assert "Open" in authz_of(response)
    # Naming a principal of the account is not public: accepted.
    allowed(root.put_bucket_policy, Bucket=bucket, Policy=policy(bucket, allow(aws_user(BOB), GET, f"arn:aws:s3:::{bucket}/*")))
    root.delete_public_access_block(Bucket=bucket)
    allowed(root.put_bucket_policy, Bucket=bucket, Policy=public)


def test_restrict_public_buckets_keeps_anonymous_requests_out(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    block(srv, bucket)
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, allow("*", GET, f"arn:aws:s3:::{bucket}/*")))
    root.put_object(Bucket=bucket, Key="k", Body=b"public")
    assert allowed(srv.anonymous().get_object, Bucket=bucket, Key="k")["Body"].read() == b"public"
    block(srv, bucket, RestrictPublicBuckets=True)
    denied(srv.anonymous().get_object, Bucket=bucket, Key="k", message="Access Denied", authz="RestrictPublicBuckets")
    # Principals of the bucket owner's account still get the public grant.
    assert allowed(srv.user("bob").get_object, Bucket=bucket, Key="k")["Body"].read() == b"public"


# -------------------------------------------------------------------------------------------------
# Object Ownership
# -------------------------------------------------------------------------------------------------


def test_ownership_controls_lifecycle(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    rules = root.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "BucketOwnerEnforced"}]
    root.put_bucket_ownership_controls(Bucket=bucket, OwnershipControls={"Rules": [{"ObjectOwnership": "ObjectWriter"}]})
    rules = root.get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]
    assert root.delete_bucket_ownership_controls(Bucket=bucket)["ResponseMetadata"]["HTTPStatusCode"] == 204
    expect_error("OwnershipControlsNotFoundError", 404, root.get_bucket_ownership_controls, Bucket=bucket,
                 message="The bucket ownership controls were not found")


def test_create_bucket_with_object_ownership(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    rules = srv.root().get_bucket_ownership_controls(Bucket=bucket)["OwnershipControls"]["Rules"]
    assert rules == [{"ObjectOwnership": "ObjectWriter"}]


def test_create_bucket_with_a_public_acl_and_acls_disabled(srv: ConfigServer) -> None:
    name = unique_name("pol")
    expect_error("InvalidBucketAclWithObjectOwnership", 400, srv.root().create_bucket, Bucket=name, ACL="public-read",
                 message="Bucket cannot have ACLs set with ObjectOwnership's BucketOwnerEnforced setting")
    expect_error("NoSuchBucket", 404, srv.root().list_objects_v2, Bucket=name)


# -------------------------------------------------------------------------------------------------
# ACLs
# -------------------------------------------------------------------------------------------------


def owner_id(srv: ConfigServer) -> str:
    return srv.root().list_buckets()["Owner"]["ID"]


def test_put_object_with_a_public_acl_on_a_bucket_owner_enforced_bucket(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    expect_error("AccessControlListNotSupported", 400, root.put_object, Bucket=bucket, Key="k", Body=b"x",
                 ACL="public-read", message="The bucket does not allow ACLs")
    expect_error("NoSuchKey", 404, root.get_object, Bucket=bucket, Key="k")
    # bucket-owner-full-control is what BucketOwnerEnforced means anyway: accepted.
    root.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="bucket-owner-full-control")
    expect_error("AccessControlListNotSupported", 400, root.put_bucket_acl, Bucket=bucket, ACL="public-read",
                 message="The bucket does not allow ACLs")
    expect_error("AccessControlListNotSupported", 400, root.put_object_acl, Bucket=bucket, Key="k",
                 ACL="public-read", message="The bucket does not allow ACLs")


def test_public_read_acl_with_object_writer_and_block_public_access_off(
        srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    root = srv.root()
    root.put_object(Bucket=bucket, Key="public.txt", Body=b"for everyone", ACL="public-read")
    root.put_object(Bucket=bucket, Key="private.txt", Body=b"for the owner")
    response = allowed(srv.anonymous().get_object, Bucket=bucket, Key="public.txt")
    assert response["Body"].read() == b"for everyone"
    assert "ACL" in authz_of(response), authz_of(response)
    plain = requests.get(srv.url(bucket, "public.txt"), timeout=10)
    assert (plain.status_code, plain.content) == (200, b"for everyone")
    assert plain.headers.get(AUTHZ_HEADER)
    denied(srv.anonymous().get_object, Bucket=bucket, Key="private.txt", message="Access Denied")
    # The public-read grant covers reading, not writing.
    denied(srv.anonymous().put_object, Bucket=bucket, Key="public.txt", Body=b"defaced", message="Access Denied")
    # PutObjectAcl makes the other object public too.
    root.put_object_acl(Bucket=bucket, Key="private.txt", ACL="public-read")
    assert allowed(srv.anonymous().get_object, Bucket=bucket, Key="private.txt")["Body"].read() == b"for the owner"


def test_ignore_public_acls_sets_public_grants_aside(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    srv.root().put_object(Bucket=bucket, Key="public.txt", Body=b"x", ACL="public-read")
    allowed(srv.anonymous().get_object, Bucket=bucket, Key="public.txt")
    block(srv, bucket, IgnorePublicAcls=True)
    denied(srv.anonymous().get_object, Bucket=bucket, Key="public.txt", message="Access Denied",
           authz="IgnorePublicAcls")


def test_block_public_acls_refuses_a_public_acl(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")  # Block Public Access all on, as created
    root = srv.root()
    denied(root.put_object, Bucket=bucket, Key="k", Body=b"x", ACL="public-read", message="Access Denied",
           authz="BlockPublicAcls")
    expect_error("NoSuchKey", 404, root.get_object, Bucket=bucket, Key="k")
    root.put_object(Bucket=bucket, Key="k", Body=b"x", ACL="private")
    denied(root.put_object_acl, Bucket=bucket, Key="k", ACL="public-read-write", message="Access Denied",
           authz="BlockPublicAcls")
    denied(root.put_bucket_acl, Bucket=bucket, ACL="public-read", message="Access Denied", authz="BlockPublicAcls")


def canonical_grant(grantee_id: str) -> dict[str, Any]:
    return {"Grantee": {"ID": grantee_id, "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"}


def test_get_object_acl_and_get_bucket_acl_shapes(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    owner = owner_id(srv)
    enforced = new_bucket()
    root = srv.root()
    root.put_object(Bucket=enforced, Key="k", Body=b"x")
    for acl in (root.get_bucket_acl(Bucket=enforced), root.get_object_acl(Bucket=enforced, Key="k")):
        assert acl["Owner"]["ID"] == owner
        assert [{**g, "Grantee": {k: v for k, v in g["Grantee"].items() if k != "DisplayName"}}
                for g in acl["Grants"]] == [canonical_grant(owner)]

    writer = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, writer)
    root.put_object(Bucket=writer, Key="public.txt", Body=b"x", ACL="public-read")
    acl = root.get_object_acl(Bucket=writer, Key="public.txt")
    grants = [{**g, "Grantee": {k: v for k, v in g["Grantee"].items() if k != "DisplayName"}} for g in acl["Grants"]]
    assert grants == [canonical_grant(owner), {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"}]
    expect_error("NoSuchKey", 404, root.get_object_acl, Bucket=writer, Key="missing")


def test_get_object_acl_xml_names_the_grantee_types(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    srv.root().put_object(Bucket=bucket, Key="k", Body=b"x", ACL="public-read")
    from s3conf.raw import RawS3

    raw = RawS3(srv.endpoint, "test", "test", "us-east-1")
    response = raw.request("GET", f"/{bucket}/k?acl")
    assert response.status == 200, response.body
    root = ET.fromstring(response.body)
    ns = {"s3": "http://s3.amazonaws.com/doc/2006-03-01/"}
    xsi = "{http://www.w3.org/2001/XMLSchema-instance}type"
    types = [g.get(xsi) for g in root.findall("s3:AccessControlList/s3:Grant/s3:Grantee", ns)]
    assert types == ["CanonicalUser", "Group"]


# -------------------------------------------------------------------------------------------------
# Condition keys, end to end
# -------------------------------------------------------------------------------------------------


def test_condition_keys_source_ip_prefix_and_secure_transport(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    for key in ("doc.txt", "secret/plans.txt", "home/bob/notes.txt"):
        root.put_object(Bucket=bucket, Key=key, Body=key.encode())
    objects = f"arn:aws:s3:::{bucket}/*"

    def bucket_policy(source: str) -> str:
        return policy(
            bucket,
            {"Sid": "FromHere", **allow(aws_user(BOB), GET, objects,
                                        Condition={"IpAddress": {"aws:SourceIp": source}})},
            {"Sid": "OwnHome", **allow(aws_user(BOB), "s3:ListBucket", f"arn:aws:s3:::{bucket}",
                                       Condition={"StringLike": {"s3:prefix": "home/bob/*"}})},
            {"Sid": "TLSForSecrets", **deny(aws_user(BOB), GET, f"arn:aws:s3:::{bucket}/secret/*",
                                            Condition={"Bool": {"aws:SecureTransport": "false"}})},
        )

    root.put_bucket_policy(Bucket=bucket, Policy=bucket_policy("127.0.0.1/32"))
    bob = srv.user("bob")
    response = allowed(bob.get_object, Bucket=bucket, Key="doc.txt")
    assert "FromHere" in authz_of(response), authz_of(response)
    # Plain HTTP is not secure transport: the Deny applies even though FromHere allows.
    denied(bob.get_object, Bucket=bucket, Key="secret/plans.txt", authz="TLSForSecrets",
           message=explicitly_denied(BOB.arn, GET, f"arn:aws:s3:::{bucket}/secret/plans.txt", "resource-based"))
    # s3:prefix: only the user's own home.
    listed = allowed(bob.list_objects_v2, Bucket=bucket, Prefix="home/bob/")
    assert [o["Key"] for o in listed["Contents"]] == ["home/bob/notes.txt"]
    list_denied = not_allowed(BOB.arn, "s3:ListBucket", f"arn:aws:s3:::{bucket}")
    denied(bob.list_objects_v2, Bucket=bucket, message=list_denied)
    denied(bob.list_objects_v2, Bucket=bucket, Prefix="home/alice/", message=list_denied)
    # From an address outside the range, FromHere no longer allows.
    root.put_bucket_policy(Bucket=bucket, Policy=bucket_policy("10.0.0.0/8"))
    denied(bob.get_object, Bucket=bucket, Key="doc.txt",
           message=not_allowed(BOB.arn, GET, f"arn:aws:s3:::{bucket}/doc.txt"), authz="implicit deny")


def test_a_fixed_source_ip_grant_to_everyone_is_not_public(srv: ConfigServer, bucket: str) -> None:
    """Block Public Access (all on) leaves a grant limited to fixed addresses in force."""
    root = srv.root()
    root.put_object(Bucket=bucket, Key="k", Body=b"local")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, allow(
        "*", GET, f"arn:aws:s3:::{bucket}/*", Condition={"IpAddress": {"aws:SourceIp": "127.0.0.1/32"}})))
    assert allowed(srv.anonymous().get_object, Bucket=bucket, Key="k")["Body"].read() == b"local"


# -------------------------------------------------------------------------------------------------
# Deny beats Allow
# -------------------------------------------------------------------------------------------------


def test_a_bucket_policy_deny_beats_an_identity_allow(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    root.put_object(Bucket=bucket, Key="keep/x", Body=b"kept")
    root.put_object(Bucket=bucket, Key="tmp/x", Body=b"scratch")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(
        bucket, {"Sid": "KeepIsKept", **deny(aws_user(ALICE), "s3:DeleteObject", f"arn:aws:s3:::{bucket}/keep/*")}))
    alice = srv.user("alice")
    denied(alice.delete_object, Bucket=bucket, Key="keep/x", authz="KeepIsKept",
           message=explicitly_denied(ALICE.arn, "s3:DeleteObject", f"arn:aws:s3:::{bucket}/keep/x", "resource-based"))
    allowed(alice.delete_object, Bucket=bucket, Key="tmp/x")
    assert root.get_object(Bucket=bucket, Key="keep/x")["Body"].read() == b"kept"


def test_an_identity_deny_beats_a_bucket_policy_allow(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    root.put_object(Bucket=bucket, Key="private/diary.txt", Body=b"dear diary")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, allow(aws_user(CAROL), GET, f"arn:aws:s3:::{bucket}/*")))
    denied(srv.user("carol").get_object, Bucket=bucket, Key="private/diary.txt", authz="NoPrivate",
           message=explicitly_denied(CAROL.arn, GET, f"arn:aws:s3:::{bucket}/private/diary.txt", "identity-based"))


def test_a_bucket_policy_deny_applies_to_the_root_user(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    root.put_object(Bucket=bucket, Key="k", Body=b"x")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, deny({"AWS": ROOT_ARN}, GET, f"arn:aws:s3:::{bucket}/*")))
    denied(root.get_object, Bucket=bucket, Key="k",
           message=explicitly_denied(ROOT_ARN, GET, f"arn:aws:s3:::{bucket}/k", "resource-based"))
    # The root user can always manage the bucket policy, so a Deny cannot lock it out.
    root.put_bucket_policy(Bucket=bucket, Policy=policy(bucket, deny({"AWS": ROOT_ARN}, "s3:*", [
        f"arn:aws:s3:::{bucket}", f"arn:aws:s3:::{bucket}/*"])))
    allowed(root.get_bucket_policy, Bucket=bucket)
    allowed(root.delete_bucket_policy, Bucket=bucket)
    assert root.get_object(Bucket=bucket, Key="k")["Body"].read() == b"x"


def test_users_without_any_policy_are_denied(srv: ConfigServer, bucket: str) -> None:
    bob = srv.user("bob")
    denied(bob.put_object, Bucket=bucket, Key="k", Body=b"x",
           message=not_allowed(BOB.arn, "s3:PutObject", f"arn:aws:s3:::{bucket}/k"), authz="implicit deny")
    # ListBuckets takes no resource: AWS's message names none.
    denied(bob.list_buckets, message=not_allowed(BOB.arn, "s3:ListAllMyBuckets", None))


# -------------------------------------------------------------------------------------------------
# DeleteObjects and CopyObject
# -------------------------------------------------------------------------------------------------


def test_delete_objects_reports_a_per_key_access_denied(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    for key in ("tmp/a", "keep/b", "tmp/c"):
        root.put_object(Bucket=bucket, Key=key, Body=b"x")
    root.put_bucket_policy(Bucket=bucket, Policy=policy(
        bucket, deny(aws_user(ALICE), "s3:DeleteObject", f"arn:aws:s3:::{bucket}/keep/*")))
    result = srv.user("alice").delete_objects(
        Bucket=bucket, Delete={"Objects": [{"Key": "tmp/a"}, {"Key": "keep/b"}, {"Key": "tmp/c"}]})
    assert result["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert sorted(d["Key"] for d in result.get("Deleted", [])) == ["tmp/a", "tmp/c"]
    assert result["Errors"] == [{
        "Key": "keep/b", "Code": "AccessDenied",
        "Message": explicitly_denied(ALICE.arn, "s3:DeleteObject", f"arn:aws:s3:::{bucket}/keep/b", "resource-based"),
    }]
    assert [o["Key"] for o in root.list_objects_v2(Bucket=bucket)["Contents"]] == ["keep/b"]


def test_delete_objects_quiet_still_reports_the_refused_key(srv: ConfigServer, bucket: str) -> None:
    root = srv.root()
    root.put_object(Bucket=bucket, Key="a", Body=b"x")
    result = srv.user("bob").delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": "a"}], "Quiet": True})
    assert result["Errors"] == [{
        "Key": "a", "Code": "AccessDenied",
        "Message": not_allowed(BOB.arn, "s3:DeleteObject", f"arn:aws:s3:::{bucket}/a"),
    }]
    assert "Deleted" not in result
    root.head_object(Bucket=bucket, Key="a")


def test_copy_object_needs_get_object_on_the_source(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    source, target = new_bucket(), new_bucket()
    root = srv.root()
    root.put_object(Bucket=source, Key="original", Body=b"the original")
    dave = srv.user("dave")
    copy_source = {"Bucket": source, "Key": "original"}
    denied(dave.copy_object, Bucket=target, Key="copies/1", CopySource=copy_source,
           message=not_allowed(DAVE.arn, GET, f"arn:aws:s3:::{source}/original"), authz="implicit deny")
    expect_error("NoSuchKey", 404, root.get_object, Bucket=target, Key="copies/1")
    # The target still needs s3:PutObject.
    denied(dave.copy_object, Bucket=target, Key="elsewhere/1", CopySource=copy_source,
           message=not_allowed(DAVE.arn, "s3:PutObject", f"arn:aws:s3:::{target}/elsewhere/1"))
    root.put_bucket_policy(Bucket=source, Policy=policy(source, allow(aws_user(DAVE), GET, f"arn:aws:s3:::{source}/*")))
    allowed(dave.copy_object, Bucket=target, Key="copies/1", CopySource=copy_source)
    assert root.get_object(Bucket=target, Key="copies/1")["Body"].read() == b"the original"


ALL_USERS = "http://acs.amazonaws.com/groups/global/AllUsers"
AUTHENTICATED_USERS = "http://acs.amazonaws.com/groups/global/AuthenticatedUsers"


def test_grant_headers_give_the_public_read_access(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    root = srv.root()
    root.put_object(Bucket=bucket, Key="granted.txt", Body=b"granted", GrantRead=f'uri="{ALL_USERS}"')
    assert allowed(srv.anonymous().get_object, Bucket=bucket, Key="granted.txt")["Body"].read() == b"granted"
    grants = root.get_object_acl(Bucket=bucket, Key="granted.txt")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ"} in grants
    # READ on the object does not let the public read its ACL.
    denied(srv.anonymous().get_object_acl, Bucket=bucket, Key="granted.txt", message="Access Denied")


def test_canned_acl_and_grant_headers_together_are_refused(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    expect_error("InvalidRequest", 400, srv.root().put_object, Bucket=bucket, Key="k", Body=b"x",
                 ACL="public-read", GrantRead=f'uri="{ALL_USERS}"',
                 message="Specifying both Canned ACLs and Header Grants is not allowed")


def test_grant_headers_on_a_bucket_with_acls_disabled_are_not_supported(
        srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket()  # BucketOwnerEnforced
    expect_error("AccessControlListNotSupported", 400, srv.root().put_object, Bucket=bucket, Key="k", Body=b"x",
                 GrantRead=f'uri="{ALL_USERS}"')


def test_access_control_policy_with_grants_that_are_no_canned_acl(
        srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    root = srv.root()
    root.put_object(Bucket=bucket, Key="doc.txt", Body=b"doc")
    owner = root.get_object_acl(Bucket=bucket, Key="doc.txt")["Owner"]
    root.put_object_acl(Bucket=bucket, Key="doc.txt", AccessControlPolicy={
        "Owner": owner,
        "Grants": [
            {"Grantee": {"ID": owner["ID"], "Type": "CanonicalUser"}, "Permission": "FULL_CONTROL"},
            {"Grantee": {"URI": AUTHENTICATED_USERS, "Type": "Group"}, "Permission": "READ"},
            {"Grantee": {"URI": ALL_USERS, "Type": "Group"}, "Permission": "READ_ACP"},
        ],
    })
    grants = root.get_object_acl(Bucket=bucket, Key="doc.txt")["Grants"]
    assert {"Grantee": {"Type": "Group", "URI": ALL_USERS}, "Permission": "READ_ACP"} in grants
    # The public may read the ACL but not the object; authenticated users (here, a user of the
    # account without any policy) may read the object through the AuthenticatedUsers grant.
    allowed(srv.anonymous().get_object_acl, Bucket=bucket, Key="doc.txt")
    denied(srv.anonymous().get_object, Bucket=bucket, Key="doc.txt", message="Access Denied")
    assert allowed(srv.user("dave").get_object, Bucket=bucket, Key="doc.txt")["Body"].read() == b"doc"


def test_access_control_policy_refuses_unknown_grantees(srv: ConfigServer, new_bucket: Callable[..., str]) -> None:
    bucket = new_bucket(ObjectOwnership="ObjectWriter")
    block(srv, bucket)
    root = srv.root()
    root.put_object(Bucket=bucket, Key="doc.txt", Body=b"doc")
    owner = root.get_object_acl(Bucket=bucket, Key="doc.txt")["Owner"]
    expect_error("UnresolvableGrantByEmailAddress", 400, root.put_object_acl, Bucket=bucket, Key="doc.txt",
                 AccessControlPolicy={"Owner": owner, "Grants": [
                     {"Grantee": {"EmailAddress": "nobody@example.com", "Type": "AmazonCustomerByEmail"}, "Permission": "READ"}]})
    expect_error("InvalidArgument", 400, root.put_object_acl, Bucket=bucket, Key="doc.txt",
                 AccessControlPolicy={"Owner": owner, "Grants": [
                     {"Grantee": {"URI": "http://example.com/not-a-group", "Type": "Group"}, "Permission": "READ"}]})
