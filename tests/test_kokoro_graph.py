"""The instrumented graph changes nothing when its controls are neutral."""
import numpy as np
import onnxruntime as ort

from voxnb.engines.kokoro import graph, weights


def test_instrumented_graph_is_exact_at_neutral_controls(engine):
    stock = ort.InferenceSession(str(weights.model_path()), providers=["CPUExecutionProvider"])
    tokens = engine.model.token_ids("həlˈO wˈɜɹld.")
    style = engine.model.style_row(engine.model.stock["jf_alpha"], len(tokens) - 2)
    feed = {"tokens": tokens[None], "style": style, "speed": np.array([1.0], np.float32)}
    expected = stock.run(None, feed)[0].ravel()
    out = engine.model.run(tokens, style)
    assert np.array_equal(out.audio, expected)
    assert out.attention.shape[:2] == (graph.N_ATTENTION_LAYERS, 12)


def test_f0_controls_move_pitch_only_where_voiced(engine):
    tokens = engine.model.token_ids("ðɪs ɪz ə tˈɛst.")
    style = engine.model.style_row(engine.model.stock["jf_alpha"], len(tokens) - 2)
    base = engine.model.run(tokens, style, attention=False)
    up = engine.model.run(tokens, style, f0_level=1.25, attention=False)
    wide = engine.model.run(tokens, style, f0_range=1.5, attention=False)
    voiced = base.f0 > graph.VOICED_HZ
    assert np.allclose(up.f0[voiced], base.f0[voiced] * 1.25, rtol=1e-4)
    assert np.std(wide.f0[voiced]) > 1.4 * np.std(base.f0[voiced])
    assert np.array_equal(wide.f0[~voiced], base.f0[~voiced])
