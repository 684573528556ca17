"""The pages every public service owes its users, open without login: legal notice, personal data
notice and accessibility statement (RGAA)."""
