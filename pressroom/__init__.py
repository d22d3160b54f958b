"""pressroom: one manuscript in, every edition out (screen PDF, EPUB 3, print PDF and cover)."""

__version__ = "0.1.0"
