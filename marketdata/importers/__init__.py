"""Importers: a vendor export folder (CSV or Parquet) and a vnpy bar database.

Every import is validated whole before anything is written, then committed in one
store transaction: a folder is imported completely or not at all, and importing the
same data twice leaves the store as after the first time.
"""

from marketdata.importers.batch import ImportBatch, commit_batch, validate_batch
from marketdata.importers.folder import import_folder, read_folder
from marketdata.importers.vnpy_db import import_vnpy_database, read_vnpy_database

__all__ = [
    "ImportBatch",
    "commit_batch",
    "import_folder",
    "import_vnpy_database",
    "read_folder",
    "read_vnpy_database",
    "validate_batch",
]
