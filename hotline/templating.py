"""Jinja filters and globals: French labels of codes, dates, euros and masked phone numbers."""
from __future__ import annotations

from flask import Flask, g
from flask_login import current_user

from hotline import clock
from hotline.consultations.parsing import format_euros
from hotline.reference import label, labels, theme_codes


def fr_date(value) -> str:
    if not value:
        return ""
    return f"{value.day:02d}/{value.month:02d}/{value.year}"


def fr_datetime(value) -> str:
    if not value:
        return ""
    local = value.astimezone(clock.local_zone())
    return f"{fr_date(local)} {local:%H:%M}"


def masked_phone(number: str | None) -> str:
    """Jurists see the caller's number; other roles see only its last two digits."""
    if not number:
        return "numéro masqué"
    if getattr(current_user, "role", None) == "jurist":
        return number
    return number[:3] + " •• •• •• " + number[-2:] if len(number) > 6 else "••"


def aria(field, has_hint, extra: dict | None = None) -> dict:
    """The field's attributes, with aria-invalid and aria-describedby so screen readers read its
    hint and errors."""
    attrs = dict(extra or {})
    described = ([f"{field.id}-err"] if field.errors else []) + ([f"{field.id}-hint"] if has_hint else [])
    described += [attrs.pop("aria-describedby")] if "aria-describedby" in attrs else []
    if described:
        attrs["aria-describedby"] = " ".join(described)
    if field.errors:
        attrs["aria-invalid"] = "true"
    return attrs


def commune_label(insee: str | None) -> str:
    from hotline.reference.services import get_commune

    if not insee:
        return ""
    commune = get_commune(insee)
    return f"{commune.display} — {insee}" if commune else f"{insee} (hors département)"


def install(app: Flask) -> None:
    app.jinja_env.filters.update(
        label=lambda code, vocabulary: label(vocabulary, code),
        theme_label=lambda code: theme_codes().get(code, code),
        fr_date=fr_date, fr_datetime=fr_datetime, commune=commune_label, euros=format_euros, masked_phone=masked_phone,
    )
    app.jinja_env.globals.update(vocabulary=labels, aria=aria)

    @app.context_processor
    def reference_helpers():
        from hotline.reference.services import commune_options, territory_labels

        def territory_names() -> dict[str, str]:
            """code -> label, read once per request however many rows a table shows."""
            if "territory_names" not in g:
                g.territory_names = territory_labels()
            return g.territory_names

        return {"territory_names": territory_names, "commune_options": commune_options}
