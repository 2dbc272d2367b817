"""Run the execution service in the foreground, as `desk run execution --supervised` does.

Usage: python tests/fault/run_execution.py CONFIG DATA_DIR. The fault tests start it
as a real process so that they can SIGKILL it.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from services.execution_service import ExecutionService
from services.registry import service_context
from services.runtime import Runner
from services.settings_loader import load_settings


def main(config: str, data_dir: str) -> int:
    settings = load_settings(config)
    settings = settings.model_copy(update={"data_dir": Path(data_dir)})
    runner = Runner(ExecutionService(service_context(settings)), heartbeat_interval_s=0.5)
    runner.install_signal_handlers()
    return runner.run()


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
