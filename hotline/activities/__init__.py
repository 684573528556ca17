"""The service's own activities (CCAPEX, working groups, articles, forums...), counted in the report."""
