"""Each role's home page: what there is to do."""
