"""Households and the jurists' consultation log: models, forms, services and pages, the pages of a
household's case included (case_views: cases holds the case, consultations shows it)."""
