"""PDF reports: pypdf text page by page, headings by font size, running headers and footers removed.

The extracted text is rebuilt from pypdf's lines: lines wrapped inside a paragraph are joined
again, a line set in a larger font than the body is a heading (a section), short lines such as
table rows stay lines. A line repeated at the top or bottom of most pages is a running header or
footer and goes, and so do page numbers ("Page 3 of 50") — except that a repeated line carrying a
phone number or an address keeps its first occurrence. ``meta["pages"]`` records where each page
starts, so every passage knows its page. /CreationDate and /ModDate are read as dates.

Bad PDFs raise an ``IngestError`` subclass: encrypted, no text layer (a scan: OCR is not
supported), truncated or corrupt, or too large when decompressed (a "zip bomb").
"""

from __future__ import annotations

import io
import logging
import re
from collections import Counter

from index.dates import DateValue, document_date, parse_iso_date
from index.errors import CorruptDocumentError, EncryptedPdfError, NoTextError, TooLargeError
from index.extracted import Extracted, TextBuilder

MAX_PAGES = 2000
MAX_CHARS = 5_000_000  # extracted characters, the whole document
MAX_CONTENT_BYTES = 150 * 1024 * 1024  # decompressed page content, the whole document
MAX_PAGE_CONTENT_BYTES = 12 * 1024 * 1024  # one page's decompressed content (text takes far less)

_PAGE_NUMBER = re.compile(
    r"^\s*(?:(?:page|p\.|seite|página|pagina)\s*)?[-–(\[]?\s*\d{1,4}\s*(?:(?:of|/|de|von|sur)\s*\d{1,4})?\s*[-–)\]]?\s*$",
    re.I,
)
_CONTACT = re.compile(r"\d[\d\s()./-]{1,}\d|@|\b\d{2,}\b")
_END = re.compile(r"[.!?:;\"”’)]\s*$")
_EDGE_LINES = 3


def load_pdf(data: bytes, doc_id: str) -> Extracted:
    from pypdf import PdfReader
    from pypdf.errors import FileNotDecryptedError, LimitReachedError, PyPdfError

    logging.getLogger("pypdf").setLevel(logging.ERROR)
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not _try_empty_password(reader):
            raise EncryptedPdfError(doc_id)
        count = len(reader.pages)
        if count > MAX_PAGES:
            raise TooLargeError(doc_id, f"{count} pages is over the {MAX_PAGES}-page limit")
        pages = _read_pages(reader, doc_id)
        info = _info(reader)
    except FileNotDecryptedError:
        raise EncryptedPdfError(doc_id) from None
    except LimitReachedError:
        raise TooLargeError(
            doc_id, "a page expands to more than the decompression limit (a PDF 'zip bomb'?)"
        ) from None
    except (PyPdfError, ValueError, KeyError, TypeError, AttributeError, IndexError, RecursionError) as exc:
        detail = " ".join(str(exc).split())[:120] or exc.__class__.__name__
        raise CorruptDocumentError(doc_id, f"the PDF is damaged or truncated ({detail})") from None
    if not any(line.strip() for lines, _big, _small in pages for line in lines):
        raise NoTextError(doc_id, "no extractable text (a scanned PDF?); OCR is not supported")
    extracted = _assemble(pages)
    extracted.meta.update(_meta(info, extracted.text))
    return extracted


def _try_empty_password(reader) -> bool:
    """Some PDFs are "encrypted" with an empty user password only to restrict printing."""
    try:
        return bool(reader.decrypt(""))
    except Exception:  # noqa: BLE001 - unsupported crypto is still "encrypted"
        return False


Page = tuple[list[str], set[str], set[str]]


