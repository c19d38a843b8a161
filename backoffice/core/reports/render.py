"""A report run's pages as HTML fragments (what the Galaxy data endpoint serves), a whole HTML
document, a PDF and an XLSX workbook.

Every renderer works from what a run stored: its columns (name, caption, type, enum) and each
page's rows as JSON values. Text is localized for the run's language (Greek and English).
"""

from __future__ import annotations

import html
import io
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from ..catalog import CATALOG, FieldType, localized
from ..errors import CoreError

BOM = "\ufeff"
NUMERIC = {FieldType.INT.value, FieldType.FLOAT.value, FieldType.MONEY.value}

_WORDS = {
    "yes": {"en": "Yes", "el": "Ναι"},
    "no": {"en": "No", "el": "Όχι"},
    "page": {"en": "Page {n} of {total}", "el": "Σελίδα {n} από {total}"},
    "empty": {"en": "No rows match the filters.", "el": "Καμία εγγραφή δεν ταιριάζει στα φίλτρα."},
}


def word(key: str, language: str, **values: Any) -> str:
    return localized(_WORDS[key], language).format(**values)


@dataclass(frozen=True)
class Column:
    """A stored output column: name, caption (in the run's language), type, enum, preferred width in pixels."""

    name: str
    caption: str
    type: str
    enum: str | None = None
    width: int = 100

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC and self.enum is None

    def as_json(self) -> dict[str, Any]:
        return {"name": self.name, "caption": self.caption, "type": self.type, "enum": self.enum,
                "width": self.width}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Column:
        return cls(str(data["name"]), str(data["caption"]), str(data["type"]), data.get("enum"),
                   int(data.get("width") or 100))


@dataclass(frozen=True)
class Document:
    """A finished run's pages (all, or a selection) with what rendering needs."""

    document_id: str
    title: str
    language: str
    columns: list[Column]
    total_pages: int
    pages: list[tuple[int, list[list[Any]]]]  # (page number, rows as JSON values in column order)


# --- values ---------------------------------------------------------------------------------------


def to_json(value: Any) -> Any:
    """A row value as a page stores it."""
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    return value


def typed(value: Any, column: Column) -> Any:
    """A stored value back as Python: numbers as numbers, date-times as datetimes."""
    if value is None:
        return None
    if column.type in (FieldType.DATETIME.value, FieldType.DATE.value) and isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return value
    if column.type in (FieldType.FLOAT.value, FieldType.MONEY.value) and isinstance(value, int | float | Decimal):
        return float(value)
    return value


def _number(value: float, decimals: int, language: str, trim: bool) -> str:
    text = f"{value:,.{decimals}f}"
    if trim and "." in text:
        text = text.rstrip("0").rstrip(".")
    if language.split("-")[0].lower() == "el":
        # Greek writes 1.234,56
        text = text.replace(",", "\0").replace(".", ",").replace("\0", ".")
    return text


def display(value: Any, column: Column, language: str) -> str:
    """A value as a reader sees it, in ``language``."""
    value = typed(value, column)
    if value is None:
        return ""
    greek = language.split("-")[0].lower() == "el"
    if column.type == FieldType.BOOL.value:
        return word("yes" if value else "no", language)
    if column.enum:
        try:
            entry = CATALOG.enums[column.enum].by_code(int(value))
        except (KeyError, ValueError, TypeError):
            return str(value)
        return localized(entry.labels, language, entry.name)
    if isinstance(value, datetime):
        day = value.strftime("%d/%m/%Y") if greek else value.strftime("%Y-%m-%d")
        return day if (value.hour, value.minute, value.second) == (0, 0, 0) else f"{day} {value:%H:%M}"
    if column.type == FieldType.MONEY.value and isinstance(value, int | float):
        return _number(float(value), 2, language, trim=False)
    if column.type == FieldType.FLOAT.value and isinstance(value, int | float):
        return _number(float(value), 4, language, trim=True)
    if column.type == FieldType.INT.value and isinstance(value, int):
        return _number(value, 0, language, trim=False)
    return str(value)


# --- HTML ---------------------------------------------------------------------------------------------


