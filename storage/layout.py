"""Where everything lives in MinIO. Keys are built from ids (content hashes, batch ids,
register identity), never from file names found in a manifest (DESIGN decision 2)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Buckets:
    masters: str  # the scans as received: content-addressed, versioned, optionally locked
    derived: str  # page images, OCR output, per-page text PDFs, step records
    archive: str  # PDF/A copies per register volume and their veraPDF reports
    batches: str  # manifests, batch reports, quarantine records and quarantined files
    records: str  # act records, one versioned JSON object per act_id (corrections = versions)

    @classmethod
    def with_prefix(cls, prefix: str) -> "Buckets":
        return cls(f"{prefix}-masters", f"{prefix}-derived", f"{prefix}-archive", f"{prefix}-batches",
                   f"{prefix}-records")

    def all(self) -> tuple[str, ...]:
        return (self.masters, self.derived, self.archive, self.batches, self.records)


def master_key(sha256: str) -> str:
    return f"sha256/{sha256[:2]}/{sha256}"


def page_id(master_sha256: str, page_index: int) -> str:
    return f"p-{master_sha256[:20]}-{page_index:04d}"


def page_prefix(page: str, pipeline_version: str) -> str:
    # The pipeline version is part of the key: an improved pipeline writes beside the old
    # output instead of over it, and a re-run of the same version finds its own output.
    return f"pages/{page}/{pipeline_version}"


def batch_prefix(batch_id: str) -> str:
    return f"batches/{batch_id}"


def volume_key(*, commune_code: str, kind: str, year: int, series: int, volume: int, batch_id: str) -> str:
    return f"registers/{commune_code}/{kind}/{year}/s{series:02d}/v{volume:03d}/{batch_id}.pdf"
