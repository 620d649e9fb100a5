"""voxnb.output.encode: chunks in, a container's bytes out as they come, at any engine's rate."""
import io

import numpy as np
import pytest

from voxnb.output.encode import FORMATS, Encoder, pcm16


def tone(rate: int, seconds: float) -> np.ndarray:
    return (0.3 * np.sin(2 * np.pi * 220 * np.arange(int(rate * seconds)) / rate)).astype(np.float32)


@pytest.mark.parametrize("rate", [16000, 24000, 44100])
@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_every_format_holds_all_the_audio_fed_in_pieces(fmt, rate):
    import av
    import soundfile as sf

    encoder = Encoder(fmt, rate, comment='{"voxnb":"test"}')
    pieces = [encoder.feed(tone(rate, 1.0)), encoder.feed(tone(rate, 0.5)), encoder.finish()]
    data = b"".join(pieces)
    if fmt == "flac":   # whole at the end, so its header holds its length
        assert pieces[:2] == [b"", b""]
    else:               # the first piece's audio leaves before the second is fed
        assert len(pieces[0]) > 1000
    if fmt == "pcm":
        got = len(data) / 2 / rate
    elif fmt in ("wav", "flac"):
        with sf.SoundFile(io.BytesIO(data)) as f:
            got = f.frames / f.samplerate
            assert f.samplerate == rate and f.comment == '{"voxnb":"test"}'
    else:
        with av.open(io.BytesIO(data)) as container:
            stream = container.streams.audio[0]
            got = sum(frame.samples for frame in container.decode(stream)) / stream.rate
    assert 1.49 <= got < 1.65   # nothing lost; lossy codecs add a frame or two of padding


def test_pcm_is_16_bit_little_endian_and_clipped():
    assert pcm16(np.array([0.0, 1.0, -1.0, 2.0, -0.5], np.float32)) == \
        np.array([0, 32767, -32767, 32767, -16384], "<i2").tobytes()
