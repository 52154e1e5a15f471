"""Files other processes may read or write at the same time: one atomic write, one file lock.

Readers of the manifest, the build state, the ONNX export and the calibration see the old file
or the new one, never half of one: everything is written beside its target and renamed over it.
Writers that must not overlap (two `waymark index` runs, two `waymark add`, two exporters) take a
``filelock`` lock file.
"""

from __future__ import annotations

import contextlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path

from filelock import FileLock, Timeout

__all__ = ["FileLock", "Timeout", "atomic_target", "atomic_write", "file_lock"]


@contextlib.contextmanager
def atomic_target(path: Path, *, durable: bool = True) -> Iterator[Path]:
    """A temporary sibling of ``path`` to fill in the block; moved over ``path`` when the block ends
    without an error, removed when it raises.

    The sibling is on the same file system, so the rename is atomic, and hidden (dot name), so a
    corpus scan never picks it up. A file that already exists keeps its permissions. ``durable``
    flushes the new content to disk before the rename, so a power cut cannot leave an empty file;
    caches that are checked on every read (the ONNX export) skip that cost.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")
    try:
        yield tmp
        if durable:
            _sync(tmp)
        with contextlib.suppress(OSError):
            os.chmod(tmp, path.stat().st_mode & 0o777)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def atomic_write(path: Path, data: str | bytes, *, durable: bool = True) -> None:
    """Write ``data`` (text as UTF-8) to ``path`` atomically (see ``atomic_target``)."""
    with atomic_target(path, durable=durable) as tmp:
        tmp.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _sync(path: Path) -> None:
    with open(path, "rb") as handle:
        os.fsync(handle.fileno())


def file_lock(path: Path, *, timeout: float = -1, reentrant: bool = False) -> FileLock:
    """An exclusive lock on ``path``, for ``with``: waits up to ``timeout`` seconds (-1: forever,
    0: not at all), then raises ``Timeout``.

    ``reentrant``: one lock object per path in this process, so a holder may take it again (the
    manifest writer inside `waymark add`). Otherwise even this process is refused while it holds
    the lock, which is how a second build in the same process is told the index is busy.
    """
    return FileLock(str(path), timeout=timeout, is_singleton=reentrant)
