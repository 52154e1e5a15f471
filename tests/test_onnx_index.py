"""Passages embedded with ONNX Runtime must be sentence-transformers' vectors, without importing torch.

Indexes built by either path must be interchangeable (no re-embedding after switching), so the
bar is an absolute difference of at most 1e-6 per component, not a cosine. The module exports
once into its own shared cache (``WAYMARK_CACHE_DIR``), so the user's cache does not matter.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest

from bot.settings import REPO_ROOT, SHIPPED_CORPUS, Settings
from index import onnx_build, onnx_embed
from index.build import build_index, collect
from index.embed import OnnxEmbeddings, SentenceEmbeddings, passage_embeddings
from index.onnx_embed import OnnxEmbedder, export_folder, export_onnx

TOLERANCE = 1e-6
HEAVY = ("torch", "transformers", "sentence_transformers")
LONG = " ".join(
    f"Section {i}. Registration with the migration police is required within {i + 2} working days; "
    f"carry the stamped migration card and call 102 (police) or 112 if the office at Zhibek Zholy {i} "
    "is closed."
    for i in range(40)
)  # ~1,400 tokens: only the first 256 count, as in sentence-transformers
ODD = [
    "",
    " ",
    "\n\t\n",
    ".",
    "?!",
    "[CLS] [SEP] [PAD] [UNK] [MASK]",  # special tokens as plain text
    "a",
    "x" * 3000,  # one enormous word: many word pieces
    LONG,
    LONG[: len(LONG) // 3],  # about 256 tokens, near the limit
    "Қазақстанда полицияның нөмірі қандай? Какой номер полиции?",
    "哈萨克斯坦的报警电话是多少？東京から、아스타나까지",
    "ما هو رقم الشرطة في كازاخستان؟ עברית",
    "🚕🚓 taxi or police? 🆘 help 🇰🇿 👩🏽‍⚕️",
    "Ñandú café naïve résumé — Straße in Zürich; e\u0301 (combining accent), \u200b zero width",
    "\u0000 control \u0007 characters \ufeff BOM",
    "8-727-250-4900 / +7 (7172) 70-2200 ext. 5, 1,000,000 ₸ = $2,000.00",
]


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory) -> Iterator[Path]:
    cache = tmp_path_factory.mktemp("onnx-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(onnx_embed.CACHE_ENV, str(cache))
        yield cache


@pytest.fixture(scope="module")
def exported(tmp_path_factory, shared_cache) -> Path:
    """A data folder with an export (and the module's cache filled with it)."""
    data = tmp_path_factory.mktemp("onnx-data")
    export_onnx(data)
    return data


@pytest.fixture(scope="module")
def onnx(exported) -> OnnxEmbeddings:
    return passage_embeddings(exported, "onnx", warn=lambda m: pytest.fail(f"warned: {m}"))


@pytest.fixture(scope="module")
def torch_reference() -> SentenceEmbeddings:
    return SentenceEmbeddings()


@pytest.fixture(scope="module")
def seed_texts(tmp_path_factory) -> list[str]:
    settings = Settings(corpus_dir=SHIPPED_CORPUS, data_dir=tmp_path_factory.mktemp("unused"))
    return [p.text for p in collect(settings, lambda _m: None)[0]]


def max_abs_diff(a, b) -> float:
    return float(np.max(np.abs(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64))))


# --- the same vectors ---------------------------------------------------------------------------


def test_passage_embeddings_use_onnx_by_default(onnx):
    assert isinstance(onnx, OnnxEmbeddings) and isinstance(onnx.embedder, OnnxEmbedder)


def test_all_seed_passages_match_sentence_transformers(onnx, torch_reference, seed_texts):
    assert len(seed_texts) > 200
    got = onnx.embed_documents(seed_texts)
    want = torch_reference.embed_documents(seed_texts)
    assert len(got) == len(seed_texts) and all(len(v) == 384 for v in got)
    assert max_abs_diff(got, want) <= TOLERANCE


@pytest.mark.parametrize("text", ODD, ids=range(len(ODD)))
def test_odd_passages_match_sentence_transformers(onnx, torch_reference, text):
    got = onnx.embed_documents([text])[0]
    want = torch_reference.embed_documents([text])[0]
    assert max_abs_diff(got, want) <= TOLERANCE
    assert abs(np.linalg.norm(got) - 1) < 1e-5


