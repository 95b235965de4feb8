"""trackstar-cli: the Trackstar unified WMS API from a terminal."""

from __future__ import annotations

__all__ = ["__version__"]

__version__ = "0.1.0"
