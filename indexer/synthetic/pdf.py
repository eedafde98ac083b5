"""A minimal text PDF writer for synthetic letters (Helvetica, one text object per page).

pypdfium2 reads PDFs but does not lay out text, so the few synthetic PDFs are written by hand:
a catalog, a page tree, one content stream per page and the standard Helvetica font, which
every reader has built in. The letters are ASCII, so WinAnsiEncoding covers them.
"""

from __future__ import annotations

LINES_PER_PAGE = 60
FONT_SIZE = 9
LEADING = 11.5
LEFT = 40
TOP = 760
PAGE_WIDTH = 612
PAGE_HEIGHT = 792


def _escape(line: str) -> str:
    ascii_line = line.encode("ascii", "replace").decode("ascii")
    return ascii_line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def _page_stream(lines: list[str]) -> bytes:
    parts = [f"BT /F1 {FONT_SIZE} Tf {LEADING} TL {LEFT} {TOP} Td"]
    for number, line in enumerate(lines):
        if number:
            parts.append("T*")
        if line:
            parts.append(f"({_escape(line)}) Tj")
    parts.append("ET")
    return "\n".join(parts).encode("ascii")


def text_pdf(lines: list[str]) -> bytes:
    """Return the bytes of a PDF showing the lines in order, LINES_PER_PAGE to a page."""
    pages = [lines[i : i + LINES_PER_PAGE] for i in range(0, len(lines), LINES_PER_PAGE)] or [[]]
    first_page = 4  # objects 1-3: catalog, page tree, font
    kids = " ".join(f"{first_page + 2 * n} 0 R" for n in range(len(pages)))
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode("ascii"),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    for n, page_lines in enumerate(pages):
        content = first_page + 2 * n + 1
        objects.append(
            (
                f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 {PAGE_WIDTH} {PAGE_HEIGHT}] "
                f"/Resources << /Font << /F1 3 0 R >> >> /Contents {content} 0 R >>"
            ).encode("ascii")
        )
        stream = _page_stream(page_lines)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets: list[int] = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref_at,
    )
    return bytes(out)
