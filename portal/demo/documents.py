"""The files demo applicants upload: small, valid one-page PDFs that say they
are samples (the upload checks of core.files accept them like any PDF)."""
from __future__ import annotations

import io

from werkzeug.datastructures import FileStorage


def _escape(text: str) -> str:
    """ASCII text for a PDF string literal (Helvetica has no Cyrillic: anything else becomes "?")."""
    text = text.encode("ascii", "replace").decode("ascii")
    return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def sample_pdf(lines: list[str]) -> bytes:
    """A one-page A4 PDF showing ``lines`` (ASCII), with a correct cross-reference table."""
    text = ["BT", "/F1 14 Tf", "72 770 Td", "18 TL"]
    text += [f"({_escape(line)}) '" for line in lines]
    text.append("ET")
    content = "\n".join(text).encode("ascii")
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] "
        b"/Resources << /Font << /F1 4 0 R >> >> /Contents 5 0 R >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
    ]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref)
    return bytes(out)


def upload(name: str, lines: list[str]) -> FileStorage:
    """The PDF as a form upload gives it to the services."""
    return FileStorage(stream=io.BytesIO(sample_pdf(lines)), filename=name, content_type="application/pdf")
