"""The environment of a run: tools installed, file system types, the machine, the git revision."""
import os
import platform
import shutil
import subprocess

from .common import REPO


def have(tool):
    return shutil.which(tool) is not None


def fs_type(path):
    """File system type of the mount that holds `path` (from /proc/mounts), e.g. 'tmpfs'."""
    path = os.path.realpath(path)
    best, kind = "", "?"
    try:
        with open("/proc/mounts") as mounts:
            for line in mounts:
                fields = line.split()
                point = fields[1].replace("\\040", " ")
                inside = path == point or path.startswith(point.rstrip("/") + "/")
                if inside and len(point) >= len(best):
                    best, kind = point, fields[2]
    except OSError:
        pass
    return kind


def first_line(command):
    try:
        out = subprocess.run(command, capture_output=True, text=True, timeout=30)
        return (out.stdout or out.stderr).strip().splitlines()[0]
    except (OSError, IndexError, subprocess.SubprocessError):
        return "?"


def describe_machine():
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    try:
        mem = next(int(l.split()[1]) for l in open("/proc/meminfo") if l.startswith("MemTotal"))
        mem = f"{mem / 1048576:.1f} GiB RAM"
    except (OSError, StopIteration):
        mem = "? RAM"
    return f"nproc={os.cpu_count()}, {model}, {mem}, kernel {platform.release()}"


def git_revision():
    head = first_line(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"])
    try:
        dirty = subprocess.run(["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True).stdout.strip()
    except OSError:
        dirty = ""
    return head + (" + uncommitted changes" if dirty else "")
