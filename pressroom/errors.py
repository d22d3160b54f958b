"""Problems found in a book, each with its place in the manuscript and a stable code."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Location:
    file: str
    line: int | None = None
    col: int | None = None

    def __str__(self) -> str:
        s = self.file
        if self.line is not None:
            s += f":{self.line}"
            if self.col is not None:
                s += f":{self.col}"
        return s


@dataclass(frozen=True)
class Problem:
    where: Location
    message: str
    code: str
    severity: str = "error"  # "error" or "warning"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity}: {self.message}"


class PressroomError(Exception):
    """A failure to report to the user as lines, never as a traceback."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ManuscriptError(PressroomError):
    """The manuscript, or a photo it names, is wrong."""


class BuildError(PressroomError):
    """An edition could not be built."""
