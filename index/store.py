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

from index.errors import ChromaUnreachableError, IndexCorruptError, IndexMissingError
from index.state import StoreConfig, ensure_data_dir, is_remote

COSINE = {"hnsw": {"space": "cosine"}}


def client(config: StoreConfig) -> chromadb.ClientAPI:
    chroma_settings = ChromaSettings(anonymized_telemetry=False, allow_reset=False)
    if is_remote(config):
        try:
            remote = chromadb.HttpClient(
                host=config.chroma_host, port=config.chroma_port, settings=chroma_settings
            )
            remote.heartbeat()
        except Exception as exc:  # chromadb raises several types for a refused connection
            msg = (
                f"Chroma server at {config.chroma_host}:{config.chroma_port} is unreachable "
                f"({exc.__class__.__name__}); start it (`chroma run --path DIR --port "
                f"{config.chroma_port}`) or unset CHROMA_HOST to use the embedded store."
            )
            raise ChromaUnreachableError(msg) from None
        return remote
    path = ensure_data_dir(config.data_dir) / "chroma"
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


def move_aside(config: StoreConfig) -> Path | None:
    """Set an unreadable embedded store aside (never delete a user's data) so a rebuild can start."""
    path = config.data_dir / "chroma"
    if is_remote(config) or not path.exists():
        return None
    reset_clients(config)
    target = path.with_name(f"chroma.unreadable-{int(time.time())}")
    path.rename(target)
    return target


def reset_clients(config: StoreConfig) -> None:
    """Forget chromadb's cached client for this store's folder, so the next client opens the files
    anew (after they were deleted or rebuilt by another process). Clients already handed out keep
    working on what they opened."""
    from chromadb.api.shared_system_client import SharedSystemClient

    key = str(config.data_dir / "chroma")
    SharedSystemClient._identifier_to_system.pop(key, None)
    SharedSystemClient._identifier_to_refcount.pop(key, None)


PAGE = 5000


def get_all(collection, include: list[str]) -> dict[str, list]:
    """Every record of a collection, fetched a page at a time: one huge `get` fails at scale."""
    out: dict[str, list] = {"ids": [], **{key: [] for key in include}}
    offset = 0
    while True:
        got = collection.get(include=include, limit=PAGE, offset=offset)
        for key in out:
            out[key].extend(got[key])
        if len(got["ids"]) < PAGE:
            return out
        offset += PAGE


def pointer_name(config: StoreConfig) -> str:
    return f"{config.collection}-pointer"


def current_collection_name(db: chromadb.ClientAPI, config: StoreConfig) -> str | None:
    try:
        pointer = db.get_collection(pointer_name(config))
    except Exception:
        return None
    return (pointer.metadata or {}).get("current")


def open_current(db: chromadb.ClientAPI, config: StoreConfig):
    """The chromadb collection now being served; a clear error when there is none."""
    name = current_collection_name(db, config)
    if not name:
        msg = "No index yet: run `waymark index` (or just `waymark chat`, which builds it)."
        raise IndexMissingError(msg)
    try:
        return db.get_collection(name)
    except Exception:
        msg = f"The index pointer names {name!r}, which is missing; run `waymark index --rebuild`."
        raise IndexCorruptError(msg) from None


def switch_to(db: chromadb.ClientAPI, config: StoreConfig, name: str, **info) -> None:
    pointer = db.get_or_create_collection(pointer_name(config), embedding_function=None)
    pointer.modify(metadata={"current": name, **info})


def vectorstore(db: chromadb.ClientAPI, name: str, embeddings: Embeddings) -> Chroma:
    """A LangChain view of one generation collection (cosine space, our embeddings only)."""
    return Chroma(
        client=db,
        collection_name=name,
        embedding_function=embeddings,
        collection_configuration=COSINE,
    )


def generations(db: chromadb.ClientAPI, config: StoreConfig) -> list[str]:
    prefix = f"{config.collection}-g"
    return sorted(c.name for c in db.list_collections() if c.name.startswith(prefix))
