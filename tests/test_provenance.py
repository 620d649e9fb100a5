"""Responsible cloning through the API: every output marked and traceable, consent recorded per voice."""
import hashlib
import io
import json
import sys

import numpy as np
import pytest
import soundfile as sf

import voxnb
from voxnb.output import consent, provenance, watermark
from voxnb.reference.audio import prepare_reference
from voxnb.reference.decode import resample
from voxnb.errors import ConsentRequiredError, SettingsError
from voxnb.voice import Voice

TEXT = "Please bring the blue folder to the meeting this afternoon."


def real_clip(ref_clip):
    audio, sr = sf.read(ref_clip, dtype="float32")
    return resample(audio, sr, 24000), 24000


def test_marking_is_detected_and_leaves_a_clean_recording_clean(ref_clip):
    audio, sr = real_clip(ref_clip)
    marked = watermark.mark(audio, sr)
    assert marked.shape == audio.shape and marked.dtype == np.float32
    snr = 10 * np.log10(np.sum(audio ** 2) / np.sum((marked - audio) ** 2))
    assert 8 < snr < 40                       # it changed the audio, and not by much
    found, clean = voxnb.detect(marked, sr), voxnb.detect(audio, sr)
    assert found.marked and found.confidence >= 0.9
    assert not clean.marked and clean.confidence < 0.2
    assert voxnb.detect(resample(marked, sr, 16000), 16000).marked          # another rate, as a phone line would
    assert np.array_equal(watermark.mark(np.zeros(4800, np.float32), sr), np.zeros(4800))   # silence stays silence


def test_a_marked_take_spliced_into_unmarked_speech_is_found_where_it_is(ref_clip):
    audio, sr = real_clip(ref_clip)
    other, osr = sf.read(ref_clip.parent / "harvard_02.flac", dtype="float32")
    other = resample(other, osr, sr)
    spliced = np.concatenate([other, watermark.mark(audio, sr)])
    found = voxnb.detect(spliced, sr)
    assert found.marked
    start = len(other) / sr
    assert any(a >= start - 3.0 and b > start for a, b in found.marked_spans), found.marked_spans
    assert not voxnb.detect(np.concatenate([other, audio]), sr).marked


def test_watermarker_needs_neither_torchaudio_nor_the_perth_package_init(ref_clip):
    audio, sr = real_clip(ref_clip)
    watermark.mark(audio[:sr], sr)
    assert "torchaudio" not in sys.modules and "perth" not in sys.modules


def test_detect_refuses_what_is_not_audio():
    with pytest.raises(watermark.WatermarkError, match="Sample rate"):
        voxnb.detect(np.zeros(100), 0)
    with pytest.raises(watermark.WatermarkError, match="finite"):
        voxnb.detect(np.full(24000, np.nan), 24000)


def test_every_synthesis_is_marked_and_says_who_made_it(engine, cloned):
    result = engine.synthesize(TEXT, cloned, seed=3)
    assert voxnb.detect(result.audio, result.sample_rate).marked
    p = result.provenance
    assert p["voxnb"] == voxnb.__version__ and p["engine"] == "kokoro" and p["weights"] == engine.capabilities.version
    assert p["voice"] == {"id": cloned.id, "name": cloned.name, "cloned": True, "consent": cloned.consent["id"]}
    assert p["seed"] == 3 and p["settings"]["seed"] == 3 and p["watermarked"] is True
    assert p["watermark"] == watermark.METHOD and p["created"].endswith("Z")
    for chunk in engine.stream(TEXT + " " + TEXT, cloned):   # what a player streams is marked chunk by chunk
        assert voxnb.detect(chunk.audio, chunk.sample_rate).marked


def test_unmarked_output_only_on_request_and_recorded(engine, tmp_path):
    result = engine.synthesize(TEXT, "jf_tebukuro", watermark=False)
    assert not voxnb.detect(result.audio, result.sample_rate).marked
    assert result.provenance["watermarked"] is False and result.settings["watermark"] is False
    path = result.save(tmp_path / "plain.wav")
    path.with_suffix(".json").unlink()
    assert provenance.read(path)["watermark"].startswith("off")
    with pytest.raises(SettingsError, match="watermark"):
        engine.synthesize(TEXT, "jf_tebukuro", watermark="no")


