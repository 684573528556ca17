"""The import of a consultations file: parse (pure, cell by cell), write (the rows), jobs (in the
background)."""
