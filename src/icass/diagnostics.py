"""Problems as values: each names where it was found and the handbook section it enforces; they are
collected and reported together rather than raised one at a time."""

from __future__ import annotations

from dataclasses import dataclass

from icass.model.provenance import Source

ERROR, WARNING, INFO = "error", "warning", "info"  # info: advice from a rule of the handbook (icass rules)


@dataclass(frozen=True, slots=True)
class Diagnostic:
    """One problem found: its severity, where, what, and the handbook section of the rule."""

    severity: str
    source: Source
    message: str
    field: str = ""
    section: str = ""  # the handbook section the broken rule comes from, e.g. "H-341.14-1"
    # The kind of rule broken: False for a rule on one cell or one row alone (its type, a code's shape, a code
    # the catalog does not know), True for a rule that spans rows (a time allocation that does not sum to 100,
    # a reference to another row, a duplicate, a cost center's cost with no workload). A change to a stored
    # post is refused for the first kind only; the second is the post's problem until fixed (icass.store.changes).
    spans_rows: bool = False
    rule: str = ""  # the id of the handbook's budget rule it breaks (R01-R142, icass.catalog.budget_rules), if any
    # A warning the FMO left as it is, with the reason, who and when (acknowledgements.csv): shown to the
    # committee beside it, and no longer counted as open.
    acknowledged: str = ""

    @property
    def open(self) -> bool:
        """Still to be dealt with: an error, or a warning nobody has acknowledged."""
        return not self.acknowledged

    def __str__(self) -> str:
        where = f"{self.source}, {self.field}" if self.field else str(self.source)
        cite = f" (6 FAH-5 {self.section})" if self.section else ""
        known = f" [acknowledged: {self.acknowledged}]" if self.acknowledged else ""
        return f"{self.severity}: {where}: {self.message}{cite}{known}"


def error(source: Source, message: str, field: str = "", section: str = "", spans_rows: bool = False) -> Diagnostic:
    return Diagnostic(ERROR, source, message, field, section, spans_rows)


def warning(source: Source, message: str, field: str = "", section: str = "") -> Diagnostic:
    return Diagnostic(WARNING, source, message, field, section)


def has_errors(diagnostics: list[Diagnostic] | tuple[Diagnostic, ...]) -> bool:
    return any(d.severity == ERROR for d in diagnostics)
