"""The referral rules the consultation form's script reads (referrals.rules()) say what the server says:
read the way app.js reads them, they give hints() for any outcomes, territory, sector and stages."""

from hypothesis import given
from hypothesis import strategies as st

from hotline.cases import referrals
from hotline.cases.notices import legal_order

TERRITORIES = (*referrals.MOBILE_TEAM_TERRITORIES, "arrageois", "calaisis", None)
SECTORS = ("prive", "social", "", None)
OUTCOMES = ("equipe_mobile", "protocole_cohesion_sociale", "saisine_fsl", "information_delivree")


def read_as_the_script_does(outcomes, territory, sector, stages) -> list[str]:
    """app.js's referral texts, for a form whose territory is known, without the conditions that fit."""
    known = {"territory": [territory or ""], "sector": [sector or ""], "stages": list(stages)}
    found = []
    for outcome, rule in referrals.rules().items():
        if outcome not in outcomes:
            continue
        misfits = sorted(check for check, fits in rule["fits"].items() if not set(known[check]) & set(fits))
        if misfits:
            found.append(rule["hints"][" ".join(misfits)])
    return found


@given(
    st.sets(st.sampled_from(OUTCOMES)),
    st.sampled_from(TERRITORIES),
    st.sampled_from(SECTORS),
    st.lists(st.sampled_from(legal_order()), max_size=4),
)
def test_the_script_gives_the_servers_hints(outcomes, territory, sector, stages):
    assert read_as_the_script_does(outcomes, territory, sector, ["", *stages]) == referrals.hints(
        outcomes, territory, sector, ["", *stages]
    )


def test_every_hint_is_a_text_and_the_conditions_are_the_servers():
    rules = referrals.rules()
    assert set(rules) == set(referrals.CONDITIONS_BY_OUTCOME)
    assert all(
        isinstance(text, str) and "à vérifier" in text for rule in rules.values() for text in rule["hints"].values()
    )
    assert str(referrals.CONDITIONS) == " ".join(rule["conditions"] for rule in rules.values())
