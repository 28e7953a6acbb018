"""boto3 and the AWS CLI against Streamlake's S3 object operations.

Run by test/s3/objects-py.test.ts with the server's endpoint and credentials in the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...): put/get/head/copy/delete-objects through
`aws s3api`, `aws s3 cp` up and down, and boto3 with its default checksums.
"""

import base64
import hashlib
import json
import os
import subprocess
import uuid
import zlib
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]

AWKWARD_KEYS = [
    "dir/sub/file.txt",
    "a//b",
    "../up",
    "a/../b",
    "with space",
    "\u00fcn\u00ef c\u00f6d\u00e9/\u65e5\u672c/\U0001F642",
    "100%",
    "a+b",
    "what?x=1",
    "hash#tag",
    "amp&<gt>",
]


@pytest.fixture(scope="module")
def s3():
    config = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 1})
    return boto3.client("s3", endpoint_url=ENDPOINT, config=config)


@pytest.fixture(scope="module")
def bucket(s3):
    name = f"py-objects-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=name)
    return name


def error_code(excinfo):
    return excinfo.value.response["Error"]["Code"]


def aws(*args, check=True):
    """Runs the AWS CLI; returns its stdout (JSON parsed when it is JSON), or with check=False the result."""
    result = subprocess.run(["aws", *args], capture_output=True, text=True, env=os.environ, timeout=60)
    if not check:
        return result
    if result.returncode != 0:
        raise AssertionError(f"aws {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
    out = result.stdout.strip()
    return json.loads(out) if out.startswith("{") else out


def b64(digest):
    return base64.b64encode(digest).decode()


def test_awkward_keys_round_trip_and_list_exactly(s3, bucket):
    for i, key in enumerate(AWKWARD_KEYS):
        s3.put_object(Bucket=bucket, Key=f"keys/{key}", Body=f"body {i}".encode())
    for i, key in enumerate(AWKWARD_KEYS):
        got = s3.get_object(Bucket=bucket, Key=f"keys/{key}")
        assert got["Body"].read() == f"body {i}".encode(), key
    listed = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="keys/", PaginationConfig={"PageSize": 4}):
        listed += [o["Key"] for o in page.get("Contents", [])]
    assert listed == sorted((f"keys/{k}" for k in AWKWARD_KEYS), key=lambda k: k.encode())


def test_metadata_headers_and_errors(s3, bucket):
    s3.put_object(
        Bucket=bucket,
        Key="meta",
        Body=b"x",
        Metadata={"Color": "blue"},
        ContentType="text/plain",
        ContentDisposition="inline",
        CacheControl="max-age=5",
        StorageClass="INTELLIGENT_TIERING",
    )
    head = s3.head_object(Bucket=bucket, Key="meta")
    assert head["Metadata"] == {"color": "blue"}
    assert head["ContentType"] == "text/plain"
    assert head["ContentDisposition"] == "inline"
    assert head["CacheControl"] == "max-age=5"
    assert head["StorageClass"] == "INTELLIGENT_TIERING"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="meta-big", Body=b"x", Metadata={"k": "v" * 2048})
    assert error_code(e) == "MetadataTooLarge"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="no such key")
    assert error_code(e) == "NoSuchKey"
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket="py-no-such-bucket", Key="k")
    assert error_code(e) == "NoSuchBucket"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="k" * 1025, Body=b"x")
    assert error_code(e) == "KeyTooLongError"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="bad-class", Body=b"x", StorageClass="NOPE")
    assert error_code(e) == "InvalidStorageClass"


@pytest.mark.parametrize("algorithm", ["CRC32", "SHA1", "SHA256"])
def test_checksums_verified_and_returned(s3, bucket, algorithm):
    data = os.urandom(70 * 1024)
    expected = {
        "CRC32": b64(zlib.crc32(data).to_bytes(4, "big")),
        "SHA1": b64(hashlib.sha1(data).digest()),
        "SHA256": b64(hashlib.sha256(data).digest()),
    }[algorithm]
    put = s3.put_object(Bucket=bucket, Key=f"sum/{algorithm}", Body=data, ChecksumAlgorithm=algorithm)
    assert put[f"Checksum{algorithm}"] == expected
    head = s3.head_object(Bucket=bucket, Key=f"sum/{algorithm}", ChecksumMode="ENABLED")
    assert head[f"Checksum{algorithm}"] == expected
    got = s3.get_object(Bucket=bucket, Key=f"sum/{algorithm}", ChecksumMode="ENABLED")
    assert got["Body"].read() == data
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key=f"sum-bad/{algorithm}", Body=b"real", **{f"Checksum{algorithm}": expected})
    assert error_code(e) == "BadDigest"


def test_ranges_and_conditions(s3, bucket):
    s3.put_object(Bucket=bucket, Key="range", Body=b"0123456789")
    got = s3.get_object(Bucket=bucket, Key="range", Range="bytes=2-4")
    assert got["ResponseMetadata"]["HTTPStatusCode"] == 206
    assert got["ContentRange"] == "bytes 2-4/10"
    assert got["Body"].read() == b"234"
    assert s3.get_object(Bucket=bucket, Key="range", Range="bytes=-3")["Body"].read() == b"789"
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="range", Range="bytes=10-")
    assert error_code(e) == "InvalidRange"
    etag = s3.head_object(Bucket=bucket, Key="range")["ETag"]
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="range", IfNoneMatch=etag)
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 304
    with pytest.raises(ClientError) as e:
        s3.get_object(Bucket=bucket, Key="range", IfMatch='"nope"')
    assert error_code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        s3.put_object(Bucket=bucket, Key="range", Body=b"x", IfNoneMatch="*")
    assert error_code(e) == "PreconditionFailed"


