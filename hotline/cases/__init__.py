"""A household's case in the eviction procedure: its lease, landlord, rent and housing aid, the acts
of the procedure with their dates (models, services), the deadlines that follow (deadlines, pure),
what the household page says of them (notices, pure; page gathers it) and the per-household report
figures (figures, pure). cases never imports consultations (it names its models for the type checker
only): the pages that show a case (the household's, the fiche, deleting an act) are consultations' views.
"""
