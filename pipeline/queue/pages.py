"""A split document's finished pages, kept in Redis until its last page joins them.

A long document goes out as one task a page (`tasks.run_page_payload`). Each page task puts
its page outcome here, keyed by the document's content hash, the submission (`split`: a new
id each time `sohoa ingest --queue` sends the document, so a rerun never mixes in pages made
with other settings) and the page number, so a page delivered twice is counted once. The page
JSON and the cleaned PNG go in two hashes, the PNG as raw bytes (no base64): what travels is
the page's own result, about 25 KB of JSON and the image (docs/scale.md measures it), held
only until the document's record is written, and expiring if it never is.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from pipeline.record import Line, Page, PageImage, Span, Word, plain
from pipeline.run.jobs import JobError, PageOutcome

R = TypeVar("R")


def outcome_to_json(outcome: PageOutcome, started: float) -> str:
    """The page outcome as JSON, its image left out; `started`: when its page began (epoch s)."""
    return json.dumps(
        {
            "doc": outcome.doc,
            "page_number": outcome.page_number,
            "page": plain(outcome.page) if outcome.page is not None else None,
            "restoration_confidence": outcome.restoration_confidence,
            "low_confidence_spans": [plain(s) for s in outcome.low_confidence_spans],
            "failure": _failure(outcome.failure),
            "timings": dict(outcome.timings),
            "started": started,
        },
        ensure_ascii=False,
    )


def _failure(error: JobError | None) -> dict[str, str] | None:
    return None if error is None else {"kind": str(error.kind), "message": error.message}


def outcome_from_json(text: str | bytes, image: bytes | None) -> tuple[PageOutcome, float]:
    """The page outcome (with its image) and when its page began."""
    data = json.loads(text)
    outcome = PageOutcome(
        doc=data["doc"],
        page_number=int(data["page_number"]),
        page=_page(data["page"]) if data["page"] is not None else None,
        image_png=image,
        restoration_confidence=data["restoration_confidence"],
        low_confidence_spans=tuple(Span(**s) for s in data["low_confidence_spans"]),
        failure=JobError.from_dict(data["failure"]) if data["failure"] is not None else None,
        timings=data["timings"],
    )
    return outcome, float(data["started"])


def _page(data: dict[str, Any]) -> Page:
    lines = [
        Line(**{**line, "words": [Word(**word) for word in line["words"]]})
        for line in data["lines"]
    ]
    image = PageImage(**data["image"]) if data["image"] is not None else None
    return Page(**{**data, "lines": lines, "image": image})


@dataclass(frozen=True)
class PageResults:
    """One split document's finished pages in Redis. `ensure` runs a Redis call, retrying
    while Redis restarts (the result store's `ensure`)."""

    client: Any  # redis.Redis
    ensure: Callable[[Callable[[], Any]], Any]
    doc: str
    split: str
    expire_s: int

    @property
    def _pages(self) -> str:
        return f"sohoa:split:{self.doc}:{self.split}:pages"

    @property
    def _images(self) -> str:
        return f"sohoa:split:{self.doc}:{self.split}:images"

    def count_with(self, number: int) -> int | None:
        """The pages finished, or None when page `number` is not among them."""

        def read() -> tuple[bool, int]:
            has, count = (
                self.client.pipeline().hexists(self._pages, number).hlen(self._pages).execute()
            )
            return bool(has), int(count)

        has, count = self.ensure(read)
        return count if has else None

    def put(self, outcome: PageOutcome, started: float) -> tuple[int, int]:
        """Keep the page's outcome; the pages finished now (counted in the same
        transaction, so only the page that completes the document sees them all) and the
        bytes sent."""
        text = outcome_to_json(outcome, started).encode()
        image = outcome.image_png

        def write() -> int:
            pipe = self.client.pipeline(transaction=True)
            if image is not None:
                pipe.hset(self._images, str(outcome.page_number), image)
                pipe.expire(self._images, self.expire_s)
            pipe.hset(self._pages, str(outcome.page_number), text)
            pipe.expire(self._pages, self.expire_s)
            pipe.hlen(self._pages)
            return int(pipe.execute()[-1])

        return self.ensure(write), len(text) + len(image or b"")

    def read(self) -> tuple[dict[int, PageOutcome], float]:
        """Every finished page's outcome, with its image, and when the first one began."""

        def read() -> tuple[dict[bytes, bytes], dict[bytes, bytes]]:
            pages, images = (
                self.client.pipeline().hgetall(self._pages).hgetall(self._images).execute()
            )
            return pages, images

        pages, images = self.ensure(read)
        outcomes: dict[int, PageOutcome] = {}
        first = time.time()
        for key, text in pages.items():
            outcome, started = outcome_from_json(text, images.get(key))
            outcomes[outcome.page_number] = outcome
            first = min(first, started)
        return outcomes, first

    def drop(self) -> None:
        """Forget the pages (the record is written, or the document was stored before)."""
        self.ensure(lambda: self.client.delete(self._pages, self._images))
