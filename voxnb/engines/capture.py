"""Opt-in capture of attention maps from engines that use ``scaled_dot_product_attention``.

SDPA returns no weights, so while a recorder is active the function is wrapped: inside the modules
it watches (one per layer; their ``forward``-like methods are wrapped on the instance, so an
engine that calls ``layer.forward_step`` directly is seen too) each call is also read for the first
batch item (the conditional branch under classifier-free guidance). Calls outside those modules (a
vocoder, a second transformer) are left alone. The engines' code is not forked: only the module
attribute is swapped, and restored on exit.

What is computed is only what is kept, and it is bounded in memory:
- ``keep="last"`` (F5's final ODE step, a flow decoder's last solver step): a call only keeps a
  reference to its queries and keys; the map of each layer's last call is computed once, on exit,
  in blocks of queries on the model's device and pooled there to at most ``MAX_SIDE`` squared, so a
  2k-frame map never exists whole and only the pooled map crosses to the host. (Computing and
  copying every call's full map cost F5 704 maps of 60-250 MB per chunk.)
- ``keep="all"`` (an autoregressive model's steps): a call keeps only the query row its step used
  (the last one) and the number of keys it saw; on exit each layer's rows are scored in blocks against
  its latest keys, and kept in bins that double in size when there are too many steps or keys, so
  memory stays under ``layers x heads x (2 MAX_SIDE)^2`` values whatever the length.
"""
from __future__ import annotations

import math
import threading

import numpy as np

MAX_SIDE = 128      # a map is pooled to at most this many rows and columns (frames run to thousands)
QUERY_BLOCK = 256   # queries scored at once when a last-call map is computed


def pool(a: np.ndarray, rows: int = MAX_SIDE, cols: int = MAX_SIDE) -> np.ndarray:
    """Pool the last two axes to at most ``rows`` x ``cols`` (uneven blocks where needed): queries are
    averaged and keys summed, so every row still sums to 1 (a distribution over the pooled keys)."""
    for axis, limit in ((-2, rows), (-1, cols)):
        n = a.shape[axis]
        if n > limit:
            edges = np.linspace(0, n, limit + 1).astype(int)[:-1]
            counts = np.diff(np.append(edges, n))
            shape = [1] * a.ndim
            shape[axis] = limit
            a = np.add.reduceat(a, edges, axis=axis)
            if axis == -2:
                a = a / counts.reshape(shape)
    return a


def _bins(n: int, limit: int, device):
    """The bin of each of ``n`` positions, as ``pool`` would group them, and the number of bins."""
    import torch

    if n <= limit:
        return torch.arange(n, device=device), n
    edges = torch.from_numpy(np.linspace(0, n, limit + 1).astype(np.int64)[:-1]).to(device)
    return torch.searchsorted(edges, torch.arange(n, device=device), right=True) - 1, limit


class _Call:
    """One SDPA call's queries and keys (first batch item) and its mask, scored on demand."""

    def __init__(self, q, k, attn_mask=None, is_causal=False, scale=None):
        import torch

        q, k = q[:1].detach(), k[:1].detach()
        self.mask = attn_mask
        if attn_mask is not None:
            self.mask = attn_mask[:1] if attn_mask.dim() == 4 and attn_mask.shape[0] > 1 else attn_mask
            if self.mask.dtype == torch.bool and self.mask.shape[-2] == 1:
                # a static KV cache (VoxCPM's holds 8192 positions) with a row of valid keys: keep only those,
                # before anything is copied or scored
                valid = int(self.mask.reshape(-1, self.mask.shape[-1])[0].sum())
                k, self.mask = k[..., :valid, :], self.mask[..., :valid]
        self.q, self.k_heads, self.causal = q, k, is_causal
        self.groups = q.shape[-3] // k.shape[-3]    # grouped-query attention: a key head serves this many
        self.scale = scale if scale is not None else 1.0 / math.sqrt(q.shape[-1])
        self._k = None

    @property
    def k(self):
        """The keys with a head per query head (repeated once, when first scored)."""
        if self._k is None:
            self._k = self.k_heads if self.groups == 1 else self.k_heads.repeat_interleave(self.groups, dim=-3)
        return self._k

    @property
    def queries(self) -> int:
        return self.q.shape[-2]

    def rows(self, start: int, stop: int):
        """Softmax weights [heads, stop-start, keys] (float32, on the model's device) for these queries."""
        import torch

        q = self.q[0, :, start:stop].float()
        scores = q @ self.k[0].float().transpose(-2, -1) * self.scale
        lq, lk = self.queries, scores.shape[-1]
        if self.causal:
            allowed = torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(lk - lq)[start:stop]
            scores = scores.masked_fill(~allowed, float("-inf"))
        if self.mask is not None:
            m = self.mask
            m = m.reshape(-1, *m.shape[-2:])[:, start:stop] if m.shape[-2] == lq else m.reshape(-1, *m.shape[-2:])
            scores = scores.masked_fill(~m, float("-inf")) if m.dtype == torch.bool else scores + m.float()
        return torch.softmax(scores, dim=-1)

    def pooled_map(self, rows: int = MAX_SIDE, cols: int = MAX_SIDE) -> np.ndarray:
        """The whole map pooled like ``pool``, computed in blocks of queries: [heads, <=rows, <=cols]."""
        import torch

        with torch.no_grad():
            first = self.rows(0, min(QUERY_BLOCK, self.queries))
            heads, device = first.shape[0], first.device
            key_bin, n_cols = _bins(first.shape[-1], cols, device)
            row_bin, n_rows = _bins(self.queries, rows, device)
            out = torch.zeros(heads, n_rows, n_cols, dtype=torch.float32, device=device)
            for start in range(0, self.queries, QUERY_BLOCK):
                stop = min(start + QUERY_BLOCK, self.queries)
                w = first if start == 0 else self.rows(start, stop)
                by_key = torch.zeros(heads, stop - start, n_cols, device=device).index_add_(2, key_bin, w)
                out.index_add_(1, row_bin[start:stop], by_key)
            counts = torch.bincount(row_bin, minlength=n_rows).clamp(min=1).to(out.dtype)
            return (out / counts[None, :, None]).cpu().numpy()



