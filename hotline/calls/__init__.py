"""The jurists' call pages: the callback worklist by urgency and its actions, the screen pop of a ringing
jurist, the line now, and the numbers a household is known by."""
