"""The inspector: tabs of figures drawn from the last Result (static PNGs render in Voila as in Lab)."""
from __future__ import annotations

import ipywidgets as W

from .. import plots
from .i18n import t
from .input_panels import header

TABS = ("tab_mel", "tab_alignment", "tab_attention", "tab_f0", "tab_timings")


def _image(css: str) -> W.Image:
    img = W.Image(format="png", layout=W.Layout(max_width="100%"))
    img.add_class(css)
    return img


class InspectPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.empty = W.HTML()
        self.mel = _image("voxnb-mel")
        self.alignment = _image("voxnb-alignment")
        self.attention = _image("voxnb-attention")
        self.f0 = _image("voxnb-f0")
        self.timings = _image("voxnb-timings")
        self.chunk = W.IntSlider(value=1, min=1, max=1, layout=W.Layout(width="320px"))
        self.layer = W.IntSlider(value=12, min=1, max=12, layout=W.Layout(width="320px"))
        self.head = W.Dropdown(options=[("mean", -1)] + [(str(i + 1), i) for i in range(12)], value=-1,
                               layout=W.Layout(width="200px"))
        self.layer.add_class("voxnb-attention-layer")
        self.head.add_class("voxnb-attention-head")
        self.tabs = W.Tab(children=[W.VBox([self.mel]), W.VBox([self.alignment]),
                                    W.VBox([W.HBox([self.layer, self.head]), self.attention]),
                                    W.VBox([self.f0]), W.VBox([self.timings])])
        self.reference_mel = None
        self.tabs.layout.display = "none"     # no broken-image icons before the first result
        self.chunk.layout.display = "none"
        super().__init__([self.title, self.empty, self.chunk, self.tabs])
        self.chunk.observe(lambda _: self.app.run(self._draw_chunk), "value")
        self.layer.observe(lambda _: self.app.run(self._draw_attention), "value")
        self.head.observe(lambda _: self.app.run(self._draw_attention), "value")

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('inspect_header', lang)}</h3>"
        for i, key in enumerate(TABS):
            self.tabs.set_title(i, t(key, lang))
        self.chunk.description = t("chunk", lang)
        self.layer.description = t("layer", lang)
        self.head.description = t("head", lang)
        self.head.options = [(t("head_mean", lang), -1)] + [(str(i + 1), i) for i in range(12)]
        self.empty.value = "" if self.app.session.result else f"<i>{t('inspect_empty', lang)}</i>"
        if self.app.session.result is not None:  # titles inside the figures follow the language too
            self.app.run(lambda: self.show(self.app.session.result, self.reference_mel), background=True)

    def show(self, result, reference_mel=None) -> None:
        lang = self.app.lang
        self.reference_mel = reference_mel
        self.empty.value = ""
        self.tabs.layout.display = ""
        self.mel.value = plots.to_png(plots.mel_figure(result, reference_mel,
                                                       labels=(t("mel_ref", lang), t("mel_out", lang))))
        self.f0.value = plots.to_png(plots.f0_figure(result))
        self.timings.value = plots.to_png(plots.timings_figure(result))
        self.chunk.max = max(1, len(result.chunks))
        self.chunk.layout.display = "" if len(result.chunks) > 1 else "none"
        if self.chunk.value != 1:
            self.chunk.value = 1   # its observer redraws
        else:
            self._draw_chunk()

    def _current(self):
        result = self.app.session.result
        if result is None or not result.chunks:
            return None
        return result.chunks[min(self.chunk.value, len(result.chunks)) - 1]

    def _draw_chunk(self) -> None:
        chunk = self._current()
        if chunk is None:
            return
        self.alignment.value = plots.to_png(plots.alignment_figure(chunk))
        self._draw_attention()

    def _draw_attention(self) -> None:
        chunk = self._current()
        if chunk is None:
            return
        self.attention.layout.display = "none" if chunk.attention is None else ""
        if chunk.attention is None:  # long text: the session did not keep attention maps
            return
        head = None if self.head.value == -1 else self.head.value
        self.attention.value = plots.to_png(plots.attention_figure(chunk, self.layer.value - 1, head))
