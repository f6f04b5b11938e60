"""User-facing input errors: every one names the file, the place in it and the fix."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Problem:
    """One problem found in a user's input.

    ``where`` is a line number, a record description (``"record chr17:39724775"``)
    or a config key path; ``column`` is the column or field concerned, if any.
    """

    file: str
    message: str
    where: str | int | None = None
    column: str | None = None
    hint: str | None = None

    def __str__(self) -> str:
        place = self.file
        if self.where is not None:
            place += f", line {self.where}" if isinstance(self.where, int) else f", {self.where}"
        if self.column:
            place += f", column '{self.column}'"
        text = f"{place}: {self.message}"
        if self.hint:
            text += f" (fix: {self.hint})"
        return text


@dataclass
class InputError(Exception):
    """Raised for problems in user input; the CLI prints them without a traceback."""

    problems: list[Problem] = field(default_factory=list)

    @classmethod
    def one(
        cls,
        file: str | Path,
        message: str,
        where: str | int | None = None,
        column: str | None = None,
        hint: str | None = None,
    ) -> InputError:
        return cls([Problem(str(file), message, where, column, hint)])

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems)


@dataclass
class Findings:
    """Problems (stop the run) and warnings (reported, run goes on) collected so far."""

    problems: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)

    def error(self, *args: Any, **kwargs: Any) -> None:
        self.problems.append(Problem(*args, **kwargs))

    def warn(self, *args: Any, **kwargs: Any) -> None:
        self.warnings.append(Problem(*args, **kwargs))

    def add(self, problems: list[Problem], warnings: list[Problem]) -> None:
        """Collect what a check returned: ``found.add(*check(...))``."""
        self.problems += problems
        self.warnings += warnings

    def run(self, check: Any, *args: Any) -> Any:
        """Call ``check``; an InputError it raises becomes problems here. None on error."""
        try:
            return check(*args)
        except InputError as error:
            self.problems += error.problems
            return None
