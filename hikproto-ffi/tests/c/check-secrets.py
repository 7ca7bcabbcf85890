#!/usr/bin/env python3
"""No JSON document the C library returned in the C suite carries a secret of the tests.

The secrets are the values of the `#define`s in hikproto-ffi/tests/c/*.c whose names say they
hold one (PASSWORD, PW0, FIRST … FOURTH, ISUP_KEY, OPERATOR_PW, *CODE*, *ANSWER*, *SECRET*).
Every document kept by save_json / CHECK_JSON (the folder given as the first argument) is
searched for each of them in clear and in base64. No function of the C library returns a secret
in JSON (generated secrets come back as plain strings to their generator), so any hit fails.

Usage: check-secrets.py JSON_DIR   (exit status 0 when no document carries a secret)
"""

import base64
import pathlib
import re
import sys

TESTS = pathlib.Path(__file__).resolve().parent
SECRET_NAME = re.compile(r"^(?:\w*PASSWORD\w*|PW\d*|OPERATOR_PW\d*|FIRST|SECOND|THIRD|FOURTH|\w*KEY\w*|\w*CODE\w*|\w*ANSWER\w*|\w*SECRET\w*)$")
DEFINE = re.compile(r'^#define\s+(\w+)\s+"([^"]+)"', re.M)


def test_secrets():
    """(name, value) of every secret the C tests define."""
    found = set()
    for src in sorted(TESTS.glob("*.c")):
        for name, value in DEFINE.findall(src.read_text()):
            if SECRET_NAME.match(name):
                found.add((f"{src.name}:{name}", value))
    return sorted(found)


def forms(value):
    """The forms a secret must not take in a document: clear and base64."""
    out = [value]
    if len(value) >= 6:
        out.append(base64.b64encode(value.encode()).decode().rstrip("="))
    return out


def hits(text, secrets):
    """The names of the secrets found in `text`."""
    return [name for name, value in secrets if any(f in text for f in forms(value))]


def main():
    folder = pathlib.Path(sys.argv[1])
    secrets = test_secrets()
    # the scan must be able to fail: a planted secret is found
    assert secrets, "no secrets found in the C tests' #defines"
    planted = '{"x":"%s"}' % secrets[0][1]
    assert secrets[0][0] in hits(planted, secrets), "the scan finds a planted secret"
    docs = sorted(folder.glob("*.json"))
    failures = []
    for doc in docs:
        for name in hits(doc.read_text(errors="replace"), secrets):
            failures.append(f"{doc.name}: carries the secret {name}")
    for f in failures:
        print("FAIL", f)
    print(f"{len(docs)} documents scanned for {len(secrets)} secrets; {len(failures)} failures")
    return 1 if failures or not docs else 0


if __name__ == "__main__":
    sys.exit(main())
