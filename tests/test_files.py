"""index.files: the one atomic write and the one file lock."""

from __future__ import annotations

import pytest

from index.files import Timeout, atomic_target, atomic_write, file_lock


def test_atomic_write_replaces_the_file_and_keeps_its_permissions(tmp_path):
    path = tmp_path / "state.json"
    path.write_text("old")
    path.chmod(0o640)
    atomic_write(path, "new ✓")
    assert path.read_text(encoding="utf-8") == "new ✓"
    assert path.stat().st_mode & 0o777 == 0o640
    assert [p.name for p in tmp_path.iterdir()] == ["state.json"]


def test_a_failed_write_leaves_the_old_file_and_no_temporary(tmp_path):
    path = tmp_path / "manifest.yaml"
    path.write_text("documents: []\n")
    with pytest.raises(RuntimeError), atomic_target(path) as tmp:
        tmp.write_text("half")
        raise RuntimeError("disk full")
    assert path.read_text() == "documents: []\n"
    assert [p.name for p in tmp_path.iterdir()] == ["manifest.yaml"]


def test_atomic_write_creates_missing_folders(tmp_path):
    atomic_write(tmp_path / "a" / "b.bin", b"\x00\x01")
    assert (tmp_path / "a" / "b.bin").read_bytes() == b"\x00\x01"


def test_a_held_lock_refuses_a_second_holder_even_in_this_process(tmp_path):
    with file_lock(tmp_path / "x.lock", timeout=0), pytest.raises(Timeout):
        file_lock(tmp_path / "x.lock", timeout=0).acquire()
    with file_lock(tmp_path / "x.lock", timeout=0):  # released: free again
        pass


def test_a_reentrant_lock_can_be_taken_again_by_its_holder(tmp_path):
    with (
        file_lock(tmp_path / "m.lock", timeout=0, reentrant=True),
        file_lock(tmp_path / "m.lock", timeout=0, reentrant=True),
    ):
        pass
