"""Read documents: plain text, Markdown, HTML and PDF, each through its own loader.

A loader returns the document's *extracted* text — what Waymark stores, indexes and quotes; every
passage offset points into it — plus its block layout (headings, paragraphs, list items, table
rows) and metadata (title, publisher, author, kind, published/updated dates and how they were
found, url, PDF page starts). Plain text is kept exactly as written.

``read_document`` is the one entry point. In a corpus folder a bad file is reported by name and
skipped (``strict=False``, the default); ``strict=True`` raises the ``index.errors.IngestError``
subclass instead, for commands that add one file and must say why it was refused.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from index.dates import document_date
from index.errors import (
    CorpusError,
    CorruptDocumentError,
    EncodingError,
    IngestError,
    NoTextError,
    TooLargeError,
    UnsupportedTypeError,
)
from index.extracted import Extracted

TEXT_SUFFIXES = {".txt", ".text"}
MARKDOWN_SUFFIXES = {".md", ".markdown"}
HTML_SUFFIXES = {".html", ".htm"}
PDF_SUFFIXES = {".pdf"}
SUPPORTED_SUFFIXES = TEXT_SUFFIXES | MARKDOWN_SUFFIXES | HTML_SUFFIXES | PDF_SUFFIXES
MAX_BYTES = 20 * 1024 * 1024
MAX_PDF_BYTES = 50 * 1024 * 1024
FORMATS = {
    **dict.fromkeys(TEXT_SUFFIXES, "text"),
    **dict.fromkeys(MARKDOWN_SUFFIXES, "markdown"),
    **dict.fromkeys(HTML_SUFFIXES, "html"),
    **dict.fromkeys(PDF_SUFFIXES, "pdf"),
}
KIND = {"text": "text", "markdown": "markdown note", "html": "web page", "pdf": "pdf report"}


@dataclass(frozen=True)
class RawDocument:
    """A document's extracted text as indexed; passage offsets point into ``text``.

    ``format`` is "text", "markdown", "html" or "pdf". ``meta`` holds what the loader found, keys
    present when known: title, site_name, publisher, author, kind, published, updated, date (the
    later of the two, ISO), date_basis (how it was found), url, pages ([(start offset, page)]).
    ``layout`` is the block structure as (start, end, kind) spans; empty for plain text, whose
    structure ``index.clean`` reads from its lines.
    """

    id: str
    text: str
    sha256: str
    format: str = "text"
    meta: dict = field(default_factory=dict, compare=False, hash=False)
    layout: tuple[tuple[int, int, str], ...] = field(default=(), compare=False, hash=False)


def load_corpus(corpus_dir: Path, warn=print) -> list[RawDocument]:
    if not corpus_dir.is_dir():
        msg = f"Corpus folder {corpus_dir} does not exist; pass --corpus DIR or set WAYMARK_CORPUS_DIR."
        raise CorpusError(msg)
    docs: list[RawDocument] = []
    seen: dict[str, str] = {}
    for path in sorted(p for p in corpus_dir.rglob("*") if p.is_file()):
        rel = path.relative_to(corpus_dir).as_posix()
        if path.name == "manifest.yaml" or any(part.startswith(".") for part in Path(rel).parts):
            continue
        doc = read_document(path, rel, warn)
        if doc is None:
            continue
        if doc.sha256 in seen:
            warn(f"skipped {rel}: same content as {seen[doc.sha256]}")
            continue
        seen[doc.sha256] = rel
        docs.append(doc)
    return docs


def read_document(
    path: Path, doc_id: str, warn: Callable[[str], None] = print, *, strict: bool = False
) -> RawDocument | None:
    """Load one file. Unreadable: ``warn("skipped <id>: <why>")`` and None, or with ``strict``
    raise the ``IngestError`` subclass that says why."""
    try:
        return _read(Path(path), doc_id)
    except IngestError as exc:
        if strict:
            raise
        warn(f"skipped {exc}")
        return None


def _read(path: Path, doc_id: str) -> RawDocument:
    suffix = path.suffix.lower()
    fmt = FORMATS.get(suffix)
    if fmt is None:
        raise UnsupportedTypeError(doc_id, "not a text, Markdown, HTML or PDF file")
    limit = MAX_PDF_BYTES if fmt == "pdf" else MAX_BYTES
    try:
        size = path.stat().st_size
        if size > limit:
            raise TooLargeError(doc_id, f"{size // 1_048_576} MiB is over the {limit // 1_048_576} MiB limit")
        data = path.read_bytes()
    except OSError as exc:
        raise CorruptDocumentError(doc_id, f"cannot read it ({exc.strerror or exc})") from None
    if fmt == "pdf":
        if not data.lstrip()[:5].startswith(b"%PDF"):
            raise CorruptDocumentError(doc_id, "not a PDF (no %PDF header): damaged or mislabelled")
        from index.pdf import load_pdf  # pypdf: imported only when there is a PDF to read

        extracted = load_pdf(data, doc_id)
    else:
        text = _decode(data, doc_id, fmt)
        extracted = _load_text(text, fmt, doc_id)
    if not extracted.text.strip():
        raise NoTextError(doc_id, "empty")
    meta = dict(extracted.meta)
    meta.setdefault("kind", KIND[fmt])
    if "date" not in meta:
        value, how = document_date(extracted.text)
        if value is not None:
            meta["date"], meta["date_basis"] = value.iso(), how
    digest = hashlib.sha256(extracted.text.encode("utf-8")).hexdigest()
    return RawDocument(
        id=doc_id,
        text=extracted.text,
        sha256=digest,
        format=fmt,
        meta=meta,
        layout=extracted.layout,
    )


def _decode(data: bytes, doc_id: str, fmt: str = "text") -> str:
    if b"\x00" in data:
        raise CorruptDocumentError(doc_id, "binary content")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        declared = _declared_charset(data) if fmt == "html" else None
        if declared:
            try:
                return data.decode(declared)
            except (LookupError, UnicodeDecodeError):
                pass
        raise EncodingError(doc_id, f"not UTF-8 (byte {exc.start}); re-save it as UTF-8") from None


def _declared_charset(data: bytes) -> str | None:
    """The charset a web page declares in its first bytes (``<meta charset="windows-1252">``)."""
    m = re.search(rb"<meta[^>]+charset\s*=\s*[\"']?([A-Za-z0-9_.:-]{2,40})", data[:4096], re.I)
    return m.group(1).decode("ascii") if m else None


def _load_text(text: str, fmt: str, doc_id: str) -> Extracted:
    if not text.strip():
        raise NoTextError(doc_id, "empty")
    if fmt == "html":
        from index.html import load_html  # trafilatura and lxml (slow): only for a web page

        return load_html(text, doc_id)
    if fmt == "markdown":
        from index.markdown import load_markdown  # markdown-it: only for a Markdown file

        return load_markdown(text, doc_id)
    return Extracted(text, (), {})
