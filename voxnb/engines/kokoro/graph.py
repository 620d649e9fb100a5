"""Instrument the Kokoro ONNX graph: expose its intermediates and give F0/energy a handle.

Kokoro (StyleTTS 2 family) predicts per-token durations, then an F0 and an energy curve,
then decodes audio from text features, F0, energy and the style vector. The stock graph
returns only audio; here we add graph outputs for what the inspector draws, and put a
small affine edit on the F0 and energy curves so styles and cloning can move pitch
level/range and loudness inside the model. With the controls at their neutral values
(1, 1, 0) the added nodes are exact identities, so audio is bit-identical to the stock graph.
"""
from __future__ import annotations

from pathlib import Path

# Tensor names in kokoro-v1.0.int8.onnx (read off the graph; see tests/test_kokoro_graph.py).
DURATIONS = "/encoder/predictor/ReduceSum_output_0"   # float frames per token, before speed and rounding
FRAMES = "/encoder/Clip_output_0"                      # int frames per token after speed, rounded, >= 1
F0 = "/encoder/Squeeze_output_0"                       # Hz, 2 points per alignment frame
ENERGY = "/encoder/Squeeze_1_output_0"                 # the model's energy ("N") curve, same rate as F0
ATTENTION = "/encoder/bert/encoder/albert_layer_groups.0/albert_layers.0/attention{}/Softmax_output_0"
N_ATTENTION_LAYERS = 12                                # ALBERT shares one layer, applied 12 times

CONTROL_INPUTS = ("f0_level", "f0_range", "energy_shift")
NEUTRAL_CONTROLS = {"f0_level": 1.0, "f0_range": 1.0, "energy_shift": 0.0}
VOICED_HZ = 40.0  # F0 below this is unvoiced (the model idles at 10-15 Hz) and left alone by the range edit
GRAPH_VERSION = "2"  # bump when the instrumentation changes: the cached file is rebuilt


def attention_names() -> list[str]:
    return [ATTENTION.format("" if i == 0 else f"_{i}") for i in range(N_ATTENTION_LAYERS)]


def output_names() -> list[str]:
    return ["audio", "durations", "frames", "f0", "energy", *[f"attention_{i}" for i in range(N_ATTENTION_LAYERS)]]


def instrumented(src: Path) -> Path:
    """The instrumented copy beside ``src``, built on first use."""
    dst = Path(src).with_name(f"{Path(src).stem}.voxnb{GRAPH_VERSION}.onnx")
    return dst if dst.exists() else instrument(src, dst)


def instrument(src: Path, dst: Path) -> Path:
    """Write an instrumented copy of ``src`` to ``dst`` (atomic) and return ``dst``."""
    import onnx
    from onnx import TensorProto, helper

    model = onnx.load(str(src))
    graph = model.graph
    for name in CONTROL_INPUTS:
        graph.input.append(helper.make_tensor_value_info(name, TensorProto.FLOAT, [1]))
    graph.initializer.extend([
        helper.make_tensor("voxnb/one", TensorProto.FLOAT, [], [1.0]),
        helper.make_tensor("voxnb/voiced_hz", TensorProto.FLOAT, [], [VOICED_HZ]),
    ])

    def edit_f0(raw: str, out: str) -> list:
        p = "voxnb/f0/"
        return [
            helper.make_node("Greater", [raw, "voxnb/voiced_hz"], [p + "is_voiced"]),
            helper.make_node("Cast", [p + "is_voiced"], [p + "mask"], to=TensorProto.FLOAT),
            helper.make_node("Mul", [raw, p + "mask"], [p + "voiced"]),
            helper.make_node("ReduceSum", [p + "voiced"], [p + "sum"], keepdims=1),
            helper.make_node("ReduceSum", [p + "mask"], [p + "count0"], keepdims=1),
            helper.make_node("Max", [p + "count0", "voxnb/one"], [p + "count"]),
            helper.make_node("Div", [p + "sum", p + "count"], [p + "mean"]),
            helper.make_node("Sub", [raw, p + "mean"], [p + "centred"]),
            helper.make_node("Sub", ["f0_range", "voxnb/one"], [p + "range_minus_1"]),
            helper.make_node("Mul", [p + "centred", p + "range_minus_1"], [p + "stretch0"]),
            helper.make_node("Mul", [p + "stretch0", p + "mask"], [p + "stretch"]),
            helper.make_node("Add", [raw, p + "stretch"], [p + "ranged"]),
            helper.make_node("Mul", [p + "ranged", "f0_level"], [out]),
        ]

    def edit_energy(raw: str, out: str) -> list:
        return [helper.make_node("Add", [raw, "energy_shift"], [out])]

    nodes = list(graph.node)
    new_nodes = []
    for node in nodes:
        new_nodes.append(node)
        for target, edit in ((F0, edit_f0), (ENERGY, edit_energy)):
            if target in node.output:
                raw = target + "_voxnb_raw"
                node.output[list(node.output).index(target)] = raw
                new_nodes.extend(edit(raw, target))
    if len(new_nodes) != len(nodes) + 14:
        raise RuntimeError("Kokoro graph layout changed: F0/energy tensors not found")
    del graph.node[:]
    graph.node.extend(new_nodes)

    extra = {"durations": DURATIONS, "frames": FRAMES, "f0": F0, "energy": ENERGY}
    extra.update({f"attention_{i}": n for i, n in enumerate(attention_names())})
    for alias, tensor in extra.items():
        graph.node.append(helper.make_node("Identity", [tensor], [alias]))
        graph.output.append(helper.make_empty_tensor_value_info(alias))

    dst = Path(dst)
    tmp = dst.with_suffix(".tmp")
    onnx.save(model, str(tmp))
    tmp.replace(dst)
    return dst
