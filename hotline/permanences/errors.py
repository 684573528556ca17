"""The one error of the permanences' services."""


class PermanenceError(ValueError):
    """A French message: why this change is refused."""
