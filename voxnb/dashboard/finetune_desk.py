"""The Fine-tune section's state and actions in plain Python (no widgets): recordings uploaded, made into a
dataset in the viewer's work folder, its segments listed a page at a time, edited (transcript, kept)."""
from __future__ import annotations

import time
from pathlib import Path

from ..finetune.dataset import Dataset, Segment
from ..finetune.prepare import MIN_SPEECH_S, prepare

PAGE = 12      # segments a page of the table shows: each row holds a player


class FinetuneDesk:
    def __init__(self, session):
        self.session = session
        self.files: list[Path] = []
        self.dataset: Dataset | None = None
        self.page = 0

    def add_upload(self, filename: str, content: bytes) -> Path:
        # a folder per upload keeps the user's file name (the dataset names its sources by it)
        path = self.session.workdir / "finetune-uploads" / str(time.time_ns()) / Path(filename).name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
        self.files.append(path)
        return path

    def prepare(self, name: str, consent: bool, language: str = "en", on_progress=None,
                min_speech_s: float = MIN_SPEECH_S) -> Dataset:
        """The uploads made into a dataset. Too little speech still leaves the dataset to look at (why each
        segment was dropped), then raises, so the viewer sees both."""
        from ..errors import VoxnbError

        out = self.session.workdir / "datasets" / f"{name or 'voice'}-{time.strftime('%H%M%S')}"
        try:
            self.dataset = prepare(self.files, name=name, out=out, consent=consent or None, language=language,
                                   min_speech_s=min_speech_s, on_progress=on_progress)
        except VoxnbError as err:
            if err.key == "finetune.too_little":
                self.dataset = Dataset.load(out)
            raise
        finally:
            self.page = 0
        return self.dataset

    def rows(self) -> list[Segment]:
        if self.dataset is None:
            return []
        return self.dataset.segments[self.page * PAGE:(self.page + 1) * PAGE]

    @property
    def pages(self) -> int:
        return 0 if self.dataset is None else -(-len(self.dataset.segments) // PAGE)

    def turn(self, step: int) -> None:
        self.page = min(max(0, self.page + step), max(0, self.pages - 1))

    def audio(self, segment: Segment) -> bytes:
        return (self.dataset.folder / segment.audio).read_bytes()

    def edit(self, index: int, **changes) -> Segment:
        return self.dataset.edit(index, **changes)
