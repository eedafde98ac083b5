"""Read IMR letters and build the Whoosh index of them."""

from indexer.letter import Decision, Layout, Letter, Outcome, UnreadableLetter

__all__ = ["Decision", "Layout", "Letter", "Outcome", "UnreadableLetter"]
