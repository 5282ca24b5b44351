"""Against the real MinIO started by `sijil stack up`."""

import pytest

from pipeline.errors import IntegrityError, StorageError
from storage.objects import sha256_hex

pytestmark = pytest.mark.integration


@pytest.fixture()
def bucket(store, unique_name):
    store.ensure_bucket(unique_name, versioned=True)
    return unique_name


def test_versioned_bucket_put_read_back_and_versions(store, bucket):
    first = store.put_bytes(bucket, "masters/page-1.tif", b"master scan bytes", content_type="image/tiff")
    assert first.created and first.version_id
    store.verify(first)
    assert store.get_bytes(bucket, "masters/page-1.tif", expected_sha256=sha256_hex(b"master scan bytes")) == b"master scan bytes"

    # Writing identical bytes again adds no version: re-runs are idempotent.
    again = store.put_bytes(bucket, "masters/page-1.tif", b"master scan bytes")
    assert not again.created and again.version_id == first.version_id

    second = store.put_bytes(bucket, "masters/page-1.tif", b"corrected derivative")
    assert second.created and second.version_id != first.version_id
    versions = store.list_versions(bucket, "masters/page-1.tif")
    assert {v.version_id for v in versions} == {first.version_id, second.version_id}
    assert [v.is_latest for v in versions if v.version_id == second.version_id] == [True]
    # The first version is still there, unchanged.
    assert store.get_bytes(bucket, "masters/page-1.tif", version_id=first.version_id,
                           expected_sha256=first.sha256) == b"master scan bytes"


def test_checksum_mismatch_is_an_integrity_error(store, bucket):
    stored = store.put_bytes(bucket, "x", b"abc")
    with pytest.raises(IntegrityError):
        store.get_bytes(bucket, "x", version_id=stored.version_id, expected_sha256="0" * 64)


def test_missing_object_is_a_permanent_storage_error(store, bucket):
    assert store.current_sha256(bucket, "nothing-here") is None
    with pytest.raises(StorageError) as info:
        store.get_bytes(bucket, "nothing-here")
    assert info.value.transient is False


def test_object_lock_bucket(store, unique_name):
    store.ensure_bucket(unique_name, object_lock=True)
    stored = store.put_bytes(unique_name, "locked", b"worm")
    assert stored.version_id
    store.verify(stored)


def test_conditional_write_refuses_a_stale_writer(store, bucket):
    from storage.objects import StaleWrite

    version, etag = store.put_if(bucket, "acts/x.json", b'{"revision": 1}', expected_etag=None)
    with pytest.raises(StaleWrite):
        store.put_if(bucket, "acts/x.json", b'{"revision": 1, "other": true}', expected_etag=None)
    _, etag2 = store.put_if(bucket, "acts/x.json", b'{"revision": 2}', expected_etag=etag)
    with pytest.raises(StaleWrite):  # a second editor still holding the first etag
        store.put_if(bucket, "acts/x.json", b'{"revision": 2, "lost": true}', expected_etag=etag)
    assert store.current_etag(bucket, "acts/x.json")[0] == etag2
    assert len(store.list_versions(bucket, "acts/x.json")) == 2
    assert list(store.list_keys(bucket, "acts/")) == ["acts/x.json"]
