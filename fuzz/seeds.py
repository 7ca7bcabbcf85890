#!/usr/bin/env python3
"""Writes the seed corpora (git-ignored) for every fuzz target.

Sources: the real device responses in tests/fixtures (the repository's copy), what a running
hikproto-sim answers over loopback (ISAPI bodies in XML and JSON, WWW-Authenticate headers,
session-login capabilities, SADP XML replies), and a few hand-made samples for formats the
simulator does not emit (binary SADP frames, label QR texts, reset files).

usage: seeds.py CORPUS_DIR FIXTURES_DIR [SIMULATOR_BINARY]
"""
import hashlib
import json
import os
import socket
import struct
import subprocess
import sys
import time
import urllib.error
import urllib.request

TARGETS = ["isapi_xml", "status_json", "www_authenticate", "session_cap", "sadp_xml",
           "sadp_binary", "reset_files", "label_qr", "decode_any"]
PASSWORD = "Seed-Pass-1"


def put(corpus, target, data):
    if isinstance(data, str):
        data = data.encode()
    d = os.path.join(corpus, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, "seed-" + hashlib.sha1(data).hexdigest()), "wb") as f:
        f.write(data)


def fixtures(corpus, root):
    n = 0
    for dirpath, _, files in os.walk(root):
        for name in files:
            if not name.endswith(".xml"):
                continue
            with open(os.path.join(dirpath, name), "rb") as f:
                data = f.read()
            for t in ("isapi_xml", "decode_any", "session_cap", "sadp_xml"):
                put(corpus, t, data)
            n += 1
    return n


def http(url, method="GET", body=None, auth=True):
    opener = urllib.request.build_opener()
    if auth:
        mgr = urllib.request.HTTPPasswordMgrWithDefaultRealm()
        mgr.add_password(None, url, "admin", PASSWORD)
        opener = urllib.request.build_opener(urllib.request.HTTPDigestAuthHandler(mgr))
    req = urllib.request.Request(url, data=body, method=method)
    try:
        with opener.open(req, timeout=5) as r:
            return r.status, r.headers, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.headers, e.read()


GETS = ["/ISAPI/System/deviceInfo", "/ISAPI/System/capabilities", "/ISAPI/System/time",
        "/ISAPI/System/time/ntpServers", "/ISAPI/System/time/ntpServers/1",
        "/ISAPI/Security/userCheck", "/ISAPI/Security/capabilities",
        "/ISAPI/Security/adminAccesses", "/ISAPI/Security/users",
        "/ISAPI/Security/extern/capabilities", "/ISAPI/Security/questionConfiguration",
        "/ISAPI/Security/email/parameter", "/ISAPI/Security/email/parameter/capabilities",
        "/ISAPI/System/Network/capabilities", "/ISAPI/System/Network/interfaces",
        "/ISAPI/System/Network/interfaces/1", "/ISAPI/System/Network/interfaces/1/ipAddress",
        "/ISAPI/System/Network/EZVIZ", "/ISAPI/System/Network/EZVIZ/capabilities",
        "/ISAPI/System/Network/Ehome", "/SDK/activateStatus",
        "/ISAPI/Security/sessionLogin/capabilities?username=admin",
        "/ISAPI/Security/illegalLoginLock", "/ISAPI/Security/unknownPath"]


