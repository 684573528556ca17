"""The request glue: Jinja filters, shared form pieces, the commit-at-the-edge helper, the retry of a
locked SQLite request."""
