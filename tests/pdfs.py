"""Reading the generated PDFs back in tests, with Python packages only.

pypdf reads the page count, the metadata and the font dictionaries; pypdfium2
(PDFium, shipped inside its wheel) reads the text with each character's box
and renders pages to images. No test needs a program that a fresh machine
may lack.

`text` lays each page out as lines from the top of the page to the bottom,
like a layout-preserving text dump: pieces of text on the same line of the
page (the cells of a table row, a right-aligned page number) come out on one
line, left to right, and each page ends with a form feed.
"""

import io
import itertools
from dataclasses import dataclass
from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_raw
from PIL import Image
from pypdf import PdfReader
from pypdf.generic import DictionaryObject, IndirectObject

Source = Path | str | bytes

# A gap wider than this (in points) between two pieces on one line is shown
# as a run of spaces, as a column gap is in a layout dump.
COLUMN_GAP = 6.0
FONT_FILES = ("/FontFile", "/FontFile2", "/FontFile3")


@dataclass(frozen=True)
class Word:
    text: str
    left: float
    bottom: float
    right: float
    top: float


@dataclass(frozen=True)
class PageWords:
    width: float
    height: float
    words: list[Word]


@dataclass
class _Piece:
    """A run of characters that PDFium put on one line, with its box."""

    chars: list[str]
    left: float = float("inf")
    bottom: float = float("inf")
    right: float = float("-inf")
    top: float = float("-inf")

    def add(self, char: str, box: tuple[float, float, float, float]) -> None:
        self.chars.append(char)
        if not char.isspace():
            left, bottom, right, top = box
            self.left, self.bottom = min(self.left, left), min(self.bottom, bottom)
            self.right, self.top = max(self.right, right), max(self.top, top)

    @property
    def text(self) -> str:
        return _from_utf16_units(self.chars).strip()


def _from_utf16_units(chars: list[str]) -> str:
    # PDFium gives a character outside the BMP (an emoji) as two UTF-16 surrogates.
    return "".join(chars).encode("utf-16-le", "surrogatepass").decode("utf-16-le")


def _document(source: Source) -> pdfium.PdfDocument:
    return pdfium.PdfDocument(source if isinstance(source, bytes) else str(source))


def _reader(source: Source) -> PdfReader:
    return PdfReader(io.BytesIO(source) if isinstance(source, bytes) else str(source))


def _chars(textpage):
    """Each character of a page with its loose box (advance width by the
    font's ascent and descent), in PDFium's reading order; PDFium's own line
    breaks come as "\\n"."""
    for index in range(textpage.count_chars()):
        char = chr(pdfium_raw.FPDFText_GetUnicode(textpage, index))
        if char in "\r\n":
            if char == "\n":
                yield "\n", None
            continue
        yield char, textpage.get_charbox(index, loose=True)


def _pieces(page) -> list[_Piece]:
    textpage = page.get_textpage()
    try:
        pieces, current = [], _Piece([])
        for char, box in _chars(textpage):
            if box is None:
                pieces.append(current)
                current = _Piece([])
            else:
                current.add(char, box)
        pieces.append(current)
    finally:
        textpage.close()
    return [piece for piece in pieces if piece.text]


def _lines(pieces: list[_Piece]) -> list[str]:
    """Pieces whose vertical middles fall within each other's height share a
    line of the page; lines go top to bottom, pieces left to right."""
    rows: list[list[_Piece]] = []
    for piece in sorted(pieces, key=lambda p: (-p.top, p.left)):
        middle = (piece.top + piece.bottom) / 2
        for row in rows:
            first = row[0]
            if first.bottom <= middle <= first.top:
                row.append(piece)
                break
        else:
            rows.append([piece])
    lines = []
    for row in rows:
        row.sort(key=lambda p: p.left)
        line = row[0].text
        for before, piece in itertools.pairwise(row):
            line += ("   " if piece.left - before.right > COLUMN_GAP else " ") + piece.text
        lines.append(line)
    return lines


def text(source: Source) -> str:
    """The PDF's text, page by page, each page ending with a form feed."""
    document = _document(source)
    try:
        return "".join("\n".join(_lines(_pieces(page))) + "\n\f" for page in document)
    finally:
        document.close()


def pages(source: Source) -> int:
    return len(_reader(source).pages)


def metadata(source: Source) -> dict:
    return dict(_reader(source).metadata or {})


def words(source: Source) -> list[PageWords]:
    """Every word of every page with its box, in PDF points from the page's
    bottom left corner (a word ends at white space or a line break)."""
    document = _document(source)
    result = []
    try:
        for page in document:
            textpage = page.get_textpage()
            found, current = [], _Piece([])
            try:
                for char, box in _chars(textpage):
                    if box is None or char.isspace():
                        found.append(current)
                        current = _Piece([])
                    else:
                        current.add(char, box)
                found.append(current)
            finally:
                textpage.close()
            result.append(
                PageWords(
                    width=page.get_width(),
                    height=page.get_height(),
                    words=[Word(w.text, w.left, w.bottom, w.right, w.top) for w in found if w.text],
                )
            )
    finally:
        document.close()
    return result


def fonts(source: Source) -> dict[str, bool]:
    """Every font the pages use (in their resources, and in those of the
    forms they draw), by base font name: whether its program is embedded,
    that is whether its font descriptor has a /FontFile, /FontFile2 or
    /FontFile3. A composite (Type 0) font is judged by its descendant."""
    found: dict[str, bool] = {}
    seen: set[int] = set()

    def resolve(value):
        return value.get_object() if isinstance(value, IndirectObject) else value

    def visit(resources) -> None:
        resources = resolve(resources)
        if not isinstance(resources, DictionaryObject) or id(resources) in seen:
            return
        seen.add(id(resources))
        for font in resolve(resources.get("/Font", DictionaryObject())).values():
            font = resolve(font)
            described = font
            if font.get("/Subtype") == "/Type0":
                described = resolve(resolve(font["/DescendantFonts"])[0])
            descriptor = resolve(described.get("/FontDescriptor"))
            name = str(font.get("/BaseFont", "?"))
            if font.get("/Subtype") == "/Type3":
                embedded = True  # its glyphs are drawn in the PDF itself
            else:  # a standard font (Helvetica…) has no descriptor and is not embedded
                embedded = descriptor is not None and any(key in descriptor for key in FONT_FILES)
            found[name] = found.get(name, True) and embedded
        for xobject in resolve(resources.get("/XObject", DictionaryObject())).values():
            xobject = resolve(xobject)
            if xobject.get("/Subtype") == "/Form":
                visit(xobject.get("/Resources"))

    for page in _reader(source).pages:
        visit(page.get("/Resources"))
    return found


def page_image(source: Source, *, page: int = 0, dpi: int = 150) -> Image.Image:
    """One page rendered to an image at `dpi` dots per inch."""
    document = _document(source)
    try:
        bitmap = document[page].render(scale=dpi / 72)
        image = bitmap.to_pil()
        image.load()
        return image.copy()
    finally:
        document.close()
