"""The demo's downloads directory: small stand-ins for the EMC client, the CAL and EMC installers and the
self-update version, shipped as package data under ``backoffice/demo/downloads/`` (layout: core/downloads.py)."""

from __future__ import annotations

import os
import shutil
import tempfile
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path


def install_demo_downloads(target: Path) -> bool:
    """Copy the sample files into ``target`` when it is missing or empty; True if they were copied.

    A directory holding anything is the operator's and is never touched. Several server processes
    may call this at once: the files are copied into a private folder beside ``target`` and renamed
    into place in one step, so no process ever sees (or serves) a half-copied tree.
    """
    if target.is_dir() and any(target.iterdir()):
        return False
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-", dir=target.parent))
    staging.chmod(0o755)  # mkdtemp makes it private; the renamed result is an ordinary directory
    try:
        _copy(resources.files("backoffice.demo").joinpath("downloads"), staging)
        try:
            # rename() replaces an empty directory but never a non-empty one, so a racing copy wins once.
            os.rename(staging, target)
        except OSError:
            if target.is_dir() and any(target.iterdir()):
                return False
            raise
        return True
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _copy(source: Traversable, folder: Path) -> None:
    # Traversable rather than a filesystem path: the package may be installed in a zip.
    folder.mkdir(exist_ok=True)
    for entry in source.iterdir():
        if entry.is_dir():
            _copy(entry, folder / entry.name)
        elif entry.name != "__pycache__":
            (folder / entry.name).write_bytes(entry.read_bytes())
