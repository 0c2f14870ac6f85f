from __future__ import annotations

import cv2
import numpy as np

from pipeline.programs.opencv import label_ink


def test_pieces_are_labelled_as_opencv_labels_them() -> None:
    rng = np.random.default_rng(3)
    ink = (rng.random((300, 400)) > 0.7).astype(np.uint8) * 255
    count, labels, stats = label_ink(ink)
    want_count, want_labels, want_stats, _ = cv2.connectedComponentsWithStats(ink, connectivity=8)
    assert labels.dtype == np.uint16  # the cheap labels when the pieces fit
    assert count == want_count
    assert np.array_equal(labels, want_labels) and np.array_equal(stats, want_stats)


def test_more_pieces_than_16_bit_labels_hold_are_labelled_all_the_same() -> None:
    ink = np.zeros((1000, 1000), np.uint8)
    ink[::3, ::3] = 255  # 111556 isolated dots
    count, labels, stats = label_ink(ink)
    assert count == 334 * 334 + 1
    assert labels.dtype == np.int32 and labels.max() == count - 1
    assert (stats[1:, cv2.CC_STAT_AREA] == 1).all()
