"""Documents people read: the artist's report (HTML with inline charts, Markdown), calendar reminders (ICS)."""
