"""Where the time goes: py-spy samples the gunicorn workers while load runs, and we summarise the stacks.

`py-spy record --format raw` writes collapsed stacks ("frame;frame;frame count"), which speedscope and
flamegraph.pl read as they are. The summary lists the functions with the largest share of samples,
inclusive (anywhere on the stack) and self (the innermost frame), so a report can quote where a
request's time is spent. Needs `pip install py-spy` and ptrace rights (root, or the same user).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path

from . import loadgen
from .common import VENV_BIN, log

_LINE = re.compile(r":\d+\)$")


def py_spy() -> str | None:
    candidate = VENV_BIN / "py-spy"
    return str(candidate) if candidate.exists() else shutil.which("py-spy")


def record(pids: list[int], seconds: float | None, output: str, rate: int = 200) -> list[subprocess.Popen]:
    """One py-spy per pid writing `output.<n>`; without `seconds` it records until `finish()`."""
    binary = py_spy()
    if not binary:
        raise RuntimeError("py-spy is not installed (pip install py-spy)")
    procs = []
    for n, pid in enumerate(pids):
        command = [binary, "record", "--pid", str(pid), "--rate", str(rate), "--nonblocking", "--format", "raw",
                   "--output", f"{output}.{n}"]
        if seconds is not None:
            command += ["--duration", str(int(seconds))]
        procs.append(subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
    return procs


def finish(procs: list[subprocess.Popen], output: str, *, stop: bool, wait: float = 60) -> dict:
    """Wait for (or, with `stop`, interrupt) the recorders, merge their files into `output`, summarise."""
    import signal

    for proc in procs:
        if stop and proc.poll() is None:
            proc.send_signal(signal.SIGINT)  # py-spy writes its file on SIGINT
        try:
            proc.wait(timeout=wait)
        except subprocess.TimeoutExpired:
            proc.terminate()
    files = [Path(f"{output}.{n}") for n in range(len(procs))]
    Path(output).write_text("".join(f.read_text() for f in files if f.exists()))
    for f in files:
        f.unlink(missing_ok=True)
    return {"file": output, **summarise([output])}


def summarise(files: list[str], top: int = 25) -> dict:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for file in files:
        path = Path(file)
        if not path.exists():
            continue
        for line in path.read_text().splitlines():
            stack, _, count = line.rpartition(" ")
            if not stack or not count.isdigit():
                continue
            samples = int(count)
            frames = [_LINE.sub(")", frame) for frame in stack.split(";")]
            total += samples
            for frame in set(frames):
                inclusive[frame] += samples
            own[frames[-1]] += samples
    def share(counter):
        return [[frame, round(100 * samples / total, 1)] for frame, samples in counter.most_common(top)] if total else []
    return {"samples": total, "inclusive_pct": share(inclusive), "self_pct": share(own)}


def profile_run(server, paths: list[str], *, seconds: float, connections: int, output: str, engine: str = "auto") -> dict:
    """Load `paths` for `seconds` while py-spy samples every worker; returns the summary and writes `output`."""
    pids = server.worker_pids()
    log(f"profiling gunicorn workers {pids} with py-spy for {seconds}s")
    procs = record(pids, seconds, output)
    result = loadgen.run(server.base_url, paths, seconds=seconds, connections=connections, engine=engine)
    summary = finish(procs, output, stop=False, wait=seconds + 30)
    log(f"profile written to {output} ({summary['samples']} samples, {result.requests_per_s} req/s under the profiler)")
    return {"requests_per_s_under_profiler": result.requests_per_s, **summary}


if __name__ == "__main__":  # summarise an existing raw profile: python -m bench.profiling FILE [TOP]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 40
    summary = summarise(sys.argv[1:2], top=top)
    print(f"{summary['samples']} samples")
    for title in ("inclusive_pct", "self_pct"):
        print(f"--- {title}")
        for frame, pct in summary[title]:
            print(f"{pct:5.1f}%  {frame}")
