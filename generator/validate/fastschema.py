"""A fast yes/maybe check of a document against the JSON Schemas, before jsonschema.

jsonschema takes about 1.2 ms per claim, most of it walking the schema and
resolving `$ref`s. Nearly every document is valid, so the schema rule first asks
a predicate compiled here from the same schema files: True means "certainly
valid", and jsonschema is skipped; False means "maybe not", and jsonschema runs
as before and reports the errors. The predicate errs only on the side of False:
any keyword it does not know, or a case where jsonschema's equality rules could
differ (enum of mixed types, uniqueItems over non-strings), makes it say False.
"""
from __future__ import annotations

import json
from collections.abc import Callable
from functools import cache
from pathlib import Path

from .ecma import ecma_regex

Check = Callable[[object], bool]

_ANNOTATIONS = {"$schema", "$id", "$defs", "title", "description", "format"}  # formats are not asserted
_TYPES: dict[str, Check] = {
    "object": lambda x: isinstance(x, dict),
    "array": lambda x: isinstance(x, list),
    "string": lambda x: isinstance(x, str),
    "integer": lambda x: isinstance(x, int) and not isinstance(x, bool),
    "boolean": lambda x: isinstance(x, bool),
    "null": lambda x: x is None,
}


class Unsupported(Exception):
    pass


class _Compiler:
    def __init__(self, schemas: dict[str, dict]) -> None:
        self.schemas = schemas
        self.refs: dict[str, Check] = {}

    def ref(self, base: str, ref: str) -> Check:
        doc, _, pointer = ref.partition("#")
        doc = doc or base
        key = f"{doc}#{pointer}"
        if key not in self.refs:
            slot: list[Check] = []
            self.refs[key] = lambda x: slot[0](x)  # recursion-safe placeholder
            node = self.schemas[doc]
            for part in filter(None, pointer.split("/")):
                node = node[part.replace("~1", "/").replace("~0", "~")]
            slot.append(self.compile(node, doc))
        return self.refs[key]

    def compile(self, schema, base: str) -> Check:
        if schema is True:
            return lambda x: True
        if not isinstance(schema, dict):
            raise Unsupported(repr(schema))
        checks: list[Check] = []
        for key, value in schema.items():
            if key in _ANNOTATIONS:
                continue
            checks.append(self.keyword(key, value, schema, base))
        if len(checks) == 1:
            return checks[0]
        return lambda x: all(c(x) for c in checks)

    def keyword(self, key: str, value, schema: dict, base: str) -> Check:
        if key == "$ref":
            return self.ref(base, value)
        if key == "type":
            if value not in _TYPES:
                raise Unsupported(f"type {value!r}")
            return _TYPES[value]
        if key == "properties":
            props = {k: self.compile(v, base) for k, v in value.items()}
            return lambda x: not isinstance(x, dict) or all(props[k](v) for k, v in x.items() if k in props)
        if key == "required":
            return lambda x: not isinstance(x, dict) or all(k in x for k in value)
        if key == "additionalProperties":
            if set(schema) & {"patternProperties"}:
                raise Unsupported("patternProperties")
            known = set(schema.get("properties", ()))
            if value is False:
                return lambda x: not isinstance(x, dict) or all(k in known for k in x)
            extra = self.compile(value, base)
            return lambda x: not isinstance(x, dict) or all(extra(v) for k, v in x.items() if k not in known)
        if key == "propertyNames":
            names = self.compile(value, base)
            return lambda x: not isinstance(x, dict) or all(names(k) for k in x)
        if key == "items":
            if "prefixItems" in schema:
                raise Unsupported("prefixItems")
            item = self.compile(value, base)
            return lambda x: not isinstance(x, list) or all(item(v) for v in x)
        if key in ("minItems", "minProperties"):
            kind = list if key == "minItems" else dict
            return lambda x: not isinstance(x, kind) or len(x) >= value
        if key == "minLength":
            return lambda x: not isinstance(x, str) or len(x) >= value
        if key == "pattern":
            rx = ecma_regex(value)
            return lambda x: not isinstance(x, str) or rx.search(x) is not None
        if key == "anyOf":
            branches = [self.compile(s, base) for s in value]
            return lambda x: any(b(x) for b in branches)
        if key == "enum":
            allowed = list(value)
            return lambda x: any(type(a) is type(x) and a == x for a in allowed)
        if key == "uniqueItems":
            if not value:
                return lambda x: True
            return lambda x: not isinstance(x, list) or (
                all(type(v) is str for v in x) and len(set(x)) == len(x))
        raise Unsupported(key)


@cache
def predicate(schema_dir: Path, name: str) -> Check | None:
    """The certainly-valid check for `<name>.schema.json`, or None if its schema uses unsupported keywords."""
    schemas = {}
    for path in schema_dir.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        schemas[schema["$id"]] = schema
    try:
        return _Compiler(schemas).ref(f"{name}.schema.json", "")
    except (Unsupported, KeyError):
        return None
