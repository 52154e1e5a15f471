"""The chat app: Gradio wiring for the Chat and Sources tabs, the /chat and /ask endpoints, the
upload box and who may see it, the login, and launching.

What the page shows is built elsewhere, without Gradio: answers as HTML in ``bot.cards`` (which
escapes every string a document or a user wrote), the Sources tab's summary, table and timeline
in ``bot.source_ages``.

Scripts can ask without the page:
    .. code-block:: python

        from gradio_client import Client
        client = Client("http://127.0.0.1:7860/")
        result = client.predict("Police number?", [], 3, 4, api_name="/ask")  # Answer.as_dict()
        html_reply = client.predict("Police number?", 3, 4, api_name="/chat")  # what the page shows

``/chat`` keeps one conversation per client session (follow-ups work there too); ``/ask`` takes
the earlier user turns explicitly, so a script decides what a follow-up refers to.
"""

from __future__ import annotations

import ipaddress
import logging
import os
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

# Before gradio is imported: no usage pings, no version check.
os.environ["GRADIO_ANALYTICS_ENABLED"] = "False"

import gradio as gr  # noqa: E402

from bot.answer import Answer, Answerer  # noqa: E402
from bot.cards import CSS, answer_frames, answer_html, draft_html, error_html, esc, status_html  # noqa: E402
from bot.catalog import catalog  # noqa: E402
from bot.errors import QuestionError, WaymarkError  # noqa: E402
from bot.question import clean_question  # noqa: E402
from bot.retrieve import IndexHandle  # noqa: E402
from bot.settings import Settings  # noqa: E402
from bot.source_ages import SOURCE_HEADERS, age_chart_svg, sources_summary, sources_table  # noqa: E402
from index.add import SUPPORTED_SUFFIXES, add_source, remove_source  # noqa: E402

log = logging.getLogger(__name__)

EXAMPLES = [
    "What number do I dial for the police from a mobile in Kazakhstan?",
    "Are gypsy cabs safe to use?",
    "Where is the SOS clinic in Almaty?",
    "Do police check ID documents?",
]
MAX_CITATIONS = 10
MAX_TURNS = 20  # earlier user turns passed on for follow-ups
MAX_STALE_YEARS = 30
SYSTEM_FONTS = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"]
CONCURRENCY = 4
SOMETHING_BROKE = "Something went wrong on my side while answering. Please try again in a moment."
PLACEHOLDER = (
    "**Ask a travel-safety question.** I answer only with sentences quoted word for word from the "
    "documents listed under *Sources*, tell you how old they are, and say so when they don't cover "
    "your question."
)


# ---------------------------------------------------------------- chat and API


def message_text(content: object) -> str:
    """Plain text of a Gradio message: a string, a {"text": ...} dict, or a list of such parts."""
    if isinstance(content, str):
        return content
    if isinstance(content, dict):
        return message_text(content.get("text", content.get("content", "")))
    if isinstance(content, list | tuple):
        return " ".join(t for t in (message_text(p) for p in content) if t)
    return ""


def user_turns(history: object) -> list[str]:
    """The earlier user questions, oldest first: follow-ups are resolved against these only."""
    turns = []
    for message in history if isinstance(history, list) else []:
        if isinstance(message, dict) and message.get("role") == "user":
            turns.append(message_text(message.get("content")))
        elif isinstance(message, list | tuple) and message:  # legacy [user, bot] pairs
            turns.append(message_text(message[0]))
    return [t for t in turns if is_question(t)][-MAX_TURNS:]


def is_question(text: str) -> bool:
    """Whether an earlier turn can steer a follow-up: one the user got an error for ("???") cannot,
    and passing it on would make every later question fail with the same error."""
    try:
        clean_question(text)
    except QuestionError:
        return False
    return True


