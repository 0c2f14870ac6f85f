"""Cleanup steps on synthetic pages: each step does its one job and keeps the text."""

from __future__ import annotations

import cv2
import numpy as np
import pytest

from pipeline import cleanup
from pipeline.run import page as pages
from tests.conftest import ROOT, paragraph_lines, render_lines

TEXT = (
    "Thực hiện Nghị quyết Đại hội Đảng bộ Khối Cơ quan và Doanh nghiệp tỉnh lần thứ XX, "
    "nhiệm kỳ 2020 - 2025; Ban Chấp hành Đảng bộ Khối đã ban hành Chương trình trọng tâm về "
    "nâng cao năng lực lãnh đạo của cấp ủy và chất lượng sinh hoạt chi bộ. " * 6
)


@pytest.fixture(scope="module")
def page() -> np.ndarray:
    return np.asarray(render_lines(paragraph_lines(TEXT), 2480, 3508, 54))


def rotate_rgb(rgb: np.ndarray, angle: float) -> np.ndarray:
    h, w = rgb.shape[:2]
    matrix = cv2.getRotationMatrix2D((w / 2, h / 2), angle, 1.0)
    return cv2.warpAffine(rgb, matrix, (w, h), borderValue=(255, 255, 255))


@pytest.mark.parametrize("angle", [-7.0, -2.5, 1.5, 4.0, 9.0])
def test_deskew_recovers_angle(page: np.ndarray, angle: float) -> None:
    grey = cleanup.to_grey(rotate_rgb(page, angle))
    assert cleanup.estimate_skew(grey) == pytest.approx(-angle, abs=0.2)


def test_red_seal_ink_turns_white(page: np.ndarray) -> None:
    stamped = page.copy()
    cv2.circle(stamped, (800, 400), 220, (220, 30, 40), 18)
    cleaned = cleanup.clean_page(stamped).image
    ring = np.zeros(cleaned.shape, np.uint8)
    cv2.circle(ring, (800, 400), 220, 255, 6)
    text_mask = cleanup.to_grey(page) < 128
    on_ring_only = (ring > 0) & ~text_mask
    assert (cleaned[on_ring_only] == 255).mean() > 0.98
    grey_only = cleanup.clean_page(stamped, cleanup.CleanupOptions(red_seal=False)).image
    assert (grey_only[on_ring_only] == 0).mean() > 0.5


