"""sijil: civil-status registers from scanner batches to archival copies and searchable acts.

This package holds what is cross-cutting: the settings object, the operator CLI and the
local service stack. The work itself lives in the sibling packages (scanners, pipeline,
ocr, storage, search, flows, api).
"""

__version__ = "0.1.0"
