"""Reading a consultations import file (formats.md, "Consultations import"). Pure: the commune and
postal-code tables come in as `Lookups`; nothing is written here.

Every wrong cell of every row is reported with its line number (the header is line 1), its column
and the reason, so that an import is all or nothing and the person can fix the file in one go. A
problem never quotes the file's text (a cell may hold a name or a phone number, and the error lists
are kept and shown to others): an unknown column is named by its position, a wrong code by its rank
in its cell. The work is bounded: at most MAX_COLUMNS columns, the header checked in linear time, the
first MAX_PROBLEMS problems kept and the others only counted (Problems).
`rows()` streams: it reads a binary file object a line at a time, keeps no row, and may be run
twice over the same file (to check it, then to write it); `read()` is the same over bytes, kept whole.
The external_ids seen (a duplicate is an error naming its first line) are kept on disk, in a private
temporary SQLite database (SeenIds), so that memory does not grow with the file.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import sqlite3
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from functools import cache
from typing import BinaryIO

from hotline.cases.services import (
    JUDGMENTS,
    UNPAID_RENT_THEME,
    CaseError,
    act_date_problem,
    parse_acts,
)
from hotline.consultations.parsing import (
    ParseError,
    is_insee_outside_department,
    parse_amount,
)
from hotline.core import date_bounds
from hotline.core.formatting import whole
from hotline.reference import (
    BUCKETS,
    HORS_DEPARTEMENT,
    NON_RENSEIGNE,
    labels,
    theme_codes,
)

COLUMNS = (
    "external_id",
    "date",
    "mission",
    "mode",
    "consultant_type",
    "commune_insee",
    "postal_code",
    "territory",
    "occupancy_status",
    "housing_sector",
    "family_situation",
    "age_band",
    "resource_band",
    "referral_source",
    "resource_types",
    "debt_origins",
    "outcomes",
    "themes",
    "procedure_stage",
    "debt_amount",
    "habitat_indigne",
    "permis_louer",
    "duration_minutes",
    "household_ref",
    "lease_signed_on",
    "landlord_type",
    "rent_amount",
    "housing_benefit",
    "procedure_acts",
    "decision_kind",
)
# Optional (2026-11): what the consultation says of the household's case; a file without them imports as before.
CASE_COLUMNS = ("lease_signed_on", "landlord_type", "rent_amount", "housing_benefit")
CASE_CODED = {"landlord_type": "landlord_types", "housing_benefit": "housing_benefits"}
REQUIRED = ("date", "mission", "mode")
EVICTION_ONLY = "seulement pour la prévention des expulsions (mission prevention_expulsion)."

SINGLE = {
    "consultant_type": "consultant_types",
    "occupancy_status": "occupancy_statuses",
    "housing_sector": "housing_sectors",
    "family_situation": "family_situations",
    "age_band": "age_bands",
    "resource_band": "resource_bands",
    "referral_source": "referral_sources",
}
MULTI = {"resource_types": "resource_types", "debt_origins": "debt_origins", "outcomes": "outcomes"}
MAX_PROBLEMS = 1000  # kept; the others are only counted, so that the list stays readable and small
MAX_COLUMNS = 200  # formats.md has 29: a wider header is no consultations file
CHUNK = 1 << 16
MAX_MINUTES = 600  # as in the consultation form
IDENTIFIER_MAX = 80  # consultations.external_id and households.external_ref
UNREADABLE = "\ufffd"  # what decode() puts for a byte that is neither UTF-8 nor Windows-1252
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")
_MINUTES = re.compile(r"[0-9]{1,3}")
_INSEE = re.compile(r"[0-9][0-9AB][0-9]{3}")
_POSTAL = re.compile(r"[0-9]{5}")
UNKNOWN_CODE = "code inconnu (voir le format d'import)."
NOT_A_DATE = "date AAAA-MM-JJ attendue."


@dataclass(frozen=True)
class Problem:
    line: int
    column: str
    message: str

    def __str__(self) -> str:
        where = f"ligne {self.line}" + (f", colonne « {self.column} »" if self.column else "")
        return f"{where} : {self.message}"


class Problems(list):
    """The problems of a file: the first `limit` kept, in the order met; the others only counted (`more`)."""

    def __init__(self, limit: int = MAX_PROBLEMS):
        super().__init__()
        self.limit, self.more = limit, 0

    def append(self, problem: Problem) -> None:
        if len(self) < self.limit:
            super().append(problem)
        else:
            self.more += 1

    def extend(self, problems) -> None:
        for problem in problems:
            self.append(problem)

    @property
    def total(self) -> int:
        return len(self) + self.more


@dataclass
class Lookups:
    commune_territory: Callable[[str], str | None]  # INSEE of the Pas-de-Calais -> territory, None if unknown
    postal_territories: Callable[[str], set[str]]  # postal code -> territories of its communes
    territories: set[str]  # the eight territory codes


@dataclass
class Parsed:
    rows: list[tuple[int, dict]] = field(default_factory=list)  # (line, cleaned data)
    problems: Problems = field(default_factory=Problems)


def _other_known_mission(mission: str) -> bool:
    """A known mission other than eviction prevention (an unknown one has its own error already)."""
    return mission != "prevention_expulsion" and mission in _vocabulary("missions")


def decode(data: bytes) -> str:
    """UTF-8 (with or without BOM), else Windows-1252; a byte that is neither becomes UNREADABLE, which
    read() reports at its line and column."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data.decode("utf-8-sig", errors="replace")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def _unreadable(column: str, line: int) -> Problem:
    return Problem(line, column, "caractère illisible, ni UTF-8 ni Windows-1252 : enregistrez le fichier en UTF-8.")


