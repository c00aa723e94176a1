"""The post bundle: a directory of post.toml and CSV files, the documented interchange format (docs/bundle.md)."""

from icass.bundle.load import read_bundle

__all__ = ["read_bundle"]
