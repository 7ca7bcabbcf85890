"""What needs no device: the package, decoding, the exception hierarchy, argument checks, and
transport failures against closed or silent loopback ports."""

from __future__ import annotations

import socket
import threading
import time
from typing import Iterator

import pytest

import hikproto
from hikproto import _hikproto

RESPONSE_STATUS = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<ResponseStatus version="2.0" xmlns="http://www.isapi.org/ver20/XMLSchema">'
    b"<requestURL>/ISAPI/System/Network/EZVIZ</requestURL><statusCode>6</statusCode>"
    b"<statusString>Invalid Content</statusString><subStatusCode>badParameters</subStatusCode>"
    b"<errorCode>1610637344</errorCode></ResponseStatus>"
)


def test_version_and_layout() -> None:
    assert hikproto.__version__ == _hikproto.__version__
    assert hikproto.__version__[0].isdigit()
    assert _hikproto.__name__ == "hikproto._hikproto"
    assert "device_info" in _hikproto.operations()


def test_decode_response_status_bytes_and_str() -> None:
    d = hikproto.decode(RESPONSE_STATUS)
    assert d.kind == "ResponseStatus"
    assert d.value["statusCode"] == 6
    assert d.value["subStatusCode"] == "badParameters"
    assert d.value["errorCode"] == 1610637344
    assert hikproto.decode(RESPONSE_STATUS.decode()) == d
    assert d.to_dict()["kind"] == "ResponseStatus"


def test_decode_json_status() -> None:
    d = hikproto.decode('{"statusCode": 4, "subStatusCode": "notSupport", "errorCode": 1073741825}')
    assert d.kind == "ResponseStatus"
    assert d.value["subStatusCode"] == "notSupport"


@pytest.mark.parametrize(
    "doc",
    [b"", b"   ", b"<nope", b"<Unknown/>", b"{not json", b'{"other": 1}', b"<a>" * 10000],
)
def test_decode_errors_are_typed(doc: bytes) -> None:
    with pytest.raises(hikproto.DecodeError) as ei:
        hikproto.decode(doc)
    assert isinstance(ei.value, hikproto.HikprotoError)
    assert ei.value.what


def test_decode_rejects_other_types() -> None:
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.decode(123)  # type: ignore[arg-type]


def test_exception_hierarchy() -> None:
    h = hikproto
    for cls in (
        h.TransportError,
        h.DeviceTimeoutError,
        h.AuthenticationError,
        h.DeviceError,
        h.DecodeError,
        h.InvalidArgumentError,
    ):
        assert issubclass(cls, h.HikprotoError)
    assert issubclass(h.HikprotoError, Exception)
    assert issubclass(h.TlsError, h.TransportError)
    assert issubclass(h.LockedError, h.AuthenticationError)
    assert issubclass(h.CredentialLatchedError, h.AuthenticationError)
    for cls in (h.NotSupportedError, h.NotActivatedError, h.AlreadyActivatedError):
        assert issubclass(cls, h.DeviceError)
    assert h.HikprotoError.__module__ == "hikproto"


def test_constructor_validation() -> None:
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("")
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", None, "secret-without-user")
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", timeout=0)
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", timeout=float("nan"))
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", pin_sha256="zz")
    for port in (70000, 0, -1):
        with pytest.raises(hikproto.InvalidArgumentError):
            hikproto.Device("127.0.0.1", port=port)
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1:")
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Fleet([], concurrency=0)


def test_repr_never_shows_password() -> None:
    d = hikproto.Device("127.0.0.1", "admin", "Sup3rSecret!", port=8080)
    assert "Sup3rSecret" not in repr(d)
    assert d.base_url == "http://127.0.0.1:8080"
    assert d.user == "admin"
    ipv6 = hikproto.Device("::1", port=8080)
    assert ipv6.base_url == "http://[::1]:8080"


def test_unknown_operation_and_arguments() -> None:
    inner = hikproto.Device("127.0.0.1", port=9)._inner
    with pytest.raises(hikproto.InvalidArgumentError, match="unknown operation"):
        inner.call("format_disk", {})
    with pytest.raises(hikproto.InvalidArgumentError, match="unknown argument"):
        inner.call("device_info", {"bogus": 1})
    with pytest.raises(hikproto.InvalidArgumentError, match="missing argument"):
        inner.call("get_xml", {})
    with pytest.raises(hikproto.InvalidArgumentError, match="wrong type"):
        inner.call("get_xml", {"path": 5})
    with pytest.raises(hikproto.InvalidArgumentError, match="not well-formed"):
        hikproto.Device("127.0.0.1", port=9).put_xml("/ISAPI/x", "<a><b></a>")
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", port=9).put_json("/ISAPI/x", {"v": float("nan")})
    with pytest.raises(hikproto.InvalidArgumentError):
        hikproto.Device("127.0.0.1", port=9).put_json("/ISAPI/x", {"v": object()})
    with pytest.raises(hikproto.InvalidArgumentError, match="method"):
        hikproto.Device("127.0.0.1", port=9).request("PATCH", "/ISAPI/x")


def _closed_port() -> int:
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port: int = s.getsockname()[1]
    s.close()
    return port


def test_connection_refused_is_transport_error() -> None:
    port = _closed_port()
    with hikproto.Device("127.0.0.1", "admin", "pw", port=port, timeout=5) as dev:
        with pytest.raises(hikproto.TransportError) as ei:
            dev.device_info()
        assert ei.value.host == f"127.0.0.1:{port}"
        assert "pw" not in str(ei.value).split("127.0.0.1")[0]
    assert dev.closed
    with pytest.raises(hikproto.InvalidArgumentError, match="closed"):
        dev.device_info()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A loopback listener that accepts connections and never answers (a hung device)."""
    srv = socket.socket()
    srv.bind(("127.0.0.1", 0))
    srv.listen(64)
    conns = []
    stop = threading.Event()

    def accept() -> None:
        srv.settimeout(0.1)
        while not stop.is_set():
            try:
                c, _ = srv.accept()
                conns.append(c)
            except OSError:
                continue

    t = threading.Thread(target=accept, daemon=True)
    t.start()
    yield srv.getsockname()[1]
    stop.set()
    t.join()
    for c in conns:
        c.close()
    srv.close()


def test_timeout_is_typed_and_releases_the_gil(silent_port: int) -> None:
    dev = hikproto.Device("127.0.0.1", "admin", "pw", port=silent_port, timeout=1.0)
    ticks = []
    stop = threading.Event()

    def ticker() -> None:
        while not stop.is_set():
            ticks.append(time.monotonic())
            time.sleep(0.01)

    t = threading.Thread(target=ticker)
    t.start()
    t0 = time.monotonic()
    with pytest.raises(hikproto.DeviceTimeoutError) as ei:
        dev.device_info()
    elapsed = time.monotonic() - t0
    stop.set()
    t.join()
    assert 0.9 <= elapsed < 5
    assert ei.value.after == pytest.approx(1.0)
    assert ei.value.operation
    # The other thread kept running while the call waited: the GIL was released.
    assert len(ticks) > 30


def test_threads_share_one_handle(silent_port: int) -> None:
    dev = hikproto.Device("127.0.0.1", port=silent_port, timeout=0.5)
    errors = []

    def worker() -> None:
        try:
            dev.device_info()
        except hikproto.HikprotoError as e:
            errors.append(type(e))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    t0 = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    # Eight half-second timeouts in parallel, not in series.
    assert time.monotonic() - t0 < 3
    assert errors == [hikproto.DeviceTimeoutError] * 8