class _StepQueries:
    """One layer's decoding steps, kept unscored: each step's query row and how many keys it saw, and the
    latest keys (a KV cache only grows, so step t's keys are its first ``seen[t]``). Scored once, on exit,
    in blocks of steps: no work and no device sync per step, where 24 layers x hundreds of steps of tiny
    calls cost VoxCPM x1.3-x3 when each was scored as it came."""

    def __init__(self):
        self.queries: list = []       # [heads, dim] each
        self.seen: list[int] = []
        self.last: _Call | None = None

    def add(self, call: _Call) -> None:
        if call.queries > 1:                       # a prefill starts the steps over (a retry, a new chunk)
            self.queries, self.seen = [], []
        self.queries.append(call.q[0, :, -1])      # the query that produced this step's hidden state
        self.seen.append(call.k_heads.shape[-2])
        self.last = call

    def score_into(self, steps: "_StepRows") -> None:
        import torch

        steps.reset()
        if self.last is None:
            return
        with torch.no_grad():
            keys = self.last.k[0].float()                                    # [heads, keys, dim]
            for start in range(0, len(self.queries), QUERY_BLOCK):
                q = torch.stack(self.queries[start:start + QUERY_BLOCK]).float()    # [block, heads, dim]
                seen = torch.tensor(self.seen[start:start + QUERY_BLOCK], device=q.device)
                scores = torch.einsum("bhd,hkd->hbk", q, keys) * self.last.scale
                hidden = torch.arange(keys.shape[-2], device=q.device)[None, :] >= seen[:, None]
                w = torch.softmax(scores.masked_fill(hidden[None], float("-inf")), dim=-1).cpu().numpy()
                for i, n in enumerate(self.seen[start:start + QUERY_BLOCK]):
                    steps.add(w[:, i, :n])
        self.queries, self.seen, self.last = [], [], None


