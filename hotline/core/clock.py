"""The one clock of the app: injectable, so that tests and the call simulator choose the instant.

`now()` is an aware UTC instant. Set the config key FIXED_NOW (ISO text or datetime), or
NOW_FUNCTION (a callable), to move the clock.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from flask import current_app

from hotline.core.models_base import utcnow


def local_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def parse_instant(value: str | datetime, zone: ZoneInfo) -> datetime:
    """ISO text or datetime -> aware UTC. A naive value is read as local wall time."""
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(value)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(UTC)


def now() -> datetime:
    config = current_app.config
    function = config.get("NOW_FUNCTION")
    if function is not None:
        return function()
    fixed = config.get("FIXED_NOW")
    if fixed:
        return parse_instant(fixed, local_zone())
    return utcnow()


def local_now() -> datetime:
    return now().astimezone(local_zone())


def local_today() -> date:
    return local_now().date()
