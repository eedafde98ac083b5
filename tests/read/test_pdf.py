"""Text extraction from PDF and plain-text letters, and the errors for unusable files."""

from __future__ import annotations

import hashlib
import random
from pathlib import Path

import pypdfium2 as pdfium
import pytest

from indexer.letter import UnreadableLetter
from indexer.read.pdf import extract_text, read_text_file


def _corpus_pdfs(corpus_dir: Path) -> list[Path]:
    pdfs = sorted((corpus_dir / "letters").glob("*.pdf"))
    assert pdfs, f"no PDFs in {corpus_dir / 'letters'}"
    return pdfs


def test_every_corpus_pdf_opens_with_the_empty_password(corpus_dir: Path) -> None:
    for path in _corpus_pdfs(corpus_dir):
        text = extract_text(path)
        assert "IMR ISSUES, DECISIONS AND RATIONALES" in text, path.name
        assert "Decision rationale:" in text, path.name


def test_pages_are_joined_with_a_newline(corpus_dir: Path) -> None:
    path = max(_corpus_pdfs(corpus_dir), key=lambda p: p.stat().st_size)
    document = pdfium.PdfDocument(path, password="")
    pages = [document[i].get_textpage().get_text_range() for i in range(len(document))]
    document.close()
    assert len(pages) > 1
    assert extract_text(path) == "\n".join(pages)


def _reason(path: Path) -> str:
    with pytest.raises(UnreadableLetter) as caught:
        extract_text(path)
    assert caught.value.path == path
    return caught.value.reason


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.pdf"
    path.write_bytes(b"")
    assert _reason(path) == "empty file"


def test_random_bytes_are_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "noise.pdf"
    path.write_bytes(random.Random(7).randbytes(4096))
    assert _reason(path).startswith("not a PDF")


def test_text_with_pdf_suffix_is_not_a_pdf(tmp_path: Path) -> None:
    path = tmp_path / "letter.pdf"
    path.write_text("Case Number: CM16-0000001\n", encoding="utf-8")
    assert _reason(path).startswith("not a PDF")


@pytest.mark.parametrize("keep", [0.2, 0.5, 0.95], ids=["fifth", "half", "most"])
def test_truncated_pdf(corpus_dir: Path, tmp_path: Path, keep: float) -> None:
    data = _corpus_pdfs(corpus_dir)[0].read_bytes()
    path = tmp_path / "cut.pdf"
    path.write_bytes(data[: int(len(data) * keep)])
    assert _reason(path).startswith("truncated PDF")


def test_corrupt_body_with_intact_ends(tmp_path: Path) -> None:
    path = tmp_path / "corrupt.pdf"
    path.write_bytes(b"%PDF-1.7\n" + random.Random(3).randbytes(2000) + b"\n%%EOF\n")
    assert _reason(path).startswith("corrupt PDF")


def test_pdf_without_text_layer(tmp_path: Path) -> None:
    path = tmp_path / "scanned.pdf"
    document = pdfium.PdfDocument.new()
    document.new_page(612, 792)
    document.new_page(612, 792)
    document.save(path)
    document.close()
    assert _reason(path) == "no text layer (scanned?): 2 page(s) without text"


def test_missing_file(tmp_path: Path) -> None:
    assert _reason(tmp_path / "absent.pdf").startswith("cannot read file")


def test_read_text_file_utf8(tmp_path: Path) -> None:
    path = tmp_path / "a.txt"
    path.write_bytes("Décision – ok\n".encode())
    assert read_text_file(path) == "Décision – ok\n"


def test_read_text_file_drops_utf8_bom(tmp_path: Path) -> None:
    path = tmp_path / "bom.txt"
    path.write_bytes(b"\xef\xbb\xbfCase Number")
    assert read_text_file(path) == "Case Number"


def test_read_text_file_falls_back_to_cp1252(tmp_path: Path) -> None:
    path = tmp_path / "w.txt"
    path.write_bytes(b"the patient\x92s \x93pain\x94 level")  # curly quotes in cp1252
    assert read_text_file(path) == "the patient\u2019s \u201cpain\u201d level"


@pytest.mark.parametrize(
    ("data", "start"),
    [
        pytest.param(b"", "empty file", id="empty"),
        pytest.param(b" \n\r\n\t", "empty file", id="whitespace-only"),
        # 0x81 and 0x8d are undefined in cp1252 and invalid as UTF-8 here.
        pytest.param(b"abc \x81\x8d\xff", "undecodable text: neither", id="undecodable"),
        pytest.param(b"IMR\x00\x00letter", "undecodable text: contains NUL", id="nul-bytes"),
    ],
)
def test_read_text_file_rejects(tmp_path: Path, data: bytes, start: str) -> None:
    path = tmp_path / "bad.txt"
    path.write_bytes(data)
    with pytest.raises(UnreadableLetter) as caught:
        read_text_file(path)
    assert caught.value.reason.startswith(start)


PASSWORD_PAD = bytes.fromhex("28bf4e5e4e758a4164004e56fffa01082e2e00b6d0683e802f0ca9fe6453697a")


def _rc4(key: bytes, data: bytes) -> bytes:
    state = list(range(256))
    j = 0
    for i in range(256):
        j = (j + state[i] + key[i % len(key)]) % 256
        state[i], state[j] = state[j], state[i]
    out = bytearray()
    i = j = 0
    for byte in data:
        i = (i + 1) % 256
        j = (j + state[i]) % 256
        state[i], state[j] = state[j], state[i]
        out.append(byte ^ state[(state[i] + state[j]) % 256])
    return bytes(out)


def _password_pdf(user_password: bytes) -> bytes:
    """Build a one-page PDF under the standard security handler, revision 2 (RC4-40)."""
    padded_user = (user_password + PASSWORD_PAD)[:32]
    owner_key = hashlib.md5(PASSWORD_PAD).digest()[:5]  # empty owner password
    owner = _rc4(owner_key, padded_user)
    file_id = b"0123456789abcdef"
    permissions = (-4).to_bytes(4, "little", signed=True)
    key = hashlib.md5(padded_user + owner + permissions + file_id).digest()[:5]
    user = _rc4(key, PASSWORD_PAD)
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        b"<< /Filter /Standard /V 1 /R 2 /O <%s> /U <%s> /P -4 >>"
        % (owner.hex().encode(), user.hex().encode()),
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R /Encrypt 4 0 R /ID [<%s> <%s>] >>\n" % (
        len(objects) + 1,
        file_id.hex().encode(),
        file_id.hex().encode(),
    )
    out += b"startxref\n%d\n%%%%EOF\n" % xref
    return bytes(out)


def test_pdf_needing_a_password(tmp_path: Path) -> None:
    path = tmp_path / "locked.pdf"
    path.write_bytes(_password_pdf(b"secret"))
    assert _reason(path).startswith("password needed")


def test_pdf_encrypted_with_the_empty_password_opens(tmp_path: Path) -> None:
    # The same construction with an empty user password is what the corpus letters use;
    # the page has no text, so it reaches the text-layer check.
    path = tmp_path / "open.pdf"
    path.write_bytes(_password_pdf(b""))
    assert _reason(path).startswith("no text layer")
