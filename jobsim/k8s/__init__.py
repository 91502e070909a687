"""pydantic models of the Kubernetes objects jobsim reads."""

__all__: list[str] = []
