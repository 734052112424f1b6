"""What a published result may show: no group of ballots smaller than RESULTS_MIN_GROUP.

Statistical offices publish a table only where each cell stands for enough people that it cannot
point at one of them. Ruamkit does the same with every split of a result (by voter class,
community, channel, and an option's votes within each): a group of ballots smaller than the
minimum is merged with the other small groups into one "other groups" column, and when that
column would itself be too small, the next smallest group joins it until it is not. Totals stay
exact: merging moves ballots between columns, it never drops them.

The groups are groups of *ballots* (people), not of choices: an option's votes within a
published group are shown, as a result for that group, whatever their number.
"""

from __future__ import annotations

from collections.abc import Mapping

from django.conf import settings
from django.utils.translation import gettext as _

# The published key of the merged small groups; no real class, community or channel uses it.
SMALL_GROUPS = "~"


def minimum_group() -> int:
    return max(1, int(settings.RESULTS_MIN_GROUP))


def group_map(sizes: Mapping[str, int], minimum: int | None = None) -> dict[str, str]:
    """For each group (key: number of ballots), the published group it falls in: itself, or
    SMALL_GROUPS when it is merged."""
    minimum = minimum_group() if minimum is None else minimum
    sizes = {key: n for key, n in sizes.items() if n > 0}
    kept = sorted((key for key, n in sizes.items() if n >= minimum), key=lambda k: (sizes[k], k))
    merged = sum(n for n in sizes.values() if n < minimum)
    # A merged column too small to publish takes in the next smallest group, until it is not.
    while 0 < merged < minimum and kept:
        merged += sizes[kept.pop(0)]
    kept_set = set(kept)
    return {key: key if key in kept_set else SMALL_GROUPS for key in sizes}


def regroup(counts: Mapping[str, int], mapping: Mapping[str, str]) -> dict[str, int]:
    """Counts keyed by published group: merged groups summed, order of first appearance kept.

    A key the mapping does not know (a group with no ballots of its own) counts as merged; a
    count of 0 is left out, as a group without ballots is.
    """
    out: dict[str, int] = {}
    for key, n in counts.items():
        if not n:
            continue
        published = mapping.get(key, SMALL_GROUPS)
        out[published] = out.get(published, 0) + n
    return out


def publishable(sizes: Mapping[str, int], minimum: int | None = None) -> dict[str, int]:
    """Group sizes as they may be published."""
    return regroup(sizes, group_map(sizes, minimum))


def small_groups_label(minimum: int | None = None) -> str:
    """The heading of the merged column, in the reader's language."""
    return _("Other groups (each under %(count)s ballots)") % {
        "count": minimum or minimum_group()
    }


def small_groups_why(minimum: int | None = None) -> str:
    """The sentence a results page shows beside merged columns."""
    return _(
        "Groups of fewer than %(count)s ballots are merged into one column, “%(label)s”, so "
        "that no figure we publish can point at how a few people voted. Totals are exact."
    ) % {"count": minimum or minimum_group(), "label": small_groups_label(minimum)}