def _read_pages(reader, doc_id: str) -> list[Page]:
    """Per page: its text lines, the words set in a larger font than the body (headings) and the
    words set in a smaller one (running headers and footers, footnotes)."""
    out: list[Page] = []
    chars = content = 0
    sized: list[list[tuple[str, float]]] = []
    for page in reader.pages:
        stream = page.get_contents()
        size = len(stream.get_data()) if stream is not None else 0
        if size > MAX_PAGE_CONTENT_BYTES:
            raise TooLargeError(
                doc_id,
                f"page {len(out) + 1} expands to {size // 1_048_576} MiB of drawing instructions, over the "
                f"{MAX_PAGE_CONTENT_BYTES // 1_048_576} MiB limit (a PDF 'zip bomb'?)",
            )
        content += size
        if content > MAX_CONTENT_BYTES:
            raise TooLargeError(
                doc_id, f"decompressed content over {MAX_CONTENT_BYTES // 1_048_576} MiB (a PDF 'zip bomb'?)"
            )
        fragments: list[tuple[str, float]] = []

        def visit(text, cm, tm, _font, size, fragments=fragments):
            if text and text.strip():
                scale = abs(tm[3] or tm[0] or 1) * abs(cm[3] or cm[0] or 1)
                fragments.append((text, float(size or 0) * scale))

        text = page.extract_text(visitor_text=visit) or ""
        chars += len(text)
        if chars > MAX_CHARS:
            raise TooLargeError(doc_id, f"over {MAX_CHARS:,} characters of text")
        sized.append(fragments)
        out.append(([" ".join(line.split()) for line in text.splitlines()], set(), set()))
    body = _body_size(sized)
    for (_lines, big, small), fragments in zip(out, sized, strict=True):
        for text, size in fragments:
            if body and size >= body * 1.15:
                big.update(text.split())
            elif body and size <= body * 0.9:
                small.update(text.split())
    return out


def _body_size(sized) -> float:
    weight: Counter[float] = Counter()
    for fragments in sized:
        for text, size in fragments:
            weight[round(size, 1)] += len(text)
    return weight.most_common(1)[0][0] if weight else 0.0


def _furniture(pages: list[list[str]], smalls: list[set[str]]) -> list[set[int]]:
    """Indexes of running header/footer lines and page numbers, per page.

    A line repeated at the edge of most pages goes. One that carries a number or an address is
    furniture only when it is set smaller than the body text, and then its first occurrence stays;
    at body size it is content ("Police: 102" heading each city's page) and stays everywhere. So
    is a body-size line whose numbers change from page to page ("...the night line of district
    4..."): a running header repeats itself, content about each page's subject does not. A line
    carrying its own page's number goes when, with that number blanked, most pages read the same
    ("page 3 of 50"), not when more changes ("District 3 duty officer: ... 555 1003")."""

    def norm(line: str) -> str:
        return re.sub(r"\d+", "#", " ".join(line.lower().split()))

    edges = [
        [i for i in range(len(lines)) if i < _EDGE_LINES or i >= len(lines) - _EDGE_LINES] for lines in pages
    ]
    seen: Counter[str] = Counter()
    variants: dict[str, set[str]] = {}
    unpaged: dict[str, Counter[str]] = {}  # each line with its own page's number blanked
    for number, (lines, idx) in enumerate(zip(pages, edges, strict=True), 1):
        seen.update({norm(lines[i]) for i in idx if lines[i].strip()})
        for i in idx:
            variants.setdefault(norm(lines[i]), set()).add(" ".join(lines[i].split()))
            unpaged.setdefault(norm(lines[i]), Counter())[_blank_page(lines[i], number)] += 1
    needed = max(2, int(0.6 * len(pages) + 0.5))
    repeated = {key for key, n in seen.items() if n >= needed} if len(pages) >= 2 else set()
    drop: list[set[int]] = []
    kept_contacts: set[str] = set()
    for number, (lines, idx, small) in enumerate(zip(pages, edges, smalls, strict=True), 1):
        gone: set[int] = set()
        for i in idx:
            line = lines[i]
            if _PAGE_NUMBER.match(line):
                gone.add(i)
                continue
            key = norm(line)
            if key not in repeated:
                continue
            body = not all(word in small for word in line.split())
            sentence = len(line.split()) >= 8 and bool(_END.search(line))
            paged = unpaged[key].most_common(1)[0][1] >= needed  # most pages differ only in their number
            if not sentence and paged and str(number) in re.findall(r"\d+", line):
                gone.add(i)  # a running header carrying the page number: "Report, page 3 of 50"
                continue
            if body and len(variants[key]) > 1:
                continue  # its numbers change with the page's subject: content, not a header
            if _CONTACT.search(line):
                if not all(word in small for word in line.split()):
                    continue  # body text that happens to repeat: facts are never dropped
                if key not in kept_contacts:
                    kept_contacts.add(key)  # a footer "In an emergency call 112" stays once
                    continue
            gone.add(i)
        drop.append(gone)
    return drop


