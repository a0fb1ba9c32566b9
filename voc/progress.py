"""Progress lines for long commands: rows, rate, share done and time left, on stderr."""

from __future__ import annotations

import sys
import time
from typing import TextIO


def french_number(value: float, decimals: int = 0) -> str:
    """12345.6 -> '12 345,6' (narrow no-break space for thousands, comma for decimals)."""
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",")


class ProgressPrinter:
    """Prints at most every `interval` seconds; redraws one line on a terminal."""

    def __init__(self, stream: TextIO | None = None, interval: float = 1.0, enabled: bool = True) -> None:
        self.stream = stream or sys.stderr
        self.interval = interval
        self.enabled = enabled
        self.started = time.monotonic()
        self.last = 0.0
        self.tty = self.stream.isatty()
        self.current: str | None = None

    def __call__(self, name: str, rows: int, bytes_done: int, bytes_total: int) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if name != self.current:
            self.current, self.file_started = name, now
        if rows == 0:
            return  # the start of a file: the clock starts, nothing to say yet
        if now - self.last < self.interval and bytes_done < bytes_total:
            return
        self.last = now
        elapsed = max(now - self.file_started, 1e-6)
        share = min(bytes_done / bytes_total, 1.0) if bytes_total else 1.0
        left = elapsed * (1 - share) / share if share > 0 else 0.0
        line = (f"{name}: {french_number(rows)} rows, {french_number(rows / elapsed)} rows/s, "
                f"{share:.0%} done, ~{left:.0f} s left")
        if self.tty:
            self.stream.write("\r\033[K" + line)
            if share >= 1.0:
                self.stream.write("\n")
        else:
            self.stream.write(line + "\n")
        self.stream.flush()
