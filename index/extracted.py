"""What a loader hands to indexing: the extracted text, its block layout and the metadata found.

The extracted text is what Waymark stores and quotes: every passage offset points into it. Loaders
build it block by block with ``TextBuilder`` so headings, paragraphs, list items and table rows are
known from the document's own structure instead of being guessed from line lengths.
"""

from __future__ import annotations

from dataclasses import dataclass, field

# Block kinds: "heading" names a section; "para" is split into sentences; "item" is one list item;
# "list" is a short line such as a table row or an address line.
KINDS = ("heading", "para", "item", "list")


@dataclass
class Extracted:
    text: str
    layout: tuple[tuple[int, int, str], ...] = ()
    meta: dict = field(default_factory=dict)


class TextBuilder:
    """Append blocks separated by a blank line (table rows and list items by a line break)."""

    def __init__(self) -> None:
        self.parts: list[str] = []
        self.length = 0
        self.layout: list[tuple[int, int, str]] = []
        self.pages: list[tuple[int, int]] = []
        self._last_kind = ""
        self._pending_page: int | None = None

    def add(self, text: str, kind: str) -> None:
        text = text.strip()
        if not text:
            return
        if kind not in KINDS:
            raise ValueError(kind)
        if self.parts:
            tight = kind in ("list", "item") and self._last_kind == kind
            self._write("\n" if tight else "\n\n")
        start = self.length
        if self._pending_page is not None:
            self.pages.append((start, self._pending_page))
            self._pending_page = None
        self._write(text)
        self.layout.append((start, self.length, kind))
        self._last_kind = kind

    def page(self, number: int) -> None:
        """The next block starts page ``number``; a passage finds its page from these marks."""
        self._pending_page = number
        self._last_kind = ""

    def _write(self, text: str) -> None:
        self.parts.append(text)
        self.length += len(text)

    def build(self, meta: dict | None = None) -> Extracted:
        text = "".join(self.parts)
        meta = dict(meta or {})
        if self.pages:
            meta["pages"] = list(self.pages)
        return Extracted(text + "\n" if text else "", tuple(self.layout), meta)


def row_text(cells: list[str], *, head: bool = False) -> str:
    """A table row as one plain line, no pipes: "Police: 102" for a label and a value; a header row
    or a wider row joins its cells with " / "."""
    if len(cells) == 2 and not head and not cells[0].endswith(":"):
        return f"{cells[0]}: {cells[1]}"
    return " / ".join(cells)
