"""The machine a measurement ran on: what a reader needs to compare two numbers."""

from __future__ import annotations

import contextlib
import os
import platform
import subprocess
from dataclasses import dataclass
from importlib.metadata import version
from pathlib import Path


def load_average() -> str:
    """The 1, 5 and 15 minute load averages, as `a / b / c`."""
    return "{:.2f} / {:.2f} / {:.2f}".format(*os.getloadavg())


@dataclass(frozen=True)
class Machine:
    nproc: str
    cpu: str
    ram: str
    python: str
    inspect_ai: str

    def describe(self) -> str:
        return (
            f"{self.nproc} CPUs (`nproc`), {self.cpu}, {self.ram} RAM; Python {self.python}; "
            f"inspect_ai {self.inspect_ai}"
        )


def machine() -> Machine:
    """CPUs, CPU model, RAM and versions of this machine."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024**2:.1f} GiB"
    nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=False).stdout.strip()
    return Machine(
        nproc=nproc or str(os.cpu_count()),
        cpu=cpu,
        ram=ram,
        python=platform.python_version(),
        inspect_ai=version("inspect_ai"),
    )
