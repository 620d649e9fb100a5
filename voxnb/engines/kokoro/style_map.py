"""A learned map from d-vector embeddings to Kokoro style offsets: refinement's warm start.

Searching the 256-d style for a voice costs minutes of synthesis per reference. Most of what
such a search learns is the same for every reference: which way to move the style so the
voice sounds more like a given embedding. So it is learned once, here, and shipped:
  1. a low-dimensional style space: the principal components of the stock packs' rows, apart
     for the timbre half (style[:128], the decoder) and the prosody half (style[128:], durations,
     F0 and energy), so a search moves a few smooth directions the model already uses;
  2. many style variants (blends of the stock packs plus random offsets along those components,
     timbre first, then prosody too), each reading the probe sentence, embedded with the d-vector
     full-band and as a phone channel hears it (references are often phone recordings);
  3. ridge regression from embedding to component coordinates. It is used as a difference,
     offset = W (d-vector of reference - d-vector of the clone), which cancels what the two
     embeddings share (channel, language) and keeps only the step towards the reference.
Build: ``python -m voxnb.engines.kokoro.style_map`` (~10 min on 2 cores) writes
assets/kokoro_style_map.npz, keyed by the model version like the stock table.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ...errors import EngineError
from ...voice import content_hash

MAP_VERSION = "style-map/1"     # bump when build() changes
MAP_FILE = Path(__file__).resolve().parents[2] / "assets" / "kokoro_style_map.npz"   # shipped in the package
N_TIMBRE, N_PROSODY = 8, 6      # components per half: beyond ~8 the stock rows' variance is noise
PHONE_HZ = 3800.0               # the second channel variants are embedded in (8 kHz recordings)
RIDGE_ALPHAS = (1e-4, 3e-4, 1e-3, 3e-3, 1e-2, 3e-2, 0.1)   # chosen on a validation split; d-vectors vary ~1e-3 per axis


@dataclass(frozen=True)
class StyleMap:
    basis: np.ndarray      # [k, 256] unit components; timbre ones are zero in style[128:], and vice versa
    scale: np.ndarray      # [k] std of the stock rows along each component: coordinates are in these units
    prosody: np.ndarray    # [k] bool: the component moves the prosody half
    weights: np.ndarray    # [256, k] ridge weights: d-vector difference -> coordinate difference
    key: str
    info: dict             # how it was built: variants, held-out R^2, seconds

    def offset(self, coords: np.ndarray) -> np.ndarray:
        """The 256-d style offset (added to every row of a pack) for coordinates in ``scale`` units."""
        return ((np.asarray(coords) * self.scale) @ self.basis).astype(np.float32)

    def predict(self, target: np.ndarray, current: np.ndarray) -> np.ndarray:
        """Coordinates that move a voice whose d-vector is ``current`` towards ``target``."""
        return (np.asarray(target) - np.asarray(current)) @ self.weights


def map_key(engine) -> str:
    from .clone import PROBE

    return content_hash(MAP_VERSION, PROBE, engine.model.version)


def style_basis(stock: dict[str, np.ndarray]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(basis [k, 256], scale [k], prosody [k]) from the principal components of all stock rows."""
    rows = np.concatenate([p for _, p in sorted(stock.items())]).astype(np.float64)
    rows = rows - rows.mean(axis=0)
    basis, scale, prosody = [], [], []
    for half, k in ((slice(0, 128), N_TIMBRE), (slice(128, 256), N_PROSODY)):
        _, s, vt = np.linalg.svd(rows[:, half], full_matrices=False)
        for i in range(k):
            b = np.zeros(256)
            b[half] = vt[i]
            basis.append(b)
            scale.append(s[i] / np.sqrt(len(rows) - 1))
            prosody.append(half.start == 128)
    return np.array(basis, np.float32), np.array(scale, np.float32), np.array(prosody)


def _variant(rng, stock: dict, basis, scale, prosody, with_prosody: bool):
    """(pack, coordinates): a Dirichlet blend of the stock packs plus a random offset."""
    names = sorted(stock)
    w = rng.dirichlet(np.full(len(names), 0.4))
    pack = sum(wi * stock[n] for wi, n in zip(w, names))
    coords = rng.normal(0, 1.0, len(scale)) * np.where(prosody, 0.7 if with_prosody else 0.0, 1.0)
    pack = pack + ((coords * scale) @ basis)[None, :]
    # the target is where the variant sits in component space: its blend's mean row plus the offset
    return pack.astype(np.float32), (pack.mean(axis=0) @ basis.T) / scale