def _blank_page(line: str, number: int) -> str:
    """The line with its page's number as a whole number blanked ("page 3 of 50" -> "page # of 50"),
    so a running header reads the same on every page and "District 3 ... 555 1003" does not."""
    return re.sub(rf"(?<!\d){number}(?!\d)", "#", " ".join(line.split()))


def _assemble(pages: list[Page]) -> Extracted:
    drop = _furniture([lines for lines, _big, _small in pages], [small for _l, _b, small in pages])
    widths = [len(line) for lines, _big, _small in pages for line in lines if line.strip()]
    full = sorted(widths)[int(len(widths) * 0.9)] if widths else 0
    out = TextBuilder()
    for number, ((lines, big, _small), gone) in enumerate(zip(pages, drop, strict=True), start=1):
        out.page(number)
        para: list[str] = []

        def flush(para=para) -> None:
            if para:
                text = _join_wrapped(para)
                out.add(text, "para" if len(para) > 1 or len(text) >= 60 or _END.search(text) else "list")
                para.clear()

        for i, line in enumerate(lines):
            if i in gone or not line.strip():
                flush()
                continue
            words = line.split()
            if big and len(line) <= 120 and all(w in big for w in words) and any(c.isalpha() for c in line):
                flush()
                out.add(line, "heading")
                continue
            para.append(line)
            wrapped = len(line) >= 0.8 * full and not _END.search(line)
            if not wrapped:
                flush()
        flush()
    return out.build()


def _join_wrapped(lines: list[str]) -> str:
    """Lines of one paragraph joined with spaces; a word hyphenated at a line end ("travel-" +
    "lers") is joined without one, keeping the hyphen the PDF shows."""
    text = lines[0]
    for line in lines[1:]:
        hyphenated = re.search(r"[A-Za-z]-$", text) and line[:1].islower()
        text += line if hyphenated else " " + line
    return text


def _info(reader) -> dict:
    try:
        info = reader.metadata or {}
    except Exception:  # noqa: BLE001 - a broken info dictionary is just "no metadata"
        return {}
    out = {}
    for key in ("/Title", "/Author", "/Subject", "/Producer", "/Creator", "/CreationDate", "/ModDate"):
        try:
            value = info.get(key)
        except Exception:  # noqa: BLE001
            value = None
        if value:
            out[key] = str(value)
    return out


def pdf_date(raw: str) -> DateValue | None:
    """A PDF date string ``D:YYYYMMDDHHmmSS+hh'mm'`` as a date, as precise as it is written."""
    m = re.match(r"\s*(?:D:)?((?:19|20)\d\d)(\d\d)?(\d\d)?", raw or "")
    if not m:
        return None
    iso = "-".join(part for part in m.groups() if part)
    return parse_iso_date(iso)


def _meta(info: dict, text: str) -> dict:
    meta: dict = {"kind": "pdf report"}
    title = info.get("/Title", "").strip()
    if title:
        meta["title"] = title
    author = info.get("/Author", "").strip()
    if author:
        meta["author"] = author
        meta["publisher"] = author
    roles = {
        "published": ("/CreationDate", info.get("/CreationDate")),
        "updated": ("/ModDate", info.get("/ModDate")),
    }
    dated: list[tuple[DateValue, str]] = []
    for role, (key, raw) in roles.items():
        value = pdf_date(raw) if raw else None
        if value is not None:
            meta[role] = value.iso()
            meta[f"{role}_basis"] = f"PDF metadata {key}"
            dated.append((value, role))
    stated, how = document_date(text)
    if stated is not None and not how.startswith("year in the title"):
        # a date the report prints about itself beats the file's export timestamps
        meta["date"], meta["date_basis"] = stated.iso(), how
    elif dated:
        value, role = max(dated, key=lambda item: (item[0].sort_key(), item[1] == "updated"))
        meta["date"], meta["date_basis"] = value.iso(), meta[f"{role}_basis"]
    elif stated is not None:
        meta["date"], meta["date_basis"] = stated.iso(), how
    return meta
