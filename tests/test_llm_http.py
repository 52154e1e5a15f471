"""The ``openai`` backend end to end against a scripted OpenAI-compatible server on loopback.

The server is a few lines of ``http.server`` answering POST /v1/chat/completions with a scripted
reply, both plain JSON (``stream: false``) and server-sent events (``stream: true``).
"""

from __future__ import annotations

import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from bot.answer import Answerer
from bot.wording import make_wording
from tests.test_wording import QUESTION, police_answer

pytestmark = pytest.mark.slow

GOOD = "From a mobile phone, dial 112 for the police [1]. From a landline, dial 02 [1]."


class ChatServer(ThreadingHTTPServer):
    """Replies ``reply`` to every chat completion, after ``delay`` seconds; records each request."""

    daemon_threads = True
    block_on_close = False

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), ChatHandler)
        self.reply, self.delay, self.requests = GOOD, 0.0, []
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}/v1"

    def stop(self) -> None:
        self.shutdown()
        self.server_close()

    def handle_error(self, request, client_address) -> None:
        """A client that gave up (the timeout test) leaves a broken pipe: expected, not news."""


class ChatHandler(BaseHTTPRequestHandler):
    server: ChatServer

    def log_message(self, *_args) -> None:  # keep pytest output clean
        pass

    def do_POST(self) -> None:  # noqa: N802 — the name http.server calls
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        self.server.requests.append((self.path, body))
        time.sleep(self.server.delay)
        if self.path != "/v1/chat/completions":
            self.send_error(404)
        elif body.get("stream"):
            self._events(body["model"], self.server.reply)
        else:
            self._json(completion(body["model"], self.server.reply))

    def _json(self, data: dict) -> None:
        raw = json.dumps(data).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(raw)))
        self.end_headers()
        self.wfile.write(raw)

    def _events(self, model: str, reply: str) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.end_headers()
        pieces = [w + " " for w in reply.split(" ")]
        for i, piece in enumerate(pieces):
            delta = {"role": "assistant", "content": piece} if i == 0 else {"content": piece}
            self._event(chunk(model, delta, None))
        self._event(chunk(model, {}, "stop"))
        self.wfile.write(b"data: [DONE]\n\n")
        self.wfile.flush()

    def _event(self, data: dict) -> None:
        self.wfile.write(f"data: {json.dumps(data)}\n\n".encode())
        self.wfile.flush()


def completion(model: str, reply: str) -> dict:
    message = {"role": "assistant", "content": reply}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "message": message, "finish_reason": "stop"}],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(model: str, delta: dict, finish: str | None) -> dict:
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": model,
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


@pytest.fixture
def server(monkeypatch):
    monkeypatch.setenv("NO_PROXY", "127.0.0.1,localhost")
    monkeypatch.delenv("OPENAI_API_KEY", raising=False)
    chat = ChatServer()
    yield chat
    chat.stop()


def openai_settings(settings, server: ChatServer, timeout: float = 5):
    return settings.replace(llm="openai", llm_base_url=server.url, llm_model="test", llm_timeout=timeout)


def test_openai_backend_words_verifies_and_falls_back_when_the_server_goes(server, seed_settings, answerer):
    settings = openai_settings(seed_settings, server, timeout=3)
    bot = Answerer(settings, handle=answerer.handle, embed_query=answerer.embed_query)
    assert bot.wording.name == "openai"

    result = bot.answer(QUESTION)
    assert result.worded_by == "openai" and GOOD in result.text and result.warning in result.text
    path, request = server.requests[-1]
    assert path == "/v1/chat/completions" and request["model"] == "test" and request["stream"] is True
    prompt = "\n".join(m["content"] for m in request["messages"])
    assert "[1] Kazakhstan 2011 OSAC" in prompt and "112 from cell phones" in prompt and QUESTION in prompt

    server.reply = GOOD + " For an ambulance, dial 103 [1]."
    result = bot.answer(QUESTION)
    assert GOOD in result.text and "103" not in result.text
    assert (result.model_sentences, result.dropped_sentences) == (3, 1)

    server.stop()
    t0 = time.monotonic()
    result = bot.answer(QUESTION)
    assert time.monotonic() - t0 < settings.llm_timeout
    assert (
        f"(The wording model at {server.url} could not be reached; showing the quoted answer.)" in result.text
    )
    assert result.worded_by == "" and "From my sources:" in result.text and "Traceback" not in result.text


def test_stream_shows_verified_drafts_as_events_arrive(server, seed_settings):
    server.reply = "Dial 112 from a mobile [1]. For an ambulance, dial 103 [1]. From a landline, dial 02 [1]."
    wording = make_wording(openai_settings(seed_settings, server))
    items = list(wording.stream(police_answer()))
    assert items[:-1] == [
        "Dial 112 from a mobile [1].",
        "Dial 112 from a mobile [1]. From a landline, dial 02 [1].",
    ]
    assert "103" not in items[-1].text and items[-1].worded_by == "openai"


def test_follow_up_rewrite_uses_a_plain_completion(server, seed_settings):
    server.reply = "What is the police number from a landline in Kazakhstan?"
    wording = make_wording(openai_settings(seed_settings, server))
    assert wording.rewrite("And from a landline?", [QUESTION]) == server.reply
    _, request = server.requests[-1]
    assert not request.get("stream") and "And from a landline?" in request["messages"][-1]["content"]


def test_a_server_that_hangs_is_given_up_on_after_the_timeout(server, seed_settings):
    server.delay = 5
    wording = make_wording(openai_settings(seed_settings, server, timeout=1))
    t0 = time.monotonic()
    result = wording.word(police_answer())
    assert time.monotonic() - t0 < 2
    assert result.text.startswith(police_answer().text) and "did not answer" in result.text
