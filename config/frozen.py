"""The one base of every part's settings model: frozen, keyword-only, unknown keys refused.

An unknown key is an error that names the key (`services/settings_loader.py` formats it),
so a misspelt setting never silently falls back to its default.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")
