"""Opt-in capture of attention maps from engines that use ``scaled_dot_product_attention``.

SDPA returns no weights, so while a recorder is active the function is wrapped: inside the modules
it watches (one per layer; their ``forward``-like methods are wrapped on the instance, so an
engine that calls ``layer.forward_step`` directly is seen too) each call
also computes softmax(q k^T * scale + mask) for the first batch item (the conditional branch under
classifier-free guidance). Calls outside those modules (a vocoder, a second transformer) are left
alone. The engines' code is not forked: only the module attribute is swapped, and restored on exit.
"""
from __future__ import annotations

import math
import threading

import numpy as np

MAX_SIDE = 128      # a map is pooled to at most this many rows and columns (frames run to thousands)


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


def _weights(q, k, attn_mask=None, is_causal=False, scale=None, enable_gqa=False):
    import torch

    q, k = q[:1].float(), k[:1].float()
    if k.shape[-3] != q.shape[-3]:   # grouped-query attention: each key head serves several query heads
        k = k.repeat_interleave(q.shape[-3] // k.shape[-3], dim=-3)
    scores = q @ k.transpose(-2, -1) * (scale if scale is not None else 1.0 / math.sqrt(q.shape[-1]))
    if is_causal:
        lq, lk = scores.shape[-2:]
        scores = scores.masked_fill(torch.ones(lq, lk, dtype=torch.bool, device=q.device).tril(lk - lq).logical_not(),
                                    float("-inf"))
    valid = None
    if attn_mask is not None:
        m = attn_mask[:1] if attn_mask.dim() == 4 and attn_mask.shape[0] > 1 else attn_mask
        if m.dtype == torch.bool:
            scores = scores.masked_fill(~m, float("-inf"))
            if m.shape[-2] == 1:     # one row of valid keys (a KV cache): keep only those columns
                valid = int(m.reshape(-1, m.shape[-1])[0].sum())
        else:
            scores = scores + m.float()
    w = torch.softmax(scores, dim=-1)[0]
    if valid is not None:
        w = w[..., :valid]
    return w.detach().cpu().numpy().astype(np.float32)


class AttentionRecorder:
    """``with AttentionRecorder(layers, keep="last") as rec: model(...)``; then ``rec.maps``.

    ``keep="last"``: one map per layer, from its last call (F5's final ODE step).
    ``keep="all"``: every call per layer (an autoregressive model's steps), in order.
    """

    def __init__(self, layers, keep: str = "last", methods: tuple[str, ...] = ("forward",)):
        self.layers = list(layers)
        self.keep = keep
        self.methods = methods
        self.calls: dict[int, list[np.ndarray]] = {i: [] for i in range(len(self.layers))}
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
                w = _weights(query, key, given.get("attn_mask"), given.get("is_causal", False), given.get("scale"))
                if self.keep == "last":
                    self.calls[layer] = [w]
                else:
                    self.calls[layer].append(w)
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
        return False

    def last_maps(self) -> np.ndarray | None:
        """[layers, heads, rows, cols] float16, pooled: each layer's last call."""
        if not any(self.calls.values()):
            return None
        maps = [pool(c[-1]) for c in self.calls.values() if c]
        rows = min(m.shape[-2] for m in maps)
        cols = min(m.shape[-1] for m in maps)
        return np.stack([m[..., :rows, :cols] for m in maps]).astype(np.float16)

    def step_maps(self, limit: int | None = None) -> np.ndarray | None:
        """[layers, heads, steps, keys] float16, pooled: one row per decoding step.

        A step's row is the query that produced its hidden state: the last row of the (last) prefill
        for the first step, then each single-query call. At most ``limit`` rows; shorter rows are
        padded with zeros to the longest key length.
        """
        per_layer = []
        for calls in self.calls.values():
            starts = [i for i, c in enumerate(calls) if c.shape[-2] > 1]
            if not starts:
                return None
            rows = [calls[starts[-1]][:, -1, :]] + [c[:, -1, :] for c in calls[starts[-1] + 1:]]
            rows = rows[:limit]
            width = max(r.shape[-1] for r in rows)
            grid = np.zeros((rows[0].shape[0], len(rows), width), np.float32)
            for i, r in enumerate(rows):
                grid[:, i, :r.shape[-1]] = r
            per_layer.append(pool(grid))
        return np.stack(per_layer).astype(np.float16) if per_layer else None
