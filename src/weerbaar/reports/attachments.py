"""Photos and PDFs attached to a report: type check, limits and metadata removal.

`sanitise_attachment()` turns one upload into a `CleanAttachment` that is safe to store, or
raises a `ValidationError` whose message the reporter can act on. It touches no database;
`reports.services` calls it before anything is saved.

Why re-encode instead of deleting known metadata fields: a phone photo hides the reporter's
location and camera serial in EXIF, but also in XMP, IPTC, maker notes, an embedded
thumbnail of the uncropped photo, PNG text chunks, ICC descriptions or bytes after the end
of the image. A list of fields to delete always misses one. Decoding the pixels and writing
a new file in the same format keeps exactly the picture and nothing else, and also gets rid
of polyglots (a JPEG that is an HTML page too). Only the EXIF orientation is applied first,
so the photo still stands upright. ICC profiles are dropped as well: parsing them would
expose littlecms to untrusted input, and wide-gamut photos only lose a little saturation.

PDFs cannot be re-rendered without losing the text, so they are rebuilt instead: a new
document gets the pages, but not the document information (author, creator, producer),
XMP streams, the page's private application data, and nothing interactive. Document-level
JavaScript, open actions, embedded files and forms are never copied because the catalog is
not; page annotations (links, comments with their author's name, file attachments, scripts)
are left out. JPEG images inside the PDF lose their EXIF/XMP segments, because "save photo
as PDF" tools embed the camera file unchanged. A filled-in form would lose its answers that
way, so it is refused with a hint instead of being silently emptied.

The type is decided by the content, never by the name or the browser's content type, and
a name whose extension claims another type is refused: the reporter probably chose the
wrong file, and a lying name is what attacks look like. Stored names get the extension of
the real type.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.core.exceptions import ValidationError
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from PIL import Image, ImageOps
from pypdf import PdfReader, PdfWriter
from pypdf.generic import ArrayObject, DictionaryObject, IndirectObject, PdfObject, StreamObject

MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_TOTAL_ATTACHMENT_BYTES = 25 * 1024 * 1024
MAX_ATTACHMENTS_PER_REPORT = 5
# A 48 MP phone sensor bins to 12 MP by default; 40 MP leaves room for full-resolution shots
# while one decoded RGB image stays around 120 MB.
MAX_IMAGE_PIXELS = 40_000_000
MAX_PDF_PAGES = 50


class Upload(Protocol):
    """What is needed of an upload: Django's UploadedFile, or any binary file with a name."""

    @property
    def name(self) -> str | None: ...

    @property
    def size(self) -> int | None: ...

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class CleanAttachment:
    file_name: str
    content_type: str
    content: bytes = field(repr=False)
    size: int
    sha256: str


@dataclass(frozen=True)
class _Kind:
    content_type: str
    extensions: tuple[str, ...]  # the first is the one stored names get
    pillow_format: str = ""  # empty for PDF
    save_options: tuple[tuple[str, Any], ...] = ()


JPEG = _Kind("image/jpeg", (".jpg", ".jpeg", ".jpe", ".jfif"), "JPEG", (("quality", 90),))
PNG = _Kind("image/png", (".png",), "PNG")
WEBP = _Kind("image/webp", (".webp",), "WEBP", (("quality", 90),))
PDF = _Kind("application/pdf", (".pdf",))
_ACCEPTED_EXTENSIONS = frozenset(
    JPEG.extensions + PNG.extensions + WEBP.extensions + PDF.extensions
)
_PNG_MODES = frozenset({"1", "L", "LA", "I;16", "P", "RGB", "RGBA"})

# Page entries that are not copied: annotations, page open/close actions, article beads, and
# the thumbnail, which may still show what an edit (a redaction) removed from the page.
_PDF_PAGE_KEYS_DROPPED = ("/Annots", "/AA", "/B", "/Thumb", "/Metadata", "/PieceInfo")
_PDF_METADATA_KEYS = ("/Metadata", "/PieceInfo")
# Only the Adobe segment is kept: it says how CMYK JPEGs are to be decoded.
_JPEG_ADOBE_SEGMENT = 0xEE