def encoding_of(stream: BinaryIO) -> str:
    """decode()'s choice, read a chunk at a time: utf-8-sig, utf-8, else cp1252. Rewinds the stream."""
    stream.seek(0)
    if stream.read(3) == codecs.BOM_UTF8:
        stream.seek(0)
        return "utf-8-sig"
    stream.seek(0)
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        while chunk := stream.read(CHUNK):
            decoder.decode(chunk)
        decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        return "cp1252"
    finally:
        stream.seek(0)


def read(data: bytes, lookups: Lookups, today: date) -> Parsed:
    """Every good row and every problem of a file held in memory."""
    parsed = Parsed()
    parsed.rows.extend(rows(io.BytesIO(data), lookups, today, parsed.problems))
    return parsed


def rows(stream: BinaryIO, lookups: Lookups, today: date, problems: Problems) -> Iterator[tuple[int, dict]]:
    """(line, cleaned data) of every good row, in the file's order, read from the start of a binary file
    object; each problem is appended to `problems` as it is met (the first MAX_PROBLEMS kept, the rest
    counted: the file is read to its end either way)."""
    encoding = encoding_of(stream)
    text = io.TextIOWrapper(stream, encoding=encoding, errors="replace", newline="")
    try:
        first = text.readline()
        delimiter = ";" if first.count(";") > first.count(",") else ","
        text.seek(0)
        yield from _read(csv.reader(text, delimiter=delimiter), stream, delimiter, lookups, today, problems)
    finally:
        text.detach()  # the caller's file stays open


def _read(
    reader, stream: BinaryIO, delimiter: str, lookups: Lookups, today: date, problems: Problems
) -> Iterator[tuple[int, dict]]:
    try:
        cells = next(reader)
    except StopIteration:
        problems.append(Problem(1, "", "le fichier est vide."))
        return
    except csv.Error:  # a header cell over the csv module's limit
        problems.append(_unreadable_line(_whole(stream), delimiter, []))
        return
    header = [name.strip() for name in cells]
    _check_header(header, problems)
    if problems:
        return
    seen_ids = SeenIds()
    try:
        yield from _rows(reader, header, problems, seen_ids, lookups, today)
    except csv.Error:  # a cell over the csv module's limit: the file is refused whole
        problems.append(_unreadable_line(_whole(stream), delimiter, header))
    finally:
        seen_ids.close()


