"""Pabulib both ways: the parser and writer on tricky inline files, and the five real files
imported, counted from the database, exported and parsed back."""

import io
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command
from django.utils import translation

from budgets import pabulib
from budgets.counting import heading_pabulib_text, heading_tally
from budgets.models import Ballot, BallotLine, BallotStyle, Budget, Channel, Heading, TallyRule

DATA = Path(settings.BASE_DIR).parent / "shared" / "data" / "pabulib"
FILES = [
    "Poland_Warszawa_2019_Stary_Mokotow.pb",
    "Poland_Czestochowa_2024_Grabowka.pb",
    "Poland_Krakow_2019_Bronowice.pb",
    "Poland_Swiecie_2023.pb",
    "Netherlands_Assen_2024.pb",
]

TRICKY = (
    "META\r\n"
    "key;value\r\n"
    'description;"Test; with a semicolon"\r\n'
    "budget;1000\n"
    "vote_type;approval\r\n"
    "rule;greedy\n"
    "max_length;2\r\n"
    "\n"
    "PROJECTS\r\n"
    "project_id;cost;votes;name;selected\n"
    '1;600;2;"Park; north side";1\r\n'
    '2;500;1;"Say ""hello""";0\n'
    "3;400;1;Library;1\r\n"
    "VOTES\n"
    "voter_id;vote\r\n"
    "a;1,2\n"
    "b;1,3\r\n"
)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def real_file(name: str) -> Path:
    path = DATA / name
    if not path.exists():
        pytest.skip(f"the Pabulib data file {path} is not there (../shared/data/pabulib)")
    return path


# The parser and the writer ---------------------------------------------------------------


def test_parse_mixed_line_endings_and_quoted_semicolons():
    pb = pabulib.parse(TRICKY)
    assert pb.meta["description"] == "Test; with a semicolon"
    assert pb.budget == 1000
    assert list(pb.projects) == ["1", "2", "3"]
    assert pb.projects["1"].name == "Park; north side"
    assert pb.projects["2"].name == 'Say "hello"'
    assert pb.projects["1"].cost == 600 and pb.projects["1"].selected
    assert not pb.projects["2"].selected
    assert [(v.voter_id, v.vote) for v in pb.votes] == [("a", ["1", "2"]), ("b", ["1", "3"])]
    assert pb.tallies()[0] == {"1": 2, "2": 1, "3": 1}


def test_parse_bytes_with_bom():
    pb = pabulib.parse(("\ufeff" + TRICKY).encode())
    assert pb.vote_type == "approval"


def test_dump_then_parse_round_trip():
    pb = pabulib.parse(TRICKY)
    text = pabulib.dumps(pb)
    assert '"Park; north side"' in text
    again = pabulib.parse(text)
    assert again.meta == pb.meta
    assert {k: (p.cost, p.fields) for k, p in again.projects.items()} == {
        k: (p.cost, p.fields) for k, p in pb.projects.items()
    }
    assert [(v.voter_id, v.vote) for v in again.votes] == [(v.voter_id, v.vote) for v in pb.votes]


def test_cumulative_and_ordinal_points():
    cumulative = pabulib.parse(
        "META\nkey;value\nbudget;10\nvote_type;cumulative\nPROJECTS\nproject_id;cost\n"
        "x;5\ny;5\nVOTES\nvoter_id;vote;points\n1;x,y;3,7\n2;y;10\n"
    )
    assert cumulative.tallies() == ({"x": 1, "y": 2}, {"x": 3, "y": 17})
    ordinal = pabulib.parse(
        "META\nkey;value\nbudget;10\nvote_type;ordinal\nmax_length;3\nPROJECTS\n"
        "project_id;cost\nx;5\ny;5\nz;5\nVOTES\nvoter_id;vote\n1;z,x,y\n2;y,z\n"
    )
    # Kraków: first choice k = 3 points, then 2, then 1 (also when fewer are ranked).
    assert ordinal.ballot_points(ordinal.votes[0]) == {"z": 3, "x": 2, "y": 1}
    assert ordinal.tallies()[1] == {"x": 2, "y": 4, "z": 5}


def test_choose_one_and_decimal_cost():
    pb = pabulib.parse(
        "META\nkey;value\nbudget;10.0\nvote_type;choose-1\nPROJECTS\nproject_id;cost\n"
        "x;2.50\nVOTES\nvoter_id;vote\n1;x\n"
    )
    assert pb.budget == 10 and isinstance(pb.budget, int)
    assert str(pb.projects["x"].cost) == "2.50"
    assert pb.tallies()[0] == {"x": 1}


@pytest.mark.parametrize(
    ("text", "line", "reason"),
    [
        ("key;value\nbudget;1\n", 1, "expected META"),
        ("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\nx;abc\n", 6, "cost"),
        ("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\nx;1;2\n", 6, "fields"),
        ("META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\nx;1\nx;2\n", 7, "twice"),
        (
            "META\nkey;value\nbudget;1\nPROJECTS\nproject_id;cost\nx;1\nVOTES\nvoter_id;vote\n"
            "1;y\n",
            9,
            "unknown project",
        ),
        ("META\nkey;value\nbudget;1\nPROJECTS\nname;cost\n", 5, "project_id"),
    ],
)
def test_parse_errors_name_the_line(text, line, reason):
    with pytest.raises(pabulib.PabulibError) as raised:
        pabulib.parse(text)
    assert raised.value.line == line
    assert reason in raised.value.message


