"""The results of a run: one table row per figure, printed at the end and written as JSON with
the details of every measurement."""

import json
import subprocess
import time
from dataclasses import asdict, dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


class Progress:
    """Prints progress lines with the time since the run started."""

    def __init__(self) -> None:
        self.started = time.monotonic()

    def __call__(self, message: str) -> None:
        print(f"[{time.monotonic() - self.started:6.1f} s] {message}", flush=True)


def git_commit() -> str | None:
    """The commit the run measured, for the record."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607 - git from PATH, for the record only
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except OSError:
        return None
    return result.stdout.strip() or None


@dataclass(frozen=True)
class Row:
    """One figure of the table. ``met`` is ``None`` where the figure has no target, or could
    not be measured (``value`` is then ``None`` and ``unit`` says why)."""

    name: str
    value: float | str | None
    unit: str
    target: str = ""
    met: bool | None = None


def _value(value: float | str | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, str):
        return value
    if isinstance(value, int):
        return f"{value:,}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    if abs(value) >= 10:
        return f"{value:.1f}"
    return f"{value:.2f}"


def _met(met: bool | None) -> str:
    return "" if met is None else ("yes" if met else "NO")


def table(rows: list[Row]) -> str:
    """``rows`` as a plain-text table: measurement, value, unit, target, met."""
    header = ("measurement", "value", "unit", "target", "met")
    cells = [(row.name, _value(row.value), row.unit, row.target, _met(row.met)) for row in rows]
    widths = [max(len(line[column]) for line in [header, *cells]) for column in range(len(header))]
    # Values right-aligned, so digits line up.
    aligns = ["<", ">", "<", "<", "<"]

    def line(values) -> str:
        return "  ".join(f"{value:{align}{width}}" for value, align, width in zip(values, aligns, widths, strict=True))

    rule = "  ".join("-" * width for width in widths)
    return "\n".join([line(header), rule, *(line(values).rstrip() for values in cells)])


def write_json(path: Path, *, rows: list[Row], details: dict) -> None:
    """Write the table's rows and every measurement's details to ``path`` (folders created)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    document = {**details, "table": [asdict(row) for row in rows]}
    path.write_text(json.dumps(document, indent=2, default=str) + "\n")
