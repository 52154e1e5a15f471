"""One settings object; every field can be overridden from the environment.

The README's configuration table is generated from ``ENV_VARS`` below, so keep them in step.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass, field, replace
from pathlib import Path

from bot.errors import AddError, WaymarkError

PACKAGE_DIR = Path(__file__).resolve().parent
#: the checkout's root (in an installed wheel, the site-packages folder, which holds no corpus)
REPO_ROOT = PACKAGE_DIR.parent


def shipped(name: str) -> Path:
    """The shipped folder ``name`` (``corpus`` or ``prompts``).

    A wheel carries the top-level folders as ``bot/shipped/NAME`` (see pyproject.toml); a checkout or
    an editable install has no such copy and uses the top-level folder itself, so edits show at once.
    Wheels install unpacked, so this is a real folder the indexer can list.
    """
    packaged = PACKAGE_DIR / "shipped" / name
    return packaged if packaged.is_dir() else REPO_ROOT / name


SHIPPED_CORPUS = shipped("corpus")
SHIPPED_PROMPTS = shipped("prompts")

#: env var -> (field, description)
ENV_VARS: dict[str, tuple[str, str]] = {
    "WAYMARK_CORPUS_DIR": ("corpus_dir", "Folder of documents to index (default: the shipped `corpus/`)."),
    "WAYMARK_DATA_DIR": ("data_dir", "Where the index lives (default: `.waymark/` in the current folder)."),
    "WAYMARK_COLLECTION": ("collection", "Chroma collection name prefix (3+ characters, default `waymark`)."),
    "CHROMA_HOST": ("chroma_host", "Use a Chroma server at this host instead of the embedded store."),
    "CHROMA_PORT": ("chroma_port", "Port of that Chroma server (default 8000)."),
    "WAYMARK_STALE_YEARS": (
        "stale_years",
        "Warn when the newest source behind an answer is older (default 3).",
    ),
    "WAYMARK_CITATIONS": (
        "citations",
        "Most quotes in one answer: every sentence the reader finds answering, up to this many (default 3).",
    ),
    "WAYMARK_TODAY": ("today", "Pretend today is this ISO date, for reproducible evals."),
    "WAYMARK_HOST": ("host", "Chat bind address (default 127.0.0.1)."),
    "WAYMARK_PORT": ("port", "Chat port (default 7860)."),
    "WAYMARK_AUTH": ("auth", "`user:password` to require a login in the chat."),
    "WAYMARK_QUERY_ENGINE": (
        "query_engine",
        "`onnx` (default: no torch, fast start) or `torch` (sentence-transformers) for passage and query "
        "embeddings.",
    ),
    "WAYMARK_LLM": (
        "llm",
        "Optional wording backend: `openai` or `ollama` (default: none, extractive); `waymark eval` "
        "also takes the offline `fake` / `fake-liar`.",
    ),
    "WAYMARK_LLM_MODEL": ("llm_model", "Model name for that backend."),
    "WAYMARK_LLM_BASE_URL": ("llm_base_url", "Base URL of the OpenAI-compatible or Ollama server."),
    "WAYMARK_LLM_TIMEOUT": ("llm_timeout", "Seconds to wait for the model (default 30)."),
    "WAYMARK_MAX_UPLOAD_MB": (
        "max_upload_mb",
        "Largest document `waymark add` or the chat's upload box accepts, in MB (default 20).",
    ),
}


@dataclass(frozen=True)
class Settings:
    """Typed configuration. Build with ``Settings.from_env()``; tweak with ``.replace(...)``."""

    corpus_dir: Path = SHIPPED_CORPUS
    data_dir: Path = field(default_factory=lambda: Path(".waymark").resolve())
    collection: str = "waymark"
    chroma_host: str | None = None
    chroma_port: int = 8000
    stale_years: float = 3.0
    citations: int = 3
    today: dt.date | None = None
    host: str = "127.0.0.1"
    port: int = 7860
    auth: str | None = None
    query_engine: str = "onnx"
    llm: str | None = None
    llm_model: str | None = None
    llm_base_url: str | None = None
    llm_timeout: float = 30.0
    max_upload_mb: float = 20.0
    #: command line only (`waymark chat --allow-upload`): the chat's upload box without a login
    allow_upload: bool = False

    @classmethod
    def from_env(cls, env: dict[str, str] | None = None, **overrides) -> Settings:
        env = os.environ if env is None else env
        values: dict = {}
        for var, (name, _) in ENV_VARS.items():
            raw = env.get(var)
            if raw not in (None, ""):
                values[name] = _convert(name, raw)
        values.update({k: v for k, v in overrides.items() if v is not None})
        return cls(**values)

    def replace(self, **changes) -> Settings:
        return replace(self, **{k: v for k, v in changes.items() if v is not None})

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    def current_date(self) -> dt.date:
        return self.today or dt.date.today()

    def editable_corpus(self) -> Path:
        """The corpus folder, for adding or removing documents. The copy a wheel ships inside the
        package is refused: an upgrade would replace it and drop what was added."""
        if self.corpus_dir.resolve().is_relative_to(PACKAGE_DIR / "shipped"):
            msg = (
                "The corpus shipped inside the installed package cannot be changed. Use a folder "
                "of your own: pass --corpus DIR or set WAYMARK_CORPUS_DIR (copy "
                f"{self.corpus_dir} there first to keep the shipped documents)."
            )
            raise AddError(msg)
        return self.corpus_dir

    @property
    def remote(self) -> bool:
        return bool(self.chroma_host)


def _convert(name: str, raw: str):
    try:
        if name in ("corpus_dir", "data_dir"):
            return Path(raw).expanduser().resolve()
        if name in ("chroma_port", "citations", "port"):
            return int(raw)
        if name in ("stale_years", "llm_timeout", "max_upload_mb"):
            return float(raw)
        if name == "today":
            return dt.date.fromisoformat(raw)
    except ValueError as exc:
        var = next(v for v, (n, _) in ENV_VARS.items() if n == name)
        msg = f"{var}={raw!r} is not valid ({exc}); fix or unset it."
        raise WaymarkError(msg) from None
    return raw