def knobs(settings: Settings, stale_years: object, citations: object) -> tuple[float, int]:
    """UI/API values made safe: missing means the configured default; citations kept in 1–10."""
    try:
        years = float(stale_years) if stale_years not in (None, "") else settings.stale_years
    except (TypeError, ValueError):
        years = settings.stale_years
    try:
        count = int(citations) if citations not in (None, "") else settings.citations
    except (TypeError, ValueError):
        count = settings.citations
    return max(0.0, years), min(MAX_CITATIONS, max(1, count))


def worded_frames(answerer: Answerer, result: Answer, stale_years: float) -> Iterator[str]:
    """Stream the model's draft, then replace it with the verified answer (or the quotes on failure)."""
    final, draft = result, ""
    try:
        for item in answerer.wording.stream(result):  # type: ignore[union-attr]
            if isinstance(item, Answer):
                final = item
            elif isinstance(item, str):  # cumulative or delta chunks: accept both
                draft = item if item.startswith(draft) else draft + item
                yield draft_html(result, draft)
    except WaymarkError as exc:
        log.warning("wording failed, showing the quotes instead: %s", exc)
        final = result
    yield answer_html(final, stale_years, note=fallback_note(result, final))


def fallback_note(extractive: Answer, final: Answer) -> str:
    """What the wording step appended when it gave up (e.g. "model timed out; showing the quotes")."""
    if final.worded_by or not final.text.startswith(extractive.text):
        return ""
    return final.text[len(extractive.text) :].strip()


def make_respond(answerer: Answerer) -> Callable[..., Iterator[str]]:
    """The chat function: streams cumulative HTML, and turns every failure into a short message."""

    def respond(message: str, history: list[dict], stale_years: float, citations: int) -> Iterator[str]:
        years, count = knobs(answerer.settings, stale_years, citations)
        try:
            yield status_html("Searching the sources…")
            result = answerer.answer(
                message_text(message), user_turns(history), stale_years=years, citations=count, word=False
            )
            if answerer.wording is None or result.abstained:
                yield from answer_frames(result, years)
            else:
                yield from worded_frames(answerer, result, years)
        except WaymarkError as exc:
            yield error_html(str(exc))
        except Exception:
            log.exception("chat reply failed")
            yield error_html(SOMETHING_BROKE)

    return respond


def make_ask(answerer: Answerer) -> Callable[..., dict]:
    """The /ask endpoint: the structured answer, with history passed explicitly by the script."""

    def ask(question: str, history: list[str], stale_years: float, citations: int) -> dict:
        """Answer QUESTION (earlier user turns in HISTORY, oldest first); returns Answer.as_dict()."""
        years, count = knobs(answerer.settings, stale_years, citations)
        earlier = (
            [h for h in history if isinstance(h, str) and is_question(h)] if isinstance(history, list) else []
        )
        try:
            return answerer.answer(question, earlier, stale_years=years, citations=count).as_dict()
        except WaymarkError as exc:
            raise gr.Error(str(exc), print_exception=False) from None

    return ask


# ---------------------------------------------------------------- the page


def build_app(settings: Settings, answerer: Answerer | None = None) -> gr.Blocks:
    """The whole UI around one shared Answerer (loading its embedding model is the slow part)."""
    answerer = answerer or Answerer(settings)
    sources_view = make_sources_view(settings, answerer)
    with gr.Blocks(
        title="Waymark — travel safety, quoted from dated sources", analytics_enabled=False
    ) as app:
        gr.Markdown(
            "# Waymark\nTravel-safety answers you can check: every sentence is quoted from a named, "
            "dated source, old sources come with a warning, and when the sources don't say, I say so."
        )
        stale, cites = answer_controls(settings)
        with gr.Tabs():
            with gr.Tab("Chat", id="chat"):
                chat_interface(answerer, [stale, cites])
            with gr.Tab("Sources", id="sources"):
                views = sources_tab(*sources_view(settings.stale_years))
                if upload_allowed(settings):
                    manage_sources(settings, answerer, sources_view, stale, views, app)
                else:
                    gr.Markdown(UPLOAD_OFF, elem_id="wm-upload-off")
        app.load(sources_view, [stale], views, api_visibility="private")  # fresh after a re-index
        stale.change(sources_view, [stale], views, api_visibility="private")  # threshold line follows
        gr.api(make_ask(answerer), api_name="ask", concurrency_limit=CONCURRENCY)
    app.queue(default_concurrency_limit=CONCURRENCY)
    return app


