"""Runs: one post through its steps (read, derive, combine, check, distribute), its TDY module, and a world of
posts in batches. Each returns values and diagnostics; none writes."""
