"""Optional LLM wording: a model rephrases the cited passages, Waymark verifies and renders the rest.

The model sees only the passages behind an already-grounded answer (numbered [1]..[n], dated) and
must cite them. ``bot.verify`` drops every sentence with an uncited or unsupported number, name or
address before anything is shown; quotes, sources, dates and the staleness warning are rendered by
``bot.render`` as in the extractive answer. Any failure (server down, timeout, too few sentences
surviving) shows the extractive answer instead. Abstention is decided before the model is called.

Backends (``settings.llm``):

* ``openai`` — ``ChatOpenAI`` against any OpenAI-compatible server (``llm_base_url``).
* ``ollama`` — ``ChatOllama`` against an Ollama server.

The offline, scripted doubles that evals and tests word answers with (``waymark eval --llm fake``
or ``fake-liar``) are not product backends: ``evals.doubles`` builds them on ``LangChainWording``
and hands them to the ``Answerer``.

Example:
    .. code-block:: python

        wording = make_wording(Settings.from_env(llm="openai", llm_model="gpt-4o-mini"))
        for item in wording.stream(answer):
            print(item if isinstance(item, str) else item.text)
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
import os
import queue
import re
import threading
import time
from collections.abc import Iterator
from functools import cache
from typing import TYPE_CHECKING

from bot import render, verify
from bot.errors import ModelBackendError
from bot.followup import resolve
from bot.settings import SHIPPED_PROMPTS, Settings

if TYPE_CHECKING:
    from langchain_core.language_models import BaseChatModel
    from langchain_core.prompts import ChatPromptTemplate

    from bot.answer import Answer, Wording

log = logging.getLogger(__name__)

PROMPTS = SHIPPED_PROMPTS
BACKENDS = ("openai", "ollama")
MAX_OUTPUT_CHARS = 4000  # stop reading a model that rambles; what came before is still verified
MAX_REWRITE_CHARS = 300
MAX_TOKENS = 512
RETRY_AFTER_S = 30.0  # after a failed call, don't make every question wait for a dead server again
NOTE = "(Worded by a language model from the quoted sources; every sentence was checked against them.)"


def make_wording(settings: Settings) -> Wording | None:
    """The wording backend ``settings.llm`` names, or None when answers stay extractive."""
    name = (settings.llm or "").strip().lower()
    if not name or name == "none":
        return None
    if name not in BACKENDS:
        msg = f"WAYMARK_LLM={settings.llm!r} is not a wording backend; use one of {', '.join(BACKENDS)}."
        raise ModelBackendError(msg)
    if not settings.llm_model:
        raise ModelBackendError(f"WAYMARK_LLM={name} needs WAYMARK_LLM_MODEL (the model name to ask for).")
    model, where = (_openai if name == "openai" else _ollama)(settings)
    return LangChainWording(name, model, timeout=settings.llm_timeout, where=where)


def _openai(settings: Settings) -> tuple[BaseChatModel, str]:
    ChatOpenAI = _import("langchain_openai", "ChatOpenAI")
    model = ChatOpenAI(
        model=settings.llm_model,
        base_url=settings.llm_base_url,
        api_key=os.environ.get("OPENAI_API_KEY") or "not-needed-for-local-servers",
        timeout=settings.llm_timeout,
        max_retries=0,
        temperature=0,
        max_tokens=MAX_TOKENS,
        use_responses_api=False,  # local OpenAI-compatible servers speak chat completions only
    )
    return model, settings.llm_base_url or "https://api.openai.com/v1"


def _ollama(settings: Settings) -> tuple[BaseChatModel, str]:
    ChatOllama = _import("langchain_ollama", "ChatOllama")
    where = settings.llm_base_url or "http://localhost:11434"
    model = ChatOllama(
        model=settings.llm_model,
        base_url=where,
        temperature=0,
        num_predict=MAX_TOKENS,
        client_kwargs={"timeout": settings.llm_timeout},
    )
    return model, where


def _import(module: str, name: str):
    try:
        return getattr(importlib.import_module(module), name)
    except ImportError:
        msg = f"The wording backend needs {module.replace('_', '-')}: pip install 'waymark[llm]'."
        raise ModelBackendError(msg) from None


@cache
def prompt(name: str) -> ChatPromptTemplate:
    """``prompts/NAME.txt``: "### system" and "### human" sections, each a message template."""
    from langchain_core.prompts import ChatPromptTemplate

    text = (PROMPTS / f"{name}.txt").read_text(encoding="utf-8")
    parts = re.split(r"^### (system|human)\s*$", text, flags=re.M)
    messages = [(role, body.strip()) for role, body in zip(parts[1::2], parts[2::2], strict=True)]
    return ChatPromptTemplate.from_messages(messages)


def passages_block(answer: Answer) -> str:
    """The cited passages numbered as the citations are, each with its title and date."""
    texts = source_texts(answer)
    return "\n\n".join(
        f"[{c.n}] {c.title} · {render.date_phrase(c)}\n{' '.join(text.split())}"
        for c, text in zip(answer.citations, texts, strict=True)
    )


def source_texts(answer: Answer) -> list[str]:
    """What each [n] may be checked against: its full passage, or its quote if passages are missing."""
    if len(answer.passages) == len(answer.citations):
        return list(answer.passages)
    return [c.quote for c in answer.citations]


def worded_text(answer: Answer, sentences: list[str]) -> str:
    """Verified sentences, the warning, then "Sources:" with each source line and its verbatim quote.

    Everything but the sentences comes from ``bot.render``, as in the extractive answer; the chat
    shows what precedes "Sources:" (less the warning) as the model's wording.
    """
    lines = [" ".join(sentences)]
    if answer.warning:
        lines += ["", answer.warning]
    lines += ["", "Sources:"]
    for c in answer.citations:
        lines += [render.source_line(c), "    " + render.quote_line(c).removeprefix(f"[{c.n}] ")]
    return "\n".join([*lines, "", NOTE])


class LangChainWording:
    """``bot.answer.Wording`` over a LangChain chat model; never raises on model failures."""

    def __init__(self, name: str, model: BaseChatModel, *, timeout: float, where: str = "") -> None:
        self.name = name
        self.model = model
        self.timeout = timeout
        self.where = where or name
        self._failed_at = float("-inf")

    def rewrite(self, question: str, history: list[str]) -> str:
        """The model's standalone question, or the rule-based one if the model fails or rambles."""
        fallback = resolve(question, history)
        if self._cooling_down():
            return fallback
        model = self.rewrite_model(question, history)
        listed = "\n".join(f"- {h}" for h in history)
        messages = prompt("rewrite").format_messages(question=question, history=listed)
        try:
            text = "".join(self._chunks(model, messages, stream=False))
        except ModelBackendError:
            return fallback
        return clean_rewrite(text) or fallback

    def word(self, answer: Answer) -> Answer:
        """The verified worded answer (or the extractive one); drafts from ``stream`` are skipped."""
        result = answer
        for item in self.stream(answer):
            if not isinstance(item, str):
                result = item
        return result

    def stream(self, answer: Answer) -> Iterator[str | Answer]:
        """Verified sentences so far as they complete (cumulative text), then the final ``Answer``.

        Drafts carry only sentences that already passed the verifier: an unverified number is
        never on screen, not even for a moment.
        """
        if answer.abstained or not answer.citations:
            yield answer
            return
        if self._cooling_down():
            yield self._fallback(answer, "failed a moment ago")
            return
        passages = source_texts(answer)
        messages = prompt("answer").format_messages(
            question=answer.question, passages=passages_block(answer), n=len(answer.citations)
        )
        model = self.answer_model(answer)
        drafts = Drafts(passages)
        try:
            for piece in self._chunks(model, messages, stream=True):
                if (draft := drafts.add(piece)) is not None:
                    yield draft
        except ModelBackendError as exc:
            yield self._fallback(answer, str(exc))
            return
        if (draft := drafts.add("", final=True)) is not None:
            yield draft
        yield self._verified(answer, drafts.text, passages)

    def answer_model(self, answer: Answer) -> BaseChatModel:
        """The chat model that words ``answer``: the configured one (a scripted double picks its
        reply from the answer, see ``evals.doubles``)."""
        return self.model

    def rewrite_model(self, question: str, history: list[str]) -> BaseChatModel:
        """The chat model that rewrites a follow-up: the configured one."""
        return self.model

    def _verified(self, answer: Answer, output: str, passages: list[str]) -> Answer:
        verdict = verify.verify(output, passages)
        for dropped in verdict.dropped:
            log.info("verifier dropped %r: %s", dropped.sentence, dropped.reason)
        counts = {"model_sentences": verdict.model_sentences, "dropped_sentences": verdict.dropped_sentences}
        if not verdict.usable:
            return dataclasses.replace(answer, **counts)
        text = worded_text(answer, verdict.kept)
        return dataclasses.replace(answer, text=text, worded_by=self.name, **counts)

    def _fallback(self, answer: Answer, problem: str) -> Answer:
        note = f"(The wording model at {self.where} {problem}; showing the quoted answer.)"
        return dataclasses.replace(answer, text=f"{answer.text}\n\n{note}")

    def _cooling_down(self) -> bool:
        return time.monotonic() - self._failed_at < RETRY_AFTER_S

    def _chunks(self, model: BaseChatModel, messages: list, *, stream: bool) -> Iterator[str]:
        """Text from the model as it arrives; ``ModelBackendError`` once ``timeout`` s have passed."""
        try:
            yield from _deadline(model, messages, stream, self.timeout)
        except ModelBackendError:
            self._failed_at = time.monotonic()
            raise


