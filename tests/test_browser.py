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
