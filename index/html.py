"""HTML pages: main text with trafilatura, dates with htmldate, structure from the page's own tags.

The page is pre-cleaned with lxml (scripts, navigation, cookie banners, share bars and the site's
own header and footer go; a visible "Last updated" line is kept even inside a page header), then
trafilatura picks the main content. Its XML is rendered block by block: headings become sections,
paragraphs keep the spaces around inline tags (``call <b>112</b> now`` stays "call 112 now"), list
items and table rows stay one line each.
"""

from __future__ import annotations

import json
import re
import warnings

from index.dates import DateValue, labelled_dates, parse_iso_date
from index.errors import CorruptDocumentError, NoTextError
from index.extracted import Extracted, TextBuilder, row_text

# Elements that are never content.
_DROP_TAGS = {"script", "style", "noscript", "template", "form", "nav", "button", "select", "svg", "iframe"}
_DROP_ROLES = {"navigation", "banner", "contentinfo", "search", "dialog", "alertdialog", "menu", "menubar"}
# class / id words of page furniture: cookie and consent banners, share bars, menus, breadcrumbs
_FURNITURE = re.compile(
    r"(?:^|[\s_-])(?:cookie|cookies|consent|gdpr|share|sharing|social|breadcrumbs?|newsletter|subscribe"
    r"|skip-?link|menu|navbar|site-?nav|pagination|related|promo|advert|ads)(?:$|[\s_-])",
    re.I,
)
_BLOCKISH = {"p", "div", "li", "dl", "dd", "dt", "span", "time", "small", "td", "section", "header", "footer"}

# meta names whose content is the page's publication or modification date
_META_PUBLISHED = (
    "article:published_time",
    "og:published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publish-date",
    "citation_publication_date",
    "dcterms.created",
)
_META_UPDATED = (
    "article:modified_time",
    "og:updated_time",
    "datemodified",
    "dcterms.modified",
    "dc.date.modified",
    "last-modified",
    "lastmod",
    "revised",
)
_JSONLD_KEYS = {"datePublished": "published", "dateCreated": "published", "dateModified": "updated"}


def load_html(raw: str, doc_id: str) -> Extracted:
    """Extract ``raw`` HTML; raises ``NoTextError`` for a page without readable text."""
    import lxml.etree
    import lxml.html

    if not raw.strip():
        raise NoTextError(doc_id, "empty")
    try:
        tree = lxml.html.document_fromstring(raw)
    except (lxml.etree.ParserError, ValueError) as exc:
        raise CorruptDocumentError(doc_id, f"the HTML cannot be parsed ({exc})") from None
    candidates = _meta_dates(tree)
    visible = _visible_date_lines(tree)
    _preclean(tree)
    cleaned = lxml.html.tostring(tree, encoding="unicode")
    meta = _page_meta(cleaned, doc_id)
    builder = TextBuilder()
    body = meta.pop("_body", None)
    if body is not None:
        _render(body, builder)
    extracted = builder.build()
    if not extracted.text.strip():
        raise NoTextError(doc_id, "no readable text (the page holds only scripts, styles or markup)")
    meta.update(_date_meta(raw, candidates, visible))
    meta["kind"] = "web page"
    extracted.meta = {k: v for k, v in meta.items() if v not in (None, "", [])}
    return extracted


def _preclean(tree) -> None:
    """Drop page furniture in place; keep a labelled date line even inside a header or meta block."""
    for el in list(tree.iter()):
        if not isinstance(el.tag, str) or el.getparent() is None:
            continue
        text = _words(el) if el.tag in _BLOCKISH else ""
        if text and len(text) <= 120 and labelled_dates(text):
            for node in [el, *el.iterancestors()]:
                if node.tag in ("article", "main", "body"):
                    break
                for attr in ("class", "id", "role"):
                    node.attrib.pop(attr, None)
                if node.tag in ("header", "footer") and _inside_content(node):
                    node.tag = "div"
    for el in list(tree.iter()):
        if not isinstance(el.tag, str):
            if el.getparent() is not None:  # comments and processing instructions
                el.drop_tree()
            continue
        parent = el.getparent()
        if parent is None or el.tag in ("html", "body", "head"):
            continue
        site_furniture = el.tag in ("header", "footer") and not _inside_content(el)
        dropped_role = (el.get("role") or "").lower() in _DROP_ROLES
        if el.tag in _DROP_TAGS or dropped_role or site_furniture or _is_furniture(el):
            el.drop_tree()
        elif el.tag == "header":
            el.tag = "div"  # an article's own header holds its title and date


