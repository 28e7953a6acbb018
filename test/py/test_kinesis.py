"""boto3 and the AWS CLI against Streamlake's Kinesis Data Streams.

Run by test/kinesis/py.test.ts with the server's endpoint and credentials in the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...): the stream_exists / stream_not_exists waiters,
records in and out, resharding, enhanced fan-out with boto3's event-stream parser, and the
same operations through `aws kinesis`.
"""

import base64
import json
import os
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]
FAST_WAIT = {"Delay": 0.25, "MaxAttempts": 80}


@pytest.fixture(scope="module")
def kinesis():
    return boto3.client(
        "kinesis",
        endpoint_url=ENDPOINT,
        config=botocore.config.Config(retries={"max_attempts": 2, "mode": "standard"}),
    )


def new_stream(kinesis, shards=1):
    name = f"py-{uuid.uuid4().hex[:10]}"
    kinesis.create_stream(StreamName=name, ShardCount=shards)
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=FAST_WAIT)
    return name


def aws(*args):
    out = subprocess.run(["aws", "kinesis", *args, "--output", "json"], capture_output=True, text=True, env=os.environ)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout) if out.stdout.strip() else {}


def test_waiters_describe_and_delete(kinesis):
    name = new_stream(kinesis, shards=2)
    d = kinesis.describe_stream(StreamName=name)["StreamDescription"]
    assert d["StreamStatus"] == "ACTIVE"
    assert [s["ShardId"] for s in d["Shards"]] == ["shardId-000000000000", "shardId-000000000001"]
    assert d["Shards"][1]["HashKeyRange"]["StartingHashKey"] == str(2**127)
    assert name in kinesis.list_streams()["StreamNames"]
    kinesis.delete_stream(StreamName=name)
    kinesis.get_waiter("stream_not_exists").wait(StreamName=name, WaiterConfig=FAST_WAIT)
    with pytest.raises(ClientError) as e:
        kinesis.describe_stream_summary(StreamName=name)
    assert e.value.response["Error"]["Code"] == "ResourceNotFoundException"
    assert e.value.response["Error"]["Message"] == f"Stream {name} under account 000000000000 not found."


def test_records_round_trip_in_order(kinesis):
    name = new_stream(kinesis)
    payloads = [os.urandom(n) for n in (0, 1, 100, 5000)]
    seqs = [kinesis.put_record(StreamName=name, PartitionKey="pk", Data=p)["SequenceNumber"] for p in payloads]
    batch = kinesis.put_records(StreamName=name, Records=[{"PartitionKey": f"k{i}", "Data": b"batch-%d" % i} for i in range(20)])
    assert batch["FailedRecordCount"] == 0
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    got = kinesis.get_records(ShardIterator=it, Limit=1000)
    data = [r["Data"] for r in got["Records"]]
    assert data == payloads + [b"batch-%d" % i for i in range(20)]
    assert [r["SequenceNumber"] for r in got["Records"][:4]] == seqs
    assert all(int(a) < int(b) for a, b in zip(seqs, seqs[1:]))
    assert got["MillisBehindLatest"] == 0
    after = kinesis.get_shard_iterator(
        StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="AFTER_SEQUENCE_NUMBER", StartingSequenceNumber=seqs[2]
    )["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=after, Limit=1)["Records"]] == [payloads[3]]


def test_validation_errors_are_clienterrors(kinesis):
    with pytest.raises(ClientError) as e:
        kinesis.get_shard_iterator(StreamName="x", ShardId="shardId-000000000000", ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber="1")
    assert e.value.response["Error"]["Code"] in ("ResourceNotFoundException", "InvalidArgumentException")
    with pytest.raises(ClientError) as e:
        kinesis.get_records(ShardIterator="bm90IGFuIGl0ZXJhdG9y")
    assert e.value.response["Error"]["Code"] == "InvalidArgumentException"
    assert e.value.response["Error"]["Message"] == "Invalid ShardIterator."


def test_split_and_child_shards(kinesis):
    name = new_stream(kinesis)
    kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"before")
    kinesis.split_shard(StreamName=name, ShardToSplit="shardId-000000000000", NewStartingHashKey=str(2**127))
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=FAST_WAIT)
    shards = kinesis.list_shards(StreamName=name)["Shards"]
    assert [s.get("ParentShardId") for s in shards] == [None, "shardId-000000000000", "shardId-000000000000"]
    assert "EndingSequenceNumber" in shards[0]["SequenceNumberRange"]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="TRIM_HORIZON")["ShardIterator"]
    out = kinesis.get_records(ShardIterator=it)
    assert [r["Data"] for r in out["Records"]] == [b"before"]
    assert "NextShardIterator" not in out or out["NextShardIterator"] is None
    assert sorted(c["ShardId"] for c in out["ChildShards"]) == ["shardId-000000000001", "shardId-000000000002"]


