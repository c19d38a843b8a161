"""The demo data set loaded into an empty database, and the large benchmark set."""

from .data import load_demo

__all__ = ["load_demo"]
