"""The agenda: a week (a list per day on a phone) of permanences, duty shifts and appointments, per
jurist, territory and mission; booking picks a free slot there."""
