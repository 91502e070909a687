"""pydantic models of the Kubernetes objects jobsim reads."""
