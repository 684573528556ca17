"""The jurists' call pages: the callback worklist and its actions."""