def _words(el) -> str:
    """The element's text with a space between child elements ("Updated" + "4 March 2024")."""
    return " ".join(" ".join(t for t in el.itertext() if isinstance(t, str)).split())


def _is_furniture(el) -> bool:
    if el.tag in ("main", "article", "body"):
        return False
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if el.get("aria-hidden") == "true" or el.get("hidden") is not None:
        return True
    if not names.strip() or not _FURNITURE.search(names):
        return False
    # a wrapper whose class merely mentions a menu or sharing may still hold the whole page
    return next(el.iter("article", "main", "h1"), None) is None


def _inside_content(el) -> bool:
    return any(a.tag in ("article", "main") for a in el.iterancestors())


def _page_meta(cleaned: str, doc_id: str) -> dict:
    import trafilatura

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        doc = trafilatura.bare_extraction(
            cleaned,
            with_metadata=True,
            include_tables=True,
            include_comments=False,
            include_formatting=False,
            include_links=False,
            include_images=False,
            favor_recall=True,
        )
    if doc is None:
        raise NoTextError(doc_id, "no readable text (the page holds only scripts, styles or markup)")
    author = (doc.author or "").replace("; ", ", ") or None
    return {
        "title": doc.title,
        "site_name": doc.sitename,
        "publisher": doc.sitename,
        "author": author,
        "url": doc.url,
        "description": doc.description,
        "_body": doc.body,
    }


# ---- rendering trafilatura's XML ---------------------------------------------------------------


def _flat(el, skip: tuple[str, ...] = ()) -> str:
    parts: list[str] = []

    def walk(node) -> None:
        if node.text:
            parts.append(node.text)
        for child in node:
            if child.tag not in skip:
                walk(child)
            else:
                parts.append(" ")
            if child.tail:
                parts.append(child.tail)

    walk(el)
    return " ".join("".join(parts).split())


def _render(el, out: TextBuilder) -> None:
    for child in el:
        tag = child.tag
        if tag == "head":
            out.add(_flat(child), "heading")
        elif tag in ("p", "quote", "code"):
            _paragraph(child, out)
        elif tag == "list":
            _list(child, out)
        elif tag == "table":
            for row in child.iter("row"):
                cells = [_flat(c) for c in row if c.tag == "cell"]
                head = all(c.get("role") == "head" for c in row if c.tag == "cell")
                out.add(row_text([c for c in cells if c], head=head), "list")
        elif tag in ("graphic", "ref", "hi", "lb") and not _flat(child):
            continue
        elif len(child):
            _render(child, out)
            if child.tail and child.tail.strip():
                out.add(" ".join(child.tail.split()), "para")
        else:
            _paragraph(child, out)


def _paragraph(el, out: TextBuilder) -> None:
    """A paragraph; one with line breaks (``<br>``) is a run of short lines such as an address."""
    if el.find(".//lb") is None:
        out.add(_flat(el), "para")
        return
    lines: list[list[str]] = [[]]

    def walk(node) -> None:
        if node.tag == "lb":
            lines.append([])
        elif node.text:
            lines[-1].append(node.text)
        for child in node:
            walk(child)
            if child.tail:
                lines[-1].append(child.tail)

    walk(el)
    for line in lines:
        text = " ".join("".join(line).split())
        out.add(text, "para" if len(text) >= 120 else "list")


def _list(el, out: TextBuilder) -> None:
    for item in el:
        if item.tag != "item":
            continue
        out.add(_flat(item, skip=("list",)), "item")
        for nested in item.iter("list"):
            if nested is not item:
                _list(nested, out)


# ---- dates ---------------------------------------------------------------------------------------


def _meta_dates(tree) -> list[tuple[str, DateValue, str]]:
    """(role, date, basis) for every machine-readable date: <meta>, JSON-LD and <time datetime>."""
    found: list[tuple[str, DateValue, str]] = []
    for meta in tree.iter("meta"):
        key = (meta.get("property") or meta.get("name") or meta.get("itemprop") or "").strip()
        value = _iso_prefix(meta.get("content") or "")
        if not key or value is None:
            continue
        low = key.lower()
        if low in _META_UPDATED:
            found.append(("updated", value, f"meta {key}"))
        elif low in _META_PUBLISHED:
            found.append(("published", value, f"meta {key}"))
    for script in tree.iter("script"):
        if (script.get("type") or "").lower() != "application/ld+json" or not script.text:
            continue
        try:
            data = json.loads(script.text)
        except ValueError:
            continue
        for key, raw in _jsonld_dates(data):
            value = _iso_prefix(str(raw))
            if value is not None:
                found.append((_JSONLD_KEYS[key], value, f"JSON-LD {key}"))
    for time in tree.iter("time"):
        value = _iso_prefix(time.get("datetime") or "")
        if value is not None:
            found.append(("published", value, "<time datetime>"))
    return found


