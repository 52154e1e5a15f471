"""The shipped reader: it loads offline from the package, matches the float model it was exported
from, and reads a sentence with its context."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from bot.errors import ReaderError
from bot.reader import READER_DIR, Candidate, Reader, load_reader

CALIBRATION = json.loads((READER_DIR / "calibration.json").read_text(encoding="utf-8"))


def test_the_reader_ships_with_its_card_and_calibration():
    for name in ("model.onnx", "tokenizer.json", "calibration.json", "MODEL_CARD.md"):
        assert (READER_DIR / name).is_file(), name
    card = (READER_DIR / "MODEL_CARD.md").read_text(encoding="utf-8")
    assert "CC BY-SA 4.0" in card and "SQuAD" in card
    assert 0 < CALIBRATION["threshold"] < 1
    assert CALIBRATION["reference_level"] is not None


def test_the_shipped_graph_matches_the_float_model_it_was_exported_from():
    reader = load_reader()
    probe = CALIBRATION["probe"]
    for row in probe:
        got = reader.logits(row["question"], [Candidate(row["sentence"], row["heading"], row["previous"])])
        assert abs(float(got[0]) - row["float_logit"]) < 0.25, row


def test_it_loads_with_no_network_and_without_torch():
    code = (
        "import sys, socket\n"
        "socket.socket = None\n"  # any network use fails
        "from bot.reader import Candidate, load_reader\n"
        "p = load_reader().probabilities('police number?', [Candidate('Police: dial 112.')])\n"
        "assert 0 <= p[0] <= 1\n"
        "assert 'torch' not in sys.modules, 'the reader must not import torch'\n"
    )
    env = {"HF_HUB_OFFLINE": "1", "PATH": ""}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, timeout=120)


def test_it_ranks_the_answering_sentence_first():
    reader = load_reader()
    candidates = [
        Candidate("The old town has many cafes and a market on Saturdays.", "Tessaly · Sights"),
        Candidate("Dial 112 for the police from any mobile phone.", "Tessaly · Emergency numbers"),
        Candidate("Tessaly's summers are hot and dry.", "Tessaly · Climate"),
    ]
    p = reader.probabilities("what number do i call for the cops in tessaly", candidates)
    assert int(np.argmax(p)) == 1
    assert p[1] > reader.threshold > max(p[0], p[2])


def test_a_contact_line_is_read_with_its_heading():
    reader = load_reader()
    line = "8-300-722-8000 (24 hrs)"
    with_heading = reader.logits(
        "number for the clinic in almaty", [Candidate(line, "Medical care · SOS clinic")]
    )
    bare = reader.logits("number for the clinic in almaty", [Candidate(line)])
    assert with_heading[0] > bare[0]


@pytest.mark.parametrize(
    ("candidate", "expected"),
    [
        pytest.param(Candidate("A."), "A.", id="no-context"),
        pytest.param(Candidate("A.", "Title · Section"), "A. [SEP] Title · Section", id="heading"),
        pytest.param(Candidate("A.", "", "Before."), "A. [SEP] Before.", id="previous"),
        pytest.param(Candidate("A.", "T", "Before."), "A. [SEP] T | Before.", id="both"),
    ],
)
def test_the_sentence_comes_before_its_context(candidate, expected):
    assert candidate.text() == expected


def test_a_missing_model_is_a_clear_error(tmp_path):
    with pytest.raises(ReaderError, match="training.reader"):
        Reader(tmp_path)