def test_long_passages_are_truncated_like_sentence_transformers(onnx, torch_reference):
    tokenizer = onnx.embedder.tokenizer
    assert len(tokenizer.encode(LONG).ids) == 256
    # Everything after the first 256 tokens is ignored, by both paths.
    longer = LONG + " Completely different closing words about the weather in Astana."
    assert max_abs_diff(onnx.embed_query(LONG), onnx.embed_query(longer)) == 0
    assert max_abs_diff(torch_reference.embed_query(LONG), torch_reference.embed_query(longer)) == 0


def test_batching_order_and_padding_do_not_change_vectors(onnx, torch_reference, seed_texts):
    """Sorting by length and padding per batch must not leak into the vectors or their order."""
    mixed = [*ODD, *seed_texts[:40], *reversed(ODD)]
    together = onnx.embedder.embed_many(mixed)
    alone = np.stack([onnx.embedder.embed_many([t])[0] for t in mixed])
    assert together.dtype == np.float32 and together.shape == (len(mixed), 384)
    assert max_abs_diff(together, alone) <= TOLERANCE
    assert max_abs_diff(together, torch_reference.encode(mixed)) <= TOLERANCE


def test_no_texts(onnx):
    assert onnx.embed_documents([]) == []


# --- the index build -----------------------------------------------------------------------------


def stored_vectors(settings: Settings) -> dict[str, list[float]]:
    from index import store

    db = store.client(settings)
    collection = db.get_collection(store.current_collection_name(db, settings))
    got = store.get_all(collection, ["embeddings"])
    return dict(zip(got["ids"], (list(v) for v in got["embeddings"]), strict=True))


@pytest.mark.slow
def test_onnx_and_torch_indexes_hold_the_same_vectors(exported, tmp_path):
    fast = Settings(corpus_dir=SHIPPED_CORPUS, data_dir=tmp_path / "onnx")
    slow = fast.replace(data_dir=tmp_path / "torch", query_engine="torch")
    warnings: list[str] = []
    assert build_index(fast, warn=warnings.append).embedded > 200
    assert build_index(slow, warn=warnings.append).embedded > 200
    assert warnings == []
    a, b = stored_vectors(fast), stored_vectors(slow)
    assert a.keys() == b.keys()
    assert max(max_abs_diff(a[k], b[k]) for k in a) <= TOLERANCE


@pytest.mark.slow
def test_build_falls_back_to_torch_with_a_warning_when_onnx_fails(exported, tmp_path, monkeypatch):
    def broken(_path: Path):
        raise ImportError("onnxruntime: libonnxruntime.so: cannot open shared object file")

    monkeypatch.setattr(onnx_embed, "_session", broken)
    monkeypatch.setattr(onnx_embed, "_export", lambda _f: None)
    warnings: list[str] = []
    summary = build_index(Settings(corpus_dir=SHIPPED_CORPUS, data_dir=tmp_path), warn=warnings.append)
    assert summary.embedded > 200
    assert any("fast embedding path unavailable" in w and "libonnxruntime" in w for w in warnings), warnings


def test_passage_embeddings_report_the_reason_of_a_fallback(tmp_path, monkeypatch):
    monkeypatch.setenv(onnx_embed.CACHE_ENV, "off")

    def no_onnx(_folder: Path) -> None:
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setattr(onnx_embed, "_export", no_onnx)
    warnings: list[str] = []
    got = passage_embeddings(tmp_path, "onnx", warn=warnings.append)
    assert isinstance(got, SentenceEmbeddings)
    assert len(warnings) == 1 and "ModuleNotFoundError: No module named 'onnx'" in warnings[0]
    assert isinstance(passage_embeddings(tmp_path, "torch", warn=warnings.append), SentenceEmbeddings)
    assert len(warnings) == 1  # choosing torch is not a fallback


# --- `waymark index` without torch ----------------------------------------------------------------


