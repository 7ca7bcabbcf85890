"""Secrets in the Python API: returned secrets are ``Secret`` objects read explicitly, reprs never
show them, and a secret is sent only inside TLS, under the device's ``security=1`` cipher, or
after the explicit ``allow_plaintext_secrets()`` opt-in (refused before sending otherwise)."""

from __future__ import annotations

import pickle

import pytest

import hikproto
from hikproto.sim import Simulator

PW = "Qz7!Adm1n#Pw"
CODE = "Kq7Vz3Wm9"
KEY = "isupK3y-Xq9zR"
OP_PW = "Op3r!Tq#Pw77"


def _puts(sd: object, path: str) -> int:
    eps = sd.stats().endpoints  # type: ignore[attr-defined]
    return sum(v for k, v in eps.to_dict().items() if k.split(" ", 1)[0] != "GET" and path in k)


def test_secret_reprs_and_explicit_reading() -> None:
    s = hikproto.Secret(CODE)
    assert CODE not in repr(s) and CODE not in str(s) and CODE not in f"{s} {s!r}"
    assert s.reveal() == CODE and s == CODE and s == hikproto.Secret(CODE) and s != "other"
    with pytest.raises(TypeError):
        pickle.dumps(s)
    r = hikproto.Record({"userName": "admin", "password": PW, "verificationCode": CODE, "port": 80})
    assert PW not in repr(r) and CODE not in repr(r) and "admin" in repr(r) and "80" in repr(r)
    assert r.password == PW  # the value itself is there when asked for


def test_secret_operations_refused_in_clear_then_protected() -> None:
    with Simulator(devices=1, password=PW, https=True) as sim:
        sd = sim[0]
        dev = sd.client()
        # the ISUP key: no cipher covers it; refused over plain HTTP before any write
        with pytest.raises(hikproto.InvalidArgumentError, match="allow_plaintext_secrets") as e:
            dev.set_ehome(enabled=True, host="192.0.2.5", device_id="d1", key=KEY)
        assert "HTTPS" in str(e.value) and "security=1" in str(e.value) and KEY not in str(e.value)
        assert _puts(sd, "Ehome") == 0
        # inside TLS
        sd.client(https=True).set_ehome(enabled=True, host="192.0.2.5", device_id="d1", key=KEY)
        assert _puts(sd, "Ehome") == 1
        # with the explicit opt-in
        dev.allow_plaintext_secrets().set_ehome(key=KEY)
        assert _puts(sd, "Ehome") == 2
        # the simulated camera offers security=1: users and the code go encrypted
        dev.add_user("oper1", OP_PW)
        dev.set_verification_code(CODE)
        got = dev.verification_code()
        assert isinstance(got, hikproto.Secret) and got == CODE and CODE not in repr(got)
        assert all(CODE not in repr(x) and OP_PW not in repr(x) for x in (dev.ezviz(), dev.users()))
        # a reset route has no cipher: refused over plain HTTP, nothing sent at all
        anon = sd.client(user=None)
        before = sd.stats().requests
        with pytest.raises(hikproto.InvalidArgumentError, match="allow_plaintext_secrets"):
            anon.reset_with_email_code("ZZZZZZZZ", "N3w-Passw0rd!q")
        assert sd.stats().requests == before
        with pytest.raises(hikproto.HikprotoError) as wrong:
            anon.allow_plaintext_secrets().reset_with_email_code("ZZZZZZZZ", "N3w-Passw0rd!q")
        assert not isinstance(wrong.value, hikproto.InvalidArgumentError)
        assert sd.stats().requests > before


# Methods that change the device, wait, or take secrets: never called by the read scan below.
_NOT_READS = (
    "set_", "change_", "delete", "add_", "reset_with", "enable_", "disable_", "factory_", "reboot",
    "unbind", "activate", "export_", "login", "logout", "close", "clear_", "wait_", "allow_",
    "use_", "put_", "post_", "request", "get_", "check_",
)


def _texts(x: object, depth: int = 0) -> list:
    """repr and str of a returned object and of everything inside it."""
    out = [repr(x), str(x)]
    if depth > 4:
        return out
    inner: list = []
    if isinstance(x, (list, tuple, set, frozenset)):
        inner = list(x)
    elif isinstance(x, dict):
        inner = list(x.values())
    elif hasattr(x, "to_dict"):
        try:
            inner = list(x.to_dict().values())  # type: ignore[attr-defined]
        except TypeError:
            inner = []
    for v in inner:
        if isinstance(v, (hikproto.Record, list, tuple, dict)) or hasattr(v, "to_dict"):
            out += _texts(v, depth + 1)
    return out


def test_no_read_result_prints_a_secret() -> None:
    """Every read method of a device (all the methods callable without arguments that change
    nothing) on a device holding every kind of secret: the repr and str of each result, and of
    each record inside it, carry none of them."""
    import base64
    import inspect

    answers = {1: "Zebrafish42", 2: "Quokkaville", 3: "Ultramarine7"}
    secrets = [PW, CODE, KEY, OP_PW, *answers.values()]
    with Simulator(devices=1, password=PW, https=True) as sim:
        sd = sim[0]
        dev = sd.client()
        dev.add_user("oper1", OP_PW)
        dev.set_verification_code(CODE)
        dev.set_security_questions(answers)
        sd.client(https=True).set_ehome(enabled=True, host="192.0.2.5", device_id="d1", key=KEY)
        called = []
        for name, fn in inspect.getmembers(type(dev), callable):
            if name.startswith("_") or name.startswith(_NOT_READS):
                continue
            params = list(inspect.signature(fn).parameters.values())[1:]
            if any(p.default is inspect.Parameter.empty and p.kind is not p.VAR_KEYWORD for p in params):
                continue
            try:
                result = getattr(dev, name)()
            except hikproto.HikprotoError as e:
                result = e  # a refusal is output too
            called.append(name)
            for text in _texts(result):
                for s in secrets:
                    for form in (s, base64.b64encode(s.encode()).decode().rstrip("=")):
                        assert form not in text, f"{name}() prints the secret {s!r}: {text}"
        # the scan read the whole surface, including the reads that touch secrets
        assert len(called) >= 20, called
        for must in ("verification_code", "ezviz", "users", "ehome", "security_questions", "doctor"):
            assert must in called, called
