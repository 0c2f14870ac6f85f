"""Options of the cleanup stage, apart from its code: the CLI builds its flags from them
without importing OpenCV (the ingest command starts its workers' fork server first)."""

from __future__ import annotations

from dataclasses import dataclass, fields


@dataclass(frozen=True)
class CleanupOptions:
    """Which cleanup steps run; every one can be switched off to measure its effect."""

    page_detect: bool = True
    orientation: bool = True
    upscale: bool = True
    deskew: bool = True
    red_seal: bool = True
    denoise: bool = True  # speckled pages only (see cleanup.DENOISE_MIN_SPECKS_PER_MP)
    normalize: bool = True
    binarize: bool = True
    crop_borders: bool = True
    rules: bool = False  # measured: erasing rules cost more CER than framed marks gained
    frames: bool = True
    despeckle: bool = True
    max_skew_degrees: float = 10.0

    @classmethod
    def only(cls, *names: str) -> CleanupOptions:
        """Options with just the named steps on (the rest off)."""
        flags = {f.name: f.name in names for f in fields(cls) if f.type in ("bool", bool)}
        return cls(**flags)
