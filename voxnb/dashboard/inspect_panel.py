"""The inspector: tabs of figures drawn from the last Result (static PNGs render in Voila as in Lab).

Each engine has its own views (Kokoro: alignment; F5: the ODE trajectory; VoxCPM: latents and stop
probability; CosyVoice 3: speech tokens, and its flow decoder's attention beside its language model's),
so the tabs are those the result carries, and a line names the views the engine lacks and why,
instead of showing an empty tab.
"""
from __future__ import annotations

import ipywidgets as W

from ..output import plots
from ..output.views import View
from .i18n import t
from .labels import header, set_options

VIEWS = tuple(View)     # every view the inspector draws, in tab order


def tab_key(view: View | str) -> str:
    """The i18n key of a view's tab title: ``tab_<view>``, one per View in every language."""
    return f"tab_{View(view).value}"


def _image(css: str) -> W.Image:
    img = W.Image(format="png", layout=W.Layout(max_width="100%"))
    img.add_class(css)
    return img


def result_views(result) -> list[View]:
    """The views this result can fill (see Result.views)."""
    return list(result.views)


class InspectPanel(W.VBox):
    def __init__(self, app):
        self.app = app
        self.title = header("")
        self.empty = W.HTML()
        self.lacks = W.HTML()
        self.lacks.add_class("voxnb-lacks")
        self.images = {v: _image(f"voxnb-{v}") for v in VIEWS}
        self.chunk = W.IntSlider(value=1, min=1, max=1, layout=W.Layout(width="320px"))
        self.layer = W.IntSlider(value=12, min=1, max=12, layout=W.Layout(width="320px"))
        self.head = W.Dropdown(options=[("mean", -1)] + [(str(i + 1), i) for i in range(12)], value=-1,
                               layout=W.Layout(width="200px"))
        self.step = W.IntSlider(value=0, min=0, max=0, layout=W.Layout(width="320px"))
        # which model's attention, where a result has two (CosyVoice 3: language model, flow decoder)
        self.source = W.ToggleButtons(options=[("", "lm"), ("", "flow")], value="lm")
        self.source.add_class("voxnb-attention-source")
        self.source.layout.display = "none"
        self.layer.add_class("voxnb-attention-layer")
        self.head.add_class("voxnb-attention-head")
        self.step.add_class("voxnb-trajectory-step")
        self.pages = {v: W.VBox([self.images[v]]) for v in VIEWS}
        self.pages[View.ATTENTION].children = (self.source, W.HBox([self.layer, self.head]),
                                               self.images[View.ATTENTION])
        self.pages[View.TRAJECTORY].children = (self.step, self.images[View.TRAJECTORY])
        self.shown: list[View] = [View.MEL, View.ALIGNMENT, View.ATTENTION, View.F0, View.TIMINGS]
        self.tabs = W.Tab(children=[self.pages[v] for v in self.shown])
        self.reference_mel = None
        self.tabs.layout.display = "none"     # no broken-image icons before the first result
        self.chunk.layout.display = "none"
        super().__init__([self.title, self.empty, self.lacks, self.chunk, self.tabs])
        self.chunk.observe(lambda _: self.app.run(self._draw_chunk), "value")
        self.layer.observe(lambda _: self.app.run(self._draw_attention), "value")
        self.head.observe(lambda _: self.app.run(self._draw_attention), "value")
        self.source.observe(lambda _: self.app.run(self._switch_source), "value")
        self.step.observe(lambda _: self.app.run(self._draw_trajectory), "value")

    # -- language ---------------------------------------------------------------------------------
    def _titles(self, lang: str) -> None:
        for i, view in enumerate(self.shown):
            self.tabs.set_title(i, t(tab_key(view), lang))

    def relabel(self, lang: str) -> None:
        self.title.value = f"<h3 style='margin:4px 0'>{t('inspect_header', lang)}</h3>"
        self._titles(lang)
        self.chunk.description = t("chunk", lang)
        self.layer.description = t("layer", lang)
        self.head.description = t("head", lang)
        self.step.description = t("step", lang)
        set_options(self.source, [(t("att_lm", lang), "lm"), (t("att_flow", lang), "flow")])
        self.head.options = [(t("head_mean", lang), -1)] + [(str(i + 1), i) for i in range(self._heads())]
        self.empty.value = "" if self.app.session.result else f"<i>{t('inspect_empty', lang)}</i>"
        if self.app.session.result is not None:  # titles inside the figures follow the language too
            self.app.run(lambda: self.show(self.app.session.result, self.reference_mel), background=True)

    # -- drawing ----------------------------------------------------------------------------------
    def _heads(self) -> int:
        maps = self._maps(self._current())
        return maps.shape[1] if maps is not None else 12

    def _which(self, chunk) -> str:
        """'flow' where it was chosen and the chunk has it, else the language model's ('lm')."""
        return "flow" if self.source.value == "flow" and "flow_attention" in chunk.extras else "lm"

    def _maps(self, chunk):
        if chunk is None:
            return None
        return chunk.extras["flow_attention"] if self._which(chunk) == "flow" else chunk.attention

    def _lacks_line(self, result, lang: str) -> str:
        try:
            caps = self.app.session.engine.capabilities
        except Exception:   # the engine may be gone (a stopped server): the views still draw
            return ""
        if caps.name != result.engine or not caps.lacks:
            return ""
        from ..messages import shown

        views = "; ".join(f"<b>{t(tab_key(v), lang) if v in _NAMES else v}</b> — {shown(why, lang)}"
                          for v, why in caps.lacks.items())
        return f"<div style='color:#666;font-size:90%'>{t('lacks', lang, engine=caps.name, views=views)}</div>"

    def show(self, result, reference_mel=None) -> None:
        lang = self.app.lang
        self.reference_mel = reference_mel
        self.empty.value = ""
        self.shown = result_views(result)
        self.tabs.children = [self.pages[v] for v in self.shown]
        self._titles(lang)
        self.lacks.value = self._lacks_line(result, lang)
        self.tabs.layout.display = ""
        self.images[View.MEL].value = plots.to_png(plots.mel_figure(result, reference_mel,
                                                                    labels=(t("mel_ref", lang), t("mel_out", lang)),
                                                                    lang=lang))
        for view in (View.F0, View.TIMINGS):
            self.images[view].value = plots.to_png(plots.FIGURES[view](result, lang=lang))
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
        for view in (View.ALIGNMENT, View.TOKENS, View.LATENTS):   # one figure a chunk, no controls
            if view in self.shown and view in chunk.views:
                self.images[view].value = plots.to_png(plots.FIGURES[view](chunk, lang=self.app.lang))
        self._fit_sliders(chunk)
        if "trajectory" in chunk.extras:
            steps = chunk.extras["trajectory"].shape[0] - 1
            self.step.max = steps
            if self.step.value != steps:
                self.step.value = steps     # its observer draws the final mel first
            else:
                self._draw_trajectory()
        self._draw_attention()

    def _fit_sliders(self, chunk) -> None:
        """Layer and head choices for the maps shown (the two models of one result differ in both)."""
        self.source.layout.display = "" if "flow_attention" in chunk.extras else "none"
        maps = self._maps(chunk)
        if maps is None:
            return
        layers, heads = maps.shape[:2]
        self.layer.max = layers
        self.layer.value = min(self.layer.value, layers)
        if len(self.head.options) != heads + 1:
            self.head.options = [(t("head_mean", self.app.lang), -1)] + [(str(i + 1), i) for i in range(heads)]

    def _switch_source(self) -> None:
        chunk = self._current()
        if chunk is not None:
            self._fit_sliders(chunk)
            self._draw_attention()

    def _draw_attention(self) -> None:
        chunk = self._current()
        if chunk is None:
            return
        maps = self._maps(chunk)
        self.images[View.ATTENTION].layout.display = "none" if maps is None else ""
        if maps is None:  # long text: the session did not keep attention maps
            return
        head = None if self.head.value == -1 else min(self.head.value, maps.shape[1] - 1)
        layer = min(self.layer.value, maps.shape[0]) - 1
        self.images[View.ATTENTION].value = plots.to_png(plots.attention_figure(chunk, layer, head, self._which(chunk),
                                                                                lang=self.app.lang))

    def _draw_trajectory(self) -> None:
        chunk = self._current()
        if chunk is None or "trajectory" not in chunk.extras:
            return
        self.images[View.TRAJECTORY].value = plots.to_png(plots.trajectory_figure(chunk, self.step.value,
                                                                                  lang=self.app.lang))


_NAMES = {v.value for v in VIEWS}
