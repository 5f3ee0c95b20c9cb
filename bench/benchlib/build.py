"""Builds the adrsite release binary to time (unless --binary names one)."""
import shlex
import subprocess
import sys
from pathlib import Path

from .common import REPO, SetupFailed, log


def build_adrsite(scratch_path):
    """The release build as it is shipped: `swift build -c release --static-swift-stdlib` (the
    Swift runtime and Foundation linked in, so the binary starts without ~50 shared libraries;
    needs Debian's libcurl4-openssl-dev), with --scratch-path when given; returns the binary."""
    command = ["swift", "build", "-c", "release", "--static-swift-stdlib"]
    if scratch_path:
        command += ["--scratch-path", scratch_path]
    log(f"== building adrsite: {shlex.join(command)} (in {REPO})")
    if subprocess.run(command, cwd=REPO, stdout=sys.stderr).returncode != 0:
        raise SetupFailed(f"`{shlex.join(command)}` failed")
    bin_dir = subprocess.run(command + ["--show-bin-path"], cwd=REPO, capture_output=True,
                             text=True).stdout.strip()
    binary = Path(bin_dir) / "adrsite"
    if not binary.is_file():
        raise SetupFailed(f"no binary at {binary} after the build")
    return str(binary)
