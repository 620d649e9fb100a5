"""The engines run in the dtype the table gives them; F5 in float16 works end to end, bf16 is refused.

A CPU has float16 and bfloat16 kernels too, so a dtype path (the prompt mel into a half model, the
vocoder after it) is exercised here before a GPU ever sees it. What bf16 does to F5 was found this way.
"""
import numpy as np
import pytest

from voxnb.errors import EngineError

TRANSCRIPT = "The birch canoe slid on the smooth planks."


def test_f5_in_float16_speaks_and_says_so(fetched, ref_clip):
    import torch

    from voxnb.engines import load_engine

    engine = load_engine("f5", device="cpu", dtype="float16")
    assert next(engine.model.parameters()).dtype == torch.float16
    assert engine.capabilities.version.endswith("/ float16")
    voice = engine.clone(ref_clip, transcript=TRANSCRIPT, consent=True)
    result = engine.synthesize("Hello there. How are you?", voice, seed=1)
    assert result.duration_s > 0.5 and np.isfinite(result.audio).all()
    assert result.chunks[0].attention is not None and np.isfinite(result.chunks[0].attention.astype(np.float32)).all()


def test_f5_refuses_bfloat16_with_the_reason(fetched):
    from voxnb.engines import load_engine

    with pytest.raises(EngineError, match="cannot run in bfloat16") as err:
        load_engine("f5", device="cpu", dtype="bfloat16")
    assert "float32" in err.value.fix


def test_f5_on_the_cpu_takes_the_tables_dtype(hub_engines):
    import torch

    assert next(hub_engines["f5"].model.parameters()).dtype == torch.float32
    assert hub_engines["f5"].capabilities.version.endswith("/ float32")
