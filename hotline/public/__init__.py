"""Pages for everyone, without login: the coming permanences per territory and commune, printable,
and a calendar feed per territory. No personal data: no jurist, no appointment."""
