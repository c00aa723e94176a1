"""ICASS budget and cost distribution (6 FAH-5 H-300): the post budget shared among agencies to the cent."""


def __getattr__(name: str) -> str:
    # The version is declared once, in pyproject.toml, and read from the installed distribution's metadata. It is
    # read when asked for, not at import: every `icass` command imports this package, and few need the version.
    if name == "__version__":
        from importlib.metadata import version

        return version("icass")
    raise AttributeError(f"module 'icass' has no attribute {name!r}")
