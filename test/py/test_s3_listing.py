"""boto3 paginators and the AWS CLI listing a Streamlake bucket.

Run by test/s3/listing.test.ts with the server's endpoint and credentials in the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...). botocore asks for encoding-type=url on every listing
and decodes the answer, so awkward keys here exercise the server's encoding end to end.
"""

import json
import os
import re
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
import pytest

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]

# Keys whose UTF-8 byte order differs from code-point-insensitive orders, and that need encoding.
KEYS = [
    "a b/one",
    "a b/two",
    "a+b",
    "a%2Fb",
    "amp&lt<>",
    "ctl\x01key",
    "dir/sub/deep/x",
    "dir/sub/y",
    "dir/z",
    "emoji/\U0001F600",
    "plain",
    "tab\there",
    "\u00e9t\u00e9/\u00e0",
    "\uffff-last-bmp",
    "\U0001F600-astral",
] + [f"many/{i:03d}" for i in range(45)]


def utf8_sorted(keys):
    return sorted(keys, key=lambda k: k.encode("utf-8"))


@pytest.fixture(scope="module")
def s3():
    config = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return boto3.client("s3", endpoint_url=ENDPOINT, config=config)


@pytest.fixture(scope="module")
def bucket(s3):
    name = f"py-listing-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(lambda key: s3.put_object(Bucket=name, Key=key, Body=key.encode("utf-8")), KEYS))
    return name


@pytest.fixture(scope="module")
def versioned(s3):
    name = f"py-versions-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": "Enabled"})
    for i in range(3):
        s3.put_object(Bucket=name, Key="doc", Body=str(i).encode())
    s3.delete_object(Bucket=name, Key="doc")
    for key in ["a b/1", "a b/2", "z+"]:
        s3.put_object(Bucket=name, Key=key, Body=b"x")
    s3.delete_object(Bucket=name, Key="z+")
    return name


# The `aws` entry point installed beside this interpreter (skipping a version manager's shim,
# which costs seconds per call), or whatever `aws` is on the PATH.
_AWS = os.path.join(os.path.dirname(sys.executable), "aws")
AWS = [sys.executable, _AWS] if os.path.isfile(_AWS) else ["aws"]


def aws(*args):
    out = subprocess.run([*AWS, *args], capture_output=True, env=os.environ, check=False)
    assert out.returncode == 0, out.stderr.decode("utf-8", "replace")
    return out.stdout.decode("utf-8")


@pytest.mark.parametrize("page_size", [1, 7, 1000])
def test_list_objects_v2_paginator_returns_every_key_in_utf8_order(s3, bucket, page_size):
    pages = s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, PaginationConfig={"PageSize": page_size})
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    assert keys == utf8_sorted(KEYS)


def test_list_objects_v1_paginator_with_a_delimiter(s3, bucket):
    pages = list(s3.get_paginator("list_objects").paginate(Bucket=bucket, Delimiter="/", PaginationConfig={"PageSize": 2}))
    assert len(pages) > 1
    keys = [o["Key"] for page in pages for o in page.get("Contents", [])]
    prefixes = [p["Prefix"] for page in pages for p in page.get("CommonPrefixes", [])]
    assert prefixes == ["a b/", "dir/", "emoji/", "many/", "\u00e9t\u00e9/"]
    assert keys == utf8_sorted(k for k in KEYS if "/" not in k)
    for o in pages[0]["Contents"]:
        assert re.fullmatch(r"[0-9a-f]{64}", o["Owner"]["ID"])


def test_prefix_and_delimiter_with_a_page_size_of_one(s3, bucket):
    pages = list(
        s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="dir/", Delimiter="/", PaginationConfig={"PageSize": 1})
    )
    assert [p["KeyCount"] for p in pages] == [1, 1]
    assert [c["Prefix"] for page in pages for c in page.get("CommonPrefixes", [])] == ["dir/sub/"]
    assert [o["Key"] for page in pages for o in page.get("Contents", [])] == ["dir/z"]