def page_fragment(document_id: str, title: str, language: str, columns: Sequence[Column],
                  rows: Sequence[Sequence[Any]], number: int, total: int) -> str:
    """One page as the seed serves it: U+FEFF, then a self-contained ``<table>`` (inline styles only)."""
    esc = html.escape
    parts = [f'{BOM}<table border="0" cellspacing="0" cellpadding="0" class="report" '
             f'data-document="{esc(document_id)}" data-page="{number}" data-pages="{total}" '
             f'style="border-collapse:collapse;font-family:sans-serif;font-size:12px">',
             f'<caption style="text-align:left;font-weight:bold;font-size:14px;padding:4px 0">{esc(title)}</caption>',
             "<thead><tr>"]
    for column in columns:
        align = "right" if column.numeric else "left"
        parts.append(f'<th style="text-align:{align};border-bottom:1px solid #000;padding:2px 6px;'
                     f'min-width:{column.width}px">{esc(column.caption)}</th>')
    parts.append("</tr></thead><tbody>")
    if not rows:
        parts.append(f'<tr><td colspan="{len(columns)}" style="padding:2px 6px">'
                     f"{esc(word('empty', language))}</td></tr>")
    for row in rows:
        parts.append("<tr>")
        for column, value in zip(columns, row, strict=True):
            align = "right" if column.numeric else "left"
            parts.append(f'<td style="text-align:{align};padding:2px 6px">{esc(display(value, column, language))}</td>')
        parts.append("</tr>")
    parts.append(f'</tbody><tfoot><tr><td colspan="{len(columns)}" style="text-align:right;padding:4px 6px;'
                 f'font-size:10px">{esc(word("page", language, n=number, total=total))}</td></tr></tfoot></table>')
    return "".join(parts)


def html_document(document: Document, fragments: Sequence[str]) -> str:
    """The selected pages as one HTML document (UTF-8), each page's table after the other."""
    body = "\n".join(f'<section class="page">{fragment.removeprefix(BOM)}</section>' for fragment in fragments)
    return (f'<!DOCTYPE html>\n<html lang="{html.escape(document.language)}"><head><meta charset="utf-8">'
            f"<title>{html.escape(document.title)}</title>"
            "<style>section.page{page-break-after:always;margin-bottom:24px}</style></head>"
            f"<body>\n{body}\n</body></html>\n")


# --- PDF ------------------------------------------------------------------------------------------------

# DejaVu Sans covers Latin, Greek and Cyrillic. Debian's fonts-dejavu-core installs it at the first
# path; the others are where Fedora and Arch put it.
FONT_CANDIDATES = (
    Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/dejavu/DejaVuSans.ttf"),
    Path("/usr/share/fonts/TTF/DejaVuSans.ttf"),
)


class FontMissing(CoreError):
    code = "FontMissing"


def find_font(font_path: Path | None = None) -> tuple[Path, Path]:
    """The regular and bold TTF files for PDFs (bold falls back to regular)."""
    candidates = [font_path] if font_path is not None else list(FONT_CANDIDATES)
    for regular in candidates:
        if regular.is_file():
            bold = regular.with_name(regular.stem + "-Bold" + regular.suffix)
            return regular, bold if bold.is_file() else regular
    raise FontMissing("No Unicode font for PDF reports: install the DejaVu fonts (Debian: fonts-dejavu-core) "
                      f"or give a TTF font (looked at {', '.join(str(c) for c in candidates)})")


# A4 landscape, in millimetres.
_PAGE_W, _MARGIN = 297.0, 10.0


