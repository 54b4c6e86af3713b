"""The sweep engine alone (no database): matching on boundaries and ranges, the log formats,
archives, and Sigma rules evaluated on parsed records."""

from __future__ import annotations

import datetime as dt
import gzip
import json
import zipfile
from pathlib import Path

import pytest

from incidentroom.threats.sweep import IndicatorMatcher, IndicatorSpec, run_sweep
from incidentroom.threats.sweep.formats import detect_format
from incidentroom.threats.sweep.sigma import RuleSet

pytestmark = pytest.mark.nodb
FIXTURES = Path(__file__).parent / "fixtures"
EVTX = FIXTURES / "Security_short_selected.evtx"


def _found(indicators: list[IndicatorSpec], text: str) -> list[tuple[int, str]]:
    return [(m.indicator_id, m.text) for m in IndicatorMatcher(indicators).scan(text.encode())]


def test_domains_match_on_label_boundaries_only() -> None:
    ind = [IndicatorSpec(1, "domain", "evil.example")]
    assert _found(ind, "GET https://mail.evil.example/login HTTP/1.1") == [(1, "evil.example")]
    assert _found(ind, "from evil.example.") == [(1, "evil.example")]
    assert _found(ind, "EVIL.EXAMPLE") == [(1, "EVIL.EXAMPLE")]
    assert _found(ind, "notevil.example and evil.example.org and evil.examples") == []


def test_addresses_match_by_range_and_exactly() -> None:
    ind = [
        IndicatorSpec(1, "ipv4", "203.0.113.0/20"),
        IndicatorSpec(2, "ipv4", "198.51.100.7"),
        IndicatorSpec(3, "ipv6", "2001:db8::/32"),
    ]
    text = "a 203.0.127.254 b 203.0.128.1 c 198.51.100.7:443 d 198.51.100.70 e 1198.51.100.7 f 2001:DB8:0::1 g 2001:db9::1"
    assert _found(ind, text) == [(1, "203.0.127.254"), (2, "198.51.100.7"), (3, "2001:DB8:0::1")]


def test_hashes_exactly_and_json_escaped_paths() -> None:
    sha = "a" * 63 + "b"
    ind = [
        IndicatorSpec(1, "sha256", sha),
        IndicatorSpec(2, "registry_key", "HKLM\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater"),
        IndicatorSpec(3, "command_line", "vssadmin delete shadows"),
    ]
    assert _found(ind, f"hash={sha.upper()};") == [(1, sha.upper())]
    assert _found(ind, f"hash=0{sha}") == []  # inside a longer hex string
    record = json.dumps(
        {"TargetObject": "\\REGISTRY\\MACHINE\\Software\\Microsoft\\Windows\\CurrentVersion\\Run\\updater"}
    )
    assert [i for i, _ in _found(ind, record)] == [2]
    assert [i for i, _ in _found(ind, "cmd /c VSSADMIN Delete Shadows /all /quiet")] == [3]


def test_email_senders_and_accounts_on_boundaries() -> None:
    ind = [
        IndicatorSpec(1, "email_sender", "payroll@evil.example"),
        IndicatorSpec(2, "user_account", "svc_backup"),
    ]
    assert [i for i, _ in _found(ind, "From: <Payroll@Evil.Example>")] == [1]
    assert _found(ind, "xpayroll@evil.example") == []
    assert [i for i, _ in _found(ind, "RBKC\\svc_backup logged on; svc_backup@rbkc.gov.uk")] == [2, 2]
    assert _found(ind, "svc_backup2 and old_svc_backup") == []


