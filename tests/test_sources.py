"""Type detection from content and the typed errors of bad inputs."""

from __future__ import annotations

import subprocess
from pathlib import Path

import numpy as np
import pytest
from PIL import Image, ImageOps

from pipeline import sources
from pipeline.errors import (
    CorruptFileError,
    EmptyFileError,
    EncryptedPdfError,
    ImageTooLargeError,
    UnsupportedFileError,
)
from tests.conftest import render_lines


@pytest.fixture(scope="module")
def pdf_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "two-pages.pdf"
    pages = [render_lines([f"Trang {n}: Đảng bộ tỉnh Thanh Hóa"]) for n in (1, 2)]
    pages[0].save(path, save_all=True, append_images=pages[1:], resolution=200)
    return path


def test_media_type_comes_from_content_not_extension(tmp_path: Path, pdf_file: Path) -> None:
    disguised = tmp_path / "scan.jpg"
    disguised.write_bytes(pdf_file.read_bytes())
    assert sources.inspect(disguised).media_type == "application/pdf"
    text_as_jpg = tmp_path / "note.jpg"
    text_as_jpg.write_text("Báo cáo sơ kết\n", encoding="utf-8")
    info = sources.inspect(text_as_jpg)
    assert info.media_type == "text/plain" and info.pages == 1


def test_pdf_pages_counted(pdf_file: Path) -> None:
    info = sources.inspect(pdf_file)
    assert info.pages == 2 and len(info.sha256) == 64


def test_zero_byte_file(tmp_path: Path) -> None:
    empty = tmp_path / "empty.pdf"
    empty.touch()
    with pytest.raises(EmptyFileError, match="0 bytes"):
        sources.inspect(empty)


def test_truncated_pdf(tmp_path: Path, pdf_file: Path) -> None:
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(pdf_file.read_bytes()[:3000])
    with pytest.raises(CorruptFileError):
        sources.inspect(broken)


def test_encrypted_pdf(tmp_path: Path, pdf_file: Path) -> None:
    locked = tmp_path / "locked.pdf"
    subprocess.run(
        ["qpdf", "--encrypt", "user", "owner", "256", "--", str(pdf_file), str(locked)], check=True
    )
    with pytest.raises(EncryptedPdfError, match="password"):
        sources.inspect(locked)


def test_zero_page_pdf(tmp_path: Path) -> None:
    empty_pdf = tmp_path / "nopages.pdf"
    empty_pdf.write_bytes(
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )
    with pytest.raises((EmptyFileError, CorruptFileError)):
        sources.inspect(empty_pdf)


def test_decompression_bomb(tmp_path: Path) -> None:
    bomb = tmp_path / "bomb.png"
    Image.new("1", (15000, 15000)).save(bomb)  # 225 megapixels, a few KB on disk
    with pytest.raises(ImageTooLargeError, match="megapixels"):
        sources.inspect(bomb)


def test_binary_garbage_is_unsupported(tmp_path: Path) -> None:
    junk = tmp_path / "junk.bin"
    junk.write_bytes(bytes(range(256)) * 10)
    with pytest.raises(UnsupportedFileError):
        sources.inspect(junk)


def test_multipage_tiff(tmp_path: Path) -> None:
    tiff = tmp_path / "scan.tif"
    frames = [render_lines([f"Trang {n}"]).convert("L") for n in (1, 2, 3)]
    frames[0].save(tiff, save_all=True, append_images=frames[1:], compression="tiff_deflate")
    info = sources.inspect(tiff)
    assert info.media_type == "image/tiff" and info.pages == 3
    assert sources.load_image_page(tiff, 2).shape[2] == 3


def test_text_layer_is_used_only_when_real(tmp_path: Path, pdf_file: Path) -> None:
    content = sources.pdf_page_content(pdf_file, 1)  # an image-only scan
    assert content.text is None and content.scan is not None


def test_original_is_never_modified(tmp_path: Path, pdf_file: Path) -> None:
    before = pdf_file.read_bytes(), pdf_file.stat().st_mtime_ns
    sources.inspect(pdf_file)
    assert (pdf_file.read_bytes(), pdf_file.stat().st_mtime_ns) == before


def test_exif_turn_is_applied_to_a_phone_jpeg(tmp_path: Path) -> None:
    pixels = np.zeros((60, 100, 3), np.uint8)
    pixels[:10, :50] = 255
    image = Image.fromarray(pixels)
    exif = image.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to view"
    path = tmp_path / "photo.jpg"
    image.save(path, exif=exif)
    loaded = sources.load_image_page(path, 0)
    with Image.open(path) as reference:
        expected = np.asarray(ImageOps.exif_transpose(reference).convert("RGB"))
    assert loaded.shape == (100, 60, 3)
    assert np.abs(loaded.astype(int) - expected).max() <= 1