def index_in_child(data: Path, env: dict[str, str]) -> tuple[dict, list[str], str]:
    """`waymark index --json` in a fresh interpreter: its summary, the heavy modules it imported, stderr."""
    script = textwrap.dedent(f"""
        import json, sys
        from bot.cli import main
        try:
            main(["index", "--corpus", {str(SHIPPED_CORPUS)!r}, "--data-dir", {str(data)!r}, "--json"],
                 standalone_mode=False)
        finally:
            print("HEAVY " + json.dumps([m for m in {HEAVY!r} if m in sys.modules]))
    """)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False", **env}
    env.pop("WAYMARK_QUERY_ENGINE", None)
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    out = done.stdout.strip()
    heavy = json.loads(out.splitlines()[-1].removeprefix("HEAVY "))
    summary = json.loads(out[: out.rindex("HEAVY ")])
    return summary, heavy, done.stderr


@pytest.mark.slow
def test_waymark_index_with_an_export_in_the_data_folder_imports_no_torch(exported, tmp_path):
    data = tmp_path / "data"
    shutil.copytree(exported / "onnx", data / "onnx")
    summary, heavy, stderr = index_in_child(data, {onnx_embed.CACHE_ENV: "off"})
    assert summary["embedded"] == summary["passages"] > 200
    assert heavy == [], stderr
    assert "warning" not in stderr


@pytest.mark.slow
def test_waymark_index_in_a_new_data_folder_takes_the_cached_export_and_imports_no_torch(
    exported, shared_cache, tmp_path
):
    summary, heavy, stderr = index_in_child(tmp_path / "data", {onnx_embed.CACHE_ENV: str(shared_cache)})
    assert summary["embedded"] > 200
    assert heavy == [], stderr
    assert "warning" not in stderr
    OnnxEmbedder.load(export_folder(tmp_path / "data"))  # queries will find it there


# --- exporting without torch, and the torch fallback -------------------------------------------------


def test_export_is_built_without_torch_in_a_fresh_process(tmp_path):
    script = textwrap.dedent(f"""
        import json, sys
        from pathlib import Path
        from index.onnx_embed import export_onnx
        folder = export_onnx(Path({str(tmp_path)!r}))
        exporter = json.loads((folder / "export.json").read_text())["exporter"]
        print(json.dumps([exporter, [m for m in {HEAVY!r} if m in sys.modules]]))
    """)
    env = {**os.environ, "HF_HUB_OFFLINE": "1", onnx_embed.CACHE_ENV: "off"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == ["onnx_build", []]
    assert "warn" not in done.stderr.lower()


def test_the_torch_traced_export_is_the_fallback_and_matches_too(
    torch_reference, seed_texts, tmp_path, monkeypatch
):
    monkeypatch.setenv(onnx_embed.CACHE_ENV, "off")

    def unsupported(*_args):
        raise onnx_build.UnsupportedModelError("not a plain BERT encoder")

    monkeypatch.setattr(onnx_embed, "_build_graph", unsupported)
    with pytest.warns(RuntimeWarning, match="without torch failed .*not a plain BERT encoder"):
        folder = export_onnx(tmp_path)
    assert json.loads((folder / "export.json").read_text())["exporter"] == "torch"
    texts = [*ODD, *seed_texts[:30]]
    got = OnnxEmbedder.load(folder).embed_many(texts)
    assert max_abs_diff(got, torch_reference.encode(texts)) <= TOLERANCE


def test_builder_refuses_other_architectures(tmp_path):
    model = tmp_path / "model"
    model.mkdir()
    config = json.loads((onnx_embed.model_dir() / "config.json").read_text())
    (model / "config.json").write_text(json.dumps({**config, "hidden_act": "relu"}))
    with pytest.raises(onnx_build.UnsupportedModelError):
        onnx_build.bert_config(model)
    assert onnx_build.bert_config(onnx_embed.model_dir())["num_hidden_layers"] == 6


def test_numpy_reference_matches_sentence_transformers(torch_reference, onnx):
    for text in ("", "police number?", ODD[-3], LONG):
        encoding = onnx.embedder.tokenizer.encode(text)
        got = onnx_build.reference_vector(onnx_embed.model_dir(), encoding.ids, encoding.type_ids)
        assert max_abs_diff(got, torch_reference.embed_query(text)) <= TOLERANCE
