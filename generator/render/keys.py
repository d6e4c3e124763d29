"""Page keys: a digest of everything a page's Markdown is made from, so a page is rendered again only
when its key changes.

A page's Markdown is a function of its template (with the templates it imports, the interface strings
and the render code) and its context (render/pages.py: the context is all the template reads). The
key is a digest of both. Model objects (claims, articles, verdicts…) stand in the context's pickle as
their own digest, each computed once per run, so a listing of 100 claims costs 100 small hashes.

Equal keys mean equal Markdown. The converse may fail (an object shared differently pickles
differently); then a page is only rendered again, and the engine still skips it when its Markdown
did not change.
"""
from __future__ import annotations

import dataclasses
import hashlib
import io
import pickle
from pathlib import Path

from jinja2 import meta

from ..model import Claim
from ..settings import PROJECT_ROOT

RENDER_CODE = ("generator/render", "generator/model.py", "templates/strings.yaml")


def digest(data: bytes) -> bytes:
    return hashlib.blake2b(data, digest_size=16).digest()


def source_digest(*parts: str, root: Path = PROJECT_ROOT) -> bytes:
    """A digest of the bytes of files and folders (recursively) under root, in a stable order."""
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        path = root / part
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        for file in files:
            if "__pycache__" in file.parts or file.suffix == ".pyc":
                continue
            h.update(file.relative_to(root).as_posix().encode() + b"\0")
            h.update(digest(file.read_bytes()))
    return h.digest()


def template_digest(name: str, template_dir: Path) -> bytes:
    """The template, every template it imports or includes (recursively), and the render code."""
    from .env import environment

    env = environment(template_dir)
    seen, todo = set(), [name]
    while todo:
        current = todo.pop()
        if current in seen:
            continue
        seen.add(current)
        source = env.loader.get_source(env, current)[0]
        todo.extend(t for t in meta.find_referenced_templates(env.parse(source)) if t)
    h = hashlib.blake2b(source_digest(*RENDER_CODE), digest_size=16)
    for current in sorted(seen):
        h.update(current.encode() + b"\0" + digest((template_dir / current).read_bytes()))
    return h.digest()


class Identities:
    """The digest of each model object met in page contexts, computed once per run (by id: the objects
    live as long as the run's content, so no id is reused)."""

    def __init__(self, alive: object = None, known: dict[int, bytes] | None = None) -> None:
        """`known`: digests computed already, by id of objects that `alive` keeps alive (the content)."""
        self._alive = alive
        self._by_id: dict[int, tuple[object, bytes]] = {k: (None, v) for k, v in (known or {}).items() if v}

    def of(self, obj) -> bytes | None:
        hit = self._by_id.get(id(obj))
        if hit is None:
            if not (dataclasses.is_dataclass(obj) and not isinstance(obj, type)):
                return None
            hit = self._by_id[id(obj)] = (obj, digest(pickle.dumps(obj, protocol=pickle.HIGHEST_PROTOCOL)))
        return hit[1]


class _KeyPickler(pickle.Pickler):
    def __init__(self, file, identities: Identities, holds: set | None) -> None:
        super().__init__(file, protocol=pickle.HIGHEST_PROTOCOL)
        self.identities, self.holds = identities, holds

    def reducer_override(self, obj):  # not called for str, int, list, dict… (pickled by value)
        ident = self.identities.of(obj)
        if ident is None:
            return NotImplemented
        if self.holds is not None and isinstance(obj, Claim):
            self.holds.add(obj.id)
        return bytes, (ident,)


def page_key(template: bytes, context: dict, identities: Identities, holds: set | None = None) -> bytes:
    """The page's key; `holds`, if given, gets the ids of the claims its context holds."""
    buf = io.BytesIO()
    _KeyPickler(buf, identities, holds).dump(sorted(context.items()))
    return digest(template + buf.getbuffer())
