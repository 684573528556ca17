"""The agenda's hour grid: where events sit (pure, table-driven), the week page read as a tree of elements
(hours as rows, days as columns, each event placed by its time with its hours in text), the day view
and its links, and no duty on a public holiday or a closure day."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from html.parser import HTMLParser
from types import SimpleNamespace as Event
from zoneinfo import ZoneInfo

import pytest
from test_agenda import week  # noqa: F401 (fixture: Lens on Tuesdays, Boulogne on Wednesdays, Paul's duty)

from hotline.agenda import grid
from hotline.core.opening import Closure
from hotline.extensions import db
from hotline.permanences.models import DutyShift

PARIS = ZoneInfo("Europe/Paris")
VOID = {"br", "meta", "link", "input", "img", "hr", "source", "col", "wbr"}


@dataclass
class Node:
    tag: str
    attrs: dict
    children: list = field(default_factory=list)

    @property
    def classes(self) -> list[str]:
        return (self.attrs.get("class") or "").split()

    def text(self) -> str:
        parts = [
            c if isinstance(c, str) else c.text() if "until" in c.classes else " " + c.text() + " "  # "09:00–11:00"
            for c in self.children
        ]
        return re.sub(r"\s+", " ", "".join(parts)).strip()

    def all(self, tag: str | None = None, cls: str | None = None) -> list[Node]:
        found = []
        for child in self.children:
            if isinstance(child, Node):
                if (tag is None or child.tag == tag) and (cls is None or cls in child.classes):
                    found.append(child)
                found.extend(child.all(tag, cls))
        return found

    def by_id(self, id_: str) -> Node:
        return next(n for n in self.all() if n.attrs.get("id") == id_)

    def number(self, prefix: str) -> int:
        """The n of a placement class "prefix-n" (agenda.css)."""
        return next(int(c[len(prefix) + 1 :]) for c in self.classes if re.fullmatch(rf"{prefix}-\d+", c))


class _Tree(HTMLParser):
    def __init__(self):
        super().__init__()
        self.root = Node("document", {})
        self.stack = [self.root]

    def handle_starttag(self, tag, attrs):
        node = Node(tag, dict(attrs))
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_endtag(self, tag):
        for depth in range(len(self.stack) - 1, 0, -1):
            if self.stack[depth].tag == tag:
                del self.stack[depth:]
                return

    def handle_data(self, data):
        self.stack[-1].children.append(data)


def tree(html: str) -> Node:
    parser = _Tree()
    parser.feed(html)
    return parser.root


# --- pure: the range of hours, rows and lanes ---------------------------------------------------------


def at(hour, minute=0, day=1):
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


def event(starts, ends):
    return Event(starts=at(*starts), ends=at(*ends))


@pytest.mark.parametrize(
    "opening, events, expected",
    [
        ([], [], (9, 17)),
        ([(time(9), time(12, 30)), (time(13, 30), time(17))], [], (9, 17)),
        ([(time(9), time(17))], [((8, 30), (9, 0)), ((17, 0), (18, 15))], (8, 19)),
        ([], [((14, 0), (15, 0))], (14, 15)),
    ],
)
def test_the_grid_spans_the_opening_hours_and_every_event(opening, events, expected):
    assert grid.hour_range(opening, [(at(*a), at(*b)) for a, b in events]) == expected


@pytest.mark.parametrize(
    "starts, ends, expected",
    [
        ((9, 0), (11, 0), (0, 120)),  # two hours from the top
        ((9, 30), (10, 0), (30, 30)),
        ((14, 30), (15, 0), (330, 30)),  # a 14:30 appointment at 14:30, not at 14:15 or 14:05
        ((14, 35), (14, 50), (335, 15)),  # at its minute
        ((10, 5), (10, 10), (65, 15)),  # shorter than a quarter: drawn as a quarter
        ((16, 55), (17, 0), (465, 15)),  # ... moved up, not past the bottom
        ((16, 45), (18, 0), (465, 15)),  # cut at the grid's end
        ((7, 0), (9, 15), (0, 15)),  # cut at its start
    ],
)
def test_an_event_sits_at_its_minute_and_is_as_tall_as_its_time(starts, ends, expected):
    assert grid.span_of(at(*starts), at(*ends), 9, 17) == expected


def test_the_classes_name_hours_and_minutes():
    assert grid.place(330, 30) == "th-5 tm-30 lh-0 lm-30"
    assert grid.place(0, 480) == "th-0 tm-0 lh-8 lm-0"


def test_overlapping_events_sit_side_by_side_and_the_others_take_the_width():
    permanence, appointment, duty, later = (
        event((9, 0), (11, 0)),
        event((9, 30), (10, 0)),
        event((9, 0), (12, 0)),
        event((14, 0), (15, 0)),
    )
    placed, lanes = grid.lay_out([permanence, duty, appointment, later], 9, 17)
    where = {id(p.entry): (p.top, p.length, p.lane, p.lanes) for p in placed}
    assert lanes == 3
    assert where[id(duty)] == (0, 180, 1, 1)  # the longest first at 9:00
    assert where[id(permanence)] == (0, 120, 2, 1)
    assert where[id(appointment)] == (30, 30, 3, 1)
    assert where[id(later)] == (300, 60, 1, 3)  # alone in the afternoon: the whole day's width
    assert [p.entry for p in placed] == [permanence, duty, appointment, later]  # the reading order is kept
    assert [(p.left, p.width) for p in placed] == [(33, 34), (0, 33), (67, 33), (0, 100)]  # whole percents
    # A heavier lane is wider: the permanence's twice the duty's and the appointment's.
    heavy = grid.lay_out([permanence, duty, appointment, later], 9, 17, weight=lambda e: 2 if e is permanence else 1)
    assert [(p.left, p.width) for p in heavy[0]] == [(25, 50), (0, 25), (75, 25), (0, 100)]
    back_to_back, lanes = grid.lay_out([event((9, 0), (10, 0)), event((10, 0), (11, 0))], 9, 17)
    assert lanes == 1 and [p.lane for p in back_to_back] == [1, 1]
    short, lanes = grid.lay_out([event((9, 0), (9, 5)), event((9, 10), (9, 20))], 9, 17)
    assert lanes == 2  # drawn a quarter long, the first would cover the second: side by side


@pytest.mark.parametrize(
    ("weights", "shares"),
    [
        ([1], [1.0]),
        ([3, 1], [2 / 3, 1 / 3]),  # by weight, 75/25, would leave the appointment less than a third
        ([1, 2, 1], [0.25, 0.5, 0.25]),  # by weight: each at least a quarter already
        ([3, 3, 1], [0.375, 0.375, 0.25]),  # two permanences beside an appointment: not 3/7, 3/7, 1/7
        ([3, 3, 3, 1], [0.8 / 3, 0.8 / 3, 0.8 / 3, 0.2]),
    ],
)
def test_no_lane_is_narrower_than_one_more_lane_would_leave(weights, shares):
    assert grid.lane_shares(weights) == pytest.approx(shares)
    assert sum(grid.lane_shares(weights)) == pytest.approx(1)


def local(day, hour, minute=0):
    return datetime(2026, 12, day, hour, minute, tzinfo=PARIS)


@pytest.mark.parametrize(
    "now, closes, expected",
    [
        (local(1, 8), time(17), date(2026, 12, 1)),  # a Tuesday morning: today
        (local(1, 18), time(17), date(2026, 12, 2)),  # a Tuesday evening: Wednesday, the same week
        (local(4, 16, 59), time(17), date(2026, 12, 4)),  # a Friday before closing: today
        (local(4, 17), time(17), date(2026, 12, 7)),  # ... after closing: the next Monday
        (local(5, 10), time(17), date(2026, 12, 7)),  # Saturday: Monday
        (local(6, 10), None, date(2026, 12, 7)),  # Sunday, without opening hours: Monday
        (datetime(2026, 12, 24, 18, tzinfo=PARIS), time(17), date(2026, 12, 28)),  # Christmas Friday skipped
        (datetime(2027, 3, 27, 10, tzinfo=PARIS), time(17), date(2027, 3, 30)),  # Easter Monday skipped
    ],
)
def test_the_agenda_opens_on_the_next_working_day_after_hours_and_on_weekends(now, closes, expected):
    from hotline.core.calendar import is_holiday

    assert grid.opening_day(now, closes, is_holiday) == expected


# --- the page -----------------------------------------------------------------------------------------


def entries_of(day: Node) -> list[tuple[str, int, int, str]]:
    """Each event of a day column: its kind, its top and length in minutes from the grid's top, text."""
    return [
        (
            next(k for k in ("permanence", "duty", "appointment") if k in e.classes),
            e.number("th") * 60 + e.number("tm"),
            e.number("lh") * 60 + e.number("lm"),
            e.text(),
        )
        for e in day.all("li", "entry")
    ]


