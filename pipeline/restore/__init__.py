"""Diacritic restoration and OCR-error correction for Vietnamese text.

restorer = Restorer.load()                 # cached; default model in models/restore/
result = restorer.restore(text, mode="auto")
"""

from pipeline.restore.restorer import MODES, Restorer, RestoreResult, Settings

__all__ = ["MODES", "RestoreResult", "Restorer", "Settings"]