def sanitise_attachment(
    upload: Upload, *, max_bytes: int = MAX_ATTACHMENT_BYTES
) -> CleanAttachment:
    """Check one upload and return it without metadata, or raise ValidationError.

    Reads the upload from the start and at most `max_bytes + 1` bytes of it. Any caller may
    use it; it keeps no state and trusts nothing the client said about the file but its name.
    """
    name = _display_name(upload.name)
    data = _read_at_most(upload, max_bytes, name)
    if not data:
        raise _invalid(_("The file “%(name)s” is empty."), "empty", name=name)
    kind = _sniff(data)
    claimed = _claimed_extension(name)
    if kind is None and claimed not in _ACCEPTED_EXTENSIONS:
        raise _invalid(
            _(
                "The file “%(name)s” cannot be attached. You can attach photos (JPEG, PNG "
                "or WebP) and PDF documents."
            ),
            "unsupported_type",
            name=name,
        )
    if kind is None or (claimed is not None and claimed not in kind.extensions):
        raise _invalid(
            _(
                "The content of “%(name)s” does not match its file name. Check that you "
                "chose the right file; you can attach photos (JPEG, PNG or WebP) and PDF "
                "documents."
            ),
            "type_mismatch",
            name=name,
        )
    content = _clean_pdf(data, name) if kind is PDF else _clean_image(data, kind, name)
    return CleanAttachment(
        file_name=_safe_stem(name, claimed) + kind.extensions[0],
        content_type=kind.content_type,
        content=content,
        size=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
    )


def sanitise_attachments(
    uploads: Sequence[Upload],
    *,
    max_files: int = MAX_ATTACHMENTS_PER_REPORT,
    max_total_bytes: int = MAX_TOTAL_ATTACHMENT_BYTES,
) -> list[CleanAttachment]:
    """Check the attachments of one report; the errors of all bad files are raised at once."""
    if len(uploads) > max_files:
        raise _invalid(
            ngettext(
                "You can attach at most %(limit)d file.",
                "You can attach at most %(limit)d files.",
                max_files,
            ),
            "too_many_files",
            limit=max_files,
        )
    # The sizes the browser sent are checked first so nothing is decoded in vain; the
    # cleaned sizes are what gets stored, so those are checked too.
    if sum(upload.size or 0 for upload in uploads) > max_total_bytes:
        raise _total_too_large(max_total_bytes)
    cleaned: list[CleanAttachment] = []
    errors: list[ValidationError] = []
    for upload in uploads:
        try:
            cleaned.append(sanitise_attachment(upload))
        except ValidationError as error:
            errors.append(error)
    if errors:
        raise ValidationError(errors)
    if sum(attachment.size for attachment in cleaned) > max_total_bytes:
        raise _total_too_large(max_total_bytes)
    return cleaned


def _invalid(message: str, code: str, **params: Any) -> ValidationError:
    return ValidationError(message, code=code, params=params)


def _total_too_large(limit: int) -> ValidationError:
    return _invalid(
        _("Together the files are larger than %(limit)s. Attach fewer or smaller files."),
        "total_too_large",
        limit=filesizeformat(limit),
    )


def _corrupt(name: str) -> ValidationError:
    return _invalid(
        _(
            "The file “%(name)s” is damaged or incomplete and cannot be opened. Try saving "
            "or exporting it again."
        ),
        "corrupt",
        name=name,
    )


def _image_too_large(name: str) -> ValidationError:
    return _invalid(
        _(
            "The photo “%(name)s” has too many pixels to process. Attach a smaller version, "
            "for example a screenshot of it."
        ),
        "image_too_large",
        name=name,
    )


