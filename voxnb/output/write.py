"""Where an output lands: the format from its extension, a name no other writer holds, no temp file left.

Every writer fills a hidden temp file of its own (named by process, thread and a random token), then
claims the first free name (take.wav, take-1.wav, ...) with os.link, which fails rather than replace a
file another writer claimed a moment earlier; its JSON sidecar is claimed the same way, so the pair always
belongs together. Whatever fails, the temp files are removed.
"""
from __future__ import annotations

import errno
import json
import os
import secrets
import threading
from pathlib import Path

import numpy as np

from ..errors import VoxnbError

# extension -> (libsndfile format, subtype); MP3 only where the installed libsndfile writes it
FORMATS = {".wav": ("WAV", "PCM_16"), ".flac": ("FLAC", "PCM_16"), ".ogg": ("OGG", "VORBIS"),
           ".mp3": ("MP3", "MPEG_LAYER_III")}
# errors of os.link on file systems without hard links (FAT, some network shares): claim with O_EXCL instead
_NO_LINKS = {errno.EPERM, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV, errno.ENOSYS, errno.EMLINK}


class OutputError(VoxnbError):
    """An output path cannot be written: a folder, a device, an unknown format, a place without permission."""


def formats() -> dict:
    """The extensions this installation writes."""
    import soundfile as sf

    have = sf.available_formats()
    return {ext: spec for ext, spec in FORMATS.items() if spec[0] in have}


def target(path) -> tuple[Path, str, str]:
    """(file path, format, subtype) for what the user gave, or an OutputError naming the path and the fix."""
    raw = os.fspath(path)
    p = Path(raw)
    if raw.endswith(("/", os.sep)) or p.is_dir():
        example = p / "take.wav"
        raise OutputError(f"{raw} is a folder.", f"Give a file name such as {example}.")
    if p.exists() and not p.is_file():
        # /dev/null once became /dev/null.wav; a device, pipe or socket is never an audio file
        raise OutputError(f"{raw} is not a regular file (a device, pipe or socket).",
                          f"Give a file name such as {p.parent / 'take.wav'}.")
    known = formats()
    suffix = p.suffix.lower()
    if not suffix:
        p, suffix = p.with_name(p.name + ".wav"), ".wav"
        if p.is_dir():
            raise OutputError(f"{p} is a folder.", f"Give a file name such as {p / 'take.wav'}.")
    if suffix not in known:
        raise OutputError(f"voxnb cannot write {suffix!r} files ({raw}).",
                          f"Use one of {', '.join(known)}; with no extension, .wav is added.")
    return p, *known[suffix]


def unwritable(path: Path, err: Exception) -> OutputError:
    detail = getattr(err, "strerror", None) or str(err) or type(err).__name__
    return OutputError(f"Cannot write {path}: {detail}.",
                       "Choose a folder you can write to (your home or the project folder), with a file name "
                       "such as take.wav.")


def _temp_name(final: Path, suffix: str) -> Path:
    return final.with_name(f".{final.stem}.{os.getpid()}-{threading.get_ident()}-{secrets.token_hex(4)}.tmp{suffix}")


def _create(path: Path) -> None:
    """Create ``path`` empty, failing if it exists (permissions follow the umask, unlike mkstemp's 0600)."""
    os.close(os.open(path, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o666))


def _take(src: Path, dest: Path) -> str | None:
    """Give ``src``'s content the name ``dest`` unless ``dest`` exists: 'linked', 'moved', or None if taken."""
    try:
        os.link(src, dest)
        return "linked"
    except FileExistsError:
        return None
    except OSError as err:
        if err.errno not in _NO_LINKS:
            raise
    try:
        _create(dest)
    except FileExistsError:
        return None
    os.replace(src, dest)   # over our own empty placeholder
    return "moved"


def _free_names(final: Path):
    yield final
    n = 1
    while True:
        yield final.with_name(f"{final.stem}-{n}{final.suffix}")
        n += 1


