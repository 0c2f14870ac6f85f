"""Field extraction: header, number and symbol, date, type, subject, signer, recipients,
references, sections, footnotes, figures and tables, each with its evidence span.

    result = extract_fields(text, pages)
    result.apply(record)
"""

from pipeline.fields.extract import extract_fields
from pipeline.fields.result import FieldsResult

__all__ = ["FieldsResult", "extract_fields"]
