"""The search part of ``python -m bench scale``: ``package_search`` p50/p95, and the territory
hierarchy against the same query without it.

Each search is timed from the action call to its answer; the action's context (the site user,
one database query) is made before the clock starts, as a web page has its user already.

**The hierarchy against the same query without it.** For each kind of place (commune, EPCI,
département) and for everything together (keywords, a commune, every facet, sorted by date),
the query with ``territory:T`` and the same query with the exact field ``vocab_territories:"T"``
(the datasets on T alone, no hierarchy) are run alternately, on the same varied places, twice
as many rounds as the other searches so that a p95 rests on more than two values. Two
comparisons:

* **ids only** (``fl=id``, 20 rows): Solr filters, sorts and counts, CKAN returns the ids. The
  cost of the filter itself; the check (hierarchy p95 <= 1.2x exact).
* **full page** (20 whole datasets, what the search page shows): printed with the datasets each
  side finds. The exact field finds almost nothing for a commune (a few datasets in 50,000) while
  the hierarchy fills its page (the datasets of the commune's EPCI, département, région); the
  difference there is the cost of returning 20 datasets instead of none, which every search with
  results pays (free text too), not the cost of the hierarchy.
"""

from __future__ import annotations

import random
import statistics
import time
from dataclasses import dataclass, field
from typing import Any

from bench import common

KINDS = ("commune", "epci", "departement")
ROWS = 20
TARGET_MS = 300
TARGET_RATIO = 1.2


@dataclass
class Side:
    """Milliseconds and datasets found by one side of a comparison, round by round."""

    ms: list[float] = field(default_factory=list)
    found: list[int] = field(default_factory=list)


@dataclass
class Pair:
    """The query with the hierarchy and the same query on the exact field."""

    hierarchy: Side = field(default_factory=Side)
    exact: Side = field(default_factory=Side)


@dataclass
class Searches:
    plain: dict[str, Side] = field(default_factory=dict)
    # label ("commune", ..., "all together") -> {"ids only": Pair, "full page": Pair}
    pairs: dict[str, dict[str, Pair]] = field(default_factory=dict)


def p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _timed_search(params: dict[str, Any], side: Side) -> None:
    import ckan.plugins.toolkit as tk

    context = common.context()
    data = {"rows": ROWS, **params}
    start = time.perf_counter()
    result = tk.get_action("package_search")(context, data)
    side.ms.append((time.perf_counter() - start) * 1000)
    side.found.append(int(result["count"]))


def measure(rounds: int, seed: int) -> Searches:
    """Every search ``rounds`` times (the hierarchy comparisons ``2 * rounds``), varied terms."""
    from bench.bench_scale import FACETS, WORDS  # the generator's keywords: searches find them
    from ckanext.datagrandest import territories as t

    rng = random.Random(seed)
    found = Searches()

    def run(label: str, queries: list[dict[str, Any]]) -> None:
        side = found.plain.setdefault(label, Side())
        for params in queries:
            _timed_search(params, side)

    def words(count: int) -> str:
        return " ".join(rng.choice(WORDS) for _ in range(count))

    run("free text", [{"q": words(2)} for _ in range(rounds)])
    for facet in FACETS:
        run(
            f"facet {facet}",
            [{"q": words(1), "facet.field": f'["{facet}"]'} for _ in range(rounds)],
        )
    run(
        "sorted by modified",
        [{"q": words(1), "sort": "metadata_modified desc"} for _ in range(rounds)],
    )

    every_facet = "[" + ",".join(f'"{f}"' for f in FACETS) + "]"
    codes = {kind: [x.code for x in t.territories(kind)] for kind in KINDS}  # type: ignore[arg-type]
    for label, kind, extra in (
        *((kind, kind, {}) for kind in KINDS),
        ("all together", "commune", {"sort": "metadata_modified desc", "facet.field": every_facet}),
    ):
        pairs = found.pairs.setdefault(label, {"ids only": Pair(), "full page": Pair()})
        for index in range(2 * rounds):
            code = rng.choice(codes[kind])
            params = {**extra, "q": rng.choice(WORDS)} if extra else {}
            sides = [("hierarchy", f"territory:{code}"), ("exact", f'vocab_territories:"{code}"')]
            if index % 2:  # neither side always runs first (caches, the machine's load)
                sides.reverse()
            for variant, shape in (("ids only", {"fl": ["id"]}), ("full page", {})):
                for name, fq in sides:
                    side = getattr(pairs[variant], name)
                    _timed_search({**params, **shape, "fq": fq}, side)
    return found


def report(found: Searches, rounds: int, indexed: int, checks: dict[str, bool]) -> None:
    """Print the figures and add the targets' checks."""
    print(
        f"searches, ms (p50 / p95), {rounds} each, package_search rows={ROWS}, "
        f"on an index of {indexed} datasets:"
    )
    worst = 0.0
    for label, side in found.plain.items():
        worst = max(worst, p(side.ms, 0.95))
        print(f"  {label:30} {p(side.ms, 0.5):7.1f} / {p(side.ms, 0.95):7.1f}")
    print(
        f"territory hierarchy (territory:T) against the same query on the exact field "
        f'(vocab_territories:"T"), alternated, {2 * rounds} varied places each; ms p50 / p95, '
        "mean datasets found:"
    )
    print(f"  {'':24} {'hierarchy':>17} {'exact field':>17} {'p95 ratio':>10} {'found':>14}")
    for label, variants in found.pairs.items():
        for variant, pair in variants.items():
            hierarchy, exact = pair.hierarchy, pair.exact
            ratio = p(hierarchy.ms, 0.95) / p(exact.ms, 0.95)
            if variant == "full page":
                worst = max(worst, p(hierarchy.ms, 0.95))
            print(
                f"  {label + ', ' + variant:24} "
                f"{p(hierarchy.ms, 0.5):7.1f} / {p(hierarchy.ms, 0.95):7.1f} "
                f"{p(exact.ms, 0.5):7.1f} / {p(exact.ms, 0.95):7.1f} {ratio:10.2f} "
                f"{statistics.mean(hierarchy.found):6.1f} / {statistics.mean(exact.found):5.1f}"
            )
            if variant == "ids only":
                checks[f"territory {label}: hierarchy p95 <= {TARGET_RATIO}x exact field (ids)"] = (
                    ratio <= TARGET_RATIO
                )
    print(
        "  (ids only: the filter's cost, the check; full page: also the cost of the datasets "
        "returned, 20 with the hierarchy against the few the exact field finds)"
    )
    checks[f"every search p95 <= {TARGET_MS} ms"] = worst <= TARGET_MS