def _read_at_most(upload: Upload, max_bytes: int, name: str) -> bytes:
    too_large = _invalid(
        _("The file “%(name)s” is larger than %(limit)s. Attach a smaller file."),
        "too_large",
        name=name,
        limit=filesizeformat(max_bytes),
    )
    if (upload.size or 0) > max_bytes:
        raise too_large
    seek = getattr(upload, "seek", None)
    if callable(seek):
        seek(0)
    chunks: list[bytes] = []
    remaining = max_bytes + 1  # one byte more than allowed tells "too large" from "exactly"
    while remaining > 0:
        chunk = upload.read(min(remaining, 1024 * 1024))
        if not chunk:
            break
        chunks.append(chunk)
        remaining -= len(chunk)
    if remaining <= 0:
        raise too_large
    return b"".join(chunks)


def _sniff(data: bytes) -> _Kind | None:
    if data.startswith(b"\xff\xd8\xff"):
        return JPEG
    if data.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return WEBP
    if data.startswith(b"%PDF-"):
        return PDF
    return None


def _display_name(client_name: str | None) -> str:
    base = re.split(r"[/\\]", client_name or "")[-1].strip()
    return base[:100] or _("attachment")


def _claimed_extension(name: str) -> str | None:
    """The extension the name claims, lower case. Dots in "scan 12.03.2024" are not one."""
    match = re.search(r"\.([A-Za-z0-9]{1,10})$", name)
    if match is None or match.group(1).isdigit():
        return None
    return "." + match.group(1).lower()


def _safe_stem(name: str, claimed: str | None) -> str:
    stem = name[: -len(claimed)] if claimed else name
    ascii_stem = unicodedata.normalize("NFKD", stem).encode("ascii", "ignore").decode()
    return re.sub(r"[^A-Za-z0-9._-]+", "_", ascii_stem).strip("._-")[:80] or "attachment"


def _clean_image(data: bytes, kind: _Kind, name: str) -> bytes:
    out = io.BytesIO()
    try:
        # While opening, Pillow raises above twice its own limit but only warns between the
        # two; make that an error too. (Until Python 3.14 the filter is process-wide; if
        # another thread resets it, a warning is logged and the pixel check still refuses.)
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            # Opening reads only the header, so the size is known before any pixel is decoded.
            with Image.open(io.BytesIO(data), formats=[kind.pillow_format]) as image:
                width, height = image.size
                if width * height > MAX_IMAGE_PIXELS:
                    raise _image_too_large(name)
                image.load()
                upright = ImageOps.exif_transpose(image)
                _without_metadata(upright, kind).save(
                    out, format=kind.pillow_format, **dict(kind.save_options)
                )
    except ValidationError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as error:
        raise _image_too_large(name) from error
    except Exception as error:
        # Decoders of hostile files raise anything (OSError, SyntaxError, struct.error, ...);
        # for the reporter each means the same thing.
        raise _corrupt(name) from error
    return out.getvalue()


def _without_metadata(image: Image.Image, kind: _Kind) -> Image.Image:
    """A copy in a mode the format can store, whose info holds nothing the encoder would write.

    Encoders copy `comment`, `icc_profile`, `exif` and friends from `info`; only the
    transparency of palette and grey PNGs is pixel data and stays."""
    if kind is JPEG and image.mode not in ("L", "RGB"):
        image = image.convert("RGB")
    elif kind is WEBP and image.mode not in ("RGB", "RGBA"):
        image = image.convert("RGBA" if image.has_transparency_data else "RGB")
    elif kind is PNG and image.mode not in _PNG_MODES:
        image = image.convert("RGBA")
    else:
        image = image.copy()
    transparency = image.info.get("transparency")
    image.info = {"transparency": transparency} if kind is PNG and transparency is not None else {}
    return image


