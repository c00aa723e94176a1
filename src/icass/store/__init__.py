"""The database: every post's bundle kept by post and fiscal year, moved in and out whole (docs/store.md).

A shell around the pipeline, like the CLI: it keeps what a bundle holds and hands it back to the same readers
and the same engine; it decides no rule of its own.
"""