def _jsonld_dates(data, depth: int = 0):
    if depth > 6:
        return
    if isinstance(data, dict):
        for key, value in data.items():
            if key in _JSONLD_KEYS and isinstance(value, str):
                yield key, value
            elif isinstance(value, (dict, list)):
                yield from _jsonld_dates(value, depth + 1)
    elif isinstance(data, list):
        for item in data[:50]:
            yield from _jsonld_dates(item, depth + 1)


def _iso_prefix(raw: str) -> DateValue | None:
    m = re.match(r"\s*((?:19|20)\d\d-\d\d-\d\d)", raw)
    return parse_iso_date(m.group(1)) if m else None


def _visible_date_lines(tree) -> list[tuple[DateValue, str, str]]:
    """Labelled date lines anywhere on the page ("Last updated: 4 March 2024"), header included."""
    found: list[tuple[DateValue, str, str]] = []
    body = tree.find("body")
    if body is None:
        return found
    for el in body.iter():
        if not isinstance(el.tag, str) or el.tag in ("script", "style", "noscript", "template"):
            continue
        if el.tag not in _BLOCKISH and el.tag not in ("h1", "h2", "h3", "h4", "h5", "h6"):
            continue
        text = _words(el)
        follower = el.getnext()
        if el.tag == "dt" and follower is not None and follower.tag == "dd":
            text = f"{text} {_words(follower)}"  # <dt>Updated</dt><dd>4 March 2024</dd>
        if text and len(text) <= 120:
            found.extend(labelled_dates(text))
    return found


def _date_meta(raw: str, candidates, visible) -> dict:
    """Published and updated dates (htmldate, checked against what the page states), the later
    of the two as the page's date, and a human-readable basis for each."""
    import htmldate

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            published = htmldate.find_date(raw, original_date=True)
            updated = htmldate.find_date(raw)
        except Exception:  # noqa: BLE001 - htmldate is a heuristic; its failure is "no date"
            published = updated = None
    out: dict = {}
    roles = {
        "published": (parse_iso_date(published) if published else None),
        "updated": (parse_iso_date(updated) if updated else None),
    }
    for role, value in roles.items():
        if value is None:
            continue
        basis, value = _basis(role, value, candidates, visible)
        out[role] = value.iso()
        out[f"{role}_basis"] = basis
    for value, label, line in visible:  # a visible line the page shows beats a guess of the same day
        role = _label_role(label)
        current = parse_iso_date(out[role]) if role in out else None
        if current is None or value.sort_key() > current.sort_key():
            out[role] = value.iso()
            out[f"{role}_basis"] = f"visible '{line}' line"
    dated = [(parse_iso_date(out[r]), r) for r in ("published", "updated") if r in out]
    dated = [(v, r) for v, r in dated if v is not None]
    if dated:
        value, role = max(dated, key=lambda item: (item[0].sort_key(), item[1] == "updated"))
        out["date"] = value.iso()
        out["date_basis"] = out[f"{role}_basis"]
    return out


def _label_role(label: str) -> str:
    first = label.lower().split()[-1] if label.split() else ""
    return (
        "published"
        if first in ("published", "posted", "date", "issued", "publication", "issue")
        else "updated"
    )


def _basis(role: str, value: DateValue, candidates, visible) -> tuple[str, DateValue]:
    """How htmldate's date was stated on the page; a visible "April 2016" keeps its month precision
    instead of htmldate's invented first day of the month."""
    same = [basis for r, v, basis in candidates if v == value and r == role]
    same = same or [basis for _r, v, basis in candidates if v == value]
    if same:
        return f"htmldate: {same[0]}", value
    for v, label, line in visible:
        if role == "published" and _label_role(label) == "updated":
            continue  # htmldate's "original" date read from an update line is no publication date
        if v == value or (v.day is None and (v.year, v.month) == (value.year, value.month)):
            return f"visible '{line}' line", v
    # htmldate read it from the page text or URL with nothing to confirm it: it fills in a missing
    # month or day with 01, so only the year is kept
    return "htmldate: page text (year only, not confirmed by the page)", DateValue(value.year)