def render_pdf(document: Document, *, font_path: Path | None = None) -> bytes:
    """The selected pages as a PDF (A4 landscape): each report page starts a sheet, with the title,
    the column captions and a footer; a page too long for the paper continues on the next sheet
    under the captions again. Cells hold one line each (text too wide for its column ends in "…")."""
    from fpdf import FPDF
    from fpdf.enums import XPos, YPos

    regular, bold = find_font(font_path)
    language = document.language
    title = document.title
    columns = document.columns

    class _PDF(FPDF):
        current = 1

        def footer(self) -> None:
            self.set_y(-8)
            self.set_font("Report", "", 7)
            self.cell(0, 4, f"{title} — {word('page', language, n=self.current, total=document.total_pages)}",
                      align="R")

    pdf = _PDF(orientation="L", unit="mm", format="A4")
    pdf.set_title(title)
    pdf.set_creator("backoffice")
    pdf.set_lang(language)
    pdf.add_font("Report", "", str(regular))
    pdf.add_font("Report", "B", str(bold))
    pdf.set_margins(_MARGIN, _MARGIN, _MARGIN)
    # Rows are placed by hand (plain cells are many times faster than fpdf2's table layout).
    pdf.set_auto_page_break(False)
    bottom = 210.0 - 12.0
    line = 4.2
    usable = _PAGE_W - 2 * _MARGIN
    total_width = sum(c.width for c in columns) or 1
    widths = [usable * c.width / total_width for c in columns]
    aligns = ["R" if c.numeric else "L" for c in columns]

    def fit(text: str, width: float) -> str:
        room = width - 2 * pdf.c_margin
        if pdf.get_string_width(text) <= room:
            return text
        while text and pdf.get_string_width(text + "…") > room:
            text = text[:-1]
        return text + "…"

    def sheet(with_title: bool) -> None:
        pdf.add_page()  # (this writes the previous sheet's footer)
        if with_title:
            pdf.set_font("Report", "B", 12)
            pdf.cell(0, 7, title, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        pdf.set_font("Report", "B", 7.5)
        # Captions may wrap: the header row is as tall as its tallest caption.
        lines = max(_line_count(pdf.multi_cell(w, line, c.caption, dry_run=True, output="LINES"))
                    for w, c in zip(widths, columns, strict=True))
        top = pdf.get_y()
        for width, column, align in zip(widths, columns, aligns, strict=True):
            pdf.multi_cell(width, line, column.caption, align=align, new_x=XPos.RIGHT, new_y=YPos.TOP,
                           max_line_height=line)
        pdf.set_xy(_MARGIN, top + lines * line)
        pdf.line(_MARGIN, pdf.get_y(), _MARGIN + usable, pdf.get_y())
        pdf.set_font("Report", "", 7.5)

    for number, rows in document.pages:
        sheet(with_title=True)
        pdf.current = number  # only now: starting this sheet wrote the previous one's footer
        for values in rows:
            if pdf.get_y() + line > bottom:
                sheet(with_title=False)
            for width, column, value, align in zip(widths, columns, values, aligns, strict=True):
                pdf.cell(width, line, fit(display(value, column, language), width), align=align)
            pdf.ln(line)
        if not rows:
            pdf.cell(0, 6, word("empty", language), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    return bytes(pdf.output())


def _line_count(lines: object) -> int:
    # multi_cell's answer is typed for every output mode; with output="LINES" it is the list of lines.
    return len(lines) if isinstance(lines, list) else 1


# --- XLSX ----------------------------------------------------------------------------------------------

_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def render_xlsx(document: Document) -> bytes:
    """The selected pages' rows as one worksheet: a header row of captions, then typed cells (numbers,
    dates, booleans); enum codes are shown by their label."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    book = Workbook(write_only=True)
    book.properties.title = document.title
    book.properties.creator = "backoffice"
    sheet = book.create_sheet(_SHEET_UNSAFE.sub(" ", document.title)[:31] or "Report")
    for index, column in enumerate(document.columns, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(8, min(60, column.width / 7))
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for column in document.columns:
        cell = WriteOnlyCell(sheet, value=column.caption)
        cell.font = bold
        header.append(cell)
    sheet.append(header)
    for _, rows in document.pages:
        for values in rows:
            out = []
            for column, value in zip(document.columns, values, strict=True):
                cell = WriteOnlyCell(sheet, value=_xlsx_value(value, column, document.language))
                if isinstance(cell.value, str):
                    # Text stays text: a value starting with "=" is not run as a formula.
                    cell.data_type = "s"
                if column.type == FieldType.MONEY.value:
                    cell.number_format = "#,##0.00"
                elif isinstance(cell.value, datetime):
                    cell.number_format = ("yyyy-mm-dd" if (cell.value.hour, cell.value.minute) == (0, 0)
                                          else "yyyy-mm-dd hh:mm")
                out.append(cell)
            sheet.append(out)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _xlsx_value(value: Any, column: Column, language: str) -> Any:
    if column.enum and value is not None:
        return display(value, column, language)
    return typed(value, column)
