"""The web chat, used the way a script would use it (gradio_client over loopback): dated quotes,
staleness warnings, abstentions, follow-ups, streaming, login, a loopback-only default bind, and
HTML that always comes back escaped."""

from __future__ import annotations

import html
import socket
import time
from collections.abc import Iterator
from contextlib import contextmanager

import httpx
import pytest
from gradio_client import Client
from gradio_client.exceptions import AppError, AuthenticationError

from bot import ui
from bot.answer import Answer
from bot.errors import WaymarkError
from bot.settings import Settings

pytestmark = pytest.mark.slow

POLICE = "What number do I dial for the police from a mobile in Kazakhstan?"
SOS_ALMATY = "Where is the SOS clinic in Almaty?"
WEATHER = "What is the weather in Almaty in January?"
PLANTED = '<img src=x onerror="alert(1)"><script>alert(2)</script>'


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def serving(settings: Settings, answerer) -> Iterator[tuple[object, str]]:
    """The app as `waymark chat` launches it, on a free port, closed afterwards."""
    settings = settings.replace(port=free_port())
    app = ui.build_app(settings, answerer)
    _, url, _ = app.launch(**ui.launch_options(settings), prevent_thread_lock=True, quiet=True)
    try:
        yield app, url
    finally:
        app.close()


@pytest.fixture(scope="module")
def served(seed_settings, answerer):
    with serving(seed_settings, answerer) as running:
        yield running


@pytest.fixture(scope="module")
def client(served) -> Client:
    return Client(served[1], verbose=False)


def visible(reply: str) -> str:
    """The reply's text as the browser shows it (entities decoded, tags still present)."""
    return html.unescape(reply)


def ask(client: Client, question: str, history: list[str] | None = None, stale_years=3, citations=4) -> dict:
    return client.predict(question, history or [], stale_years, citations, api_name="/ask")


# ------------------------------------------------------------------- /ask: the structured answer


def test_answerable_question_returns_verbatim_quotes_with_dates(client):
    result = ask(client, POLICE)
    assert not result["abstained"]
    first = result["citations"][0]
    assert "112 from cell phones" in first["quote"]
    assert first["date"] == "2011" and first["age_years"] == 15
    assert first["source_id"].startswith("003") and first["section"] == "Police Response"


def test_stale_answer_carries_the_warning(client):
    result = ask(client, POLICE)
    assert result["stale"]
    assert "2011" in result["warning"] and "15 years old" in result["warning"]


def test_threshold_and_citation_count_come_from_the_caller(client):
    relaxed = ask(client, POLICE, stale_years=20)
    assert not relaxed["stale"] and relaxed["warning"] == ""
    assert len(ask(client, SOS_ALMATY, citations=1)["citations"]) == 1


def test_out_of_corpus_question_abstains(client):
    result = ask(client, WEATHER)
    assert result["abstained"] and result["citations"] == []
    assert "don't answer" in result["text"] or "say nothing" in result["text"]


def test_follow_up_is_resolved_from_history(client):
    result = ask(client, "And in Astana?", [SOS_ALMATY])
    assert not result["abstained"]
    assert any("Beibitshilik" in c["quote"] for c in result["citations"])


def test_unusable_question_is_a_short_error_not_a_traceback(client):
    with pytest.raises(AppError) as caught:
        ask(client, "   ")
    assert "Please type a question" in str(caught.value)
    assert "Traceback" not in str(caught.value)


def test_round_trip_time_is_measured(client, artifacts):
    ask(client, POLICE)  # warm: first call pays for nothing the user would not also pay for once
    start = time.perf_counter()
    result = ask(client, POLICE)
    elapsed_ms = (time.perf_counter() - start) * 1000
    assert result["citations"]
    server_ms = result["timings_ms"]["total"]
    line = f"gradio_client /ask round trip: {elapsed_ms:.1f} ms (answering on the server: {server_ms} ms)"
    print(f"\n{line}")
    (artifacts / "ui-roundtrip.txt").write_text(line + "\n")
    assert elapsed_ms < 10_000


# ------------------------------------------------------------------- /chat: what the page shows


