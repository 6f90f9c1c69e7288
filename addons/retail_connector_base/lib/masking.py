"""Masking of personal data (emails, phones, street addresses) in texts and
payloads, so that logs and exception records never expose a customer."""

import re

EMAIL_RE = re.compile(r"([A-Za-z0-9._%+-])[A-Za-z0-9._%+-]*@([A-Za-z0-9-])[A-Za-z0-9.-]*(\.[A-Za-z]{2,})")
# 7+ digits, optionally with a leading + and separators: phone numbers, not
# amounts (amounts have at most one separator group with a decimal point).
PHONE_RE = re.compile(r"(?<![\w.])\+?\d(?:[\s().-]*\d){6,}(?![\w.])")
STREET_RE = re.compile(
    r"\b\d{1,5}[A-Za-z]?\s+(?:[A-Z][\w'-]*\.?\s+){1,4}"
    r"(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Way|Court|Ct|"
    r"Place|Pl|Square|Sq|Terrace|Parkway|Pkwy|Highway|Hwy|Rue|Strasse|Straße|Weg)\b\.?",
)
MASK = "***"

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
    digits = re.sub(r"\D", "", match.group(0))
    return f"{MASK}{digits[-2:]}"


def mask_text(text):
    """Mask emails, phone numbers and street addresses inside free text."""
    if not text:
        return text
    text = EMAIL_RE.sub(_mask_email, str(text))
    text = STREET_RE.sub(MASK, text)
    return PHONE_RE.sub(_mask_phone, text)


def mask_payload(value):
    """Return a copy of a JSON-like structure with personal data masked."""
    if isinstance(value, dict):
        masked = {}
        for key, item in value.items():
            if str(key).lower() in PII_KEYS and item not in (None, "", [], {}):
                masked[key] = MASK
            else:
                masked[key] = mask_payload(item)
        return masked
    if isinstance(value, list):
        return [mask_payload(item) for item in value]
    if isinstance(value, str):
        return mask_text(value)
    return value
