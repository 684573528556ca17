"""The demo's cases: leases before and after July 2023, judgments of each kind, households past the
commandement de quitter near the truce; the household page of such a case shows its acts, the computed
dates with their articles, and a truce notice that never says an eviction can be carried out."""

import html
import random
import re
from datetime import date

from sqlalchemy import select
from test_cases_notices import SAYS_EVICTION_POSSIBLE

from hotline.auth.models import User
from hotline.cases.models import Case, ProcedureAct
from hotline.extensions import db
from hotline.jobs import demo

TODAY = date(2026, 11, 28)


def test_the_demo_cases(app, client, make_user, login):
    ids = [make_user("jurist", territories=(t,)).id for t in ("lens-henin", "boulonnais", "artois")]
    with app.app_context():
        jurists = [db.session.get(User, i) for i in ids]
        demo.consultations(random.Random(62), jurists, TODAY, households=80)
        db.session.commit()
        acts = db.session.execute(
            select(ProcedureAct.stage, ProcedureAct.occurred_on, Case.household_id).join(Case)
        ).all()
        leases = [c.lease_signed_on for c in db.session.scalars(select(Case)) if c.lease_signed_on]
        assert {"jugement_delais", "jugement_resiliation", "jugement_rejet"} <= {stage for stage, _, _ in acts}
        assert min(leases) < demo.LAW_2023 <= max(leases)
        assert all(served <= TODAY for _, served, _ in acts)
        near = [
            (served, household)
            for stage, served, household in acts
            if stage == "commandement_quitter" and (TODAY - served).days <= 80
        ]
        assert len(near) >= 5
    app.config["FIXED_NOW"] = "2026-11-28T10:00"
    login(make_user("manager"))
    served, household = max(near)
    page = html.unescape(client.get(f"/households/{household}").get_data(as_text=True))
    table = page.split('id="acts"')[1].split("</table>")[0]
    assert "Commandement de quitter les lieux" in table and served.strftime("%d/%m/%Y") in table
    notices = dict(re.findall(r'id="notice-([a-z_]+)">(.*?)</div>', page, re.S))
    assert "Art. L411-1 et L412-1 du code des procédures civiles d'exécution" in notices["expulsion_au_plus_tot"]
    assert "aucune expulsion avant le 01/04/2027" in notices["treve_hivernale"]
    assert not any(SAYS_EVICTION_POSSIBLE.search(re.sub(r"<[^>]+>", " ", text)) for text in notices.values())
