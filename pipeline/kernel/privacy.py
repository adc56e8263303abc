"""Masking of personal data for logs, errors and screens. Only exports carry data unmasked."""

from __future__ import annotations

import re

_DIGITS = re.compile(r"\d")


def mask_id(value: str | None) -> str:
    """110101********123X style: region kept, birth date and serial hidden."""
    if not value:
        return ""
    v = str(value)
    if len(v) <= 6:
        return "*" * len(v)
    keep_tail = 2 if len(v) >= 15 else 1
    return v[:4] + "*" * (len(v) - 4 - keep_tail) + v[-keep_tail:]


def mask_phone(value: str | None) -> str:
    if not value:
        return ""
    v = str(value)
    if len(v) <= 4:
        return "*" * len(v)
    return v[:3] + "*" * (len(v) - 5) + v[-2:]


def mask_name(value: str | None) -> str:
    """张三丰 -> 张**: the surname alone stays."""
    if not value:
        return ""
    v = str(value)
    return v[0] + "*" * (len(v) - 1)


def mask_text(text: str) -> str:
    """Mask any run of 7 or more digits (ID numbers, phones) inside free text."""
    return re.sub(r"\d{7,}[\dXx]?", lambda m: mask_id(m.group(0)) if len(m.group(0)) >= 15 else mask_phone(m.group(0)), text)


PERSONAL_FIELDS = {
    "id_number": mask_id,
    "id_number_raw": mask_id,
    "agent_phone": mask_phone,
    "registrant_phone": mask_phone,
    "deceased_name": mask_name,
    "agent_name": mask_name,
    "registrant_name": mask_name,
}


def mask_field(name: str, value: object) -> str:
    masker = PERSONAL_FIELDS.get(name)
    text = "" if value is None else str(value)
    return masker(text) if masker else text
