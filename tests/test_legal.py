"""The legal notice, personal data notice and accessibility statement open without login, from every page's footer."""

import re

import pytest


@pytest.mark.parametrize(
    "path, heading",
    [
        ("/mentions-legales", "Mentions légales"),
        ("/donnees-personnelles", "Vos données personnelles"),
        ("/accessibilite", "Déclaration d'accessibilité"),
    ],
)
def test_legal_pages_open_without_login(client, path, heading):
    response = client.get(path)
    assert response.status_code == 200
    assert f"<h1>{heading}</h1>" in response.get_data(as_text=True)


def test_the_personal_data_notice_states_the_configured_durations(app, client):
    app.config["RETENTION_HOUSEHOLD_YEARS"] = 5
    app.config["RETENTION_IMPORT_JOB_DAYS"] = 12
    text = client.get("/donnees-personnelles").get_data(as_text=True)
    assert "votre nom et votre numéro : 5 ans après votre dernier contact" in text
    assert "et le nom du fichier : 12 jours après la fin de l'import" in " ".join(text.split())


def test_the_accessibility_statement_says_not_compliant_until_audited(client):
    text = client.get("/accessibilite").get_data(as_text=True)
    assert "<strong>non conforme</strong>" in text and "aucun audit" in text


def test_every_page_has_the_footer_and_the_favicon(client):
    html = client.get("/login").get_data(as_text=True)
    footer = re.search(r'<footer class="bottom">(.*?)</footer>', html, re.S).group(1)
    for href in ("/mentions-legales", "/donnees-personnelles", "/accessibilite", "/public/permanences"):
        assert f'href="{href}"' in footer
    assert 'rel="icon" href="/static/favicon.svg"' in html
    assert 'rel="icon" href="/static/favicon.svg"' in client.get("/public/permanences").get_data(as_text=True)
    assert client.get("/static/favicon.svg").status_code == 200
