"""The phase matrix: what each kind of person may do in each phase, computed from the dates."""

import datetime
from types import SimpleNamespace

import pytest

from legislation import permissions
from legislation.models import Phase
from tests.factories import CitizenFactory, UserFactory
from tests.legislation.factories import (
    DraftVersionFactory,
    ProcessFactory,
    ProcessProposalFactory,
    QuestionFactory,
)

pytestmark = pytest.mark.django_db

D = datetime.date
# Debate 1-10 Jan, proposals 11-20, draft 21-31, comments 1-10 Feb, result from 20 Feb 2026.
DATES = {
    "debate_starts_on": D(2026, 1, 1),
    "debate_ends_on": D(2026, 1, 10),
    "proposals_starts_on": D(2026, 1, 11),
    "proposals_ends_on": D(2026, 1, 20),
    "draft_starts_on": D(2026, 1, 21),
    "draft_ends_on": D(2026, 1, 31),
    "comments_starts_on": D(2026, 2, 1),
    "comments_ends_on": D(2026, 2, 10),
    "result_starts_on": D(2026, 2, 20),
}
DAYS = {
    "before": D(2025, 12, 31),
    "debate": D(2026, 1, 10),  # last day, inclusive
    "proposals": D(2026, 1, 11),
    "draft": D(2026, 1, 25),
    "comments": D(2026, 2, 1),
    "between": D(2026, 2, 15),
    "result": D(2026, 3, 1),
}
# day → (answer, propose, support, read draft, annotate, answer totals shown, current phase);
# comments on the process follow the answers (debate phase), replies to annotations follow the
# annotations (comments phase).
MATRIX = {
    "before": (False, False, False, False, False, False, None),
    "debate": (True, False, False, False, False, False, Phase.DEBATE),
    "proposals": (False, True, True, False, False, True, Phase.PROPOSALS),
    "draft": (False, False, False, True, False, True, Phase.DRAFT),
    "comments": (False, False, False, True, True, True, Phase.COMMENTS),
    "between": (False, False, False, True, False, True, None),
    "result": (False, False, False, True, False, True, Phase.RESULT),
}


@pytest.fixture
def process():
    return ProcessFactory(**DATES)


@pytest.mark.parametrize("day", list(MATRIX))
@pytest.mark.parametrize("kind", ["anonymous", "signed_in", "citizen", "blocked"])
def test_phase_matrix(process, day, kind):
    from django.contrib.auth.models import AnonymousUser
    from django.utils import timezone

    today = DAYS[day]
    user = {
        "anonymous": lambda: AnonymousUser(),
        "signed_in": UserFactory,
        "citizen": CitizenFactory,
        "blocked": lambda: UserFactory(is_active=False, blocked_at=timezone.now()),
    }[kind]()
    question = QuestionFactory(process=process)
    proposal = ProcessProposalFactory(process=process)
    version = DraftVersionFactory(process=process, published_at=timezone.now())
    answer, propose, support, read, annotate, totals, current = MATRIX[day]
    person_may = kind in ("signed_in", "citizen")
    assert bool(permissions.can_answer(user, question, today)) == (answer and person_may)
    assert bool(permissions.can_propose(user, process, today)) == (propose and person_may)
    assert bool(permissions.can_support(user, proposal, today)) == (support and person_may)
    assert permissions.can_read_draft(process, today) == read
    assert bool(permissions.can_annotate(user, version, today)) == (annotate and person_may)
    assert permissions.can_see_answer_totals(process, today) == totals
    assert permissions.current_phase(process, today) == current
    assert (permissions.process_comments_closed(process, today) == "") == answer
    annotation = SimpleNamespace(process=process)
    assert (permissions.annotation_replies_closed(annotation, today) == "") == annotate


def test_every_refusal_has_a_reason(process):
    from django.contrib.auth.models import AnonymousUser

    question = QuestionFactory(process=process)
    for today in (DAYS["before"], DAYS["result"]):
        decision = permissions.can_answer(UserFactory(), question, today)
        assert not decision and decision.reason
    decision = permissions.can_answer(AnonymousUser(), question, DAYS["debate"])
    assert not decision and decision.reason


def test_a_disabled_phase_is_left_out_of_the_timeline(process):
    process.proposals_enabled = False
    assert [p.phase for p in permissions.timeline(process, DAYS["draft"])] == [
        Phase.DEBATE,
        Phase.DRAFT,
        Phase.COMMENTS,
        Phase.RESULT,
    ]
    assert not permissions.can_propose(UserFactory(), process, DAYS["proposals"])


def test_an_unpublished_version_takes_no_annotations(process):
    version = DraftVersionFactory(process=process)
    decision = permissions.can_annotate(UserFactory(), version, DAYS["comments"])
    assert not decision and decision.reason


def test_export_needs_the_permission():
    from django.contrib.auth.models import Group

    planner, moderator = UserFactory(), UserFactory()
    planner.groups.add(Group.objects.get(name="planner"))
    moderator.groups.add(Group.objects.get(name="moderator"))
    assert permissions.can_export(planner)
    assert not permissions.can_export(moderator)
    assert not permissions.can_export(UserFactory())


def test_every_legislation_permission_given_to_a_role_exists():
    from django.contrib.auth.models import Permission

    from accounts.roles import ROLE_PERMISSIONS

    have = {
        f"{p.content_type.app_label}.{p.codename}"
        for p in Permission.objects.filter(content_type__app_label="legislation")
    }
    wanted = {d for codenames in ROLE_PERMISSIONS.values() for d in codenames}
    assert {d for d in wanted if d.startswith("legislation.")} <= have
