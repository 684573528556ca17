"""Appointments with a jurist, in a permanence's slot or at the office, and their SMS reminders."""
