"""The faces the ledger's PDFs are set in, embedded in each document.

Text is set in DejaVu Sans (Debian's fonts-dejavu-core): Latin beyond Latin-1, Greek and Cyrillic keep their
letters. Runs of letters DejaVu lacks are set in the first fallback face that has them, chosen letter by letter:
Droid Sans Fallback (fonts-droid-fallback: Chinese, Japanese), then Nanum Gothic (fonts-nanum: Korean). The image
installs all three. PDF's built-in Helvetica
knows only Latin-1 and would draw "Łukasz" without its Ł; it is used only where DejaVu is not installed, with a
warning at the first document. Not covered: right-to-left scripts (reportlab neither reorders nor shapes them).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import cache
from itertools import groupby
from pathlib import Path
from xml.sax.saxutils import escape

from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont

log = logging.getLogger(__name__)
FONT_DIRS = (Path("/usr/share/fonts/truetype/dejavu"), Path("/usr/share/fonts/dejavu"))  # Debian; Fedora, Alpine
# (face name, Debian's file), in the order they are tried
FALLBACKS = (
    ("DroidSansFallback", Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf")),
    ("NanumGothic", Path("/usr/share/fonts/truetype/nanum/NanumGothic.ttf")),
)
REGULAR, BOLD = "DejaVuSans", "DejaVuSans-Bold"
LATIN_1 = frozenset(range(256))


@dataclass(frozen=True)
class Faces:
    regular: str
    bold: str
    covered: frozenset[int]  # the code points the regular face draws
    fallbacks: tuple[tuple[str, frozenset[int]], ...]  # the installed fallback faces and what each draws

    def face_of(self, letter: str) -> str | None:
        """The fallback face to set the letter in; None: the regular face (it has it, or nobody does)."""
        point = ord(letter)
        if point in self.covered or letter.isspace():
            return None
        return next((name for name, covered in self.fallbacks if point in covered), None)


@cache
def faces() -> Faces:
    """The faces, registered with reportlab once: DejaVu Sans (else Helvetica) and the installed fallbacks."""
    fallbacks = []
    for name, path in FALLBACKS:
        if path.is_file():
            face = TTFont(name, str(path))
            pdfmetrics.registerFont(face)
            fallbacks.append((name, frozenset(face.face.charToGlyph)))
    for folder in FONT_DIRS:
        regular, bold = folder / f"{REGULAR}.ttf", folder / f"{BOLD}.ttf"
        if regular.is_file() and bold.is_file():
            face = TTFont(REGULAR, str(regular))
            pdfmetrics.registerFont(face)
            pdfmetrics.registerFont(TTFont(BOLD, str(bold)))
            pdfmetrics.registerFontFamily(REGULAR, normal=REGULAR, bold=BOLD, italic=REGULAR, boldItalic=BOLD)
            return Faces(REGULAR, BOLD, frozenset(face.face.charToGlyph), tuple(fallbacks))
    log.warning(
        "DejaVu Sans is not installed (apt-get install fonts-dejavu-core): PDFs are set in Helvetica, which has no "
        "letters beyond Latin-1"
    )
    return Faces("Helvetica", "Helvetica-Bold", LATIN_1, tuple(fallbacks))


def marked(value: object) -> str:
    """The text as Paragraph markup: escaped, each run of letters the main face lacks set in a fallback face."""
    found = faces()
    return "".join(
        f'<font name="{face}">{escape("".join(run))}</font>' if face else escape("".join(run))
        for face, run in groupby(str(value), key=found.face_of)
    )
