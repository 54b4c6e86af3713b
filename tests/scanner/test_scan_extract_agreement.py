"""The fast extractors give the same text as the paths they replaced, on every test corpus.

Email is parsed with ``policy.compat32`` and only the headers read are decoded (see
``extractors/mail.py``); the baseline parses with ``policy.default``. Every message of the
real-world cases, the generated archive, the independent archive and the format tests'
own messages must come out identical: parties, body text, attachments and their bytes.
"""

from __future__ import annotations

import datetime as dt
import email.policy
from collections.abc import Iterator
from email.message import EmailMessage
from email.utils import format_datetime
from functools import partial
from pathlib import Path
from typing import IO, Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from incidentroom.scanner.extract import Blob, ExtractError, Limits, OwnedText, choose
from incidentroom.scanner.extract.base import looks_binary
from incidentroom.scanner.extract.mail import _decoded, _simple_addresses, message_outputs, parse_message
from incidentroom.scanner.extract.worddoc import printable_lines
from incidentroom.scanner.model import Location
from tests.helpers.baseline_extractors import message_outputs as baseline_outputs
from tests.helpers.baseline_extractors import parse_message as baseline_parse
from tests.helpers.scangen import Truth
from tests.scanner.independent import generate as indep_generate

HERE = Path(__file__).parent


def comparable(outputs: Iterator[Any]) -> list[Any]:
    """Outputs with nested blobs replaced by their path, size, year and bytes."""
    found: list[Any] = []
    for item in outputs:
        if isinstance(item, Blob):
            with item.open() as fh:
                found.append(("blob", item.path, item.size, item.year, fh.read()))
        elif isinstance(item, OwnedText):
            found.append(("owned", item.unit, item.owner))
        else:
            found.append(item)
    return found


def messages_in(root: Path) -> Iterator[tuple[str, bytes]]:
    """Every email message under ``root``: .eml files, mbox messages, and emails inside
    containers and attachments (found by walking with the scanner's own extractors)."""

    def walk(blob: Blob, depth: int) -> Iterator[tuple[str, bytes]]:
        with blob.open() as fh:
            data = fh.read()
        extractor = choose(blob.extension, data[:65536])
        if extractor is None or depth > 4:
            return
        if extractor.name == "eml":
            yield blob.path, data
        elif extractor.name == "mbox":
            for number, message in enumerate(data.split(b"\nFrom "), 1):
                body = message.split(b"\n", 1)[1] if b"\n" in message else b""
                yield f"{blob.path}#message{number}", body
        try:
            for item in extractor.extract(blob, Limits()):
                if isinstance(item, Blob):
                    yield from walk(item, depth + 1)
        except ExtractError:
            return

    for path in sorted(p for p in root.rglob("*") if p.is_file()):
        yield from walk(Blob(str(path.relative_to(root)), partial(opened, path), path.stat().st_size), 0)


def opened(path: Path) -> IO[bytes]:
    """``path`` opened for binary reading."""
    return path.open("rb")


def assert_agree(messages: list[tuple[str, bytes]]) -> None:
    for name, data in messages:
        new = comparable(message_outputs(parse_message(data), name, Location(line=3), Limits()))
        old = comparable(baseline_outputs(baseline_parse(data), name, Location(line=3), Limits()))
        assert new == old, name


def test_email_agrees_on_the_real_world_cases() -> None:
    messages = list(messages_in(HERE / "realworld"))
    assert messages  # the one .eml case (the .msg cases are not parsed as RFC 5322)
    assert_agree(messages)


def test_email_agrees_on_the_generated_archive(archive: tuple[Path, Truth]) -> None:
    root, _ = archive
    messages = list(messages_in(root))
    assert len(messages) >= 30
    assert_agree(messages)


def test_email_agrees_on_the_independent_archive(tmp_path_factory: pytest.TempPathFactory) -> None:
    root = tmp_path_factory.mktemp("independent-agreement")
    indep_generate.generate(root, 120, 5)
    messages = list(messages_in(root))
    assert len(messages) >= 10
    assert_agree(messages)


