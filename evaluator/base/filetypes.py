"""What kind of file some bytes are, read from the bytes themselves (their magic numbers), never
from a name or a Content-Type a client chose.  Only the kinds evidence may be: PDF, PNG, JPEG
and Office documents (OOXML, OpenDocument, the legacy binary formats).

A zip is opened only to list its members and to read the few bytes of an OpenDocument's
`mimetype` member: nothing is decompressed beyond that, so a zip bomb costs nothing."""

from __future__ import annotations

import io
import unicodedata
import zipfile

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PPTX = "application/vnd.openxmlformats-officedocument.presentationml.presentation"
DOC = "application/msword"
XLS = "application/vnd.ms-excel"
PPT = "application/vnd.ms-powerpoint"
ODF = (
    "application/vnd.oasis.opendocument.text",
    "application/vnd.oasis.opendocument.spreadsheet",
    "application/vnd.oasis.opendocument.presentation",
)
# the main part that tells an OOXML package's kind
OOXML_PARTS = {"word/document.xml": DOCX, "xl/workbook.xml": XLSX, "ppt/presentation.xml": PPTX}
# the legacy binary formats share one container (OLE2): the extension says which of the three
LEGACY_BY_SUFFIX = {".doc": DOC, ".xls": XLS, ".ppt": PPT}
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ALLOWED_TEXT = "PDF, PNG, JPEG or an Office document (Word, Excel, PowerPoint, OpenDocument)"


class NotAllowedType(ValueError):
    """Bytes that are none of the allowed kinds; the message says what is allowed."""


def evidence_media_type(content: bytes, name: str) -> str:
    """The media type of an evidence file, or NotAllowedType."""
    if content.startswith(b"%PDF-"):
        return PDF
    if content.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if content.startswith(b"\xff\xd8\xff"):
        return JPEG
    if content.startswith(b"PK\x03\x04"):
        return _zipped_office(content)
    if content.startswith(OLE2):
        suffix = name[name.rfind(".") :].lower() if "." in name else ""
        if suffix in LEGACY_BY_SUFFIX:
            return LEGACY_BY_SUFFIX[suffix]
        raise NotAllowedType(
            "a legacy Office container whose name does not end in .doc, .xls or .ppt;"
            f" allowed: {ALLOWED_TEXT}"
        )
    raise NotAllowedType(f"the content is not {ALLOWED_TEXT}")


def _zipped_office(content: bytes) -> str:
    try:
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            names = set(archive.namelist())
            if "vbaProject.bin" in {n.rsplit("/", 1)[-1] for n in names}:
                raise NotAllowedType("an Office document with macros is not accepted as evidence")
            if "[Content_Types].xml" in names:
                for part, media in OOXML_PARTS.items():
                    if part in names:
                        return media
            if "mimetype" in names and archive.getinfo("mimetype").file_size <= 100:
                declared = archive.read("mimetype").decode("ascii", "replace").strip()
                if declared in ODF:
                    return declared
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, EOFError, NotImplementedError) as error:
        raise NotAllowedType(f"a damaged zip file ({type(error).__name__})") from None
    raise NotAllowedType(f"a zip file that is not an Office document; allowed: {ALLOWED_TEXT}")


def clean_file_name(raw: str, max_chars: int) -> str:
    """A client's file name as it may be stored and shown: the last path component only (a
    browser or a hostile client may send `../../x.pdf` or `C:\\dir\\x.pdf`), NFC, no control or
    format characters, no leading dots, at most `max_chars` (the extension kept); never empty."""
    name = unicodedata.normalize("NFC", raw).replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip().lstrip(".").strip()
    if len(name) > max_chars:
        _, dot, suffix = name.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        name = name[: max_chars - len(keep) - 1].rstrip() + "." + keep if keep else name[:max_chars]
    return name or "evidence"
