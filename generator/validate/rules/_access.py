"""Read data of unknown shape without raising: rules run even on documents with schema errors."""
from __future__ import annotations

from typing import Any


def get(data: Any, *path) -> Any:
    for key in path:
        if isinstance(key, int):
            if not isinstance(data, list) or key >= len(data):
                return None
        elif not isinstance(data, dict):
            return None
        data = data[key] if isinstance(key, int) else data.get(key)
    return data


def text(data: Any, *path) -> str | None:
    value = get(data, *path)
    return value if isinstance(value, str) else None


def items(data: Any, key: str):
    """(index, mapping) for each mapping item of the list at `key`."""
    value = get(data, key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, dict):
                yield i, item


def strings(data: Any, key: str):
    """(index, text) for each text item of the list at `key`."""
    value = get(data, key)
    if isinstance(value, list):
        for i, item in enumerate(value):
            if isinstance(item, str):
                yield i, item


def field_name(path) -> str:
    """`excerpts[0].quote`: a path as an editor reads it."""
    return ".".join(str(p) if isinstance(p, str) else f"[{p}]" for p in path).replace(".[", "[") or "the file"


def walk(data: Any, path: tuple = (), keys: bool = False):
    """(path, text, is_key) for every text value, and every key when `keys`, in document order."""
    if isinstance(data, dict):
        for key, value in data.items():
            if keys:
                yield path + (key,), key, True
            yield from walk(value, path + (key,), keys)
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield from walk(value, path + (i,), keys)
    elif isinstance(data, str):
        yield path, data, False