def _hard_messages() -> list[tuple[str, bytes]]:
    """Messages built to hit every header-decoding path: encoded words in names, subjects and
    attachment names, RFC 2231 names, 8-bit headers, odd charsets, folded headers, groups."""
    out: list[tuple[str, bytes]] = []
    msg = EmailMessage()
    msg["From"] = '"Jones, Siân" <sian.jones@example.org>'
    msg["To"] = "Mr Owen Price <owen@example.com>, housing@council.gov.uk"
    msg["Cc"] = "Undisclosed recipients:;"
    msg["Subject"] = "Re: Tenancy for Siân Jones – 14 Hill Rd"
    msg["Date"] = format_datetime(dt.datetime(2014, 3, 2, 9, 30))
    msg.set_content("Dear Siân,\nYour NI number JK 49 30 21 D is on file.\n")
    msg.add_alternative("<p>Dear Si&acirc;n, <b>DOB</b> 14/02/1962</p>", subtype="html")
    msg.add_attachment(
        b"Name,DOB\nOwen Price,01/02/1970\n", maintype="text", subtype="csv", filename="résumé.csv"
    )
    msg.add_attachment(b"%PDF-1.4 not really", maintype="application", subtype="pdf", filename="plain.pdf")
    out.append(("built.eml", bytes(msg)))
    raw = (
        b"From: =?utf-8?q?Jones=2C_Sian?= <s@example.org>\r\n"
        b"To: =?iso-8859-1?q?Andr=E9_Dupont?= <andre@example.fr>,\r\n  Bethan Roberts <b@example.com>\r\n"
        b"Subject: =?utf-8?b?Q2xpZW50OiBNcnMgWm/DqyBBZGFtcw==?= and more\r\n"
        b"Date: not a date\r\n"
        b"MIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="XX"\r\n\r\n'
        b"--XX\r\nContent-Type: text/plain; charset=x-unknown-charset\r\n\r\nBody \xe9 text\r\n"
        b"--XX\r\nContent-Type: text/plain; charset=windows-1252\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n"
        b"Caf=E9 owner Mr Owen Price\r\n"
        b"--XX\r\nContent-Type: application/octet-stream\r\n"
        b"Content-Disposition: attachment; filename*=utf-8''Sch%C3%B6n%20list.csv\r\n\r\nName\r\nZo\xc3\xab\r\n"
        b'--XX\r\nContent-Type: text/plain; name="=?utf-8?q?caf=C3=A9.txt?="\r\n'
        b'Content-Disposition: attachment; filename="=?utf-8?q?caf=C3=A9.txt?="\r\n\r\nhello\r\n'
        b'--XX\r\nContent-Type: text/plain\r\nContent-Disposition: attachment; filename="raw\xe9name.txt"\r\n\r\nraw\r\n'
        b"--XX\r\nContent-Type: text/html; charset=utf-8\r\n\r\n<p>Tel 020 7946 0958</p>\r\n"
        b"--XX--\r\n"
    )
    out.append(("encoded.eml", raw))
    out.append(("bare.eml", b"Subject: hi\n\nJust a body, no From and no MIME.\n"))
    out.append(("folded.eml", b"From: Owen\n Price <o@x.com>\nSubject: a\n  folded\tsubject\n\nbody\n"))
    out.append(
        (
            "8bit.eml",
            b"From: Zo\xc3\xab Adams <z@x.com>\nSubject: Caf\xc3\xa9\nContent-Type: text/plain; charset=utf-8\n\nZo\xc3\xab\n",
        )
    )
    return out


def test_email_agrees_on_hard_headers() -> None:
    assert_agree(_hard_messages())


_HEADER_TEXT = st.text(alphabet=st.sampled_from(list("abcXYZ019 \t.,;:'\"-<>@()[]\\=?_\r\n")), max_size=60)
_WORD = st.text(alphabet=st.sampled_from(list("abzAZ09'-.")), min_size=1, max_size=8)
_SPEC = st.builds(
    lambda a, b: f"{a}@{b}",
    st.text(alphabet=st.sampled_from(list("ab9._%+-")), min_size=1, max_size=8),
    st.text(alphabet=st.sampled_from(list("ab9.-")), min_size=1, max_size=8),
)
_QUOTED_NAME = st.text(alphabet=st.sampled_from(list("abzAZ09'-., \\\"")), max_size=12)
_ADDRESS = st.one_of(
    _SPEC,
    st.builds(
        lambda name, gap, spec: f'"{name}"{gap}<{spec}>',
        _QUOTED_NAME,
        st.sampled_from(["", " ", "\t"]),
        _SPEC,
    ),
    st.builds(
        lambda words, gap, spec: f"{gap.join(words)}{gap}<{spec}>",
        st.lists(_WORD, max_size=3),
        st.sampled_from([" ", "  ", "\t", "\r\n "]),
        _SPEC,
    ),
)


