"""A real `chroma run` server on loopback: index through it, answer through it, survive a restart."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import chromadb
import pytest

from bot.answer import Answerer
from bot.errors import ChromaUnreachableError
from index.build import build_index
from tests.conftest import settings_for

pytestmark = pytest.mark.slow
CHROMA = shutil.which("chroma") or str(Path(sys.executable).parent / "chroma")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class ChromaServer:
    def __init__(self, path: Path, port: int) -> None:
        self.path, self.port, self.proc = path, port, None

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [CHROMA, "run", "--path", str(self.path), "--host", "127.0.0.1", "--port", str(self.port)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                chromadb.HttpClient(host="127.0.0.1", port=self.port).heartbeat()
                return
            except Exception:
                time.sleep(0.2)
        self.stop()
        pytest.fail("chroma server did not start within 30 s")

    def stop(self) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=20)


@pytest.fixture
def server(tmp_path):
    srv = ChromaServer(tmp_path / "chroma-server", free_port())
    srv.start()
    yield srv
    srv.stop()


def test_index_and_answer_through_a_chroma_server(server, answerer, tmp_path):
    from bot.settings import SHIPPED_CORPUS

    settings = settings_for(
        SHIPPED_CORPUS, tmp_path / "local", chroma_host="127.0.0.1", chroma_port=server.port
    )
    summary = build_index(settings, warn=lambda _m: None)
    assert summary.embedded == summary.passages > 200
    again = build_index(settings, warn=lambda _m: None)
    assert again.embedded == 0 and not again.changed
    bot = Answerer(settings, embedder=answerer.embedder)
    result = bot.answer("What number do I dial for the police from a mobile in Kazakhstan?")
    assert any("112" in c.quote for c in result.citations)
    # nothing was written to the embedded store
    assert not (tmp_path / "local" / "chroma").exists()


def test_server_down_gives_a_clear_error_and_recovers_after_restart(server, answerer, tmp_path):
    from bot.settings import SHIPPED_CORPUS

    settings = settings_for(
        SHIPPED_CORPUS, tmp_path / "local", chroma_host="127.0.0.1", chroma_port=server.port
    )
    build_index(settings, warn=lambda _m: None)
    bot = Answerer(settings, embedder=answerer.embedder)
    question = "Where is the SOS clinic in Almaty?"
    before = bot.answer(question)
    server.stop()
    bot.handle.check_every = 0  # re-check the server on every question
    with pytest.raises(ChromaUnreachableError, match="unreachable|stopped answering"):
        bot.answer(question)
    server.start()
    after = bot.answer(question)
    assert [c.quote for c in after.citations] == [c.quote for c in before.citations]
