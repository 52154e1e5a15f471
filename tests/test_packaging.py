"""A built wheel carries what the runtime loads from beside its modules."""

from __future__ import annotations

import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.slow
def test_wheel_ships_the_answerability_model(tmp_path):
    cmd = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(tmp_path),
        str(ROOT),
    ]
    subprocess.run(cmd, check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("waymark-*.whl")
    names = zipfile.ZipFile(wheel).namelist()
    assert "bot/models/answerability.json" in names
    assert "bot/answerability.py" in names and "index/pdf.py" in names
