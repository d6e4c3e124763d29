"""Helpers for the editors' commands (`new`, `fmt`): canonical YAML style, safe file writes, progress."""
