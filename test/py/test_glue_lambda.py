"""boto3 against the Glue Data Catalog subset and the Lambda function runner.

Run by test/glue/glue-lambda-py.test.ts with AWS_ENDPOINT_URL pointing at a fresh server."""
import io
import json
import os
import uuid
import zipfile

import boto3
import pytest
from botocore.config import Config

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]
ROLE = "arn:aws:iam::000000000000:role/lambda-role"


@pytest.fixture(scope="module")
def glue():
    return boto3.client("glue", endpoint_url=ENDPOINT)


@pytest.fixture(scope="module")
def lam():
    return boto3.client("lambda", endpoint_url=ENDPOINT, config=Config(retries={"max_attempts": 1}, read_timeout=60))


def package(files):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, text in files.items():
            z.writestr(name, text)
    return buf.getvalue()


def test_glue_database_and_table_round_trip(glue):
    db = f"py_{uuid.uuid4().hex[:8]}"
    glue.create_database(DatabaseInput={"Name": db, "Description": "from boto3"})
    assert glue.get_database(Name=db)["Database"]["Description"] == "from boto3"
    columns = [
        {"Name": "id", "Type": "bigint"},
        {"Name": "amount", "Type": "decimal(12,2)"},
        {"Name": "items", "Type": "array<struct<sku:string,qty:int>>"},
    ]
    glue.create_table(
        DatabaseName=db,
        TableInput={
            "Name": "Orders",
            "PartitionKeys": [{"Name": "dt", "Type": "string"}],
            "StorageDescriptor": {"Columns": columns, "Location": "s3://lake/orders/"},
            "Parameters": {"classification": "json"},
        },
    )
    table = glue.get_table(DatabaseName=db, Name="orders")["Table"]
    assert table["Name"] == "orders"
    assert table["StorageDescriptor"]["Columns"] == columns
    assert table["CreateTime"].year >= 2024

    for i in range(7):
        glue.create_table(DatabaseName=db, TableInput={"Name": f"t{i}"})
    names = []
    for page in glue.get_paginator("get_tables").paginate(DatabaseName=db, Expression="t*", PaginationConfig={"PageSize": 3}):
        assert len(page["TableList"]) <= 3
        names += [t["Name"] for t in page["TableList"]]
    assert names == [f"t{i}" for i in range(7)]

    # UpdateTable replaces the whole definition: the partition keys are given again.
    glue.update_table(DatabaseName=db, TableInput={"Name": "orders", "PartitionKeys": [{"Name": "dt", "Type": "string"}], "StorageDescriptor": {"Columns": columns[:1]}})
    assert glue.get_table(DatabaseName=db, Name="orders")["Table"]["VersionId"] == "1"

    glue.batch_create_partition(DatabaseName=db, TableName="orders", PartitionInputList=[{"Values": ["2024-01-01"]}, {"Values": ["2024-01-02"]}])
    parts = glue.get_partitions(DatabaseName=db, TableName="orders", Expression="dt > '2024-01-01'")["Partitions"]
    assert [p["Values"] for p in parts] == [["2024-01-02"]]

    with pytest.raises(glue.exceptions.EntityNotFoundException) as err:
        glue.get_table(DatabaseName=db, Name="missing")
    assert err.value.response["Error"]["Message"] == "Table missing not found."
    with pytest.raises(glue.exceptions.AlreadyExistsException):
        glue.create_database(DatabaseInput={"Name": db})
    glue.delete_database(Name=db)
    with pytest.raises(glue.exceptions.EntityNotFoundException):
        glue.get_database(Name=db)


def test_lambda_create_invoke_and_failures(lam):
    name = f"py-{uuid.uuid4().hex[:8]}"
    code = "exports.handler = async (event) => ({ sum: event.a + event.b, runtime: process.env.AWS_EXECUTION_ENV });"
    created = lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": package({"index.js": code})})
    assert created["State"] == "Active"
    lam.get_waiter("function_active_v2").wait(FunctionName=name)

    out = lam.invoke(FunctionName=name, Payload=json.dumps({"a": 2, "b": 3}), LogType="Tail")
    assert out["StatusCode"] == 200
    assert "FunctionError" not in out
    assert json.loads(out["Payload"].read()) == {"sum": 5, "runtime": "AWS_Lambda_nodejs20.x"}
    assert "START RequestId:" in __import__("base64").b64decode(out["LogResult"]).decode()

    lam.update_function_code(FunctionName=name, ZipFile=package({"index.js": "exports.handler = async () => { throw new TypeError('nope'); };"}))
    failed = lam.invoke(FunctionName=name, Payload=b"{}")
    assert failed["FunctionError"] == "Unhandled"
    body = json.loads(failed["Payload"].read())
    assert body["errorType"] == "TypeError"
    assert body["errorMessage"] == "nope"

    names = [f["FunctionName"] for page in lam.get_paginator("list_functions").paginate() for f in page["Functions"]]
    assert name in names

    with pytest.raises(lam.exceptions.ResourceConflictException):
        lam.create_function(FunctionName=name, Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": package({"index.js": code})})
    with pytest.raises(lam.exceptions.InvalidParameterValueException):
        lam.create_function(FunctionName=name + "-bad", Runtime="nodejs20.x", Role=ROLE, Handler="index.handler", Code={"ZipFile": b"PK-not-really"})

    lam.delete_function(FunctionName=name)
    with pytest.raises(lam.exceptions.ResourceNotFoundException) as err:
        lam.get_function(FunctionName=name)
    assert err.value.response["Error"]["Message"].startswith("Function not found: arn:aws:lambda:")


def test_lambda_timeout_is_reported_as_lambda_does(lam):
    name = f"py-slow-{uuid.uuid4().hex[:8]}"
    lam.create_function(FunctionName=name, Runtime="nodejs22.x", Role=ROLE, Handler="index.handler", Timeout=1, Code={"ZipFile": package({"index.js": "exports.handler = () => new Promise(() => {});"})})
    out = lam.invoke(FunctionName=name, Payload=b"{}")
    assert out["FunctionError"] == "Unhandled"
    body = json.loads(out["Payload"].read())
    assert body["errorType"] == "Sandbox.Timedout"
    assert body["errorMessage"].endswith("Task timed out after 1.00 seconds")
    lam.delete_function(FunctionName=name)
