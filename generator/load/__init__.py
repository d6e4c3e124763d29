"""Load: bytes on disk → `Document`s (plain data + source positions) and file-level diagnostics."""
from .tree import Corpus, load_corpus
from .yaml_source import Document, Pos

__all__ = ["Corpus", "Document", "Pos", "load_corpus"]
