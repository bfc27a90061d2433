"""A text progress bar for stderr that reads well on a terminal and in a log file alike."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from django.core.management.base import OutputWrapper

Unit = Literal["bytes", "tables"]


class ProgressBar:
    """One line of text: redrawn in place on a terminal; elsewhere (a log file, cron's
    mail) a new line each time another tenth is done, so the output stays short."""

    _WIDTH = 30

    def __init__(
        self, write: Callable[[str], None], *, label: str, total: int, unit: Unit, in_place: bool
    ) -> None:
        self._write = write
        self._label = label
        self._total = total
        self._unit = unit
        self._in_place = in_place
        self._done = 0
        self._tenths_shown = -1
        self._last_line = ""
        self._finished = False

    def advance(self, amount: int) -> None:
        self.update(self._done + amount)

    def update(self, done: int, total: int | None = None) -> None:
        if total is not None:
            self._total = total
        self._done = min(done, self._total)
        tenths = self._done * 10 // self._total if self._total else 10
        if self._in_place:
            # Redrawn only when it reads differently: thousands of small files, few writes.
            line = self._line()
            if line != self._last_line:
                self._write("\r" + line)
                self._last_line = line
        elif tenths > self._tenths_shown:
            self._write(self._line() + "\n")
        self._tenths_shown = max(tenths, self._tenths_shown)

    def finish(self) -> None:
        if self._finished:
            return
        self._finished = True
        self.update(self._total)
        if self._in_place:
            self._write("\n")

    def _line(self) -> str:
        share = self._done / self._total if self._total else 1.0
        filled = round(share * self._WIDTH)
        bar = "#" * filled + "-" * (self._WIDTH - filled)
        if self._unit == "bytes":
            amount = f"{_mib(self._done)} of {_mib(self._total)}"
        else:
            amount = f"{self._done} of {self._total} tables"
        return f"{self._label:<12} [{bar}] {share:4.0%}  {amount}"


@dataclass(frozen=True)
class ProgressOutput:
    """Where progress goes: ``write`` receives text as is; ``in_place`` for a terminal."""

    write: Callable[[str], None]
    in_place: bool

    def bar(self, label: str, total: int, unit: Unit) -> ProgressBar:
        return ProgressBar(self.write, label=label, total=total, unit=unit, in_place=self.in_place)


SILENT = ProgressOutput(write=lambda _text: None, in_place=False)


def _mib(size: int) -> str:
    return f"{size / (1024 * 1024):.1f} MiB"


def progress_on(stderr: OutputWrapper, *, verbosity: int) -> ProgressOutput:
    """A management command's stderr, written as is (no line ending, no error colour);
    nothing at ``-v 0``."""
    if verbosity == 0:
        return SILENT

    def write(text: str) -> None:
        stderr.write(text, style_func=str, ending="")
        stderr.flush()

    return ProgressOutput(write=write, in_place=stderr.isatty())