def test_formats_are_recognised(tmp_path: Path) -> None:
    assert detect_format("x.evtx", EVTX.read_bytes()[:65536]).name == "evtx"  # type: ignore[union-attr]
    samples = {
        "audit.csv": b'CreationDate,UserIds,Operations,AuditData\n2025-11-24T08:00:00,a@b,New-InboxRule,"{}"\n',
        "trace.csv": b"Received,SenderAddress,RecipientAddress,Subject\n",
        "fw.csv": b"time,src_ip,dst_ip,dst_port,action\n",
        "signins.json": b'[{"createdDateTime": "2025-11-24T08:00:00Z", "userPrincipalName": "a@b"}]',
        "audit.json": b'[{"CreationTime": "2025-11-24T08:00:00", "Operation": "X", "Workload": "Exchange"}]',
        "messages": b"Nov 24 08:10:01 fw01 sshd[1]: Accepted password\n",
        "cef.txt": b"CEF:0|Fortinet|FortiGate|7.0|1|deny|5|src=1.2.3.4 dst=5.6.7.8\n",
    }
    expected = {
        "audit.csv": "m365-audit-csv",
        "trace.csv": "exchange-trace",
        "fw.csv": "firewall-csv",
        "signins.json": "entra-signins",
        "audit.json": "m365-audit-json",
        "messages": "syslog",
        "cef.txt": "syslog",
    }
    for name, head in samples.items():
        fmt = detect_format(name, head)
        assert fmt is not None and fmt.name == expected[name], name
    assert detect_format("photo.jpg", b"\xff\xd8\xff\xe0\x00\x10JFIF\x00") is None


def test_evtx_sweep_reports_host_time_and_record(tmp_path: Path) -> None:
    result = run_sweep([EVTX], [IndicatorSpec(7, "ipv4", "23.94.153.202")])
    assert [(h.line, h.host, h.log_format) for h in result.hits] == [
        (1, "temporal", "evtx"),
        (4, "temporal", "evtx"),
    ]
    assert result.hits[0].time == dt.datetime(2016, 6, 29, 15, 24, 34, 346000, tzinfo=dt.UTC)
    assert result.hits[1].account == "Administrator"
    assert result.events == 7


def test_archives_are_opened_and_bad_members_reported(tmp_path: Path) -> None:
    log = b"Nov 24 08:10:01 fw01 kernel: DROP SRC=203.0.113.9 DST=10.0.0.1\n"
    (tmp_path / "in").mkdir()
    with gzip.open(tmp_path / "in" / "messages.gz", "wb") as gz:
        gz.write(log)
    with zipfile.ZipFile(tmp_path / "in" / "exports.zip", "w") as zf:
        zf.writestr("logs/Security.evtx", EVTX.read_bytes())
        zf.writestr("logs/broken.evtx", b"ElfFile\x00" + b"\x00" * 100)
        zf.writestr("logs/photo.jpg", b"\xff\xd8\xff\xe0 not a log")
    result = run_sweep(
        [tmp_path / "in"],
        [IndicatorSpec(1, "ipv4", "203.0.113.0/24"), IndicatorSpec(2, "ipv4", "23.94.153.202")],
        display_root=tmp_path / "in",
    )
    by_name = {f.name: f for f in result.files}
    assert by_name["messages.gz!messages"].format == "syslog"
    assert by_name["exports.zip!logs/Security.evtx"].events == 7
    assert (
        by_name["exports.zip!logs/broken.evtx"].status == "failed"
        and by_name["exports.zip!logs/broken.evtx"].reason
    )
    assert by_name["exports.zip!logs/photo.jpg"].status == "skipped"
    assert sorted((h.log, h.indicator_id) for h in result.hits) == [
        ("exports.zip!logs/Security.evtx", 2),
        ("exports.zip!logs/Security.evtx", 2),
        ("messages.gz!messages", 1),
    ]
    syslog_hit = next(h for h in result.hits if h.indicator_id == 1)
    assert syslog_hit.host == "fw01" and syslog_hit.time is not None and syslog_hit.time.hour == 8