class Drafts:
    """The verified part of a growing model output: sentences that passed, as each one completes."""

    def __init__(self, passages: list[str]) -> None:
        self.passages = passages
        self.text = ""  # everything the model wrote so far
        self._seen = 0
        self._shown: list[str] = []

    def add(self, piece: str, *, final: bool = False) -> str | None:
        """The new cumulative draft, or None when no further sentence passed."""
        self.text += piece
        done = verify.split_sentences(self.text)
        done = done if final else done[:-1]  # the last one may still be growing
        good = [s for s in done[self._seen :] if not verify.check_sentence(s, self.passages)]
        self._seen = max(self._seen, len(done))
        if not good:
            return None
        self._shown += good
        return " ".join(self._shown)


def _deadline(model: BaseChatModel, messages: list, stream: bool, timeout: float) -> Iterator[str]:
    """Run the model in a daemon thread so neither a dead server nor a slow drip outlasts ``timeout``."""
    pipe: queue.Queue = queue.Queue()
    threading.Thread(target=_pump, args=(model, messages, stream, pipe), daemon=True).start()
    deadline, total = time.monotonic() + timeout, 0
    while True:
        try:
            kind, value = pipe.get(timeout=max(0.0, deadline - time.monotonic()))
        except queue.Empty:
            raise ModelBackendError(f"did not answer within {timeout:g} s") from None
        if kind == "end":
            return
        if kind == "error":
            raise ModelBackendError(_problem(value)) from None
        total += len(value)
        if total > MAX_OUTPUT_CHARS:
            return
        yield value