def test_uneven_light_is_flattened(page: np.ndarray) -> None:
    w = page.shape[1]
    gradient = np.linspace(0.45, 1.0, w, dtype=np.float32)[None, :, None]
    dim = (page.astype(np.float32) * gradient).astype(np.uint8)
    cleaned = cleanup.clean_page(dim).image
    ink_share = (cleaned == 0).mean(axis=0)
    assert ink_share[: w // 8].mean() < 0.05  # the dark side did not turn black


def test_low_resolution_page_is_upscaled(page: np.ndarray) -> None:
    small = cv2.resize(page, None, fx=0.4, fy=0.4, interpolation=cv2.INTER_AREA)
    assert cleanup.upscale_factor(cleanup.text_height(cleanup.to_grey(small))) > 1.4
    at_200_dpi = cv2.resize(page, None, fx=2 / 3, fy=2 / 3, interpolation=cv2.INTER_AREA)
    assert cleanup.upscale_factor(cleanup.text_height(cleanup.to_grey(at_200_dpi))) == 1.0
    assert cleanup.upscale_factor(cleanup.text_height(cleanup.to_grey(page))) == 1.0


def test_a_shrunk_image_stating_a_scanners_resolution_is_still_upscaled(page: np.ndarray) -> None:
    """ex-10: a 200 dpi scan shrunk to 750x1034 px kept "200 dpi" in its header, which
    would make it a page 3.7 inches wide; its small text is enlarged all the same."""
    small = cv2.resize(page, None, fx=0.3, fy=0.3, interpolation=cv2.INTER_AREA)
    assert any(s.startswith("upscale:") for s in cleanup.clean_page(small, dpi=200).steps)


def test_phone_photo_page_is_found_and_flattened(page: np.ndarray) -> None:
    h, w = page.shape[:2]
    canvas = np.full((h + 600, w + 600, 3), 35, np.uint8)
    src = np.float32([[0, 0], [w, 0], [w, h], [0, h]])
    dst = np.float32([[380, 260], [w + 220, 340], [w + 300, h + 420], [260, h + 300]])
    matrix = cv2.getPerspectiveTransform(src, dst)
    photo = cv2.warpPerspective(
        page, matrix, (w + 600, h + 600), dst=canvas, borderMode=cv2.BORDER_TRANSPARENT
    )
    flat = cleanup.flatten_page(photo)
    assert flat is not None
    ratio = flat.shape[0] / flat.shape[1]
    assert ratio == pytest.approx(h / w, rel=0.08)
    assert cleanup.flatten_page(page) is None  # a flatbed scan is left alone
    # the step names the photo's size and the page's corners, so words map back onto it
    step = cleanup.clean_page(photo, cleanup.CleanupOptions.only("page_detect")).steps[0]
    name, size, points = step.split(":")
    corners = np.array([int(v) for v in points.split(",")]).reshape(4, 2)
    assert (name, size) == ("page_detect", f"{w + 600}x{h + 600}")
    assert np.abs(corners - dst).max() < 0.03 * w


def test_only_a_roughly_square_outline_is_warped() -> None:
    """A keystoned sheet keeps corners near 90 degrees; a shadow that cuts the lit paper
    into a wedge does not, and such an outline is not warped (the page stays as taken)."""
    keystone = np.float32([[380, 260], [2700, 340], [2780, 3928], [260, 3808]])
    wedge = np.float32([[300, 300], [2600, 300], [2600, 900], [300, 3800]])
    assert cleanup._plausible_page(keystone)
    assert not cleanup._plausible_page(wedge)


def test_steps_can_be_switched_off(page: np.ndarray) -> None:
    none = cleanup.clean_page(page, cleanup.CleanupOptions.only())
    assert none.steps == [] and none.image.ndim == 2
    full = cleanup.clean_page(page)
    assert "binarize" in full.steps and set(np.unique(full.image)) <= {0, 255}


def test_only_a_speckled_page_is_median_filtered(page: np.ndarray) -> None:
    """The median rounds off thin strokes and tone marks, so only a page whose binarised
    copy is strewn with isolated specks (photocopy grain, toner dust) is smoothed first."""
    assert "denoise" not in cleanup.clean_page(page).steps
    rng = np.random.default_rng(7)
    dusty = page.copy()
    height, width = dusty.shape[:2]
    for y, x in zip(rng.integers(0, height, 400), rng.integers(0, width, 400), strict=True):
        dusty[y : y + 2, x : x + 2] = 0  # 2x2 specks, far more than 12 a megapixel
    cleaned = cleanup.clean_page(dusty)
    assert "denoise" in cleaned.steps
    assert not any(step.startswith("despeckle") for step in cleaned.steps)  # the median took them
    off = cleanup.clean_page(dusty, cleanup.CleanupOptions(denoise=False))
    assert "denoise" not in off.steps and any(s.startswith("despeckle") for s in off.steps)


def test_png_is_bilevel_and_small(page: np.ndarray) -> None:
    binary = cleanup.clean_page(page).image
    data = cleanup.encode_png(binary)
    decoded = cv2.imdecode(np.frombuffer(data, np.uint8), cv2.IMREAD_GRAYSCALE)
    assert np.array_equal(decoded, binary)
    assert len(data) < binary.size / 20


@pytest.mark.parametrize("turn", [0, 90, 180, 270])
def test_orientation_is_made_upright(page: np.ndarray, turn: int) -> None:
    turned = cleanup.rotate_right_angle(page, turn) if turn else page
    cleaned = cleanup.clean_page(turned, cleanup.CleanupOptions.only("orientation", "binarize"))
    upright = cleanup.clean_page(page, cleanup.CleanupOptions.only("binarize")).image
    assert cleaned.image.shape == upright.shape
    assert (cleaned.image == upright).mean() > 0.99


@pytest.mark.parametrize("turn", [0, 180])
def test_tesseract_orientation_check_reads_both_ways(page: np.ndarray, turn: int) -> None:
    grey = cleanup.to_grey(cleanup.rotate_right_angle(page, turn) if turn else page)
    assert pages.tesseract_orientation(grey) == turn


def test_orientation_check_overrules_an_unsure_ink_vote(page: np.ndarray) -> None:
    """Show-through can tip the ink vote past its threshold on an upright page (measured
    below/above up to 2.0 on `bleed` pages); the check has the last word, and is only asked
    when the vote is unsure."""
    upside_down = cleanup.to_grey(cleanup.rotate_right_angle(page, 180))
    upright = cleanup.to_grey(page)
    asked: list[int] = []

    def says(turn: int) -> cleanup.OrientationCheck:
        def check(grey: np.ndarray) -> int:
            asked.append(turn)
            return turn

        return check

    assert not cleanup.is_upside_down(upside_down, says(0))
    assert cleanup.is_upside_down(upside_down, says(180))
    assert cleanup.is_upside_down(upside_down, says(90))  # no 0/180 answer: the vote stands
    assert len(asked) == 3
    assert not cleanup.is_upside_down(upright, says(180))  # clearly upright: not asked
    assert len(asked) == 3


def test_sideways_vote_is_checked_by_tesseract(page: np.ndarray) -> None:
    turned = cleanup.to_grey(cleanup.rotate_right_angle(page, 90))
    assert cleanup.sideways_turn(turned) == 90  # no check: 90, the 180 vote settles the rest
    assert cleanup.sideways_turn(turned, check=pages.tesseract_orientation) == 270
    assert cleanup.sideways_turn(turned, check=lambda grey: 0) == 0  # "upright": left alone
    upright = cleanup.to_grey(page)
    assert cleanup.sideways_turn(upright, check=lambda grey: 90) == 0  # not asked


def test_show_through_is_dropped_and_the_print_kept(page: np.ndarray) -> None:
    """The back of the sheet, mirrored and mid-grey, passes Otsu's cut in places; only ink
    near a near-black core stays, so strokes crossing the print go too, glyphs stay whole."""
    grey = cleanup.to_grey(page).astype(np.float32)
    back = cv2.GaussianBlur(np.ascontiguousarray(grey[::-1, ::-1][:, ::-1]), (0, 0), 1.2)
    back = np.roll(back, (37, 23), axis=(0, 1))
    sheet = np.minimum(grey, 255 - 0.55 * (255 - back)).astype(np.uint8)
    flat = cleanup.normalize_background(sheet)
    printed = cleanup.binarize(cleanup.normalize_background(cleanup.to_grey(page)))
    cleaned = cleanup.binarize(flat)
    _, otsu = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    extra_otsu = ((otsu == 0) & (printed == 255)).sum()
    extra_kept = ((cleaned == 0) & (printed == 255)).sum()
    assert extra_otsu > 0 and extra_kept < 0.15 * extra_otsu
    assert ((cleaned == 0) & (printed == 0)).sum() > 0.97 * (printed == 0).sum()


def _show_through_sheet(front: np.ndarray, back: np.ndarray) -> np.ndarray:
    """`front` printed over the mirrored, blurred, mid-grey print of `back`."""
    grey = cleanup.to_grey(front).astype(np.float32)
    mirrored = cv2.GaussianBlur(np.ascontiguousarray(cleanup.to_grey(back)[:, ::-1]), (0, 0), 1.2)
    mirrored = np.roll(mirrored.astype(np.float32), (37, 23), axis=(0, 1))
    return np.minimum(grey, 255 - 0.55 * (255 - mirrored)).astype(np.uint8)


def test_a_last_page_over_a_full_page_of_show_through_keeps_only_its_print(
    page: np.ndarray,
) -> None:
    """A closing page with a few lines over the whole mirrored page before it: most of the
    Otsu ink is show-through, and Otsu's cut lies between it and the paper."""
    few = np.asarray(render_lines(["Nơi nhận:", "- Ban Thường vụ Tỉnh ủy (b/c),"], 2480, 3508, 54))
    flat = cleanup.normalize_background(_show_through_sheet(few, page))
    printed = cleanup.binarize(cleanup.normalize_background(cleanup.to_grey(few)))
    cleaned = cleanup.binarize(flat)
    assert ((cleaned == 0) & (printed == 255)).sum() < 0.2 * (printed == 0).sum()
    assert ((cleaned == 0) & (printed == 0)).sum() > 0.97 * (printed == 0).sum()


def test_blurred_print_is_not_taken_for_sharp_print(page: np.ndarray) -> None:
    """A phone photo's strokes are grey through: their lack of a dark core must not make
    them show-through."""
    flat = cleanup.normalize_background(cleanup.to_grey(page))
    for sigma, crisp in ((0.0, True), (1.4, False)):
        grey = cv2.GaussianBlur(flat, (0, 0), sigma) if sigma else flat
        cut, _ = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
        half = cv2.erode(grey, np.ones((2, 2), np.uint8))[::2, ::2]
        assert (cleanup._show_through(half, cut)[1] >= cleanup.CRISP_SHARE) is crisp


def test_frame_around_a_mark_is_erased_and_the_word_kept() -> None:
    image = render_lines(["", "", "KHẨN"], 2480, 3508, 54)
    rgb = np.asarray(image).copy()
    cv2.rectangle(rgb, (120, 300), (420, 410), (0, 0, 0), 5)  # the frame around KHẨN
    cv2.rectangle(rgb, (200, 1500), (2200, 2600), (0, 0, 0), 4)  # a table grid: too big
    cleaned = cleanup.clean_page(rgb)
    assert any(step.startswith("frames:1") for step in cleaned.steps)
    assert (cleaned.image[300:306, 150:400] == 255).all()  # top of the frame gone
    assert (cleaned.image[320:400, 140:400] == 0).any()  # the word is still there
    assert (cleaned.image[1499:1502, 300:2000] == 0).mean() > 0.9  # the big box stays


def test_text_size_is_measured_only_when_a_step_needs_it(page: np.ndarray) -> None:
    """A page whose source states 200 DPI or more is never enlarged, and a clean page is
    not denoised: neither needs the glyph height, so it is not measured."""
    stated = cleanup.clean_page(page, dpi=300)
    assert "text_size" not in stated.timings
    unknown = cleanup.clean_page(page)
    assert "text_size" in unknown.timings
    assert np.array_equal(stated.image, unknown.image)


def test_coarse_copy_votes_as_the_small_copy(page: np.ndarray) -> None:
    """The cheap reduced copy gives the orientation votes what the exact one gives."""
    grey = cleanup.to_grey(page)
    for longest in (600, 1600):
        exact, coarse = cleanup._small(grey, longest), cleanup._coarse(grey, longest)
        assert coarse.shape == exact.shape
        assert abs((coarse < 128).mean() - (exact < 128).mean()) < 0.2 * (exact < 128).mean()
    turned = cleanup.rotate_right_angle(grey, 180)
    assert cleanup.ink_balance(grey) < cleanup.UPRIGHT_INK_BALANCE
    assert cleanup.ink_balance(turned) > cleanup.UPSIDE_DOWN_INK_BALANCE
    assert cleanup.sideways_turn(grey) == 0
    assert cleanup.sideways_turn(cleanup.rotate_right_angle(grey, 90)) == 90


def test_sharp_print_is_never_thresholded_as_faded() -> None:
    """ex-38 (a real 200 DPI JPEG scan, dev split): median-smoothed by denoise, its Otsu cut
    rose to 192, and the faded-print cut near the paper made every JPEG halo ink (26% of
    the page black, OCR read nothing). Faded print has no dark cores; this page has."""
    bgr = cv2.imread(str(ROOT / "corpus" / "real" / "extra" / "ex-38.jpg"))
    cleaned = cleanup.clean_page(np.ascontiguousarray(bgr[:, :, ::-1]))
    assert "denoise" in cleaned.steps
    assert 0.03 < (cleaned.image == 0).mean() < 0.12
