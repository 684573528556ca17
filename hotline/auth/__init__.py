"""Users, roles, login, and the access rules that every other part relies on."""