def _pump(model: BaseChatModel, messages: list, stream: bool, pipe: queue.Queue) -> None:
    try:
        if stream:
            for chunk in model.stream(messages):
                pipe.put(("text", chunk.text))
        else:
            pipe.put(("text", model.invoke(messages).text))
        pipe.put(("end", None))
    except Exception as exc:  # any model failure means "show the quotes instead"
        pipe.put(("error", exc))


def _problem(exc: BaseException) -> str:
    """A few words for the user: unreachable, too slow, or failed (details go to the log)."""
    log.info("wording model failed: %s: %s", type(exc).__name__, exc)
    names = " ".join(t.__name__ for e in (exc, exc.__cause__) if e for t in type(e).__mro__)
    if "Timeout" in names:
        return "did not answer in time"
    if "Connect" in names or isinstance(exc, OSError):
        return "could not be reached"
    return f"failed ({type(exc).__name__})"


def clean_rewrite(text: str) -> str:
    """One plain line of at most ``MAX_REWRITE_CHARS``, or "" when the model said more (or nothing)."""
    lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    if len(lines) != 1:
        return ""
    line = re.sub(r"^(?:standalone question|question)\s*:\s*", "", lines[0], flags=re.I).strip(" \"“”'")
    return line if 0 < len(line) <= MAX_REWRITE_CHARS else ""
