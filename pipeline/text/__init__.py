"""Text primitives every stage shares: the Vietnamese fold, mark strippers and tone placement
(`pipeline.text.vietnamese`), and the OCR confusion tables kept as data files
(`pipeline.text.confusions`). Nothing here imports another part of the pipeline."""
