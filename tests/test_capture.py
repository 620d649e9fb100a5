"""Attention capture: what is kept equals the naive full computation, and memory stays bounded."""
import math

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from voxnb.engines.capture import MAX_SIDE, AttentionRecorder, pool


class Layer(torch.nn.Module):
    def forward(self, q, k, v, **kw):
        return F.scaled_dot_product_attention(q, k, v, **kw)

    def forward_step(self, q, k, v, **kw):
        return F.scaled_dot_product_attention(q, k, v, **kw)


def naive(q, k, mask=None, causal=False):
    """softmax(q k^T / sqrt(d) + mask) of the first batch item, whole, in float64."""
    q, k = q[0].double(), k[0].double()
    if k.shape[0] != q.shape[0]:
        k = k.repeat_interleave(q.shape[0] // k.shape[0], dim=0)
    s = q @ k.transpose(-2, -1) / math.sqrt(q.shape[-1])
    lq, lk = s.shape[-2:]
    if causal:
        s = s.masked_fill(~torch.ones(lq, lk, dtype=torch.bool).tril(lk - lq), float("-inf"))
    if mask is not None:
        m = mask[0]
        s = s.masked_fill(~m, float("-inf")) if m.dtype == torch.bool else s + m.double()
    return torch.softmax(s, -1).numpy()


@pytest.mark.parametrize("lq,lk", [(300, 300), (700, 900), (40, 60)])
def test_last_call_map_equals_the_pooled_full_map(lq, lk):
    torch.manual_seed(0)
    layers = [Layer(), Layer()]
    q = torch.randn(2, 4, lq, 16)
    k = torch.randn(2, 4, lk, 16)
    mask = torch.rand(2, 1, lq, lk) > 0.1
    mask[..., 0] = True
    with AttentionRecorder(layers, keep="last") as rec:
        for step in range(3):          # three "ODE steps": only the last is kept
            for layer in layers:
                layer(q * (step + 1), k, k, attn_mask=mask)
    maps = rec.last_maps()
    want = pool(naive(q * 3, k, mask))
    assert maps.shape == (2, 4, min(lq, MAX_SIDE), min(lk, MAX_SIDE))
    np.testing.assert_allclose(maps[0].astype(np.float64), want, atol=2e-3)
    np.testing.assert_allclose(maps[0].sum(-1), 1.0, atol=5e-3)     # every row is still a distribution


def test_last_call_keeps_tensors_not_maps_until_exit():
    layers = [Layer()]
    q = torch.randn(1, 2, 50, 8)
    with AttentionRecorder(layers, keep="last") as rec:
        for _ in range(5):
            layers[0](q, q, q)
        assert not isinstance(rec.last[0], np.ndarray)    # nothing scored during the run
    assert isinstance(rec.last[0], np.ndarray) and rec.calls_seen == 5


def test_an_error_inside_leaves_no_map_and_restores_sdpa():
    original = F.scaled_dot_product_attention
    layers = [Layer()]
    with pytest.raises(RuntimeError):
        with AttentionRecorder(layers) as rec:
            layers[0](torch.randn(1, 1, 4, 8), torch.randn(1, 1, 4, 8), torch.randn(1, 1, 4, 8))
            raise RuntimeError("boom")
    assert F.scaled_dot_product_attention is original and rec.last_maps() is None
    assert "forward" not in vars(layers[0])


def test_steps_are_the_last_rows_of_prefill_then_each_step_with_gqa_and_causal():
    torch.manual_seed(1)
    layer = Layer()
    prefill_q, keys = torch.randn(1, 4, 20, 8), torch.randn(1, 2, 20, 8)
    steps = []
    with AttentionRecorder([layer], keep="all", methods=("forward", "forward_step")) as rec:
        layer(torch.randn(1, 4, 20, 8), keys, keys, is_causal=True, enable_gqa=True)   # a retry: forgotten
        layer(prefill_q, keys, keys, is_causal=True, enable_gqa=True)
        for i in range(6):
            keys = torch.cat([keys, torch.randn(1, 2, 1, 8)], dim=2)
            q = torch.randn(1, 4, 1, 8)
            steps.append(q)
            layer.forward_step(q, keys, keys, enable_gqa=True)
    got = rec.step_maps()
    assert got.shape == (1, 4, 7, 26)
    np.testing.assert_allclose(got[0, :, 0, :20], naive(prefill_q, keys[:, :, :20], causal=True)[:, -1], atol=1e-3)
    np.testing.assert_allclose(got[0, :, 6], naive(steps[-1], keys)[:, 0], atol=1e-3)
    assert rec.step_maps(limit=3).shape[2] == 3


def test_a_kv_cache_mask_keeps_only_its_valid_keys():
    layer = Layer()
    k = torch.randn(1, 2, 64, 8)
    mask = torch.zeros(1, 1, 1, 64, dtype=torch.bool)
    mask[..., :10] = True
    with AttentionRecorder([layer], keep="all") as rec:
        layer(torch.randn(1, 2, 10, 8), k[:, :, :10], k[:, :, :10], is_causal=True)
        layer(torch.randn(1, 2, 1, 8), k, k, attn_mask=mask)
    assert rec.step_maps().shape == (1, 2, 2, 10)


def test_step_rows_stay_bounded_on_long_runs():
    layer = Layer()
    cache = torch.randn(1, 2, 30, 8)
    with AttentionRecorder([layer], keep="all") as rec:
        layer(torch.randn(1, 2, 30, 8), cache, cache, is_causal=True)
        for i in range(1500):                     # 1500 steps over a cache that grows to 1530 keys
            cache = torch.cat([cache, torch.randn(1, 2, 1, 8)], dim=2)
            layer(torch.randn(1, 2, 1, 8), cache, cache)
        assert rec.calls_seen == 1501 and not rec.steps[0].rows     # nothing scored during the run
    held = rec.steps[0]
    assert len(held.rows) + len(held.pending) <= 2 * MAX_SIDE
    assert max(r.shape[-1] for r in held.rows) <= 2 * MAX_SIDE
    assert not rec.pending                        # the queries and keys are let go
    maps = rec.step_maps()
    assert maps.shape[2] <= MAX_SIDE and maps.shape[3] <= MAX_SIDE
    np.testing.assert_allclose(maps[0].astype(np.float32).sum(-1), 1.0, atol=1e-2)   # rows still sum to 1


def test_a_static_cache_is_read_only_up_to_each_steps_keys():
    """VoxCPM's cache is one 8192-position buffer written in place, with a mask row of valid keys."""
    torch.manual_seed(2)
    layer, cache, want = Layer(), torch.zeros(1, 2, 64, 8), []
    with AttentionRecorder([layer], keep="all") as rec:
        cache[:, :, :5] = torch.randn(1, 2, 5, 8)
        layer(torch.randn(1, 2, 5, 8), cache[:, :, :5], cache[:, :, :5], is_causal=True)
        for pos in range(5, 9):
            cache[:, :, pos] = torch.randn(1, 2, 8)
            mask = (torch.arange(64) <= pos).view(1, 1, 1, -1)
            q = torch.randn(1, 2, 1, 8)
            want.append(naive(q, cache[:, :, :pos + 1].clone())[:, 0])
            layer(q, cache, cache, attn_mask=mask)
    got = rec.step_maps()
    assert got.shape == (1, 2, 5, 9)
    for i, w in enumerate(want):
        np.testing.assert_allclose(got[0, :, i + 1, :w.shape[-1]], w, atol=1e-3)