def answer_controls(settings: Settings) -> tuple[gr.Slider, gr.Slider]:
    """The two knobs a user may turn; unrendered, so the chat shows them in its settings accordion."""
    stale = gr.Slider(
        0,
        MAX_STALE_YEARS,
        value=min(MAX_STALE_YEARS, settings.stale_years),
        step=0.5,
        render=False,
        label="Warn when the newest source is older than (years)",
    )
    cites = gr.Slider(
        1,
        MAX_CITATIONS,
        value=min(MAX_CITATIONS, settings.citations),
        step=1,
        render=False,
        label="Most quotes per answer",
    )
    return stale, cites


def chat_interface(answerer: Answerer, controls: list[gr.Slider]) -> gr.ChatInterface:
    """Streaming chat exposed as /chat; the Chatbot sanitizes too, as a second line behind esc()."""
    return gr.ChatInterface(
        make_respond(answerer),
        chatbot=gr.Chatbot(
            elem_id="wm-chat",
            height=560,
            sanitize_html=True,
            allow_tags=False,
            render_markdown=True,
            latex_delimiters=[],
            placeholder=PLACEHOLDER,
            buttons=[],
            feedback_options=None,
            show_label=False,
        ),
        textbox=gr.Textbox(
            elem_id="wm-question",
            placeholder="Ask about safety, police, taxis, clinics…",
            show_label=False,
            max_lines=4,
            submit_btn=True,
        ),
        additional_inputs=controls,
        additional_inputs_accordion="Answer settings",
        examples=[[q, None, None] for q in EXAMPLES],  # no slider values: clicking keeps the user's
        cache_examples=False,
        api_name="chat",
        concurrency_limit=CONCURRENCY,
        fill_height=False,
    )


def make_sources_view(
    settings: Settings, answerer: Answerer
) -> Callable[[float], tuple[str, str, list[list]]]:
    """Summary, age chart and table of the indexed documents for a given staleness threshold."""

    def sources_view(stale_years: float) -> tuple[str, str, list[list]]:
        years, _ = knobs(settings, stale_years, None)
        try:
            rows = catalog(settings, answerer.handle)
        except WaymarkError as exc:  # e.g. the Chroma server went away: say so, keep the page
            return f"**Sources unavailable:** {esc(exc)}", "", []
        return (
            sources_summary(rows, years),
            age_chart_svg(rows, years, settings.current_date()),
            sources_table(rows),
        )

    return sources_view


def sources_tab(summary: str, chart: str, table: list[list]) -> list[gr.Component]:
    return [
        gr.Markdown(summary, elem_id="wm-sources-summary"),
        gr.HTML(chart, elem_id="wm-age-chart"),
        gr.Dataframe(
            table,
            headers=SOURCE_HEADERS,
            interactive=False,
            wrap=True,
            column_widths=["25%", "22%", "11%", "11%", "10%", "9%", "12%"],
            elem_id="wm-sources",
        ),
    ]


# ---------------------------------------------------------------- adding and removing documents

UPLOAD_OFF = (
    "*Adding documents here is off.* Start the chat with `waymark chat --allow-upload`, or set "
    "`WAYMARK_AUTH=user:password` so only people who log in can add or remove documents. "
    "From a terminal: `waymark add FILE-or-URL` and `waymark remove ID`."
)
UPLOAD_FAILED = "could not be added because something went wrong on my side; nothing was changed."
REMOVE_FAILED = "could not be removed because something went wrong; nothing was changed."


