"""Monthly breakdowns per territory and the annual activity report (a later issue).

Reports read every other part and nothing imports them. The call log's `calls_*` indicators
come from hotline.ivr.models.Call; consultations from hotline.consultations.models.
"""