def test_copy_object_boto3(s3, bucket):
    key = "src/\u00fc ?#+%"
    s3.put_object(Bucket=bucket, Key=key, Body=b"copied bytes", Metadata={"a": "1"}, ContentType="text/x-a")
    # A dict CopySource is URL-encoded by botocore.
    out = s3.copy_object(Bucket=bucket, Key="dst/copy", CopySource={"Bucket": bucket, "Key": key})
    assert out["CopyObjectResult"]["ETag"] == '"' + hashlib.md5(b"copied bytes").hexdigest() + '"'
    head = s3.head_object(Bucket=bucket, Key="dst/copy")
    assert head["Metadata"] == {"a": "1"} and head["ContentType"] == "text/x-a"
    s3.copy_object(Bucket=bucket, Key="dst/replaced", CopySource={"Bucket": bucket, "Key": key}, MetadataDirective="REPLACE", Metadata={"b": "2"})
    assert s3.head_object(Bucket=bucket, Key="dst/replaced")["Metadata"] == {"b": "2"}
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key=key, CopySource={"Bucket": bucket, "Key": key})
    assert error_code(e) == "InvalidRequest"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst/x", CopySource={"Bucket": bucket, "Key": key}, CopySourceIfMatch='"nope"')
    assert error_code(e) == "PreconditionFailed"
    with pytest.raises(ClientError) as e:
        s3.copy_object(Bucket=bucket, Key="dst/x", CopySource={"Bucket": bucket, "Key": "absent"})
    assert error_code(e) == "NoSuchKey"


def test_delete_objects_boto3(s3, bucket):
    keys = ["del/1", "del/2 & <3>", "del/\u00fc"]
    for k in keys:
        s3.put_object(Bucket=bucket, Key=k, Body=b"x")
    out = s3.delete_objects(Bucket=bucket, Delete={"Objects": [{"Key": k} for k in keys] + [{"Key": "del/none", "VersionId": "null"}]})
    assert sorted(d["Key"] for d in out["Deleted"]) == sorted(keys + ["del/none"])
    assert "Errors" not in out
    assert s3.list_objects_v2(Bucket=bucket, Prefix="del/")["KeyCount"] == 0
    s3.put_object(Bucket=bucket, Key="del/q", Body=b"x")
    quiet = s3.delete_objects(Bucket=bucket, Delete={"Quiet": True, "Objects": [{"Key": "del/q"}]})
    assert "Deleted" not in quiet and "Errors" not in quiet


def test_cli_cp_and_s3api(s3, bucket, tmp_path):
    """`aws s3 cp` up and down and `aws s3api` put/head/get/copy/delete-objects.

    Each CLI run spends about two seconds starting up, so independent commands run side by side.
    """
    # Under the CLI's 8 MB multipart threshold: one PutObject with the CLI's default checksum.
    data = os.urandom(3 * 1024 * 1024 + 17)
    src = tmp_path / "up load.bin"
    src.write_bytes(data)
    target = f"s3://{bucket}/cli/\u00fcp load.bin"
    body = tmp_path / "body.txt"
    body.write_bytes(b"s3api body")
    etag = '"' + hashlib.md5(b"s3api body").hexdigest() + '"'
    with ThreadPoolExecutor(max_workers=3) as pool:
        up = pool.submit(aws, "s3", "cp", str(src), target)
        put = pool.submit(aws, "s3api", "put-object", "--bucket", bucket, "--key", "api/obj", "--body", str(body), "--content-type", "text/x-api", "--metadata", "k=v")
        up.result()
        assert put.result()["ETag"] == etag

        head_up = s3.head_object(Bucket=bucket, Key="cli/\u00fcp load.bin")
        assert head_up["ContentLength"] == len(data)
        assert head_up["ETag"] == '"' + hashlib.md5(data).hexdigest() + '"'
        down = tmp_path / "down.bin"
        out = tmp_path / "out.txt"
        cp_down = pool.submit(aws, "s3", "cp", target, str(down))
        head = pool.submit(aws, "s3api", "head-object", "--bucket", bucket, "--key", "api/obj")
        got = pool.submit(aws, "s3api", "get-object", "--bucket", bucket, "--key", "api/obj", "--range", "bytes=0-4", str(out))
        cp_down.result()
        assert down.read_bytes() == data
        h = head.result()
        assert h["ContentType"] == "text/x-api" and h["Metadata"] == {"k": "v"} and h["ContentLength"] == 10
        assert got.result()["ContentRange"] == "bytes 0-4/10"
        assert out.read_bytes() == b"s3api"

    copied = aws("s3api", "copy-object", "--bucket", bucket, "--key", "api/copy", "--copy-source", f"{bucket}/api/obj", "--metadata-directive", "REPLACE", "--metadata", "k=w")
    assert copied["CopyObjectResult"]["ETag"] == etag
    assert s3.head_object(Bucket=bucket, Key="api/copy")["Metadata"] == {"k": "w"}
    deleted = aws("s3api", "delete-objects", "--bucket", bucket, "--delete", json.dumps({"Objects": [{"Key": "api/obj"}, {"Key": "api/copy"}], "Quiet": False}))
    assert sorted(d["Key"] for d in deleted["Deleted"]) == ["api/copy", "api/obj"]
    with pytest.raises(ClientError) as e:
        s3.head_object(Bucket=bucket, Key="api/obj")
    assert e.value.response["ResponseMetadata"]["HTTPStatusCode"] == 404
