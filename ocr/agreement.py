"""Agreement between two engines' readings of the same text, used later for confidence."""
from __future__ import annotations

import unicodedata

from rapidfuzz.distance import Levenshtein


def normalize_text(text: str) -> str:
    """NFKC (full-width → half-width letters, digits, punctuation) and drop all whitespace."""
    return "".join(unicodedata.normalize("NFKC", text or "").split())


def agree(a: str, b: str) -> float:
    """Normalized similarity 0..1 of two readings; 1.0 when identical after normalizing.

    1 - Levenshtein distance / length of the longer one: one wrong digit in an 18-digit ID
    number gives 0.944. Two empty readings agree (1.0); one empty and one not, 0.0.
    """
    na, nb = normalize_text(a), normalize_text(b)
    if na == nb:
        return 1.0
    return float(Levenshtein.normalized_similarity(na, nb))
