"""Add a document to the corpus (a file or a web page) or take one out, filling its manifest entry.

``add_source`` copies the file (or fetches the URL) into a hidden temporary file inside the corpus
folder, refuses what is too large, of an unsupported type, already there (same sha256) or
unreadable, reads it with the corpus loader, and only then gives it its safe final name and a
manifest entry: title, publisher or site name, kind, dates and how they were found, URL. With a
``reindex`` callable it also brings the index up to date, and takes the document back out if
that fails, so a document is either in the corpus *and* indexed, or not there at all.

Plain parameters only (no Settings): the CLI and the chat pass corpus folder, size limit and the
re-index step. Every refusal is an ``AddError`` whose message fits on one line.
"""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import hashlib
import inspect
import os
import re
import shutil
import unicodedata
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit

from index.dates import DateValue, document_date, parse_iso_date
from index.errors import AddError, IngestError, WaymarkError
from index.files import Timeout
from index.load import read_document
from index.manifest import MANIFEST_NAME, manifest_lock, remove_entry, write_entry

SUPPORTED_SUFFIXES = (".pdf", ".html", ".htm", ".md", ".markdown", ".txt")
SUPPORTED_TEXT = "PDF, HTML, Markdown or text (" + " ".join(SUPPORTED_SUFFIXES) + ")"
DEFAULT_MAX_BYTES = 20 * 1024 * 1024
FETCH_TIMEOUT = 20.0
MAX_STEM = 80
CHUNK = 64 * 1024
USER_AGENT = "Waymark/0.1 (travel-safety document indexer)"

#: Content-Type of a fetched page -> the suffix it is stored under
CONTENT_TYPES = {
    "text/html": ".html",
    "application/xhtml+xml": ".html",
    "application/pdf": ".pdf",
    "text/markdown": ".md",
    "text/x-markdown": ".md",
    "text/plain": ".txt",
}
KINDS = {".pdf": "PDF document", ".html": "web page", ".htm": "web page"}

Reindex = Callable[[Callable[[str], None]], object]


@dataclass
class Added:
    """What ``add_source`` did: the document's id (file name in the corpus) and manifest entry, or
    the id of the document it duplicates (then nothing was written)."""

    id: str
    entry: dict = field(default_factory=dict)
    duplicate_of: str | None = None
    warnings: list[str] = field(default_factory=list)

    @property
    def duplicate(self) -> bool:
        return self.duplicate_of is not None

    def line(self) -> str:
        if self.duplicate:
            return (
                f"{self.id} is already in the corpus as {self.duplicate_of} (same content); not added again."
            )
        e = self.entry
        when = e.get("published") or "date unknown"
        basis = e.get("date_note") or ""
        return f"Added {self.id}: “{e.get('title')}” · {e.get('publisher')} · {when}" + (
            f" ({basis})" if basis else ""
        )


# ---------------------------------------------------------------- names