class _StepRows:
    """A step's row per decoding step, in bins that double when there are more than 2 MAX_SIDE steps
    (rows averaged) or keys (keys summed), so memory stays bounded whatever the length."""

    def __init__(self):
        self.reset()

    def reset(self):
        self.rows: list[np.ndarray] = []     # each [heads, bins], float32
        self.key_block, self.row_block = 1, 1
        self.pending: list[np.ndarray] = []  # rows waiting to fill a row bin

    def _bin_keys(self, row: np.ndarray) -> np.ndarray:
        if self.key_block == 1:
            return row
        n = row.shape[-1]
        return np.add.reduceat(row, np.arange(0, n, self.key_block), axis=-1)

    def add(self, row: np.ndarray) -> None:
        row = self._bin_keys(row.astype(np.float32))
        while row.shape[-1] > 2 * MAX_SIDE:      # too many keys: every bin doubles
            self.key_block *= 2
            row = _halve(row, axis=-1, mean=False)
            self.rows = [_halve(r, axis=-1, mean=False) for r in self.rows]
            self.pending = [_halve(r, axis=-1, mean=False) for r in self.pending]
        self.pending.append(row)
        if len(self.pending) == self.row_block:
            self.rows.append(_mean_rows(self.pending))
            self.pending = []
        if len(self.rows) == 2 * MAX_SIDE:       # too many steps: every row bin doubles
            self.rows = [_mean_rows(self.rows[i:i + 2]) for i in range(0, len(self.rows), 2)]
            self.row_block *= 2

    def grid(self, limit: int | None = None) -> np.ndarray | None:
        """[heads, row bins, key bins]: the first ``limit`` steps (to the nearest row bin)."""
        rows = self.rows + ([_mean_rows(self.pending)] if self.pending else [])
        if limit is not None:
            rows = rows[:max(1, -(-limit // self.row_block))]
        if not rows:
            return None
        width = max(r.shape[-1] for r in rows)
        out = np.zeros((rows[0].shape[0], len(rows), width), np.float32)
        for i, r in enumerate(rows):
            out[:, i, :r.shape[-1]] = r
        return out


def _halve(a: np.ndarray, axis: int, mean: bool) -> np.ndarray:
    """Merge neighbouring pairs along ``axis`` (a trailing odd one stays alone)."""
    merged = np.add.reduceat(a, np.arange(0, a.shape[axis], 2), axis=axis)
    return merged / 2 if mean else merged


def _mean_rows(rows: list[np.ndarray]) -> np.ndarray:
    width = max(r.shape[-1] for r in rows)
    total = np.zeros((rows[0].shape[0], width), np.float32)
    for r in rows:
        total[:, :r.shape[-1]] += r
    return total / len(rows)


class AttentionRecorder:
    """``with AttentionRecorder(layers, keep="last") as rec: model(...)``; then ``rec.last_maps()``.

    ``keep="last"``: one map per layer, from its last call (F5's final ODE step).
    ``keep="all"``: one row per decoding step per layer (``rec.step_maps()``).
    """

    def __init__(self, layers, keep: str = "last", methods: tuple[str, ...] = ("forward",)):
        if keep not in ("last", "all"):
            raise ValueError(f"keep must be 'last' or 'all', not {keep!r}")
        self.layers = list(layers)
        self.keep = keep
        self.methods = methods
        self.last: dict[int, _Call | np.ndarray] = {}
        self.steps = {i: _StepRows() for i in range(len(self.layers))}
        self.pending: dict[int, _StepQueries] = {}
        self.calls_seen = 0
        self._local = threading.local()
        self._wrapped: list[tuple[object, str]] = []
        self._original = None

    def _wrap(self, index, method):
        def inside(*args, **kwargs):
            self._local.layer = index
            try:
                return method(*args, **kwargs)
            finally:
                self._local.layer = None
        return inside

    def _record(self, layer: int, call: _Call) -> None:
        self.calls_seen += 1
        if self.keep == "last":
            self.last[layer] = call           # nothing computed yet: a later call may replace it
            return
        self.pending.setdefault(layer, _StepQueries()).add(call)

    def __enter__(self):
        import torch.nn.functional as F

        for i, layer in enumerate(self.layers):
            for name in self.methods:
                if hasattr(layer, name):
                    setattr(layer, name, self._wrap(i, getattr(layer, name)))
                    self._wrapped.append((layer, name))
        self._original = original = F.scaled_dot_product_attention

        def recording(query, key, value, *args, **kwargs):
            layer = getattr(self._local, "layer", None)
            if layer is not None:
                names = ("attn_mask", "dropout_p", "is_causal", "scale", "enable_gqa")
                given = dict(zip(names, args), **kwargs)
                self._record(layer, _Call(query, key, given.get("attn_mask"), given.get("is_causal", False),
                                          given.get("scale")))
            return original(query, key, value, *args, **kwargs)

        F.scaled_dot_product_attention = recording
        return self

    def __exit__(self, *exc):
        import torch.nn.functional as F

        F.scaled_dot_product_attention = self._original
        for layer, name in self._wrapped:
            delattr(layer, name)      # the class's method shows through again
        self._wrapped.clear()
        self._local.layer = None
        if exc[0] is None:            # the kept calls are scored now, once; their tensors are let go
            self.last = {i: c.pooled_map() if isinstance(c, _Call) else c for i, c in sorted(self.last.items())}
            for i, pending in sorted(self.pending.items()):
                pending.score_into(self.steps[i])
        else:
            self.last.clear()
        self.pending.clear()
        return False

    def last_maps(self) -> np.ndarray | None:
        """[layers, heads, rows, cols] float16, pooled: each layer's last call."""
        maps = [m for m in self.last.values() if isinstance(m, np.ndarray)]
        if not maps:
            return None
        rows = min(m.shape[-2] for m in maps)
        cols = min(m.shape[-1] for m in maps)
        return np.stack([m[..., :rows, :cols] for m in maps]).astype(np.float16)

    def step_maps(self, limit: int | None = None) -> np.ndarray | None:
        """[layers, heads, steps, keys] float16, pooled: one row per decoding step.

        A step's row is the query that produced its hidden state: the last row of the (last) prefill
        for the first step, then each single-query call. At most ``limit`` steps.
        """
        per_layer = [s.grid(limit) for s in self.steps.values()]
        if not per_layer or any(g is None for g in per_layer):
            return None
        return np.stack([pool(g) for g in per_layer]).astype(np.float16)