def simulator(corpus, binary):
    port = 20000 + os.getpid() % 20000
    proc = subprocess.Popen([binary, "--devices", "2", "--password", PASSWORD,
                             "--sadp-port", str(port), "--json"],
                            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    n = 0
    try:
        info = json.loads(proc.stdout.readline())
        for dev in info["devices"]:
            base = dev["isapi_url"]
            for path in GETS:
                for suffix in ("", ("&" if "?" in path else "?") + "format=json"):
                    status, headers, body = http(base + path + suffix)
                    if body:
                        target = "status_json" if body.lstrip()[:1] == b"{" else "isapi_xml"
                        put(corpus, target, body)
                        put(corpus, "decode_any", body)
                        if b"SessionLoginCap" in body:
                            put(corpus, "session_cap", body)
                        n += 1
            status, headers, body = http(base + "/ISAPI/System/deviceInfo", auth=False)
            values = headers.get_all("WWW-Authenticate") or []
            if values:
                put(corpus, "www_authenticate", "\n".join(values))
                for v in values:
                    put(corpus, "www_authenticate", v)
                n += 1
            put(corpus, "status_json", body if body.lstrip()[:1] == b"{" else b"")
            put(corpus, "isapi_xml", body)
            if dev.get("sadp_addr"):
                host, p = dev["sadp_addr"].rsplit(":", 1)
                n += sadp(corpus, host, int(p), dev["mac"])
    finally:
        proc.terminate()
        proc.wait(timeout=10)
    return n


def sadp(corpus, host, port, mac):
    n = 0
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(2)
    probes = [
        f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>5E1F5B7C-0C3C-4E2E-9D0B-4B7B3C0E0001</Uuid><Types>inquiry</Types></Probe>',
        f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>5E1F5B7C-0C3C-4E2E-9D0B-4B7B3C0E0002</Uuid><MAC>{mac}</MAC><Types>getcode</Types></Probe>',
        f'<?xml version="1.0" encoding="utf-8"?><Probe><Uuid>5E1F5B7C-0C3C-4E2E-9D0B-4B7B3C0E0003</Uuid><MAC>{mac}</MAC><Types>getencryptstring</Types></Probe>',
    ]
    for p in probes:
        put(corpus, "sadp_xml", p)
        s.sendto(p.encode(), (host, port))
        try:
            while True:
                data, _ = s.recvfrom(65535)
                put(corpus, "sadp_xml", data)
                n += 1
                s.settimeout(0.3)
        except socket.timeout:
            s.settimeout(2)
    s.close()
    return n


def checksum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s > 0xffff:
        s = (s & 0xffff) + (s >> 16)
    return (~s) & 0xffff


def binary_frame(optype, payload):
    eth = b"\xff" * 6 + bytes.fromhex("02484b000001") + b"\x80\x33"
    head = bytes([0x21, 2, 1, 38 + len(payload)]) + struct.pack("!I", 7) + bytes([6, 4, optype, 0, 0, 0])
    head += bytes.fromhex("02484b000001") + bytes([192, 0, 2, 10]) + b"\xff" * 6
    head += bytes([255, 255, 255, 255, 255, 255, 255, 0])
    sadp_part = head + payload
    c = checksum(sadp_part)
    sadp_part = sadp_part[:12] + struct.pack("!H", c) + sadp_part[14:]
    return eth + sadp_part


def cstr(s, width):
    return s.encode().ljust(width, b"\0")


def hand_made(corpus):
    inquiry = binary_frame(0x01, socket.inet_pton(socket.AF_INET6, "fe80::1") + b"\0" * 12)
    info = (cstr("DS-2CD2143G0-I20190101AAWR123456789", 48) + struct.pack("<IIII", 0x3, 8000, 1, 0)
            + cstr("V5.5.0 build 170725", 48) + cstr("V7.3 build 170523", 48)
            + cstr("2024-01-01 00:00:00", 48))
    for frame in (inquiry, binary_frame(0x02, info[:200]), info, b"\0" * 52):
        put(corpus, "sadp_binary", frame)
    for text in ("www.ys7.com\n096823495\nABCDEF\nCS-T1-A/12M\nT001",
                 "www.xxx.com\r\n456654855\r\nABCDEF\r\nCS-C3-21PPFR\r\n",
                 "https://smart.jd.com/?f=www.ys7.com%0A096823495%0AABCDEF%0ACS-T1-A%2F12M",
                 "\ufeffwww.ys7.com 096823495 ABCDEF"):
        put(corpus, "label_qr", text)
    for reply in ("<?xml version=\"1.0\"?><Encrypt><serialNumber>123456789</serialNumber><Code>Ab3dE6g8</Code></Encrypt>",
                  "Ab3dE6g8", " 839201 ",
                  json.dumps({"format": "hikproto-sidecar/1", "kind": "guid", "size": 4,
                              "sha256": "00" * 32, "created_at": 1790000000}),
                  "\0" * 128):
        put(corpus, "reset_files", reply)
    for header in ('Digest realm="DS-2CD2386G2-IU", qop="auth", nonce="4e5468694e7a42', 
                   'Digest realm="IP Camera", qop="auth", algorithm=SHA-256, nonce="abc", opaque="x", stale=TRUE, Digest realm="IP Camera", nonce="abc", algorithm=MD5',
                   'Basic realm="NVR"'):
        put(corpus, "www_authenticate", header)
    put(corpus, "status_json", '{"statusCode":4,"statusString":"Invalid Operation","subStatusCode":"notSupport","errorCode":1073741825,"errorMsg":"notSupport"}')
    put(corpus, "status_json", '{"ResponseStatus":{"requestURL":"/ISAPI/System/activate","statusCode":1,"statusString":"OK","subStatusCode":"ok"}}')
    for pm in ('<?xml version="1.0" encoding="utf-8"?><ProbeMatch><Uuid>5E1F5B7C-0C3C-4E2E-9D0B-4B7B3C0E0001</Uuid><Types>inquiry</Types><DeviceType>139</DeviceType><DeviceDescription>DS-2CD2386G2-IU</DeviceDescription><DeviceSN>DS-2CD2386G2-IU20240315CCWR700000000</DeviceSN><CommandPort>8000</CommandPort><HttpPort>80</HttpPort><MAC>02-48-4b-00-00-00</MAC><IPv4Address>192.0.2.64</IPv4Address><IPv4SubnetMask>255.255.255.0</IPv4SubnetMask><IPv4Gateway>192.0.2.1</IPv4Gateway><DHCP>false</DHCP><SoftwareVersion>V5.7.3build 220112</SoftwareVersion><Activated>true</Activated><PasswordResetAbility>true</PasswordResetAbility><SupportHCPlatform>true</SupportHCPlatform><HCPlatformEnable>flase</HCPlatformEnable></ProbeMatch>',
               '<Hello><Uuid>1</Uuid><MAC>02-48-4b-00-00-01</MAC><DeviceType>30000</DeviceType><Activated>false</Activated></Hello>',
               '<ProbeMatch><Uuid>2</Uuid><Types>getcode</Types><MAC>02-48-4b-00-00-00</MAC><Result>success</Result><Code>QUJDREVGRw==</Code></ProbeMatch>',
               '<ProbeMatch><Uuid>3</Uuid><Types>activate</Types><Result>failed</Result><ErrorCode>2010</ErrorCode><LockInfo><RetryTimes>3</RetryTimes><ResidualTime>30</ResidualTime></LockInfo></ProbeMatch>'):
        put(corpus, "sadp_xml", pm)
    put(corpus, "session_cap", "<SessionLoginCap><sessionID>1</sessionID><challenge>abcd</challenge><iterations>100</iterations><isIrreversible>true</isIrreversible><salt>x</salt><salt2>y</salt2></SessionLoginCap>")


def main():
    corpus, fixtures_dir = sys.argv[1], sys.argv[2]
    binary = sys.argv[3] if len(sys.argv) > 3 else None
    for t in TARGETS:
        os.makedirs(os.path.join(corpus, t), exist_ok=True)
    if not os.path.isdir(os.path.join(fixtures_dir, "real-devices")):
        sys.exit(f"seeds: no real-devices/ folder in {fixtures_dir}: the fixtures are missing")
    n_fix = fixtures(corpus, fixtures_dir)
    if n_fix == 0:
        sys.exit(f"seeds: no fixture document read from {fixtures_dir}")
    n_sim = 0
    if binary:
        if not os.access(binary, os.X_OK):
            sys.exit(f"seeds: simulator binary {binary} is not executable")
        t0 = time.time()
        n_sim = simulator(corpus, binary)
        print(f"seeds: {n_sim} simulator answers in {time.time() - t0:.1f} s", file=sys.stderr)
    hand_made(corpus)
    counts = {t: len(os.listdir(os.path.join(corpus, t))) for t in TARGETS}
    print(f"seeds: {n_fix} fixture files, {n_sim} simulator answers; corpus sizes {counts}", file=sys.stderr)


if __name__ == "__main__":
    main()