def test_the_week_is_an_hour_grid_with_each_event_placed_by_its_time(app, client, login, make_user, week):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(make_user("manager"))
    page = tree(client.get("/agenda/?week=2026-12-01").get_data(as_text=True))
    agenda = page.by_id("agenda-grid")
    # The hours of the opening range (9:00-12:30 and 13:30-17:00 on weekdays), each labelled at its line,
    # 17:00 included; the grid is eight hours tall.
    hours = agenda.all("li", "hour")
    assert [h.text() for h in hours] == [f"{h:02d}:00" for h in range(9, 18)]
    assert [(h.number("th"), h.number("tm")) for h in hours] == [(n, 0) for n in range(9)]
    assert agenda.number("span") == 8
    assert agenda.all("ol", "hours")[0].attrs.get("aria-hidden") == "true"  # each event says its hours itself
    # Columns: the days, in order, each headed by its name (a link to that day alone); an empty weekend
    # gives its width to the weekdays.
    days = agenda.all("li", "day")
    assert [d.attrs["id"] for d in days] == [
        f"day-2026-{m:02d}-{d:02d}" for m, d in ((11, 30), (12, 1), (12, 2), (12, 3), (12, 4))
    ]
    assert "n-5" in agenda.all("ol", "days")[0].classes
    assert days[1].all("h2")[0].text() == "mardi 01/12/2026"
    assert days[1].all("h2")[0].all("a")[0].attrs["href"].startswith("/agenda/?day=2026-12-01")
    tuesday, wednesday, thursday = (entries_of(d) for d in days[1:4])
    assert [(kind, row, rows) for kind, row, rows, _ in tuesday] == [("permanence", 0, 120)]
    assert "09:00–11:00 Permanence Mairie de Lens" in tuesday[0][3]
    assert [(kind, row, rows) for kind, row, rows, _ in wednesday] == [("permanence", 0, 120), ("appointment", 30, 30)]
    assert wednesday[1][3].startswith("09:30–10:00 Rendez-vous Famille Martin")
    lanes = [e.number("l") for e in days[2].all("li", "entry")]
    assert lanes == [1, 2] and days[2].number("c") == 2  # the appointment beside its permanence
    assert [(kind, row, rows) for kind, row, rows, _ in thursday] == [("duty", 0, 180)]
    assert thursday[0][3] == (
        "09:00–12:00 Garde au numéro vert 09:00–12:00 Paul Durand · Prévention des expulsions "
        "locatives (numéro vert) · Boulonnais"
    )
    assert "Rien ce jour-là." in days[0].text()
    # A permanence's slots sit at their minute within its box, each with its time in text.
    slots = days[1].all("li", "slot")
    assert [(s.number("th") * 60 + s.number("tm"), s.number("lh") * 60 + s.number("lm")) for s in slots] == [
        (0, 30),
        (30, 30),
        (60, 30),
        (90, 30),
    ]
    assert [s.text().split()[0] for s in slots] == ["09:00", "09:30", "10:00", "10:30"]