def test_subscribe_to_shard_with_boto3_event_stream(kinesis):
    name = new_stream(kinesis)
    arn = kinesis.describe_stream_summary(StreamName=name)["StreamDescriptionSummary"]["StreamARN"]
    consumer = kinesis.register_stream_consumer(StreamARN=arn, ConsumerName="py")["Consumer"]
    deadline = time.time() + 10
    while kinesis.describe_stream_consumer(ConsumerARN=consumer["ConsumerARN"])["ConsumerDescription"]["ConsumerStatus"] != "ACTIVE":
        assert time.time() < deadline
        time.sleep(0.1)
    kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"first")
    sub = kinesis.subscribe_to_shard(ConsumerARN=consumer["ConsumerARN"], ShardId="shardId-000000000000", StartingPosition={"Type": "TRIM_HORIZON"})
    stream = sub["EventStream"]

    def put_later():
        time.sleep(0.2)
        kinesis.put_record(StreamName=name, PartitionKey="a", Data=b"second")

    with ThreadPoolExecutor(1) as pool:
        pool.submit(put_later)
        seen = []
        for event in stream:
            for r in event["SubscribeToShardEvent"]["Records"]:
                seen.append(r["Data"])
            if len(seen) >= 2:
                break
    stream.close()
    assert seen == [b"first", b"second"]


def test_aws_cli(kinesis):
    # Each CLI run costs seconds of start-up, so the runs overlap and boto3 does the waiting.
    name = f"cli-{uuid.uuid4().hex[:10]}"
    aws("create-stream", "--stream-name", name, "--shard-count", "1")
    kinesis.get_waiter("stream_exists").wait(StreamName=name, WaiterConfig=FAST_WAIT)
    first = kinesis.put_record(StreamName=name, PartitionKey="k", Data=b"from boto3")
    kinesis.add_tags_to_stream(StreamName=name, Tags={"owner": "cli"})
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=first["SequenceNumber"])["ShardIterator"]
    with ThreadPoolExecutor(3) as pool:
        # AWS CLI v1 sends blob arguments as given (it base64-encodes them on the wire itself).
        put_f = pool.submit(aws, "put-record", "--stream-name", name, "--partition-key", "k", "--data", "hello cli")
        records_f = pool.submit(aws, "get-records", "--shard-iterator", it, "--limit", "1")
        tags_f = pool.submit(aws, "list-tags-for-stream", "--stream-name", name)
        put, records, tags = put_f.result(), records_f.result()["Records"], tags_f.result()["Tags"]
    assert put["ShardId"] == "shardId-000000000000"
    assert [base64.b64decode(r["Data"]) for r in records] == [b"from boto3"]
    assert records[0]["SequenceNumber"] == first["SequenceNumber"]
    assert tags == [{"Key": "owner", "Value": "cli"}]
    it = kinesis.get_shard_iterator(StreamName=name, ShardId="shardId-000000000000", ShardIteratorType="AT_SEQUENCE_NUMBER", StartingSequenceNumber=put["SequenceNumber"])["ShardIterator"]
    assert [r["Data"] for r in kinesis.get_records(ShardIterator=it)["Records"]] == [b"hello cli"]
