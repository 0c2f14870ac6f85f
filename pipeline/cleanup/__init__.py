"""Cleanup: turn a page photo or scan into a clean, upright, binary page for OCR.

Each step is a pure function on numpy arrays, switchable through `CleanupOptions`, and timed.
Order matters: the page is found and flattened first, the grey image is taken from the red
channel (red seal ink turns white, black and blue ink stay dark), a sideways page is turned,
low-resolution pages are upscaled before anything thresholds them, the skew is measured on a
small binary copy but corrected on the grey page, an upside-down page is turned, and only then
is the background flattened and the page binarised.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import cv2
import numpy as np

from pipeline.cleanup.options import CleanupOptions
from pipeline.programs.opencv import label_ink

log = logging.getLogger(__name__)

TARGET_TEXT_HEIGHT = 30.0  # median glyph-box height (px) of body text at 300 DPI
# A 3x3 median erodes thin strokes and tone marks of small text: measured on 200 DPI pages
# (0.69% CER with it, 0.20% without), and of soft print (jpeg, phone photos). It is worth
# its cost only on speckled pages (photocopy grain, toner dust), told by the specks left on
# the page binarised without it: train pages measured photocopies 10-280 a megapixel, phone
# photos at most 9, faded print mostly under 5, other profiles ~0 (docs/ingest.md).
DENOISE_MIN_TEXT_HEIGHT = 0.8 * TARGET_TEXT_HEIGHT
DENOISE_MIN_SPECKS_PER_MP = 12.0
NO_UPSCALE_DPI = 200  # measured: a 200 DPI page reads better, and faster, as it is
MIN_PAGE_INCHES = 5.0  # short side of the smallest paper a document is printed on (A5: 5.8)
WHITE = 255


# Given a deskewed grey page: degrees to turn it clockwise to make it upright, or None when
# unsure. The ingest passes Tesseract's orientation detection (`pages.tesseract_orientation`).
OrientationCheck = Callable[[np.ndarray], int | None]


@dataclass
class CleanedPage:
    image: np.ndarray  # uint8, single channel; 0/255 when binarised
    # the red ink the red channel took out of `image` (0 ink, 255 paper; same size and
    # geometry), for the red lines worth reading: a name stamp under a signature. None
    # when the page is not in colour or holds (almost) no red
    red: np.ndarray | None = None
    steps: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)


def clean_page(
    rgb: np.ndarray,
    options: CleanupOptions | None = None,
    orientation_check: OrientationCheck | None = None,
    dpi: int | None = None,
) -> CleanedPage:
    """Run the enabled cleanup steps on one RGB page image.

    `orientation_check` settles an upside-down vote that `is_upside_down` cannot settle alone.
    `dpi` is the resolution the source states (a PDF's placed image, an image file's header):
    a page scanned at NO_UPSCALE_DPI or more is never enlarged, whatever its ink measures (a
    blank page's seal specks measured as 10 px text and doubled the page).
    """
    opts = options or CleanupOptions()
    result = CleanedPage(image=rgb)
    clock = _Clock(result)

    image = rgb
    if opts.page_detect:
        with clock("page_detect"):
            found = find_page(image)
        if found is not None:
            photo_height, photo_width = image.shape[:2]
            image, corners = found
            # the photo's size and the page's corners in it (top-left, top-right,
            # bottom-right, bottom-left): enough to map a word back onto the photo
            points = ",".join(f"{round(float(v))}" for corner in corners for v in corner)
            result.steps.append(f"page_detect:{photo_width}x{photo_height}:{points}")

    red = None
    with clock("grey"):
        grey = red_channel(image) if opts.red_seal and image.ndim == 3 else to_grey(image)
    if opts.red_seal and image.ndim == 3:
        result.steps.append("red_seal")
        with clock("red_ink"):
            red = red_ink(image)

    if opts.orientation:
        with clock("orientation"):
            turn = sideways_turn(grey, opts.max_skew_degrees, orientation_check)
            if turn:
                grey = rotate_right_angle(grey, turn)
                red = None if red is None else rotate_right_angle(red, turn)
        if turn:
            result.steps.append(f"orientation:{turn}")

    # The glyph height is measured only when a step needs it: a source stating its
    # resolution is never enlarged, and denoising asks only on a speckled page (~25 ms).
    sized = _TextSize(grey, clock)
    if opts.upscale and not (dpi and dpi >= NO_UPSCALE_DPI and _page_inches(grey, dpi)):
        factor = upscale_factor(sized.height())
        if factor > 1.0:
            with clock("upscale"):
                grey = cv2.resize(grey, None, fx=factor, fy=factor, interpolation=cv2.INTER_CUBIC)
                if red is not None:
                    red = cv2.resize(red, None, fx=factor, fy=factor)
            sized.factor = factor
            result.steps.append(f"upscale:{factor:.2f}")

    if opts.deskew:
        with clock("deskew"):
            angle = estimate_skew(grey, opts.max_skew_degrees)
            if abs(angle) >= 0.1:
                grey = rotate(grey, angle)
                red = None if red is None else rotate(red, angle)
        if abs(angle) >= 0.1:
            result.steps.append(f"deskew:{angle:.2f}")

    if opts.orientation:
        with clock("orientation"):
            flipped = is_upside_down(grey, orientation_check)
            if flipped:
                grey = rotate_right_angle(grey, 180)
                red = None if red is None else rotate_right_angle(red, 180)
        if flipped:
            result.steps.append("orientation:180")

    before = len(result.steps)
    image, specks = _threshold(grey, opts, result, clock)
    speckled = specks >= DENOISE_MIN_SPECKS_PER_MP * grey.size / 1e6
    if opts.denoise and speckled and not sized.small():
        with clock("denoise"):  # a speckled page: thresholded again from a smoothed copy
            smoothed = cv2.medianBlur(grey, 3)
        del result.steps[before:]
        result.steps.append("denoise")
        image, _ = _threshold(smoothed, opts, result, clock)
    result.image = image
    result.red = red
    return result


def _threshold(
    grey: np.ndarray, opts: CleanupOptions, result: CleanedPage, clock: _Clock
) -> tuple[np.ndarray, int]:
    """The upright grey page flattened, binarised and cleared of borders, frames and specks;
    with the number of isolated specks found on it (0 when it is not binarised)."""
    if opts.normalize:
        with clock("normalize"):
            grey = normalize_background(grey)
        result.steps.append("normalize")
    if not opts.binarize:
        return grey, 0
    with clock("binarize"):
        grey = binarize(grey)
    result.steps.append("binarize")
    if opts.crop_borders:
        with clock("crop_borders"):
            grey, removed = clear_borders(grey)
        if removed:
            result.steps.append("crop_borders")
    if opts.rules:
        with clock("rules"):
            grey, ruled = remove_rules(grey)
        if ruled:
            result.steps.append("rules")
    components: Components | None = None
    if opts.frames or opts.despeckle or opts.denoise:
        with clock("components"):
            components = ink_components(grey)
    if opts.frames:
        with clock("frames"):
            grey, framed = remove_frames(grey, components)
        if framed:
            result.steps.append(f"frames:{framed}")
    specks = 0
    if opts.despeckle or opts.denoise:
        with clock("despeckle"):
            cleaned, specks = despeckle(grey, components)
        if opts.despeckle:
            grey = cleaned
            if specks:
                result.steps.append(f"despeckle:{specks}")
    return grey, specks



class _TextSize:
    """The page's median glyph height, measured once on the upright grey page as it was
    before any enlarging (`text_height`), and only when first asked for."""

    def __init__(self, grey: np.ndarray, clock: _Clock) -> None:
        self.grey: np.ndarray | None = grey
        self.clock = clock
        self.factor = 1.0  # the enlargement applied since
        self.measured: float | None = None

    def height(self) -> float | None:
        if self.grey is not None:
            with self.clock("text_size"):
                self.measured = text_height(self.grey)
            self.grey = None
        return self.measured * self.factor if self.measured else None

    def small(self) -> bool:
        """Text too small for a median filter (`DENOISE_MIN_TEXT_HEIGHT`)."""
        height = self.height()
        return height is not None and height < DENOISE_MIN_TEXT_HEIGHT


class _Clock:
    """Context-manager factory that adds each step's wall time to the result."""

    def __init__(self, result: CleanedPage) -> None:
        self.result = result
        self.name = ""
        self.start = 0.0

    def __call__(self, name: str) -> _Clock:
        self.name = name
        return self

    def __enter__(self) -> None:
        self.start = time.perf_counter()

    def __exit__(self, *exc: object) -> None:
        elapsed = time.perf_counter() - self.start
        self.result.timings[self.name] = self.result.timings.get(self.name, 0.0) + elapsed


def _page_inches(grey: np.ndarray, dpi: int) -> bool:
    """The stated resolution makes a page of paper size: an image shrunk after scanning
    keeps its header (ex-10: 750x1034 px "at 200 dpi", 3.7 inches wide), and its small
    text would go to Tesseract unenlarged."""
    return min(grey.shape[:2]) / dpi >= MIN_PAGE_INCHES


def to_grey(image: np.ndarray) -> np.ndarray:
    if image.ndim == 2:
        return image
    return cv2.cvtColor(image, cv2.COLOR_RGB2GRAY)


RED_INK = 70  # red over the larger of green and blue: seal and stamp ink (paper and black ~0)
RED_INK_SHARE = 2e-4  # of the page's pixels: less red is a speck or a blue pen's edge


def red_ink(rgb: np.ndarray) -> np.ndarray | None:
    """Red ink as black on white (None when there is almost none): what `red_channel`
    whitens, kept apart so that a red name stamp can still be read."""
    sample = _redness(np.ascontiguousarray(rgb[::8, ::8]))  # most pages have no red: ~1 ms
    if np.count_nonzero(sample >= RED_INK) < RED_INK_SHARE * sample.size:
        return None
    _, paper = cv2.threshold(_redness(rgb), RED_INK - 1, 255, cv2.THRESH_BINARY_INV)
    return paper


def _redness(rgb: np.ndarray) -> np.ndarray:
    """Red over the larger of green and blue, 0 where it is not the largest."""
    red, green, blue = cv2.split(rgb)
    return cv2.subtract(red, cv2.max(green, blue))  # saturates at 0: no wider copy


def red_channel(rgb: np.ndarray) -> np.ndarray:
    """The red channel as the grey page: red seal ink becomes near-white, dark ink stays dark."""
    return np.ascontiguousarray(rgb[:, :, 0])


def _small(grey: np.ndarray, longest: int) -> np.ndarray:
    scale = longest / max(grey.shape[:2])
    if scale >= 1.0:
        return grey
    return cv2.resize(grey, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)


def _coarse(image: np.ndarray, longest: int) -> np.ndarray:
    """`_small`'s size, for the votes that only decide whether a page is turned (not for
    measures such as the skew angle or a photo's corners): halved while that stays above
    the size, then area-averaged. OpenCV halves an even-sized image ~30x faster than it
    area-averages to any other size, so this costs 3-12 ms on a 300 DPI page instead of
    13-18. Block edges fall elsewhere, so single pixels differ: on the 111 real dev pages
    no vote changed and no cleaned page differed."""
    scale = longest / max(image.shape[:2])
    if scale >= 1.0:
        return image
    size = (round(image.shape[1] * scale), round(image.shape[0] * scale))
    while max(image.shape[:2]) >= 2 * longest:
        image = _half(image)
    return cv2.resize(image, size, interpolation=cv2.INTER_AREA)


def _half(image: np.ndarray) -> np.ndarray:
    """Each 2x2 block's mean (a last odd row or column is dropped)."""
    height, width = image.shape[0] // 2, image.shape[1] // 2
    even = image[: 2 * height, : 2 * width]
    return cv2.resize(even, (width, height), interpolation=cv2.INTER_AREA)


def flatten_page(rgb: np.ndarray) -> np.ndarray | None:
    """Find a page lying on a darker surround (a phone photo) and warp it to a flat rectangle.

    Returns None when no such page is found (a flatbed scan fills the whole frame).
    """
    found = find_page(rgb)
    return None if found is None else found[0]


def find_page(rgb: np.ndarray) -> tuple[np.ndarray, np.ndarray] | None:
    """`flatten_page`, with the page's corners in the photo (top-left, top-right,
    bottom-right, bottom-left; float pixels)."""
    grey = to_grey(rgb)
    desk, paper = _frame_and_paper(_coarse(grey, 800))
    if desk > SURELY_NO_SURROUND * paper:  # a scan: said on the cheap copy (~8 ms less)
        return None
    small = _small(grey, 800)
    scale = grey.shape[0] / small.shape[0]
    # the surround must be clearly darker than the paper
    desk, paper = _frame_and_paper(small)
    if desk > 0.6 * paper:
        return None
    blurred = cv2.GaussianBlur(small, (7, 7), 0)
    # paper in shadow is still lighter than the desk: cut nearer the desk than Otsu would
    _, mask = cv2.threshold(blurred, desk + 0.35 * (paper - desk), 255, cv2.THRESH_BINARY)
    mask = cv2.morphologyEx(mask, cv2.MORPH_CLOSE, np.ones((15, 15), np.uint8))
    contours, _ = cv2.findContours(mask, cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_SIMPLE)
    if not contours:
        return None
    contour = max(contours, key=cv2.contourArea)
    area = cv2.contourArea(contour)
    if not 0.2 * small.size < area < 0.97 * small.size:
        return None
    hull = cv2.convexHull(contour)
    quad = cv2.approxPolyDP(hull, 0.02 * cv2.arcLength(hull, True), True)
    if len(quad) != 4:
        x, y, w, h = cv2.boundingRect(hull)
        quad = np.array([[[x, y]], [[x + w, y]], [[x + w, y + h]], [[x, y + h]]])
    corners = _order_corners(quad.reshape(4, 2).astype(np.float32) * scale)
    if not _plausible_page(corners):
        return None
    top_left, top_right, bottom_right, bottom_left = corners
    width = int(
        max(np.linalg.norm(top_right - top_left), np.linalg.norm(bottom_right - bottom_left))
    )
    height = int(
        max(np.linalg.norm(bottom_left - top_left), np.linalg.norm(bottom_right - top_right))
    )
    if width < 100 or height < 100:
        return None
    target = np.array(
        [[0, 0], [width - 1, 0], [width - 1, height - 1], [0, height - 1]], dtype=np.float32
    )
    matrix = cv2.getPerspectiveTransform(corners, target)
    flat: np.ndarray = cv2.warpPerspective(
        rgb, matrix, (width, height), flags=cv2.INTER_CUBIC, borderMode=cv2.BORDER_REPLICATE
    )
    return flat, corners


# The outer frame at least this share of the paper's brightness on the cheap copy: no
# darker surround, whatever the exact copy says (which needs 0.6; scans measure ~1.0).
SURELY_NO_SURROUND = 0.7


def _frame_and_paper(small: np.ndarray) -> tuple[float, float]:
    """The median of the reduced photo's outer frame (8 px) and its paper brightness
    (90th percentile)."""
    border = np.concatenate(
        [small[:8].ravel(), small[-8:].ravel(), small[:, :8].ravel(), small[:, -8:].ravel()]
    )
    return float(np.median(border)), float(np.percentile(small, 90))


def _plausible_page(corners: np.ndarray) -> bool:
    """Whether four corners can be a photographed sheet: every angle within 30 degrees of a
    right angle. A shadow across the sheet once cut the found shape into a wedge, and the
    page warped to it was unreadable (90% CER); left unflattened, the later steps cope."""
    for i in range(4):
        before, corner, after = corners[i - 1], corners[i], corners[(i + 1) % 4]
        u, v = before - corner, after - corner
        cosine = float(np.dot(u, v) / max(np.linalg.norm(u) * np.linalg.norm(v), 1e-6))
        if abs(cosine) > np.cos(np.radians(60)):
            return False
    return True


def _order_corners(points: np.ndarray) -> np.ndarray:
    """Corners as top-left, top-right, bottom-right, bottom-left."""
    total = points.sum(axis=1)
    diff = np.diff(points, axis=1).ravel()
    return np.array(
        [
            points[np.argmin(total)],
            points[np.argmin(diff)],
            points[np.argmax(total)],
            points[np.argmax(diff)],
        ],
        dtype=np.float32,
    )


def _text_ink(small: np.ndarray) -> np.ndarray:
    """Text pixels (255) of a reduced copy, cleaned much as the page itself will be.

    Flattened background, Otsu (also on faded print, so glyph boxes keep their size), edge
    shadows cleared, specks opened away: so streaks, edge shadows, speckle and show-through
    do not vote in the size, skew and orientation estimates made from it.
    """
    flat = normalize_background(cv2.medianBlur(small, 3))
    _, binary = cv2.threshold(flat, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    binary, _ = clear_borders(binary)
    ink = cv2.bitwise_not(binary)  # a 0/255 page: ink becomes 255 (~20x np.where's speed)
    opened: np.ndarray = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((2, 2), np.uint8))
    return opened


def text_height(grey: np.ndarray) -> float | None:
    """Median height of glyph-sized connected components, or None on a page without text.

    Measured on a cleaned half-size copy (averaging halves pixel noise), so speckle noise
    does not vote for a tiny text size.
    """
    half = cv2.erode(grey, np.ones((2, 2), np.uint8))[::2, ::2]  # darkest of each 2x2 block
    ink = _text_ink(half)
    count, _, stats = label_ink(ink)
    heights = stats[1:, cv2.CC_STAT_HEIGHT]
    widths = stats[1:, cv2.CC_STAT_WIDTH]
    keep = (heights >= 3) & (heights <= 100) & (widths <= 100) & (stats[1:, cv2.CC_STAT_AREA] >= 6)
    if count < 50 or keep.sum() < 30:
        return None
    return 2.0 * float(np.median(heights[keep]))


def upscale_factor(height: float | None) -> float:
    """How much to enlarge a very low-resolution page (1..2), given its median glyph height.

    Measured: a 200 DPI page (text ~2/3 of the 300 DPI size) reads better, and faster, as it
    is than upscaled; only text below ~165 DPI size is enlarged, to ~240 DPI size.
    """
    if height is None or height >= 0.55 * TARGET_TEXT_HEIGHT:
        return 1.0
    return float(min(2.0, 0.8 * TARGET_TEXT_HEIGHT / height))


def estimate_skew(grey: np.ndarray, max_degrees: float = 10.0) -> float:
    """Skew angle in degrees (counter-clockwise positive) by projection-profile search."""
    return _skew_search(_skew_ink(grey), max_degrees)[0]


def _skew_ink(grey: np.ndarray, longest: int = 1000) -> np.ndarray:
    return _text_ink(_small(grey, longest))


def _skew_search(ink: np.ndarray, max_degrees: float, fine: bool = True) -> tuple[float, float]:
    """Best angle and its score: text lines give the sharpest row profile when horizontal.

    Angles are tried coarse, then fine, on a small binary copy; the score is the sum of
    squared differences between neighbouring row sums. Rows are counted from the ink
    pixels' rotated coordinates rather than from a rotated image: the same angles within
    0.15 degrees on 86 train pages, 8 ms a page instead of 33.
    """
    ys, xs = np.nonzero(ink)
    height, width = ink.shape
    dy = (ys - height / 2).astype(np.float32)
    dx = (xs - width / 2).astype(np.float32)

    scores: dict[float, float] = {}  # the fine steps land on angles tried before

    def score(angle: float) -> float:
        if angle in scores:
            return scores[angle]
        cos, sin = np.float32(np.cos(np.radians(angle))), np.float32(np.sin(np.radians(angle)))
        # rows = rint(height / 2 + cos * dy - sin * dx), cols = width / 2 + cos * dx + sin * dy
        # (counter-clockwise, as cv2's rotation matrix), the same float32 sums made in place
        rows = np.multiply(dy, cos)
        rows += height / 2
        scratch = np.multiply(dx, sin)
        rows -= scratch
        np.rint(rows, out=rows)
        cols = np.multiply(dx, cos)
        cols += width / 2
        cols += np.multiply(dy, sin, out=scratch)
        inside = rows >= 0
        inside &= rows < height
        inside &= cols >= -0.5
        inside &= cols < width - 0.5
        profile = np.bincount(rows[inside].astype(np.intp), minlength=height)
        scores[angle] = float(np.sum(np.diff(profile.astype(np.float64)) ** 2))
        return scores[angle]

    best = max(np.arange(-max_degrees, max_degrees + 0.01, 1.0 if fine else 2.0), key=score)
    if fine:
        best = max(np.arange(best - 1.0, best + 1.01, 0.2), key=score)
        best = max(np.arange(best - 0.2, best + 0.21, 0.05), key=score)
    return round(float(best), 2), score(best)


def rotate(grey: np.ndarray, angle: float) -> np.ndarray:
    """Rotate a grey page by `angle` degrees (counter-clockwise) about its centre, white fill."""
    height, width = grey.shape[:2]
    matrix = cv2.getRotationMatrix2D((width / 2, height / 2), angle, 1.0)
    rotated: np.ndarray = cv2.warpAffine(
        grey, matrix, (width, height), flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE
    )
    return rotated


def sideways_turn(
    grey: np.ndarray, max_skew_degrees: float = 10.0, check: OrientationCheck | None = None
) -> int:
    """Degrees (0, 90 or 270) to turn the page clockwise when its text lines run vertically.

    The best row-profile score over the skew range is compared with the same search on the
    page turned 90 degrees, so a crooked but upright page is not mistaken for a turned one.
    When the profiles say "turned", `check` (Tesseract's orientation detection) has the last
    word: a flattened phone photo once scored as turned and was read sideways (77% CER).
    Without a check, 90 is returned and `is_upside_down` later tells 90 from 270.
    """
    ink = _text_ink(_coarse(grey, 600))
    if not ink.any():
        return 0
    upright = _skew_search(ink, max_skew_degrees, fine=False)[1]
    turned = _skew_search(cv2.rotate(ink, cv2.ROTATE_90_CLOCKWISE), max_skew_degrees, fine=False)[1]
    if turned <= 2.0 * upright:  # upright pages measured up to 1.8, turned ones from 2.3
        return 0
    if check is not None:
        answer = check(grey)
        if answer in (0, 180):
            return 0  # not sideways; a 180 turn is settled after deskewing
        if answer in (90, 270):
            return answer
    return 90


UPRIGHT_INK_BALANCE = 0.85  # below/above ink at most this: upright, no second opinion
UPSIDE_DOWN_INK_BALANCE = 1.25  # at least this (and no check available): upside down


def is_upside_down(grey: np.ndarray, check: OrientationCheck | None = None) -> bool:
    """True when the (deskewed) page is upside down.

    In upright Vietnamese print the ink above each line's x-height band (ascenders, and the
    tone and vowel marks on most syllables) outweighs the ink below it (descenders only);
    turned 180 degrees, the balance flips. Measured on 110 train pages: upright pages give
    below/above 0.26-0.75, with a few near 1.1 (photocopy noise) and show-through pages
    up to 2.0, which the vote alone would turn over. So between "clearly upright" and
    anything else `check` (Tesseract's orientation detection) decides, when given.
    """
    balance = ink_balance(grey)
    if balance is None or balance <= UPRIGHT_INK_BALANCE:
        return False
    if check is not None:
        turn = check(grey)
        if turn in (0, 180):
            return turn == 180
    return balance >= UPSIDE_DOWN_INK_BALANCE


def ink_balance(grey: np.ndarray) -> float | None:
    """Ink below the lines' x-height bands over ink above them (None on a blank page)."""
    ink = (_text_ink(_coarse(grey, 1600)) > 0).astype(np.float64)
    rows = ink.sum(axis=1)
    if rows.max() == 0:
        return None
    in_line = rows > 0.05 * rows.max()
    above = below = 0.0
    start = None
    for y, on in enumerate([*in_line, False]):
        if on and start is None:
            start = y
        elif not on and start is not None:
            band = rows[start:y]
            if len(band) >= 6:
                core = np.flatnonzero(band >= 0.5 * band.max())
                above += band[: core[0]].sum()
                below += band[core[-1] + 1 :].sum()
            start = None
    if above + below < 0.0005 * ink.size:
        return None  # too little text around the lines to vote (154 dev pages: >= 0.0008)
    return below / max(above, 1.0)


def rotate_right_angle(grey: np.ndarray, clockwise: int) -> np.ndarray:
    codes = {90: cv2.ROTATE_90_CLOCKWISE, 180: cv2.ROTATE_180, 270: cv2.ROTATE_90_COUNTERCLOCKWISE}
    return cv2.rotate(grey, codes[clockwise]) if clockwise in codes else grey


def normalize_background(grey: np.ndarray) -> np.ndarray:
    """Divide the page by an estimate of its paper brightness: flattens shadows and uneven light.

    The background is the grey-level closing (max filter) of a 1/4-size copy with a kernel wider
    than any stroke, smoothed and scaled back up; dividing by it makes paper uniformly white
    while ink keeps its contrast.
    """
    small = cv2.resize(grey, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    background = cv2.dilate(small, np.ones((9, 9), np.uint8))
    background = cv2.GaussianBlur(background, (0, 0), 5)
    background = cv2.resize(
        background, (grey.shape[1], grey.shape[0]), interpolation=cv2.INTER_LINEAR
    )
    normalized = cv2.divide(grey, np.maximum(background, 1), scale=255)
    return normalized


FAINT_OTSU_LEVEL = 190  # Otsu's cut of a flattened page above this: faded print
FAINT_NOISE_MARGIN = 4.0  # paper noise (robust std) between the paper and the ink threshold
# Faded print has no dark core at all (`_show_through`'s sharpness 0 on the faded train
# pages). A page with dark cores whose Otsu cut is high anyway is not faded: ex-38, a clean
# 200 DPI JPEG scan, cut at 192 once median-smoothed by denoise, and the faded path's cut
# near the paper (251) turned every JPEG halo to ink: 26% of the page black, read as blank.
FADED_MAX_CRISP = 0.05


def binarize(grey: np.ndarray) -> np.ndarray:
    """Black text (0) on white (255): Otsu on the flattened page, near the paper on faded
    print, and only near the print's dark cores where the back of the sheet shows through.

    Faded print ends, once flattened, only a little darker than the paper: Otsu's cut lands
    at 207-227 on faded train pages (120-170 on pages with black ink), splitting the ink
    itself and breaking thin strokes and tone marks. There every pixel clearly darker than
    the paper (by four robust standard deviations of it) is ink, after a light blur against
    the mottle. Measured on the 10 faded train pages: 2.67% CER with Otsu after a 1.5 px
    blur (the rule before), 0.55% this way. Faded pages have no near-black pixel at all;
    a page with sharp black print whose Otsu ink is partly coreless has show-through, also
    when that is most of its ink (a last page with a few lines, over the mirrored text of
    the whole page before it: Otsu's cut then splits the paper from the show-through).
    """
    cut, binary = cv2.threshold(grey, 0, 255, cv2.THRESH_BINARY + cv2.THRESH_OTSU)
    half = cv2.erode(grey, np.ones((2, 2), np.uint8))[::2, ::2]  # darkest of each 2x2
    coreless, crisp = _show_through(half, cut)
    if crisp >= CRISP_SHARE and coreless >= SHOW_THROUGH_SHARE:
        return _keep_near_dark_cores(grey, binary, cut)
    if cut <= FAINT_OTSU_LEVEL or crisp > FADED_MAX_CRISP:
        return binary
    smoothed = cv2.GaussianBlur(grey, (0, 0), 0.6)
    sample = grey[::4, ::4]
    paper = float(np.median(sample))
    noise = 1.4826 * float(np.median(np.abs(sample.astype(np.float32) - paper)))
    threshold = paper - FAINT_NOISE_MARGIN * max(noise, 1.0)
    _, binary = cv2.threshold(smoothed, threshold, 255, cv2.THRESH_BINARY)
    return binary


# Of the Otsu ink in pieces without a dark core: show-through. On 38 generated bleed train
# pages those over 0.005 measure 0.008-0.86; real dev pages without it up to 0.006 (ex-68, a light
# "SAO Y" print whose thin strokes the show-through path cut off: "V/v rà soát" read
# "X đề ra loại"); 0.005 before session 11.
SHOW_THROUGH_SHARE = 0.007
DARK_CORE = 0.5  # a piece of real ink has pixels darker than half of Otsu's cut
CRISP_SHARE = 0.5  # of the cored ink darker than DARK_CORE of the cut: sharp print
CORE_REACH = 3  # px (text ~30 px tall): how far a glyph's grey edge reaches from its core


def _show_through(half: np.ndarray, cut: float) -> tuple[float, float]:
    """On a half-size copy: the share of the Otsu ink in pieces with no dark core, and the
    share of the ink in cored pieces that is dark (how sharp the print is).

    Show-through from the back of the sheet is mid-grey: where it is dark enough to pass
    Otsu's cut it forms pieces that never get darker than about half of the cut, while
    sharp printed ink has near-black cores. A blurred phone photo's strokes are grey through:
    9-44% of its cored ink is dark on 33 phone train pages, against 55-79% on scanned pages
    with or without show-through, 0 on faded ones. Removing coreless pieces from the phone
    photos took whole words of real text (five pages' raw CER 5.7-11% -> 17-32%).
    Coreless share: 0.01-0.88 on bleed train pages where OCR read show-through as text, 0
    on the others, at most 0.027 on phone photos (which the sharpness test keeps out).
    """
    _, binary = cv2.threshold(half, cut, 255, cv2.THRESH_BINARY)
    _, seeded, area = _cored_pieces(half, binary, cut)
    total = float(area.sum())
    cored = float(area[seeded].sum())
    dark = float(np.count_nonzero(half <= DARK_CORE * cut))
    return (total - cored) / total if total else 0.0, dark / cored if cored else 0.0


def _keep_near_dark_cores(grey: np.ndarray, binary: np.ndarray, cut: float) -> np.ndarray:
    """Hysteresis with a reach: Otsu ink is kept only within CORE_REACH px of a dark core.

    Keeping whole pieces that hold a core (the rule before) kept the show-through strokes
    that cross or touch the print ("TỈNH ỦY" read as "'FÌNHIỦY/QƯẢNG("); a printed glyph's
    grey edge is 1-2 px wide. On 24 show-through train pages (PDF input) mean raw CER
    1.93% -> 0.80% (whole pieces: 1.47%; pages read as garbage 4-12% -> 0.5-1.1%).
    """
    dark = (grey <= DARK_CORE * cut).astype(np.uint8)
    reach = cv2.getStructuringElement(cv2.MORPH_ELLIPSE, (2 * CORE_REACH + 1,) * 2)
    near = cv2.dilate(dark, reach) > 0
    kept: np.ndarray = np.where(near & (binary == 0), 0, WHITE).astype(np.uint8)
    return kept


def _cored_pieces(
    grey: np.ndarray, binary: np.ndarray, cut: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Labels of the ink pieces of `binary`, whether each holds a pixel of `grey` darker
    than DARK_CORE of the cut, and each one's area (the background's counted as 0)."""
    count, labels, stats = label_ink(cv2.bitwise_not(binary))
    seeded = np.zeros(count, dtype=bool)
    seeded[labels[grey <= DARK_CORE * cut]] = True
    seeded[0] = False
    area = stats[:, cv2.CC_STAT_AREA].astype(np.float64)
    area[0] = 0.0
    return labels, seeded, area


def clear_borders(binary: np.ndarray) -> tuple[np.ndarray, bool]:
    """Whiten large dark regions touching the page edge (scanner shadows, leftover surround).

    Components are found on a quarter-size copy (cheap); their mask is scaled back up.
    """
    height, width = binary.shape
    small = cv2.resize(
        binary, (max(1, width // 4), max(1, height // 4)), interpolation=cv2.INTER_AREA
    )
    ink = (small < 128).astype(np.uint8)
    _, labels, stats = label_ink(ink)
    sh, sw = ink.shape
    x, y = stats[:, cv2.CC_STAT_LEFT], stats[:, cv2.CC_STAT_TOP]
    w, h = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    touches = (x == 0) | (y == 0) | (x + w >= sw) | (y + h >= sh)
    remove = touches & ((w > 0.1 * sw) | (h > 0.1 * sh))
    remove[0] = False  # the background
    if not remove.any():
        return binary, False
    mask = remove[labels].astype(np.uint8) * 255
    mask = cv2.dilate(mask, np.ones((3, 3), np.uint8))
    mask = cv2.resize(mask, (width, height), interpolation=cv2.INTER_NEAREST)
    cleaned = binary.copy()
    cleaned[mask > 0] = WHITE
    return cleaned, True


@dataclass(frozen=True)
class Components:
    """Connected ink components of a binary page: labelled once, used by frames and despeckle
    (~22 ms a 300 DPI page)."""

    labels: np.ndarray
    stats: np.ndarray


def ink_components(binary: np.ndarray) -> Components:
    ink = cv2.bitwise_not(binary)  # 0/255 page: ink becomes the non-zero foreground
    _, labels, stats = label_ink(ink)
    return Components(labels, stats)


def despeckle(
    binary: np.ndarray, components: Components | None = None, max_area: int = 20, reach: int = 9
) -> tuple[np.ndarray, int]:
    """Remove isolated ink specks (toner dust, photocopy noise) smaller than a full stop.

    A speck is removed only when no larger ink lies within `reach` pixels: the tone mark over
    "ố" is as small as a speck but sits right above its letter. Tesseract reads stray specks
    as "_", "-" and "." scattered through the text. Only the neighbourhood of each small
    component is inspected, so a clean page costs one labelling pass.
    """
    found = components if components is not None else ink_components(binary)
    labels, stats = found.labels, found.stats
    is_large = stats[:, cv2.CC_STAT_AREA] >= max_area
    is_large[0] = False
    small = np.flatnonzero(~is_large)
    small = small[small > 0]
    cleaned = binary
    specks = 0
    for label in small:
        x, y, w, h = (int(v) for v in stats[label, :4])
        around = labels[max(0, y - reach) : y + h + reach, max(0, x - reach) : x + w + reach]
        if is_large[around].any():
            continue
        if specks == 0:
            cleaned = binary.copy()
        box = labels[y : y + h, x : x + w] == label
        cleaned[y : y + h, x : x + w][box] = WHITE
        specks += 1
    return cleaned, specks


def remove_frames(
    binary: np.ndarray, components: Components | None = None
) -> tuple[np.ndarray, int]:
    """Erase rectangular frames drawn around a word or two (KHẨN, MẬT, DỰ THẢO).

    Tesseract drops a framed word entirely. A frame is one ink component, word-box sized,
    whose ink lies along its bounding box: thin on every side and empty inside (the framed
    letters are separate components). Table grids are larger and hold crossing rules.
    """
    found = components if components is not None else ink_components(binary)
    labels, stats = found.labels, found.stats
    height, width = binary.shape
    cleaned = binary
    frames = 0
    w_all, h_all = stats[:, cv2.CC_STAT_WIDTH], stats[:, cv2.CC_STAT_HEIGHT]
    sized = (0.03 * width < w_all) & (w_all < 0.5 * width)
    sized &= (0.01 * height < h_all) & (h_all < 0.06 * height)
    sized[0] = False  # the background
    for label in np.flatnonzero(sized):
        x, y, w, h = (int(v) for v in stats[label, :4])
        box = labels[y : y + h, x : x + w] == label
        edge = max(2, min(w, h) // 8)
        border = box[:edge].mean(), box[-edge:].mean(), box[:, :edge].mean(), box[:, -edge:].mean()
        inside = box[edge:-edge, edge:-edge]
        if min(border) > 0.35 and inside.size and inside.mean() < 0.02:
            if frames == 0:
                cleaned = binary.copy()
            cleaned[y : y + h, x : x + w][box] = WHITE
            frames += 1
    return cleaned, frames


def remove_rules(
    binary: np.ndarray, text_height: float = TARGET_TEXT_HEIGHT
) -> tuple[np.ndarray, bool]:
    """Erase ruled lines: underlines, frames around marks (KHẨN, DỰ THẢO), table borders.

    Tesseract skips framed words and misreads text touching a rule. A horizontal run longer
    than four text heights, or a vertical one longer than 2.3, is no stroke of a letter.
    Found on a half-size copy (four times cheaper), then scaled back and widened a pixel.
    """
    height, width = binary.shape
    half = cv2.resize(binary, (width // 2, height // 2), interpolation=cv2.INTER_AREA)
    ink = np.where(half < 160, 255, 0).astype(np.uint8)
    long_h = max(10, int(2 * text_height))
    long_v = max(8, int(1.15 * text_height))
    horizontal = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((1, long_h), np.uint8))
    vertical = cv2.morphologyEx(ink, cv2.MORPH_OPEN, np.ones((long_v, 1), np.uint8))
    rules = cv2.bitwise_or(horizontal, vertical)
    if not rules.any():
        return binary, False
    rules = cv2.dilate(rules, np.ones((3, 3), np.uint8))
    mask = cv2.resize(rules, (width, height), interpolation=cv2.INTER_NEAREST)
    cleaned = binary.copy()
    cleaned[mask > 0] = WHITE
    return cleaned, True


def encode_png(image: np.ndarray, bilevel: bool | None = None) -> bytes:
    """Compress a cleaned page for the record: 1-bit PNG when binary, 8-bit otherwise.

    Level 1 deflate: a 1-bit page is small at any level, and level 6 costs ~0.3 s more.
    """
    params = [cv2.IMWRITE_PNG_COMPRESSION, 1]
    if bilevel is None:
        bilevel = image.ndim == 2 and bool(np.isin(image, (0, 255)).all())
    if bilevel:
        params += [cv2.IMWRITE_PNG_BILEVEL, 1]
    ok, buffer = cv2.imencode(".png", image, params)
    if not ok:
        raise ValueError("PNG encoding failed")
    return bytes(buffer)
