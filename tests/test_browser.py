"""The chat in a real browser (Debian's headless Chromium via Playwright): a traveler's question
gets quoted, dated cards under a visible warning; markup planted in a document or typed into the
question is shown as text and never runs; the page makes no request beyond this machine."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlparse

import pytest

from tests.conftest import settings_for
from tests.test_ui import POLICE, serving

pytestmark = [pytest.mark.browser, pytest.mark.slow]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
LOCAL_HOSTS = {"127.0.0.1", "localhost"}
REPLY_TIMEOUT_MS = 60_000

PLANTED_IMG = '<img src=x onerror="window.__xss=1">'
PLANTED_SCRIPT = "<script>window.__xss2=1</script>"
TAXI_DOC = f"""Airport taxi advice

Official taxis wait outside the arrivals hall and are the safest way into the city at night; the rank sign \
shows the code {PLANTED_IMG} {PLANTED_SCRIPT} by mistake.

Private drivers who approach travelers inside the terminal often overcharge.
"""
TAXI_QUESTION = 'Are official taxis at the airport safe at night? <img src=x onerror="window.__xss3=1">'


@pytest.fixture(scope="module")
def browser():
    """One headless Chromium for the module; never downloads a browser."""
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is not installed (`make browser` installs Debian's chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
        )
        yield chromium
        chromium.close()


@pytest.fixture
def outside_requests() -> list[str]:
    """URLs the page tried to fetch from anywhere but this machine (it should try none)."""
    return []


@pytest.fixture
def page(browser, outside_requests):
    """A fresh page that refuses, and records, any request leaving this machine."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()

    def only_local(route) -> None:
        url = urlparse(route.request.url)
        if url.scheme in ("http", "https", "ws", "wss") and url.hostname not in LOCAL_HOSTS:
            outside_requests.append(route.request.url)
            route.abort()
        else:
            route.continue_()

    page.route("**/*", only_local)
    yield page
    context.close()


def open_chat(page, url: str):
    """The chat page, ready for typing (waiting on the textbox, not on network silence)."""
    page.goto(url, wait_until="domcontentloaded")
    box = page.locator("#wm-question textarea")
    box.wait_for(state="visible", timeout=REPLY_TIMEOUT_MS)
    return box


def ask(page, box, question: str):
    """Type a question, press Enter, and wait for the finished reply (no 'Searching…' left)."""
    from playwright.sync_api import expect

    replies = page.locator("#wm-chat .wm-reply:not(.wm-status)")
    before = replies.count()
    box.fill(question)
    box.press("Enter")
    expect(replies).to_have_count(before + 1, timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#wm-chat .wm-status")).to_have_count(0, timeout=REPLY_TIMEOUT_MS)
    return replies.last


@pytest.fixture
def seed_app(seed_settings, answerer) -> Iterator[str]:
    with serving(seed_settings, answerer) as (_, url):
        yield url


def test_police_question_shows_dated_quote_under_a_warning_banner(
    page, seed_app, artifacts, outside_requests
):
    from playwright.sync_api import expect

    box = open_chat(page, seed_app)
    for example in ("police from a mobile", "gypsy cabs", "SOS clinic in Almaty", "check ID"):
        expect(page.locator("#wm-chat").get_by_text(example).first).to_be_visible()

    reply = ask(page, box, POLICE)
    banner = reply.get_by_role("alert")
    expect(banner).to_be_visible()
    expect(banner).to_contain_text("Old sources")
    expect(banner).to_contain_text("15 years old")
    card = reply.locator(".wm-card").first
    expect(card).to_be_visible()
    expect(card).to_contain_text("112 from cell phones")
    expect(card).to_contain_text("Kazakhstan 2011 OSAC Crime and Safety Report: Astana")
    expect(card).to_contain_text("2011 (15 years old)")
    expect(card).to_contain_text("003_2de0709cfd47372d.txt")
    page.screenshot(path=str(artifacts / "chat.png"), full_page=True)
    card.get_by_text("Source details").click()
    expect(card.locator("details dl")).to_contain_text("Overseas Security Advisory Council")
    card.screenshot(path=str(artifacts / "chat-card.png"))

    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#wm-age-chart svg")).to_be_visible()
    expect(page.locator("#wm-age-chart")).to_contain_text("older than 3 years")
    expect(page.locator("#wm-sources")).to_contain_text(
        "Kazakhstan 2011 OSAC Crime and Safety Report: Astana"
    )
    expect(page.locator("#wm-sources")).to_contain_text("15 years old")
    page.screenshot(path=str(artifacts / "sources.png"), full_page=True)
    assert outside_requests == []


def test_unanswerable_question_is_shown_as_an_abstention(page, seed_app):
    from playwright.sync_api import expect

    reply = ask(page, open_chat(page, seed_app), "What is the weather in Almaty in January?")
    expect(reply).to_have_class(re.compile(r"\bwm-abstain\b"))
    expect(reply).to_contain_text("No answer in my sources")
    expect(reply.locator(".wm-card")).to_have_count(0)


@pytest.fixture
def planted_app(tmp_path) -> Iterator[str]:
    """An app over a one-document corpus whose text contains live-looking HTML."""
    from bot.answer import Answerer
    from index.build import build_index

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "taxis.txt").write_text(TAXI_DOC, encoding="utf-8")
    settings = settings_for(corpus, tmp_path / "data")
    build_index(settings, warn=lambda _m: None)
    with serving(settings, Answerer(settings)) as (_, url):
        yield url


