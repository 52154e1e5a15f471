"""Why a document could not be ingested, one class per cause, each with a message a user can act on.

IngestError                  base: the document cannot be indexed (message names the file)
├── UnsupportedTypeError     not a text, Markdown, HTML or PDF file
├── TooLargeError            over the size, page or decompressed-size limit
├── CorruptDocumentError     truncated or damaged (a PDF that does not parse, binary in a .txt)
├── EncryptedPdfError        a password-protected PDF
├── NoTextError              nothing readable: empty, scripts only, or a scanned PDF (no OCR)
└── EncodingError            text that is not UTF-8

``index`` never imports these from ``bot``; the CLI may catch ``IngestError`` and print its message.
"""

from __future__ import annotations


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
