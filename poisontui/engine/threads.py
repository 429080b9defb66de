"""Thread limits for work on small matrices."""

from __future__ import annotations


def one_thread(method):
    """Run with one BLAS/OpenMP thread: on these small matrices more threads cost far more than they give
    (measured on a busy two-core machine: a Hessian-vector product on digits 22 ms against 1 ms)."""
    import functools

    @functools.wraps(method)
    def wrapped(*args, **kwargs):
        from threadpoolctl import threadpool_limits

        with threadpool_limits(limits=1):
            return method(*args, **kwargs)

    return wrapped
