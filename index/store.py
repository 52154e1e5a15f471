"""Chroma access: the embedded persistent store by default, a Chroma server when configured.

Each index build writes a new *generation* collection and then moves a pointer to it, so readers
never see a half-written index. The pointer is the metadata of a small ``<prefix>-pointer``
collection, which works the same on an embedded store and on a server.
"""

from __future__ import annotations

import time
from pathlib import Path

import chromadb
from chromadb.config import Settings as ChromaSettings
from langchain_chroma import Chroma
from langchain_core.embeddings import Embeddings

from bot.errors import ChromaUnreachableError, DataDirError, IndexCorruptError, IndexMissingError
from bot.settings import Settings

COSINE = {"hnsw": {"space": "cosine"}}


def client(settings: Settings) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if settings.remote:
        try:
            remote = chromadb.HttpClient(
                host=settings.chroma_host, port=settings.chroma_port, settings=chroma_settings
            )
            remote.heartbeat()
        except Exception as exc:  # chromadb raises several types for a refused connection
            msg = (
                f"Chroma server at {settings.chroma_host}:{settings.chroma_port} is unreachable "
                f"({exc.__class__.__name__}); start it (`chroma run --path DIR --port "
                f"{settings.chroma_port}`) or unset CHROMA_HOST to use the embedded store."
            )
            raise ChromaUnreachableError(msg) from None
        return remote
    path = ensure_data_dir(settings.data_dir) / "chroma"
    try:
        db = chromadb.PersistentClient(path=str(path), settings=chroma_settings)
        db.heartbeat()
        return db
    except Exception as exc:
        msg = (
            f"The index cannot be opened ({exc.__class__.__name__}); "
            "rebuild it with `waymark index --rebuild`."
        )
        raise IndexCorruptError(msg) from None


def move_aside(settings: Settings) -> Path | None:
    """Set an unreadable embedded store aside (never delete a user's data) so a rebuild can start."""
    path = settings.data_dir / "chroma"
    if settings.remote or not path.exists():
        return None
    reset_clients()
    target = path.with_name(f"chroma.unreadable-{int(time.time())}")
    path.rename(target)
    return target


def store_identity(settings: Settings) -> tuple[int, int] | None:
    """Which file the embedded store is (device, inode); None once it is deleted. A server: (0, 0)."""
    if settings.remote:
        return (0, 0)
    try:
        st = (settings.data_dir / "chroma" / "chroma.sqlite3").stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def reset_clients() -> None:
    """Forget chromadb's per-path client cache, so the next client opens the files anew."""
    from chromadb.api.shared_system_client import SharedSystemClient

    SharedSystemClient.clear_system_cache()


def ensure_data_dir(data_dir: Path) -> Path:
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
        probe = data_dir / ".write-test"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        msg = (
            f"Data folder {data_dir} is not writable ({exc.strerror or exc}); "
            "choose another with --data-dir or WAYMARK_DATA_DIR."
        )
        raise DataDirError(msg) from None
    return data_dir


def pointer_name(settings: Settings) -> str:
    return f"{settings.collection}-pointer"


def current_collection_name(db: chromadb.ClientAPI, settings: Settings) -> str | None:
    try:
        pointer = db.get_collection(pointer_name(settings))
    except Exception:
        return None
    return (pointer.metadata or {}).get("current")


def open_current(db: chromadb.ClientAPI, settings: Settings):
    """The chromadb collection now being served; a clear error when there is none."""
    name = current_collection_name(db, settings)
    if not name:
        msg = "No index yet: run `waymark index` (or just `waymark chat`, which builds it)."
        raise IndexMissingError(msg)
    try:
        return db.get_collection(name)
    except Exception:
        msg = f"The index pointer names {name!r}, which is missing; run `waymark index --rebuild`."
        raise IndexCorruptError(msg) from None


def switch_to(db: chromadb.ClientAPI, settings: Settings, name: str, **info) -> None:
    pointer = db.get_or_create_collection(pointer_name(settings), embedding_function=None)
    pointer.modify(metadata={"current": name, **info})


def vectorstore(db: chromadb.ClientAPI, name: str, embeddings: Embeddings) -> Chroma:
    """A LangChain view of one generation collection (cosine space, our embeddings only)."""
    return Chroma(
        client=db,
        collection_name=name,
        embedding_function=embeddings,
        collection_configuration=COSINE,
    )


def generations(db: chromadb.ClientAPI, settings: Settings) -> list[str]:
    prefix = f"{settings.collection}-g"
    return sorted(c.name for c in db.list_collections() if c.name.startswith(prefix))