def _modern_addresses(value: str) -> list[tuple[str, str]]:
    header: Any = email.policy.default.header_fetch_parse("to", value)
    return [(str(a.display_name or ""), str(a.addr_spec or "")) for a in header.addresses]


@settings(max_examples=400, deadline=None)
@given(st.lists(_ADDRESS, min_size=1, max_size=3), st.sampled_from([",", ", ", ",\r\n "]))
def test_simple_address_lists_read_as_the_modern_parser_reads_them(items: list[str], sep: str) -> None:
    value = sep.join(items)
    fast = _simple_addresses(value)
    if fast is not None:  # the fast path only answers for shapes it knows
        assert fast == _modern_addresses(value), value


@settings(max_examples=200, deadline=None)
@given(_HEADER_TEXT)
def test_plain_headers_read_as_the_modern_parser_reads_them(value: str) -> None:
    value = value.lstrip(" \t").rstrip("\r\n")  # as the parser stores a header's value
    raw = {"subject": [value], "to": [value]}
    assert _decoded(raw, "subject") == str(email.policy.default.header_fetch_parse("subject", value))
    fast = _simple_addresses(value)
    if fast is not None:
        assert fast == _modern_addresses(value), value


def test_the_fast_path_reads_the_usual_shapes() -> None:
    # The property tests above only check the answers it gives; these shapes it must give.
    value = '"Hall, Wendy" <wendy.hall98@gmail.com>, Owen Price <o.price@x.org>, s@y.com'
    assert _simple_addresses(value) == [
        ("Hall, Wendy", "wendy.hall98@gmail.com"),
        ("Owen Price", "o.price@x.org"),
        ("", "s@y.com"),
    ]
    assert _simple_addresses(value) == _modern_addresses(value)
    assert _simple_addresses('"a\\"b" <a@b.com>') is None  # an escape: the modern parser's
    assert _simple_addresses('"a" <a@b.com>,') is None  # an empty item: the modern parser's


def test_a_long_run_of_name_characters_is_not_a_regex_trap() -> None:
    # Each word must be followed by a space, so matching is linear: with an optional space
    # this header took exponential time (a hostile email could stall a worker).
    assert _simple_addresses("a" * 60 + "@") is None
    assert _simple_addresses("Owen Price " * 30 + "<o@x.com>") == [(("Owen Price " * 30).strip(), "o@x.com")]
    assert _simple_addresses('"' + "a, " * 40 + "a <o@x.com>") is None
    assert _simple_addresses("a@b.c" + ".d" * 40 + " x") is None


# Word text and binary sniffing: the C-speed forms against the character-by-character ones
# they replaced, over any text (every Unicode category) and any bytes.
_WORD_TEXT = st.text(
    alphabet=st.one_of(
        st.characters(),
        st.sampled_from(list("\r\n\x07\x0b\x0c\x13\x14\x15\x7f\xa0\xad\u200b\u2028\ufeff\ufffdé€ A")),
    ),
    max_size=80,
)


@settings(max_examples=500, deadline=None)
@given(_WORD_TEXT)
def test_word_text_loses_exactly_the_characters_that_do_not_print(text: str) -> None:
    expected = "".join(ch if ch.isprintable() or ch == "\n" else "\n" for ch in text.replace("\r", "\n"))
    assert printable_lines(text) == expected


@settings(max_examples=500, deadline=None)
@given(st.binary(max_size=200), st.sampled_from(["utf-8", "cp1252", "latin-1"]))
def test_binary_sniffing_counts_control_bytes_as_before(sample: bytes, encoding: str) -> None:
    controls = sum(1 for b in sample if b < 9 or 13 < b < 32)
    expected = bool(sample) and (
        sample.count(0) > max(2, len(sample) // 1000) or controls > len(sample) // 20
    )
    assert looks_binary(sample, encoding) == expected