def test_on_a_sunday_or_after_fridays_hours_the_agenda_opens_on_the_next_working_week(
    app, client, login, make_user, week
):
    login(make_user("manager"))
    for now, monday in (
        ("2026-12-06T10:00", "2026-12-07"),  # Sunday
        ("2026-12-04T18:30", "2026-12-07"),  # Friday evening
        ("2026-12-04T10:00", "2026-11-30"),  # Friday morning: this week
    ):
        app.config["FIXED_NOW"] = now
        page = tree(client.get("/agenda/").get_data(as_text=True))
        assert page.by_id("week").attrs["value"] == monday, now


def test_the_day_view_shows_one_day_with_links_to_the_days_around(app, client, login, week):
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(week["paul"])
    page = tree(client.get("/agenda/?day=2026-12-02&territory=boulonnais").get_data(as_text=True))
    days = page.by_id("agenda-grid").all("li", "day")
    assert [d.attrs["id"] for d in days] == ["day-2026-12-02"]
    assert "one-day" in page.by_id("agenda-grid").classes
    assert [kind for kind, *_ in entries_of(days[0])] == ["permanence", "appointment"]
    before, after = page.by_id("day-before"), page.by_id("day-after")
    assert re.search(r"day=2026-12-01\b", before.attrs["href"]) and "territory=boulonnais" in before.attrs["href"]
    assert re.search(r"day=2026-12-03\b", after.attrs["href"]) and "territory=boulonnais" in after.attrs["href"]
    assert (
        before.text() == "← Jour précédent (mardi 01/12/2026)" and after.text() == "Jour suivant (jeudi 03/12/2026) →"
    )
    assert page.by_id("day").attrs["value"] == "2026-12-02"  # the filter form keeps the day
    thursday = tree(client.get(after.attrs["href"].replace("&amp;", "&")).get_data(as_text=True))
    assert [kind for kind, *_ in entries_of(thursday.by_id("day-2026-12-03"))] == ["duty"]
    # The week, on a phone, shows its focus day (today here) with links to the days around it.
    week_page = tree(client.get("/agenda/?week=2026-12-01").get_data(as_text=True))
    focused = [d.attrs["id"] for d in week_page.all("li", "day") if "focus" in d.classes]
    assert focused == ["day-2026-12-01"]
    assert "day=2026-11-30" in week_page.by_id("phone-day-before").attrs["href"]
    assert "day=2026-12-02" in week_page.by_id("phone-day-after").attrs["href"]
    for query in ("day=2026-02-30", "day=0001-01-01", "day=x&week=y"):
        assert client.get(f"/agenda/?{query}").status_code == 200


