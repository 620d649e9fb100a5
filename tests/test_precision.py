"""Which dtype each engine runs in, by the GPU's compute capability: one table for the plan and the loaders."""
import pytest

from voxnb.engines.precision import choose_dtype, has_bf16, parse_capability, voxcpm_model

CARDS = {  # name: compute capability
    "V100": (7, 0), "T4": (7, 5), "2080 Ti": (7, 5), "A100": (8, 0), "A10": (8, 6), "RTX 4090": (8, 9),
    "H100": (9, 0), "RTX 5090": (12, 0), "P100": (6, 0),
}


@pytest.mark.parametrize("card", CARDS)
def test_each_card_gets_the_dtype_it_runs_fast(card):
    cap = CARDS[card]
    bf16 = cap >= (8, 0)
    assert has_bf16(cap) is bf16
    assert choose_dtype("voxcpm", cap) == ("bfloat16" if bf16 else "float32")     # never emulated bf16
    assert choose_dtype("f5", cap) == ("float16" if cap >= (7, 0) else "float32")   # F5's own rule; never bf16
    assert choose_dtype("cosyvoice3", cap) == "float32"


def test_the_cpu_runs_float32():
    assert {choose_dtype(e, None) for e in ("f5", "voxcpm", "cosyvoice3", "kokoro")} == {"float32"}
    assert not has_bf16(None)


def test_nvidia_smi_capability_is_parsed():
    assert parse_capability("8.6") == (8, 6) and parse_capability(" 12.0\n") == (12, 0)
    assert parse_capability("") is None and parse_capability("[N/A]") is None


def test_voxcpm2_needs_the_memory_of_the_dtype_it_runs_in():
    assert voxcpm_model(None) == "voxcpm1.5"
    assert voxcpm_model(12.0, (8, 6)) == "voxcpm2" and voxcpm_model(11.5, (8, 6)) == "voxcpm1.5"
    assert voxcpm_model(16.0, CARDS["T4"]) == "voxcpm1.5"          # float32 on a T4: 9.2 GB of weights alone
    assert voxcpm_model(32.0, CARDS["V100"]) == "voxcpm2"
