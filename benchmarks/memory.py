"""Peak resident memory of the current process, for the benchmark children."""

from __future__ import annotations


def peak_rss_mb() -> float:
    """VmHWM: ``ru_maxrss`` survives fork + exec on Linux and would report the (large) parent's peak."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
