"""Typed objects passed between stages. Each round-trips through JSON (to_dict / from_dict)."""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, field
from typing import Any, Sequence, cast

Box = tuple[int, int, int, int]
"""Axis-aligned box (x0, y0, x1, y1) in pixels of the image it refers to."""


def _box(value: Any) -> Box | None:
    return None if value is None else cast(Box, tuple(int(v) for v in value))  # stored from a Box: its 4 numbers


@dataclass(frozen=True)
class Step:
    """One processing step applied to a page, with its settings and what it measured."""

    name: str
    settings: dict[str, Any] = field(default_factory=dict)
    result: dict[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "Step":
        return cls(d["name"], dict(d.get("settings", {})), dict(d.get("result", {})))


@dataclass(frozen=True)
class OcrPiece:
    """One piece of recognized text: a text line (detection + recognition) or one crop's text."""

    text: str
    confidence: float  # 0..1
    box: Box  # on the image that was given to the engine
    engine: str  # engine name, e.g. "ppocr"
    # each character's probability, in the order of `text` with its whitespace removed (None where
    # the engine gives none)
    chars: tuple[float, ...] | None = None

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"text": self.text, "confidence": self.confidence, "box": list(self.box), "engine": self.engine}
        if self.chars is not None:
            d["chars"] = list(self.chars)
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "OcrPiece":
        box = _box(d["box"])
        assert box is not None  # to_dict always writes a piece's box
        return cls(d["text"], float(d["confidence"]), box, d["engine"], _chars(d.get("chars")))


def _chars(v: Any) -> tuple[float, ...] | None:
    return None if v is None else tuple(float(c) for c in v)


def chars_fit(text: str, chars: Sequence[float] | None) -> bool:
    """Whether per-character probabilities line up with a text's non-space characters."""
    return chars is not None and len(chars) == sum(1 for ch in text if not ch.isspace())


@dataclass(frozen=True)
class RawCell:
    """The text found in one table cell, before mapping."""

    text: str
    confidence: float  # 0..1; 1.0 for an empty cell that is clearly empty
    box: Box | None  # the cell's box on the cleaned page image
    # engine agreement (pipeline.agreement): None = the first reading was sure enough, no second
    # one was made; True / False = a second reading of the same crop agreed / disagreed
    agreed: bool | None = None
    second: str | None = None  # the second reading's text (when one was made)
    second_confidence: float | None = None
    ink: float | None = None  # width of the cell's ink in glyph heights (~ number of Han characters)
    chars: tuple[float, ...] | None = None  # per character of `text` (whitespace removed); None: unknown
    second_chars: tuple[float, ...] | None = None
    decoded: bool = (
        False  # the second reading is the spec-valid text the recognizer found likeliest (pipeline.page.extract.decode_valid)
    )
    # texts the recognizer may have seen in a doubted one-line name cell, with its log-probability of
    # each on the first crop (pipeline.page.extract.name_alternatives; mapping weighs them by how often
    # real names use their characters, mapping.normalize.rescore_name); None: not searched
    alternatives: tuple[tuple[str, float], ...] | None = None
    arbitrated: bool = False  # set by ocr.agreement.resolve (never stored): the spec chose between two readings
    own_confidence: float | None = (
        None  # set by resolve (never stored): the kept reading's confidence before two readings (disagreeing or agreeing) were weighed
    )
    own_chars: tuple[float, ...] | None = (
        None  # set by resolve (never stored): the kept reading's own per-character probabilities there
    )
    typed: bool = False  # set by map_rows (never stored): a reviewer typed this text; no rule about OCR readings applies

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {
            "text": self.text,
            "confidence": self.confidence,
            "box": None if self.box is None else list(self.box),
        }
        if self.agreed is not None:
            d["agreed"] = self.agreed
        if self.second is not None:
            d["second"] = self.second
            d["second_confidence"] = self.second_confidence
        if self.ink is not None:
            d["ink"] = self.ink
        if self.chars is not None:
            d["chars"] = [round(c, 4) for c in self.chars]
        if self.second_chars is not None:
            d["second_chars"] = [round(c, 4) for c in self.second_chars]
        if self.decoded:
            d["decoded"] = True
        if self.alternatives is not None:
            d["alternatives"] = [[t, round(x, 4)] for t, x in self.alternatives if math.isfinite(x)]  # strict JSON
        return d

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "RawCell":
        return cls(
            d["text"],
            float(d["confidence"]),
            _box(d.get("box")),
            d.get("agreed"),
            d.get("second"),
            None if d.get("second_confidence") is None else float(d["second_confidence"]),
            None if d.get("ink") is None else float(d["ink"]),
            _chars(d.get("chars")),
            _chars(d.get("second_chars")),
            bool(d.get("decoded", False)),
            None if d.get("alternatives") is None else tuple((str(t), float(x)) for t, x in d["alternatives"]),
        )


@dataclass
class FieldValue:
    """One spec field of one record: the normalized value, the raw text, and why we trust it or not."""

    value: str | int | None  # normalized spec value (dates ISO 8601 strings, codes as strings)
    raw: str = ""  # the OCR text it came from ("" when derived or absent)
    confidence: float = 0.0  # 0..1
    box: Box | None = None  # crop box on the cleaned page image
    flags: list[str] = field(default_factory=list)  # e.g. "check_digit_failed", "derived_from_id"

    def to_dict(self) -> dict[str, Any]:
        return {
            "value": self.value,
            "raw": self.raw,
            "confidence": round(float(self.confidence), 4),
            "box": None if self.box is None else list(self.box),
            "flags": list(self.flags),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "FieldValue":
        return cls(
            d.get("value"), d.get("raw", ""), float(d.get("confidence", 0.0)), _box(d.get("box")), list(d.get("flags", []))
        )


@dataclass
class MappedRecord:
    """A ledger row mapped to spec fields, with record-level problems (cross-field validation)."""

    kind: str
    fields: dict[str, FieldValue]
    problems: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "fields": {k: v.to_dict() for k, v in self.fields.items()}, "problems": list(self.problems)}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "MappedRecord":
        return cls(d["kind"], {k: FieldValue.from_dict(v) for k, v in d["fields"].items()}, list(d.get("problems", [])))

    def value(self, name: str) -> str | int | None:
        fv = self.fields.get(name)
        return None if fv is None else fv.value
