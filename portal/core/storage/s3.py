"""The S3 backend: any S3-compatible object store through boto3 (AWS S3, MinIO, Ceph,
Yandex Object Storage, ...). Objects are written without an ACL (the bucket's default,
private); downloads go through the portal's access checks and are then streamed, or
redirected to a presigned URL that expires within STORAGE_PRESIGN_SECONDS."""
from __future__ import annotations

from typing import IO, Iterator
from urllib.parse import quote

from portal.core.storage import CHUNK, FileMissing, Storage, StorageError, StoredObject, check_key

MISSING_CODES = {"404", "NoSuchKey", "NotFound"}


class S3Storage(Storage):
    name = "s3"

    def __init__(self, bucket: str, prefix: str = "", endpoint_url: str | None = None,
                 region: str | None = None, client=None) -> None:
        if not bucket:
            raise ValueError("STORAGE_S3_BUCKET is not set")
        self.bucket = bucket
        self.prefix = prefix.strip("/") + "/" if prefix.strip("/") else ""
        self.endpoint_url, self.region = endpoint_url, region
        self._client = client

    def describe(self) -> str:
        where = self.endpoint_url or "AWS"
        return f"S3 bucket {self.bucket} ({where}), prefix {self.prefix or '(none)'}"

    @property
    def client(self):
        if self._client is None:
            import boto3
            from botocore.config import Config

            self._client = boto3.session.Session().client(
                "s3", endpoint_url=self.endpoint_url, region_name=self.region,
                config=Config(retries={"max_attempts": 3, "mode": "standard"},
                              connect_timeout=5, read_timeout=30,
                              s3={"addressing_style": "path"} if self.endpoint_url else None))
        return self._client

    def _name(self, key: str) -> str:
        return self.prefix + check_key(key)

    def _errors(self):
        from botocore.exceptions import BotoCoreError, ClientError

        return BotoCoreError, ClientError

    @staticmethod
    def _missing(exc) -> bool:
        code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
        return code in MISSING_CODES

    def _call(self, key: str, method: str, **kwargs):
        boto_error, client_error = self._errors()
        try:
            return getattr(self.client, method)(Bucket=self.bucket, Key=self._name(key), **kwargs)
        except client_error as exc:
            if self._missing(exc):
                raise FileMissing(key) from None
            raise StorageError(f"{method} {key}: {exc}") from exc
        except boto_error as exc:
            raise StorageError(f"{method} {key}: {exc}") from exc

    def put(self, key, data, content_type=None, metadata=None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        if metadata:
            extra["Metadata"] = metadata
        try:
            self._call(key, "put_object", Body=data, **extra)
        except FileMissing as exc:  # a bucket that does not exist answers NoSuchBucket, not this
            raise StorageError(f"put {key}") from exc

    def put_stream(self, key, stream: IO[bytes], content_type=None, metadata=None) -> None:
        extra = {"ContentType": content_type} if content_type else {}
        if metadata:
            extra["Metadata"] = metadata
        boto_error, client_error = self._errors()
        try:  # multipart for large files
            self.client.upload_fileobj(stream, self.bucket, self._name(key), ExtraArgs=extra or None)
        except (boto_error, client_error) as exc:
            raise StorageError(f"upload {key}: {exc}") from exc

    def read(self, key) -> bytes:
        body = self._call(key, "get_object")["Body"]
        with body:
            return body.read()

    def stream(self, key, chunk_size=CHUNK) -> tuple[Iterator[bytes], int]:
        answer = self._call(key, "get_object")
        body = answer["Body"]

        def chunks() -> Iterator[bytes]:
            with body:
                yield from body.iter_chunks(chunk_size)

        return chunks(), int(answer["ContentLength"])

    def head(self, key) -> dict | None:
        try:
            return self._call(key, "head_object")
        except FileMissing:
            return None

    def size(self, key) -> int | None:
        answer = self.head(key)
        return None if answer is None else int(answer["ContentLength"])

    def delete(self, key) -> bool:
        existed = self.exists(key)
        try:
            self._call(key, "delete_object")
        except FileMissing:
            return False
        return existed

    def listing(self, area: str) -> Iterator[StoredObject]:
        boto_error, client_error = self._errors()
        start = len(self.prefix)
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=f"{self.prefix}{area}/")
            for page in pages:
                for item in page.get("Contents", ()):
                    yield StoredObject(item["Key"][start:], int(item["Size"]),
                                       item["LastModified"].timestamp())
        except (boto_error, client_error) as exc:
            raise StorageError(f"list {area}: {exc}") from exc

    def presigned_url(self, key, download_name, content_type, inline=False, expires=60) -> str | None:
        disposition = "inline" if inline else "attachment"
        ascii_name = download_name.encode("ascii", "replace").decode().replace('"', "").replace("?", "_")
        params = {"Bucket": self.bucket, "Key": self._name(key), "ResponseContentType": content_type,
                  "ResponseContentDisposition":
                      f"{disposition}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(download_name)}",
                  "ResponseCacheControl": "private, no-store"}
        boto_error, client_error = self._errors()
        try:
            return self.client.generate_presigned_url("get_object", Params=params, ExpiresIn=int(expires))
        except (boto_error, client_error) as exc:  # e.g. no credentials
            raise StorageError(f"presign {key}: {exc}") from exc

    def sha256(self, key) -> str:
        return super().sha256(key)

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (tests, first deployments)."""
        boto_error, client_error = self._errors()
        try:
            self.client.head_bucket(Bucket=self.bucket)
            return
        except client_error as exc:
            if not self._missing(exc):  # 403: someone else's bucket, or no rights
                raise StorageError(f"bucket {self.bucket}: {exc}") from exc
        except boto_error as exc:
            raise StorageError(f"bucket {self.bucket}: {exc}") from exc
        kwargs = {}
        if self.region and self.region != "us-east-1":
            kwargs["CreateBucketConfiguration"] = {"LocationConstraint": self.region}
        try:
            self.client.create_bucket(Bucket=self.bucket, **kwargs)
        except (boto_error, client_error) as exc:
            raise StorageError(f"bucket {self.bucket}: {exc}") from exc
