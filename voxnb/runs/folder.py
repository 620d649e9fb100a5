"""A batch's output folder, with its manifest as the truth: each row is done exactly once.

A row is done when the manifest lists it without an error, with the same key (its text, voice and
settings) and its file is there. A re-run skips done rows; a row whose file was written but not yet
listed (the run was killed in between) is recognised by its sidecar and listed without speaking it
again; temp files of a killed run are removed. One batch writes into a folder at a time (a lock file).
"""
from __future__ import annotations

import csv
import fcntl
import hashlib
import json
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from ..errors import VoxnbError
from ..output.write import unwritable

MANIFEST = "manifest.csv"
MANIFEST_COLUMNS = ("row", "name", "file", "text", "voice_id", "style", "speed", "seed", "duration_s", "rtf",
                    "error", "key")
LOCK = ".voxnb-batch.lock"
# voxnb.output.write's temp names, and the manifest's own
_TEMP_RE = re.compile(r"^\..+\.(\d+)-\d+-[0-9a-f]{8}\.tmp(\.\w+)?$|^\.manifest\.csv\.(\d+)-\d+\.tmp$")


def row_key(text: str, voice_id: str, style: str, speed: float, seed: int, instruct: str = "") -> str:
    """What makes two takes of a row the same take."""
    what = json.dumps([text, voice_id, style, round(float(speed), 4), int(seed), instruct], ensure_ascii=False)
    return hashlib.sha256(what.encode()).hexdigest()[:16]


def sidecar_key(sidecar: dict) -> str | None:
    settings = sidecar.get("settings") or {}
    try:
        return row_key(sidecar["text"], sidecar.get("voice_id", ""), settings.get("style", "neutral"),
                       settings.get("speed", 1.0), sidecar.get("seed", settings.get("seed", 0)),
                       settings.get("instruct", "") or "")
    except (KeyError, TypeError, ValueError):
        return None


@dataclass
class BatchProgress:
    """Where a batch stands: shown by the terminal and notebook 03."""

    done: int                    # rows finished (spoken, failed, or found done before)
    total: int
    skipped: int                 # of them, done by an earlier run
    failed: int
    started: float
    line: object = None          # the row just finished

    @property
    def rows_per_min(self) -> float:
        spoken = self.done - self.skipped
        minutes = (time.monotonic() - self.started) / 60
        return spoken / minutes if spoken and minutes > 0 else 0.0

    @property
    def eta_s(self) -> float | None:
        rate = self.rows_per_min
        return (self.total - self.done) / rate * 60 if rate else None

    def __str__(self) -> str:
        eta = self.eta_s
        left = f", about {eta:.0f} s left" if eta is not None and self.done < self.total else ""
        before = f" ({self.skipped} done before)" if self.skipped else ""
        return f"{self.done}/{self.total} rows{before}, {self.rows_per_min:.1f} rows/min{left}"


class BatchFolder:
    """The folder and its manifest; use as a context manager (holds the folder's lock)."""

    def __init__(self, out_dir: str | Path):
        self.dir = Path(out_dir)
        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            self._lock = open(self.dir / LOCK, "a+")
        except OSError as err:
            raise unwritable(self.dir, err) from None
        try:
            fcntl.flock(self._lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            self._lock.close()
            raise VoxnbError(key="batch.folder_busy", path=self.dir) from None
        self.manifest = self.dir / MANIFEST
        self.rows: dict[str, dict] = {}          # stem -> manifest row, in the order first listed
        if self.manifest.exists():
            with open(self.manifest, encoding="utf-8", newline="") as f:
                for rec in csv.DictReader(f):
                    self.rows[rec.get("name", "")] = {c: rec.get(c, "") for c in MANIFEST_COLUMNS}
        self._sweep()

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if not self._lock.closed:
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
            try:
                os.unlink(self.dir / LOCK)
            except OSError:
                pass

    def _sweep(self) -> None:
        """Remove what a killed run left half-written (its temp files): their writer is gone."""
        for path in self.dir.iterdir():
            m = _TEMP_RE.match(path.name)
            if m and not _alive(int(m.group(1) or m.group(3))):
                path.unlink(missing_ok=True)

    def done(self, stem: str, key: str) -> bool:
        """True when ``stem`` was spoken with ``key`` and its file is there (listed, or adopted now)."""
        row = self.rows.get(stem)
        if row and not row["error"] and row["key"] == key and row["file"] and (self.dir / row["file"]).exists():
            return True
        return self._adopt(stem, key)

    def _adopt(self, stem: str, key: str) -> bool:
        """A take written before its manifest row (a run killed in between): listed, not spoken again."""
        listed = {r["file"] for r in self.rows.values()}
        for audio in sorted(self.dir.glob(f"{glob_escape(stem)}*.wav")):
            if audio.name in listed or not re.fullmatch(re.escape(stem) + r"(-\d+)?", audio.stem):
                continue
            try:
                sidecar = json.loads(audio.with_suffix(".json").read_text(encoding="utf-8"))
            except (OSError, ValueError):
                continue
            if sidecar_key(sidecar) == key:
                settings = sidecar.get("settings") or {}
                self.record({"name": stem, "file": audio.name, "text": sidecar["text"],
                             "voice_id": sidecar.get("voice_id", ""), "style": settings.get("style", ""),
                             "speed": settings.get("speed", ""), "seed": sidecar.get("seed", ""),
                             "duration_s": sidecar.get("duration_s", ""), "rtf": "", "error": "", "key": key})
                return True
        return False

    def record(self, row: dict) -> None:
        """List (or re-list) one row and rewrite the manifest atomically."""
        self.rows[row["name"]] = {c: row.get(c, "") for c in MANIFEST_COLUMNS}
        self.write()

    def write(self) -> None:
        # unique per process and thread, and removed whatever fails: no hidden temp file stays in the folder
        tmp = self.manifest.with_name(f".{self.manifest.name}.{os.getpid()}-{threading.get_ident()}.tmp")
        try:
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                writer = csv.DictWriter(f, fieldnames=MANIFEST_COLUMNS)
                writer.writeheader()
                writer.writerows(self.rows.values())
            os.replace(tmp, self.manifest)
        except OSError as err:
            raise unwritable(self.manifest, err) from None
        finally:
            tmp.unlink(missing_ok=True)


def glob_escape(text: str) -> str:
    return re.sub(r"([*?\[])", r"[\1]", text)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
