"""A BagIt (RFC 8493) submission package per document, made and checked with the Library of
Congress `bagit` library:

    NAME/bagit.txt, bag-info.txt, manifest-sha256.txt, tagmanifest-sha256.txt
    NAME/data/NAME.pdf               the PDF/A-2b
    NAME/data/alto/NAME.pNNN.alto.xml  ALTO 4.4 per page
    NAME/data/NAME.json              the record
    NAME/data/original/FILE          the source file, byte for byte

The bag is built in a temporary folder beside its place and renamed into it once it
validates, so a bag that exists is complete.
"""

from __future__ import annotations

import datetime as dt
import logging
import shutil
from dataclasses import dataclass
from pathlib import Path

import bagit

from pipeline.archive.alto import write_alto
from pipeline.archive.pdfa import PdfaResult, write_pdfa
from pipeline.errors import ArchiveError
from pipeline.record import Record

log = logging.getLogger(__name__)


@dataclass
class BagResult:
    path: Path
    files: int
    pdfa: PdfaResult


def write_bag(record: Record, source: Path, folder: Path, name: str) -> BagResult:
    """Make and validate the bag `folder/name`; an older bag of that name is replaced."""
    from pipeline import __version__
    from pipeline.archive.export import issuing_body

    final = folder / name
    work = folder / f".{name}.partial"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    try:
        pdfa = write_pdfa(record, source, work / f"{name}.pdf")
        alto = write_alto(record, source, work / "alto", name)
        (work / f"{name}.json").write_text(record.to_json(), encoding="utf-8")
        (work / "original").mkdir()
        shutil.copy2(source, work / "original" / source.name)
        info = {
            "Source-Organization": issuing_body(record) or "unknown",
            "External-Identifier": record.id,
            "External-Description": record.subject or record.doc_number or source.name,
            "Bagging-Date": dt.date.today().isoformat(),
            "Bag-Software-Agent": f"sohoa {__version__} (bagit {bagit.VERSION})",
        }
        bag = bagit.make_bag(str(work), bag_info=info, checksums=["sha256"])
        bag.validate()
    except bagit.BagError as error:
        shutil.rmtree(work, ignore_errors=True)
        raise ArchiveError(f"bag {name}: {error}") from error
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    if final.exists():
        shutil.rmtree(final)
    work.rename(final)
    files = 3 + len(alto)  # PDF/A, record, original, ALTO pages
    log.info("bag %s: %d payload files", final, files)
    return BagResult(final, files, pdfa)


def validate_bag(path: Path) -> None:
    """Raise ArchiveError unless `path` is a complete, valid bag (every SHA-256 checked)."""
    try:
        bagit.Bag(str(path)).validate()
    except bagit.BagError as error:
        raise ArchiveError(f"bag {path}: {error}") from error
