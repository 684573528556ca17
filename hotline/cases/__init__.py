"""A household's case in the eviction procedure: its lease, landlord, rent and housing aid, the acts
of the procedure with their dates (models, services), the deadlines that follow (deadlines, pure),
what the household page says of them (notices, pure) and the per-household report figures
(figures, pure).
"""
