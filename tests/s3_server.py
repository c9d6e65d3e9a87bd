"""An S3-compatible server the tests own (moto's, on a loopback port), and the
site's photo storage pointed at a fresh bucket of it, as MEDIA_STORAGE_URL would."""
import json
import logging
import time
import uuid
from dataclasses import dataclass
from urllib.request import urlopen

import boto3
import pytest
from moto.server import ThreadedMotoServer

from intercessors.settings import media_storage_settings
from tests.net import free_port

REGION = "us-east-1"
# Any key will do for moto; boto3 signs every request with one.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "tests-key-id", "AWS_SECRET_ACCESS_KEY": "tests-secret"}


class PrivateS3:
    """moto's S3 in a thread of this process, answering over HTTP like any S3."""

    def __init__(self):
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request
        self.server = ThreadedMotoServer(ip_address="127.0.0.1", port=self.port, verbose=False)
        started = time.monotonic()
        self.server.start()
        self.client = boto3.client(
            "s3", endpoint_url=self.endpoint, region_name=REGION,
            aws_access_key_id=CREDENTIALS["AWS_ACCESS_KEY_ID"],
            aws_secret_access_key=CREDENTIALS["AWS_SECRET_ACCESS_KEY"])
        self.client.list_buckets()  # answering
        self.startup_seconds = time.monotonic() - started

    def new_bucket(self, public_prefix="media") -> str:
        """A bucket whose objects under `public_prefix/` anyone may read (docs/deploy.md)."""
        name = f"photos-{uuid.uuid4().hex[:12]}"
        self.client.create_bucket(Bucket=name)
        self.client.put_bucket_policy(Bucket=name, Policy=json.dumps({
            "Version": "2012-10-17",
            "Statement": [{"Sid": "PublicPhotos", "Effect": "Allow", "Principal": "*",
                           "Action": "s3:GetObject",
                           "Resource": f"arn:aws:s3:::{name}/{public_prefix}/*"}],
        }))
        return name

    def objects(self, bucket: str) -> dict[str, str]:
        """Every key in the bucket, with the Content-Type it is served with."""
        listed = self.client.list_objects_v2(Bucket=bucket).get("Contents", [])
        return {item["Key"]: self.client.head_object(Bucket=bucket, Key=item["Key"])
                ["ContentType"] for item in listed}

    def read(self, bucket: str, key: str) -> bytes:
        return self.client.get_object(Bucket=bucket, Key=key)["Body"].read()

    def stop(self):
        self.server.stop()


@dataclass
class BucketMedia:
    server: PrivateS3
    bucket: str
    prefix: str
    url: str  # MEDIA_STORAGE_URL

    def objects(self) -> dict[str, str]:
        return self.server.objects(self.bucket)

    def read(self, key: str) -> bytes:
        return self.server.read(self.bucket, key)


def fetch(url: str) -> tuple[bytes, str]:
    """A photo's address fetched as a reader's browser would: plain HTTP, no credentials."""
    with urlopen(url, timeout=10) as response:  # noqa: S310 (our own loopback server)
        return response.read(), response.headers["Content-Type"]


@pytest.fixture(scope="session")
def s3_server():
    # One per test process, each test with a bucket of its own (made in 0.03 s): the
    # server answers its first request 0.6 s after it starts, and importing moto
    # takes 0.3 to 0.9 s more.
    server = PrivateS3()
    yield server
    server.stop()


@pytest.fixture
def s3_media(s3_server, settings, monkeypatch):
    """The default storage on a new bucket, with the options the settings give for
    MEDIA_STORAGE_URL: setting STORAGES makes Django drop the storage it had made."""
    for name, value in CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    bucket = s3_server.new_bucket()
    url = f"s3://{bucket}/media?endpoint_url={s3_server.endpoint}&region={REGION}"
    made = media_storage_settings(url)
    settings.STORAGES = {**settings.STORAGES, "default": made["MEDIA_STORAGE"]}
    settings.MEDIA_URL = made["MEDIA_URL"]
    return BucketMedia(s3_server, bucket, "media", url)