def test_chat_endpoint_streams_the_reply(client):
    chunks = list(client.submit(POLICE, 3, 4, api_name="/chat"))
    assert len(chunks) >= 2, "a status line first, then the answer"
    assert "Searching the sources" in chunks[0]
    final = visible(chunks[-1])
    assert "112 from cell phones" in final and "15 years old" in final
    assert 'role="alert"' in final and "Old sources" in final
    assert "Kazakhstan 2011 OSAC Crime and Safety Report" in final and "003_2de0709cfd47372d.txt" in final


def test_chat_abstention_looks_different_from_an_answer(client):
    abstained = client.predict(WEATHER, 3, 4, api_name="/chat")
    answered = client.predict(POLICE, 3, 4, api_name="/chat")
    assert "wm-abstain" in abstained and "No answer in my sources" in abstained
    assert "wm-answer" in answered and "wm-abstain" not in answered


def test_chat_shows_question_errors_as_a_message(client):
    reply = visible(client.predict("???", 3, 4, api_name="/chat"))
    assert "wm-error" in reply and "Please ask in words" in reply
    assert "Traceback" not in reply


def test_html_in_a_question_comes_back_escaped(client):
    reply = client.predict(f"Are gypsy cabs safe? {PLANTED}", 3, 4, api_name="/chat")
    assert "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in reply
    assert "&lt;script&gt;" in reply
    assert "<img" not in reply and "<script" not in reply


def test_chat_session_keeps_its_history_for_follow_ups(served):
    session = Client(served[1], verbose=False)  # its own session: its own conversation
    session.predict(SOS_ALMATY, 3, 4, api_name="/chat")
    assert "Beibitshilik" in session.predict("And in Astana?", 3, 4, api_name="/chat")


def test_a_turn_that_got_an_error_does_not_break_the_next_ones(served):
    session = Client(served[1], verbose=False)
    assert "Please ask in words" in session.predict("???", 3, 4, api_name="/chat")
    assert "112 from cell phones" in session.predict(POLICE, 3, 4, api_name="/chat")
    assert "112 from cell phones" in str(ask(session, POLICE, ["???", "   "]))


def test_chat_history_in_gradio_6_format_drives_follow_ups(answerer):
    history = [
        {
            "role": "user",
            "metadata": None,
            "content": [{"text": SOS_ALMATY, "type": "text"}],
            "options": None,
        },
        {"role": "assistant", "metadata": None, "content": [{"text": "<div>…</div>", "type": "text"}]},
    ]
    final = list(ui.make_respond(answerer)("And in Astana?", history, 3, 4))[-1]
    assert "Beibitshilik" in final


# ------------------------------------------------------------------- login and binding


def test_login_is_enforced_when_configured(seed_settings, answerer):
    with serving(seed_settings.replace(auth="user:pass"), answerer) as (_, url):
        assert httpx.get(url + "config").status_code == 401
        with pytest.raises(AuthenticationError):
            Client(url, verbose=False)
        with pytest.raises(ValueError, match="Could not login"):
            Client(url, auth=("user", "wrong"), verbose=False)
        logged_in = Client(url, auth=("user", "pass"), verbose=False)
        assert not ask(logged_in, POLICE)["abstained"]


def test_app_binds_loopback_by_default(served):
    app, url = served
    assert Settings().host == "127.0.0.1"
    assert app.server_name == "127.0.0.1" and url.startswith("http://127.0.0.1:")
    with socket.create_connection(("127.0.0.1", app.server_port), timeout=2):
        pass
    outside = other_local_address()
    if outside:
        with pytest.raises(OSError), socket.create_connection((outside, app.server_port), timeout=2):
            pass


