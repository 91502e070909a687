"""Pure functions of the Job controller's decisions: no SimPy, no clock."""
