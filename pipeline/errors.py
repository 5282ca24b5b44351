"""Typed errors shared by every part of sijil.

Each error carries a message written for the operator who reads it, an optional hint
saying what to do, and whether the failure is *transient* (worth retrying: a service
restarting, a network hiccup) or permanent (bad input, wrong configuration). Flows retry
transient errors only; foreign exceptions are translated into these at the boundary of
the module that talks to the foreign tool or service.
"""

from __future__ import annotations


class SijilError(Exception):
    """Base of every error sijil raises on purpose."""

    transient: bool = False

    def __init__(self, message: str, *, hint: str | None = None, transient: bool | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if transient is not None:
            self.transient = transient

    def __str__(self) -> str:
        return f"{self.message}\n  → {self.hint}" if self.hint else self.message


class ConfigError(SijilError):
    """The settings are wrong or incomplete; nothing will work until they are fixed."""


class ServiceUnavailable(SijilError):
    """A service (Elasticsearch, MinIO, Prefect) did not answer; it may come back."""

    transient = True


class StorageError(SijilError):
    """MinIO refused or failed an operation."""


class IntegrityError(SijilError):
    """Bytes read back do not match the checksum recorded when they were written."""


class SearchError(SijilError):
    """Elasticsearch refused or failed a request."""


class ToolError(SijilError):
    """An external program (tesseract, java, mvn, go…) failed or is missing."""


class StackError(SijilError):
    """The local stack could not be provisioned, started or stopped."""
