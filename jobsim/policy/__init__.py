"""Pure functions of the Job controller's decisions: no SimPy, no clock."""

__all__: list[str] = []