def is_url(source: str | Path) -> bool:
    return isinstance(source, str) and bool(re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*://", source))


def safe_name(raw: str, suffix: str | None = None) -> str:
    """A file name that stays inside the corpus folder: directories (``../`` included) dropped,
    accents folded, anything but letters, digits, ``.``, ``_`` and ``-`` turned into ``-``."""
    base = raw.replace("\\", "/").rsplit("/", 1)[-1]
    stem, ext = os.path.splitext(base)
    if ext.lower() not in SUPPORTED_SUFFIXES:  # "report.v2" keeps its ".v2" in the stem
        stem, ext = base, ""
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    clean = re.sub(r"[^A-Za-z0-9._-]+", "-", ascii_stem)
    clean = re.sub(r"\.{2,}", ".", re.sub(r"-{2,}", "-", clean)).strip("._-")[:MAX_STEM].rstrip("._-")
    return (clean or "document") + (suffix or ext).lower()


def _unique(corpus_dir: Path, name: str) -> str:
    stem, ext = os.path.splitext(name)
    candidate, n = name, 1
    while (corpus_dir / candidate).exists() or candidate == MANIFEST_NAME:
        n += 1
        candidate = f"{stem}-{n}{ext}"
    return candidate


def _inside(corpus_dir: Path, name: str) -> Path:
    target = (corpus_dir / name).resolve()
    if target.parent != corpus_dir:
        raise AddError(f"Refusing to write {name!r} outside the corpus folder {corpus_dir}.")
    return target


# ---------------------------------------------------------------- staging the bytes


def _suffix_of(name: str) -> str:
    suffix = Path(name).suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        shown = f"a {suffix} file" if suffix else "a file without a type suffix"
        raise AddError(f"{name} is {shown}; Waymark reads {SUPPORTED_TEXT}.")
    return suffix


def human_size(n: int) -> str:
    if n >= 1_048_576:
        return f"{round(n / 1_048_576, 1):g} MB"
    return f"{round(n / 1024, 1):g} KB" if n >= 1024 else f"{n} bytes"


def _too_big(what: str, size: int | None, max_bytes: int) -> AddError:
    got = f" ({human_size(size)})" if size is not None else ""
    limit = human_size(max_bytes)
    return AddError(f"{what} is over the {limit} size limit{got}; raise WAYMARK_MAX_UPLOAD_MB to allow it.")


def _stage_file(path: Path, tmp_dir: Path, max_bytes: int) -> tuple[Path, str]:
    if not path.exists():
        raise AddError(f"No such file: {path}")
    if path.is_dir():
        raise AddError(f"{path} is a folder; add the documents in it one by one.")
    suffix = _suffix_of(path.name)
    try:
        size = path.stat().st_size
        if size > max_bytes:
            raise _too_big(path.name, size, max_bytes)
        tmp = _tmp_path(tmp_dir, suffix)
        copied = 0
        with path.open("rb") as src, tmp.open("xb") as dst:
            while chunk := src.read(CHUNK):
                copied += len(chunk)
                if copied > max_bytes:  # it grew while we read it
                    raise _too_big(path.name, copied, max_bytes)
                dst.write(chunk)
    except OSError as exc:
        raise AddError(f"Cannot read {path}: {exc.strerror or exc}") from None
    return tmp, path.name


def _tmp_path(tmp_dir: Path, suffix: str) -> Path:
    """A hidden name in the corpus folder: the loader skips dot files, so a crash leaves no document."""
    return tmp_dir / f".adding-{uuid.uuid4().hex[:12]}{suffix}"


def _stage_url(url: str, tmp_dir: Path, max_bytes: int, timeout: float) -> tuple[Path, str, str]:
    """Fetch ``url`` into a temporary file; returns it, a suggested name and the final URL."""
    import httpx

    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise AddError(f"{url} is not a web address Waymark can fetch (http:// or https:// only).")
    host = parts.hostname
    tmp: Path | None = None
    try:
        with (
            httpx.Client(timeout=timeout, follow_redirects=True, headers={"User-Agent": USER_AGENT}) as http,
            http.stream("GET", url) as response,
        ):
            if response.status_code >= 400:
                reason = response.reason_phrase or ""
                raise AddError(
                    f"{url} answered HTTP {response.status_code} {reason}".rstrip() + "; nothing added."
                )
            final = str(response.url)
            content_type = response.headers.get("content-type", "")
            suffix = _suffix_for_response(content_type, final)
            declared = response.headers.get("content-length", "")
            if declared.isdigit() and int(declared) > max_bytes:
                raise _too_big(url, int(declared), max_bytes)
            tmp = _tmp_path(tmp_dir, suffix)
            got = 0
            with tmp.open("xb") as dst:
                for chunk in response.iter_bytes(CHUNK):
                    got += len(chunk)
                    if got > max_bytes:
                        raise _too_big(url, None, max_bytes)
                    dst.write(chunk)
    except AddError:
        _discard(tmp)
        raise
    except httpx.TimeoutException:
        _discard(tmp)
        msg = (
            f"{host} did not answer within {timeout:g} s; try again later, or save the page and add the file."
        )
        raise AddError(msg) from None
    except (httpx.ConnectError, httpx.NetworkError) as exc:
        _discard(tmp)
        reason = _reason(exc)
        msg = f"Cannot reach {host} ({reason}); check the address and that you are online."
        raise AddError(msg) from None
    except httpx.TooManyRedirects:
        _discard(tmp)
        raise AddError(f"{url} redirects too many times; nothing added.") from None
    except (httpx.HTTPError, httpx.InvalidURL, OSError) as exc:
        _discard(tmp)
        raise AddError(f"Fetching {url} failed ({exc.__class__.__name__}: {_reason(exc)}).") from None
    _to_utf8(tmp, content_type, suffix)
    return tmp, _name_from_url(final), final


_DECLARED = re.compile(rb"<meta[^>]+charset|<\?xml[^>]+encoding", re.I)


def _to_utf8(path: Path, content_type: str, suffix: str) -> None:
    """Text the server labelled with another charset (``text/plain; charset=iso-8859-1``), saved as
    UTF-8: only the HTTP header said how to read it, and the saved file keeps no header. A page that
    declares its own charset is left as sent; the HTML loader reads that declaration."""
    m = re.search(r"charset=[\"']?([\w.:-]+)", content_type, re.I)
    if suffix == ".pdf" or not m:
        return
    try:
        codec = codecs.lookup(m.group(1)).name
    except LookupError:
        return
    if codec == "utf-8":
        return
    data = path.read_bytes()
    if suffix in (".html", ".htm") and _DECLARED.search(data[:4096]):
        return
    try:
        text = data.decode(codec)
    except UnicodeDecodeError:
        return  # mislabelled: the loader will say what it finds
    path.write_bytes(text.encode("utf-8"))


def _reason(exc: Exception) -> str:
    text = " ".join(str(exc).split()) or exc.__class__.__name__
    return text[:120]


def _suffix_for_response(content_type: str, url: str) -> str:
    mime = content_type.split(";")[0].strip().lower()
    path_suffix = Path(urlsplit(url).path).suffix.lower()
    if mime == "text/plain" and path_suffix in (".md", ".markdown"):
        return ".md"
    if mime in CONTENT_TYPES:
        return CONTENT_TYPES[mime]
    if not mime and path_suffix in SUPPORTED_SUFFIXES:
        return path_suffix
    shown = mime or "no content type"
    raise AddError(f"{url} is {shown}; Waymark reads {SUPPORTED_TEXT}.")


def _name_from_url(url: str) -> str:
    parts = urlsplit(url)
    stem = Path(parts.path).stem if parts.path.strip("/") else "index"
    host = (parts.hostname or "page").removeprefix("www.")
    return f"{host}-{stem}"


def _discard(path: Path | None) -> None:
    if path is not None:
        with contextlib.suppress(OSError):
            path.unlink()


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _duplicate(corpus_dir: Path, staged: Path, digest: str) -> str | None:
    """The corpus file with exactly these bytes, if any (only files of the same size are hashed)."""
    size = staged.stat().st_size
    for path in sorted(corpus_dir.rglob("*")):
        rel = path.relative_to(corpus_dir)
        if any(part.startswith(".") for part in rel.parts) or path.name == MANIFEST_NAME:
            continue
        with contextlib.suppress(OSError):
            if path.is_file() and path.stat().st_size == size and _sha256(path) == digest:
                return rel.as_posix()
    return None


# ---------------------------------------------------------------- reading and describing


def _read(staged: Path, doc_id: str, shown: str):
    """Read the staged file as the index will; any refusal becomes one AddError line."""
    notes: list[str] = []
    try:
        if "strict" in inspect.signature(read_document).parameters:
            doc = read_document(staged, doc_id, notes.append, strict=True)
        else:
            doc = read_document(staged, doc_id, notes.append)
    except (IngestError, WaymarkError) as exc:
        detail = getattr(exc, "detail", None) or exc  # IngestError's own text starts with the temp name
        raise AddError(f"{shown} cannot be added: {_one_line(detail)}") from None
    if doc is None:
        reason = notes[-1] if notes else "it could not be read"
        reason = reason.removeprefix(f"skipped {doc_id}: ")
        raise AddError(f"{shown} cannot be added: {_one_line(reason)}")
    return doc, notes


def _one_line(text: object) -> str:
    return " ".join(str(text).split())


class _HeadParser(HTMLParser):
    """<title> and the few <meta> tags that name a page and its site, for when the loader does not."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.title, self.meta, self._in_title = "", {}, False

    def handle_starttag(self, tag, attrs):
        a = {k.lower(): (v or "") for k, v in attrs}
        if tag == "title":
            self._in_title = True
        elif tag == "meta":
            key = (a.get("property") or a.get("name") or "").lower()
            if key and a.get("content"):
                self.meta.setdefault(key, a["content"].strip())

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False

    def handle_data(self, data):
        if self._in_title:
            self.title += data


def _html_head(path: Path) -> dict:
    try:
        parser = _HeadParser()
        parser.feed(path.read_bytes()[:200_000].decode("utf-8", "replace"))
    except Exception:  # a best-effort fallback: never the reason an add fails
        return {}
    meta = parser.meta
    found = {
        "title": meta.get("og:title") or " ".join(parser.title.split()),
        "site_name": meta.get("og:site_name") or meta.get("application-name"),
        "author": meta.get("author"),
        "published": meta.get("article:published_time") or meta.get("date"),
        "updated": meta.get("article:modified_time") or meta.get("last-modified"),
    }
    return {k: v for k, v in found.items() if v}


def _iso(value: object) -> str | None:
    """A date from the loader or a page (DateValue, date, 'YYYY-MM-DDThh:mm', 'YYYY-MM') as
    YYYY[-MM[-DD]]; None when it is not one."""
    if value is None or value == "":
        return None
    if isinstance(value, DateValue):
        return value.iso()
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()[:10]
    m = re.match(r"^\s*(\d{4}(?:-\d\d(?:-\d\d)?)?)", str(value))
    parsed = parse_iso_date(m.group(1)) if m else None
    return parsed.iso() if parsed else None


def _first_line_title(text: str, fallback: str) -> str:
    for line in text.splitlines():
        line = line.strip().lstrip("#").strip()
        if 8 <= len(line) <= 120:
            return line
    return fallback


def describe(doc, doc_id: str, suffix: str, staged: Path, url: str | None) -> dict:
    """The manifest entry: the loader's ``meta`` first, then the page head, then the text."""
    meta = dict(getattr(doc, "meta", None) or {})
    if suffix in (".html", ".htm"):
        for key, value in _html_head(staged).items():
            meta.setdefault(key, value)
    host = (urlsplit(url).hostname or "").removeprefix("www.") if url else ""
    title = _one_line(meta.get("title") or "") or _first_line_title(doc.text, doc_id)
    publisher = _one_line(meta.get("publisher") or meta.get("site_name") or "") or host or "unknown publisher"
    entry: dict = {"id": doc_id, "title": title[:200], "publisher": publisher[:200]}
    if meta.get("author"):
        entry["author"] = _one_line(meta["author"])[:200]
    fmt = str(getattr(doc, "format", "") or "").lower()
    entry["kind"] = (
        _one_line(meta.get("kind") or "") or KINDS.get(suffix) or KINDS.get(f".{fmt}") or "document"
    )
    entry.update(_dates(meta, doc.text))
    entry["url"] = url or (
        meta.get("url") if str(meta.get("url", "")).startswith(("http://", "https://")) else None
    )
    return entry


def _dates(meta: dict, text: str) -> dict:
    """published (the date ages count from: the update when there is one), updated,
    first_published, and date_note saying how they were found."""
    published, updated, chosen = (
        _iso(meta.get("published")),
        _iso(meta.get("updated")),
        _iso(meta.get("date")),
    )
    basis = _one_line(meta.get("date_basis") or "")
    out: dict = {}
    if chosen:
        note = basis or "date found by the document loader"
    elif updated:
        chosen, note = updated, basis or "last-updated date in the document's metadata"
    elif published:
        chosen, note = published, basis or "publication date in the document's metadata"
    else:
        value, how = document_date(text)
        chosen = value.iso() if value else None
        found = how.removeprefix("text: ")
        note = f"found in the text: {found}" if value else "no date found in the document or its metadata"
    if chosen:
        out["published"] = chosen
    if updated:
        out["updated"] = updated
    if published and published != chosen:
        out["first_published"] = published
    out["date_note"] = note
    return out


# ---------------------------------------------------------------- add and remove


@contextlib.contextmanager
def _locked(corpus_dir: Path) -> Iterator[None]:
    """The manifest lock, with its failures as one-line errors (a read-only folder, a long wait)."""
    try:
        lock = manifest_lock(corpus_dir)
        with open(lock.lock_file, "a"):  # a folder we cannot write to fails here, not after a wait
            pass
        lock.acquire()
    except Timeout:
        msg = (
            f"Another `waymark add` or `waymark remove` is changing {corpus_dir}; try again when it is done."
        )
        raise AddError(msg) from None
    except OSError as exc:
        reason = exc.strerror or exc
        msg = f"Cannot write to the corpus folder {corpus_dir} ({reason}); choose another with --corpus."
        raise AddError(msg) from None
    try:
        yield
    finally:
        lock.release()


def add_source(
    source: str | Path,
    corpus_dir: Path,
    *,
    name: str | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    timeout: float = FETCH_TIMEOUT,
    today: dt.date | None = None,
    reindex: Reindex | None = None,
) -> Added:
    """Put one file or web page into ``corpus_dir`` with a manifest entry (and index it with
    ``reindex(warn)`` when given). Raises AddError with nothing changed when it cannot."""
    corpus_dir = Path(corpus_dir).expanduser().resolve()
    if not corpus_dir.is_dir():
        raise AddError(f"Corpus folder {corpus_dir} does not exist; create it or pass --corpus DIR.")
    web = is_url(source)
    shown = str(source) if web else Path(source).name
    with _locked(corpus_dir):
        staged: Path | None = None
        try:
            if web:
                staged, suggested, url = _stage_url(str(source), corpus_dir, max_bytes, timeout)
            else:
                staged, suggested = _stage_file(Path(source).expanduser(), corpus_dir, max_bytes)
                url = None
            digest = _sha256(staged)
            same = _duplicate(corpus_dir, staged, digest)
            if same:
                return Added(id=shown, duplicate_of=same)
            doc_id = _unique(corpus_dir, safe_name(name or suggested, staged.suffix))
            target = _inside(corpus_dir, doc_id)
            doc, notes = _read(staged, doc_id, shown)
            entry = describe(doc, doc_id, staged.suffix, staged, url)
            entry["added"] = (today or dt.date.today()).isoformat()
            entry["added_from"] = str(source) if web else Path(source).name
            entry["sha256"] = digest
            _install(staged, target)  # the staged name is removed below; the document keeps its own
        finally:
            _discard(staged)
        try:
            write_entry(corpus_dir, entry)
        except BaseException:
            _discard(target)
            raise
        added = Added(id=doc_id, entry=entry, warnings=notes)
        if reindex is not None:
            _reindex_or_undo(reindex, doc_id, added, undo=lambda: _undo_add(corpus_dir, target, doc_id))
    return added


def _install(staged: Path, target: Path) -> None:
    """Give the staged file its final name without ever replacing a file already there."""
    try:
        os.link(staged, target)
    except FileExistsError:
        raise AddError(f"{target.name} appeared in the corpus meanwhile; try again.") from None
    except OSError:  # no hard links here: the lock already keeps other writers out
        if target.exists():
            raise AddError(f"{target.name} appeared in the corpus meanwhile; try again.") from None
        shutil.copyfile(staged, target)


def _undo_add(corpus_dir: Path, target: Path, doc_id: str) -> None:
    remove_entry(corpus_dir, doc_id)
    _discard(target)


def _reindex_or_undo(reindex: Reindex, doc_id: str, added: Added, undo: Callable[[], None]) -> None:
    """Run the re-index; if it fails, or skips this very document, undo and say why."""
    refused: list[str] = []

    def warn(message: str) -> None:
        if message.startswith(f"skipped {doc_id}:"):
            refused.append(message.removeprefix(f"skipped {doc_id}:").strip())
        elif message.startswith("skipped ") and message.endswith(f"same content as {doc_id}"):
            refused.append(
                message.removeprefix("skipped ").replace(": same content as", " has the same text as")
            )
        else:
            added.warnings.append(message)

    try:
        reindex(warn)
    except WaymarkError as exc:
        undo()
        raise AddError(f"{doc_id} was not added: {_one_line(exc)}") from None
    except BaseException:
        undo()
        raise
    if refused:
        undo()
        with contextlib.suppress(WaymarkError):  # the index must not keep what the corpus no longer has
            reindex(lambda _m: None)
        raise AddError(f"{doc_id} was not added: {_one_line(refused[-1])}.")


def remove_source(doc_id: str, corpus_dir: Path, *, reindex: Reindex | None = None) -> dict:
    """Take ``doc_id`` (its file name in the corpus) out of the corpus, the manifest and, with
    ``reindex``, the index; put everything back if the re-index fails. Returns its manifest entry."""
    corpus_dir = Path(corpus_dir).expanduser().resolve()
    listed = "`waymark sources` lists the ids"
    if not doc_id or doc_id.startswith(".") or doc_id == MANIFEST_NAME:
        raise AddError(f"No document {doc_id!r} in {corpus_dir}; {listed}.")
    target = (corpus_dir / doc_id).resolve()
    if not target.is_relative_to(corpus_dir):
        raise AddError(f"No document {doc_id!r} in {corpus_dir}; {listed}.")
    if not target.is_file():  # perhaps deleted by hand: its manifest entry can still go
        with _locked(corpus_dir):
            entry = remove_entry(corpus_dir, doc_id)
        if entry is None:
            raise AddError(f"No document {doc_id!r} in {corpus_dir}; {listed}.")
        if reindex is not None:
            try:
                reindex(lambda _m: None)
            except WaymarkError as exc:
                raise AddError(f"{doc_id}'s manifest entry was removed, but indexing failed: {exc}") from None
        return entry
    with _locked(corpus_dir):
        parked = target.with_name(f".removing-{uuid.uuid4().hex[:12]}-{target.name}")
        os.replace(target, parked)
        try:
            entry = remove_entry(corpus_dir, doc_id)
        except BaseException:
            os.replace(parked, target)
            raise

        def undo() -> None:
            os.replace(parked, target)
            if entry is not None:
                write_entry(corpus_dir, entry)

        if reindex is not None:
            try:
                reindex(lambda _m: None)
            except WaymarkError as exc:
                undo()
                raise AddError(f"{doc_id} was not removed: {_one_line(exc)}") from None
            except BaseException:
                undo()
                raise
        _discard(parked)
    return entry or {"id": doc_id}
