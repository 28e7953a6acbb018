"""boto3 against Streamlake: SigV4 and SigV2 (header and presigned query forms), good and bad.

Run by test/s3/auth.test.ts with the server's endpoint and credentials in the environment
(AWS_ENDPOINT_URL, AWS_ACCESS_KEY_ID, ...) and STREAMLAKE_TEST_BUCKET naming an existing bucket.
"""

import functools
import hashlib
import os
import http.client
import urllib.parse
import uuid

import boto3
import botocore.config
import pytest
from botocore.exceptions import ClientError

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]
BUCKET = os.environ["STREAMLAKE_TEST_BUCKET"]


@functools.lru_cache(maxsize=None)
def client(signature_version, **kwargs):
    config = botocore.config.Config(
        signature_version=signature_version,
        s3={"addressing_style": "path"},
        retries={"max_attempts": 1},
    )
    return boto3.client("s3", endpoint_url=ENDPOINT, config=config, **kwargs)


def fetch(url, method="GET", data=None):
    """Sends a URL as a plain HTTP client would, adding no Content-Type (SigV2 signs it)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, parts.path + ("?" + parts.query if parts.query else ""), body=data)
        res = conn.getresponse()
        return res.status, res.read()
    finally:
        conn.close()


def error_code(body):
    text = body.decode()
    start = text.index("<Code>") + len("<Code>")
    return text[start : text.index("</Code>")]


@pytest.fixture(scope="module", params=["s3v4", "s3"], ids=["sigv4", "sigv2"])
def s3(request):
    return client(request.param)


def test_put_get_head_delete(s3):
    key = f"py/{uuid.uuid4()}/key with spaces+plus"
    body = os.urandom(100_000)
    put = s3.put_object(Bucket=BUCKET, Key=key, Body=body, Metadata={"who": "boto3"})
    assert put["ETag"] == '"%s"' % hashlib.md5(body).hexdigest()
    got = s3.get_object(Bucket=BUCKET, Key=key)
    assert got["Body"].read() == body
    assert got["Metadata"] == {"who": "boto3"}
    assert s3.head_object(Bucket=BUCKET, Key=key)["ContentLength"] == len(body)
    s3.delete_object(Bucket=BUCKET, Key=key)
    with pytest.raises(ClientError) as exc:
        s3.head_object(Bucket=BUCKET, Key=key)
    assert exc.value.response["Error"]["Code"] == "404"


def test_presigned_get_and_put(s3):
    key = f"py/{uuid.uuid4()}/presigned"
    body = os.urandom(5000)
    put_url = s3.generate_presigned_url("put_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300)
    status, _ = fetch(put_url, "PUT", body)
    assert status == 200
    get_url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": key}, ExpiresIn=300)
    if s3.meta.config.signature_version == "s3":
        assert "Signature=" in get_url and "AWSAccessKeyId=" in get_url
    else:
        assert "X-Amz-Signature=" in get_url
    status, data = fetch(get_url)
    assert status == 200
    assert data == body


def test_wrong_secret_is_signature_does_not_match(s3):
    sig = s3.meta.config.signature_version
    bad = client(sig, aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"], aws_secret_access_key="not-the-secret")
    with pytest.raises(ClientError) as exc:
        bad.put_object(Bucket=BUCKET, Key="py/never", Body=b"x")
    assert exc.value.response["Error"]["Code"] == "SignatureDoesNotMatch"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403
    url = bad.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "py/never"}, ExpiresIn=60)
    status, data = fetch(url)
    assert (status, error_code(data)) == (403, "SignatureDoesNotMatch")
    with pytest.raises(ClientError):
        s3.head_object(Bucket=BUCKET, Key="py/never")


def test_unknown_key_is_invalid_access_key_id(s3):
    bad = client(s3.meta.config.signature_version, aws_access_key_id="AKIANOSUCHKEY0000000", aws_secret_access_key="whatever")
    with pytest.raises(ClientError) as exc:
        bad.list_buckets()
    assert exc.value.response["Error"]["Code"] == "InvalidAccessKeyId"
    assert exc.value.response["ResponseMetadata"]["HTTPStatusCode"] == 403


def test_expired_presigned_url_is_access_denied(s3):
    s3.put_object(Bucket=BUCKET, Key="py/expiring", Body=b"soon gone")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": BUCKET, "Key": "py/expiring"}, ExpiresIn=-60)
    status, data = fetch(url)
    if s3.meta.config.signature_version == "s3v4":
        # SigV4 refuses a negative X-Amz-Expires outright.
        assert status == 400 and error_code(data) == "AuthorizationQueryParametersError", data
    else:
        assert status == 403, data
        assert error_code(data) == "AccessDenied"
        assert b"<Message>Request has expired</Message>" in data
