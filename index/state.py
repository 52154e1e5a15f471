"""What the last successful `waymark index` wrote, kept beside the store without importing Chroma.

An unchanged corpus should cost a directory walk and a hash comparison, not the half-second
imports of chromadb and langchain-chroma. After every successful build the builder records the
served generation, each passage's metadata hash and which store file it wrote; the next run trusts
that record only while the store file is the very same one (device and inode) and the pointer has
not moved.
"""

from __future__ import annotations

import hashlib
import json
import os
from pathlib import Path

from bot.errors import DataDirError
from bot.settings import Settings


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


def store_identity(settings: Settings) -> tuple[int, int] | None:
    """Which file the embedded store is (device, inode); None once it is deleted. A server: (0, 0)."""
    if settings.remote:
        return (0, 0)
    try:
        st = (settings.data_dir / "chroma" / "chroma.sqlite3").stat()
    except OSError:
        return None
    return st.st_dev, st.st_ino


def fingerprint(meta_hashes: dict[str, str]) -> str:
    digest = hashlib.sha256()
    for pid in sorted(meta_hashes):
        digest.update(f"{pid}\0{meta_hashes[pid]}\n".encode())
    return digest.hexdigest()


def _path(settings: Settings) -> Path:
    return settings.data_dir / f"{settings.collection}.state.json"


def unchanged(settings: Settings, meta_hashes: dict[str, str]) -> str | None:
    """The served collection if the last build recorded exactly these passages on this very store."""
    if settings.remote:
        return None  # a server may be changed by others; ask it
    try:
        state = json.loads(_path(settings).read_text())
    except (OSError, ValueError):
        return None
    identity = store_identity(settings)
    if identity is None or state.get("store") != list(identity):
        return None
    return state.get("collection") if state.get("fingerprint") == fingerprint(meta_hashes) else None


def record(settings: Settings, collection: str, meta_hashes: dict[str, str]) -> None:
    """Written after the pointer switch, atomically; a crash before it only costs the fast path."""
    identity = store_identity(settings)
    state = {
        "collection": collection,
        "fingerprint": fingerprint(meta_hashes),
        "store": identity and list(identity),
    }
    tmp = _path(settings).with_suffix(".tmp")
    tmp.write_text(json.dumps(state))
    os.replace(tmp, _path(settings))


def forget(settings: Settings) -> None:
    _path(settings).unlink(missing_ok=True)
