"""Read the corpus folder: text, Markdown and HTML files, strictly UTF-8.

Unreadable files are reported by name and skipped; they never stop the rest of the corpus.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from bot.errors import CorpusError

TEXT_SUFFIXES = {".txt", ".md", ".markdown", ".text"}
HTML_SUFFIXES = {".html", ".htm"}
MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class RawDocument:
    """A document's text as indexed; passage offsets point into ``text``."""

    id: str
    path: Path
    text: str
    sha256: str
    is_html: bool = False


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


def read_document(path: Path, doc_id: str, warn=print) -> RawDocument | None:
    suffix = path.suffix.lower()
    if suffix not in TEXT_SUFFIXES | HTML_SUFFIXES:
        warn(f"skipped {doc_id}: not a text, Markdown or HTML file")
        return None
    try:
        size = path.stat().st_size
        if size > MAX_BYTES:
            warn(f"skipped {doc_id}: {size // 1_048_576} MiB is over the {MAX_BYTES // 1_048_576} MiB limit")
            return None
        data = path.read_bytes()
    except OSError as exc:
        warn(f"skipped {doc_id}: cannot read it ({exc.strerror or exc})")
        return None
    if b"\x00" in data:
        warn(f"skipped {doc_id}: binary content")
        return None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        warn(f"skipped {doc_id}: not UTF-8 (byte {exc.start}); re-save it as UTF-8")
        return None
    is_html = suffix in HTML_SUFFIXES
    if is_html:
        text = html_to_text(text)
    if not text.strip():
        warn(f"skipped {doc_id}: empty")
        return None
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    return RawDocument(id=doc_id, path=path, text=text, sha256=digest, is_html=is_html)


_BLOCK_TAGS = {"p", "div", "br", "li", "h1", "h2", "h3", "h4", "h5", "h6", "tr", "section", "article", "td"}
_SKIP_TAGS = {"script", "style", "nav", "footer", "header", "aside", "form", "noscript", "template"}


class _TextExtractor(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in _SKIP_TAGS:
            self.skip += 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_endtag(self, tag):
        if tag in _SKIP_TAGS and self.skip:
            self.skip -= 1
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n\n")

    def handle_data(self, data):
        if not self.skip:
            self.parts.append(" ".join(data.split()) if data.strip() else "")


def html_to_text(html: str) -> str:
    """Visible text of a page, one block per paragraph; scripts, navigation and forms dropped."""
    parser = _TextExtractor()
    parser.feed(html)
    parser.close()
    lines = [line.strip() for line in "".join(parser.parts).split("\n")]
    out: list[str] = []
    for line in lines:
        if line or (out and out[-1]):
            out.append(line)
    return "\n".join(out).strip() + "\n"
