"""Wrappers of the external programs sohoa runs: one module per program (`tesseract`,
`poppler`, `qpdf`), each turning the program's failures into the typed errors of
`pipeline.errors`."""
