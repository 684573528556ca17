"""Text messages: the outbox's table (models.py), Twilio's REST client (twilio_client.py) and the
outbox that queues, sends and settles each message once (outbox.py)."""
