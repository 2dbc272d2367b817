"""Every `desk` error reaches the terminal as one sentence: `Error: <sentence>`, exit 1.

The desk's own errors (`errors.DeskError`), an unreachable Redis and a file the system
refuses (`OSError`) are expected: the operator reads the sentence and acts. Anything
else is a bug: its traceback goes to `<data_dir>/logs/cli.log` (kept for whoever fixes
it), the terminal gets one sentence saying where. `DESK_TRACEBACK=1` re-raises instead,
for debugging.
"""

from __future__ import annotations

import os
import sys
import tempfile
import traceback
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from errors import DeskError

if TYPE_CHECKING:
    from pydantic import ValidationError

ENV_TRACEBACK = "DESK_TRACEBACK"


def sentence(exc: BaseException) -> str:
    """The exception's message as plain text (a KeyError's str() adds quotes; undo that)."""
    if len(exc.args) == 1 and isinstance(exc.args[0], str):
        text = exc.args[0]
    else:
        text = str(exc) or type(exc).__name__
    return text.strip()


def validation_sentence(exc: ValidationError) -> str:
    """pydantic's multi-line report as one sentence: `field: what is wrong; ...`."""
    parts = []
    for error in exc.errors():
        where = ".".join(str(part) for part in error["loc"])
        parts.append(f"{where}: {error['msg']}" if where else str(error["msg"]))
    return "; ".join(parts) or sentence(exc)


def tidy(message: str) -> str:
    """One error style: a message wrapped whole in quotes (a KeyError's str()) loses them."""
    text = message.strip()
    if len(text) > 1 and text[0] == text[-1] and text[0] in "'\"" and text[0] not in text[1:-1]:
        return text[1:-1]
    return text


def _os_sentence(exc: OSError) -> str:
    what = exc.strerror or sentence(exc)
    return f"{exc.filename}: {what}" if exc.filename else what


class DeskGroup(click.Group):
    """The `desk` group: turns every error of a sub-command into one sentence."""

    def invoke(self, ctx: click.Context) -> Any:
        try:
            return super().invoke(ctx)
        except click.UsageError:
            raise
        except click.ClickException as exc:
            text = tidy(exc.message)
            if text == exc.message:
                raise
            raise click.ClickException(text) from None
        except (click.exceptions.Exit, click.Abort):
            raise
        except DeskError as exc:
            raise click.ClickException(sentence(exc)) from None
        except OSError as exc:
            raise click.ClickException(_os_sentence(exc)) from None
        except Exception as exc:
            if _redis_down(exc):
                raise click.ClickException(f"cannot reach the desk's Redis ({sentence(exc)}); "
                                           "is the desk running ('desk status')?") from None
            if os.environ.get(ENV_TRACEBACK):
                raise
            log = log_bug(ctx, exc)
            raise click.ClickException(
                f"internal error ({type(exc).__name__}: {sentence(exc)}); this is a bug in "
                f"the desk, the traceback is in {log}") from None


def log_bug(ctx: click.Context, exc: BaseException) -> Path:
    """Append the traceback to the CLI's log; return the file written."""
    path = _log_dir(ctx) / "cli.log"
    text = "".join(traceback.format_exception(exc))
    command = f"{ctx.command_path} {ctx.invoked_subcommand or ''}".strip()
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(f"{datetime.now().astimezone().isoformat()} ERROR {command}\n{text}\n")
    return path


def _log_dir(ctx: click.Context) -> Path:
    """`<data_dir>/logs` when the settings load; the system's temp folder otherwise."""
    try:
        folder = Path(ctx.obj.data_dir) / "logs"
        folder.mkdir(parents=True, exist_ok=True)
        return folder
    except Exception:
        return Path(tempfile.gettempdir())


def _redis_down(exc: BaseException) -> bool:
    """A redis-py connection error; redis is imported only by commands that use it."""
    redis = sys.modules.get("redis")
    return redis is not None and isinstance(exc, redis.ConnectionError)
