"""Plain-English words for each category of personal data, and what a person should do.

One table serves the ICO report (labels), the letters and emails (what it means, what to
do) and the public notice, so residents and the regulator read the same facts.

Advice is written once per *kind* (``ADVICE``) and categories refer to it by key: a person
whose bank account and card number were both taken is told to call their bank once, not
twice, and Report Fraud appears once whichever categories point to it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from incidentroom.scanner.detect.vocab import CATEGORIES

ADVICE: dict[str, str] = {
    "scam_emails": "Be wary of emails that mention the council or this incident and ask you to click a link or pay.",
    "never_ask": "The council will never contact you about this incident to ask for passwords, bank details "
    "or a payment, by email, phone or text. Be suspicious of anyone who does.",
    "dob_calls": "Be careful with calls or messages that already know your date of birth: that alone does not "
    "prove who is calling.",
    "tax_account": "Check your personal tax account at gov.uk for employment or benefits you do not recognise.",
    "nhs_calls": "Your GP or the NHS will not ask you to confirm bank details because of this incident.",
    # Bank account and card advice differ (a person with no card taken has no card to turn
    # over); a person who lost both is told once, in the combined wording below.
    "bank_statements": "Watch your bank statements for direct debits and payments you did not set up.",
    "card_statements": "Watch your card statements for payments you did not make.",
    "statements": "Watch your bank statements and card statements for direct debits and payments you did not set up.",
    "call_bank_account": "Call your bank using the number on its website or on your bank statement if anything "
    "looks wrong; they can stop payments and protect your account.",
    "call_bank_card": "Call your bank using the number on the back of your card if anything looks wrong; they can "
    "cancel and replace the card.",
    "call_bank": "Call your bank using the number on the back of your card if anything looks wrong; they can "
    "protect your account and cancel and replace the card.",
    "parking": "Check any parking or penalty notice on the council's website before paying it.",
    # Not the lost-or-stolen service: reporting a passport there cancels it, and the resident
    # still holds theirs. The number alone cannot be used to travel.
    "passport": "You do not need to cancel your passport: you still have it. If you think someone has used "
    "your passport details, call the HM Passport Office adviceline on 0300 222 0000.",
    "dvla": "Check your driving record at gov.uk/view-driving-licence and tell DVLA about anything you do not "
    "recognise.",
    "support": "If you are worried, your social worker, care provider or GP can talk this through with you.",
    "report_fraud": "If you think you have been the victim of fraud or identity theft, contact Report Fraud on "
    "0300 123 2040.",
}

# What everyone is told, whatever was taken (after the advice for their own categories).
GENERAL_ADVICE_KEYS = ("never_ask", "report_fraud")

# Kinds given together are said once, in one wording, where the first of them would be.
COMBINED_ADVICE: dict[frozenset[str], str] = {
    frozenset({"bank_statements", "card_statements"}): "statements",
    frozenset({"call_bank_account", "call_bank_card"}): "call_bank",
}


@dataclass(frozen=True)
class CategoryText:
    """How one category is described to the ICO and to the person (advice by ``ADVICE`` key)."""

    label: str
    resident: str
    risk: str
    advice: tuple[str, ...]


TEXT: dict[str, CategoryText] = {
    "name": CategoryText("Names", "your name", "", ()),
    "address": CategoryText("Postal addresses", "your address", "", ()),
    "email": CategoryText(
        "Email addresses",
        "your email address",
        "You may receive more scam emails.",
        ("scam_emails",),
    ),
    "phone": CategoryText(
        "Telephone numbers",
        "your phone number",
        "You may receive scam calls or text messages.",
        ("never_ask",),
    ),
    "date_of_birth": CategoryText(
        "Dates of birth",
        "your date of birth",
        "It could be used with other details to pretend to be you.",
        ("dob_calls",),
    ),
    "national_insurance_number": CategoryText(
        "National Insurance numbers",
        "your National Insurance number",
        "It could be used to try to claim benefits or open accounts in your name.",
        ("tax_account", "report_fraud"),
    ),
    "nhs_number": CategoryText(
        "NHS numbers",
        "your NHS number",
        "It could be used to make a scam call seem genuine.",
        ("nhs_calls",),
    ),
    "bank_account": CategoryText(
        "Bank account numbers and sort codes",
        "your bank account number and sort code",
        "Someone could try to set up direct debits or trick you into a payment.",
        ("bank_statements", "call_bank_account"),
    ),
    "payment_card": CategoryText(
        "Payment card numbers",
        "your payment card number",
        "Someone could try to use the card number for purchases.",
        ("card_statements", "call_bank_card"),
    ),
    "vehicle_registration": CategoryText(
        "Vehicle registration numbers",
        "your vehicle registration number",
        "It could be used to make a scam parking or fine message seem genuine.",
        ("parking",),
    ),
    "passport_number": CategoryText(
        "Passport numbers",
        "your passport number",
        "It could be used to try to pass identity checks.",
        ("passport",),
    ),
    "driving_licence_number": CategoryText(
        "Driving licence numbers",
        "your driving licence number",
        "It could be used to try to pass identity checks.",
        ("dvla",),
    ),
    "health": CategoryText(
        "Health information (special category)",
        "information about your health",
        "This is sensitive information and we understand this may be upsetting.",
        ("support",),
    ),
    "ethnicity": CategoryText(
        "Racial or ethnic origin (special category)",
        "information about your ethnic origin",
        "This is sensitive information and we understand this may be upsetting.",
        (),
    ),
    "religion": CategoryText(
        "Religious or philosophical beliefs (special category)",
        "information about your religion or beliefs",
        "This is sensitive information and we understand this may be upsetting.",
        (),
    ),
    "sexual_orientation": CategoryText(
        "Sexual orientation (special category)",
        "information about your sexual orientation",
        "This is sensitive information and we understand this may be upsetting.",
        (),
    ),
    "criminal_offence": CategoryText(
        "Criminal offence data",
        "information about criminal offences or allegations",
        "This is sensitive information and we understand this may be upsetting.",
        (),
    ),
}


def label(category: str) -> str:
    """The ICO-style label of a category (the raw code for anything unknown)."""
    found = TEXT.get(category)
    return found.label if found else category


def ordered(categories: list[str]) -> list[str]:
    """Known categories in vocabulary order; unknown ones are dropped."""
    wanted = set(categories)
    return [c for c in CATEGORIES if c in wanted]


def advice_for(categories: Iterable[str], *, general: bool = True) -> list[str]:
    """The advice for these categories, each kind once, in vocabulary order, then (with
    ``general``) what everyone is told; kinds already given are not repeated."""
    keys = [key for c in ordered(list(categories)) for key in TEXT[c].advice]
    if general:
        keys += GENERAL_ADVICE_KEYS
    for parts, combined in COMBINED_ADVICE.items():
        if parts <= set(keys):
            keys = [combined if key in parts else key for key in keys]
    return [ADVICE[key] for key in dict.fromkeys(keys)]