def upload_allowed(settings: Settings) -> bool:
    """Uploads change what everyone is answered from: only behind a login, or when asked for."""
    return bool(settings.auth) or settings.allow_upload


def pick_up_new_index(answerer: Answerer) -> None:
    """Let the very next question see the generation just built, instead of within IndexHandle's
    re-check interval (it re-reads the index pointer every couple of seconds)."""
    handle = getattr(answerer, "handle", None)
    if isinstance(handle, IndexHandle):
        handle.invalidate()


def uploaded_paths(files: object) -> list[str]:
    """Paths from gr.File, whether it hands over one path, a list, or file dicts/objects."""
    if not files:
        return []
    items = files if isinstance(files, list | tuple) else [files]
    paths = []
    for item in items:
        path = item.get("path") if isinstance(item, dict) else getattr(item, "path", item)
        if isinstance(path, str | Path):
            paths.append(str(path))
    return paths


class SourceManager:
    """The upload and remove handlers: one change at a time, each re-indexing incrementally and
    taking itself back if that fails (``index.add``), then refreshing the Sources views."""

    def __init__(self, settings: Settings, answerer: Answerer, sources_view: Callable) -> None:
        self.settings = settings
        self.answerer = answerer
        self.sources_view = sources_view
        self._busy = threading.Lock()

    def upload(self, files: object, stale_years: float) -> tuple:
        """Add each uploaded file: status lines, the refreshed views, and an emptied upload box."""
        with self._busy:
            lines = [self._add(Path(path)) for path in uploaded_paths(files)]
        return (*self._outputs(stale_years, lines), None)

    def remove(self, doc_id: str | None, stale_years: float) -> tuple:
        """Take the chosen document out: a status line and the refreshed views."""
        if not doc_id:
            return self._outputs(stale_years, ["Choose a document to remove first."])
        with self._busy:
            line = self._remove(str(doc_id))
        return self._outputs(stale_years, [line])

    def source_ids(self) -> gr.Dropdown:
        """The remove control's choices: every indexed document's id."""
        _, _, table = self.sources_view(self.settings.stale_years)
        return gr.Dropdown(choices=[row[-1] for row in table], value=None)

    def _add(self, path: Path) -> str:
        try:
            added = add_source(
                path,
                self.settings.editable_corpus(),
                name=path.name,
                max_bytes=self.settings.max_upload_bytes,
                today=self.settings.current_date(),
                reindex=self._reindex,
            )
        except WaymarkError as exc:
            return f"✗ {esc(exc)}"
        except Exception:
            log.exception("upload of %s failed", path.name)
            return f"✗ {esc(path.name)} {UPLOAD_FAILED}"
        return ("✓ " if not added.duplicate else "= ") + esc(added.line())

    def _remove(self, doc_id: str) -> str:
        try:
            entry = remove_source(doc_id, self.settings.editable_corpus(), reindex=self._reindex)
        except WaymarkError as exc:
            return f"✗ {esc(exc)}"
        except Exception:
            log.exception("removing %s failed", doc_id)
            return f"✗ {esc(doc_id)} {REMOVE_FAILED}"
        title = entry.get("title")
        return f"✓ Removed {esc(doc_id)}" + (f" (“{esc(title)}”)" if title else "")

    def _reindex(self, warn: Callable[[str], None]) -> None:
        # Imported here: index.build brings the passage-embedding stack, which a chat that nobody
        # uploads to never needs (it would slow every `waymark chat` start).
        from index.build import build_index

        build_index(self.settings, warn=warn)

    def _outputs(self, stale_years: float, lines: list[str]) -> tuple:
        pick_up_new_index(self.answerer)
        summary, chart, table = self.sources_view(stale_years)
        ids = [row[-1] for row in table]
        return "\n\n".join(lines), summary, chart, table, gr.Dropdown(choices=ids, value=None)


