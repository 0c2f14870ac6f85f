"""Archive deliverables of a record: PDF/A-2b with the restored text under the original page
images (`pdfa`), ALTO v4 (`alto`) and hOCR (`hocr`) per page, and a BagIt submission package
per document (`bag`). Word placement is shared: `geometry` maps the cleaned page's pixels
back onto the original image, `align` puts the restored words on the OCR word boxes."""
