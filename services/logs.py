"""Logging for one process: configured once by each entry point, never at import."""

from __future__ import annotations

import sys
from pathlib import Path

from loguru import logger

from services.config import LoggingConfig

FORMAT = (
    "{time:YYYY-MM-DD HH:mm:ss.SSS ZZ} | {level:<7} | {extra[service]} | {name}:{line} - {message}"
)


def setup_logging(service: str, data_dir: Path, cfg: LoggingConfig) -> Path:
    """Route loguru to stderr and to a daily-rotated file for this service.

    Removing every handler first also drops the ones vnpy installs at import time, so
    vnpy's records land in our files instead of its own folder.
    """
    log_dir = data_dir / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    path = log_dir / f"{service}.log"
    logger.remove()
    # A patcher, not default extras: vnpy reconfigures loguru's extras when imported.
    logger.configure(patcher=lambda record: record["extra"].setdefault("service", service))
    if cfg.console:
        logger.add(sys.stderr, level=cfg.level, format=FORMAT, colorize=None)
    logger.add(
        path,
        level=cfg.level,
        format=FORMAT,
        rotation="00:00",
        retention=f"{cfg.retention_days} days",
        serialize=cfg.json_lines,
        enqueue=False,
        encoding="utf-8",
    )
    return path
