"""What the last successful `waymark index` wrote, kept beside the store without importing Chroma.

An unchanged corpus should cost a directory walk and a hash comparison, not the half-second
imports of chromadb and langchain-chroma. After every successful build the builder records the
served generation, each passage's metadata hash and which store file it wrote; the next run trusts
that record only while the store file is the very same one (device and inode) and the pointer has
not moved.

Where an index lives is read from a ``StoreConfig``: any object with ``data_dir``, ``collection``,
``chroma_host`` and ``chroma_port`` (bot's ``Settings`` is one). ``index`` reads nothing else.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Protocol

from index.errors import DataDirError
from index.files import atomic_write


class StoreConfig(Protocol):
    """Where an index lives: its data folder and collection name, and a Chroma server if any."""

    @property
    def data_dir(self) -> Path: ...

    @property
    def collection(self) -> str: ...

    @property
    def chroma_host(self) -> str | None: ...

    @property
    def chroma_port(self) -> int: ...


def is_remote(config: StoreConfig) -> bool:
    """A Chroma server rather than the embedded store in the data folder."""
    return bool(config.chroma_host)


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


def store_identity(config: StoreConfig) -> tuple[int, int] | None:
    """Which file the embedded store is (device, inode); None once it is deleted. A server: (0, 0)."""
    if is_remote(config):
        return (0, 0)
    try:
        st = (config.data_dir / "chroma" / "chroma.sqlite3").stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def fingerprint(meta_hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for pid in sorted(meta_hashes):
        digest.update(f"{pid}\0{meta_hashes[pid]}\n".encode())
    return digest.hexdigest()


def _path(config: StoreConfig) -> Path:
    return config.data_dir / f"{config.collection}.state.json"


def unchanged(config: StoreConfig, meta_hashes: dict[str, str]) -> str | None:
    """The served collection if the last build recorded exactly these passages on this very store."""
    if is_remote(config):
        return None  # a server may be changed by others; ask it
    try:
        state = json.loads(_path(config).read_text())
    except (OSError, ValueError):
        return None
    identity = store_identity(config)
    if identity is None or state.get("store") != list(identity):
        return None
    return state.get("collection") if state.get("fingerprint") == fingerprint(meta_hashes) else None


def record(config: StoreConfig, collection: str, meta_hashes: dict[str, str]) -> None:
    """Written after the pointer switch, atomically; a crash before it only costs the fast path."""
    identity = store_identity(config)
    state = {
        "collection": collection,
        "fingerprint": fingerprint(meta_hashes),
        "store": identity and list(identity),
    }
    atomic_write(_path(config), json.dumps(state))


def forget(config: StoreConfig) -> None:
    _path(config).unlink(missing_ok=True)