def _check_header(header: list[str], problems: Problems) -> None:
    """The header's problems, in time linear in its width; a column the format does not know is named by
    its position (its text may be a first data line's cell)."""
    if len(header) > MAX_COLUMNS:
        problems.append(
            Problem(
                1,
                "",
                f"{whole(len(header))} colonnes : {MAX_COLUMNS} au plus (voir le format "
                "d'import). La première ligne doit être celle des noms de colonnes.",
            )
        )
        return
    problems.extend(_unreadable(f"n° {n}", 1) for n, name in enumerate(header, start=1) if UNREADABLE in name)
    if problems:
        return
    problems.extend(
        Problem(1, f"n° {n}", "colonne inconnue (voir le format d'import).")
        for n, name in enumerate(header, start=1)
        if name not in COLUMNS
    )
    problems.extend(Problem(1, name, "colonne obligatoire absente.") for name in REQUIRED if name not in header)
    counts = Counter(name for name in header if name in COLUMNS)
    problems.extend(Problem(1, name, "colonne en double.") for name in sorted(counts) if counts[name] > 1)


class SeenIds:
    """The external_ids read so far, each with the line it was first read on: in a private temporary
    database on disk (SQLite's "" file name, deleted when closed), not in memory."""

    def __init__(self):
        self._db = sqlite3.connect("")
        self._db.execute("CREATE TABLE seen (external_id TEXT PRIMARY KEY, line INTEGER) WITHOUT ROWID")

    def first_line(self, external_id: str, line: int) -> int | None:
        """None the first time an id is read (it is kept with this line); else the line it was first read on."""
        if self._db.execute("INSERT INTO seen VALUES (?, ?) ON CONFLICT DO NOTHING", (external_id, line)).rowcount:
            return None
        return self._db.execute("SELECT line FROM seen WHERE external_id = ?", (external_id,)).fetchone()[0]

    def close(self) -> None:
        self._db.close()


def _whole(stream: BinaryIO) -> str:
    """The whole file, decoded: only to name the line of a cell too long to read (the file is refused)."""
    stream.seek(0)
    return decode(stream.read())


def _unreadable_line(text: str, delimiter: str, header: list[str]) -> Problem:
    """The line and column of the first cell longer than the csv module reads (128 KB)."""
    limit = csv.field_size_limit()
    message = f"ligne illisible : une cellule de plus de {limit} caractères."
    tokens = re.compile(rf'(?P<cell>"(?:[^"]|"")*"?|[^{delimiter}"\r\n]+)|(?P<sep>{delimiter})|(?P<end>\r\n|\n|\r)|"')
    record = cell = 0
    for token in tokens.finditer(text):
        if token.lastgroup == "cell" and len(token.group()) > limit:
            column = header[cell] if record and cell < len(header) else f"n° {cell + 1}"
            return Problem(record + 1, column, message)
        if token.lastgroup == "sep":
            cell += 1
        elif token.lastgroup == "end":
            record, cell = record + 1, 0
    return Problem(record + 1, "", message)


def _rows(
    reader, header: list[str], problems: Problems, seen_ids: SeenIds, lookups: Lookups, today: date
) -> Iterator[tuple[int, dict]]:
    for number, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        if len(cells) != len(header):
            problems.append(Problem(number, "", f"{len(cells)} cellules pour {len(header)} colonnes."))
            continue
        values = {name: cell.strip() for name, cell in zip(header, cells, strict=True)}
        if UNREADABLE in "".join(cells):  # one search a row; the cells named only when there is one
            problems.extend(_unreadable(name, number) for name, value in values.items() if UNREADABLE in value)
            continue
        data, found = _row(values, number, lookups, today)
        external_id = values.get("external_id", "")
        first = seen_ids.first_line(external_id, number) if external_id else None
        if first is not None:
            found.append(Problem(number, "external_id", f"déjà à la ligne {first}."))
        problems.extend(found)
        if not found:
            yield number, data


