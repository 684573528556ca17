"""Issue 16, item 6: a one-line text field refuses line breaks, tabs and every other control character
(C0, DEL, C1, Unicode's line separators) with a French message, the typed values kept; a text of several
lines refuses all but tab and line breaks. So no vertical tab reaches an .ics."""

import importlib
import pkgutil
import re

import pytest
from sqlalchemy import select
from test_permanences import fresh_places, make_permanence  # noqa: F401 (fixture)
from test_permanences_places import place_data
from werkzeug.datastructures import MultiDict
from wtforms import HiddenField, PasswordField, SelectFieldBase, StringField, TextAreaField

import hotline
from hotline.extensions import db
from hotline.permanences.models import Permanence, Place
from hotline.web.forms import INVISIBLE_MESSAGE, SINGLE_LINE_MESSAGE, Form, has_control_characters

FORBIDDEN_ON_ONE_LINE = ["\n", "\r", "\t", "\x0b", "\x0c", "\x00", "\x1b", "\x7f", "\x85", "\x9f", "\u2028", "\u2029"]


@pytest.mark.parametrize("character", FORBIDDEN_ON_ONE_LINE)
def test_every_control_character_is_refused_on_one_line(character):
    assert has_control_characters(f"Mairie{character}de Lens")
    assert has_control_characters(f"Mairie{character}de Lens", multiline=True) == (
        character not in "\n\r\t\u2028\u2029"
    )  # line breaks, in a text


def test_letters_of_any_language_pass():
    assert not has_control_characters("Œuvre d'Hénin — 17 bis, rue de l'Église · 62000 Ærø ½ 😀")
    assert not has_control_characters("Entrée par la cour\r\nrez-de-chaussée\tà gauche", multiline=True)


def all_forms() -> list[type]:
    for module in pkgutil.walk_packages(hotline.__path__, "hotline."):
        if "migrations" not in module.name and module.name != "hotline.wsgi":  # wsgi makes the production app
            importlib.import_module(module.name)
    found, todo = [], [Form]
    while todo:
        cls = todo.pop()
        found.append(cls)
        todo.extend(cls.__subclasses__())
    return [cls for cls in found if cls is not Form]


def typed_fields(form) -> list:
    return [f for f in form if isinstance(f, StringField) and not isinstance(f, (HiddenField, PasswordField))]


def test_every_typed_field_of_every_form_is_checked(app):
    """Whatever the form declares: a line break in any one-line field, a vertical tab in any text."""
    checked = 0
    for cls in all_forms():
        with app.test_request_context(method="POST"):
            probe = cls(formdata=MultiDict(), meta={"csrf": False})
            names = [f.name for f in typed_fields(probe)]
        for name in names:
            multiline = isinstance(getattr(probe, name), TextAreaField)
            with app.test_request_context(method="POST"):
                form = cls(
                    formdata=MultiDict({name: "Mairie\x0bde Lens" if multiline else "Mairie\nde Lens"}),
                    meta={"csrf": False},
                )
                for field in form:
                    if isinstance(field, SelectFieldBase) and getattr(field, "choices", None) is None:
                        field.choices = []
                assert not form.validate(), (cls.__name__, name)
                field = getattr(form, name)
                assert field.errors == [INVISIBLE_MESSAGE if multiline else SINGLE_LINE_MESSAGE], (
                    cls.__name__,
                    name,
                    field.errors,
                )
                assert field.data.startswith("Mairie")  # kept as typed, shown back
            checked += 1
    assert checked >= 20


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("name", "Mairie de Liévin\r\nX-INJECTED:1", SINGLE_LINE_MESSAGE),
        ("address", "Place\x0bGambetta", INVISIBLE_MESSAGE),
        ("public_phone", "03 21 44\t89 89", SINGLE_LINE_MESSAGE),
        ("access_notes", "Entrée par la cour\x0b", INVISIBLE_MESSAGE),
    ],
)
def test_a_place_with_a_control_character_is_refused_and_kept_as_typed(
    app, client, make_user, login, field, value, message
):
    login(make_user("admin"))
    url = "/permanences/places/new"
    response = client.post(url, data=place_data(client, url, **{field: value}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and message.replace("'", "&#39;") in page.replace("'", "&#39;")
    assert "Mairie de Li" in page and "Place" in page and "Entrée par la cour" in page
    with app.app_context():
        assert db.session.scalar(select(Place)) is None


def test_a_text_of_several_lines_keeps_its_line_breaks(app, client, make_user, login):
    login(make_user("admin"))
    url = "/permanences/places/new"
    assert (
        client.post(url, data=place_data(client, url, access_notes="Entrée par la cour\r\nà gauche")).status_code == 302
    )
    with app.app_context():
        assert db.session.scalar(select(Place.access_notes)) == "Entrée par la cour\r\nà gauche"


def test_no_vertical_tab_reaches_an_ics(app, client, make_user, login):
    """Typed in a form, a vertical tab is refused; one already stored (written before) is not written out."""
    app.config["FIXED_NOW"] = "2026-12-01T08:00"
    permanence = make_permanence(app, make_user("jurist"))
    with app.app_context():
        place = db.session.get(Permanence, permanence).place
        place.access_notes = "Entrée\x0bpar la cour\x1b"  # no NUL: PostgreSQL refuses it
        place.name = "Mairie\x0bde Lens"
        db.session.commit()
        place_id = place.id
    feed = client.get("/public/permanences/lens-henin.ics")
    assert feed.status_code == 200 and b"Permanence logement" in feed.data
    assert not re.search(rb"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]", feed.data)
    login(make_user("admin"))
    url = f"/permanences/places/{place_id}/edit"
    response = client.post(url, data=place_data(client, url, access_notes="Entrée\x0bpar la cour"))
    assert response.status_code == 200 and "caractère invisible" in response.get_data(as_text=True)
