"""Who read or changed which act, when: an append-only log of events in MinIO.

Civil-status records are personal data: every read of an act (shown, searched and
returned, delivered) and every change is written here before the answer is given. Each
event is its own small object, so writers never contend and nothing is rewritten."""

from __future__ import annotations

import json
import uuid
from datetime import datetime, timezone
from typing import Any

from storage.objects import ObjectStore


def audit_bucket(bucket_prefix: str) -> str:
    return f"{bucket_prefix}-audit"


def record_event(store: ObjectStore, *, bucket_prefix: str, who: str, action: str, act_ids: list[str],
                 detail: dict[str, Any] | None = None, now: datetime | None = None) -> str:
    when = now or datetime.now(timezone.utc)
    bucket = audit_bucket(bucket_prefix)
    store.ensure_bucket(bucket, versioned=True)
    key = f"events/{when:%Y/%m/%d}/{when:%H%M%S%f}-{uuid.uuid4().hex[:8]}.json"
    event = {"at": when.isoformat(), "who": who, "action": action, "acts": act_ids, "detail": detail or {}}
    store.put_bytes(bucket, key, json.dumps(event, ensure_ascii=False).encode("utf-8"), content_type="application/json")
    return key


def read_events(store: ObjectStore, *, bucket_prefix: str, day: str | None = None) -> list[dict[str, Any]]:
    """Events of one day (YYYY/MM/DD) or all, oldest first."""
    bucket = audit_bucket(bucket_prefix)
    prefix = f"events/{day}/" if day else "events/"
    if not store.bucket_exists(bucket):
        return []
    return [json.loads(store.get_bytes(bucket, key)) for key in sorted(store.list_keys(bucket, prefix))]
