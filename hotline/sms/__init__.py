"""Text messages: the outbox, its model and Twilio's REST client."""
