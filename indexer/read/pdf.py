"""Read the text of a letter file: PDF through pypdfium2, or plain text.

Every failure becomes `UnreadableLetter(path, reason)` with a reason a person can act on,
so the index build can list skipped files instead of stopping.
"""

from __future__ import annotations

from pathlib import Path

import pypdfium2 as pdfium
import pypdfium2.raw as pdfium_c

from indexer.letter import UnreadableLetter

PDF_MAGIC = b"%PDF-"
# The header may follow a little junk (some writers prepend bytes); PDF readers look
# in the first kilobyte, and so do we.
HEADER_WINDOW = 1024
# '%%EOF' closes every complete PDF; writers may append a few bytes after it.
TRAILER_WINDOW = 2048
# Size caps: a real letter is a few hundred kilobytes at most, so anything far larger is
# refused before it is read, instead of holding its bytes and parsing them for seconds.
MAX_FILE_BYTES = 50 * 1024 * 1024
MAX_TEXT_BYTES = 8 * 1024 * 1024  # for .txt files and for the text a PDF yields
MAX_PAGES = 1000

_LOAD_ERRORS = {
    pdfium_c.FPDF_ERR_FILE: "file could not be opened",
    pdfium_c.FPDF_ERR_FORMAT: "corrupt PDF (PDFium cannot parse its structure)",
    pdfium_c.FPDF_ERR_PASSWORD: "password needed: the PDF does not open with an empty password",
    pdfium_c.FPDF_ERR_SECURITY: "unsupported PDF security handler",
    pdfium_c.FPDF_ERR_PAGE: "corrupt PDF (page not found or has an error)",
}


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MB"


def check_size(path: Path, limit: int = MAX_FILE_BYTES) -> None:
    """Raise UnreadableLetter when a file is missing or larger than limit bytes."""
    try:
        size = path.stat().st_size
    except OSError as error:
        raise UnreadableLetter(path, f"cannot read file: {error.strerror or error}") from error
    check_limit(path, size, limit)


def check_limit(path: Path, size: int, limit: int) -> None:
    """Raise UnreadableLetter when size bytes exceed limit."""
    if size > limit:
        raise UnreadableLetter(
            path, f"file too large: {_megabytes(size)}, the limit is {_megabytes(limit)}"
        )


def _check_bytes(path: Path, data: bytes) -> None:
    """Raise for files that are empty, not PDFs, or cut short."""
    if not data.strip():
        raise UnreadableLetter(path, "empty file")
    if PDF_MAGIC not in data[:HEADER_WINDOW]:
        raise UnreadableLetter(path, "not a PDF: no %PDF- header in the first kilobyte")
    if b"%%EOF" not in data[-TRAILER_WINDOW:]:
        raise UnreadableLetter(path, "truncated PDF: no %%EOF marker at the end of the file")


def _open(path: Path, data: bytes) -> pdfium.PdfDocument:
    try:
        return pdfium.PdfDocument(data, password="")
    except pdfium.PdfiumError as error:
        reason = _LOAD_ERRORS.get(error.err_code or 0, f"corrupt PDF ({error})")
        raise UnreadableLetter(path, reason) from error


def _page_texts(path: Path, document: pdfium.PdfDocument) -> list[str]:
    texts: list[str] = []
    try:
        for index in range(len(document)):
            page = document[index]
            textpage = page.get_textpage()
            texts.append(textpage.get_text_range())
            textpage.close()
            page.close()
    except pdfium.PdfiumError as error:
        raise UnreadableLetter(path, f"corrupt PDF: page {len(texts) + 1}: {error}") from error
    return texts


def _read(path: Path, limit: int) -> bytes:
    check_size(path, limit)
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableLetter(path, f"cannot read file: {error.strerror or error}") from error


def extract_text(path: Path) -> str:
    """Return the text of every page of a PDF, pages joined with a newline."""
    return pdf_text(path, _read(path, MAX_FILE_BYTES))


def pdf_text(path: Path, data: bytes) -> str:
    """Return the text of a PDF's bytes (path names the file in errors)."""
    _check_bytes(path, data)
    document = _open(path, data)
    try:
        if len(document) == 0:
            raise UnreadableLetter(path, "corrupt PDF: no pages")
        if len(document) > MAX_PAGES:
            raise UnreadableLetter(
                path, f"too many pages: {len(document)}, the limit is {MAX_PAGES}"
            )
        texts = _page_texts(path, document)
    finally:
        document.close()
    if not any(text.strip() for text in texts):
        raise UnreadableLetter(path, f"no text layer (scanned?): {len(texts)} page(s) without text")
    joined = "\n".join(texts)
    if len(joined) > MAX_TEXT_BYTES:
        raise UnreadableLetter(
            path, f"text too long: {len(joined):,} characters, the limit is {MAX_TEXT_BYTES:,}"
        )
    return joined


def read_text_file(path: Path) -> str:
    """Return a text file's content, decoded as UTF-8 or else Windows-1252."""
    return decode_text(path, _read(path, MAX_TEXT_BYTES))


def decode_text(path: Path, data: bytes) -> str:
    """Decode a text letter's bytes as UTF-8 or else Windows-1252 (path names it in errors)."""
    check_limit(path, len(data), MAX_TEXT_BYTES)
    if not data.strip():
        raise UnreadableLetter(path, "empty file")
    if b"\x00" in data:
        raise UnreadableLetter(path, "undecodable text: contains NUL bytes (binary file?)")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise UnreadableLetter(
            path, f"undecodable text: neither UTF-8 nor Windows-1252 (byte {error.start})"
        ) from error
