"""What a write changed, said by the service that wrote it (at its edge, inside the transaction), so that
the rooms that depend on it follow without the writer knowing them: the derived tables (reports/), the
appointments booked in a permanence. Receivers are connected in one place per room, its subscribe(app)
(reports.subscribers, appointments.subscribers), called by create_app: nothing listens because a module
was imported.

Every signal is sent with the SQLAlchemy session as sender, after the service flushed its rows; a signal
named "...-changing" or "...-cancelling" is sent before the change, and a receiver may refuse it by
returning a French reason (None lets it go): the sender raises its own error with the first reason.
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

# Before a permanence's days or hours change from `start` (permanence=, start=, schedule=: its
# recurrence.Schedule from then on, None when it stops): what is booked in it may refuse the change.
permanence_changing = _signals.signal("permanence-changing")
# A running permanence was split (old=, new=, start=): the old row ends the day before `start`, the new
# row holds the series from `start`, and what was booked in the old row from then on moves to it.
permanence_split = _signals.signal("permanence-split")
# Before a day of a permanence is cancelled (permanence=, day=): what is booked that day may refuse it.
permanence_cancelling = _signals.signal("permanence-cancelling")