def test_zip_bomb_is_skipped(tmp_path: Path) -> None:
    with zipfile.ZipFile(tmp_path / "bomb.zip", "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.log", b"a" * (300 * 1024 * 1024 // 100))  # 3 MB of one byte: ratio far above 200
    result = run_sweep([tmp_path / "bomb.zip"], [IndicatorSpec(1, "domain", "evil.example")])
    assert [f.status for f in result.files] == ["failed"]
    assert "bomb" in result.files[0].reason


def test_sigma_rules_on_evtx_and_m365(tmp_path: Path) -> None:
    rules = RuleSet.load()
    assert rules.skipped == []
    rows = [
        (
            "2025-11-24T08:00:00",
            "a@rbkc.example.gov.uk",
            "New-InboxRule",
            {
                "Operation": "New-InboxRule",
                "UserId": "a@rbkc.example.gov.uk",
                "CreationTime": f"2025-11-24T08:0{i}:00",
                "Parameters": [{"Name": "DeleteMessage", "Value": "True"}],
            },
        )
        for i in range(5)
    ]
    lines = ["CreationDate,UserIds,Operations,AuditData"]
    for created, user, op, data in rows:
        lines.append(f'{created},{user},{op},"{json.dumps(data).replace(chr(34), chr(34) * 2)}"')
    (tmp_path / "audit.csv").write_text("\n".join(lines) + "\n")
    signins = [
        {
            "createdDateTime": "2025-11-24T07:00:00Z",
            "userPrincipalName": "b@rbkc.example.gov.uk",
            "ipAddress": "81.2.69.142",
            "location": {"countryOrRegion": "GB"},
            "status": {"errorCode": 0},
        },
        {
            "createdDateTime": "2025-11-24T07:20:00Z",
            "userPrincipalName": "b@rbkc.example.gov.uk",
            "ipAddress": "185.220.101.7",
            "location": {"countryOrRegion": "RU"},
            "status": {"errorCode": 0},
        },
        {
            "createdDateTime": "2025-11-24T07:25:00Z",
            "userPrincipalName": "c@rbkc.example.gov.uk",
            "ipAddress": "185.220.101.8",
            "location": {"countryOrRegion": "RU"},
            "status": {"errorCode": 50126},
        },
    ]
    (tmp_path / "signins.json").write_text(json.dumps(signins))
    result = run_sweep([tmp_path], [], rules)
    titles = sorted(h.rule_title for h in result.hits)
    assert titles == [
        "Impossible Travel - Successful Sign-ins From Two Countries Within an Hour",
        "Mass Inbox Rule Creation by One Account",
    ]
    travel = next(h for h in result.hits if "Travel" in h.rule_title)
    assert travel.account == "b@rbkc.example.gov.uk" and travel.rule_author == "Incident Room project"
    assert travel.time == dt.datetime(2025, 11, 24, 7, 20, tzinfo=dt.UTC)


def test_sigma_conditions_follow_the_specification() -> None:
    from incidentroom.threats.sweep.model import Event

    rules = RuleSet.load(
        sorted(p for p in (Path(__file__).parents[2] / "src/incidentroom/threats/sigma_rules").glob("r*.yml"))
    )
    assert {r.info.title for r in rules.rules} == {
        "Shadow Copies Deletion Using Operating Systems Utilities",
        "External Remote RDP Logon from Public IP",
    }

    def event(
        fields: dict[str, object], service: str = "security", categories: tuple[str, ...] = ()
    ) -> Event:
        return Event(
            log="x",
            line=1,
            text=json.dumps(fields),
            fields=fields,
            logsource={"product": "windows", "service": service},
            categories=categories,
        )

    rdp = {"EventID": 4624, "LogonType": "10", "IpAddress": "185.220.101.7"}
    assert [h.rule.title for h in rules.evaluate(event(rdp))] == ["External Remote RDP Logon from Public IP"]
    assert rules.evaluate(event({**rdp, "IpAddress": "10.1.2.3"})) == []  # filtered by cidr
    assert rules.evaluate(event({**rdp, "IpAddress": "-"})) == []
    assert rules.evaluate(event({**rdp, "LogonType": 3})) == []
    shadow: dict[str, object] = {
        "Image": "C:\\Windows\\System32\\vssadmin.exe",
        "CommandLine": "vssadmin.exe Delete Shadows /All /Quiet",
    }
    assert rules.evaluate(event(shadow, service="sysmon")) == []  # logsource category missing
    hits = rules.evaluate(event(shadow, service="sysmon", categories=("process_creation",)))
    assert [h.rule.title for h in hits] == ["Shadow Copies Deletion Using Operating Systems Utilities"]
    assert (
        rules.evaluate(
            event({**shadow, "CommandLine": "vssadmin list shadows"}, categories=("process_creation",))
        )
        == []
    )


def test_an_unsupported_rule_is_skipped_with_its_reason() -> None:
    rules = RuleSet.from_yaml(
        """
title: A
name: a
logsource: {product: windows, service: security}
detection: {sel: {EventID: 1}, condition: sel}
---
title: B
name: b
logsource: {product: windows, service: security}
detection: {sel: {EventID: 2}, condition: sel}
---
title: Temporal
correlation:
    type: temporal
    rules: [a, b]
    timespan: 5m
    group-by: [User]
"""
    )
    assert rules.skipped and "temporal" in rules.skipped[0][1]


@pytest.mark.parametrize("block", [4096, 8 * 1024 * 1024])
def test_block_scan_of_line_logs_finds_what_record_parsing_finds(
    tmp_path: Path, block: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    import random

    from incidentroom.threats.sweep import engine

    monkeypatch.setattr(engine, "BLOCK_BYTES", block)
    rng = random.Random(7)
    lines = []
    for n in range(30000):
        ip = (
            f"203.0.113.{rng.randrange(256)}"
            if n % 97 == 0
            else f"10.0.{rng.randrange(256)}.{rng.randrange(256)}"
        )
        lines.append(
            f"Nov 24 08:{n % 60:02d}:01 fw{n % 3} kernel: DROP SRC={ip} DST=10.0.0.1 url=https://evil.example/{n}"
            if n % 501 == 0
            else f"Nov 24 08:{n % 60:02d}:01 fw{n % 3} kernel: DROP SRC={ip} DST=10.0.0.1"
        )
    (tmp_path / "big.log").write_text("\n".join(lines))  # no newline at the end
    indicators = [IndicatorSpec(1, "ipv4", "203.0.113.0/24"), IndicatorSpec(2, "domain", "evil.example")]
    fast = run_sweep([tmp_path / "big.log"], indicators)
    linux_rule = RuleSet.from_yaml(
        "title: any\nlogsource: {product: linux}\ndetection: {sel: {AppName: nothing-here}, condition: sel}\n"
    )
    slow = run_sweep([tmp_path / "big.log"], indicators, linux_rule)

    def key(result: object) -> list[tuple[object, ...]]:
        return sorted((h.line, h.indicator_id, h.host, h.time, h.matched) for h in result.hits)  # type: ignore[attr-defined]

    assert key(fast) == key(slow) and len(fast.hits) > 300
    assert fast.events == slow.events == 30000


def test_fast_ipv4_parse_agrees_with_ipaddress() -> None:
    import ipaddress

    from hypothesis import given
    from hypothesis import strategies as st

    from incidentroom.threats.sweep.matcher import _ipv4_int

    @given(st.text(alphabet="0123456789.", max_size=16))
    def check(text: str) -> None:
        try:
            want: int | None = int(ipaddress.IPv4Address(text))
        except ValueError:
            want = None
        assert _ipv4_int(text) == want

    check()


def test_every_format_yields_account_host_and_time(tmp_path: Path) -> None:
    files = {
        "trace.csv": "Received,SenderAddress,RecipientAddress,Subject,Status,FromIP\n"
        '"11/24/2025 7:12:03 AM",payroll@rbkc-payroll.example,j.smith@wcc.example.gov.uk,Urgent: update your bank details,Delivered,203.0.113.50\n',
        "signins.json": json.dumps(
            {
                "value": [
                    {
                        "createdDateTime": "2025-11-24T07:20:00Z",
                        "userPrincipalName": "b@lbhf.example.gov.uk",
                        "ipAddress": "185.220.101.7",
                        "deviceDetail": {"displayName": "LBHF-LT-042"},
                        "location": {"countryOrRegion": "RU"},
                        "status": {"errorCode": 0},
                    }
                ]
            }
        ),
        "fw.csv": "time,src_ip,dst_ip,dst_port,action,user,src_host\n2025-11-24T02:03:04Z,10.1.2.3,198.51.100.99,443,allow,rbkc\\svc_backup,FS01\n",
        "cef.log": "<134>Nov 24 03:04:05 fw02 CEF:0|Fortinet|FortiGate|7.0|13|traffic|3|src=10.9.8.7 dst=198.51.100.99 suser=tmp_admin dhost=EDGE01 rt=1763953445000\n",
        "proxy.log": "#Software: proxy\n#Fields: date time c-ip cs-username cs-host cs-uri-stem sc-status s-computername\n2025-11-24 04:05:06 10.2.3.4 wcc\\alice login-rbkc.example /sso 200 PROXY01\n",
        "audit.json": "\n".join(
            json.dumps(r)
            for r in [
                {
                    "CreationTime": "2025-11-24T05:06:07",
                    "Operation": "Set-Mailbox",
                    "Workload": "Exchange",
                    "UserId": "admin@rbkc.example.gov.uk",
                    "ClientIP": "185.220.101.9",
                    "Parameters": [{"Name": "ForwardingSmtpAddress", "Value": "smtp:drop@evil.example"}],
                },
                {
                    "CreationTime": "2025-11-24T05:07:07",
                    "Operation": "UserLoggedIn",
                    "Workload": "AzureActiveDirectory",
                    "UserId": "x@rbkc.example.gov.uk",
                    "ClientIP": "10.0.0.1",
                },
            ]
        ),
    }
    for name, body in files.items():
        (tmp_path / name).write_text(body)
    indicators = [
        IndicatorSpec(1, "email_sender", "payroll@rbkc-payroll.example"),
        IndicatorSpec(2, "ipv4", "185.220.101.0/24"),
        IndicatorSpec(3, "ipv4", "198.51.100.99"),
        IndicatorSpec(4, "domain", "login-rbkc.example"),
        IndicatorSpec(5, "domain", "evil.example"),
        IndicatorSpec(6, "email_subject", "update your bank details"),
    ]
    result = run_sweep([tmp_path], indicators, display_root=tmp_path)
    got = sorted(
        (h.log, h.indicator_id, h.host, h.account, h.time.isoformat() if h.time else None)
        for h in result.hits
    )
    assert got == [
        ("audit.json", 2, "", "admin@rbkc.example.gov.uk", "2025-11-24T05:06:07+00:00"),
        ("audit.json", 5, "", "admin@rbkc.example.gov.uk", "2025-11-24T05:06:07+00:00"),
        ("cef.log", 3, "EDGE01", "tmp_admin", "2025-11-24T03:04:05+00:00"),
        ("fw.csv", 3, "FS01", "rbkc\\svc_backup", "2025-11-24T02:03:04+00:00"),
        ("proxy.log", 4, "PROXY01", "wcc\\alice", "2025-11-24T04:05:06+00:00"),
        ("signins.json", 2, "LBHF-LT-042", "b@lbhf.example.gov.uk", "2025-11-24T07:20:00+00:00"),
        ("trace.csv", 1, "", "j.smith@wcc.example.gov.uk", "2025-11-24T07:12:03+00:00"),
        ("trace.csv", 6, "", "j.smith@wcc.example.gov.uk", "2025-11-24T07:12:03+00:00"),
    ]
    assert {f.name: f.format for f in result.files} == {
        "audit.json": "m365-audit-json",
        "cef.log": "syslog",
        "fw.csv": "firewall-csv",
        "proxy.log": "w3c",
        "signins.json": "entra-signins",
        "trace.csv": "exchange-trace",
    }
