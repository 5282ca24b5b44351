"""The one module that talks to MinIO (S3 API).

Objects are written idempotently: a key whose current version already holds the same
sha256 is not written again, so re-running a flow adds no object version. Every write can
be read back and checked against its sha256. MinIO's exceptions are translated here into
StorageError / ServiceUnavailable / IntegrityError, which say whether a retry may help.
"""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import urllib3
from minio import Minio
from minio.commonconfig import ENABLED
from minio.error import S3Error
from minio.versioningconfig import VersioningConfig

from pipeline.errors import ConfigError, IntegrityError, ServiceUnavailable, StorageError
from sijil.settings import Settings

SHA256_META = "sha256"
# S3 error codes that describe a passing condition on the server, not a bad request.
TRANSIENT_CODES = frozenset({"InternalError", "ServiceUnavailable", "SlowDown", "RequestTimeout", "XMinioServerNotInitialized"})
NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchObject", "ResourceNotFound"})


@dataclass(frozen=True)
class StoredObject:
    bucket: str
    key: str
    version_id: str | None
    sha256: str
    size: int
    # False when an identical current version was already there and nothing was written.
    created: bool


@dataclass(frozen=True)
class ObjectVersion:
    key: str
    version_id: str | None
    is_latest: bool
    size: int


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


@contextmanager
def _translated(action: str) -> Iterator[None]:
    try:
        yield
    except S3Error as exc:
        raise StorageError(f"{action}: MinIO answered {exc.code} ({exc.message})",
                           transient=exc.code in TRANSIENT_CODES) from exc
    except (urllib3.exceptions.HTTPError, ConnectionError, OSError) as exc:
        raise ServiceUnavailable(f"{action}: MinIO cannot be reached ({exc.__class__.__name__})",
                                 hint="Is the stack running? sijil stack status") from exc


class StaleWrite(StorageError):
    """The object changed since it was read: a conditional write was refused."""


