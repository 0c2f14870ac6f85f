"""Orchestration of an ingest run: the page job (`page`: cleanup, OCR and repair of one page),
the run itself (`ingest`: discover, plan, run tasks, write records, report), the worker pool
(`workers`), the progress bar (`progress`) and what the workers' fork server preloads
(`preload`)."""
