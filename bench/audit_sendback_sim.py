"""`PYTHONPATH=. python bench/audit_sendback_sim.py SIMS SEED` (session 47). How often the blind audit sends a volume back, old rule (s46: Wilson lower bound of the reviewed records alone,
a lone or all-wrong record's fields counted independent) vs new (s47: decisive_low over every record drawn, pending
counted right). 20 records drawn, 17 fields each, reviewed one at a time in random order; the rule is checked after
every review (as the app does). Truth known: q = share of records rejected whole, f = field error otherwise."""

import random
import sys

import numpy as np

from pipeline.kernel.stats import clustered_rate, decisive_low, interval

T, N, M = 0.003, 20, 17


def old_low(pairs):
    m = np.array([p[0] for p in pairs], float)
    y = np.array([p[1] for p in pairs], float)
    tot = m.sum()
    p = y.sum() / tot
    n_eff = tot  # equal weights: kish = fields
    if 0 < p < 1 and len(m) > 1:
        var = ((y - p * m) ** 2).sum() / tot**2
        if var > 0:
            n_eff = min(n_eff, p * (1 - p) / var)
    return interval(p * n_eff, n_eff, "wilson")[0]


def run(q, f, sims, seed):
    rng = random.Random(seed)
    old = new = 0
    for _ in range(sims):
        recs = []
        for _ in range(N):
            if rng.random() < q:
                recs.append((M, M))
            else:
                recs.append((M, sum(rng.random() < f for _ in range(M))))
        o = n = False
        for k in range(1, N + 1):
            seen = recs[:k]
            if not o and old_low(seen) > T:
                o = True
            if not n and decisive_low(clustered_rate(seen + [(M, 0)] * (N - k))) > T:
                n = True
        old += o
        new += n
    return old / sims, new / sims


sims = int(sys.argv[1])
seed = int(sys.argv[2])
print(f"seed {seed}, {sims} volumes each; target {T:.1%}; 20 drawn x 17 fields")
print("| truth | true wrong-field rate | sent back, s46 rule | sent back, s47 rule |")
print("|---|---|---|---|")
for q, f in ((0.003, 0.0), (0.0, 0.003), (0.001, 0.001), (0.0, 0.01), (0.02, 0.0), (0.0, 0.02), (0.05, 0.0), (0.02, 0.01)):
    o, n = run(q, f, sims, seed)
    print(f"| rejected {q:.1%}, field {f:.1%} | {q + (1 - q) * f:.2%} | {o:.1%} | {n:.1%} |")
