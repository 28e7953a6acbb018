"""boto3 against a versioned Streamlake bucket: overwrites, delete markers, restore by copy,
the null version of a suspended bucket, and S3's errors for versions that are not there.

Run by test/s3/versioning.test.ts with the server's endpoint and credentials in the environment.
"""

import os
import uuid

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]


@pytest.fixture(scope="module")
def s3():
    config = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return boto3.client("s3", endpoint_url=ENDPOINT, config=config)


def new_bucket(s3, status):
    name = f"py-ver-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    if status is not None:
        s3.put_bucket_versioning(Bucket=name, VersioningConfiguration={"Status": status})
    return name


def history(s3, bucket, key):
    """(version id, is delete marker, is latest) of a key, newest first, through the paginator."""
    out = []
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket, Prefix=key, PaginationConfig={"PageSize": 2}):
        entries = [(v, False) for v in page.get("Versions", [])] + [(d, True) for d in page.get("DeleteMarkers", [])]
        entries = [e for e in entries if e[0]["Key"] == key]
        entries.sort(key=lambda e: (not e[0]["IsLatest"], -e[0]["LastModified"].timestamp()))
        out += [(e["VersionId"], marker, e["IsLatest"]) for e, marker in entries]
    return out


def error_of(excinfo):
    err = excinfo.value.response
    return err["Error"]["Code"], err["ResponseMetadata"]["HTTPStatusCode"], err["ResponseMetadata"]["HTTPHeaders"]


def test_overwrite_delete_restore(s3):
    bucket = new_bucket(s3, "Enabled")
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    ids = [s3.put_object(Bucket=bucket, Key="data.csv", Body=body)["VersionId"] for body in (b"v1", b"v2", b"v3")]
    assert len(set(ids)) == 3
    assert [s3.get_object(Bucket=bucket, Key="data.csv", VersionId=i)["Body"].read() for i in ids] == [b"v1", b"v2", b"v3"]

    marker = s3.delete_object(Bucket=bucket, Key="data.csv")
    assert marker["DeleteMarker"] is True
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="data.csv")
    code, status, headers = error_of(excinfo)
    assert (code, status, headers.get("x-amz-delete-marker")) == ("NoSuchKey", 404, "true")
    with pytest.raises(ClientError) as excinfo:
        s3.head_object(Bucket=bucket, Key="data.csv")
    _, status, headers = error_of(excinfo)
    assert (status, headers.get("x-amz-delete-marker"), headers.get("x-amz-version-id")) == (404, "true", marker["VersionId"])

    # Restore v2 by copying it onto the key: a new version with v2's bytes.
    copied = s3.copy_object(Bucket=bucket, Key="data.csv", CopySource={"Bucket": bucket, "Key": "data.csv", "VersionId": ids[1]})
    assert copied["CopySourceVersionId"] == ids[1]
    assert s3.get_object(Bucket=bucket, Key="data.csv")["Body"].read() == b"v2"
    assert [v[0] for v in history(s3, bucket, "data.csv")] == [copied["VersionId"], marker["VersionId"], ids[2], ids[1], ids[0]]
    assert history(s3, bucket, "data.csv")[1][1] is True


def test_no_such_version_and_permanent_delete(s3):
    bucket = new_bucket(s3, "Enabled")
    first = s3.put_object(Bucket=bucket, Key="k", Body=b"1")["VersionId"]
    s3.put_object(Bucket=bucket, Key="k", Body=b"2")
    assert s3.delete_object(Bucket=bucket, Key="k", VersionId=first)["VersionId"] == first
    with pytest.raises(ClientError) as excinfo:
        s3.get_object(Bucket=bucket, Key="k", VersionId=first)
    assert error_of(excinfo)[:2] == ("NoSuchVersion", 404)
    assert excinfo.value.response["Error"]["Message"] == "The specified version does not exist."
    assert [v[0] for v in history(s3, bucket, "k")] != [first]
    assert len(history(s3, bucket, "k")) == 1


def test_suspended_null_version(s3):
    bucket = new_bucket(s3, "Enabled")
    kept = s3.put_object(Bucket=bucket, Key="k", Body=b"enabled")["VersionId"]
    s3.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Suspended"})
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Suspended"
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"n1")["VersionId"] == "null"
    assert s3.put_object(Bucket=bucket, Key="k", Body=b"n2")["VersionId"] == "null"
    assert [(v[0], v[1]) for v in history(s3, bucket, "k")] == [("null", False), (kept, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"n2"
    deleted = s3.delete_object(Bucket=bucket, Key="k")
    assert (deleted["DeleteMarker"], deleted["VersionId"]) == (True, "null")
    assert [(v[0], v[1]) for v in history(s3, bucket, "k")] == [("null", True), (kept, False)]
    assert s3.get_object(Bucket=bucket, Key="k", VersionId=kept)["Body"].read() == b"enabled"


def test_unversioned_bucket_has_no_version_ids(s3):
    bucket = new_bucket(s3, None)
    assert "Status" not in s3.get_bucket_versioning(Bucket=bucket)
    put = s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    assert "VersionId" not in put
    assert s3.get_object(Bucket=bucket, Key="k", VersionId="null")["Body"].read() == b"x"
    assert [(v[0], v[2]) for v in history(s3, bucket, "k")] == [("null", True)]
