"""The attacker of the secret ballot: someone holding the database after the close.

They know who voted (the roll) and see every anonymous ballot. They try to pair each roll entry
with its ballot by everything the database keeps beside the data: the transaction that wrote a
row (`xmin`), where the row lies in the table (`ctid` on PostgreSQL, `rowid` on SQLite), the
order of the keys, and the time on the roll. Each strategy is scored against the truth, which
the test knows because every voter's ballot is different.

Against a random pairing the expected score is 1 whatever the number of voters (the fixed points
of a random permutation), and the chance of 7 or more is below 1 in 10,000: a strategy that
reaches SCORE_LIMIT has found a link.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass

from django.db import connection
from django.db.models import QuerySet

SCORE_LIMIT = 7


@dataclass(frozen=True)
class Position:
    """Where and by which transaction a row was written, as the database keeps it."""

    xmin: int | None  # PostgreSQL only
    physical: tuple[int, ...]  # (page, item) on PostgreSQL, (rowid,) on SQLite


def positions(queryset: QuerySet) -> dict:
    """Each row's system columns, by primary key, read with SQL as an attacker would."""
    model = queryset.model
    quote = connection.ops.quote_name
    table, pk = quote(model._meta.db_table), quote(model._meta.pk.column)
    subquery, params = queryset.values("pk").query.sql_with_params()
    if connection.vendor == "postgresql":
        columns = "xmin::text::bigint, ctid::text"
    else:
        columns = "NULL, rowid"
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {pk}, {columns} FROM {table} WHERE {pk} IN ({subquery})", params
        )
        rows = cursor.fetchall()
    out = {}
    for key, xmin, physical in rows:
        if isinstance(physical, str):
            physical = tuple(int(part) for part in physical.strip("()").split(","))
        else:
            physical = (int(physical),)
        out[model._meta.pk.to_python(key)] = Position(xmin, physical)
    return out


def _pair_by_rank(people: list, ballots: list) -> dict:
    return dict(zip(people, ballots, strict=False))


def attack(
    *,
    roll: Mapping[Hashable, Position],
    ballots: Mapping[Hashable, Position],
    truth: Mapping[Hashable, Hashable],
    roll_order: Mapping[str, Callable] | None = None,
) -> dict[str, int]:
    """How many people each strategy pairs with their own ballot.

    `roll` and `ballots` are `positions()` keyed by roll entry and by ballot; `truth` maps a roll
    key to its ballot key. `roll_order` adds orders of the roll known from its columns (e.g. the
    time of voting), as {name: key function of the roll key}.
    """
    people = list(roll)
    boxes = list(ballots)
    orders_of_roll = {
        "roll key": lambda k: str(k),
        "roll physical order": lambda k: roll[k].physical,
        **(roll_order or {}),
    }
    orders_of_box = {
        "ballot key": lambda k: str(k),
        "ballot physical order": lambda k: ballots[k].physical,
    }
    on_postgresql = all(p.xmin is not None for p in [*roll.values(), *ballots.values()])
    if on_postgresql:
        orders_of_roll["roll transaction"] = lambda k: (roll[k].xmin, roll[k].physical)
        orders_of_box["ballot transaction"] = lambda k: (ballots[k].xmin, ballots[k].physical)

    guesses: dict[str, dict] = {}
    for roll_name, roll_key in orders_of_roll.items():
        for box_name, box_key in orders_of_box.items():
            guesses[f"{roll_name} ~ {box_name}"] = _pair_by_rank(
                sorted(people, key=roll_key), sorted(boxes, key=box_key)
            )
    if on_postgresql:
        by_xmin: dict[int, list] = {}
        for key in sorted(boxes, key=lambda k: ballots[k].physical):
            by_xmin.setdefault(ballots[key].xmin, []).append(key)
        same, nearest = {}, {}
        later = sorted(by_xmin)
        for person in people:
            xmin = roll[person].xmin
            if xmin in by_xmin:
                same[person] = by_xmin[xmin][0]
            following = [x for x in later if x >= xmin]
            if following:
                nearest[person] = by_xmin[following[0]][0]
        guesses["same transaction"] = same
        guesses["next transaction"] = nearest
    return {
        name: sum(1 for person, ballot in guess.items() if truth.get(person) == ballot)
        for name, guess in guesses.items()
    }
