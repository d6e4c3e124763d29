"""The JSON Schemas in generator/schemas/ — the same files editors' IDEs use — enforced here.

jsonschema's errors are turned into editor-grade diagnostics: each points at
the offending key or value and says how to fix it. Dates, URLs and ids have
rules of their own with better messages, so their pattern errors are left
to those rules.
"""
from __future__ import annotations

import difflib
import json
import math
from functools import cache
from pathlib import Path

from jsonschema import Draft202012Validator, validators
from jsonschema.exceptions import ValidationError
from referencing import Registry, Resource

from ... import chars
from ...load.tree import REGISTRIES
from ...load.yaml_source import Document
from ..ecma import ecma_regex
from ..fastschema import predicate
from ..registry import rule
from ._access import field_name

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "schemas"
LANGUAGE_NAMES = {"ar": "Arabic", "en": "English"}
_SLUG = json.loads((SCHEMA_DIR / "defs.schema.json").read_text(encoding="utf-8"))["$defs"]["slug"]["pattern"]


def _ecma_pattern(validator, pattern, instance, schema):
    """jsonschema's `pattern` uses Python's `re.search`: `$` would match before a final newline."""
    if validator.is_type(instance, "string") and not ecma_regex(pattern).search(instance):
        yield ValidationError(f"{instance!r} does not match {pattern!r}")


Validator = validators.extend(Draft202012Validator, {"pattern": _ecma_pattern})


@cache
def validator(name: str) -> Draft202012Validator:
    resources = []
    for path in SCHEMA_DIR.glob("*.schema.json"):
        schema = json.loads(path.read_text(encoding="utf-8"))
        resources.append((schema["$id"], Resource.from_contents(schema)))
    registry = Registry().with_resources(resources)
    schema = registry.contents(f"{name}.schema.json")
    return Validator(schema, registry=registry)


def _describe(value) -> str:
    if isinstance(value, bool):
        return f"the YAML boolean `{str(value).lower()}`"
    if value is None:
        return "nothing (an empty value)"
    if isinstance(value, float) and not math.isfinite(value):  # as YAML writes it
        return f"the number `{'.nan' if math.isnan(value) else '-.inf' if value < 0 else '.inf'}`"
    if isinstance(value, (int, float)):
        return f"the number `{value}`"
    if isinstance(value, str):
        return "text"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


_EXPECTED = {"string": "text", "object": "a mapping of `key: value` lines", "array": "a list of `- ` items",
             "integer": "a whole number"}


def _is_text(schema: dict) -> bool:
    return set(schema.get("required", ())) == {"ar", "en"}


def _type_help(err: ValidationError, expected: str) -> str:
    value = err.instance
    if expected == "string" and isinstance(value, (bool, int, float)) or (expected == "string" and value is None):
        shown = "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
        return f'put the value in quotes: `{err.path[-1] if err.path else "field"}: "{shown}"`' if shown else \
            "write the text after the colon, or remove the field"
    if expected == "object" and _is_text(err.schema):
        return "write the text in both languages, on two indented lines: `ar: …` and `en: …`"
    if expected == "array":
        return "write each item on its own line starting with `- `"
    return f"write {_EXPECTED.get(expected, expected)} here"