def test_start_after_and_max_keys(s3, bucket):
    res = s3.list_objects_v2(Bucket=bucket, StartAfter="many/040", MaxKeys=3)
    assert [o["Key"] for o in res["Contents"]] == ["many/041", "many/042", "many/043"]
    assert res["IsTruncated"] is True
    assert res["StartAfter"] == "many/040"


def test_invalid_arguments_are_refused(s3, bucket):
    from botocore.exceptions import ClientError

    with pytest.raises(ClientError) as err:
        s3.list_objects_v2(Bucket=bucket, ContinuationToken="garbage!")
    assert err.value.response["Error"]["Code"] == "InvalidArgument"
    assert err.value.response["Error"]["Message"] == "The continuation token provided is incorrect"
    with pytest.raises(ClientError) as err:
        s3.list_objects(Bucket=bucket, MaxKeys=-5)
    assert err.value.response["Error"]["Code"] == "InvalidArgument"


def test_aws_s3_ls_shows_folders_and_objects(bucket):
    out = aws("s3", "ls", f"s3://{bucket}/")
    prefixes = [line.split("PRE ", 1)[1] for line in out.splitlines() if line.strip().startswith("PRE ")]
    assert prefixes == ["a b/", "dir/", "emoji/", "many/", "\u00e9t\u00e9/"]
    objects = [m.group(1) for m in re.finditer(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ (.*)$", out, re.M)]
    assert objects == utf8_sorted(k for k in KEYS if "/" not in k)

    inside = aws("s3", "ls", f"s3://{bucket}/dir/")
    assert "PRE sub/" in inside
    assert re.search(r" 5 z$", inside, re.M)


def test_aws_s3_ls_recursive_lists_every_key(bucket):
    out = aws("s3", "ls", "--recursive", "--page-size", "9", f"s3://{bucket}")
    objects = [m.group(1) for m in re.finditer(r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d +\d+ (.*)$", out, re.M)]
    assert objects == utf8_sorted(KEYS)


def test_list_object_versions_paginator(s3, versioned):
    pages = list(s3.get_paginator("list_object_versions").paginate(Bucket=versioned, PaginationConfig={"PageSize": 2}))
    assert len(pages) > 2
    versions = [(v["Key"], v["IsLatest"]) for p in pages for v in p.get("Versions", [])]
    markers = [(m["Key"], m["IsLatest"]) for p in pages for m in p.get("DeleteMarkers", [])]
    assert versions == [("a b/1", True), ("a b/2", True), ("doc", False), ("doc", False), ("doc", False), ("z+", False)]
    assert markers == [("doc", True), ("z+", True)]
    doc_versions = [v["VersionId"] for p in pages for v in p.get("Versions", []) if v["Key"] == "doc"]
    assert len(set(doc_versions)) == 3 and "null" not in doc_versions


def test_list_object_versions_of_an_unversioned_bucket_are_null(s3, bucket):
    res = s3.list_object_versions(Bucket=bucket, Prefix="dir/")
    assert [(v["Key"], v["VersionId"], v["IsLatest"]) for v in res["Versions"]] == [
        ("dir/sub/deep/x", "null", True),
        ("dir/sub/y", "null", True),
        ("dir/z", "null", True),
    ]
    assert s3.get_bucket_versioning(Bucket=bucket).get("Status") is None


def test_aws_s3api_list_object_versions(versioned):
    doc = json.loads(aws("s3api", "list-object-versions", "--bucket", versioned, "--page-size", "1"))
    assert len(doc["Versions"]) == 6
    assert sorted(m["Key"] for m in doc["DeleteMarkers"]) == ["doc", "z+"]
    folders = json.loads(aws("s3api", "list-object-versions", "--bucket", versioned, "--delimiter", "/"))
    assert [p["Prefix"] for p in folders["CommonPrefixes"]] == ["a b/"]
