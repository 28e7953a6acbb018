"""`aws s3 sync` of a tree of 1,000 small files, up to Streamlake and back down.

Run by test/s3/sync.test.ts with the server's endpoint and credentials in the environment.
The CLI lists, compares and copies with many threads: this is how users move whole folders.
"""

import hashlib
import os
import subprocess
import sys
import uuid

import boto3
import pytest

ENDPOINT = os.environ["STREAMLAKE_ENDPOINT"]
# The aws script next to this interpreter: the pyenv shim costs seconds per call.
AWS = os.path.join(os.path.dirname(sys.executable), "aws")
FILES = 1000


def aws(*args):
    cmd = [AWS if os.path.exists(AWS) else "aws", *args]
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    return result.stdout


def tree_digest(root):
    """Relative path -> sha256 of every file under root."""
    out = {}
    for folder, _, names in os.walk(root):
        for name in names:
            path = os.path.join(folder, name)
            with open(path, "rb") as f:
                out[os.path.relpath(path, root)] = hashlib.sha256(f.read()).hexdigest()
    return out


@pytest.fixture()
def source_tree(tmp_path):
    root = tmp_path / "up"
    for i in range(FILES):
        folder = root / f"d{i % 10}" / f"e{i % 7}"
        folder.mkdir(parents=True, exist_ok=True)
        # Distinct contents and sizes (1 byte to ~5 KiB), a few awkward names.
        name = f"file {i:04d}+ü.txt" if i % 50 == 0 else f"f{i:04d}.bin"
        (folder / name).write_bytes(hashlib.sha256(str(i).encode()).digest() * (1 + i % 160))
    return root


def test_sync_up_and_down_and_again(source_tree, tmp_path):
    s3 = boto3.client("s3", endpoint_url=ENDPOINT)
    bucket = f"py-sync-{uuid.uuid4().hex[:12]}"
    s3.create_bucket(Bucket=bucket)
    expected = tree_digest(source_tree)
    assert len(expected) == FILES

    aws("s3", "sync", str(source_tree), f"s3://{bucket}/tree", "--only-show-errors")
    keys = []
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix="tree/"):
        keys += [o["Key"] for o in page.get("Contents", [])]
    assert sorted(k[len("tree/"):] for k in keys) == sorted(p.replace(os.sep, "/") for p in expected)

    down = tmp_path / "down"
    aws("s3", "sync", f"s3://{bucket}/tree", str(down), "--only-show-errors")
    assert tree_digest(down) == expected

    # A second sync in either direction finds nothing to copy.
    assert aws("s3", "sync", str(source_tree), f"s3://{bucket}/tree", "--dryrun") == ""
    assert aws("s3", "sync", f"s3://{bucket}/tree", str(down), "--dryrun") == ""

    # A changed and a deleted file: sync --delete brings the bucket in line.
    changed = next(p for p in source_tree.rglob("*.bin"))
    changed.write_bytes(b"changed contents, longer than before " * 10)
    removed = next(p for p in source_tree.rglob("*.txt"))
    removed.unlink()
    aws("s3", "sync", str(source_tree), f"s3://{bucket}/tree", "--delete", "--only-show-errors")
    rel_changed = os.path.relpath(changed, source_tree).replace(os.sep, "/")
    rel_removed = os.path.relpath(removed, source_tree).replace(os.sep, "/")
    body = s3.get_object(Bucket=bucket, Key=f"tree/{rel_changed}")["Body"].read()
    assert body == changed.read_bytes()
    with pytest.raises(s3.exceptions.NoSuchKey):
        s3.get_object(Bucket=bucket, Key=f"tree/{rel_removed}")
