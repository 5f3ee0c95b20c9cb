"""What every module of the harness shares: paths, the two failures, the progress log, numbers."""
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent.parent
GNU_TIME = "/usr/bin/time"


class CheckFailed(Exception):
    """A correctness check failed: the output of a build is not the whole site."""


class SetupFailed(Exception):
    """The harness cannot run (adrsite does not build, no corpus, ...)."""


def log(message):
    print(message, file=sys.stderr, flush=True)


def fmt(value, pattern="{:.3f}", missing="–"):
    return missing if value is None else pattern.format(value)
