"""Plain-English words for each category of personal data, and what a person should do.

One table serves the ICO report (labels), the letters and emails (what it means, what to
do) and the public notice, so residents and the regulator read the same facts.
"""

from __future__ import annotations

from dataclasses import dataclass

from incidentroom.scanner.detect.vocab import CATEGORIES


@dataclass(frozen=True)
class CategoryText:
    """How one category is described to the ICO and to the person."""

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
        ("Be wary of emails that mention the council or this incident and ask you to click a link or pay.",),
    ),
    "phone": CategoryText(
        "Telephone numbers",
        "your phone number",
        "You may receive scam calls or text messages.",
        ("The council will never ask for your bank details or passwords by phone or text.",),
    ),
    "date_of_birth": CategoryText(
        "Dates of birth",
        "your date of birth",
        "It could be used with other details to pretend to be you.",
        (
            "Be careful with calls or messages that already know your date of birth: that alone does not prove who is calling.",
        ),
    ),
    "national_insurance_number": CategoryText(
        "National Insurance numbers",
        "your National Insurance number",
        "It could be used to try to claim benefits or open accounts in your name.",
        (
            "Check your personal tax account at gov.uk for employment or benefits you do not recognise.",
            "Report suspected identity fraud to Report Fraud on 0300 123 2040.",
        ),
    ),
    "nhs_number": CategoryText(
        "NHS numbers",
        "your NHS number",
        "It could be used to make a scam call seem genuine.",
        ("Your GP or the NHS will not ask you to confirm bank details because of this incident.",),
    ),
    "bank_account": CategoryText(
        "Bank account numbers and sort codes",
        "your bank account number and sort code",
        "Someone could try to set up direct debits or trick you into a payment.",
        (
            "Watch your bank statements for direct debits and payments you did not set up.",
            "Call your bank using the number on the back of your card if anything looks wrong.",
        ),
    ),
    "payment_card": CategoryText(
        "Payment card numbers",
        "your payment card number",
        "Someone could try to use the card number for purchases.",
        (
            "Watch your card statements for payments you do not recognise.",
            "Call your bank using the number on the back of your card; they can cancel and replace the card.",
        ),
    ),
    "vehicle_registration": CategoryText(
        "Vehicle registration numbers",
        "your vehicle registration number",
        "It could be used to make a scam parking or fine message seem genuine.",
        ("Check any parking or penalty notice on the council's website before paying it.",),
    ),
    "passport_number": CategoryText(
        "Passport numbers",
        "your passport number",
        "It could be used to try to pass identity checks.",
        (
            "Consider reporting your passport details as compromised to HM Passport Office (gov.uk/report-a-lost-or-stolen-passport).",
        ),
    ),
    "driving_licence_number": CategoryText(
        "Driving licence numbers",
        "your driving licence number",
        "It could be used to try to pass identity checks.",
        (
            "Check your driving record at gov.uk/view-driving-licence and tell DVLA about anything you do not recognise.",
        ),
    ),
    "health": CategoryText(
        "Health information (special category)",
        "information about your health",
        "This is sensitive information and we understand this may be upsetting.",
        ("If you are worried, your social worker, care provider or GP can talk this through with you.",),
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
