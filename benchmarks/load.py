"""Chat throughput: concurrent ``gradio_client`` users asking questions of a running Waymark app.

Starts ``waymark chat`` on a free loopback port (or uses ``--url``), lets N users each ask M dev
questions through the ``/ask`` API endpoint, and reports requests/s, latency p50/p95, errors
and the server's resident memory before and after. Bounded: per-request timeout, overall deadline,
127.0.0.1 only.

    python benchmarks/load.py --data-dir .waymark [--users 20] [--questions 20] [--json out.json]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor, wait
from dataclasses import asdict, dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))

from benchmarks.baseline import percentiles  # noqa: E402

DEV_SUITE = REPO / "evals" / "suites" / "dev.yaml"
ENV = {
    "HF_HUB_OFFLINE": "1",
    "GRADIO_ANALYTICS_ENABLED": "False",
    "ANONYMIZED_TELEMETRY": "False",
    "WAYMARK_TODAY": "2026-11-25",
    "BROWSER": "true",  # should the app try to open a browser, make that a no-op
}


@dataclass
class LoadResult:
    users: int
    questions_per_user: int
    requests: int = 0
    ok: int = 0
    errors: int = 0
    error_samples: list[str] = field(default_factory=list)
    seconds: float = 0.0
    requests_per_s: float = 0.0
    latency_ms: dict = field(default_factory=dict)
    rss_mb_before: float | None = None
    rss_mb_after: float | None = None
    timed_out: bool = False


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int | None) -> float | None:
    """Resident memory of a process from /proc (Linux); None when unknown."""
    if pid is None:
        return None
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


@contextlib.contextmanager
def serve(
    data_dir: Path, corpus_dir: Path | None = None, startup_s: float = 180
) -> Iterator[tuple[str, int]]:
    """Run the chat app in a child process on loopback; yield (url, pid); always stop it."""
    port = free_port()
    cmd = [sys.executable, "-m", "bot.cli", "chat", "--data-dir", str(data_dir), "--host", "127.0.0.1"]
    cmd += ["--port", str(port)] + (["--corpus", str(corpus_dir)] if corpus_dir else [])
    log = tempfile.NamedTemporaryFile("w", prefix="waymark-load-", suffix=".log", delete=False)  # noqa: SIM115
    proc = subprocess.Popen(cmd, cwd=REPO, env={**os.environ, **ENV}, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        _wait_until_up(url, proc, startup_s, Path(log.name))
        yield url, proc.pid
    except Exception:
        log.flush()
        print(f"chat app log (tail):\n{Path(log.name).read_text(errors='replace')[-3000:]}", file=sys.stderr)
        raise
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()
        Path(log.name).unlink(missing_ok=True)


def _wait_until_up(url: str, proc: subprocess.Popen, startup_s: float, log: Path) -> None:
    deadline = time.monotonic() + startup_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log.read_text(errors="replace")[-800:]
            msg = f"the chat app exited with status {proc.returncode}: {tail}"
            raise RuntimeError(msg)
        with contextlib.suppress(OSError), urllib.request.urlopen(url + "config", timeout=2) as response:
            if response.status == 200:
                return
        time.sleep(0.5)
    msg = f"the chat app did not answer on {url} within {startup_s:.0f}s"
    raise RuntimeError(msg)


def dev_questions() -> list[str]:
    from evals.suite import load_suite

    return [c.question for c in load_suite(DEV_SUITE) if not c.history]


def ask_once(client, question: str, timeout_s: float):
    """One API call with the /ask signature: (question, history, stale_years, citations)."""
    result = client.submit(question, [], 3.0, 4, api_name="/ask").result(timeout=timeout_s)
    if not isinstance(result, dict) or not result.get("text"):
        msg = f"unexpected /ask result {result!r:.120}"
        raise ValueError(msg)
    return result


def run_load(
    url: str,
    questions: list[str],
    *,
    users: int = 20,
    per_user: int = 20,
    pid: int | None = None,
    timeout_s: float = 60,
    deadline_s: float = 600,
) -> LoadResult:
    """``users`` threads, each with its own client, each asking ``per_user`` questions in turn."""
    from gradio_client import Client

    result = LoadResult(users, per_user)
    ask_once(Client(url, verbose=False), questions[0], timeout_s)  # warm the server up
    result.rss_mb_before = rss_mb(pid)
    latencies: list[float] = []
    lock = threading.Lock()

    def user(n: int) -> None:
        try:
            client = Client(url, verbose=False)
        except Exception as exc:  # counted as this user's failed requests
            _record_error(result, lock, per_user, exc)
            return
        for i in range(per_user):
            question = questions[(n * per_user + i) % len(questions)]
            t0 = time.perf_counter()
            try:
                ask_once(client, question, timeout_s)
            except Exception as exc:
                _record_error(result, lock, 1, exc)
                continue
            with lock:
                latencies.append((time.perf_counter() - t0) * 1000)
                result.ok += 1

    started = time.perf_counter()
    pool = ThreadPoolExecutor(max_workers=users)
    _, pending = wait([pool.submit(user, n) for n in range(users)], timeout=deadline_s)
    result.timed_out = bool(pending)
    pool.shutdown(wait=False, cancel_futures=True)  # stragglers end at their own request timeout
    result.seconds = time.perf_counter() - started
    result.requests = result.ok + result.errors
    result.requests_per_s = result.ok / result.seconds if result.seconds else 0.0
    result.latency_ms = percentiles(sorted(latencies))
    result.rss_mb_after = rss_mb(pid)
    return result


def _record_error(result: LoadResult, lock: threading.Lock, count: int, exc: Exception) -> None:
    with lock:
        result.errors += count
        if len(result.error_samples) < 5:
            result.error_samples.append(f"{exc.__class__.__name__}: {exc}"[:200])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", help="an already running app (loopback only)")
    parser.add_argument("--data-dir", type=Path, default=Path(".waymark"), help="index to serve")
    parser.add_argument("--users", type=int, default=20)
    parser.add_argument("--questions", type=int, default=20, help="questions per user")
    parser.add_argument("--json", type=Path, help="write the result here")
    args = parser.parse_args(argv)
    questions = dev_questions()
    if args.url:
        if not args.url.startswith(("http://127.0.0.1", "http://localhost")):
            parser.error("--url must be a loopback address")
        result = run_load(args.url, questions, users=args.users, per_user=args.questions)
    else:
        with serve(args.data_dir.resolve()) as (url, pid):
            result = run_load(url, questions, users=args.users, per_user=args.questions, pid=pid)
    text = json.dumps(asdict(result), indent=2)
    print(text)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text)
    return 0 if result.errors == 0 and not result.timed_out else 1


if __name__ == "__main__":
    sys.exit(main())
