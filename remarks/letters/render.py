"""PDFs of letters and receipts, drawn with fpdf2 from their snapshots alone.

Nothing here reads the database: what a document says was fixed when it was issued. The
fonts are vendored (DejaVu Sans, which covers every Kazakh and Russian letter) so that every
machine draws the same glyphs.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import qrcode
from fpdf import FPDF

FONTS = Path(__file__).resolve().parent / "fonts"
FAMILY = "DejaVu"
MARGIN = 20
QR_SIZE = 32


def _document(title: str, issued: dt.date) -> FPDF:
    pdf = FPDF(format="A4")
    pdf.add_font(FAMILY, "", str(FONTS / "DejaVuSans.ttf"))
    pdf.add_font(FAMILY, "B", str(FONTS / "DejaVuSans-Bold.ttf"))
    pdf.set_margins(MARGIN, MARGIN, MARGIN)
    pdf.set_auto_page_break(True, margin=MARGIN)
    # The document's own date, not the moment of drawing: rendering it again gives the same file.
    pdf.set_creation_date(dt.datetime.combine(issued, dt.time(12, 0), tzinfo=dt.UTC))
    pdf.set_title(title)
    pdf.set_producer("Digital commissioners' remarks tracker")
    pdf.add_page()
    return pdf


def qr_png(text: str) -> io.BytesIO:
    image = qrcode.make(text, box_size=6, border=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    out.seek(0)
    return out


def _text(pdf: FPDF, text: str, *, size: float = 11, bold: bool = False, align: str = "L", gap: float = 1.5):
    pdf.set_font(FAMILY, "B" if bold else "", size)
    pdf.multi_cell(0, size * 0.5, text, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(gap)


def _verification(pdf: FPDF, *, url: str, lines: list[str]) -> None:
    if pdf.get_y() > pdf.h - MARGIN - QR_SIZE - 4:
        pdf.add_page()
    pdf.ln(4)
    top = pdf.get_y()
    pdf.image(qr_png(url), x=MARGIN, y=top, w=QR_SIZE, h=QR_SIZE)
    pdf.set_xy(MARGIN + QR_SIZE + 4, top)
    pdf.set_font(FAMILY, "", 8.5)
    pdf.multi_cell(0, 4.2, "\n".join([*lines, url]), new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(pdf.get_y(), top + QR_SIZE))


def _date(iso: str) -> str:
    return dt.date.fromisoformat(iso).strftime("%d.%m.%Y")


def letter_pdf(content: dict) -> bytes:
    """The official letter: letterhead, number and date, addressee, the remark, the answer,
    the right to dispute it, the signature, and how to check it."""
    codes, labels = content["languages"], content["labels"]
    pdf = _document(content["outgoing_number"], dt.date.fromisoformat(content["date"]))
    pdf.set_lang(codes[0])
    _text(pdf, "\n".join(content["letterhead"][c] for c in codes), size=13, bold=True, align="C", gap=2)
    pdf.set_draw_color(60, 60, 60)
    pdf.line(MARGIN, pdf.get_y(), pdf.w - MARGIN, pdf.get_y())
    pdf.ln(4)
    number = " / ".join(labels[c]["outgoing"] for c in codes)
    date = " / ".join(labels[c]["date"] for c in codes)
    _text(pdf, f"{number} {content['outgoing_number']}\n{date}: {_date(content['date'])}", bold=True)
    _text(pdf, f"{' / '.join(labels[c]['to'] for c in codes)}: {content['addressee']}", align="R", gap=3)
    _text(pdf, f"{' / '.join(labels[c]['re'] for c in codes)} {content['reference']}: {content['title']}",
          bold=True, gap=3)
    if content.get("supersedes"):
        _text(pdf, "\n".join(f"{labels[c]['corrects']} {content['supersedes']}" for c in codes), bold=True, gap=3)
    _text(pdf, content["body"], gap=4)
    if content.get("contributors"):
        _text(pdf, "\n".join(f"{labels[c]['contributors']}: {', '.join(content['contributors'][c])}" for c in codes),
              gap=4)
    for code in codes:
        _text(pdf, content["dispute"][code], size=10, gap=2)
    pdf.ln(6)
    positions = "\n".join(content["signer"]["position"][c] for c in codes)
    _text(pdf, f"{positions}\n{content['signer']['name']}", bold=True)
    _verification(pdf, url=content["verify_url"], lines=[
        " / ".join(labels[c]["verify"] for c in codes),
        f"{' / '.join(labels[c]['code'] for c in codes)}: {content['code']}",
        *(labels[c]["no_signature"] for c in codes),
    ])
    return bytes(pdf.output())


def receipt_pdf(content: dict) -> bytes:
    """The receipt (талон) of a filed remark, from `receipts.receipt_content`."""
    codes, labels = content["languages"], content["labels"]
    pdf = _document(content["reference"], dt.date.fromisoformat(content["registered_on"]))
    _text(pdf, "\n".join(labels[c]["receipt"] for c in codes), size=14, bold=True, align="C", gap=4)
    rows = [("reference", content["reference"]), ("filed", content["submitted_at"]),
            ("registered", _date(content["registered_on"])), ("body", content["body"]),
            ("due", _date(content["due_date"])), ("author", content["author"])]
    for key, value in rows:
        _text(pdf, f"{' / '.join(labels[c][key] for c in codes)}: {value}", gap=1)
    pdf.ln(3)
    _text(pdf, "\n".join(labels[c]["snapshot"] for c in codes), size=9)
    _verification(pdf, url=content["verify_url"], lines=[f"{' / '.join(labels[c]['code'] for c in codes)}: "
                                                          f"{content['code']}"])
    return bytes(pdf.output())
