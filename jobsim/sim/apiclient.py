"""The Job controller's API client: its client-side rate limit and slow-start pod creation.

Upstream:

- kube-controller-manager gives each controller its own clientset
  (``ControllerClientBuilder.ClientOrDie("job-controller")``), each with its own token bucket
  (client-go ``rest.Config`` ``QPS``/``Burst``, ``flowcontrol.NewTokenBucketRateLimiter``, on
  ``golang.org/x/time/rate``): ``--kube-api-qps`` 20 and ``--kube-api-burst`` 30 by default.
  The bucket starts full; each request takes one token, waiting ``-tokens / qps`` when it is
  empty, and it refills at ``qps`` up to ``burst``.
- ``manageJob`` (``pkg/controller/job/job_controller.go``) creates pods in batches of 1, 2, 4,
  … (``controller.SlowStartInitialBatchSize`` = 1, doubling, capped by what is left), each
  batch's requests in parallel, the next batch once the whole batch has returned; the sync
  writes the Job's status after the last batch, and no other sync of the Job runs meanwhile
  (the work queue never hands one key to two workers; the expectations it set hold
  ``manageJob`` back until the informer has seen every creation, which in jobsim is at once).

What the bucket charges here is pod creations only: the controller's deletions, finalizer
patches, status updates and Events are not charged (docs/mechanisms.md).
"""

from __future__ import annotations

__all__ = ["SLOW_START_INITIAL_BATCH_SIZE", "TokenBucket", "batch_sizes"]

SLOW_START_INITIAL_BATCH_SIZE = 1
"""``controller.SlowStartInitialBatchSize`` (``pkg/controller/controller_utils.go``)."""


class TokenBucket:
    """``rate.Limiter`` with ``Wait``: the time each request may go, in the order asked.

    ``qps`` 0 means no limit.
    """

    __slots__ = ("burst", "last", "qps", "tokens")

    def __init__(self, qps: float, burst: int) -> None:
        self.qps = qps
        self.burst = burst
        self.tokens = float(burst)
        self.last = 0.0

    def reserve(self, now: float) -> float:
        """Take one token at ``now``; the time the request goes (``now`` or later)."""
        if self.qps <= 0:
            return now
        if now > self.last:  # advance: refill since the last reservation, up to burst
            self.tokens = min(float(self.burst), self.tokens + (now - self.last) * self.qps)
            self.last = now
        self.tokens -= 1.0
        return now if self.tokens >= 0.0 else now - self.tokens / self.qps


def batch_sizes(n: int) -> list[int]:
    """The slow-start batches of ``n`` creations: 1, 2, 4, … capped by what is left."""
    sizes: list[int] = []
    size = min(n, SLOW_START_INITIAL_BATCH_SIZE)
    while n > 0:
        sizes.append(size)
        n -= size
        size = min(2 * size, n)
    return sizes
