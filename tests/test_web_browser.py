"""End to end in headless Chromium: search, filter by facet, open a document, see the page
image, toggle the raw OCR, and check that a hostile document stays inert.

Runs Debian's /usr/bin/chromium through Playwright (never `playwright install`) against a
real uvicorn server started here on a free 127.0.0.1 port.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from test_search import HOSTILE, KE_HOACH, NGHI_QUYET, RECORDS
from test_store import make_record, png

from pipeline.storage import open_store
from pipeline.web import create_app

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
XSS = make_record(
    "xss",
    [
        "Đảng viên <script>window.__pwned = 1</script> "
        '<img src=x onerror="window.__pwned = 2"> <a href="javascript:window.__pwned=3">bấm</a>'
    ],
    subject='Trích yếu <img src=x onerror="window.__pwned = 4">',
    doc_type="<script>window.__pwned = 5</script>",
    place="<svg onload=window.__pwned=6>",
    date="2017-02-03",
)

pytestmark = [
    pytest.mark.browser,
    pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian chromium not installed at /usr/bin"),
]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    import uvicorn

    path = str(tmp_path_factory.mktemp("browser") / "s.db")
    with open_store(path) as writer:
        for record in [*RECORDS, XSS]:
            images = {n: png(f"trang {n}", 300, 420) for n in range(1, len(record.pages) + 1)}
            writer.add_document(record, images)
    store = open_store(path, readonly=True)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(create_app(store), host="127.0.0.1", port=port, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)
    store.close()


@pytest.fixture(scope="module")
def browser(base_url: str) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


def test_search_filter_open_document(base_url: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base_url + "/")
    page.fill("form.search input[name=q]", "dang vien")
    page.press("form.search input[name=q]", "Enter")
    page.wait_for_url("**/?q=dang+vien*")
    assert int(page.inner_text("#total")) >= 3
    assert "đảng" in [m.lower() for m in page.locator(".hits mark").all_inner_texts()]

    page.click("section[data-facet=type] a:has-text('NGHỊ QUYẾT')")
    page.wait_for_url("**type=NQ*")
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator(".facets .active")).to_contain_text("NQ")

    page.click(".hits .hit a.title")
    page.wait_for_url(f"**/documents/{NGHI_QUYET.id}*")
    expect(page.locator("h1")).to_contain_text("NGHỊ QUYẾT")
    expect(page.locator(".fields")).to_contain_text("HUYỆN ỦY NAM ĐÀN")
    page.wait_for_function(
        "() => [...document.querySelectorAll('.images img')]"
        ".every(img => img.complete && img.naturalWidth > 0)"
    )
    widths = page.eval_on_selector_all(".images img", "imgs => imgs.map(i => i.naturalWidth)")
    assert widths == [300, 300]

    expect(page.locator("#raw")).to_be_hidden()
    page.click("#toggle-raw")
    expect(page.locator("#raw")).to_be_visible()
    expect(page.locator("#restored")).to_be_hidden()
    expect(page.locator("#raw")).to_contain_text("nạp dảng viên")  # make_record's raw text
    page.click("#toggle-raw")
    expect(page.locator("#restored")).to_be_visible()
    assert not dialogs


def test_date_filter_and_draft(base_url: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    page.goto(base_url + "/")
    page.fill("form.search input[name=from]", "2021-06-01")
    page.fill("form.search input[name=to]", "2021-06-30")
    page.select_option("form.search select[name=draft]", "yes")
    page.click("form.search button[type=submit]")
    expect(page.locator("#total")).to_have_text("1")
    expect(page.locator(".hits .hit .badge.draft")).to_have_text(KE_HOACH.draft or "")


def test_hostile_document_stays_inert(base_url: str, browser: object) -> None:
    from playwright.sync_api import Browser, expect

    assert isinstance(browser, Browser)
    page = browser.new_page()
    dialogs: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.goto(base_url + "/?q=pwned+onerror")
    expect(page.locator(".hits .hit")).to_have_count(1)
    assert page.evaluate("() => window.__pwned") is None
    page.goto(base_url + "/?q=tr%C3%ADch+y%E1%BA%BFu")
    expect(page.locator(".hits .hit")).to_have_count(1)
    page.click(".hits .hit a.title")
    page.wait_for_url(f"**/documents/{XSS.id}*")
    expect(page.locator("#restored")).to_contain_text("<script>window.__pwned = 1</script>")
    expect(page.locator("h1")).to_contain_text("<script>")
    page.goto(f"{base_url}/documents/{HOSTILE.id}")
    expect(page.locator("#restored")).to_contain_text('<script>alert("x")</script>')
    assert page.evaluate("() => window.__pwned") is None
    assert page.locator("#restored script, #restored img, .fields img, h1 script").count() == 0
    assert not dialogs
