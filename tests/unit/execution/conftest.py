"""vnpy's files go to a temporary folder, never to $HOME, before any test imports vnpy."""

import tempfile
from pathlib import Path

from execution.engine.home import prepare_vnpy_home

prepare_vnpy_home(Path(tempfile.mkdtemp(prefix="desk-vnpy-")))
