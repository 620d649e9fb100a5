"""What every output says about itself: who made it, with which voice and consent, and whether it is marked.

The full record goes in the JSON sidecar; a compact copy (ASCII JSON, under the 2 KB that a WAV
INFO field holds) is written into the audio file itself, as its comment tag: the WAV's LIST/INFO
ICMT, FLAC's and OGG's Vorbis comment, MP3's ID3 comment. Converters keep it (ffmpeg copies the
WAV's comment into an MP3's ID3 COMM frame), so it is read back from any of those. So a file that travels without its
sidecar still names its generator, voice, consent record and watermark.
"""
from __future__ import annotations

import json
import time
from pathlib import Path

from .. import __version__

METHOD = "perth-implicit"      # the watermark's method, recorded in every output's metadata

TAG = "voxnb"          # first key of the embedded record, how readers recognise it
SOFTWARE = f"voxnb {__version__}"


def build(voice, settings: dict, engine: str, engine_version: str, seed: int) -> dict:
    """The provenance of one synthesis: everything but the text and the audio."""
    marked = bool(settings.get("watermark", True))
    return {TAG: __version__, "engine": engine, "weights": engine_version,
            "voice": {"id": voice.id, "name": voice.name, "cloned": voice.cloned, "consent": voice.consent_id},
            "created": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "seed": seed, "settings": dict(settings),
            "watermark": METHOD if marked else "off (watermark=False)", "watermarked": marked}


def embedded(record: dict) -> str:
    """The compact form written into the audio file (ASCII: ID3 comments are Latin-1)."""
    text = json.dumps(record, ensure_ascii=True, separators=(",", ":"))
    if len(text) > 1900:            # a long voice name or instruction: keep the ids, drop the settings
        text = json.dumps({**record, "settings": {"seed": record.get("seed")}}, ensure_ascii=True,
                          separators=(",", ":"))[:1900]
    return text


def write_tags(sound_file, record: dict) -> None:
    """Tag an open ``soundfile.SoundFile`` (before its samples are written: WAV keeps tags in its header)."""
    sound_file.software = SOFTWARE
    sound_file.comment = embedded(record)


def read(path: str | Path) -> dict | None:
    """The provenance a file carries: its embedded record, completed by its sidecar when one lies beside it
    (a sidecar whose creation time differs from the file's record belongs to another take and is ignored)."""
    path = Path(path)
    inside, beside = _embedded(path), _sidecar(path)
    if beside and (inside is None or beside.get("created") == inside.get("created")):
        return {**beside, "source": "file + sidecar" if inside else "sidecar"}
    return inside


def _sidecar(path: Path) -> dict | None:
    sidecar = path.with_suffix(".json")
    if sidecar == path or not sidecar.is_file():
        return None
    try:
        data = json.loads(sidecar.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not (isinstance(data, dict) and isinstance(data.get("provenance"), dict)):
        return None
    return {**data["provenance"], **({"text": data["text"]} if "text" in data else {})}


def _embedded(path: Path) -> dict | None:
    for comment in _comments(path):
        start = comment.find("{")
        try:
            record = json.loads(comment[start:]) if start >= 0 else None
        except ValueError:
            continue
        if isinstance(record, dict) and TAG in record:
            return {**record, "source": "file"}
    return None


def _comments(path: Path):
    """Every comment-like tag of the file: libsndfile's (what voxnb writes), then tinytag's, which also
    reads the ID3 COMM frame ffmpeg writes when it converts a tagged WAV to MP3, and M4A's comment atom."""
    import soundfile as sf

    try:
        with sf.SoundFile(path) as f:
            yield f.comment or ""
    except (RuntimeError, OSError, TypeError):   # not a format libsndfile reads
        pass
    from tinytag import TinyTag, TinyTagException

    try:
        tag = TinyTag.get(str(path))
    except (TinyTagException, OSError, ValueError, KeyError, IndexError):
        return
    yield tag.comment or ""
    for values in (tag.other or {}).values():
        yield from (v for v in (values if isinstance(values, list) else [values]) if isinstance(v, str))


def describe(meta: dict) -> str:
    """One line saying who made a file, as ``voxnb detect`` prints it: a take's voice, or every voice of a mix."""
    def who(voice: dict) -> str:
        how = "cloned from a recording" if voice.get("cloned") else "a stock voice"
        return f"{voice.get('name', '?')} [{voice.get('id', '?')}], {how}, consent {voice.get('consent', '?')}"

    if "voices" in meta:    # a script's mix, a dub, a book: made of many takes
        voices = "; ".join(who(v) for v in meta["voices"]) or "?"
        made = f"a {meta.get('kind', 'mix')} of voices {voices}"
    else:
        made = f"voice {who(meta.get('voice', {}))}; seed {meta.get('seed', '?')}"
    return (f"made by voxnb {meta.get('voxnb', '?')} ({meta.get('engine', '?')}, {meta.get('weights', '?')}) on "
            f"{meta.get('created', '?')}; {made}; watermark {meta.get('watermark', '?')} (from the {meta.get('source')})")