def test_html_in_sources_and_questions_is_shown_as_text_and_never_runs(
    page, planted_app, artifacts, outside_requests
):
    from playwright.sync_api import expect

    reply = ask(page, open_chat(page, planted_app), TAXI_QUESTION)
    card = reply.locator(".wm-card").first
    expect(card).to_contain_text(PLANTED_IMG)  # the document's markup, verbatim, as text
    expect(card).to_contain_text(PLANTED_SCRIPT)
    expect(reply.locator(".wm-asked")).to_contain_text('<img src=x onerror="window.__xss3=1">')
    page.wait_for_timeout(500)  # time for an injected onerror to fire, if it could
    page.screenshot(path=str(artifacts / "xss.png"), full_page=True)

    for flag in ("__xss", "__xss2", "__xss3"):
        assert page.evaluate(f"typeof window.{flag}") == "undefined", f"planted code ran: window.{flag}"
    chat = page.locator("#wm-chat")
    assert chat.locator("[onerror]").count() == 0
    assert chat.locator("script").count() == 0
    assert "<img" in chat.inner_text()
    assert outside_requests == []


# ------------------------------------------------------------------- adding a document in the chat

VELORIA_QUESTION = "What number do I dial in Veloria for emergencies?"
TAXI_MD = """# Taxi safety in Bishkek

Last updated March 2025

Licensed taxis in Bishkek show a yellow roof sign and can be ordered through the Namba app; \
travelers should avoid unmarked cars at Manas airport.
"""


def pdf_support() -> bool:
    """PDF loading comes with index.pdf; until it is importable the PDF upload is skipped."""
    try:
        import index.pdf  # noqa: F401
        import tests.pdf_fixtures  # noqa: F401
    except ImportError:
        return False
    return True


def make_pdf(path: Path) -> Path:
    from tests.pdf_fixtures import make_advisory_pdf

    return make_advisory_pdf(path, pages=3, dated_line="Last updated: 4 March 2024")


@pytest.fixture
def upload_app(tmp_path, seed_settings) -> Iterator[str]:
    """The chat over a copy of the seed corpus and index, started as `waymark chat --allow-upload`."""
    import shutil

    from bot.answer import Answerer

    corpus, data = tmp_path / "corpus", tmp_path / "data"
    shutil.copytree(seed_settings.corpus_dir, corpus)
    shutil.copytree(seed_settings.data_dir, data)
    settings = settings_for(corpus, data, allow_upload=True)
    with serving(settings, Answerer(settings)) as (_, url):
        yield url


def upload(page, path: Path) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Sources").click()
    page.locator("#wm-upload input[type=file]").set_input_files(str(path))
    expect(page.locator("#wm-upload-status")).to_contain_text(f"Added {path.name}", timeout=REPLY_TIMEOUT_MS)


def remove(page, doc_id: str) -> None:
    from playwright.sync_api import expect

    page.get_by_role("tab", name="Sources").click()
    page.locator("#wm-remove-id input").click()
    page.get_by_role("option", name=doc_id, exact=True).click()
    page.locator("#wm-remove").click()
    expect(page.locator("#wm-upload-status")).to_contain_text(f"Removed {doc_id}", timeout=REPLY_TIMEOUT_MS)
    expect(page.locator("#wm-sources")).not_to_contain_text(doc_id)


@pytest.mark.parametrize(
    ("kind", "question", "quoted", "title"),
    [
        pytest.param(
            "pdf",
            VELORIA_QUESTION,
            "112",
            "Veloria travel advisory",
            id="pdf",
            marks=pytest.mark.skipif(not pdf_support(), reason="PDF loading (index.pdf) has not landed yet"),
        ),
        pytest.param(
            "md",
            "What sign do licensed taxis in Bishkek show?",
            "yellow roof sign",
            "Taxi safety in Bishkek",
            id="markdown",
        ),
    ],
)
def test_uploaded_document_is_listed_quoted_and_removable(
    page, upload_app, tmp_path, artifacts, outside_requests, kind, question, quoted, title
):
    from playwright.sync_api import expect

    if kind == "pdf":
        path = make_pdf(tmp_path / "veloria.pdf")
    else:
        path = tmp_path / "taxis.md"
        path.write_text(TAXI_MD, encoding="utf-8")

    box = open_chat(page, upload_app)
    upload(page, path)
    expect(page.locator("#wm-sources")).to_contain_text(title)
    expect(page.locator("#wm-sources")).to_contain_text(path.name)
    expect(page.locator("#wm-age-chart")).to_contain_text(title[:30])
    expect(page.locator("#wm-sources-summary")).to_contain_text("6 documents")
    page.screenshot(path=str(artifacts / f"upload-{kind}.png"), full_page=True)

    page.get_by_role("tab", name="Chat").click()
    reply = ask(page, box, question)
    card = reply.locator(".wm-card").first
    expect(card).to_contain_text(quoted)
    expect(card).to_contain_text(title)
    expect(card).to_contain_text(path.name)
    page.screenshot(path=str(artifacts / f"upload-{kind}-answer.png"), full_page=True)

    remove(page, path.name)
    assert outside_requests == []


def test_upload_box_is_off_without_login_or_flag(page, seed_app):
    from playwright.sync_api import expect

    open_chat(page, seed_app)
    page.get_by_role("tab", name="Sources").click()
    expect(page.locator("#wm-upload-off")).to_contain_text("--allow-upload")
    assert page.locator("#wm-upload input[type=file]").count() == 0
