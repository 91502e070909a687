"""The model: cluster, scheduler, kubelets, Job controller, event injection."""

__all__: list[str] = []
