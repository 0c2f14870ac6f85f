"""Field extraction: header, number and symbol, date, type, subject, signer, recipients,
references, sections, footnotes, figures and tables, each with its evidence span.

    fields = extract_fields(text, pages)  # a pipeline.record.Fields; Record extends it
"""

from pipeline.fields.extract import extract_fields

__all__ = ["extract_fields"]
