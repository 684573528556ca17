"""Monthly breakdowns per territory and the tidy report of formats.md, with its CSV and XLSX exports.

Reports read every other part and nothing imports them: consultations, the call log (calls_*),
callback tasks (callbacks_done), permanences (permanences_held) and activities.
"""