def other_local_address() -> str | None:
    """This machine's non-loopback address, if it has one, to prove the chat isn't listening there."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET address: no packet is sent for UDP connect
            address = probe.getsockname()[0]
        except OSError:
            return None
    return None if address.startswith("127.") else address


def test_exposed_host_without_login_gets_a_warning():
    exposed = Settings(host="0.0.0.0")
    assert "WAYMARK_AUTH" in ui.exposure_warning(exposed, share=False)
    assert "public link" in ui.exposure_warning(Settings(), share=True)
    assert ui.exposure_warning(exposed.replace(auth="u:p"), share=False) == ""
    assert ui.exposure_warning(Settings(), share=False) == ""


def test_launch_serves_with_those_options_and_warns_when_exposed(monkeypatch, capsys):
    launched: list[dict] = []

    class FakeApp:
        def launch(self, **options) -> None:
            launched.append(options)

    monkeypatch.setattr(ui, "build_app", lambda settings: FakeApp())
    ui.launch(Settings(host="0.0.0.0", port=8123, auth="user:pass"))
    assert capsys.readouterr().err == ""
    ui.launch(Settings(host="0.0.0.0", port=8123))
    assert "no login" in capsys.readouterr().err
    assert launched[0]["server_name"] == "0.0.0.0" and launched[0]["server_port"] == 8123
    assert launched[0]["auth"] == ("user", "pass") and launched[1]["auth"] is None
    assert launched[0]["share"] is False


def test_auth_setting_must_be_user_colon_password():
    assert ui.parse_auth("user:pa:ss") == ("user", "pa:ss")
    assert ui.parse_auth(None) is None
    with pytest.raises(WaymarkError, match="user:password"):
        ui.parse_auth("justapassword")


def test_launch_options_keep_the_chat_private_and_offline():
    options = ui.launch_options(Settings())
    assert options["server_name"] == "127.0.0.1" and options["server_port"] == 7860
    assert options["share"] is False and options["auth"] is None


def test_analytics_are_off(served):
    import gradio.analytics

    app, _ = served
    assert app.analytics_enabled is False
    assert gradio.analytics.analytics_enabled() is False


# ------------------------------------------------------------------- optional LLM wording


class FakeWording:
    """Streams a draft in two chunks, then a verified answer that keeps the same quotes."""

    name = "fake"

    def rewrite(self, question: str, history: list[str]) -> str:
        return question

    def word(self, answer: Answer) -> Answer:
        return answer

    def stream(self, answer: Answer) -> Iterator[str | Answer]:
        yield "Dial 112 "
        yield "from a mobile [1]."
        final = Answer(
            **{**answer.__dict__, "text": "Dial 112 from a mobile phone [1].", "worded_by": "fake"}
        )
        yield final


class WordedAnswerer:
    """The real answerer with a fake model attached, as `waymark chat` would have with WAYMARK_LLM."""

    def __init__(self, real) -> None:
        self.real, self.settings, self.handle, self.wording = real, real.settings, real.handle, FakeWording()
        self.calls: list[dict] = []

    def answer(self, question, history=None, **options) -> Answer:
        self.calls.append(options)
        return self.real.answer(question, history, **options)


def test_model_draft_streams_then_is_replaced_by_the_verified_answer(answerer):
    worded = WordedAnswerer(answerer)
    frames = list(ui.make_respond(worded)(POLICE, [], 3, 4))
    assert worded.calls[0]["word"] is False, (
        "the chat asks for the grounded answer and streams wording itself"
    )
    drafts = [f for f in frames if "wm-draft" in f]
    assert drafts and "Dial 112 from a mobile [1]." in visible(drafts[-1])
    final = visible(frames[-1])
    assert "wm-draft" not in final and "Dial 112 from a mobile phone" in final
    assert "Worded by fake" in final and "112 from cell phones" in final and 'role="alert"' in final


class GivingUpWording(FakeWording):
    """A model that times out: the wording step hands back the quotes with a note appended."""

    def stream(self, answer: Answer) -> Iterator[str | Answer]:
        yield Answer(**{**answer.__dict__, "text": answer.text + "\n\n(The wording model timed out.)"})


def test_model_failure_falls_back_to_the_quotes_with_a_note(answerer):
    worded = WordedAnswerer(answerer)
    worded.wording = GivingUpWording()
    final = visible(list(ui.make_respond(worded)(POLICE, [], 3, 4))[-1])
    assert "112 from cell phones" in final and "(The wording model timed out.)" in final
    assert "Worded by" not in final
