"""Test personas built in code: one person per role and organisation.

The test database holds the West London scenario's organisations and incident, but the
people the tests act as are made here, not read from ``scenarios/west_london.yaml``, so
editing the demo's cast cannot break a test. ``persona("dpo", "RBKC")`` is RBKC's DPO;
``persona("responder", "RBKC", "WCC", "LBHF")`` is one responder who is a member of all
three (the shared service). The same call returns the same person within a test database.

Rows are written with the ORM, not the product's action functions: a persona is the
test's setting, and an audit entry for its creation would show up in the audit trail the
tests examine.
"""

from __future__ import annotations

from typing import Protocol

from django.contrib.auth.models import User

from incidentroom.core.models import Membership, Organisation, Role

# A password for the personas a browser logs in as (the live app's database only: in
# process tests log in with force_login and personas have no usable password).
PASSWORD = "Persona-password-for-tests-1"  # noqa: S105 - test personas on a throwaway database

# Every persona the suite uses, for a live app's database (browser tests log in as them).
CAST: tuple[tuple[str, tuple[str, ...]], ...] = (
    *((role.value, (code,)) for code in ("RBKC", "WCC", "LBHF", "LBE") for role in Role),
    (Role.RESPONDER.value, ("RBKC", "WCC", "LBHF")),
)


def username(role: str, *orgs: str) -> str:
    """The persona's login name, e.g. ``persona.rbkc.dpo`` or ``persona.rbkc+wcc+lbhf.responder``:
    never one of the demo's names, so both can live in one database."""
    return f"persona.{'+'.join(orgs).lower()}.{role}"


def persona(role: str, *orgs: str, password: str | None = None) -> User:
    """The person holding ``role`` at each organisation in ``orgs`` (codes), created on first use.

    ``password`` gives the account a usable password (hashing is slow, so only when asked).
    """
    if role not in Role.values:
        raise ValueError(f"unknown role {role!r}; one of {', '.join(Role.values)}")
    if not orgs:
        raise ValueError("a persona belongs to at least one organisation")
    name = username(role, *orgs)
    user, created = User.objects.get_or_create(
        username=name,
        defaults={
            "first_name": role.replace("_", " ").capitalize(),
            "last_name": " and ".join(orgs),
            "email": f"{name.removeprefix('persona.').replace('+', '-')}@persona.example.gov.uk",
        },
    )
    if created or password is not None:
        user.set_password(password)  # None: an unusable password, as for an API-only account
        user.save(update_fields=["password"])
    for code in orgs:
        Membership.objects.update_or_create(
            user=user, organisation=Organisation.objects.get(code=code), defaults={"role": role}
        )
    return user


def create_cast(password: str = PASSWORD) -> list[User]:
    """Every persona in :data:`CAST`, with ``password`` (for a live app's database)."""
    return [persona(role, *orgs, password=password) for role, orgs in CAST]


class PersonaFactory(Protocol):
    """The type of :func:`persona` (what the ``persona`` fixture returns)."""

    def __call__(self, role: str, *orgs: str, password: str | None = None) -> User: ...