def claim(audio_tmp: Path, final: Path, sidecar_tmp: Path | None = None) -> Path:
    """Name the temp audio (and sidecar) after the first free ``final``, ``final-1``, ...; never replaces."""
    for candidate in _free_names(final):
        json_path = candidate.with_suffix(".json")
        if candidate.exists() or json_path.exists():
            continue
        how = _take(audio_tmp, candidate)
        if how is None:
            continue
        if sidecar_tmp is None or _take(sidecar_tmp, json_path):
            return candidate
        # a sidecar of another take holds this name: give the audio name back and go on
        if how == "moved":
            os.replace(candidate, audio_tmp)
        else:
            candidate.unlink()
    raise AssertionError("unreachable")


def reserve(path) -> Path:
    """Create the first free ``path``, ``path-1``, ... empty and return it: a name no other writer gets
    (a batch's manifest, later replaced by its content)."""
    path = Path(path)
    for candidate in _free_names(path):
        try:
            _create(candidate)
            return candidate
        except FileExistsError:
            continue
        except OSError as err:
            raise unwritable(candidate, err) from None
    raise AssertionError("unreachable")


class AudioOutput:
    """One output file written as it is produced: ``write`` chunks, then ``commit`` to claim a name.

    Use as a context manager; leaving it without commit (an error, Ctrl-C) removes the temp files.
    """

    def __init__(self, path, provenance: dict | None = None):
        self.final, self.format, self.subtype = target(path)
        self.provenance = provenance or {}
        self.samples = 0
        self.sample_rate: int | None = None
        self._file = None
        self._tmp = _temp_name(self.final, self.final.suffix)
        self._json_tmp = _temp_name(self.final, ".json")
        # folders this output created, deepest first: a take that fails leaves the tree as it found it
        self._made: list[Path] = []
        try:
            for folder in reversed([d for d in (self.final.parent, *self.final.parent.parents) if not d.exists()]):
                try:
                    folder.mkdir()
                    self._made.insert(0, folder)
                except FileExistsError:     # another writer made it a moment ago
                    if not folder.is_dir():
                        raise
            _create(self._tmp)
        except OSError as err:
            self.close()
            raise unwritable(self.final, err) from None

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def write(self, audio: np.ndarray, sample_rate: int) -> None:
        import soundfile as sf

        from .provenance import write_tags

        try:
            if self._file is None:
                self.sample_rate = sample_rate
                self._file = sf.SoundFile(self._tmp, "w", sample_rate, 1, subtype=self.subtype, format=self.format)
                if self.provenance:
                    write_tags(self._file, self.provenance)   # before the samples: WAV keeps tags in its header
            if getattr(audio, "dtype", None) == np.int16:   # 16-bit samples copied verbatim (a mix of stems)
                self._file.write(audio)
            else:
                self._file.write(np.clip(np.asarray(audio, np.float32), -1, 1))
        except (OSError, RuntimeError) as err:    # soundfile's errors are RuntimeErrors
            raise unwritable(self.final, err) from None
        self.samples += len(audio)

    def commit(self, sidecar: dict | None) -> Path:
        """Close the audio, claim a free name for it (and its sidecar) and return that name."""
        if self._file is None:
            self.write(np.zeros(0, np.float32), 24000)
        try:
            self._file.close()
            if sidecar is not None:
                self._json_tmp.write_text(json.dumps(sidecar, ensure_ascii=False, indent=2), encoding="utf-8")
            taken = claim(self._tmp, self.final, self._json_tmp if sidecar is not None else None)
            self._made = []
            return taken
        except (OSError, RuntimeError) as err:
            raise unwritable(self.final, err) from None
        finally:
            self.close()

    def close(self) -> None:
        try:
            if self._file is not None and not self._file.closed:
                self._file.close()
        except (OSError, RuntimeError):
            pass
        finally:
            for tmp in (self._tmp, self._json_tmp):
                try:
                    tmp.unlink()
                except OSError:     # never created (the folder refused it), or already claimed
                    pass
            for folder in self._made:
                try:
                    folder.rmdir()    # only if empty: another writer's take there keeps it
                except OSError:
                    break
            self._made = []
