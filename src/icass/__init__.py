"""ICASS budget and cost distribution (6 FAH-5 H-300): the post budget shared among agencies to the cent."""

__version__ = "0.1.0"
