"""The corpora: the Markdown files of a log, the generated logs, and the real log of ../shared/corpus."""
import os
import shutil
import subprocess
import sys

from .common import REPO, log

# The largest real log of ../shared/corpus (77 records). Like ../shared/corpus/score.py, which
# builds CORPUS/FOLDER itself, the records are the folder's own .md files (an img/ folder beside).
REAL_LOG = "apache__james-project"
REAL_LOG_DIR = os.path.normpath(REPO / ".." / "shared" / "corpus" / REAL_LOG)


def markdown_files(directory):
    """Markdown files of a corpus, relative paths, hidden folders and files left out."""
    found = []
    for root, dirs, files in os.walk(directory):
        dirs[:] = sorted(d for d in dirs if not d.startswith(".") and d != "node_modules")
        rel = os.path.relpath(root, directory)
        for name in files:
            if name.endswith(".md") and not name.startswith("."):
                found.append(name if rel == "." else f"{rel}/{name}")
    return sorted(found)


def generated_corpus(generator, work, n):
    """The corpus `gen_adrs.py DIR --count N --seed 1`, generated once and kept in WORK/corpora."""
    directory = work / "corpora" / f"n{n}-seed1"
    stamp = work / "corpora" / f"n{n}-seed1.stamp"
    want = f"{generator} --count {n} --seed 1 (size {generator.stat().st_size}, mtime {generator.stat().st_mtime})"
    if directory.is_dir() and stamp.is_file() and stamp.read_text() == want:
        return directory
    log(f"== generating {n} ADRs into {directory}")
    shutil.rmtree(directory, ignore_errors=True)
    directory.parent.mkdir(parents=True, exist_ok=True)
    subprocess.run([sys.executable, str(generator), str(directory), "--count", str(n), "--seed", "1"],
                   check=True, stdout=sys.stderr)
    stamp.write_text(want)
    return directory


def decision_files(directory):
    """Every .md file is a decision, except a top-level README.md or index.md (the log's front page)."""
    return [f for f in markdown_files(directory) if f.lower() not in ("readme.md", "index.md", "_index.md")]
