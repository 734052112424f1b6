"""Pabulib files (pabulib.org/format): parse into plain dataclasses, and write them back.

A file has three sections, each a line with its name (META, PROJECTS, VOTES), a header line and
rows; fields are separated by ``;`` and may be double-quoted (a quoted field may contain ``;``, a
doubled quote stands for one). Real files mix CRLF and LF line endings.

Vote types: ``approval`` and ``choose-1`` (a list of project ids), ``cumulative`` (a list of
project ids and, in the ``points`` column, the points given to each), ``ordinal`` (project ids in
order of preference; scored as Kraków counts: with k = META ``max_length`` (or the ballot's
length when absent), the first choice scores k, the next k - 1, ...).

No Django here; `heading_pabulib_text` (the export of a Ruamkit heading) lives in
budgets/counting.py.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

VOTE_TYPES = ("approval", "choose-1", "cumulative", "ordinal")
SECTIONS = ("META", "PROJECTS", "VOTES")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


class PabulibError(ValueError):
    """A file that is not valid Pabulib; `line` is the 1-based line number when known."""

    def __init__(self, message: str, line: int | None = None):
        self.message = message
        self.line = line
        super().__init__(f"line {line}: {message}" if line else message)


def parse_number(text: str, *, line: int | None = None, what: str = "number") -> int | Decimal:
    """An int when the value is integral (``1000``, ``1000.0``), else an exact Decimal."""
    try:
        value = Decimal(text.strip())
    except InvalidOperation:
        raise PabulibError(f"{what} is not a number: {text!r}", line) from None
    if not value.is_finite():
        raise PabulibError(f"{what} is not a number: {text!r}", line)
    if value == value.to_integral_value():
        return int(value)
    return value


def _format_number(value) -> str:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral_value() else str(value)
    return str(value)


@dataclass
class Project:
    project_id: str
    cost: int | Decimal
    fields: dict[str, str] = field(default_factory=dict)  # every column, as written
    line: int | None = None

    @property
    def name(self) -> str:
        return self.fields.get("name", "")

    @property
    def selected(self) -> bool:
        return self.fields.get("selected", "0").strip() == "1"

    @property
    def votes(self) -> int | None:
        value = self.fields.get("votes", "").strip()
        return parse_number(value) if value else None

    @property
    def score(self) -> int | Decimal | None:
        value = self.fields.get("score", "").strip()
        return parse_number(value) if value else None


@dataclass
class Vote:
    voter_id: str
    vote: list[str]
    points: list[int | Decimal] | None = None
    fields: dict[str, str] = field(default_factory=dict)
    line: int | None = None


@dataclass
class PabulibFile:
    meta: dict[str, str]
    projects: dict[str, Project]  # in file order
    votes: list[Vote]
    project_columns: list[str] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=list)

    @property
    def budget(self) -> int | Decimal:
        return parse_number(self.meta["budget"], what="budget")

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval").strip()

    @property
    def rule(self) -> str:
        return self.meta.get("rule", "greedy").strip()

    def meta_int(self, key: str) -> int | None:
        value = self.meta.get(key, "").strip()
        if not value:
            return None
        number = parse_number(value, what=key)
        return int(number)

    @property
    def ordinal_length(self) -> int | None:
        return self.meta_int("max_length")

    def ballot_points(self, vote: Vote) -> dict[str, int | Decimal]:
        """Points per project of one ballot: 1 each (approval, choose-1), the points
        (cumulative), or k, k-1, ... in order (ordinal, Kraków)."""
        if self.vote_type == "cumulative":
            if vote.points is None:
                return {p: 1 for p in vote.vote}
            return dict(zip(vote.vote, vote.points, strict=True))
        if self.vote_type == "ordinal":
            k = self.ordinal_length or len(vote.vote)
            return {p: max(k - rank, 1) for rank, p in enumerate(vote.vote)}
        return {p: 1 for p in vote.vote}

    def tallies(self) -> tuple[dict[str, int], dict[str, int | Decimal]]:
        """Ballots per project, and points per project."""
        votes = dict.fromkeys(self.projects, 0)
        points = dict.fromkeys(self.projects, 0)
        for vote in self.votes:
            for project, given in self.ballot_points(vote).items():
                votes[project] += 1
                points[project] += given
        return votes, points


def _rows(text: str):
    """(line number, fields) of each non-empty line."""
    for number, line in enumerate(_LINE_BREAK.split(text), start=1):
        if not line.strip():
            continue
        try:
            row = next(csv.reader([line], delimiter=";", quotechar='"', strict=True))
        except csv.Error as e:
            raise PabulibError(f"malformed line: {e}", number) from None
        yield number, [value.strip() for value in row]


def _ids(text: str) -> list[str]:
    return [item.strip() for item in text.split(",") if item.strip()]


def parse(source: str | bytes) -> PabulibFile:
    """Parse the text (or UTF-8 bytes, a BOM allowed) of a Pabulib file."""
    if isinstance(source, bytes):
        try:
            source = source.decode("utf-8-sig")
        except UnicodeDecodeError as e:
            raise PabulibError(f"not UTF-8 text: {e}") from None
    source = source.lstrip("\ufeff")
    meta: dict[str, str] = {}
    projects: dict[str, Project] = {}
    votes: list[Vote] = []
    project_columns: list[str] = []
    vote_columns: list[str] = []
    section = None
    header: list[str] | None = None
    seen_voters: set[str] = set()
    for number, row in _rows(source):
        if len(row) == 1 and row[0].upper() in SECTIONS:
            section = row[0].upper()
            header = None
            continue
        if section is None:
            raise PabulibError("expected META, PROJECTS or VOTES", number)
        if header is None:
            header = [column.lower() for column in row]
            if section == "PROJECTS":
                if "project_id" not in header or "cost" not in header:
                    raise PabulibError("PROJECTS needs project_id and cost columns", number)
                project_columns = header
            elif section == "VOTES":
                if "voter_id" not in header or "vote" not in header:
                    raise PabulibError("VOTES needs voter_id and vote columns", number)
                vote_columns = header
            continue
        if len(row) != len(header):
            raise PabulibError(f"{len(row)} fields where the header has {len(header)}", number)
        values = dict(zip(header, row, strict=True))
        if section == "META":
            meta[row[0]] = row[1] if len(row) > 1 else ""
        elif section == "PROJECTS":
            project_id = values["project_id"]
            if not project_id:
                raise PabulibError("empty project_id", number)
            if project_id in projects:
                raise PabulibError(f"project {project_id} appears twice", number)
            cost = parse_number(values["cost"], line=number, what="cost")
            if cost < 0:
                raise PabulibError(f"negative cost {cost}", number)
            projects[project_id] = Project(project_id, cost, values, number)
        else:
            voter_id = values["voter_id"]
            if voter_id in seen_voters:
                raise PabulibError(f"voter {voter_id} appears twice", number)
            seen_voters.add(voter_id)
            chosen = _ids(values["vote"])
            if len(set(chosen)) != len(chosen):
                raise PabulibError(f"voter {voter_id} names a project twice", number)
            points = None
            if values.get("points", "").strip():
                points = [
                    parse_number(p, line=number, what="points") for p in _ids(values["points"])
                ]
                if len(points) != len(chosen):
                    raise PabulibError("vote and points differ in length", number)
            votes.append(Vote(voter_id, chosen, points, values, number))
    if "budget" not in meta:
        raise PabulibError("META has no budget")
    parsed = PabulibFile(meta, projects, votes, project_columns, vote_columns)
    try:
        parsed.budget  # noqa: B018 - validates
    except PabulibError as e:
        raise PabulibError(e.message, None) from None
    if parsed.vote_type not in VOTE_TYPES:
        raise PabulibError(f"unsupported vote_type {parsed.vote_type!r}")
    for vote in votes:
        unknown = [p for p in vote.vote if p not in projects]
        if unknown:
            raise PabulibError(f"vote for unknown project {unknown[0]}", vote.line)
        if parsed.vote_type == "cumulative" and vote.points is None and vote.vote:
            raise PabulibError("cumulative vote without points", vote.line)
    return parsed


def dumps(pb: PabulibFile) -> str:
    """A valid Pabulib file (LF line endings; fields quoted only when they need it)."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", quotechar='"', lineterminator="\n")

    def clean(value) -> str:
        return _LINE_BREAK.sub(" ", str(value))

    out.write("META\n")
    writer.writerow(["key", "value"])
    for key, value in pb.meta.items():
        writer.writerow([clean(key), clean(value)])
    out.write("PROJECTS\n")
    columns = pb.project_columns or ["project_id", "cost", "name"]
    writer.writerow(columns)
    for project in pb.projects.values():
        values = dict(project.fields)
        values["project_id"] = project.project_id
        values["cost"] = _format_number(project.cost)
        writer.writerow([clean(values.get(column, "")) for column in columns])
    out.write("VOTES\n")
    columns = pb.vote_columns or ["voter_id", "vote"]
    writer.writerow(columns)
    for vote in pb.votes:
        values = dict(vote.fields)
        values["voter_id"] = vote.voter_id
        values["vote"] = ",".join(vote.vote)
        if vote.points is not None:
            values["points"] = ",".join(_format_number(p) for p in vote.points)
        writer.writerow([clean(values.get(column, "")) for column in columns])
    return out.getvalue()


def heading_to_pabulib(heading) -> str:
    """The Pabulib text of a Ruamkit heading (see budgets.counting.heading_pabulib_text)."""
    from budgets.counting import heading_pabulib_text

    return heading_pabulib_text(heading)
