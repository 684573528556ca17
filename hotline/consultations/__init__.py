"""Households and the jurists' consultation log: models, forms, services and pages."""
