"""What a write changed, said by the service that wrote it (at its edge, inside the transaction), so that
the derived tables (reports/) follow without the writer knowing them. Receivers are connected in one
place, reports.subscribe(app), called by create_app: nothing listens because a module was imported.

Every signal is sent with the SQLAlchemy session as sender, after the service flushed its rows.
"""

from __future__ import annotations

from blinker import Namespace

_signals = Namespace()

# Before an edit of a consultation is applied (consultation=): what it counted until now.
consultation_changing = _signals.signal("consultation-changing")
# A consultation was recorded or edited and flushed (consultation=, changed=: False when an edit changed
# nothing; a new one is always changed).
consultation_saved = _signals.signal("consultation-saved")
# An import wrote new consultations without the ORM, sent once at its end (ids=: [(first, last)], the
# ranges of their ids).
consultations_imported = _signals.signal("consultations-imported")