class ObjectStore:
    def __init__(self, client: Minio):
        self._client = client

    @classmethod
    def from_settings(cls, settings: Settings) -> "ObjectStore":
        if settings.minio_access_key is None or settings.minio_secret_key is None:
            raise ConfigError(
                "No MinIO credentials configured.",
                hint="Start the local stack (sijil stack up) or set SIJIL_MINIO_ACCESS_KEY and SIJIL_MINIO_SECRET_KEY.",
            )
        # Few retries with short timeouts: the flows decide about retrying, not the client.
        http = urllib3.PoolManager(
            timeout=urllib3.Timeout(connect=5, read=60),
            retries=urllib3.Retry(total=2, backoff_factor=0.2, status_forcelist=[500, 502, 503, 504]),
            maxsize=8,
        )
        client = Minio(
            endpoint=settings.minio_endpoint,
            access_key=settings.minio_access_key.get_secret_value(),
            secret_key=settings.minio_secret_key.get_secret_value(),
            secure=settings.minio_secure,
            region=settings.minio_region,
            http_client=http,
        )
        return cls(client)

    def ensure_bucket(self, bucket: str, *, versioned: bool = True, object_lock: bool = False) -> None:
        """Create the bucket if needed; versioning is switched on and never off."""
        with _translated(f"Preparing bucket {bucket}"):
            if not self._client.bucket_exists(bucket_name=bucket):
                self._client.make_bucket(bucket_name=bucket, object_lock=object_lock)
            if versioned or object_lock:
                config = self._client.get_bucket_versioning(bucket_name=bucket)
                if config.status != ENABLED:
                    self._client.set_bucket_versioning(bucket_name=bucket, config=VersioningConfig(ENABLED))

    def _stat(self, bucket: str, key: str):
        """The current version's metadata, or None when there is no object."""
        try:
            with _translated(f"Reading {bucket}/{key}"):
                return self._client.stat_object(bucket_name=bucket, object_name=key)
        except StorageError as exc:
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code in NOT_FOUND_CODES:
                return None
            raise

    def current_sha256(self, bucket: str, key: str) -> tuple[str | None, str | None] | None:
        """(sha256, version_id) of the current version, or None when there is no object."""
        stat = self._stat(bucket, key)
        if stat is None:
            return None
        meta = {k.lower(): v for k, v in (stat.metadata or {}).items()}
        return meta.get(f"x-amz-meta-{SHA256_META}"), stat.version_id

    def put_bytes(self, bucket: str, key: str, data: bytes, *, content_type: str = "application/octet-stream",
                  metadata: dict[str, str] | None = None) -> StoredObject:
        digest = sha256_hex(data)
        existing = self.current_sha256(bucket, key)
        if existing is not None and existing[0] == digest:
            return StoredObject(bucket, key, existing[1], digest, len(data), created=False)
        meta = {**(metadata or {}), SHA256_META: digest}
        with _translated(f"Writing {bucket}/{key}"):
            result = self._client.put_object(
                bucket_name=bucket, object_name=key, data=io.BytesIO(data), length=len(data),
                content_type=content_type, metadata=meta,
            )
        return StoredObject(bucket, key, result.version_id, digest, len(data), created=True)

    def put_file(self, bucket: str, key: str, path: Path, *, sha256: str | None = None,
                 content_type: str = "application/octet-stream") -> StoredObject:
        """Stream a file into the store (masters can be large); idempotent like put_bytes."""
        digest = sha256 or file_sha256(path)
        size = path.stat().st_size
        existing = self.current_sha256(bucket, key)
        if existing is not None and existing[0] == digest:
            return StoredObject(bucket, key, existing[1], digest, size, created=False)
        with _translated(f"Writing {bucket}/{key}"):
            result = self._client.fput_object(bucket_name=bucket, object_name=key, file_path=str(path),
                                              content_type=content_type, metadata={SHA256_META: digest})
        return StoredObject(bucket, key, result.version_id, digest, size, created=True)

    def download(self, bucket: str, key: str, target: Path, *, version_id: str | None = None,
                 expected_sha256: str | None = None) -> Path:
        """Copy one object version to a local file, checking its sha256 when known."""
        with _translated(f"Reading {bucket}/{key}"):
            self._client.fget_object(bucket_name=bucket, object_name=key, file_path=str(target), version_id=version_id)
        if expected_sha256 is not None and file_sha256(target) != expected_sha256:
            target.unlink(missing_ok=True)
            raise IntegrityError(f"{bucket}/{key} (version {version_id or 'current'}) does not match its recorded sha256")
        return target

    def exists(self, bucket: str, key: str) -> bool:
        return self.current_sha256(bucket, key) is not None

    def get_bytes(self, bucket: str, key: str, *, version_id: str | None = None,
                  expected_sha256: str | None = None) -> bytes:
        with _translated(f"Reading {bucket}/{key}"):
            response = self._client.get_object(bucket_name=bucket, object_name=key, version_id=version_id)
            try:
                data = response.read()
            finally:
                response.close()
                response.release_conn()
        if expected_sha256 is not None and sha256_hex(data) != expected_sha256:
            raise IntegrityError(
                f"{bucket}/{key} (version {version_id or 'current'}) does not match its recorded sha256",
                hint="The stored copy is damaged: restore it from the other original or a replica.",
            )
        return data

    def verify(self, stored: StoredObject) -> None:
        """Read the exact version back and compare its sha256 with the one written."""
        self.get_bytes(stored.bucket, stored.key, version_id=stored.version_id, expected_sha256=stored.sha256)

    def list_versions(self, bucket: str, key: str) -> list[ObjectVersion]:
        with _translated(f"Listing versions of {bucket}/{key}"):
            return [
                ObjectVersion(o.object_name, o.version_id, bool(o.is_latest), o.size or 0)
                for o in self._client.list_objects(bucket_name=bucket, prefix=key, include_version=True)
                if o.object_name == key
            ]

    def put_if(self, bucket: str, key: str, data: bytes, *, expected_etag: str | None,
               content_type: str = "application/json") -> tuple[str | None, str]:
        """Compare-and-swap write: succeeds only if the current version still has
        `expected_etag` (None: only if the object does not exist yet). Returns
        (version_id, etag). Two editors racing on one record: one wins, the other gets
        StaleWrite — never a silent lost update."""
        condition = {"If-None-Match": "*"} if expected_etag is None else {"If-Match": f'"{expected_etag}"'}
        headers = {"Content-Type": content_type, **condition,
                   f"x-amz-meta-{SHA256_META}": sha256_hex(data)}
        try:
            with _translated(f"Writing {bucket}/{key}"):
                # minio 7.2's public put_object cannot send conditional headers; its
                # _put_object can (pinned version; tests/integration/test_minio.py covers it).
                result = self._client._put_object(bucket, key, data, headers=headers)
        except StorageError as exc:
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code == "PreconditionFailed":
                raise StaleWrite(f"{bucket}/{key} was changed by someone else since it was read") from exc
            raise
        return result.version_id, result.etag

    def current_etag(self, bucket: str, key: str) -> tuple[str, str | None] | None:
        """(etag, version_id) of the current version, or None when there is no object."""
        stat = self._stat(bucket, key)
        return None if stat is None else (stat.etag, stat.version_id)

    def list_keys(self, bucket: str, prefix: str) -> Iterator[str]:
        with _translated(f"Listing {bucket}/{prefix}"):
            for obj in self._client.list_objects(bucket_name=bucket, prefix=prefix, recursive=True):
                yield obj.object_name

    def list_keys_modified(self, bucket: str, prefix: str) -> Iterator[tuple[str, str]]:
        """(key, last-modified time in UTC ISO 8601) of each current object under prefix."""
        with _translated(f"Listing {bucket}/{prefix}"):
            for obj in self._client.list_objects(bucket_name=bucket, prefix=prefix, recursive=True):
                yield obj.object_name, obj.last_modified.isoformat(timespec="seconds") if obj.last_modified else ""

    def bucket_exists(self, bucket: str) -> bool:
        with _translated(f"Looking for bucket {bucket}"):
            return self._client.bucket_exists(bucket_name=bucket)

    def remove_bucket(self, bucket: str) -> None:
        """Delete a bucket with every version of every object in it. For scratch buckets
        (tests, benchmarks) only: the flows never delete anything."""
        with _translated(f"Removing bucket {bucket}"):
            if not self._client.bucket_exists(bucket_name=bucket):
                return
            for obj in self._client.list_objects(bucket_name=bucket, recursive=True, include_version=True):
                self._client.remove_object(bucket_name=bucket, object_name=obj.object_name, version_id=obj.version_id)
            self._client.remove_bucket(bucket_name=bucket)