def _clean_pdf(data: bytes, name: str) -> bytes:
    out = io.BytesIO()
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            raise _invalid(
                _(
                    "The PDF “%(name)s” is protected with a password or encryption. Attach "
                    "an unprotected copy, for example by printing it to a new PDF."
                ),
                "encrypted",
                name=name,
            )
        page_count = len(reader.pages)
        if page_count == 0:
            raise _corrupt(name)
        if page_count > MAX_PDF_PAGES:
            raise _invalid(
                ngettext(
                    "The PDF “%(name)s” has more than %(limit)d page. Attach only the pages "
                    "that matter.",
                    "The PDF “%(name)s” has more than %(limit)d pages. Attach only the pages "
                    "that matter.",
                    MAX_PDF_PAGES,
                ),
                "too_many_pages",
                name=name,
                limit=MAX_PDF_PAGES,
            )
        if _has_filled_in_form(reader):
            raise _invalid(
                _(
                    "The PDF “%(name)s” is a filled-in form, whose answers would be lost. "
                    "Print it to a new PDF and attach that."
                ),
                "pdf_form",
                name=name,
            )
        writer = PdfWriter()
        seen: set[int] = set()
        for page in reader.pages:
            # Scrubbed in the reader, before copying: what the writer copies and then loses
            # its reference to would still be written to the file.
            _scrub_pdf_metadata(page, seen)
            writer.add_page(page, excluded_keys=_PDF_PAGE_KEYS_DROPPED)
        writer.metadata = None  # no /Info dictionary at all, not even "Producer: pypdf"
        writer.write(out)
    except ValidationError:
        raise
    except Exception as error:
        # pypdf on a broken file raises its own errors, but also KeyError, TypeError, ...
        raise _corrupt(name) from error
    return out.getvalue()


def _has_filled_in_form(reader: PdfReader) -> bool:
    fields = reader.get_fields() or {}
    return any(
        field.get("/FT") != "/Sig" and str(field.get("/V", "")) not in ("", "/Off")
        for field in fields.values()
    )


def _scrub_pdf_metadata(page: DictionaryObject, seen: set[int]) -> None:
    """Remove XMP and private data from everything the page uses, and EXIF from its JPEGs."""
    stack: list[PdfObject | None] = [page]
    while stack:
        item = stack.pop()
        if isinstance(item, IndirectObject):
            if item.idnum in seen:
                continue
            seen.add(item.idnum)
            item = item.get_object()
        if isinstance(item, DictionaryObject):
            for key in _PDF_METADATA_KEYS:
                item.pop(key, None)
            if isinstance(item, StreamObject) and item.get("/Filter") in (
                "/DCTDecode",
                ["/DCTDecode"],
            ):
                # set_data() refuses streams it cannot encode itself; this stays DCT-encoded.
                item._data = _strip_jpeg_metadata(item._data)
            stack.extend(
                value
                for key, value in item.items()
                if key != "/Parent" and key not in _PDF_PAGE_KEYS_DROPPED
            )
        elif isinstance(item, ArrayObject):
            stack.extend(item)


def _strip_jpeg_metadata(data: bytes) -> bytes:
    """The JPEG without APPn (EXIF, XMP, IPTC, ICC, MPF) and comment segments, and without
    anything after the end marker. Raises ValueError or IndexError on a malformed stream."""
    if not data.startswith(b"\xff\xd8"):
        raise ValueError("DCT stream does not start with a JPEG marker")
    out = bytearray(data[:2])
    pos = 2
    while pos < len(data):
        while data[pos] == 0xFF and data[pos + 1] == 0xFF:  # fill bytes before a marker
            pos += 1
        if data[pos] != 0xFF:
            raise ValueError("JPEG segment does not start with a marker")
        marker = data[pos + 1]
        if marker == 0xD9:  # end of image
            out += data[pos : pos + 2]
            break
        end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
        is_metadata = (0xE0 <= marker <= 0xEF and marker != _JPEG_ADOBE_SEGMENT) or marker == 0xFE
        if not is_metadata:
            out += data[pos:end]
        pos = end
        if marker == 0xDA:
            # Entropy-coded data runs up to the next marker that is neither a stuffed 0xFF00
            # nor a restart marker; without one the stream is truncated and ends here.
            scan = data.find(b"\xff", pos)
            while scan != -1 and (data[scan + 1] == 0 or 0xD0 <= data[scan + 1] <= 0xD7):
                scan = data.find(b"\xff", scan + 2)
            out += data[pos : len(data) if scan == -1 else scan]
            pos = len(data) if scan == -1 else scan
    return bytes(out)
