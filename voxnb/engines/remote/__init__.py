"""An engine served by another process (``voxnb serve``), used from any kernel."""
from .client import RemoteEngine, configured_servers, connect

__all__ = ["RemoteEngine", "configured_servers", "connect"]
