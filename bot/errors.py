"""Every error a Waymark user can meet, in one tree; the CLI prints any of them on one line.

WaymarkError                 (index.errors) base: the CLI prints its message on one line and exits 1
├── CorpusError, EmptyCorpusError, DataDirError, IndexMissingError, IndexBusyError,
│   IndexCorruptError, ChromaUnreachableError, AddError      (index.errors, re-exported here)
├── QuestionError            the question cannot be answered as typed
├── SuiteError               an eval suite file is malformed
│   └── SquadError           (evals.squad) a SQuAD file cannot be converted
├── ModelBackendError        the optional LLM backend failed
└── ReaderError              the shipped reader model is missing or unreadable
IngestError                  (index.errors) one document cannot be indexed; also printed on one line

``index`` raises its own errors and never imports ``bot``; this module re-exports them so that
``bot`` and everything above it import every user-facing error from one place.
"""

from __future__ import annotations

from index.errors import (
    AddError,
    ChromaUnreachableError,
    CorpusError,
    DataDirError,
    EmptyCorpusError,
    IndexBusyError,
    IndexCorruptError,
    IndexMissingError,
    IngestError,
    WaymarkError,
)

__all__ = [
    "AddError",
    "ChromaUnreachableError",
    "CorpusError",
    "DataDirError",
    "EmptyCorpusError",
    "IndexBusyError",
    "IndexCorruptError",
    "IndexMissingError",
    "IngestError",
    "ModelBackendError",
    "QuestionError",
    "ReaderError",
    "SuiteError",
    "WaymarkError",
]


class QuestionError(WaymarkError):
    pass


class SuiteError(WaymarkError):
    pass


class ModelBackendError(WaymarkError):
    pass


class ReaderError(WaymarkError):
    pass
