"""Security: no file outside the app is served, and replies reveal no paths or secrets."""

from __future__ import annotations

import json

import httpx
import pytest

from tests.test_ui import serving


@pytest.fixture(scope="module")
def url(seed_settings, answerer):
    with serving(seed_settings, answerer) as (_, base):
        yield base.rstrip("/")


@pytest.mark.parametrize(
    "path",
    [
        pytest.param("/gradio_api/file=/etc/passwd", id="gradio-file-etc-passwd"),
        pytest.param("/file=/etc/passwd", id="legacy-file-route"),
        pytest.param("/gradio_api/file=../../../../etc/passwd", id="relative-traversal"),
        pytest.param("/gradio_api/file=corpus/manifest.yaml", id="repo-file"),
        pytest.param("/gradio_api/file=%2Fetc%2Fpasswd", id="encoded"),
        pytest.param("/static/../../../../etc/passwd", id="static-traversal"),
    ],
)
def test_no_endpoint_serves_files_outside_the_app(url, path):
    response = httpx.get(url + path, timeout=10)
    assert "root:" not in response.text
    assert "documents:" not in response.text
    assert response.status_code in (403, 404, 405) or "<html" in response.text.lower()


def test_replies_carry_no_absolute_paths(answerer, seed_settings):
    for question in ["Where is the SOS clinic in Almaty?", "What is the weather in Almaty?"]:
        data = json.dumps(answerer.answer(question).as_dict())
        assert str(seed_settings.data_dir) not in data
        assert str(seed_settings.corpus_dir) not in data
        assert "/home/" not in data and "/root/" not in data


def test_index_errors_shown_to_chat_users_carry_no_paths(tmp_path, answerer):
    from bot import ui
    from bot.answer import Answerer
    from tests.conftest import settings_for

    missing = settings_for(tmp_path / "corpus", tmp_path / "data")
    respond = ui.make_respond(Answerer(missing, embedder=answerer.embedder))
    html = "".join(respond("Where is the SOS clinic in Almaty?", [], 3, 4))
    assert "waymark index" in html
    assert str(tmp_path) not in html


def test_secrets_from_the_environment_never_reach_replies(monkeypatch, answerer, seed_settings):
    from bot.answer import Answerer
    from bot.settings import Settings

    monkeypatch.setenv("WAYMARK_AUTH", "alice:s3cret-pass")
    monkeypatch.setenv("OPENAI_API_KEY", "sk-test-should-not-leak")
    settings = Settings.from_env(corpus_dir=seed_settings.corpus_dir, data_dir=seed_settings.data_dir)
    assert settings.auth == "alice:s3cret-pass"  # the answerer below really is built with the secret
    bot = Answerer(settings, handle=answerer.handle, embedder=answerer.embedder)
    for question in ("What number do I dial for the police from a mobile?", "What is the login password?"):
        data = json.dumps(bot.answer(question).as_dict())
        assert "s3cret" not in data and "sk-test" not in data
