"""The voxnb dashboard: an ipywidgets app over the core API, served by Voila.

``App()`` is the root widget (return it from a notebook cell); ``Session`` is its
widget-free model, unit-tested without a browser.
"""
from .app import App
from .session import Session

__all__ = ["App", "Session"]
