"""PDF fixtures made on the fly with fpdf2 and pypdf: a multi-page advisory and broken PDFs.

Importable by any test or benchmark::

    from tests.pdf_fixtures import make_advisory_pdf
    make_advisory_pdf(tmp_path / "veloria.pdf", pages=3)

Every text is invented (the fictional Republic of Veloria); nothing is copied from real pages.
"""

from __future__ import annotations

import datetime as dt
import zlib
from pathlib import Path

HEADER = "Foreign Travel Office of Examplia - Veloria travel advisory"
CONTACT_FOOTER = "In an emergency in Veloria call 112"
CITIES = [
    ("Port Amsel", "102", "103"),
    ("Lake Morrow", "102", "103"),
    ("Estrel", "102", "103"),
]
SECTIONS = [
    (
        "Crime",
        "Pickpocketing is common on the tram lines of Port Amsel, especially on line 4 to the old harbour. "
        "Keep your passport in the hotel safe and carry a photocopy with you at all times.",
    ),
    (
        "Road safety",
        "Roads in the northern lake district are narrow and poorly lit after dark. Avoid driving between "
        "towns at night and watch for livestock on the road near Lake Morrow.",
    ),
    (
        "Natural disasters",
        "Spring floods close the Estrel valley road most years in April. Follow the instructions of the "
        "civil protection service, which broadcasts warnings on national radio.",
    ),
    (
        "Health",
        "Tap water in Port Amsel is safe to drink. Outside the capital, drink bottled water and carry "
        "insect repellent during the summer months.",
    ),
]


def make_advisory_pdf(
    path: Path | str,
    pages: int = 3,
    *,
    created: dt.datetime | None = dt.datetime(2024, 2, 1, 9, 30, tzinfo=dt.UTC),
    modified: dt.datetime | None = dt.datetime(2024, 3, 4, 16, 20, tzinfo=dt.UTC),
    dated_line: str | None = None,
    title: str = "Veloria travel advisory",
    author: str = "Foreign Travel Office of Examplia",
    contact_footer: bool = True,
) -> Path:
    """A ``pages``-page advisory: a running header, a "Page N of M" footer (plus an emergency-number
    footer line when ``contact_footer``), a heading per section, a table of emergency numbers on
    page 1, and /CreationDate and /ModDate metadata. ``dated_line`` (e.g. "Last updated: 4 March
    2024") is printed under the title."""
    from fpdf import FPDF

    class Advisory(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, HEADER, new_x="LMARGIN", new_y="NEXT", align="C")
            self.ln(4)

        def footer(self) -> None:
            self.set_y(-18)
            self.set_font("Helvetica", size=8)
            if contact_footer:
                self.cell(0, 5, CONTACT_FOOTER, new_x="LMARGIN", new_y="NEXT", align="C")
            self.cell(0, 5, f"Page {self.page_no()} of {{nb}}", align="C")

    pdf = Advisory()
    pdf.set_title(title)
    pdf.set_author(author)
    pdf.set_creator("waymark tests")
    if created is not None:
        pdf.set_creation_date(created)
    pdf.alias_nb_pages()
    pdf.add_page()
    pdf.set_font("Helvetica", "B", 18)
    pdf.cell(0, 10, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)
    if dated_line:
        pdf.cell(0, 7, dated_line, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    _heading(pdf, "Emergency numbers")
    _para(pdf, "Dial 112 from any phone for all emergency services. Local numbers by city:")
    with pdf.table(col_widths=(60, 40, 40), text_align="LEFT") as table:
        table.row(["City", "Police", "Ambulance"])
        for row in CITIES:
            table.row(list(row))
    pdf.ln(4)
    for n in range(1, pages):
        pdf.add_page()
        for heading, body in SECTIONS[(n - 1) % len(SECTIONS) :: max(1, pages - 1)][:2] or [SECTIONS[0]]:
            _heading(pdf, f"{heading}" if n <= len(SECTIONS) else f"{heading} ({n})")
            _para(pdf, body)
    pdf.output(str(path))
    if modified is not None:
        _set_mod_date(Path(path), modified)
    return Path(path)


def _heading(pdf, text: str) -> None:
    pdf.set_font("Helvetica", "B", 14)
    pdf.cell(0, 9, text, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=11)


def _para(pdf, text: str) -> None:
    pdf.multi_cell(0, 6, text, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)


def _pdf_date(when: dt.datetime) -> str:
    return when.strftime("D:%Y%m%d%H%M%S") + "Z"


def _set_mod_date(path: Path, when: dt.datetime) -> None:
    from pypdf import PdfReader, PdfWriter

    writer = PdfWriter(clone_from=PdfReader(path))
    writer.add_metadata({"/ModDate": _pdf_date(when)})
    writer.write(path)


def make_encrypted_pdf(path: Path | str, password: str = "secret") -> Path:
    from pypdf import PdfReader, PdfWriter

    plain = Path(path).with_suffix(".plain.pdf")
    make_advisory_pdf(plain, pages=1)
    writer = PdfWriter(clone_from=PdfReader(plain))
    writer.encrypt(user_password=password, owner_password=password + "-owner")
    writer.write(path)
    plain.unlink()
    return Path(path)


def make_scanned_pdf(path: Path | str, pages: int = 2) -> Path:
    """Image-only pages, as a scanner makes them: no text layer at all."""
    from fpdf import FPDF

    pdf = FPDF()
    for _ in range(pages):
        pdf.add_page()
        # a grey rectangle drawn as a tiny inline image stands in for the scanned page
        pdf.image(_png_bytes(), x=10, y=10, w=190, h=270)
    pdf.output(str(path))
    return Path(path)


def _png_bytes():
    import io
    import struct

    width, height = 8, 8
    raw = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))

    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    png = (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )
    return io.BytesIO(png)


