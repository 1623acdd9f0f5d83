"""The report: one row per figure, printed as it is measured and as one Markdown table at
the end (var/bench/results.md), with the raw figures beside it (results.json)."""

import contextlib
import os
import platform
import subprocess
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any


@dataclass
class Row:
    scenario: str
    figure: str
    value: str
    reference: str = ""
    ratio: str = ""
    target: str = ""
    met: str = ""
    sql: str = ""
    memory: str = ""


class Report:
    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.raw: dict[str, Any] = {}

    def add(self, row: Row) -> None:
        self.rows.append(row)
        print("  " + " | ".join(v for v in asdict(row).values() if v), flush=True)

    def table(self) -> str:
        header = [
            "#",
            "figure",
            "ours",
            "reference",
            "ratio",
            "target",
            "met",
            "SQL/req",
            "peak MiB",
        ]
        lines = ["| " + " | ".join(header) + " |", "|" + "---|" * len(header)]
        for row in self.rows:
            lines.append("| " + " | ".join(asdict(row).values()) + " |")
        return "\n".join(lines)


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value < 100 else f"{value:.0f} ms"


def upper_median(values: list[float]) -> float:
    return sorted(values)[len(values) // 2]


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def verdict(ok: bool) -> str:
    return "yes" if ok else "NO"


def machine() -> str:
    cpu = "unknown CPU"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = ""
    with contextlib.suppress(OSError):
        kib = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f", {kib / 1024 / 1024:.0f} GiB RAM"
    postgres = subprocess.run(
        ["psql", "--version"], capture_output=True, text=True, check=False
    ).stdout.strip()
    return (
        f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}, "
        f"{postgres}; {platform.platform()}"
    )
