"""Bilingual fact-check site generator: load → validate → render → build."""