def make_truncated_pdf(path: Path | str, keep: float = 0.4) -> Path:
    """A real advisory PDF cut short, like an interrupted download."""
    full = Path(path).with_suffix(".full.pdf")
    make_advisory_pdf(full, pages=3)
    data = full.read_bytes()
    full.unlink()
    Path(path).write_bytes(data[: int(len(data) * keep)])
    return Path(path)


def make_bomb_pdf(path: Path | str, decompressed_mb: int = 64) -> Path:
    """One page whose content stream inflates from a few hundred KiB to ``decompressed_mb`` MiB."""
    unit = b"BT /F1 12 Tf 72 720 Td (Police 102 Ambulance 103) Tj ET\n"
    comp = zlib.compressobj(9)
    body = bytearray()
    block = unit * (1_048_576 // len(unit))
    for _ in range(decompressed_mb):
        body += comp.compress(block)
    body += comp.flush()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(body) + bytes(body) + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for n, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    Path(path).write_bytes(bytes(out))
    return Path(path)


def make_city_contacts_pdf(
    path: Path | str, cities: tuple[str, ...] = ("Port Amsel", "Lake Morrow", "Estrel")
) -> Path:
    """One page per city, each opening with the same "Police: 102" / "Ambulance: 103" lines in body
    type under a small running header: the repeated numbers are content, the header is not."""
    from fpdf import FPDF

    class Contacts(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            self.cell(0, 6, HEADER, new_x="LMARGIN", new_y="NEXT", align="C")

        def footer(self) -> None:
            self.set_y(-15)
            self.set_font("Helvetica", size=8)
            self.cell(0, 5, f"Page {self.page_no()}", align="C")

    pdf = Contacts()
    for city in cities:
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.cell(0, 7, "Police: 102", new_x="LMARGIN", new_y="NEXT")
        pdf.cell(0, 7, "Ambulance: 103", new_x="LMARGIN", new_y="NEXT")
        _heading(pdf, city)
        _para(pdf, f"Emergency services in {city} answer around the clock in English and Velorian.")
    pdf.output(str(path))
    return Path(path)


DISTRICT_HEADER = "Veloria district guide, page {n} of {m}"


def make_district_pages_pdf(path: Path | str, pages: int = 4) -> Path:
    """One page per district, page N about district N: its first body line carries the page's own
    number ("District 3 duty officer: +37 21 555 1003") under a small running header that carries
    the page number too ("Veloria district guide, page 3 of 4")."""
    from fpdf import FPDF

    class Districts(FPDF):
        def header(self) -> None:
            self.set_font("Helvetica", size=8)
            text = DISTRICT_HEADER.format(n=self.page_no(), m="{nb}")
            self.cell(0, 6, text, new_x="LMARGIN", new_y="NEXT", align="C")

    pdf = Districts()
    pdf.alias_nb_pages()
    for n in range(1, pages + 1):
        pdf.add_page()
        pdf.set_font("Helvetica", size=11)
        pdf.cell(0, 7, f"District {n} duty officer: +37 21 555 {1000 + n}", new_x="LMARGIN", new_y="NEXT")
        _para(pdf, f"The duty officer of district {n} helps travellers who have lost their passport.")
    pdf.output(str(path))
    return Path(path)
