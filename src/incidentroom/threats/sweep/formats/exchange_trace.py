"""Exchange Online message trace CSV (current and historical search column names)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

from incidentroom.threats.sweep.formats.base import LogFormat, csv_header, csv_rows, first_of, parse_time
from incidentroom.threats.sweep.model import Event


class ExchangeMessageTrace(LogFormat):
    """One message per row: sender, recipient, subject, addresses, status."""

    name = "exchange-trace"
    label = "Exchange message trace (CSV)"
    priority = 20

    def sniff(self, filename: str, head: bytes) -> bool:
        """A CSV with sender and recipient address columns."""
        header = set(csv_header(head))
        return bool(header & {"senderaddress", "sender_address"}) and bool(
            header & {"recipientaddress", "recipient_address"}
        )

    def read(self, log: str, path: Path) -> Iterator[Event]:
        """One event per message."""
        for line, row, text in csv_rows(path):
            fields = {
                "SenderAddress": first_of(row, "senderaddress", "sender_address"),
                "RecipientAddress": first_of(row, "recipientaddress", "recipient_address"),
                "Subject": first_of(row, "subject", "message_subject"),
                "FromIP": first_of(row, "fromip", "original_client_ip"),
                "ToIP": first_of(row, "toip"),
                "Status": first_of(row, "status", "delivery_status"),
                "MessageId": first_of(row, "messageid", "message_id"),
            }
            yield Event(
                log=log,
                line=line,
                text=text,
                time=parse_time(first_of(row, "received", "date_time_utc", "date")),
                host="",
                account=fields["RecipientAddress"],
                fields=fields,
                logsource={"product": "m365", "service": "exchange_trace"},
            )
