"""Reading what the recorder kept, for people: `sigap report` (per site:
camera availability, alarms and their times to acknowledge, doors, sirens;
as text, CSV or a printable HTML page) and the admin's listings `sigap
history`, `sigap alarms`, `sigap audit`. Read only. See docs/reports.md."""