def _row(values: dict[str, str], line: int, lookups: Lookups, today: date) -> tuple[dict, list[Problem]]:
    problems: list[Problem] = []

    def wrong(column: str, message: str) -> None:
        problems.append(Problem(line, column, message))

    data: dict = {
        "external_id": values.get("external_id") or None,
        "household_ref": values.get("household_ref") or None,
    }
    for name in ("external_id", "household_ref"):
        if data[name] and (len(data[name]) > IDENTIFIER_MAX or _CONTROL.search(data[name])):
            wrong(name, f"{IDENTIFIER_MAX} caractères au plus, sans caractère de contrôle.")
    try:
        day = date.fromisoformat(values.get("date", ""))
        refusal = date_bounds.consultation_day(day, today)  # the form's rule
        if refusal:
            wrong("date", refusal[0].lower() + refusal[1:])
        data["date"] = day
    except ValueError:
        wrong("date", NOT_A_DATE if values.get("date") else "valeur obligatoire.")
    for name, vocabulary in (("mission", "missions"), ("mode", "modes")):
        code = values.get(name, "")
        if code not in _vocabulary(vocabulary):
            wrong(name, UNKNOWN_CODE if code else "valeur obligatoire.")
        data[name] = code
    data["consultant_type"] = values.get("consultant_type") or "particulier"
    if data["consultant_type"] not in _vocabulary("consultant_types"):
        wrong("consultant_type", UNKNOWN_CODE)
    for name, vocabulary in SINGLE.items():
        if name == "consultant_type":
            continue
        code = values.get(name) or "inconnu"
        if code not in _vocabulary(vocabulary):
            wrong(name, UNKNOWN_CODE)
        data[name] = code
    for name, vocabulary in MULTI.items():
        data[name], unknown = _codes(values.get(name, ""), _vocabulary(vocabulary))
        for n in unknown:
            wrong(name, f"{_nth(n)} code de la cellule inconnu (voir le format d'import).")
    data["themes"], unknown = _codes(values.get("themes", ""), _known_themes())
    for n in unknown:
        wrong("themes", f"{_nth(n)} thème de la cellule inconnu (voir le format d'import).")
    _place(values, data, wrong, lookups)
    stage = values.get("procedure_stage") or None
    if stage and stage not in _vocabulary("procedure_stages"):
        wrong("procedure_stage", UNKNOWN_CODE)
    elif stage and _other_known_mission(data["mission"]):
        wrong("procedure_stage", EVICTION_ONLY)
    data["procedure_stage"] = stage
    try:
        data["debt_amount"] = parse_amount(values.get("debt_amount"), allow_thousands=False)
    except ParseError as error:
        wrong("debt_amount", str(error))
    if data.get("debt_amount") is not None and _other_known_mission(data["mission"]):
        wrong("debt_amount", EVICTION_ONLY)
    for name in ("habitat_indigne", "permis_louer"):
        flag = values.get(name) or "0"
        if flag not in ("0", "1"):
            wrong(name, "0 ou 1 attendu.")
        data[name] = flag == "1"
    minutes = values.get("duration_minutes", "")
    data["duration_minutes"] = None
    if _MINUTES.fullmatch(minutes) and int(minutes) <= MAX_MINUTES:
        data["duration_minutes"] = int(minutes)
    elif minutes:
        wrong("duration_minutes", f"nombre entier de minutes attendu, de 0 à {MAX_MINUTES}.")
    _case(values, data, wrong)
    return data, problems


