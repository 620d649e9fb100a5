"""Views for what comes out: generate/stop with progress, the player, downloads and history."""
from __future__ import annotations

import base64
import threading
import time

import ipywidgets as W
import numpy as np

from ..output.result import pause_samples
from .fit import fit
from .i18n import t
from .labels import escape, header, style_name
from .session import wav_bytes


def data_link(label: str, data: bytes, filename: str, mime: str, css: str) -> str:
    """A download link that carries its bytes: nothing is served from disk."""
    b64 = base64.b64encode(data).decode()
    return (f"<a class='{css}' download='{escape(filename)}' href='data:{mime};base64,{b64}' "
            f"style='margin-right:1em'>{escape(label)}</a>")


class GeneratePanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.go = W.Button(button_style="success", icon="play", layout=W.Layout(width="160px"))
        self.go.add_class("voxnb-generate")
        self.stop = W.Button(button_style="warning", icon="stop", disabled=True, layout=W.Layout(width="110px"))
        self.stop.add_class("voxnb-stop")
        self.progress = W.FloatProgress(value=0, min=0, max=1, layout=W.Layout(width="320px"))
        super().__init__([W.HBox([self.go, self.stop, self.progress])])
        self.go.on_click(lambda _: self.app.generate())
        self.stop.on_click(lambda _: self.app.session.stop())

    def relabel(self, lang: str) -> None:
        self.go.description = t("generate", lang)
        self.stop.description = t("stop", lang)

    def busy(self, on: bool) -> None:
        self.go.disabled = on
        self.stop.disabled = not on
        if on:
            self.progress.value = 0


class StreamPlayer:
    """Plays chunks back to back as they arrive, while the rest is still being generated."""

    def __init__(self, widget: W.Audio):
        self.widget = widget
        self._free_at = 0.0
        self._lock = threading.Lock()

    def reset(self) -> None:
        with self._lock:
            self._free_at = 0.0

    def when_done(self, action) -> None:
        delay = self._free_at - time.monotonic()
        if delay <= 0:
            action()
        else:
            threading.Timer(delay + 0.5, action).start()

    def push(self, audio, sample_rate: int) -> None:
        data = wav_bytes(audio, sample_rate)
        with self._lock:
            start = max(time.monotonic(), self._free_at)
            self._free_at = start + len(audio) / sample_rate
        delay = start - time.monotonic()
        if delay <= 0.05:
            self.widget.value = data
        else:
            threading.Timer(delay, lambda: setattr(self.widget, "value", data)).start()


class OutputPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.audio = W.Audio(format="wav", autoplay=False, layout=W.Layout(width="480px"))
        self.audio.add_class("voxnb-audio")
        self.live = W.Audio(format="wav", autoplay=True, layout=W.Layout(width="480px", display="none"))
        self.live.add_class("voxnb-stream")
        self.player = StreamPlayer(self.live)
        self._take = 0     # streamed takes begun; a finished one's player swap is for its own take only
        self.downloads = W.HTML()
        self.downloads.add_class("voxnb-downloads")
        self.history_title = W.HTML()
        self.history = W.VBox()
        self.history.add_class("voxnb-history")
        super().__init__([self.title, self.live, self.audio, self.downloads, self.history_title, self.history])

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('output_header', lang)}</h3>"
        self.history_title.value = f"<b>{t('history', lang)}</b>"
        self.render_history()

    def streaming(self, chunk) -> None:
        if chunk.index == 0:
            self.player.reset()
            self._take += 1
            self.live.layout.display = ""
            self.audio.layout.display = "none"    # one player at a time: the live one while a take streams
        # the pause after the chunk plays too, so streamed speech is timed like the finished take
        pause = np.zeros(pause_samples(chunk) if chunk.index + 1 < chunk.of else 0, np.float32)
        self.player.push(np.concatenate([chunk.audio, pause]), chunk.sample_rate)

    def show(self, entry, streamed: bool = False) -> None:
        """``entry``'s take in the player. After a streamed take (``streamed``) the live player stays until
        its chunks have played, then the full take's player replaces it: one player is shown at a time."""
        self.audio.value = entry.wav
        if streamed:
            take = self._take
            self.player.when_done(lambda: self._one_player(take))
        else:
            self._one_player(self._take)
        stem = f"voxnb-{entry.number:03d}-{entry.voice_name}"
        lang = self.app.lang
        self.downloads.value = (data_link(t("download_wav", lang), entry.wav, f"{stem}.wav", "audio/wav",
                                          "voxnb-download-wav")
                                + data_link(t("download_json", lang), entry.sidecar.encode(), f"{stem}.json",
                                            "application/json", "voxnb-download-json"))
        self.render_history()

    def _one_player(self, take: int) -> None:
        if take == self._take:    # a newer take that began streaming meanwhile keeps its live player
            self.live.layout.display = "none"
            self.audio.layout.display = ""

    def render_history(self) -> None:
        rows = []
        for e in reversed(self.app.session.history):
            s = e.settings
            label = W.HTML(escape(t("history_row", self.app.lang, n=e.number, voice=e.voice_name, seed=s["seed"],
                                    style=style_name(s["style"], self.app.lang)
                                    + (f" · {s['instruct']}" if s.get("instruct") else ""),
                                    speed=s["speed"], dur=e.duration_s, rtf=e.rtf,
                                    text=e.text[:60] + ("…" if len(e.text) > 60 else ""))))
            play = W.Button(description=t("replay", self.app.lang), layout=W.Layout(width="90px"))
            reuse = W.Button(description=t("reload", self.app.lang), layout=W.Layout(width="auto"))
            play.on_click(lambda _, e=e: self.show(e))
            reuse.on_click(lambda _, e=e: self.app.reuse(e))
            rows.append(W.HBox([play, reuse, label]))
        self.history.children = rows
        fit(self.history)
