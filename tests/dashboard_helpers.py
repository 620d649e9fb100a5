"""What the dashboard tests share: driving the App's widgets in-process (the Session fixture is in conftest)."""
import time
from types import SimpleNamespace


def wait(app, seconds=120):
    """Until the App's background generation (or refinement) has finished."""
    deadline = time.time() + seconds
    while app._busy.locked() and time.time() < deadline:
        time.sleep(0.2)
    assert not app._busy.locked(), "generation did not finish"


def all_widgets(w):
    yield w
    for c in getattr(w, "children", ()):
        yield from all_widgets(c)


def upload(app, name, content):
    """A file as the upload widget hands it over."""
    app.reference._on_upload(SimpleNamespace(new=[{"name": name, "content": content}]))
