"""A list's page as the address asks for it, or its last page when the address asks beyond it (a link kept
from a longer list, a typed number), with a French note saying so: never an empty page without a word."""

from __future__ import annotations

from flask_sqlalchemy.pagination import Pagination

from hotline.extensions import db


def page_within(select, per_page: int) -> tuple[Pagination, str | None]:
    """The page ?page= asks for (extensions.Database.paginate reads it), or the last one if it is beyond,
    and then the note that says so."""
    page = db.paginate(select, page=None, per_page=per_page, error_out=False)
    if page.page <= max(page.pages, 1):
        return page, None
    asked = page.page
    page = db.paginate(select, page=max(page.pages, 1), per_page=per_page, error_out=False)
    if page.pages <= 1:
        return page, f"La page {asked} n'existe pas : la liste tient en une page, la voici."
    return page, f"La page {asked} n'existe pas : voici la dernière, la page {page.pages}."
