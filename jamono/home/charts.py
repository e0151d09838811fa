"""Bar charts drawn with characters, for Block Kit (which has no charts): fixed width, monospaced."""

from __future__ import annotations

from collections.abc import Sequence

LEVELS = "▁▂▃▄▅▆▇█"  # LEVELS[0] means zero; any activity shows at least LEVELS[1]
FULL, EMPTY = "█", "░"


def sparkline(values: Sequence[int]) -> str:
    """One character per value, scaled to the largest: `▁▂▅█▃`. Zero is the lowest bar."""
    peak = max(values, default=0)
    if peak <= 0:
        return LEVELS[0] * len(values)
    top = len(LEVELS) - 1
    return "".join(LEVELS[0] if v <= 0 else LEVELS[max(1, round(v / peak * top))] for v in values)


def hbar(value: int, peak: int, width: int = 20) -> str:
    """A horizontal bar of exactly `width` characters; any non-zero value gets at least one block."""
    if peak <= 0 or value <= 0:
        return EMPTY * width
    filled = max(1, min(width, round(value / peak * width)))
    return FULL * filled + EMPTY * (width - filled)


def hbar_rows(rows: Sequence[tuple[str, int]], width: int = 20) -> list[str]:
    """`label  ███░░ 12` lines, labels and numbers padded so the bars line up."""
    peak = max((v for _, v in rows), default=0)
    label_w = max((len(label) for label, _ in rows), default=0)
    number_w = max((len(str(v)) for _, v in rows), default=1)
    return [f"{label.ljust(label_w)} {hbar(v, peak, width)} {str(v).rjust(number_w)}" for label, v in rows]
