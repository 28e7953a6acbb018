"""Multipart uploads with the Python clients users have: boto3's managed transfer and `aws s3 cp`.

Run by test/s3/multipart-clients.test.ts with the server's endpoint and credentials in the
environment (AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...) and STREAMLAKE_TEST_BUCKET naming an
existing bucket. Timings go to stdout (pytest -s) for the closing report.
"""

import hashlib
import os
import shutil
import subprocess
import tempfile
import time

import boto3
import botocore.config
import pytest
from boto3.s3.transfer import TransferConfig

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]
BUCKET = os.environ["STREAMLAKE_TEST_BUCKET"]
MiB = 1024 * 1024


@pytest.fixture(scope="module")
def s3():
    config = botocore.config.Config(s3={"addressing_style": "path"}, retries={"max_attempts": 2})
    return boto3.client("s3", endpoint_url=ENDPOINT, config=config)


def sha256_of(path):
    with open(path, "rb") as f:
        return hashlib.file_digest(f, "sha256").hexdigest()


def write_random(path, size):
    """Writes `size` random bytes 8 MiB at a time (memory stays flat) and returns their SHA-256,
    computed on the way so the file is never read back just to hash it."""
    digest = hashlib.sha256()
    with open(path, "wb") as out:
        left = size
        while left > 0:
            chunk = os.urandom(min(left, 8 * MiB))
            digest.update(chunk)
            out.write(chunk)
            left -= len(chunk)
    return digest.hexdigest()


@pytest.fixture
def scratch(tmp_path):
    """A directory in memory when the machine has one: the client's files (2 GiB in the CLI test) cost no
    disk bandwidth, which the server's own fsynced writes need (the test measures the server)."""
    shm = "/dev/shm"
    if os.path.isdir(shm) and os.access(shm, os.W_OK):
        path = tempfile.mkdtemp(prefix="streamlake-mp-", dir=shm)
    else:
        path = str(tmp_path / "scratch")
        os.mkdir(path)
    try:
        yield path
    finally:
        shutil.rmtree(path, ignore_errors=True)


def test_boto3_managed_transfer_uses_multipart_both_ways(s3, scratch):
    src = os.path.join(scratch, "up.bin")
    src_sha = write_random(src, 23 * MiB + 4321)
    config = TransferConfig(multipart_threshold=5 * MiB, multipart_chunksize=5 * MiB, max_concurrency=4)
    s3.upload_file(src, BUCKET, "boto3/managed.bin", Config=config, ExtraArgs={"Metadata": {"via": "boto3"}})

    head = s3.head_object(Bucket=BUCKET, Key="boto3/managed.bin")
    assert head["ContentLength"] == 23 * MiB + 4321
    assert head["ETag"].endswith('-5"'), head["ETag"]
    assert head["Metadata"] == {"via": "boto3"}
    part = s3.head_object(Bucket=BUCKET, Key="boto3/managed.bin", PartNumber=5)
    assert part["PartsCount"] == 5
    assert part["ContentLength"] == 3 * MiB + 4321

    dst = os.path.join(scratch, "down.bin")
    s3.download_file(BUCKET, "boto3/managed.bin", dst, Config=config)
    assert sha256_of(dst) == src_sha
    assert s3.list_multipart_uploads(Bucket=BUCKET).get("Uploads", []) == []


def test_boto3_low_level_calls_and_errors(s3):
    key = "boto3/low-level.bin"
    upload_id = s3.create_multipart_upload(Bucket=BUCKET, Key=key, ChecksumAlgorithm="CRC32")["UploadId"]
    listed = s3.list_multipart_uploads(Bucket=BUCKET, Prefix="boto3/")
    assert [u["UploadId"] for u in listed["Uploads"]] == [upload_id]
    first = os.urandom(5 * MiB)
    p1 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=1, Body=first, ChecksumAlgorithm="CRC32")
    p2 = s3.upload_part(Bucket=BUCKET, Key=key, UploadId=upload_id, PartNumber=2, Body=b"tail", ChecksumAlgorithm="CRC32")
    parts = [
        {"PartNumber": 1, "ETag": p1["ETag"], "ChecksumCRC32": p1["ChecksumCRC32"]},
        {"PartNumber": 2, "ETag": p2["ETag"], "ChecksumCRC32": p2["ChecksumCRC32"]},
    ]
    with pytest.raises(s3.exceptions.ClientError) as err:
        s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts[::-1]})
    assert err.value.response["Error"]["Code"] == "InvalidPartOrder"
    done = s3.complete_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id, MultipartUpload={"Parts": parts})
    assert done["ChecksumCRC32"].endswith("-2")
    assert s3.get_object(Bucket=BUCKET, Key=key)["Body"].read() == first + b"tail"
    with pytest.raises(s3.exceptions.NoSuchUpload):
        s3.abort_multipart_upload(Bucket=BUCKET, Key=key, UploadId=upload_id)


def aws(*args):
    started = time.monotonic()
    r = subprocess.run(["aws", *args], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    return time.monotonic() - started


def test_aws_cli_copies_a_1_gib_file_both_ways(scratch):
    size = 1024 * MiB
    src = os.path.join(scratch, "one-gib.bin")
    dst = os.path.join(scratch, "one-gib.down")
    src_sha = write_random(src, size)
    up = aws("s3", "cp", src, f"s3://{BUCKET}/cli/one-gib.bin", "--only-show-errors")
    down = aws("s3", "cp", f"s3://{BUCKET}/cli/one-gib.bin", dst, "--only-show-errors")
    print(f"\naws s3 cp 1 GiB: upload {up:.1f} s, download {down:.1f} s")
    assert os.path.getsize(dst) == size
    assert sha256_of(dst) == src_sha
