"""What every feature may use and that imports no feature: clock, ids, the database's base model and
engine settings, audit, the calendar (holidays, opening hours, closures), formatting in French."""