def _diagnostics(doc: Document, err: ValidationError):
    path = tuple(err.absolute_path)
    v = err.validator
    if v in ("pattern", "enum") and isinstance(err.instance, str) and chars.unsafe(err.instance):
        return  # an invisible character: the character rule names it (characters.py)
    if v == "required":
        missing = [k for k in err.validator_value if isinstance(err.instance, dict) and k not in err.instance]
        for key in missing:
            if _is_text(err.schema):
                yield doc.diag(path, "translation-missing",
                               f"`{field_name(path)}` has no {LANGUAGE_NAMES[key]} text (`{key}:`)",
                               f"add `{key}: …` under `{field_name(path)}`; both languages are required")
            else:
                yield doc.diag(path, "schema-required", f"required field `{key}` is missing"
                               + (f" in `{field_name(path)}`" if path else ""),
                               f"add `{key}:`; see the README's content formats")
    elif v == "additionalProperties":
        allowed = sorted(err.schema.get("properties", {}))
        for key in sorted(set(err.instance) - set(allowed)):
            if chars.unsafe(key):
                continue  # as above
            close = difflib.get_close_matches(key, allowed, n=1, cutoff=0.6)
            hint = f"did you mean `{close[0]}`?" if close else f"allowed here: {', '.join(allowed)}"
            yield doc.diag(path + (key,), "schema-unknown-key", f"unknown field `{key}`", hint)
    elif v == "type":
        expected = err.validator_value
        yield doc.diag(path, "schema-type",
                       f"`{field_name(path)}` must be {_EXPECTED.get(expected, expected)}, "
                       f"found {_describe(err.instance)}",
                       _type_help(err, expected), key=False)
    elif v == "anyOf":
        if isinstance(err.instance, dict):  # the {ar, en} branch: report its own errors
            for sub in err.context:
                if sub.validator != "type":
                    yield from _diagnostics(doc, sub)
        else:
            yield doc.diag(path, "schema-type",
                           f"`{field_name(path)}` must be text or a mapping `{{ar: …, en: …}}`, "
                           f"found {_describe(err.instance)}", "write the text, in quotes if unsure", key=False)
    elif v in ("minLength", "minItems", "minProperties"):
        what = {"minLength": "is empty", "minItems": "needs at least one item",
                "minProperties": "is empty"}[v]
        yield doc.diag(path, "schema-empty", f"`{field_name(path)}` {what}",
                       "fill it in; see the README's content formats", key=False)
    elif v == "enum":
        yield doc.diag(path, "schema-enum", f"`{field_name(path)}` must be one of "
                       + ", ".join(f"`{x}`" for x in err.validator_value) + f", not `{err.instance}`",
                       f"write one of: {', '.join(map(str, err.validator_value))}", key=False)
    elif v == "uniqueItems":
        yield doc.diag(path, "schema-duplicate-item", f"`{field_name(path)}` lists the same item twice",
                       "remove the repeated item", key=False)
    elif v == "pattern":
        if "format" in err.schema:
            return  # dates and URLs: see dates.py and urls.py
        if "propertyNames" in err.absolute_schema_path:  # a registry key: jsonschema reports it without a path
            yield doc.diag(path + (err.instance,), "id-invalid", f"`{err.instance}` is not a valid key",
                           "keys are lowercase ASCII letters, digits and single hyphens, such as `mostly-accurate`")
            return
        if err.validator_value != _SLUG:  # a colour, say: not an id
            yield doc.diag(path, "schema-pattern",
                           f"`{field_name(path)}` does not have the expected form: `{err.instance}`",
                           f"expected: {err.schema.get('description') or err.validator_value}", key=False)
            return
        yield doc.diag(path, "id-invalid", f"`{err.instance}` is not a valid id",
                       "ids are lowercase ASCII letters, digits and single hyphens, such as `death-toll`",
                       key=False)
    else:
        yield doc.diag(path, "schema", err.message, "see the README's content formats", key=False)


def check_schema(name: str, doc: Document):
    certainly_valid = predicate(SCHEMA_DIR, name)
    if certainly_valid is not None and certainly_valid(doc.data):
        return  # jsonschema would find nothing; it runs only where there may be errors
    for err in validator(name).iter_errors(doc.data):
        yield from _diagnostics(doc, err)


def _schema_rule(kind: str) -> None:
    """Register the schema check of one kind of file; the schema file is named after the kind."""
    def schema(doc, ctx):
        return check_schema(kind, doc)

    schema.__name__ = kind
    rule(kind)(schema)


for _kind in (*REGISTRIES, "article", "claim"):
    _schema_rule(_kind)
