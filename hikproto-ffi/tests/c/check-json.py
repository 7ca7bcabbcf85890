#!/usr/bin/env python3
"""The C suite's JSON checks.

1. Every JSON document the C tests kept (save_json / CHECK_JSON in check.h, written to the
   folder given as the first argument) is valid against the schema of the function that made
   it, hikproto-ffi/schema/<function>.json. A document without a schema fails, and so does a
   schema without any document (every JSON-returning function is exercised by the suite).
2. Keys are always present: in every schema, an object with a fixed set of keys
   (`additionalProperties: false`) lists every one as required; a value that can be absent is
   `null` (the schema's type admits null), never a missing key.
3. The header's prose names only keys that exist: in the documentation of every function that
   has a schema, each `"name":` (a quoted key followed by a colon, the form the header uses for
   JSON shapes) must be a property name somewhere in that function's schema.

Usage: check-json.py JSON_DIR   (exit status 0 when both hold; needs python3-jsonschema)
"""

import json
import pathlib
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("check-json.py needs the jsonschema module (pip install jsonschema / apt-get install python3-jsonschema)")

FFI = pathlib.Path(__file__).resolve().parents[2]
SCHEMAS = FFI / "schema"
HEADER = FFI / "include" / "hikproto.h"


def property_names(schema, out):
    """Every property name declared anywhere in a schema."""
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            out.add(name)
            property_names(sub, out)
        for key in ("items", "additionalProperties"):
            property_names(schema.get(key), out)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                property_names(sub, out)
    return out


def optional_keys(schema, path, out):
    """Paths of keys an object with a fixed key set declares but does not require."""
    if isinstance(schema, dict):
        props = schema.get("properties")
        if props is not None and schema.get("additionalProperties") is False:
            required = set(schema.get("required", []))
            out.extend(f"{path}.{k}" for k in props if k not in required)
        for name, sub in (props or {}).items():
            optional_keys(sub, f"{path}.{name}", out)
        for key in ("items", "additionalProperties"):
            optional_keys(schema.get(key), f"{path}[]" if key == "items" else f"{path}{{}}", out)
        for key in ("anyOf", "oneOf", "allOf"):
            for sub in schema.get(key, []):
                optional_keys(sub, path, out)
        for name, sub in schema.get("$defs", {}).items():
            optional_keys(sub, f"#{name}", out)
    return out


def header_docs():
    """Documentation comment lines of each function in the header, by function name."""
    docs, pending = {}, []
    for line in HEADER.read_text().splitlines():
        stripped = line.strip()
        if stripped.startswith("//"):
            pending.append(stripped[2:])
            continue
        m = re.search(r"\b(hikproto_\w+)\(", line)
        if m and pending:
            docs[m.group(1)] = "\n".join(pending)
        if stripped and not stripped.startswith("//"):
            pending = [] if stripped.endswith(";") or m else pending
        if not stripped:
            pending = []
    return docs


def main():
    folder = pathlib.Path(sys.argv[1])
    failures, checked = [], 0
    schemas = {p.stem: json.loads(p.read_text()) for p in SCHEMAS.glob("*.json")}
    for doc in sorted(folder.glob("*.json")):
        function = doc.name.split(".")[0]
        schema = schemas.get(function)
        if schema is None:
            failures.append(f"{doc.name}: no schema {function}.json")
            continue
        try:
            jsonschema.validate(json.loads(doc.read_text()), schema)
            checked += 1
        except (jsonschema.ValidationError, json.JSONDecodeError) as e:
            failures.append(f"{doc.name}: {str(e).splitlines()[0]}")
    seen = {doc.name.split(".")[0] for doc in folder.glob("*.json")}
    for function in sorted(set(schemas) - seen):
        failures.append(f"schema {function}.json: no document of the C suite was checked against it")
    for function, schema in schemas.items():
        for key in optional_keys(schema, function, []):
            failures.append(f"schema {key}: a fixed key that is not required (keys are always present)")
    docs = header_docs()
    keys_checked = 0
    for function, schema in schemas.items():
        if function not in docs:
            failures.append(f"schema {function}.json: no such function documented in hikproto.h")
            continue
        names = property_names(schema, set())
        free = schema.get("type") == "object" and "properties" not in schema
        for key in re.findall(r'"([A-Za-z_][A-Za-z0-9_]*)"\s*:', docs[function]):
            keys_checked += 1
            if key not in names and not free:
                failures.append(f"hikproto.h, {function}: names key \"{key}\", which its schema does not have")
    for f in failures:
        print("FAIL", f)
    print(f"{checked} documents valid against {len(schemas)} schemas; {keys_checked} header keys checked; {len(failures)} failures")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