def test_no_duty_on_a_public_holiday_or_a_closure_day(app, client, login, make_user, week):
    """Paul's Monday-to-Friday series: Christmas (a Friday) and a closure of the eviction line on Thursday
    24 December show no shift, and say why; the information line's closure leaves the eviction shifts."""
    with app.app_context():
        db.session.add(
            DutyShift(
                user_id=week["paul"].id,
                mission="prevention_expulsion",
                territory_code=None,
                weekdays=range(5),
                starts=time(14),
                ends=time(16),
            )
        )
        db.session.add(
            Closure(
                mission="prevention_expulsion",
                starts_on=date(2026, 12, 24),
                ends_on=date(2026, 12, 24),
                reason="Formation",
            )
        )
        db.session.add(
            Closure(
                mission="info_logement", starts_on=date(2026, 12, 23), ends_on=date(2026, 12, 23), reason="Inventaire"
            )
        )
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-21T08:00"
    login(make_user("manager"))
    page = tree(client.get("/agenda/?week=2026-12-21").get_data(as_text=True))
    duty_days = {d.attrs["id"][4:]: [e for e in entries_of(d) if e[0] == "duty"] for d in page.all("li", "day")}
    assert {day: len(shifts) for day, shifts in duty_days.items()} == {
        "2026-12-21": 1,
        "2026-12-22": 1,
        "2026-12-23": 1,
        "2026-12-24": 0,
        "2026-12-25": 0,
    }
    heads = {d.attrs["id"][4:]: d.all("h2")[0].text() for d in page.all("li", "day")}
    assert "(férié)" in heads["2026-12-25"]
    assert "Ligne « Prévention des expulsions locatives (numéro vert) » fermée : Formation" in heads["2026-12-24"]
    assert "Inventaire" in heads["2026-12-23"]


def test_shifts_at_overlapping_hours_make_one_block_naming_each_jurist_and_their_hours(
    app, client, login, make_user, week
):
    claire = make_user("jurist", name="Claire Martin")
    with app.app_context():
        db.session.add(
            DutyShift(
                user_id=claire.id,
                mission="info_logement",
                territory_code=None,
                weekdays=[3],
                starts=time(11),
                ends=time(13),
            )
        )
        db.session.add(
            DutyShift(
                user_id=claire.id,
                mission="info_logement",
                territory_code=None,
                weekdays=[3],
                starts=time(14),
                ends=time(15),
            )
        )
        db.session.commit()
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    login(make_user("manager"))
    page = tree(client.get("/agenda/?week=2026-12-01").get_data(as_text=True))
    thursday = page.by_id("day-2026-12-03")
    assert [(kind, row, rows) for kind, row, rows, _ in entries_of(thursday)] == [("duty", 0, 240), ("duty", 300, 60)]
    block = thursday.all("li", "entry")[0]
    assert block.all("p")[0].text() == "09:00–13:00 Garde au numéro vert (2 juristes)"
    assert [li.text() for li in block.all("li")] == [
        "09:00–12:00 Paul Durand · Prévention des expulsions locatives (numéro vert) · Boulonnais",
        "11:00–13:00 Claire Martin · Information sur le logement et l'habitat · Tous les territoires",
    ]
