"""The shipped configuration files (`paper.yaml`, the production example, `holidays.yaml`)
and the one frozen base of every settings model (`config/frozen.py`).

Floor 0: no desk imports. Each part keeps its own settings model next to its code; the
top floor composes them (`services/settings.py`) and loads a file
(`services/settings_loader.py`).
"""

from pathlib import Path

CONFIG_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = CONFIG_DIR.parent