def test_saved_files_and_downloads_carry_the_record_without_their_sidecar(engine, cloned, tmp_path):
    result = engine.synthesize(TEXT, cloned)
    path = result.save(tmp_path / "take.wav")
    sidecar = json.loads(path.with_suffix(".json").read_text())
    assert sidecar["provenance"] == result.provenance
    both = provenance.read(path)
    assert both["source"] == "file + sidecar" and both["text"] == TEXT
    path.with_suffix(".json").unlink()
    inside = provenance.read(path)
    assert inside["source"] == "file" and inside["voice"]["consent"] == cloned.consent["id"]
    assert inside["settings"] == result.settings and inside["created"] == result.provenance["created"]
    with sf.SoundFile(path) as f:
        assert f.software.startswith(provenance.SOFTWARE)
    download = tmp_path / "download.wav"
    download.write_bytes(result.wav_bytes())
    assert provenance.read(download)["voice"]["id"] == cloned.id
    assert watermark.check_file(download)["marked"]
    # and after a lossy copy, the mark stays though the tags may not
    buf = io.BytesIO()
    sf.write(buf, sf.read(path, dtype="float32")[0], result.sample_rate, format="OGG", subtype="VORBIS")
    ogg = tmp_path / "copy.ogg"
    ogg.write_bytes(buf.getvalue())
    assert watermark.check_file(ogg)["marked"]


def test_cloning_a_recording_needs_a_consent_statement(engine, ref_clip):
    for missing in (None, False, "", "   ", {}):
        with pytest.raises(ConsentRequiredError, match="right to clone"):
            engine.clone(ref_clip, consent=missing)
    voice = engine.clone(ref_clip, consent="Recorded by me, Ana, reading my own voice.")
    record = dict(voice.consent)
    assert record["statement"] == "Recorded by me, Ana, reading my own voice." and record["by"]
    assert record["at"].endswith("Z") and len(record["id"]) == 16
    ref = prepare_reference(ref_clip)
    assert record["reference_sha256"] == hashlib.sha256(ref.audio.astype(np.float32).tobytes()).hexdigest()
    again = engine.clone(ref_clip, consent=True)   # every enrollment is its own record
    assert again.consent["statement"] == consent.STATEMENT and again.consent["id"] != record["id"]


def test_consent_travels_with_the_voice_file(cloned, tmp_path):
    loaded = Voice.load(cloned.save(tmp_path / "me"))
    assert dict(loaded.consent) == dict(cloned.consent) and loaded.consent_id == cloned.consent["id"]


def test_a_voice_saved_before_consent_records_still_loads_and_speaks_as_unknown(engine, cloned, tmp_path):
    meta = cloned.meta()
    del meta["consent"]                       # what voxnb wrote before this change
    old = tmp_path / "old.voice.npz"
    np.savez(old, meta=np.array(json.dumps(meta)), **{f"c_{k}": v for k, v in cloned.conditioning.items()})
    voice = Voice.load(old)
    assert voice.consent_id == consent.UNKNOWN and dict(voice.consent) == {}
    result = engine.synthesize("Still works.", voice)
    assert result.provenance["voice"]["consent"] == "unknown" and voxnb.detect(result.audio, 24000).marked
    stock = engine.synthesize("Stock.", "jf_tebukuro")
    assert stock.provenance["voice"] == {"id": engine.stock_voice("jf_tebukuro").id, "name": "jf_tebukuro",
                                         "cloned": False, "consent": consent.NOT_NEEDED}


def id3_with_comment(text: str) -> bytes:
    """An ID3v2.3 tag holding one COMM frame, as ffmpeg writes a tagged WAV's comment into an MP3."""
    body = b"\x00eng\x00" + text.encode("latin-1")          # Latin-1, language, empty description, text
    frame = b"COMM" + len(body).to_bytes(4, "big") + b"\x00\x00" + body
    size = len(frame)
    syncsafe = bytes((size >> shift) & 0x7F for shift in (21, 14, 7, 0))
    return b"ID3\x03\x00\x00" + syncsafe + frame


def test_the_record_survives_a_conversion_to_mp3_that_rewrites_the_tags(engine, tmp_path):
    result = engine.synthesize(TEXT, "jf_tebukuro")
    buf = io.BytesIO()
    sf.write(buf, result.audio, result.sample_rate, format="MP3")   # untagged audio frames
    frames = buf.getvalue()
    if frames[:3] == b"ID3":                                      # drop libsndfile's own tag
        size = int.from_bytes(bytes(b & 0x7F for b in frames[6:10]), "big")
        frames = frames[10 + size:]
    converted = tmp_path / "converted.mp3"
    converted.write_bytes(id3_with_comment(provenance.embedded(result.provenance)) + frames)
    found = watermark.check_file(converted)
    assert found["marked"] and found["metadata"]["source"] == "file"
    assert found["metadata"]["voice"]["name"] == "jf_tebukuro" and found["metadata"]["created"] == result.provenance["created"]
    plain = tmp_path / "plain.mp3"
    plain.write_bytes(id3_with_comment("an ordinary comment") + frames)
    assert provenance.read(plain) is None
