"""Masking of personal data (emails, phones, street addresses) in texts and
payloads, so that logs and exception records never expose a customer."""

import re

EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-])[A-Za-z0-9.-]*(\.[A-Za-z]{2,})")
# Phone numbers: an international "+" number, or digit groups split by spaces,
# dashes or parentheses. A bare run of digits is an id (orders, products) and
# is kept, so are amounts (no "." separator) and ISO dates (rejected below).
PHONE_RE = re.compile(
    r"(?<![\w.+])(?:\+\d[\d\s()-]{6,}\d|\(?\d{2,4}\)?[\s-]\d{2,4}[\s-]\d{2,4}(?:[\s-]\d{2,4})*)(?![\w.])"
)
ISO_DATE_RE = re.compile(r"\d{4}-\d{2}-\d{2}")
STREET_RE = re.compile(
    # "42 Wallaby Way", "1600 Amphitheatre Pkwy."
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\.?\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|"
    r"Place|Pl|Square|Sq|Terrace|Parkway|Pkwy|Highway|Hwy)\b\.?"
    # "12 Rue de la Paix", "3, Via Roma", "10 Calle Mayor"
    r"|\b\d{1,5},?\s+(?:Rue|Avenue|Via|Viale|Calle|Rua|Avenida|Boulevard|Chemin|Place)\s+(?:[\w'-]+\s?){1,5}"
    # "Hauptstrasse 5", "Rosenweg 12a"
    r"|\b[A-Z][\w-]*(?:strasse|straße|str\.|weg|gasse|platz|allee|laan|straat|gade|vej)\s+\d{1,4}[a-z]?\b",
)
MASK = "***"

#: payload keys holding a person's address or identity: their ``name`` is PII too
PERSON_KEYS = frozenset(
    {"customer", "shipping_address", "billing_address", "default_address", "addresses", "address", "contact"}
)
#: payload keys whose values are personal data, masked wherever they appear
PII_KEYS = frozenset(
    {
        "email",
        "contact_email",
        "phone",
        "mobile",
        "address1",
        "address2",
        "street",
        "street2",
        "zip",
        "first_name",
        "last_name",
        "firstname",
        "lastname",
        "company",
        "latitude",
        "longitude",
        "customer_locale",
        "browser_ip",
        "client_ip",
    }
)


def _mask_email(match):
    return f"{match.group(1)}{MASK}@{match.group(2)}{MASK}{match.group(3)}"


def _mask_phone(match):
    candidate = match.group(0)
    digits = re.sub(r"\D", "", candidate)
    if len(digits) < 7 or ISO_DATE_RE.match(candidate):
        return candidate
    return f"{MASK}{digits[-2:]}"


def mask_text(text):
    """Mask emails, phone numbers and street addresses inside free text."""
    if not text:
        return text
    text = EMAIL_RE.sub(_mask_email, str(text))
    text = STREET_RE.sub(MASK, text)
    return PHONE_RE.sub(_mask_phone, text)


def mask_payload(value, _person=False):
    """Return a copy of a JSON-like structure with personal data masked."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            lowered = str(key).lower()
            sensitive = lowered in PII_KEYS or (_person and lowered == "name")
            if sensitive and item not in (None, "", [], {}):
                masked[key] = MASK
            else:
                masked[key] = mask_payload(item, _person=lowered in PERSON_KEYS)
        return masked
    if isinstance(value, list):
        return [mask_payload(item, _person=_person) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