def make_source_manager(
    settings: Settings, answerer: Answerer, sources_view: Callable
) -> tuple[Callable, ...]:
    """The upload, remove and document-id handlers the page wires up, sharing one lock."""
    manager = SourceManager(settings, answerer, sources_view)
    return manager.upload, manager.remove, manager.source_ids


def manage_sources(
    settings: Settings,
    answerer: Answerer,
    sources_view: Callable,
    stale: gr.Slider,
    views: list[gr.Component],
    app: gr.Blocks,
) -> None:
    """The upload box and the remove control under the sources table."""
    upload, remove, source_ids = make_source_manager(settings, answerer, sources_view)
    limit = f"{settings.max_upload_mb:g} MB"
    gr.Markdown(
        f"### Add or remove documents\nPDF, HTML, Markdown or text, up to {limit} each. An added "
        "document is indexed at once and can be quoted in the next answer; fill in or correct its "
        "title, publisher and date in `manifest.yaml` in the corpus folder.",
        elem_id="wm-upload-help",
    )
    files = gr.File(
        label="Add documents",
        file_count="multiple",
        file_types=list(SUPPORTED_SUFFIXES),
        type="filepath",
        height=150,
        elem_id="wm-upload",
    )
    status = gr.Markdown("", elem_id="wm-upload-status")
    with gr.Row(equal_height=True):
        choice = gr.Dropdown(
            choices=[], value=None, label="Remove a document", scale=3, elem_id="wm-remove-id"
        )
        button = gr.Button("Remove", variant="stop", scale=1, elem_id="wm-remove")
    shown = [status, *views, choice]
    files.upload(upload, [files, stale], [*shown, files], api_visibility="private", concurrency_limit=1)
    button.click(remove, [choice, stale], shown, api_visibility="private", concurrency_limit=1)
    app.load(source_ids, None, choice, api_visibility="private")


# ---------------------------------------------------------------- login, exposure and launch


def parse_auth(raw: str | None) -> tuple[str, str] | None:
    """WAYMARK_AUTH "user:password" as Gradio's auth pair; a malformed value is an error, not no login."""
    if not raw:
        return None
    user, sep, password = raw.partition(":")
    if not (sep and user and password):
        raise WaymarkError("WAYMARK_AUTH must look like user:password (both parts non-empty).")
    return user, password


def is_loopback(host: str) -> bool:
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def exposure_warning(settings: Settings, share: bool) -> str:
    """What to tell the person starting the chat when others could reach it without a login."""
    if settings.auth:
        return ""
    uploads = " --allow-upload lets them add and remove documents too." if settings.allow_upload else ""
    if share:
        return (
            "Warning: --share opens a public link and no login is set; anyone with the link can use it. "
            "Set WAYMARK_AUTH=user:password to require one." + uploads
        )
    if not is_loopback(settings.host):
        return (
            f"Warning: the chat listens on {settings.host}, reachable from other machines, with no login. "
            "Set WAYMARK_AUTH=user:password to require one." + uploads
        )
    return ""


def launch_options(settings: Settings, share: bool = False) -> dict:
    """Keyword arguments for ``Blocks.launch``: bind address, login, look, and nothing that phones home."""
    return {
        "server_name": settings.host,
        "server_port": settings.port,
        "share": share,
        "auth": parse_auth(settings.auth),
        "auth_message": "Waymark: log in with the user and password you were given.",
        "theme": gr.themes.Default(primary_hue="teal", font=SYSTEM_FONTS),  # no requests to font CDNs
        "css": CSS,
        "footer_links": ["api"],
        "ssr_mode": False,
        "pwa": False,
        "mcp_server": False,
        "show_error": False,
        "max_file_size": settings.max_upload_bytes,  # larger uploads are refused before they are saved
    }


def launch(settings: Settings, share: bool = False) -> None:
    """Serve the chat until interrupted; loopback only unless --host/--share says otherwise."""
    options = launch_options(settings, share)
    warning = exposure_warning(settings, share)
    if warning:
        print(warning, file=sys.stderr)
    build_app(settings).launch(**options)