def _ridge(x, y, alpha):
    xm, ym = x.mean(axis=0), y.mean(axis=0)
    xc = x - xm
    w = np.linalg.solve(xc.T @ xc + alpha * len(x) * np.eye(x.shape[1]), xc.T @ (y - ym))
    return w, ym - xm @ w


def _r2(y, pred) -> float:
    return float(1 - np.sum((y - pred) ** 2) / np.sum((y - y.mean(axis=0)) ** 2))


def fit_map(x: np.ndarray, y: np.ndarray, prosody: np.ndarray, groups: np.ndarray, seed: int = 0) -> tuple:
    """(weights, info): ridge with alpha chosen on a validation split; R^2 on a held-out 20% of variants.

    ``groups``: the variant each row came from, so one variant's two channels never straddle a split.
    """
    rng = np.random.default_rng(seed)
    ids = rng.permutation(np.unique(groups))
    test = np.isin(groups, ids[: len(ids) // 5])
    val = np.isin(groups, ids[len(ids) // 5: 2 * len(ids) // 5])
    train = ~test & ~val
    scores = {a: _r2(y[val], x[val] @ w + b) for a in RIDGE_ALPHAS for w, b in [_ridge(x[train], y[train], a)]}
    alpha = max(scores, key=scores.get)
    w, b = _ridge(x[~test], y[~test], alpha)
    pred = x[test] @ w + b
    info = {"alpha": alpha, "r2_heldout": _r2(y[test], pred),
            "r2_heldout_timbre": _r2(y[test][:, ~prosody], pred[:, ~prosody]),
            "r2_heldout_prosody": _r2(y[test][:, prosody], pred[:, prosody])}
    w, b = _ridge(x, y, alpha)   # ship the fit on every variant
    return w, info


def build(engine, n_variants: int = 160, seed: int = 0, progress=lambda fraction, message: None) -> tuple[dict, dict]:
    """Synthesise the variants and fit the map: (the arrays ``MAP_FILE`` holds, the samples it was fitted on)."""
    from ...reference import speaker
    from . import timbre
    from .clone import _probe_tokens, _speak

    t0 = time.perf_counter()
    stock = engine.model.stock
    basis, scale, prosody = style_basis(stock)
    rng = np.random.default_rng(seed)
    tokens = _probe_tokens(engine)
    x, y, groups = [], [], []
    for i in range(n_variants):
        pack, coords = _variant(rng, stock, basis, scale, prosody, with_prosody=i >= n_variants // 2)
        audio, _ = _speak(engine, pack, tokens, {})
        for heard in (audio, timbre.band_limit(audio, 24000, PHONE_HZ)):
            x.append(speaker.embed(heard, 24000))
            y.append(coords)
            groups.append(i)
        progress((i + 1) / n_variants, f"style variant {i + 1}/{n_variants}")
    x, y, groups = np.array(x), np.array(y), np.array(groups)
    w, info = fit_map(x, y, prosody, groups, seed)
    info.update(n_variants=n_variants, seconds=round(time.perf_counter() - t0, 1), seed=seed)
    arrays = {"basis": basis, "scale": scale, "prosody": prosody, "weights": w.astype(np.float32),
              "key": np.array(map_key(engine)), "info_keys": np.array(list(info)),
              "info_values": np.array([float(v) for v in info.values()])}
    return arrays, {"x": x, "y": y, "groups": groups}


def load(engine, path: Path | None = None) -> StyleMap:
    """The shipped map (or the one at ``path``), checked against this model."""
    key, path = map_key(engine), Path(path or MAP_FILE)
    if not path.exists():
        raise EngineError(key="kokoro.kokoro_style_map_missing", name=path.name)
    with np.load(path) as z:
        if str(z["key"]) != key:
            raise EngineError(key="kokoro.kokoro_style_map_built", name=path.name)
        return StyleMap(basis=z["basis"], scale=z["scale"], prosody=z["prosody"].astype(bool), weights=z["weights"],
                        key=key, info=dict(zip(z["info_keys"].tolist(), z["info_values"].tolist())))


if __name__ == "__main__":   # python -m voxnb.engines.kokoro.style_map [N_VARIANTS]
    import sys

    from .. import load_engine

    n = int(sys.argv[1]) if len(sys.argv) > 1 else 160
    from ...paths import cache_dir

    arrays, samples = build(load_engine("kokoro"), n, progress=lambda f, m: print(m, flush=True) if "0/" in m else None)
    np.savez_compressed(MAP_FILE, **arrays)
    np.savez_compressed(cache_dir() / "kokoro" / "style_map_samples.npz", **samples)   # to refit without synthesis
    print(f"wrote {MAP_FILE}: {dict(zip(arrays['info_keys'], arrays['info_values']))}")
