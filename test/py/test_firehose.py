"""boto3 against Firehose: control plane, PutRecordBatch into a DirectPut stream delivering gzipped
objects to S3 (read back with gzip and compared record by record), and the service's errors.

Run by test/firehose/firehose-py.test.ts with STREAMLAKE_ENDPOINT pointing at a fresh server
started with one-second Firehose buffers allowed."""
import gzip
import json
import os
import time
import uuid

import boto3
import pytest
from botocore.exceptions import ClientError

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]
ROLE = "arn:aws:iam::000000000000:role/firehose"


@pytest.fixture(scope="module")
def firehose():
    return boto3.client("firehose", endpoint_url=ENDPOINT)


@pytest.fixture(scope="module")
def s3():
    return boto3.client("s3", endpoint_url=ENDPOINT)


def wait_until(what, check, timeout=20.0):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


def active(firehose, name):
    return firehose.describe_delivery_stream(DeliveryStreamName=name)["DeliveryStreamDescription"]["DeliveryStreamStatus"] == "ACTIVE"


def test_put_record_batch_delivers_gzipped_records(firehose, s3):
    bucket = f"py-{uuid.uuid4().hex[:8]}"
    name = f"py-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    arn = firehose.create_delivery_stream(
        DeliveryStreamName=name,
        DeliveryStreamType="DirectPut",
        ExtendedS3DestinationConfiguration={
            "RoleARN": ROLE,
            "BucketARN": f"arn:aws:s3:::{bucket}",
            "Prefix": "raw/",
            "CompressionFormat": "GZIP",
            "BufferingHints": {"SizeInMBs": 1, "IntervalInSeconds": 1},
        },
        Tags=[{"Key": "suite", "Value": "py"}],
    )["DeliveryStreamARN"]
    assert arn == f"arn:aws:firehose:us-east-1:000000000000:deliverystream/{name}"
    wait_until("ACTIVE", lambda: active(firehose, name))
    assert name in firehose.list_delivery_streams()["DeliveryStreamNames"]
    assert firehose.list_tags_for_delivery_stream(DeliveryStreamName=name)["Tags"] == [{"Key": "suite", "Value": "py"}]

    sent = [json.dumps({"n": i, "text": "é" * (i % 5)}).encode() + b"\n" for i in range(300)]
    for start in range(0, len(sent), 100):
        out = firehose.put_record_batch(DeliveryStreamName=name, Records=[{"Data": d} for d in sent[start : start + 100]])
        assert out["FailedPutCount"] == 0
        assert len(out["RequestResponses"]) == 100
    assert firehose.put_record(DeliveryStreamName=name, Record={"Data": b'{"n": 300}\n'})["RecordId"]
    sent.append(b'{"n": 300}\n')

    def delivered():
        keys = [o["Key"] for o in s3.list_objects_v2(Bucket=bucket).get("Contents", [])]
        lines = []
        for key in keys:
            assert key.startswith("raw/") and key.endswith(".gz"), key
            body = s3.get_object(Bucket=bucket, Key=key)["Body"].read()
            lines.extend(gzip.decompress(body).splitlines(keepends=True))
        return lines if len(lines) >= len(sent) else None

    lines = wait_until("all records", delivered)
    assert sorted(lines, key=lambda l: json.loads(l)["n"]) == sent


def test_errors_are_the_services(firehose):
    with pytest.raises(ClientError) as e:
        firehose.describe_delivery_stream(DeliveryStreamName="missing-stream")
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == "Firehose missing-stream under account 000000000000 not found."
    with pytest.raises(ClientError) as e:
        firehose.create_delivery_stream(DeliveryStreamName="bad name!", ExtendedS3DestinationConfiguration={"RoleARN": ROLE, "BucketARN": "arn:aws:s3:::b"})
    assert e.value.response["Error"]["Code"] == "ValidationException"
    assert "deliveryStreamName" in e.value.response["Error"]["Message"]
