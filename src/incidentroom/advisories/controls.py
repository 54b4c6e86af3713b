"""Suggested technical controls to go with an advisory, as text for an administrator.

Never applied automatically: the councils' mail and Teams tenants are exactly what may be
compromised, and a change there needs a person who can see the whole configuration.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from incidentroom.core.emailaddr import normalise_domain
from incidentroom.core.errors import InvalidInput

# A DNS name: labels of letters, digits and hyphens, with a dot-separated TLD. Validating
# this strictly is also what keeps the PowerShell text below free of injected commands.
_DOMAIN = re.compile(r"^(?=.{4,253}$)([a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
BANNER = (
    "CAUTION: this message comes from a partner council affected by a cyber incident. "
    "Do not click links or open attachments unless you have confirmed by another route that it is genuine."
)


def clean_domains(raw: Iterable[str] | str) -> list[str]:
    """Lower-case, de-duplicated, validated mail domains (comma, space or newline separated)."""
    items = re.split(r"[\s,;]+", raw) if isinstance(raw, str) else list(raw)
    domains: list[str] = []
    for item in items:
        domain = item.strip().lower().removeprefix("@").rstrip(".")
        if not domain:
            continue
        # The same IDNA form as every stored address (core.emailaddr), so bücher.example and
        # xn--bcher-kva.example are one domain; the strict pattern still guards the PowerShell.
        try:
            domain = normalise_domain(domain, "partner_domains")
        except InvalidInput:
            pass
        if not _DOMAIN.match(domain):
            raise InvalidInput(
                f"{item.strip()!r} is not a mail domain (for example rbkc.gov.uk).", field="partner_domains"
            )
        if domain not in domains:
            domains.append(domain)
    return domains


def suggested_controls(domains: list[str]) -> str:
    """Plain-text suggestions: Exchange Online warning banner and Teams external-access block."""
    if not domains:
        return ""
    quoted = ",".join(f'"{d}"' for d in domains)
    patterns = ",".join(f'(New-CsEdgeDomainPattern -Domain "{d}")' for d in domains)
    return "\n".join(
        [
            "Suggested controls - review before applying; Incident Room never applies them.",
            "",
            f"Partner domains: {', '.join(domains)}",
            "",
            "1. Mail flow: prepend a warning banner to mail from the partner domains (Exchange Online PowerShell):",
            f'New-TransportRule -Name "Incident advisory: partner council warning" -SenderDomainIs {quoted} '
            f"-ApplyHtmlDisclaimerLocation Prepend -ApplyHtmlDisclaimerFallbackAction Wrap "
            f'-ApplyHtmlDisclaimerText "<p><strong>{BANNER}</strong></p>"',
            "",
            "2. Teams external access: block the partner domains (Teams PowerShell):",
            f"Set-CsTenantFederationConfiguration -BlockedDomains @{{Add={patterns}}}",
            "",
            "3. If the partners share your tenant, sender-domain rules do not see internal mail: warn staff"
            " through this advisory instead and ask the tenant administrator about internal-sender banners.",
            "",
            "Undo when the advisory is withdrawn: Remove-TransportRule and "
            "Set-CsTenantFederationConfiguration -BlockedDomains @{Remove=...}.",
        ]
    )
