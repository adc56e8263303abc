"""Extract how often each character occurs in real Chinese given names, for doubting a name read
with a character that almost never is one (mapping.normalize.normalize_name, given_name_char_rare).

Source: the `ngender` package 0.1.1 (PyPI, MIT License, Copyright (c) 2015 Jingchao Hu), file
`ngender/charfreq.csv`: per character, its count in the given names of a large list of real people
(male and female counts, both kept: a name's characters depend on its bearer's sex, mapping.normalize
name_log_prior; about 32 million characters in all). Run once, offline; the product
reads the text file it writes, never the network:

    pip download ngender==0.1.1 --no-deps && tar xzf ngender-0.1.1.tar.gz
    python scripts/extract_given_name_chars.py ngender-0.1.1/ngender/charfreq.csv mapping/data/given_name_chars.txt
"""

from __future__ import annotations

import csv
import sys
from pathlib import Path

HEADER = """# How often each character occurs in real Chinese given names: "<character> <men's count> <women's count>",
# commonest (both together) first.
# From the ngender package 0.1.1 (ngender/charfreq.csv, male and female counts), MIT License:
# Copyright (c) 2015 Jingchao Hu. Permission is hereby granted, free of charge, to any person obtaining a copy
# of this software and associated documentation files (the "Software"), to deal in the Software without
# restriction, including without limitation the rights to use, copy, modify, merge, publish, distribute,
# sublicense, and/or sell copies of the Software, and to permit persons to whom the Software is furnished to do
# so, subject to the following conditions: The above copyright notice and this permission notice shall be
# included in all copies or substantial portions of the Software. THE SOFTWARE IS PROVIDED "AS IS", WITHOUT
# WARRANTY OF ANY KIND, EXPRESS OR IMPLIED, INCLUDING BUT NOT LIMITED TO THE WARRANTIES OF MERCHANTABILITY,
# FITNESS FOR A PARTICULAR PURPOSE AND NONINFRINGEMENT. IN NO EVENT SHALL THE AUTHORS OR COPYRIGHT HOLDERS BE
# LIABLE FOR ANY CLAIM, DAMAGES OR OTHER LIABILITY, WHETHER IN AN ACTION OF CONTRACT, TORT OR OTHERWISE, ARISING
# FROM, OUT OF OR IN CONNECTION WITH THE SOFTWARE OR THE USE OR OTHER DEALINGS IN THE SOFTWARE.
# Extracted by scripts/extract_given_name_chars.py.
"""


def main(src: str, dst: str) -> None:
    counts: dict[str, tuple[int, int]] = {}
    with open(src, encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            ch = row["char"].strip()
            if len(ch) == 1:
                male, female = counts.get(ch, (0, 0))
                counts[ch] = (male + int(row["male"]), female + int(row["female"]))
    ranked = sorted(counts.items(), key=lambda kv: (-sum(kv[1]), kv[0]))
    lines = [f"{ch} {m} {w}" for ch, (m, w) in ranked if m + w > 0]
    Path(dst).write_text(HEADER + "\n".join(lines) + "\n", encoding="utf-8")
    print(f"{len(lines)} characters, {sum(m + w for m, w in counts.values())} occurrences -> {dst}")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