def _case(values: dict[str, str], data: dict, wrong) -> None:
    """The optional case columns: data["case"] = {field: value said} (absent or empty: not said), and
    data["acts"] = {stage: day}; the same rules as the consultation form (cases.services)."""
    said: dict = {}
    lease = values.get("lease_signed_on", "")
    if lease:
        try:
            said["lease_signed_on"] = date.fromisoformat(lease)
            if "date" in data and said["lease_signed_on"] > data["date"]:
                wrong("lease_signed_on", "la signature du bail ne peut pas suivre la consultation.")
        except ValueError:
            wrong("lease_signed_on", NOT_A_DATE)
    for name, vocabulary in CASE_CODED.items():
        code = values.get(name, "")
        if code and code not in _vocabulary(vocabulary):
            wrong(name, UNKNOWN_CODE)
        elif code:
            said[name] = code
    try:
        rent = parse_amount(values.get("rent_amount"), allow_thousands=False)
        if rent is not None:
            said["rent_amount"] = rent
    except ParseError as error:
        wrong("rent_amount", str(error))
    acts: dict = {}
    try:
        if values.get("procedure_acts"):  # an empty cell names no act: parse_acts reads the codes each time
            acts = parse_acts(values["procedure_acts"])
    except CaseError as error:  # its messages name a known code or a rank, never the cell's text
        wrong("procedure_acts", error.errors["procedure_acts"])
    for code, stated in acts.items():
        for day in stated.dates:
            if "date" in data and (problem := act_date_problem(code, day, data["date"])):
                wrong("procedure_acts", f"{code} : {problem}")
    kind = values.get("decision_kind", "")
    if kind and kind not in _vocabulary("decision_kinds"):
        wrong("decision_kind", "code inconnu (decision_kinds : fond, refere, inconnu).")
    elif kind and not set(acts) & set(JUDGMENTS):
        wrong("decision_kind", "ne s'applique qu'à un jugement ou un arrêt nommé dans procedure_acts.")
    if (said or acts) and data.get("mission") != "prevention_expulsion" and UNPAID_RENT_THEME not in data["themes"]:
        wrong(
            next(name for name in (*CASE_COLUMNS, "procedure_acts") if values.get(name)),
            "le dossier (bail, loyer, actes) se renseigne pour prevention_expulsion ou le thème impayes_expulsion.",
        )
    data["case"], data["acts"], data["decision_kind"] = said, acts, kind or None


@cache
def _vocabulary(name: str) -> frozenset[str]:
    """The codes of a flat vocabulary, read once (data shipped with the code): labels() builds its dict
    again at each call, and a row asks some fourteen times."""
    return frozenset(labels(name))


@cache
def _known_themes() -> frozenset[str]:
    return frozenset(theme_codes())  # the taxonomy is data shipped with the code: read once


def _nth(n: int) -> str:
    return "1er" if n == 1 else f"{n}e"


def _codes(cell: str, known) -> tuple[list[str], list[int]]:
    """The codes of a multi-valued cell (`a|b`), once each, and the ranks (from 1) of the items not in `known`."""
    if not cell:
        return [], []
    codes = [code for code in (part.strip() for part in cell.split("|")) if code]
    return list(dict.fromkeys(codes)), [n for n, code in enumerate(codes, start=1) if code not in known]


def _place(values: dict, data: dict, wrong, lookups: Lookups) -> None:
    """commune_insee decides; else a postal code of a single territory; else the territory column."""
    insee = values.get("commune_insee", "").upper()
    postal = values.get("postal_code", "")
    territory = values.get("territory", "")
    if territory and territory not in lookups.territories and territory not in BUCKETS:
        wrong("territory", "territoire inconnu (voir le format d'import).")
        territory = ""
    found = None
    if insee:
        if not _INSEE.fullmatch(insee):
            wrong("commune_insee", "code INSEE de 5 caractères attendu.")
        elif insee.startswith("62"):
            found = lookups.commune_territory(insee)
            if found is None:
                wrong("commune_insee", "aucune commune du Pas-de-Calais n'a ce code INSEE.")
        elif is_insee_outside_department(insee):
            found = HORS_DEPARTEMENT
        else:
            wrong("commune_insee", "ce n'est pas un code INSEE de commune.")
    elif postal:
        if not _POSTAL.fullmatch(postal):
            wrong("postal_code", "code postal de 5 chiffres attendu.")
        elif not postal.startswith("62"):
            found = HORS_DEPARTEMENT
        else:
            places = lookups.postal_territories(postal)
            if not places:
                wrong("postal_code", "aucune commune du Pas-de-Calais n'a ce code postal.")
            elif len(places) == 1:
                found = next(iter(places))
            elif territory not in places:
                wrong(
                    "postal_code",
                    "code postal partagé entre plusieurs territoires : indiquez commune_insee ou territory.",
                )
    if found and territory and territory != found:
        wrong("territory", f"ne correspond pas à la commune ({found}).")
    data["commune_insee"] = insee or None
    data["territory_code"] = found or territory or NON_RENSEIGNE
