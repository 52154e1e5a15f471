"""Every error ``index`` raises, each with a one-line message a user can act on.

WaymarkError                 base of every user-facing error (``bot.errors`` adds its own branches)
├── CorpusError              the corpus folder or manifest cannot be used
│   └── EmptyCorpusError     no readable document in the corpus
├── DataDirError             the data folder cannot be created or written
├── IndexMissingError        nothing has been indexed yet
├── IndexBusyError           another `waymark index` run holds the lock
├── IndexCorruptError        the index exists but cannot be read
├── ChromaUnreachableError   the configured Chroma server does not answer
└── AddError                 (waymark add/remove, the chat's upload) a document cannot be added or removed

IngestError                  one document cannot be indexed (message names the file)
├── UnsupportedTypeError     not a text, Markdown, HTML or PDF file
├── TooLargeError            over the size, page or decompressed-size limit
├── CorruptDocumentError     truncated or damaged (a PDF that does not parse, binary in a .txt)
├── EncryptedPdfError        a password-protected PDF
├── NoTextError              nothing readable: empty, scripts only, or a scanned PDF (no OCR)
└── EncodingError            text that is not UTF-8

The root of the user-facing tree lives here, in the lowest layer, so that ``index`` never imports
``bot`` and an ``except WaymarkError`` anywhere still catches what ``index`` raises. ``IngestError``
is its own root: a corpus build skips such a document with a warning instead of failing.
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


class AddError(WaymarkError):
    """A document cannot be added to (or removed from) the corpus; nothing was changed."""


class IngestError(Exception):
    """A document that cannot be indexed; ``str(error)`` is one line naming the file and the cause."""

    reason = "cannot be indexed"

    def __init__(self, doc_id: str, detail: str | None = None) -> None:
        self.doc_id = doc_id
        self.detail = detail or self.reason
        super().__init__(f"{doc_id}: {self.detail}")


class UnsupportedTypeError(IngestError):
    reason = "not a text, Markdown, HTML or PDF file"


class TooLargeError(IngestError):
    reason = "too large"


class CorruptDocumentError(IngestError):
    reason = "damaged or truncated file"


class EncryptedPdfError(IngestError):
    reason = "the PDF is encrypted (password-protected); save an unprotected copy and add that"


class NoTextError(IngestError):
    reason = "no readable text"


class EncodingError(IngestError):
    reason = "not UTF-8; re-save it as UTF-8"
