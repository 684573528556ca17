"""Who works when and where: the duty roster of the green number (`on_duty()` is the one question
the voice menu asks), the places, and the permanences held there (recurring series that keep their
past when edited, never two at once for a jurist)."""