def test_parse_errors_without_line():
    with pytest.raises(pabulib.PabulibError, match="budget"):
        pabulib.parse("META\nkey;value\nvote_type;approval\n")
    with pytest.raises(pabulib.PabulibError, match="vote_type"):
        pabulib.parse("META\nkey;value\nbudget;1\nvote_type;scoring\n")


# The commands ----------------------------------------------------------------------------


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_import_command_reports_the_line_of_a_bad_file(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("META\nkey;value\nbudget;100\nPROJECTS\nproject_id;cost\nx;ten\n")
    with pytest.raises(CommandError, match=r"bad.pb, line 6: cost is not a number"):
        run("import_pabulib", str(bad))
    with pytest.raises(CommandError, match="Cannot open"):
        run("import_pabulib", str(tmp_path / "missing.pb"))
    assert not Budget.objects.exists()


@pytest.mark.django_db
def test_import_and_export_tricky_file(tmp_path):
    source = tmp_path / "tricky.pb"
    source.write_text(TRICKY)
    out = run("import_pabulib", str(source))
    heading = Heading.objects.get()
    assert f"heading {heading.pk}" in out
    budget = heading.group.budget
    assert budget.source == "pabulib:tricky.pb"
    assert budget.ballot_style == BallotStyle.APPROVAL
    assert budget.approval_max_projects == 2
    assert budget.rule == TallyRule.GREEDY
    assert heading.amount == 1000
    assert Ballot.objects.filter(channel=Channel.IMPORTED).count() == 2
    target = tmp_path / "out.pb"
    assert "Wrote" in run("export_pabulib", "--heading", str(heading.pk), "-o", str(target))
    exported = pabulib.parse(target.read_text())
    assert exported.projects["1"].name == "Park; north side"
    assert {k for k, p in exported.projects.items() if p.selected} == {"1", "3"}
    assert run("export_pabulib", "--heading", str(heading.pk)) == target.read_text()
    with pytest.raises(CommandError, match="no heading"):
        run("export_pabulib", "--heading", "999999")


@pytest.mark.django_db
def test_heading_to_pabulib_for_the_download(tmp_path):
    source = tmp_path / "tricky.pb"
    source.write_text(TRICKY)
    run("import_pabulib", str(source))
    heading = Heading.objects.get()
    assert pabulib.heading_to_pabulib(heading) == heading_pabulib_text(heading)


# The five real files: import, tally, export, compare -----------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("name", FILES)
def test_real_file_round_trip(name, tmp_path, django_assert_max_num_queries):
    path = real_file(name)
    original = pabulib.parse(path.read_bytes())
    official = {k for k, p in original.projects.items() if p.selected}
    out = run("import_pabulib", str(path))
    heading = Heading.objects.get()
    assert f"heading {heading.pk}" in out
    budget = heading.group.budget
    expected_rule = (
        TallyRule.EQUAL_SHARES if original.rule.startswith("equalshares") else TallyRule.GREEDY
    )
    assert budget.rule == expected_rule
    assert Ballot.objects.filter(heading=heading).count() == len(original.votes)
    assert BallotLine.objects.filter(ballot__heading=heading).count() == sum(
        len(v.vote) for v in original.votes
    )

    with django_assert_max_num_queries(8):
        counted = heading_tally(heading)
    by_external = dict(heading.investments.values_list("pk", "external_id"))
    assert {by_external[pk] for pk in counted.winners} == official
    assert counted.ballots == len(original.votes)

    target = tmp_path / "export.pb"
    run("export_pabulib", "--heading", str(heading.pk), "-o", str(target))
    exported = pabulib.parse(target.read_bytes())
    assert list(exported.projects) == list(original.projects)
    assert {k: p.cost for k, p in exported.projects.items()} == {
        k: p.cost for k, p in original.projects.items()
    }
    assert {k for k, p in exported.projects.items() if p.selected} == official
    assert exported.budget == original.budget
    assert exported.vote_type == original.vote_type
    assert exported.tallies() == original.tallies()
    # The same ballots, as a box: the file's voter ids are not kept (the box numbers its
    # ballots 1..n after sorting them by content), and a ballot lists its projects in the order
    # of PROJECTS unless it is ranked.
    assert [v.voter_id for v in exported.votes] == [str(n + 1) for n in range(len(original.votes))]

    def content(pb, vote):
        if pb.vote_type == "ordinal":
            return tuple(vote.vote)
        return tuple(sorted(zip(vote.vote, vote.points or [None] * len(vote.vote), strict=True)))

    assert sorted(content(exported, v) for v in exported.votes) == sorted(
        content(original, v) for v in original.votes
    )
    assert exported.votes == sorted(
        exported.votes,
        key=lambda v: (
            [list(exported.projects).index(p) for p in v.vote],
            v.points or [],
        ),
    )
    votes, points = original.tallies()
    for project in exported.projects.values():
        assert project.votes == votes[project.project_id]
