"""Glyph-shape similarity of Han characters, for choosing among the names of a closed list.

An OCR misreading keeps the shape: 腔 for 崆 (same 空, another radical), 桐 for 峒, 屹 for 屺 (屺 is
not in the PP-OCR dictionary). Spelling distance cannot tell 崆峒岛海域 from 芝罘岛海域 when the read
is 腔桐岛海域 (two characters off either way); the shapes can. Each character is drawn in Noto Sans
CJK (installed with the system packages, fonts-noto-cjk), blurred, and compared by normalized
correlation: confusable pairs measure 0.71-0.88, unrelated ones 0.38-0.65.

`closest_by_shape` returns the one list entry a reading is a few shape-near characters from, or
None when no entry is near or two are about as near: it never guesses between look-alikes.
Without the font, nothing is matched (the callers then only doubt a value off the list)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Mapping, Sequence

import numpy as np

FONT_CANDIDATES = (
    ("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc", 2),  # Debian fonts-noto-cjk (SC face)
    ("/usr/share/fonts/truetype/noto/NotoSansCJK-Regular.ttc", 2),
    ("/usr/share/fonts/noto-cjk/NotoSansCJK-Regular.ttc", 2),
)
SAME, UNRELATED = 0.9, 0.6
"""Similarity at or above SAME costs nothing to substitute; at or below UNRELATED it costs a whole edit."""
MAX_COST, MIN_MARGIN = 1.0, 0.7
"""A reading matches an entry at most MAX_COST edits away, and nearer by MIN_MARGIN than any other entry."""
MIN_MARGIN_LONE = 0.3
"""...or nearer by MIN_MARGIN_LONE where every other entry is beyond MAX_COST (屹姆岛海域: 屺坶岛海域 at
0.72, the runner-up 崆峒岛海域 at 1.05, too far to be matched by itself)."""
LOOKALIKE = 0.78
"""Two characters this similar or more look alike (莱: 菜 0.86, 某 0.86, 蔡 0.85, 英 0.83, 茶 0.81); places
that merely share a radical stay under it (莱: 泰 0.74, 青 0.73, 莲 0.72, 德 0.66)."""


def looks_alike(a: str, b: str) -> bool:
    """Whether an OCR engine plausibly read `b` as `a` (False when shapes cannot be measured)."""
    return a == b or similarity(a, b) >= LOOKALIKE


PHOTO_MISREADS: Mapping[str, str] = {"火": "大"}
"""A printed glyph -> the glyphs the recognizer (PP-OCRv6, rapidocr) reads for it on photographed pages
whose printed shapes measure just under LOOKALIKE (大 for 火: 0.777): a photograph's blur and JPEG
encoding wipe out 火's two short upper strokes and leave 大's shape. Measured on the design photographed
pages read by this recognizer (camera_capture seed 3316 and its s38 copy, phone copies of d3316 county/typed
sheets: s38/s40 ph38xx, s40 pty4040/fco4071/c51, s41 ph4161/ph4187): of 128 printed headers opening with 火
(火化证编号, 火化日期, 火化证明书号 ...) 109 were read with 火, 12 with 大, 7 with other glyphs one at a time;
of 84 certificate numbers written 火字第…号, 75 read 火, 9 大. A property of the recognizer on photographs,
as mapping.places.LOOKALIKES holds its confusions seen on the design ledgers; used only where a closed
wording is matched (header wordings: mapping.headers._confusion_similarity; the certificate number's
wording 火字第…号: mapping.normalize._cert_wording_by_shape), never to rewrite a name or a place."""


def read_as(read: str, printed: str) -> bool:
    """Whether the recognizer plausibly read the printed glyph `printed` as `read`: a look-alike by shape
    (looks_alike) or a misreading it is measured to make on photographs (PHOTO_MISREADS)."""
    return looks_alike(read, printed) or read in PHOTO_MISREADS.get(printed, "")


@lru_cache(maxsize=1)
def _font():
    from PIL import ImageFont

    for path, index in FONT_CANDIDATES:
        if Path(path).is_file():
            return ImageFont.truetype(path, 48, index=index)
    return None


def available() -> bool:
    return _font() is not None


@lru_cache(maxsize=4096)
def _bitmap(ch: str) -> np.ndarray | None:
    import cv2
    from PIL import Image, ImageDraw

    font = _font()
    if font is None:
        return None
    im = Image.new("L", (56, 56), 0)
    ImageDraw.Draw(im).text((4, -8), ch, font=font, fill=255)
    a = cv2.GaussianBlur(np.asarray(im, dtype=np.float32) / 255.0, (0, 0), 2)
    a -= a.mean()
    norm = float(np.sqrt((a * a).sum()))
    return a / norm if norm > 0 else None


@lru_cache(maxsize=65536)
def similarity(a: str, b: str) -> float:
    """Shape similarity of two characters in [-1, 1] (1: the same); 0.0 when it cannot be measured."""
    if a == b:
        return 1.0
    x, y = _bitmap(a), _bitmap(b)
    if x is None or y is None:
        return 0.0
    return float((x * y).sum())


def substitution_cost(a: str, b: str) -> float:
    if a == b:
        return 0.0
    return min(1.0, max(0.0, (SAME - similarity(a, b)) / (SAME - UNRELATED)))


CONFUSION_COST = 0.3
"""A substitution the recognizer is known to make (a caller's `confusions`: mapping.places.LOOKALIKES, its
confusions seen on the design ledgers) costs at most this, whatever the two glyphs' printed shapes say (as
mapping.places._pair_cost weighs a listed confusion): handwriting is not the printed font (屺 read 北)."""


def shape_distance(
    read: str, name: str, unreadable: str = "", droppable: str | None = None, confusions: Mapping[str, str] | None = None
) -> float:
    """Edit distance where substituting a look-alike character costs little (insert / delete: 1).
    `unreadable`: characters the recognizer cannot output (not in its dictionary: 屺, read 屹, 此 or
    妃); what it reads in the place of one of them is a stand-in, and costs half (not nothing: a
    free character would bring the entry near every reading, 腔桐岛海域 as near 屺坶岛海域 as 崆峒岛海域).
    `droppable` (None: any character): only recognizer confusions count: a character of `name` may be
    missing from the reading only where it is one of these (a character the recognizer drops or cannot
    output, mapping.places.DROPPED), and no character of the reading may be left over (a recognizer
    does not write words that are not there: 养马岛东侧海域 is no misreading of 养马岛海域). Otherwise
    the distance is infinite. `confusions` (name's character -> characters read for it): those substitutions
    cost at most CONFUSION_COST."""
    inf = float("inf")
    extra = 1.0 if droppable is None else inf
    prev = [0.0]
    for nc in name:
        prev.append(prev[-1] + (1.0 if droppable is None or nc in droppable else inf))
    for rc in read:
        cur = [prev[0] + extra]
        for j, nc in enumerate(name, 1):
            cost = substitution_cost(rc, nc)
            if confusions is not None and rc in confusions.get(nc, ""):
                cost = min(cost, CONFUSION_COST)
            sub = 0.5 * cost if nc in unreadable else cost
            lost = 1.0 if droppable is None or nc in droppable else inf
            cur.append(min(prev[j] + extra, cur[j - 1] + lost, prev[j - 1] + sub))
        prev = cur
    return prev[-1]


def closest_by_shape(
    read: str,
    names: Sequence[str],
    unreadable: str = "",
    droppable: str | None = None,
    confusions: Mapping[str, str] | None = None,
) -> tuple[str, float] | None:
    """(entry, distance) of the one entry of `names` the reading is near in shape, else None
    (`unreadable`, `droppable`, `confusions`: see shape_distance)."""
    if not read or not names or not available():
        return None
    scored = sorted((shape_distance(read, n, unreadable, droppable, confusions), n) for n in dict.fromkeys(names))
    best_cost, best = scored[0]
    if best_cost > MAX_COST:
        return None
    if len(scored) > 1:
        margin = scored[1][0] - best_cost
        if margin < MIN_MARGIN and not (scored[1][0] > MAX_COST and margin >= MIN_MARGIN_LONE):
            return None
    return best, best_cost


def lookalike_spellings(read: str, names: Sequence[str]) -> list[tuple[float, float, str]]:
    """(cost, least similarity, entry) of the entries of `names` spelled like `read` but for other
    characters, nearest first: the same length and (two characters or more) at least one
    character the same; cost = the substitutions' summed `substitution_cost`, least similarity =
    that of the least alike substituted pair. Short wordings of a code table (妻, 溺水, 车祸) are
    matched this way, the caller demanding a least similarity: an edit distance allowing any
    substitution would match 安 to 病."""
    if not read or not available():
        return []
    out = []
    for n in dict.fromkeys(names):
        if len(n) != len(read) or n == read:
            continue
        pairs = [(a, b) for a, b in zip(read, n) if a != b]
        if len(read) >= 2 and len(pairs) == len(read):
            continue
        out.append((sum(substitution_cost(a, b) for a, b in pairs), min(similarity(a, b) for a, b in pairs), n))
    return sorted(out)
