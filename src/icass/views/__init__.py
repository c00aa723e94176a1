"""Views: pure functions from a post's state (its run), or a world's consolidation, to typed, immutable records
that the CLI, the API, the PDF, the workbook and the pages only render. Each figure is computed here once, and
each percent rounded in one place (icass.money.percent_of); nothing here reads the database or formats for a
screen."""
