"""Administration pages: accounts, the territories mapping, the duty roster and opening hours."""
