"""Every error a Waymark user can meet, in one tree.

WaymarkError                 base: the CLI prints its message on one line and exits 1
├── CorpusError              the corpus folder or manifest cannot be used
│   └── EmptyCorpusError     no readable document in the corpus
├── DataDirError             the data folder cannot be created or written
├── IndexMissingError        nothing has been indexed yet
├── IndexBusyError           another `waymark index` run holds the lock
├── IndexCorruptError        the index exists but cannot be read
├── ChromaUnreachableError   the configured Chroma server does not answer
├── QuestionError            the question cannot be answered as typed
├── SuiteError               an eval suite file is malformed
│   └── SquadError           (evals.squad) a SQuAD file cannot be converted
├── ModelBackendError        the optional LLM backend failed
└── AddError                 (waymark add/remove, the chat's upload) a document cannot be added or removed
"""

from __future__ import annotations


class WaymarkError(Exception):
    """Base class; the message tells the user what to do next."""


class CorpusError(WaymarkError):
    pass


class EmptyCorpusError(CorpusError):
    pass


class DataDirError(WaymarkError):
    pass


class IndexMissingError(WaymarkError):
    pass


class IndexBusyError(WaymarkError):
    pass


class IndexCorruptError(WaymarkError):
    pass


class ChromaUnreachableError(WaymarkError):
    pass


class QuestionError(WaymarkError):
    pass


class SuiteError(WaymarkError):
    pass


class ModelBackendError(WaymarkError):
    pass


class AddError(WaymarkError):
    """A document cannot be added to (or removed from) the corpus; nothing was changed."""
