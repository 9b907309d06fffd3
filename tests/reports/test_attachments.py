"""The attachment sanitiser: what is stored carries no metadata, and bad files get a message.

Every file is generated here; no binary fixtures. Nothing needs the database.
"""

from __future__ import annotations

import hashlib
import io
import struct
import time
import zlib
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from PIL import ExifTags, Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfReader, PdfWriter
from pypdf.generic import (
    ArrayObject,
    DecodedStreamObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    TextStringObject,
)

from weerbaar.reports.attachments import (
    MAX_ATTACHMENTS_PER_REPORT,
    MAX_PDF_PAGES,
    CleanAttachment,
    _strip_jpeg_metadata,
    sanitise_attachment,
    sanitise_attachments,
)

SERIAL = "SN-4711-XQZ"
AUTHOR = "Jan Jansen-de Vries"


# --- generated files ------------------------------------------------------------------------


def upload(name: str, content: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content, content_type="image/jpeg")  # the browser may lie


def camera_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "Fietscam"
    exif[ExifTags.Base.Model] = "Model 9"
    exif.get_ifd(ExifTags.IFD.Exif)[ExifTags.Base.BodySerialNumber] = SERIAL
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (51.0, 35.0, 20.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (4.0, 46.0, 40.0)
    return exif


def image_bytes(fmt: str, image: Image.Image | None = None, **options: Any) -> bytes:
    out = io.BytesIO()
    (image or Image.new("RGB", (64, 48), "orange")).save(out, format=fmt, **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose header claims width × height pixels: a decompression bomb's shape."""

    def chunk(tag: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(tag + body)
        return struct.pack(">I", len(body)) + tag + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    pixels = zlib.compress(b"\0" * 4096)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


def text_page(writer: PdfWriter, text: str) -> None:
    page = writer.add_blank_page(300, 300)
    font = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Font"),
            NameObject("/Subtype"): NameObject("/Type1"),
            NameObject("/BaseFont"): NameObject("/Helvetica"),
        }
    )
    page[NameObject("/Resources")] = DictionaryObject(
        {NameObject("/Font"): DictionaryObject({NameObject("/F1"): writer._add_object(font)})}
    )
    content = DecodedStreamObject()
    content.set_data(f"BT /F1 12 Tf 20 200 Td ({text}) Tj ET".encode())
    page[NameObject("/Contents")] = writer._add_object(content)


def javascript(code: str) -> DictionaryObject:
    return DictionaryObject(
        {NameObject("/S"): NameObject("/JavaScript"), NameObject("/JS"): TextStringObject(code)}
    )


def pdf_bytes(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def nosy_pdf() -> bytes:
    """A PDF carrying an author everywhere a PDF can, plus scripts and a link."""
    writer = PdfWriter()
    text_page(writer, "Evidence page one")
    text_page(writer, "Evidence page two")
    writer.add_metadata({"/Author": AUTHOR, "/Creator": "Scanner 3000", "/Producer": "Acme PDF"})
    xmp = DecodedStreamObject()
    xmp.set_data(f"<x:xmpmeta><dc:creator>{AUTHOR}</dc:creator></x:xmpmeta>".encode())
    xmp[NameObject("/Type")] = NameObject("/Metadata")
    xmp[NameObject("/Subtype")] = NameObject("/XML")
    xmp_ref = writer._add_object(xmp)
    root = writer.root_object
    root[NameObject("/Metadata")] = xmp_ref
    root[NameObject("/OpenAction")] = javascript("app.alert('open')")
    root[NameObject("/Names")] = DictionaryObject(
        {
            NameObject("/JavaScript"): DictionaryObject(
                {
                    NameObject("/Names"): ArrayObject(
                        [TextStringObject("doc"), writer._add_object(javascript("app.launchURL()"))]
                    )
                }
            )
        }
    )
    page = writer.pages[0]
    page[NameObject("/Metadata")] = xmp_ref
    page[NameObject("/AA")] = DictionaryObject({NameObject("/O"): javascript("app.beep()")})
    comment = DictionaryObject(
        {
            NameObject("/Type"): NameObject("/Annot"),
            NameObject("/Subtype"): NameObject("/Text"),
            NameObject("/Rect"): ArrayObject([NumberObject(n) for n in (10, 10, 30, 30)]),
            NameObject("/T"): TextStringObject(AUTHOR),
            NameObject("/A"): javascript("app.alert('click')"),
        }
    )
    page[NameObject("/Annots")] = ArrayObject([writer._add_object(comment)])
    return pdf_bytes(writer)


@pytest.fixture(autouse=True)
def _english() -> Iterator[None]:
    """Messages are asserted in English; the site's default language is Dutch."""
    with translation.override("en"):
        yield


def rejection(name: str, content: bytes, **kwargs: Any) -> ValidationError:
    with pytest.raises(ValidationError) as caught:
        sanitise_attachment(upload(name, content), **kwargs)
    return caught.value


def message(error: ValidationError) -> str:
    (text,) = error.messages
    return text


# --- images -----------------------------------------------------------------------------------


def test_jpeg_loses_exif_gps_serial_comment_and_xmp() -> None:
    original = image_bytes(
        "JPEG", exif=camera_exif(), comment=f"shot by {AUTHOR}", xmp=AUTHOR.encode()
    )
    assert SERIAL.encode() in original  # the generated photo does carry what must go
    assert AUTHOR.encode() in original

    clean = sanitise_attachment(upload("IMG_0042.JPG", original))

    assert clean.content_type == "image/jpeg"
    assert clean.file_name == "IMG_0042.jpg"
    assert b"Exif" not in clean.content
    assert SERIAL.encode() not in clean.content
    assert AUTHOR.encode() not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.format == "JPEG"
        assert image.size == (64, 48)
        assert not image.getexif()
        assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
        assert "exif" not in image.info
        assert "comment" not in image.info
        assert "xmp" not in image.info


def test_clean_attachment_describes_its_content() -> None:
    clean = sanitise_attachment(upload("photo.jpg", image_bytes("JPEG")))

    assert isinstance(clean, CleanAttachment)
    assert clean.size == len(clean.content)
    assert clean.sha256 == hashlib.sha256(clean.content).hexdigest()
    assert "content=" not in repr(clean)  # a log line must not dump megabytes


def test_png_loses_text_chunks_and_exif() -> None:
    info = PngInfo()
    info.add_text("Author", AUTHOR)
    info.add_itxt("Comment", f"made by {AUTHOR}", zip=True)
    original = image_bytes("PNG", pnginfo=info, exif=camera_exif())
    assert AUTHOR.encode() in original

    clean = sanitise_attachment(upload("screenshot.png", original))

    assert clean.content_type == "image/png"
    assert AUTHOR.encode() not in clean.content
    assert SERIAL.encode() not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert isinstance(image, Image.Image)
        assert image.info.keys() <= {"dpi"}  # Pillow may report a default density
        assert not image.getexif()


def test_transparent_palette_png_stays_transparent() -> None:
    palette_image = Image.new("P", (8, 8), 0)
    palette_image.putpalette([255, 0, 0, 0, 0, 255])
    palette_image.paste(1, (0, 0, 4, 8))
    original = image_bytes("PNG", palette_image, transparency=0)

    clean = sanitise_attachment(upload("icon.png", original))

    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.mode == "P"
        rgba = image.convert("RGBA")
        assert rgba.getpixel((1, 1)) == (0, 0, 255, 255)
        assert rgba.getpixel((6, 1))[3] == 0  # type: ignore[index]


def test_webp_loses_exif() -> None:
    original = image_bytes("WEBP", exif=camera_exif())
    assert SERIAL.encode() in original

    clean = sanitise_attachment(upload("photo.webp", original))

    assert clean.content_type == "image/webp"
    assert SERIAL.encode() not in clean.content
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.format == "WEBP"
        assert not image.getexif()


def test_photo_is_turned_upright_before_exif_goes() -> None:
    # Left half red, right half blue; orientation 6 means "turn 90° clockwise to view".
    image = Image.new("RGB", (40, 20), "blue")
    image.paste("red", (0, 0, 20, 20))
    exif = Image.Exif()
    exif[ExifTags.Base.Orientation] = 6

    clean = sanitise_attachment(upload("sideways.jpg", image_bytes("JPEG", image, exif=exif)))

    with Image.open(io.BytesIO(clean.content)) as upright:
        assert upright.size == (20, 40)
        assert not upright.getexif()
        red, _green, blue = upright.convert("RGB").getpixel((10, 5))  # type: ignore[misc]
        assert red > 200
        assert blue < 60


def test_cmyk_jpeg_is_stored_as_rgb_jpeg() -> None:
    original = image_bytes("JPEG", Image.new("CMYK", (16, 16), (0, 255, 255, 0)))

    clean = sanitise_attachment(upload("print.jpeg", original))

    assert clean.file_name == "print.jpg"
    with Image.open(io.BytesIO(clean.content)) as image:
        assert image.mode == "RGB"


@pytest.mark.parametrize(("width", "height"), [(30_000, 30_000), (10_000, 10_000), (8_000, 6_000)])
def test_decompression_bomb_is_refused_before_decoding(width: int, height: int) -> None:
    bomb = png_declaring(width, height)
    assert len(bomb) < 200

    started = time.monotonic()
    error = rejection("innocent.png", bomb)

    assert time.monotonic() - started < 1
    assert error.code == "image_too_large"
    assert message(error) == (
        "The photo “innocent.png” has too many pixels to process. Attach a smaller version, "
        "for example a screenshot of it."
    )


@pytest.mark.parametrize(
    "content",
    [
        image_bytes("JPEG")[:300],  # truncated halfway through the pixels
        b"\xff\xd8\xff\xe0" + b"\x00" * 200,  # starts like a JPEG, then nothing
        image_bytes("PNG")[:60],
    ],
)
def test_damaged_image_is_refused(content: bytes) -> None:
    name = "broken.png" if content.startswith(b"\x89PNG") else "broken.jpg"

    error = rejection(name, content)

    assert error.code == "corrupt"
    assert message(error) == (
        f"The file “{name}” is damaged or incomplete and cannot be opened. Try saving or "
        "exporting it again."
    )


# --- PDFs -------------------------------------------------------------------------------------


def test_pdf_loses_info_xmp_scripts_and_annotations_but_keeps_its_pages() -> None:
    original = nosy_pdf()
    assert AUTHOR.encode() in original
    assert b"/JavaScript" in original

    clean = sanitise_attachment(upload("aangifte.pdf", original))

    assert clean.content_type == "application/pdf"
    assert clean.file_name == "aangifte.pdf"
    for leftover in (AUTHOR, "Scanner 3000", "Acme PDF", "pypdf", "/Producer", "/Info"):
        assert leftover.encode() not in clean.content
    for active in ("/JavaScript", "/JS", "/OpenAction", "/AA", "/Annots", "/Names", "/Metadata"):
        assert active.encode() not in clean.content
    reader = PdfReader(io.BytesIO(clean.content))
    assert reader.metadata is None
    assert reader.xmp_metadata is None
    assert [page.extract_text() for page in reader.pages] == [
        "Evidence page one",
        "Evidence page two",
    ]


def test_photo_inside_pdf_loses_its_exif() -> None:
    # "Save as PDF" tools embed the camera's JPEG as it is, EXIF and all.
    original = image_bytes("PDF", Image.new("RGB", (32, 32), "green"), exif=camera_exif())
    assert SERIAL.encode() in original

    clean = sanitise_attachment(upload("photo.pdf", original))

    assert SERIAL.encode() not in clean.content
    assert b"Exif" not in clean.content
    (embedded,) = PdfReader(io.BytesIO(clean.content)).pages[0].images
    assert embedded.image is not None
    assert embedded.image.size == (32, 32)  # the JPEG still decodes


@pytest.mark.parametrize(
    "options",
    [{}, {"progressive": True}, {"restart_marker_blocks": 2}],
    ids=["baseline", "progressive", "restart-markers"],
)
def test_jpeg_segments_are_stripped_without_touching_the_pixels(options: dict[str, Any]) -> None:
    noise = Image.frombytes("RGB", (37, 23), bytes(range(256)) * 10)
    original = image_bytes("JPEG", noise, exif=camera_exif(), comment=AUTHOR, **options)
    original += b"<html>trailing data</html>"

    stripped = _strip_jpeg_metadata(original)

    assert SERIAL.encode() not in stripped
    assert AUTHOR.encode() not in stripped
    assert stripped.endswith(b"\xff\xd9")
    with Image.open(io.BytesIO(original)) as before, Image.open(io.BytesIO(stripped)) as after:
        assert after.tobytes() == before.tobytes()


def test_encrypted_pdf_is_refused() -> None:
    writer = PdfWriter()
    text_page(writer, "Secret")
    writer.encrypt("geheim")

    error = rejection("protected.pdf", pdf_bytes(writer))

    assert error.code == "encrypted"
    assert "protected with a password" in message(error)


def test_filled_in_form_is_refused_rather_than_emptied() -> None:
    writer = PdfWriter()
    text_page(writer, "Form")
    field = DictionaryObject(
        {
            NameObject("/FT"): NameObject("/Tx"),
            NameObject("/T"): TextStringObject("naam"),
            NameObject("/V"): TextStringObject(AUTHOR),
        }
    )
    writer.root_object[NameObject("/AcroForm")] = DictionaryObject(
        {NameObject("/Fields"): ArrayObject([writer._add_object(field)])}
    )

    error = rejection("formulier.pdf", pdf_bytes(writer))

    assert error.code == "pdf_form"
    assert "Print it to a new PDF" in message(error)


def test_pdf_with_too_many_pages_is_refused() -> None:
    writer = PdfWriter()
    for _ in range(MAX_PDF_PAGES + 1):
        writer.add_blank_page(100, 100)

    error = rejection("archive.pdf", pdf_bytes(writer))

    assert error.code == "too_many_pages"
    assert message(error) == (
        f"The PDF “archive.pdf” has more than {MAX_PDF_PAGES} pages. Attach only the pages "
        "that matter."
    )


def test_unparsable_pdf_is_refused() -> None:
    error = rejection("scan.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100)

    assert error.code == "corrupt"


# --- types, names and limits ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("photo.jpg", b"<!DOCTYPE html><script>alert(1)</script>"),
        ("photo.jpg", b"MZ\x90\x00" + b"\x00" * 100),  # a Windows program
        ("document.png", b"%PDF-1.7\n"),  # a PDF, but the name says PNG
        ("photo.png", image_bytes("JPEG")),
        ("photo.jpg.exe", image_bytes("JPEG")),
        ("scan.pdf", image_bytes("PNG")),
    ],
)
def test_name_that_lies_about_the_content_is_refused(name: str, content: bytes) -> None:
    error = rejection(name, content)

    assert error.code == "type_mismatch"
    assert message(error).startswith(f"The content of “{name}” does not match its file name.")


@pytest.mark.parametrize(
    ("name", "content"),
    [
        ("drawing.svg", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>'),
        ("page.html", b"<html></html>"),
        ("animation.gif", image_bytes("GIF")),
        ("photo.heic", b"\x00\x00\x00\x18ftypheic" + b"\x00" * 64),
        ("notes", b"plain text"),
    ],
)
def test_unsupported_type_is_refused(name: str, content: bytes) -> None:
    error = rejection(name, content)

    assert error.code == "unsupported_type"
    assert message(error) == (
        f"The file “{name}” cannot be attached. You can attach photos (JPEG, PNG or WebP) "
        "and PDF documents."
    )


@pytest.mark.parametrize(
    ("client_name", "content", "stored_name"),
    [
        ("../../etc/passwd.jpg", image_bytes("JPEG"), "passwd.jpg"),
        ("C:\\Users\\Jan\\Foto café (1).JPEG", image_bytes("JPEG"), "Foto_cafe_1.jpg"),
        (".hidden.png", image_bytes("PNG"), "hidden.png"),
        ("Screenshot 12.03.2024", image_bytes("PNG"), "Screenshot_12.03.2024.png"),
        ("scan", nosy_pdf(), "scan.pdf"),
        ("???.webp", image_bytes("WEBP"), "attachment.webp"),
    ],
)
def test_stored_name_is_safe_and_has_the_real_extension(
    client_name: str, content: bytes, stored_name: str
) -> None:
    assert sanitise_attachment(upload(client_name, content)).file_name == stored_name


def test_empty_file_is_refused() -> None:
    error = rejection("photo.jpg", b"")

    assert error.code == "empty"
    assert message(error) == "The file “photo.jpg” is empty."


class EndlessUpload:
    """A stream that never ends; it may say how big it is."""

    name = "endless.jpg"

    def __init__(self, size: int | None = None) -> None:
        self.size = size
        self.bytes_read = 0

    def read(self, size: int = -1, /) -> bytes:
        assert size >= 0, "the sanitiser must never read everything"
        self.bytes_read += size
        return b"\xff" * size


def test_oversized_stream_is_refused_without_reading_it_all() -> None:
    stream = EndlessUpload()

    with pytest.raises(ValidationError) as caught:
        sanitise_attachment(stream, max_bytes=1000)

    assert caught.value.code == "too_large"
    assert message(caught.value) == (
        "The file “endless.jpg” is larger than 1000\xa0bytes. Attach a smaller file."
    )
    assert stream.bytes_read == 1001


def test_declared_oversize_is_refused_before_reading() -> None:
    stream = EndlessUpload(size=11 * 1024 * 1024)

    with pytest.raises(ValidationError) as caught:
        sanitise_attachment(stream)

    assert caught.value.code == "too_large"
    assert "larger than 10.0\xa0MB" in message(caught.value)
    assert stream.bytes_read == 0


def test_file_of_exactly_the_limit_is_accepted_and_read_from_the_start() -> None:
    content = image_bytes("PNG")
    exact = upload("exact.png", content)
    exact.read(10)  # a form field may have peeked already

    assert sanitise_attachment(exact, max_bytes=len(content)).content_type == "image/png"


# --- several files ----------------------------------------------------------------------------


def test_several_files_are_cleaned_together() -> None:
    files = [upload("a.jpg", image_bytes("JPEG")), upload("b.pdf", nosy_pdf())]

    cleaned = sanitise_attachments(files)

    assert [attachment.file_name for attachment in cleaned] == ["a.jpg", "b.pdf"]


def test_too_many_files_are_refused() -> None:
    files = [upload(f"{n}.png", image_bytes("PNG")) for n in range(MAX_ATTACHMENTS_PER_REPORT + 1)]

    with pytest.raises(ValidationError) as caught:
        sanitise_attachments(files)

    assert caught.value.code == "too_many_files"
    assert message(caught.value) == (f"You can attach at most {MAX_ATTACHMENTS_PER_REPORT} files.")


def test_total_size_is_limited() -> None:
    files = [upload("a.png", image_bytes("PNG")), upload("b.png", image_bytes("PNG"))]

    with pytest.raises(ValidationError) as caught:
        sanitise_attachments(files, max_total_bytes=(files[0].size or 0) + 1)

    assert caught.value.code == "total_too_large"
    assert message(caught.value).startswith("Together the files are larger than")


def test_every_bad_file_is_reported_at_once() -> None:
    files = [
        upload("good.jpg", image_bytes("JPEG")),
        upload("fake.jpg", b"<html>"),
        upload("empty.pdf", b""),
    ]

    with pytest.raises(ValidationError) as caught:
        sanitise_attachments(files)

    assert [error.code for error in caught.value.error_list] == ["type_mismatch", "empty"]
