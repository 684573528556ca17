"""WSGI entry points for production servers.

- `hotline.wsgi:app`: the web pages, with the voice line mounted under /ivr/ (one server is enough);
- `hotline.wsgi:voice`: the voice line alone (Twilio's /ivr/* webhooks), for a server of its own, so
  that no page (a year's report, an import) ever holds a worker a caller needs.
"""

from hotline import create_app

app = create_app()
voice = app.extensions["hotline.voice"]
