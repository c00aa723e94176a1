"""Where a record came from: the file and row every message about it names. Its own module, below the records
and the columns that hold them (icass.model.records, icass.model.columnar), which both make one."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Source:
    """Where a record came from, so every message can name the file and row."""

    file: str  # a bundle file, or a table of derived values such as "workload"
    row: int = 0  # the row as a spreadsheet numbers it: the header is row 1; 0 = the file as a whole
    key: str = ""  # where there is no row: the record's key in its table, e.g. "6150/1900.0"

    @property
    def place(self) -> str:
        """The file as a warning on this source is acknowledged by (acknowledgements.csv `file`, with `row`): a
        row of no file (a count derived from the records) is named with its key, so that each derived count's
        warning is acknowledged alone."""
        return f"{self.file} [{self.key}]" if self.key and not self.row else self.file

    def __str__(self) -> str:
        if self.row:
            return f"{self.file}, row {self.row}"
        return f"{self.file} [{self.key}]" if self.key else self.file


NOWHERE = Source("<derived>")
