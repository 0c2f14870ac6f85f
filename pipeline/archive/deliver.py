"""The archive deliverables of one document, by kind, under one output folder:

    pdfa  OUT/NAME.pdf              PDF/A-2b (`pdfa`)
    alto  OUT/alto/NAME.pNNN.alto.xml  ALTO 4.4 per page (`alto`)
    hocr  OUT/hocr/NAME.pNNN.hocr   hOCR per page (`hocr`)
    bag   OUT/bags/NAME/            BagIt package (`bag`)

NAME is the source file's stem and the first 12 hex digits of the record id, so two
sources with one name in different folders do not overwrite each other.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from pipeline.errors import ArchiveError
from pipeline.record import Record

KINDS = ("pdfa", "alto", "hocr", "bag")


@dataclass
class Delivered:
    record_id: str
    paths: list[Path] = field(default_factory=list)


def archive_name(record: Record) -> str:
    return f"{Path(record.source.path).stem}-{record.id[:12]}"


def deliver(record: Record, out: Path, kinds: tuple[str, ...] | list[str],
            source: Path | None = None) -> Delivered:
    """Write the chosen deliverables of `record`; its source file is `source` or the path
    the record names. ArchiveError when one cannot be made."""
    from pipeline.archive.alto import write_alto
    from pipeline.archive.bag import write_bag
    from pipeline.archive.hocr import write_hocr
    from pipeline.archive.pdfa import write_pdfa

    unknown = [k for k in kinds if k not in KINDS]
    if unknown:
        raise ValueError(f"unknown deliverable {unknown[0]!r}")
    source = source or Path(record.source.path)
    if record.source.media_type == "text/plain":
        raise ArchiveError("a text file has no page images to archive")
    if not source.is_file():
        raise ArchiveError(f"source file not found: {source}")
    name = archive_name(record)
    done = Delivered(record.id)
    if "pdfa" in kinds:
        done.paths.append(write_pdfa(record, source, out / f"{name}.pdf").path)
    if "alto" in kinds:
        done.paths.extend(write_alto(record, source, out / "alto", name))
    if "hocr" in kinds:
        done.paths.extend(write_hocr(record, source, out / "hocr", name))
    if "bag" in kinds:
        (out / "bags").mkdir(parents=True, exist_ok=True)
        done.paths.append(write_bag(record, source, out / "bags", name).path)
    return done
