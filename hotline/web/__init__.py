"""The request glue: Jinja filters, shared form pieces, the commit-at-the-edge helper, the retry of a
locked SQLite request, the home page and the health check."""
