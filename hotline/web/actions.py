"""One way for the pages to run a service action: commit it and say so, or roll back and show the
service's French reason."""

from __future__ import annotations

from collections.abc import Callable

from flask import flash

from hotline.extensions import db


def attempt(action: Callable[[], object], done: str, refused: type[Exception]) -> bool:
    try:
        action()
        db.session.commit()
        flash(done, "success")
        return True
    except refused as error:
        db.session.rollback()
        flash(str(error), "error")
        return False
