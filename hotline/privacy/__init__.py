"""Personal data of households (RGPD): what is personal, how it is erased (by the retention purge or
at a person's request, art. 17), and how all of it is exported for that person (art. 15).

- personal: the catalogue of personal and free-text fields, and erase_households() / erase_calls();
- export: every record of one household, as a JSON-ready dict, and its readable PDF;
- views: the manager's page of a household's personal data (download, erase).
"""
