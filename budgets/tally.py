"""Aggregation rules of participatory budgeting: greedy and the Method of Equal Shares.

Pure Python (no Django), so that anyone can recompute a result from a Pabulib file.

Keys and order
    Projects are given as a mapping ``costs`` (key -> cost). Its iteration order is the project
    order used as the last tie-break. Costs and the budget are exact numbers (int, Fraction or
    Decimal); weights likewise (a float is taken at its exact binary value).

Greedy (CONSUL's rule, and the Polish cities')
    Projects in descending score (votes or points); a project that no longer fits in what is left
    of the budget is skipped and the next one tried. Projects with no score (0) are never funded.
    Tie-break: higher score, then lower cost, then the given project order.

Method of Equal Shares, cost utilities (Peters & Skowron; equalshares.net)
    Every voter starts with an equal share of the budget, ``budget / total weight`` per unit of
    weight (a group of identical ballots with weight w behaves as w identical voters). A project is
    affordable when its supporters together still hold its cost. Among affordable projects the one
    funded next is the one with the smallest rho, where supporters pay ``min(their money, rho x
    cost)``, i.e. the smallest per-unit-of-utility price. Ties in rho: lower cost, then more
    (weighted) supporters, then the given project order (equalshares.net breaks ties the same way
    up to the last step). Zero-cost projects with a supporter are funded first, as pabutools does.

    Completion "add1" (Wieliczka, Świecie, Assen; equalshares.net, pabutools'
    ``voter_budget_increment=1``): while the outcome is not exhaustive (some unfunded project
    still fits in what is left of the budget), raise every voter's share by one currency unit
    and run again; keep the new outcome as long as its total cost stays within the budget; the
    last outcome within the budget is the result.

    Comparison step (optional, as on equalshares.net): compare the Equal Shares outcome with the
    greedy outcome (greedy by weighted approval count). A voter prefers the outcome that gives
    them the higher utility, i.e. the larger total cost of funded projects they approved. If the
    voters (weighted) preferring greedy outnumber those preferring Equal Shares, greedy wins;
    on a tie Equal Shares stays.

Exactness
    Runs use floats to search, but every decision with a discrete effect (which project is
    funded next, and whether a project is still affordable) is trusted from floats only when its
    margin exceeds a relative 1e-9 (float error here is below 1e-11). A closer call is decided
    in exact Fractions: the payment caps of the projects funded so far are recomputed exactly,
    the close candidates are compared exactly (ties broken as documented), and the run goes on.
    Payments are continuous in the voters' money, so nothing else can flip.

Speed
    Identical ballots are grouped. After funding projects F, a voter's money is
    ``max(0, share - S)`` with S the sum of the payment caps of the projects in F they approved
    (a voter who could not pay a full cap paid all they had and holds nothing). So a project's
    price needs only the weight of its supporters per set K = F & ballot: a few classes
    however many voters. These class tables depend on the order of funding, not on the share,
    so the add1 completion's hundreds of runs share them in a cache tree. Projects are
    re-priced lazily: rho only grows during a run, so a stale rho is a lower bound, and a
    project sharing no supporter with the last funded one keeps its price.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction
from itertools import repeat
from operator import add, mul

Number = int | Fraction | Decimal

TOLERANCE = 1e-9


def _exact(x) -> Fraction | int:
    if isinstance(x, int):
        return x
    x = Fraction(x)
    return x.numerator if x.denominator == 1 else x  # ints are much faster than Fractions


def _fits(spent, cost, budget) -> bool:
    return spent + cost <= budget


def greedy(
    budget: Number, costs: Mapping[Hashable, Number], scores: Mapping[Hashable, Number]
) -> list:
    """Fund projects in descending score, skipping what no longer fits; returns keys in order."""
    budget = _exact(budget)
    keys = list(costs)
    exact_costs = [_exact(costs[k]) for k in keys]
    exact_scores = [_exact(scores.get(k, 0)) for k in keys]
    order = sorted(range(len(keys)), key=lambda i: (-exact_scores[i], exact_costs[i], i))
    spent = 0
    winners = []
    for i in order:
        if exact_scores[i] <= 0:
            break
        if _fits(spent, exact_costs[i], budget):
            spent += exact_costs[i]
            winners.append(keys[i])
    return winners


def utility(outcome: Iterable, approved: Iterable, costs: Mapping) -> Fraction | int:
    """Cost utility of a voter: the total cost of the funded projects they approved."""
    funded = set(outcome)
    return sum((_exact(costs[k]) for k in set(approved) if k in funded), 0)


def preferences(
    first: Iterable, second: Iterable, costs: Mapping, voters: Iterable[tuple[Iterable, Number]]
) -> tuple:
    """Weight of voters preferring `first`, and of those preferring `second` (cost utilities)."""
    first, second = set(first), set(second)
    prefer_first = prefer_second = 0
    for approved, weight in voters:
        a = utility(first, approved, costs)
        b = utility(second, approved, costs)
        if a > b:
            prefer_first += _exact(weight)
        elif b > a:
            prefer_second += _exact(weight)
    return prefer_first, prefer_second


@dataclass
class EqualSharesResult:
    """What Equal Shares chose, and how: useful to show beside the winners."""

    winners: list
    mes_winners: list
    greedy_winners: list | None = None
    increments: int = 0  # add1 steps taken (currency units added per voter)
    runs: int = 0
    exact_decisions: int = 0
    prefer_greedy: Fraction | int = 0
    prefer_mes: Fraction | int = 0
    greedy_won: bool = False
    notes: list = field(default_factory=list)


def equal_shares(
    budget: Number,
    costs: Mapping[Hashable, Number],
    voters: Iterable[tuple[Iterable, Number]],
    *,
    completion: bool = True,
    greedy_comparison: bool = False,
) -> list:
    """Method of Equal Shares (cost utilities), with add1 completion; returns keys in order."""
    return equal_shares_details(
        budget, costs, voters, completion=completion, greedy_comparison=greedy_comparison
    ).winners


def equal_shares_details(
    budget: Number,
    costs: Mapping[Hashable, Number],
    voters: Iterable[tuple[Iterable, Number]],
    *,
    completion: bool = True,
    greedy_comparison: bool = False,
) -> EqualSharesResult:
    """Equal Shares with the figures behind it (increments, runs, comparison step)."""
    budget = _exact(budget)
    keys = list(costs)
    index = {k: i for i, k in enumerate(keys)}
    grouped: dict[frozenset, Fraction | int] = {}
    for approved, weight in voters:
        weight = _exact(weight)
        members = frozenset(index[k] for k in approved if k in index)
        if not members or weight <= 0:
            continue
        grouped[members] = grouped.get(members, 0) + weight
    instance = _Instance([_exact(costs[k]) for k in keys], list(grouped.items()))
    chosen, increments = instance.solve(budget, completion=completion)
    mes_winners = [keys[i] for i in chosen]
    result = EqualSharesResult(
        winners=mes_winners,
        mes_winners=mes_winners,
        increments=increments,
        runs=instance.runs,
        exact_decisions=instance.exact_decisions,
    )
    if greedy_comparison:
        scores = {k: 0 for k in keys}
        for members, weight in grouped.items():
            for i in members:
                scores[keys[i]] += weight
        greedy_winners = greedy(budget, costs, scores)
        result.greedy_winners = greedy_winners
        grouped_voters = [([keys[i] for i in m], w) for m, w in grouped.items()]
        prefer_greedy, prefer_mes = preferences(greedy_winners, mes_winners, costs, grouped_voters)
        result.prefer_greedy, result.prefer_mes = prefer_greedy, prefer_mes
        if prefer_greedy > prefer_mes:
            result.winners = greedy_winners
            result.greedy_won = True
    return result


class _Node:
    """The state after funding a prefix of projects, which does not depend on the share.

    After funding projects F (in a given order) a voter's money is ``max(0, share - S)``, where S
    is the sum of the payment caps of the projects in F they approved: a voter who could not pay
    a full cap paid all they had. So for each remaining project it is enough to know the weight of
    its supporters per set K = (F & their ballot): a handful of classes, however many voters.
    The add1 completion re-runs the method hundreds of times along mostly the same prefixes:
    nodes are cached in a tree and shared between runs.
    """

    __slots__ = ("mask", "classes", "children", "float_classes", "created")

    def __init__(self, mask: int, classes: dict, created: dict | None = None):
        self.mask = mask  # bit i set: project i funded
        self.classes = classes  # project -> {K mask: exact weight of its supporters with F & A = K}
        # The sets K made by the last funding, and the sets they grew from; only those of voters
        # with a project still to price, as no other spending is ever looked up.
        self.created = (list(created), list(created.values())) if created else ([], [])
        self.children: dict[int, _Node] = {}
        self.float_classes: dict[int, list] = {}

    def floats(self, i: int) -> tuple[list, list]:
        found = self.float_classes.get(i)
        if found is None:
            table = self.classes[i]
            found = self.float_classes[i] = (list(table), [float(w) for w in table.values()])
        return found


class _Spent(dict):
    """K mask -> the sum of the payment caps of the funded projects in K (computed on demand)."""

    def __init__(self, alphas: dict):
        super().__init__({0: 0.0})
        self.alphas = alphas

    def __missing__(self, k: int) -> float:
        low = k & -k  # memoised on the rest of the set, which other classes share
        total = self[k ^ low] + self.alphas[low.bit_length() - 1]
        self[k] = total
        return total


class _Instance:
    """An Equal Shares instance with identical ballots grouped; runs MES for a given share."""

    MAX_NODES = 20_000

    def __init__(self, costs: list, groups: Sequence[tuple[frozenset, Fraction | int]]):
        self.costs = costs
        self.costs_f = [float(c) for c in costs]
        n = len(costs)
        supporters: list[list[int]] = [[] for _ in range(n)]
        for g, (members, _) in enumerate(groups):
            for i in members:
                supporters[i].append(g)
        self.weights = [w for _, w in groups]
        self.total_weight = sum(self.weights, 0)
        self.support_weight = [sum((self.weights[g] for g in s), 0) for s in supporters]
        self.support_weight_f = [float(w) for w in self.support_weight]
        self.free = [i for i in range(n) if supporters[i] and costs[i] <= 0]
        self.candidates = [i for i in range(n) if supporters[i] and costs[i] > 0]
        candidate = set(self.candidates)
        self.supporters = supporters
        # Ballots restricted to the projects that can be funded, as lists and bit masks.
        self.ballots = [sorted(i for i in members if i in candidate) for members, _ in groups]
        self.masks = [sum(1 << i for i in ballot) for ballot in self.ballots]
        # Funding a project changes the price only of projects sharing a supporter with it.
        self.overlap = [set() for _ in range(n)]
        for ballot in self.ballots:
            for i in ballot:
                self.overlap[i].update(ballot)
        self.root = _Node(0, {i: {0: self.support_weight[i]} for i in self.candidates})
        self.nodes = 1
        self.runs = 0
        self.skipped = 0
        self.exact_decisions = 0
        # The order in which projects would be funded if nobody were ever short of money.
        self.static_order = sorted(
            self.candidates, key=lambda i: (-self.support_weight[i], costs[i], i)
        )

    def _steady_for(self, share: Fraction, trace: list[int]) -> int:
        """How many add1 steps from `share` can be proven to leave the outcome `trace` alone
        (1 when nothing can be proven, the usual case on big votes).

        Proof, for a run in which every funded project was paid by an equal split among all its
        supporters (nobody short) and projects were funded in the static order (most weighted
        supporters, then lower cost, then the given order): a project's rho is never below
        1 / its supporters' weight, which it reaches when nobody is short. So with more money
        each of these projects still wins its round (its own rho cannot grow, nobody else's can
        drop below it, ties resolve the same way) and pays the same caps; the outcome changes
        only when one of the projects left becomes affordable after them. The first share at
        which that happens is computed exactly.
        """
        k = len(trace)
        if trace != self.static_order[:k]:
            return 1
        spent: dict[int, Fraction | int] = {0: 0}
        node = self.root
        for funded in trace:
            cap = Fraction(self.costs[funded]) / self.support_weight[funded]
            for key in node.classes[funded]:
                if key not in spent:
                    spent[key] = self._sum_caps(key, spent)
                if share - spent[key] < cap:
                    return 1  # someone was short: payments depend on the share
            spent[1 << funded] = cap
            node = self._child(node, funded)
        steps = None
        for i in self.static_order[k:]:
            classes = [
                (spent[key] if key in spent else self._sum_caps(key, spent), weight)
                for key, weight in node.classes[i].items()
            ]
            cost = self.costs[i]

            def affordable(d, classes=classes, cost=cost):
                money = share + d
                return sum((w * (money - s) for s, w in classes if money > s), 0) >= cost

            if affordable(0):
                return 1
            high = int(max(s for s, _ in classes) + cost / self.support_weight[i]) + 1
            low = 0  # not affordable at low, affordable at high
            while high - low > 1:
                middle = (low + high) // 2
                if affordable(middle):
                    high = middle
                else:
                    low = middle
            steps = high if steps is None else min(steps, high)
        return steps or 1

    @staticmethod
    def _sum_caps(key: int, caps: dict) -> Fraction | int:
        total = 0
        rest = key
        while rest:
            low = rest & -rest
            total += caps[low]
            rest ^= low
        caps[key] = total
        return total

    def solve(self, budget, *, completion: bool) -> tuple[list[int], int]:
        if not self.total_weight:
            return [], 0
        share = Fraction(budget) / self.total_weight
        outcome = self.run(share)
        if not completion:
            return outcome, 0
        increments = 0
        while True:
            spent = sum((self.costs[i] for i in outcome), 0)
            funded = set(outcome)
            left = budget - spent
            if not any(i not in funded and self.costs[i] <= left for i in self.candidates):
                break  # exhaustive: no project anyone approved still fits
            steady = self._steady_for(share + increments, outcome[len(self.free) :])
            if steady > 1:
                self.skipped += steady - 1
                increments += steady - 1  # each of these runs would give this same outcome
            following = self.run(share + increments + 1)
            if sum((self.costs[i] for i in following), 0) > budget:
                break
            increments += 1
            outcome = following
        return outcome, increments

    def _child(self, node: _Node, funded: int) -> _Node:
        found = node.children.get(funded)
        if found is not None:
            return found
        if self.nodes > self.MAX_NODES:  # keep memory bounded: start the tree again
            self.root.children.clear()
            self.nodes = 1
        bit = 1 << funded
        mask = node.mask
        classes = dict(node.classes)
        del classes[funded]
        copied = set()
        created = {}
        done = mask | bit
        for g in self.supporters[funded]:
            ballot_mask = self.masks[g]
            if not ballot_mask & ~done:
                continue  # nothing left to price for these voters
            before = ballot_mask & mask
            after = before | bit
            created[after] = before
            weight = self.weights[g]
            for i in self.ballots[g]:
                if (done >> i) & 1:
                    continue
                if i not in copied:
                    classes[i] = dict(classes[i])
                    copied.add(i)
                table = classes[i]
                left = table[before] - weight
                if left:
                    table[before] = left
                else:
                    del table[before]
                table[after] = table.get(after, 0) + weight
        child = _Node(mask | bit, classes, created)
        node.children[funded] = child
        self.nodes += 1
        return child

    # One run of the method --------------------------------------------------------------

    def run(self, share: Fraction) -> list[int]:
        """Equal Shares with every voter holding `share` per unit of weight."""
        self.runs += 1
        self._share = share
        self._share_f = float(share)
        self._alpha_f: dict[int, float] = {}
        self._spent_f = _Spent(self._alpha_f)
        self._alpha_x: dict[int, Fraction] = {}  # exact caps, computed for close calls only
        self._spent_x: dict[int, Fraction] = {0: 0}
        self._path: list[tuple[_Node, int]] = []  # (node before, project funded)
        node = self.root
        winners = list(self.free)
        # rho only grows during a run (money only shrinks): the last value is a lower bound.
        bound = {i: 1.0 / self.support_weight_f[i] for i in self.candidates}
        fresh: dict[int, float] = {}  # project -> payment cap, while its rho in `bound` is current
        while bound:
            best = None
            best_rho = float("inf")
            evaluated = []
            close_calls = []
            for i in sorted(bound, key=bound.__getitem__):
                if bound[i] > best_rho * (1 + TOLERANCE):
                    break
                if i in fresh:
                    verdict = bound[i], fresh[i]
                else:
                    verdict = self._rho_float(node, i)
                if verdict is None:
                    del bound[i]
                    continue
                if verdict == "close":
                    close_calls.append(i)
                    continue
                rho, alpha = verdict
                bound[i] = rho
                fresh[i] = alpha
                evaluated.append((rho, i))
                if rho < best_rho:
                    best_rho, best, best_alpha = rho, i, alpha
            near = [i for rho, i in evaluated if rho <= best_rho * (1 + TOLERANCE)]
            if close_calls or len(near) > 1:
                best, alpha_x = self._decide_exactly(node, near + close_calls, bound)
                if best is None:
                    continue  # the close calls were unaffordable, and nothing else was
                self._alpha_x[best] = alpha_x
                best_alpha = float(alpha_x)
            elif best is None:
                break
            self._alpha_f[best] = best_alpha
            self._path.append((node, best))
            winners.append(best)
            node = self._child(node, best)
            spent = self._spent_f
            after, before = node.created
            grown = map(add, map(spent.__getitem__, before), repeat(best_alpha))
            spent.update(zip(after, grown, strict=True))
            del bound[best]
            for i in self.overlap[best].intersection(fresh):
                del fresh[i]
        return winners

    def _rho_float(self, node: _Node, i: int):
        """(rho, payment cap) of project i, None if unaffordable, "close" if too close to call."""
        cost = self.costs_f[i]
        share = self._share_f
        keys, weights = node.floats(i)
        spent = list(map(self._spent_f.__getitem__, keys))
        weight_left = self.support_weight_f[i]
        if (share - max(spent)) * weight_left >= cost * (1 + TOLERANCE):
            # Every supporter can pay an equal split: nobody is capped.
            alpha = cost / weight_left
            return alpha / cost, alpha
        money = [share - s if s < share else 0.0 for s in spent]
        total = sum(map(mul, money, weights))
        if total < cost * (1 - TOLERANCE):
            return None
        if total < cost * (1 + TOLERANCE):
            return "close"
        paid = 0.0
        for j in sorted(range(len(money)), key=money.__getitem__):
            alpha = (cost - paid) / weight_left
            if money[j] >= alpha:
                break
            paid += money[j] * weights[j]
            weight_left -= weights[j]
        return alpha / cost, alpha

    # Exact arithmetic for close calls -----------------------------------------------------

    def _spent_exact(self, k: int):
        found = self._spent_x.get(k)
        if found is None:
            found = 0
            rest = k
            while rest:
                low = rest & -rest
                found += self._exact_alpha_of_winner(low.bit_length() - 1)
                rest ^= low
            self._spent_x[k] = found
        return found

    def _exact_alpha_of_winner(self, funded: int):
        found = self._alpha_x.get(funded)
        if found is None:
            node = next(before for before, project in self._path if project == funded)
            found = self._alpha_x[funded] = self._alpha_exact(node, funded)
        return found

    def _alpha_exact(self, node: _Node, i: int):
        """Exact payment cap of project i, or None if its supporters cannot pay for it."""
        cost = self.costs[i]
        share = self._share
        held = []
        for k, weight in node.classes[i].items():
            money = share - self._spent_exact(k)
            held.append((money if money > 0 else 0, weight))
        held.sort()
        if sum((m * w for m, w in held), 0) < cost:
            return None
        paid = 0
        weight_left = self.support_weight[i]
        for money, weight in held:
            alpha = Fraction(cost - paid) / weight_left
            if money >= alpha:
                return alpha
            paid += money * weight
            weight_left -= weight
        raise AssertionError("affordable project without a paying supporter")

    def _decide_exactly(self, node: _Node, candidates: list[int], bound: dict):
        self.exact_decisions += 1
        best_key = None
        best = best_alpha = None
        for i in candidates:
            alpha = self._alpha_exact(node, i)
            if alpha is None:
                bound.pop(i, None)
                continue
            rho = alpha / self.costs[i]
            bound[i] = float(rho)
            key = (rho, self.costs[i], -self.support_weight[i], i)
            if best_key is None or key < best_key:
                best_key, best, best_alpha = key, i, alpha
        return best, best_alpha
