"""The winter truce on the household page: derived from the acts' dates (cases.notices), never a statement
that an eviction may be carried out. The old notice (consultations/procedure.py) said, from the stage alone,
"jusque-là, l'expulsion peut être exécutée" before November: wrong without a commandement de quitter les
lieux and the two months that follow it (CPCE L411-1, L412-1)."""

import html
import re
from datetime import date

import pytest
from test_cases_notices import SAYS_EVICTION_POSSIBLE

from hotline.cases.services import record_acts
from hotline.consultations import services as consultations
from hotline.consultations.models import Consultation, Household
from hotline.extensions import db


@pytest.fixture
def family(app, make_household):
    return make_household(name="Famille Durand")


def consult(app, household, day, stage, acts=None):
    with app.app_context():
        found = db.session.get(Household, household.id)
        consultation = consultations.record_consultation(
            {
                "date": day,
                "mission": "prevention_expulsion",
                "mode": "telephone",
                "territory_code": "lens-henin",
                "procedure_stage": stage,
                "themes": ["impayes_expulsion"],
            },
            None,
            found,
        )
        if acts:
            record_acts(found, consultation, acts)
        db.session.commit()


def notices_of(client, household) -> dict[str, str]:
    page = client.get(f"/households/{household.id}").get_data(as_text=True)
    found = re.findall(r'<div class="notice" role="note" id="notice-([a-z_]+)">(.*?)</div>', page, re.S)
    return {key: html.unescape(re.sub(r"<[^>]+>", " ", body)) for key, body in found}


def test_a_judgment_without_commandement_de_quitter_before_the_truce(app, client, jurist, login, family):
    consult(app, family, date(2026, 9, 10), "jugement")
    app.config["FIXED_NOW"] = "2026-09-15T10:00"
    login(jurist)
    notices = notices_of(client, family)
    assert "aucun commandement de quitter les lieux n'est noté depuis" in notices["pas_de_commandement_quitter"]
    assert "pas d'expulsion avant le 16/11/2026" not in notices["pas_de_commandement_quitter"]  # in the truce
    assert "pas d'expulsion avant le 01/04/2027" in notices["pas_de_commandement_quitter"]
    assert "La trêve hivernale commence le 01/11/2026" in notices["treve_hivernale"]
    assert "Art. L412-6" in notices["treve_hivernale"]
    for text in notices.values():
        assert not SAYS_EVICTION_POSSIBLE.search(text)


def test_a_commandement_de_quitter_ending_in_the_truce(app, client, jurist, login, family):
    consult(app, family, date(2026, 10, 5), "commandement_quitter", {"commandement_quitter": date(2026, 10, 2)})
    app.config["FIXED_NOW"] = "2026-11-28T10:00"
    login(jurist)
    notices = notices_of(client, family)
    assert "Commandement de quitter les lieux du 02/10/2026" in notices["expulsion_au_plus_tot"]
    assert "expire le 02/12/2026" in notices["expulsion_au_plus_tot"]
    assert "Art. L411-1 et L412-1" in notices["expulsion_au_plus_tot"]
    assert "aucune expulsion avant le 01/04/2027" in notices["treve_hivernale"]
    assert "Ce que ce calcul ne dit pas" in notices["treve_hivernale"]


def test_before_november_the_two_months_still_run(app, client, jurist, login, family):
    """15 October: the truce starts in two weeks, but the two months of a commandement served on
    1 September end on 1 November: no eviction before 1 April, not "until November"."""
    consult(app, family, date(2026, 9, 3), "commandement_quitter", {"commandement_quitter": date(2026, 9, 1)})
    app.config["FIXED_NOW"] = "2026-10-15T10:00"
    login(jurist)
    notices = notices_of(client, family)
    assert "aucune expulsion avant le 01/04/2027" in notices["treve_hivernale"]
    for text in notices.values():
        assert not SAYS_EVICTION_POSSIBLE.search(text)


def test_nothing_about_the_truce_before_a_judgment(app, client, jurist, login, family):
    consult(app, family, date(2026, 12, 1), "assignation")
    app.config["FIXED_NOW"] = "2026-12-15T10:00"
    login(jurist)
    assert notices_of(client, family) == {}
    with app.app_context():
        assert db.session.query(Consultation).count() == 1
