#!/usr/bin/env python3
"""The driver behind scripts/bench: starts s3emu, moto_server and nginx, runs every workload
against each in turn (round by round), prints the table and writes the JSON file.

Run it through scripts/bench, which installs what is missing, builds s3emu and the harness
start-up probe in release mode, and stops everything this driver started even if it is killed.
"""

from __future__ import annotations

import argparse
import datetime
import hashlib
import hmac
import http.client
import json
import math
import os
import platform
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import xml.etree.ElementTree as ET
from concurrent.futures import ThreadPoolExecutor

import boto3
import botocore.auth
from botocore.awsrequest import AWSRequest
from botocore.config import Config
from botocore.credentials import Credentials

HERE = os.path.dirname(os.path.abspath(__file__))
WRK_SCRIPT = os.path.join(HERE, "wrk.lua")

ACCESS_KEY = "test"
SECRET_KEY = "test"
REGION = "us-east-1"
URL_LIFETIME = 6 * 3600  # presigned URLs stay valid for the whole run

# The 1 KiB object: byte i is (i * 7 + 3) % 256 (wrk.lua builds the same bytes for PUT bodies).
BODY_1K = bytes((i * 7 + 3) % 256 for i in range(1024))
GIB = 1 << 30
MIB = 1 << 20

S3_SERVERS = ("s3emu", "moto")
ALL_SERVERS = ("s3emu", "moto", "nginx")


def log(message: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


class BenchError(Exception):
    pass


# ------------------------------------------------------------------------------------------------
# Processes: everything started is recorded in the pid file (scripts/bench's trap reads it too)
# ------------------------------------------------------------------------------------------------


class Processes:
    def __init__(self, pid_file: str):
        self.pid_file = pid_file
        self.started: list[tuple[str, subprocess.Popen, list[int]]] = []

    def record(self, name: str, pid: int) -> None:
        with open(self.pid_file, "a", encoding="utf-8") as f:
            f.write(f"{pid} {name}\n")

    def start(self, name: str, argv: list[str], **kwargs) -> subprocess.Popen:
        process = subprocess.Popen(argv, start_new_session=True, **kwargs)
        self.record(name, process.pid)
        self.started.append((name, process, []))
        return process

    def add_pid(self, process: subprocess.Popen, name: str, pid: int) -> None:
        """A real server process found under a wrapper (pyenv shims)."""
        self.record(name, pid)
        for entry in self.started:
            if entry[1] is process:
                entry[2].append(pid)

    def stop(self, process: subprocess.Popen, timeout: float = 10) -> None:
        for index, (name, p, extra) in enumerate(self.started):
            if p is process:
                del self.started[index]
                stop_pids(name, p, extra, timeout)
                return

    def stop_all(self) -> None:
        while self.started:
            name, p, extra = self.started.pop()
            stop_pids(name, p, extra, 10)


def pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); read its state.
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def stop_pids(name: str, process: subprocess.Popen, extra: list[int], timeout: float) -> None:
    pids = [process.pid] + extra
    for pid in pids:
        try:
            os.kill(pid, signal.SIGTERM)
        except ProcessLookupError:
            pass
    deadline = time.monotonic() + timeout
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    for pid in extra:
        while pid_alive(pid) and time.monotonic() < deadline:
            time.sleep(0.02)
    for pid in pids:
        if pid_alive(pid):
            log(f"{name} (pid {pid}) did not stop on SIGTERM; SIGKILL")
            try:
                os.kill(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
    try:
        process.wait(timeout=5)
    except subprocess.TimeoutExpired:
        pass


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_for_http(port: int, timeout: float, process: subprocess.Popen, name: str) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise BenchError(f"{name} exited with status {process.returncode} before answering")
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            connection.request("GET", "/")
            connection.getresponse().read()
            connection.close()
            return
        except OSError:
            time.sleep(0.05)
    raise BenchError(f"{name} did not answer on port {port} within {timeout:.0f} s")


def read_ready_line(process: subprocess.Popen, timeout: float) -> str:
    """Reads s3emu's standard output up to the ready line; returns the URL."""
    deadline = time.monotonic() + timeout
    buffer = b""
    fd = process.stdout.fileno()
    import select

    while time.monotonic() < deadline:
        ready, _, _ = select.select([fd], [], [], max(0.0, deadline - time.monotonic()))
        if not ready:
            break
        chunk = os.read(fd, 4096)
        if not chunk:
            break
        buffer += chunk
        match = re.search(rb"s3emu ready at (http://\S+)", buffer)
        if match:
            return match.group(1).decode()
    raise BenchError(f"s3emu printed no ready line within {timeout:.0f} s (got {buffer[:200]!r})")


def drain(stream) -> None:
    def run():
        try:
            while stream.read(65536):
                pass
        except (OSError, ValueError):
            pass

    threading.Thread(target=run, daemon=True).start()


def real_server_pid(process: subprocess.Popen, pattern: str) -> int:
    """The pid of the real server process: pyenv's shims wrap the Python process, so `$!` (or
    Popen.pid) may be a wrapper. pgrep -s: processes in the session the server was started in."""
    for _ in range(200):
        result = subprocess.run(
            ["pgrep", "-s", str(process.pid), "-f", pattern], capture_output=True, text=True, check=False
        )
        pids = [int(p) for p in result.stdout.split()]
        for pid in sorted(pids, reverse=True):
            try:
                exe = os.readlink(f"/proc/{pid}/exe")
            except OSError:
                continue
            if "python" in os.path.basename(exe):
                return pid
        time.sleep(0.05)
    raise BenchError(f"no python process matching {pattern!r} in session {process.pid}")


def rss_kib(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status", encoding="utf-8") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process (all its threads), and of its children's live
    processes when `pid` is an nginx master (its workers do the work)."""
    total = 0.0
    pids = [pid]
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="utf-8") as f:
            pids += [int(p) for p in f.read().split()]
    except OSError:
        pass
    for p in pids:
        try:
            with open(f"/proc/{p}/stat", encoding="utf-8") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
        except (OSError, IndexError, ValueError):
            pass
    return total


class RSSSampler:
    """Samples a process's VmRSS every `interval` seconds; `peak_kib` is the highest seen."""

    def __init__(self, pid: int, interval: float):
        self.pid = pid
        self.interval = interval
        self.peak_kib = 0
        self.samples = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            value = rss_kib(self.pid)
            if value is not None:
                self.peak_kib = max(self.peak_kib, value)
                self.samples += 1
            self._stop.wait(self.interval)

    def __enter__(self) -> "RSSSampler":
        value = rss_kib(self.pid)
        if value is not None:
            self.peak_kib = value
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join()
        value = rss_kib(self.pid)
        if value is not None:
            self.peak_kib = max(self.peak_kib, value)


# ------------------------------------------------------------------------------------------------
# Presigned URLs
# ------------------------------------------------------------------------------------------------


def s3_client(endpoint: str):
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        aws_access_key_id=ACCESS_KEY,
        aws_secret_access_key=SECRET_KEY,
        region_name=REGION,
        config=Config(
            signature_version="s3v4",
            s3={"addressing_style": "path"},
            retries={"mode": "standard", "max_attempts": 1},
            max_pool_connections=32,
        ),
    )


class BulkPresigner:
    """Presigned path-style URLs for many keys at once (bucket fills and the DeleteObject pool).

    botocore takes about 1 ms per URL through S3SigV4QueryAuth (7 ms through a client) on these
    machines, too slow for 100 000 keys, so this computes the same SigV4 query signature with
    hashlib/hmac. `check()` proves it byte-identical to botocore's S3SigV4QueryAuth at the same
    instant before any URL is used."""

    def __init__(self, host: str, expires: int = URL_LIFETIME, now: datetime.datetime | None = None):
        self.host = host
        self.expires = expires
        self.now = now or datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
        amz_date = self.now.strftime("%Y%m%dT%H%M%SZ")
        day = amz_date[:8]
        scope = f"{day}/{REGION}/s3/aws4_request"
        key = hmac.new(("AWS4" + SECRET_KEY).encode(), day.encode(), hashlib.sha256).digest()
        for part in (REGION, "s3", "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        self.signing_key = key
        credential = urllib.parse.quote(f"{ACCESS_KEY}/{scope}", safe="")
        self.query = (
            f"X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential={credential}&X-Amz-Date={amz_date}"
            f"&X-Amz-Expires={expires}&X-Amz-SignedHeaders=host"
        )
        self.string_to_sign_prefix = f"AWS4-HMAC-SHA256\n{amz_date}\n{scope}\n"

    def path(self, method: str, bucket: str, key: str) -> str:
        """`/bucket/key?X-Amz-…&X-Amz-Signature=…` (keys here are plain ASCII)."""
        path = "/" + urllib.parse.quote(bucket, safe="") + "/" + urllib.parse.quote(key, safe="/-_.~")
        canonical = f"{method}\n{path}\n{self.query}\nhost:{self.host}\n\nhost\nUNSIGNED-PAYLOAD"
        string_to_sign = self.string_to_sign_prefix + hashlib.sha256(canonical.encode()).hexdigest()
        signature = hmac.new(self.signing_key, string_to_sign.encode(), hashlib.sha256).hexdigest()
        return f"{path}?{self.query}&X-Amz-Signature={signature}"

    def check(self) -> None:
        auth = botocore.auth.S3SigV4QueryAuth(Credentials(ACCESS_KEY, SECRET_KEY), "s3", REGION, expires=self.expires)
        original = botocore.auth.get_current_datetime
        botocore.auth.get_current_datetime = lambda *a, **k: self.now.replace(tzinfo=None)
        try:
            for method, key in (("PUT", "key-000001"), ("DELETE", "dir/key-099999"), ("GET", "obj-1k")):
                request = AWSRequest(method=method, url=f"http://{self.host}/bench/{key}")
                auth.add_auth(request)
                theirs = request.url.split(self.host, 1)[1]
                ours = self.path(method, "bench", key)
                if theirs != ours:
                    raise BenchError(f"bulk presigner differs from botocore:\n  botocore {theirs}\n  ours     {ours}")
        finally:
            botocore.auth.get_current_datetime = original


# ------------------------------------------------------------------------------------------------
# Load generators
# ------------------------------------------------------------------------------------------------


class Load:
    def __init__(self, args, work: str, processes: Processes):
        self.args = args
        self.work = work
        self.processes = processes

    def wrk(self, url: str, method: str = "GET", body_bytes: int = 0, duration: float | None = None) -> dict:
        duration = duration or self.args.duration
        argv = [
            "wrk", f"-t{self.args.threads}", f"-c{self.args.connections}", f"-d{duration:g}s", "--timeout", "60s",
            "-s", WRK_SCRIPT, url, "--", "single", method, str(body_bytes),
        ]
        return self._run_wrk(argv, duration)

    def wrk_pool(
        self, base_url: str, method: str, body_bytes: int, paths_file: str, duration: float, stop_when: str
    ) -> dict:
        """wrk over distinct presigned paths; stops at `duration` or, with stop_when "first"/"all",
        as soon as the first/every thread has used its share (SIGINT makes wrk report at once)."""
        marker = os.path.join(self.work, f"exhausted-{time.monotonic_ns()}")
        argv = [
            "wrk", f"-t{self.args.threads}", f"-c{self.args.connections}", f"-d{duration:g}s", "--timeout", "60s",
            "-s", WRK_SCRIPT, base_url, "--", "pool", method, str(body_bytes), paths_file, str(self.args.threads), marker,
        ]
        return self._run_wrk(argv, duration, marker=marker, stop_when=stop_when)

    def _run_wrk(self, argv, duration, marker=None, stop_when=None) -> dict:
        process = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.processes.record("wrk", process.pid)
        interrupted = False
        try:
            if marker:
                wanted = 1 if stop_when == "first" else self.args.threads
                while process.poll() is None:
                    done = sum(os.path.exists(f"{marker}-{i}") for i in range(self.args.threads))
                    if done >= wanted:
                        process.send_signal(signal.SIGINT)
                        interrupted = True
                        break
                    time.sleep(0.005)
            output, _ = process.communicate(timeout=duration + 120)
        except BaseException:
            process.kill()
            process.wait()
            raise
        match = re.search(r"^wrk-json (\{.*\})$", output, re.M)
        if process.returncode != 0 or not match:
            raise BenchError(f"wrk failed (status {process.returncode}):\n{output[-2000:]}")
        result = json.loads(match.group(1))
        result["interrupted"] = interrupted
        seconds = result["duration_us"] / 1e6
        result["rps"] = result["requests"] / seconds if seconds > 0 else 0.0
        result["errors"] = sum(
            result[k] for k in ("connect_errors", "read_errors", "write_errors", "status_errors", "timeouts")
        )
        return result

    def hey_head(self, url: str) -> dict:
        """HEAD load from hey: wrk 4.1 waits for a body after a HEAD response's Content-Length, and
        ApacheBench's HTTP/1.0 keep-alive hangs on servers that do not echo `Connection:
        keep-alive`. Same 32 keep-alive connections; hey (Go) costs more CPU per request than wrk."""
        argv = ["hey", "-z", f"{self.args.duration:g}s", "-c", str(self.args.connections), "-m", "HEAD", "-t", "60", url]
        result = subprocess.run(argv, capture_output=True, text=True, timeout=self.args.duration + 120, check=False)
        text = result.stdout
        match = re.search(r"Requests/sec:\s+([\d.]+)", text)
        if result.returncode != 0 or not match:
            raise BenchError(f"hey failed (status {result.returncode}):\n{text[-1500:]}{result.stderr[-500:]}")
        statuses = {int(code): int(count) for code, count in re.findall(r"\[(\d{3})\]\s+(\d+) responses", text)}
        error_block = text.split("Error distribution:", 1)[1] if "Error distribution:" in text else ""
        transport_errors = sum(int(n) for n in re.findall(r"^\s*\[(\d+)\]", error_block, re.M))
        p50 = re.search(r"50% in ([\d.]+) secs", text)
        non2xx = sum(count for code, count in statuses.items() if not 200 <= code < 300)
        return {
            "rps": float(match.group(1)),
            "requests": sum(statuses.values()),
            "statuses": statuses,
            "transport_errors": transport_errors,
            # hey cancels the requests in flight when the time is up; those are not server errors.
            "errors": non2xx + max(0, transport_errors - self.args.connections),
            "latency_p50_us": float(p50.group(1)) * 1e6 if p50 else None,
        }


def transfer(method: str, url: str, file: str | None, expected_bytes: int) -> dict:
    """One big-object transfer with curl (streams from/to disk: the client holds no body in memory)."""
    argv = ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code} %{time_total} %{size_upload} %{size_download}"]
    if method == "PUT":
        argv += ["-H", "Expect:", "-T", file]
    argv.append(url)
    result = subprocess.run(argv, capture_output=True, text=True, timeout=1800, check=False)
    if result.returncode != 0:
        raise BenchError(f"curl {method} failed: {result.stderr.strip()}")
    code, seconds, uploaded, downloaded = result.stdout.split()
    size = float(uploaded) if method == "PUT" else float(downloaded)
    if not code.startswith("2") or size < expected_bytes:
        raise BenchError(f"curl {method} {url[:80]}…: status {code}, {size:.0f} bytes")
    return {"seconds": float(seconds), "mb_per_s": size / float(seconds) / 1e6, "status": int(code)}


def percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    index = max(0, math.ceil(fraction * len(ordered)) - 1)
    return ordered[index]


# ------------------------------------------------------------------------------------------------
# The benchmark
# ------------------------------------------------------------------------------------------------


class Bench:
    def __init__(self, args):
        self.args = args
        self.work = args.work
        self.processes = Processes(os.path.join(self.work, "pids"))
        self.load = Load(args, self.work, self.processes)
        self.servers: dict[str, dict] = {}
        self.results: dict[str, dict] = {}  # workload -> {"unit", "higher_is_better", server -> [rounds]}
        self.notes: list[str] = []
        self.rounds = args.rounds

    # ---- recording ----

    def record(self, workload: str, server: str, value: float | None, unit: str, higher_is_better: bool, **extra):
        entry = self.results.setdefault(
            workload, {"unit": unit, "higher_is_better": higher_is_better, "servers": {}}
        )
        slot = entry["servers"].setdefault(server, {"rounds": [], "details": []})
        slot["rounds"].append(value)
        slot["details"].append(extra)

    def record_cpu(self, workload: str, server: str, before: float, result: dict) -> None:
        """The server's CPU time per answered request during a load run: less sensitive than
        requests/s to what else the machine is doing."""
        used = cpu_seconds(self.servers[server]["pid"]) - before
        result["server_cpu_s"] = round(used, 3)
        if result.get("requests"):
            result["server_cpu_us_per_request"] = used / result["requests"] * 1e6
            self.record(f"{workload}: server CPU per request", server, result["server_cpu_us_per_request"], "µs", False)

    def settle(self, timeout: float = 120.0) -> float:
        """Waits until no server is busy (together under 5% of a core over 300 ms) and returns the
        seconds waited. moto goes on answering requests a load generator has already abandoned
        (a ListObjectsV2 backlog can take tens of seconds), which would otherwise land on the next
        server's measurement."""
        pids = [server["pid"] for server in self.servers.values()]
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            before = sum(cpu_seconds(pid) for pid in pids)
            time.sleep(0.3)
            if sum(cpu_seconds(pid) for pid in pids) - before < 0.015:
                break
        waited = time.monotonic() - started - 0.3
        if waited > 5:
            log(f"waited {waited:.0f} s for the servers to go idle")
        return max(0.0, waited)

    def median(self, workload: str, server: str) -> float | None:
        slot = self.results.get(workload, {}).get("servers", {}).get(server)
        if not slot:
            return None
        values = [v for v in slot["rounds"] if v is not None]
        return statistics.median(values) if values else None

    # ---- servers ----

    def start_servers(self) -> None:
        a = self.args
        # s3emu, with its data on disk (the `s3emu serve` default) and its default info logging.
        data_dir = os.path.join(self.work, "s3emu-data")
        s3emu_log = open(os.path.join(self.work, "s3emu.log"), "wb")
        process = self.processes.start(
            "s3emu", [a.s3emu, "serve", "--port", "0", "--data-dir", data_dir], stdout=subprocess.PIPE, stderr=s3emu_log
        )
        url = read_ready_line(process, 60)
        drain(process.stdout)
        self.servers["s3emu"] = {"process": process, "pid": process.pid, "endpoint": url, "log": s3emu_log.name}
        log(f"s3emu ready at {url} (pid {process.pid}, data {data_dir})")

        # moto_server (werkzeug, threaded), as `moto_server -p PORT` runs it.
        port = free_port()
        moto_log = open(os.path.join(self.work, "moto.log"), "wb")
        process = self.processes.start(
            "moto_server", [a.moto_server, "-H", "127.0.0.1", "-p", str(port)], stdout=moto_log, stderr=subprocess.STDOUT
        )
        pid = real_server_pid(process, "moto_server")
        if pid != process.pid:
            self.processes.add_pid(process, "moto_server (python)", pid)
        wait_for_http(port, 120, process, "moto_server")
        self.servers["moto"] = {"process": process, "pid": pid, "endpoint": f"http://127.0.0.1:{port}", "log": moto_log.name}
        log(f"moto_server ready at http://127.0.0.1:{port} (pid {pid})")

        # nginx serving the same bytes as static files.
        port = free_port()
        root = os.path.join(self.work, "nginx")
        www = os.path.join(root, "www", "bench")
        os.makedirs(www, exist_ok=True)
        os.makedirs(os.path.join(root, "tmp"), exist_ok=True)
        with open(os.path.join(www, "obj-1k"), "wb") as f:
            f.write(BODY_1K)
        os.symlink(self.big_file, os.path.join(www, "obj-1g"))
        # Run as root, nginx's workers switch to "nobody": let them read the files.
        for path in (self.work, root, os.path.dirname(www), www):
            os.chmod(path, 0o755)
        for path in (os.path.join(www, "obj-1k"), self.big_file):
            os.chmod(path, 0o644)
        conf = os.path.join(root, "nginx.conf")
        with open(conf, "w", encoding="utf-8") as f:
            f.write(NGINX_CONF.format(root=root, port=port, workers=os.cpu_count() or 1))
        process = self.processes.start(
            "nginx", [a.nginx, "-c", conf, "-p", root + "/", "-e", os.path.join(root, "error.log")],
            stdout=subprocess.DEVNULL, stderr=open(os.path.join(root, "stderr.log"), "wb"),
        )
        wait_for_http(port, 30, process, "nginx")
        self.servers["nginx"] = {"process": process, "pid": process.pid, "endpoint": f"http://127.0.0.1:{port}"}
        log(f"nginx ready at http://127.0.0.1:{port} (master pid {process.pid})")

        for name in S3_SERVERS:
            server = self.servers[name]
            server["client"] = s3_client(server["endpoint"])
            server["host"] = urllib.parse.urlsplit(server["endpoint"]).netloc
            server["bulk"] = BulkPresigner(server["host"])
            server["bulk"].check()

    def show_server_logs(self) -> None:
        for name in S3_SERVERS:
            path = self.servers.get(name, {}).get("log")
            if path and os.path.exists(path):
                with open(path, "rb") as f:
                    f.seek(max(0, os.path.getsize(path) - 3000))
                    tail = f.read().decode(errors="replace")
                log(f"last lines of {name}'s log ({path}):\n{tail}")

    # ---- set-up ----

    def presign(self, name: str, operation: str, **params) -> str:
        client = self.servers[name]["client"]
        return client.generate_presigned_url(operation, Params=params, ExpiresIn=URL_LIFETIME)

    def write_paths(self, name: str, method: str, bucket: str, keys) -> str:
        bulk: BulkPresigner = self.servers[name]["bulk"]
        path = os.path.join(self.work, f"paths-{name}-{method}-{bucket}-{time.monotonic_ns()}.txt")
        with open(path, "w", encoding="utf-8") as f:
            for key in keys:
                f.write(bulk.path(method, bucket, key))
                f.write("\n")
        return path

    def fill(self, name: str, bucket: str, keys: list[str], budget: float, prefix: str = "") -> int:
        """PUTs 1 KiB under each key with wrk (untimed set-up), within `budget` seconds; returns how
        many keys the bucket then holds under `prefix`. When every key was sent, a listing counts
        them and keys a stopped wrk left unanswered are PUT again; when the budget ran out first,
        the count is wrk's number of answered PUTs (each went to a new key)."""
        paths = self.write_paths(name, "PUT", bucket, keys)
        started = time.monotonic()
        result = self.load.wrk_pool(self.servers[name]["endpoint"], "PUT", len(BODY_1K), paths, budget, "all")
        os.unlink(paths)
        if not result["interrupted"]:
            count = min(len(keys), result["requests"] - result["status_errors"])
        else:
            client = self.servers[name]["client"]
            existing = set()
            for page in client.get_paginator("list_objects_v2").paginate(
                Bucket=bucket, Prefix=prefix, PaginationConfig={"PageSize": 1000}
            ):
                existing.update(o["Key"] for o in page.get("Contents", []))
            missing = [key for key in keys if key not in existing]
            if len(missing) > 1000:
                raise BenchError(f"{name}: {len(missing)} of {len(keys)} keys missing from {bucket} after filling it")
            for key in missing:
                client.put_object(Bucket=bucket, Key=key, Body=BODY_1K)
            count = len(existing) + len(missing)
        log(
            f"{name}: {bucket} holds {count} keys ({time.monotonic() - started:.1f} s, "
            f"{result['rps']:.0f} PUT/s, {result['errors']} errors)"
        )
        return count

    def set_up_buckets(self) -> None:
        a = self.args
        for name in S3_SERVERS:
            client = self.servers[name]["client"]
            for bucket in ("bench", "bench-1k", "bench-100k", "bench-delete", "bench-latency", "bench-1g"):
                client.create_bucket(Bucket=bucket)
            client.put_object(Bucket="bench", Key="obj-1k", Body=BODY_1K)
            got = client.get_object(Bucket="bench", Key="obj-1k")["Body"].read()
            if got != BODY_1K:
                raise BenchError(f"{name}: GetObject returned {len(got)} bytes that differ from the PutObject body")
        # Presigned URLs (boto3) for the measured requests; check each once.
        for name in S3_SERVERS:
            server = self.servers[name]
            server["get_url"] = self.presign(name, "get_object", Bucket="bench", Key="obj-1k")
            server["head_url"] = self.presign(name, "head_object", Bucket="bench", Key="obj-1k")
            server["put_url"] = self.presign(name, "put_object", Bucket="bench", Key="obj-1k")
            server["list_1k_url"] = self.presign(name, "list_objects_v2", Bucket="bench-1k", MaxKeys=1000)
            server["list_100k_url"] = self.presign(name, "list_objects_v2", Bucket="bench-100k", MaxKeys=1000)
            server["get_1g_url"] = self.presign(name, "get_object", Bucket="bench-1g", Key="obj-1g")
            server["put_1g_url"] = self.presign(name, "put_object", Bucket="bench-1g", Key="obj-1g")
            check_url(server["put_url"], "PUT", BODY_1K, 200)
            check_url(server["get_url"], "GET", None, 200, BODY_1K)
            check_url(server["head_url"], "HEAD", None, 200)
        nginx = self.servers["nginx"]
        # The same request line as s3emu's GET (nginx ignores the query string).
        nginx["get_url"] = nginx["endpoint"] + urllib.parse.urlsplit(self.servers["s3emu"]["get_url"])._replace(
            scheme="", netloc="").geturl()
        nginx["head_url"] = nginx["get_url"]
        nginx["get_1g_url"] = nginx["endpoint"] + "/bench/obj-1g"
        check_url(nginx["get_url"], "GET", None, 200, BODY_1K)

        keys_1k = [f"key-{i:06d}" for i in range(1000)]
        keys_100k = [f"key-{i:06d}" for i in range(a.keys)]
        for name in S3_SERVERS:
            server = self.servers[name]
            server["keys_1k"] = self.fill(name, "bench-1k", keys_1k, 300)
            budget = a.moto_fill_seconds if name == "moto" else 1800
            server["keys_100k"] = self.fill(name, "bench-100k", keys_100k, budget)
            for label in ("list_1k_url", "list_100k_url"):
                body = check_url(server[label], "GET", None, 200)
                count = len(re.findall(rb"<Key>", body))
                if count != min(1000, server["keys_1k" if label == "list_1k_url" else "keys_100k"]):
                    raise BenchError(f"{name}: {label} page has {count} keys")
        if self.servers["moto"]["keys_100k"] < a.keys:
            self.notes.append(
                f"moto's large bucket holds {self.servers['moto']['keys_100k']:,} keys, not {a.keys:,}: "
                f"filling it was capped at {a.moto_fill_seconds:g} s (--moto-fill-seconds)."
            )

    # ---- workloads ----

    def run_rounds(self, title: str, servers, body) -> None:
        for round_number in range(1, self.rounds + 1):
            for name in servers:
                body(name, round_number)
        summary = ", ".join(
            f"{name} {fmt(self.median(title, name), self.results[title]['unit'])}"
            for name in servers if self.median(title, name) is not None
        )
        log(f"{title}: {summary}")

    def workload_wrk(self, title: str, servers, url_key: str, method: str = "GET", body_bytes: int = 0) -> None:
        def one(name, round_number):
            settled = self.settle()
            before = cpu_seconds(self.servers[name]["pid"])
            result = self.load.wrk(self.servers[name][url_key], method, body_bytes)
            result["settle_s"] = round(settled, 1)
            self.record_cpu(title, name, before, result)
            self.record(title, name, result["rps"], "req/s", True, **result)
            if result["errors"]:
                self.notes.append(f"{title} on {name}, round {round_number}: {result['errors']} errors or non-2xx")

        self.run_rounds(title, servers, one)

    def workload_head(self) -> None:
        title = "HEAD 1 KiB"

        def one(name, round_number):
            settled = self.settle()
            before = cpu_seconds(self.servers[name]["pid"])
            result = self.load.hey_head(self.servers[name]["head_url"])
            result["settle_s"] = round(settled, 1)
            self.record_cpu(title, name, before, result)
            self.record(title, name, result["rps"], "req/s", True, **result)
            if result["errors"]:
                self.notes.append(f"{title} on {name}, round {round_number}: {result['errors']} errors or non-2xx")

        self.run_rounds(title, ALL_SERVERS, one)

    def workload_delete(self) -> None:
        """wrk DELETE over a pool of distinct existing keys, sized from the server's PUT rate; the
        run stops at the duration or as soon as a thread runs out of keys."""
        title = "DeleteObject"
        put_rate = {name: self.median("PUT 1 KiB", name) or 1000.0 for name in S3_SERVERS}

        def one(name, round_number):
            pool = int(min(self.args.delete_keys, max(2000, put_rate[name] * self.args.duration * 1.5)))
            keys = [f"r{round_number}/key-{i:06d}" for i in range(pool)]
            filled = self.fill(
                name, "bench-delete", keys, max(60.0, 4 * pool / max(put_rate[name], 1.0)), prefix=f"r{round_number}/"
            )
            paths = self.write_paths(name, "DELETE", "bench-delete", keys)
            self.settle()
            before = cpu_seconds(self.servers[name]["pid"])
            result = self.load.wrk_pool(
                self.servers[name]["endpoint"], "DELETE", 0, paths, self.args.duration, "first"
            )
            self.record_cpu(title, name, before, result)
            os.unlink(paths)
            result["pool"] = filled
            self.record(title, name, result["rps"], "req/s", True, **result)
            if result["errors"]:
                self.notes.append(f"{title} on {name}, round {round_number}: {result['errors']} errors or non-2xx")
            if result["wrapped"]:
                log(f"{title} on {name}: {result['wrapped']} of {result['sent']} deletes repeated a deleted key")

        self.run_rounds(title, S3_SERVERS, one)

    def workload_latency(self) -> None:
        calls = self.args.latency_calls
        put_title, get_title = "boto3 put_object p50", "boto3 get_object p50"
        put99, get99 = "boto3 put_object p99", "boto3 get_object p99"

        def one(name, round_number):
            client = s3_client(self.servers[name]["endpoint"])
            bucket, key = ("bench", "obj-1k") if name == "nginx" else ("bench-latency", "obj-1k")
            self.settle()
            for _ in range(max(20, calls // 20)):  # connection set-up and botocore's caches
                if name != "nginx":
                    client.put_object(Bucket=bucket, Key=key, Body=BODY_1K)
                client.get_object(Bucket=bucket, Key=key)["Body"].read()
            if name != "nginx":
                times = []
                for _ in range(calls):
                    started = time.perf_counter()
                    client.put_object(Bucket=bucket, Key=key, Body=BODY_1K)
                    times.append((time.perf_counter() - started) * 1000)
                self.record(put_title, name, statistics.median(times), "ms", False, calls=calls)
                self.record(put99, name, percentile(times, 0.99), "ms", False, calls=calls)
            times = []
            for _ in range(calls):
                started = time.perf_counter()
                data = client.get_object(Bucket=bucket, Key=key)["Body"].read()
                times.append((time.perf_counter() - started) * 1000)
                if len(data) != len(BODY_1K):
                    raise BenchError(f"{name}: get_object returned {len(data)} bytes")
            self.record(get_title, name, statistics.median(times), "ms", False, calls=calls)
            self.record(get99, name, percentile(times, 0.99), "ms", False, calls=calls)
            client.close()

        for round_number in range(1, self.rounds + 1):
            for name in ALL_SERVERS:
                one(name, round_number)
        for title in (put_title, put99, get_title, get99):
            log(f"{title}: " + ", ".join(
                f"{n} {fmt(self.median(title, n), 'ms')}" for n in ALL_SERVERS if self.median(title, n) is not None))

    def workload_big(self) -> None:
        big = self.big_label
        put, get, put_rss, get_rss = f"{big} PUT", f"{big} GET", f"peak RSS during {big} PUT", f"peak RSS during {big} GET"
        size = self.args.big_bytes
        for round_number in range(1, self.rounds + 1):
            for name in ALL_SERVERS:
                server = self.servers[name]
                if name != "nginx":
                    self.warm_big_file()
                    self.settle()
                    before = cpu_seconds(server["pid"])
                    with RSSSampler(server["pid"], 0.01) as sampler:
                        result = transfer("PUT", server["put_1g_url"], self.big_file, size)
                    result["server_cpu_s"] = cpu_seconds(server["pid"]) - before
                    self.record(f"{put}: server CPU", name, result["server_cpu_s"], "s", False)
                    self.record(put, name, result["mb_per_s"], "MB/s", True, **result)
                    self.record(put_rss, name, sampler.peak_kib / 1024, "MiB", False, samples=sampler.samples)
                self.settle()
                before = cpu_seconds(server["pid"])
                with RSSSampler(server["pid"], 0.01) as sampler:
                    result = transfer("GET", server["get_1g_url"], None, size)
                result["server_cpu_s"] = cpu_seconds(server["pid"]) - before
                self.record(f"{get}: server CPU", name, result["server_cpu_s"], "s", False)
                self.record(get, name, result["mb_per_s"], "MB/s", True, **result)
                if name != "nginx":
                    self.record(get_rss, name, sampler.peak_kib / 1024, "MiB", False, samples=sampler.samples)
        for title in (put, get, put_rss, get_rss):
            unit = self.results[title]["unit"]
            log(f"{title}: " + ", ".join(
                f"{n} {fmt(self.median(title, n), unit)}" for n in ALL_SERVERS if self.median(title, n) is not None))

    def warm_big_file(self) -> None:
        """Reads the PUT's source file through the page cache, so that curl is not charged for it.

        Reading a sparse file whose pages are not cached costs the kernel about 0.9 s per GiB (it
        fills the cache with zeros); reading it again, 0.05 s. A file read once at the start does
        not stay cached: some hosts reclaim idle page cache (DAMON_RECLAIM; 1 GiB read once was
        down to 858 MiB cached 90 s later on the tenth round's host), and the first round's PUT,
        15 minutes into the run, ran at half speed on it."""
        buffer = bytearray(8 * MIB)
        with open(self.big_file, "rb", buffering=0) as f:
            while f.readinto(buffer):
                pass

    def startup_serve(self) -> None:
        """`s3emu serve --port 0` from exec to the ready line, then SIGTERM; on a fresh data
        directory and with --in-memory."""
        runs = self.args.startup_runs
        for label, extra in (("--data-dir (fresh)", None), ("--in-memory", ["--in-memory"])):
            title = f"s3emu serve start-to-ready, {label}"
            for run in range(runs):
                directory = tempfile.mkdtemp(prefix="ready-", dir=self.work)
                argv = [self.args.s3emu, "serve", "--port", "0"] + (extra or ["--data-dir", os.path.join(directory, "data")])
                started = time.perf_counter()
                process = self.processes.start("s3emu (start-up)", argv, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
                try:
                    read_ready_line(process, 30)
                    ready_ms = (time.perf_counter() - started) * 1000
                finally:
                    self.processes.stop(process)
                shutil.rmtree(directory, ignore_errors=True)
                self.record(title, "s3emu", ready_ms, "ms", False)
            log(f"{title}: median {self.median(title, 's3emu'):.1f} ms over {runs} runs")

    def startup_harness(self) -> None:
        if not self.args.harness:
            self.notes.append("EmulatorHarness start-up not measured (no --harness probe).")
            return
        cold, warm, statuses = "EmulatorHarness start-to-first-response, first in process", \
            "EmulatorHarness start-to-first-response, later starts", set()
        for _ in range(self.args.harness_processes):
            result = subprocess.run(
                [self.args.harness, str(self.args.harness_starts)], capture_output=True, text=True, timeout=300, check=False
            )
            if result.returncode != 0:
                raise BenchError(f"harness-startup failed ({result.returncode}): {result.stderr[-1500:]}")
            data = json.loads(result.stdout.strip().splitlines()[-1])
            times = data["first_response_ms"]
            statuses.update(data["statuses"])
            self.record(cold, "s3emu", times[0], "ms", False, shutdown_ms=data["shutdown_ms"][0])
            for value, shutdown in zip(times[1:], data["shutdown_ms"][1:]):
                self.record(warm, "s3emu", value, "ms", False, shutdown_ms=shutdown)
        if any(s < 100 for s in statuses):
            raise BenchError(f"harness-startup got no HTTP response (statuses {sorted(statuses)})")
        shutdowns = [d["shutdown_ms"] for d in self.results[warm]["servers"]["s3emu"]["details"]]
        self.notes.append(
            f"EmulatorHarness.shutdown() took {statistics.median(shutdowns):.1f} ms (median of later starts); "
            f"the first response is an anonymous GET / (HTTP {', '.join(map(str, sorted(statuses)))})."
        )
        log(f"{cold}: {self.median(cold, 's3emu'):.1f} ms; {warm}: {self.median(warm, 's3emu'):.1f} ms")

    # ---- the run ----

    def run(self) -> dict:
        started_at = datetime.datetime.now(datetime.timezone.utc)
        load_before = os.getloadavg()
        self.big_file = os.path.join(self.work, "obj-1g")
        self.big_label = "1 GiB" if self.args.big_bytes == GIB else f"{self.args.big_bytes / MIB:g} MiB"
        with open(self.big_file, "wb") as f:
            f.truncate(self.args.big_bytes)  # sparse: reading it costs the client no disk I/O

        log("start-up figures")
        self.startup_serve()
        self.startup_harness()

        log("starting servers")
        self.start_servers()
        overall = RSSSampler(self.servers["s3emu"]["pid"], 0.05)
        overall.__enter__()
        try:
            log("filling buckets")
            self.set_up_buckets()
            log("workloads")
            self.workload_wrk("GET 1 KiB", ALL_SERVERS, "get_url")
            self.workload_wrk("PUT 1 KiB", S3_SERVERS, "put_url", "PUT", len(BODY_1K))
            self.workload_head()
            self.workload_latency()
            self.workload_wrk("ListObjectsV2 page, 1 000-key bucket", S3_SERVERS, "list_1k_url")
            self.workload_wrk("ListObjectsV2 page, 100 000-key bucket", S3_SERVERS, "list_100k_url")
            self.workload_delete()
            self.workload_big()
        finally:
            overall.__exit__()
        self.record("peak RSS, whole run", "s3emu", overall.peak_kib / 1024, "MiB", False, samples=overall.samples)
        finished_at = datetime.datetime.now(datetime.timezone.utc)
        return self.report(started_at, finished_at, load_before, os.getloadavg())

    # ---- report ----

    def targets(self) -> list[dict]:
        m = self.median
        out = []

        def target(name, value, goal, ok, reference=None):
            out.append({
                "target": name, "value": value, "goal": goal,
                "result": None if value is None else ("PASS" if ok(value) else "MISS"),
                "reference": reference,
            })

        def ratio(workload, other):
            a, b = m(workload, "s3emu"), m(workload, other)
            return a / b if a is not None and b else None

        target("GET 1 KiB ≥ 20× moto", ratio("GET 1 KiB", "moto"), "≥ 20×", lambda v: v >= 20)
        target("GET 1 KiB ≥ 50% of nginx", ratio("GET 1 KiB", "nginx"), "≥ 0.5×", lambda v: v >= 0.5)
        target("PUT 1 KiB ≥ 20× moto", ratio("PUT 1 KiB", "moto"), "≥ 20×", lambda v: v >= 20)
        target("boto3 put_object p50 < 3 ms", m("boto3 put_object p50", "s3emu"), "< 3 ms", lambda v: v < 3)
        target("boto3 get_object p50 < 3 ms", m("boto3 get_object p50", "s3emu"), "< 3 ms", lambda v: v < 3)
        target("ListObjectsV2 page (1 000 keys) ≥ 50× moto",
               ratio("ListObjectsV2 page, 1 000-key bucket", "moto"), "≥ 50×", lambda v: v >= 50)
        moto_keys = self.servers.get("moto", {}).get("keys_100k", self.args.keys)
        target("ListObjectsV2 page (100 000 keys) ≥ 50× moto"
               + ("" if moto_keys >= self.args.keys else f" (moto: {moto_keys:,} keys)"),
               ratio("ListObjectsV2 page, 100 000-key bucket", "moto"), "≥ 50×", lambda v: v >= 50)
        small, large = m("ListObjectsV2 page, 1 000-key bucket", "s3emu"), m("ListObjectsV2 page, 100 000-key bucket", "s3emu")
        target("ListObjectsV2 page time, 100 000-key / 1 000-key bucket ≤ 1.5×",
               small / large if small and large else None, "≤ 1.5×", lambda v: v <= 1.5)
        small_cpu = m("ListObjectsV2 page, 1 000-key bucket: server CPU per request", "s3emu")
        large_cpu = m("ListObjectsV2 page, 100 000-key bucket: server CPU per request", "s3emu")
        target("(same, by server CPU per page: less sensitive to machine load)",
               large_cpu / small_cpu if small_cpu and large_cpu else None, "≤ 1.5×", lambda v: v <= 1.5)
        big = self.big_label
        target(f"{big} PUT ≥ 500 MB/s", m(f"{big} PUT", "s3emu"), "≥ 500 MB/s", lambda v: v >= 500)
        target(f"{big} GET ≥ 500 MB/s", m(f"{big} GET", "s3emu"), "≥ 500 MB/s", lambda v: v >= 500)
        for title in (f"peak RSS during {big} PUT", f"peak RSS during {big} GET", "peak RSS, whole run"):
            values = [v for v in self.results.get(title, {}).get("servers", {}).get("s3emu", {}).get("rounds", []) if v]
            target(f"s3emu {title} < 100 MiB", max(values) if values else None, "< 100 MiB", lambda v: v < 100)
        for title in self.results:
            if title.startswith("EmulatorHarness"):
                target(f"{title} < 50 ms", m(title, "s3emu"), "< 50 ms", lambda v: v < 50)
            if title.startswith("s3emu serve"):
                target(f"{title} < 300 ms", m(title, "s3emu"), "< 300 ms", lambda v: v < 300)
        return out

    def report(self, started_at, finished_at, load_before, load_after) -> dict:
        rows = []
        # Each workload's own figure first, then its "…: server CPU…" companions.
        titles = list(self.results)
        ordered = []
        for title in titles:
            if any(title.startswith(base + ":") for base in titles if base != title):
                continue
            ordered.append(title)
            ordered += [t for t in titles if t.startswith(title + ":")]
        for title in ordered:
            entry = self.results[title]
            row = {"workload": title, "unit": entry["unit"], "higher_is_better": entry["higher_is_better"]}
            for name in ALL_SERVERS:
                slot = entry["servers"].get(name)
                if slot:
                    row[name] = {"median": self.median(title, name), "rounds": slot["rounds"], "details": slot["details"]}
            s, mo, ng = (self.median(title, n) for n in ALL_SERVERS)
            row["s3emu_over_moto"] = s / mo if s is not None and mo else None
            row["s3emu_over_nginx"] = s / ng if s is not None and ng else None
            rows.append(row)
        return {
            "date": started_at.isoformat(timespec="seconds"),
            "duration_s": round((finished_at - started_at).total_seconds()),
            "machine": machine_info(load_before, load_after),
            "versions": versions(self.args),
            "settings": {
                "rounds": self.rounds, "wrk_threads": self.args.threads, "wrk_connections": self.args.connections,
                "wrk_duration_s": self.args.duration, "latency_calls": self.args.latency_calls,
                "big_object_bytes": self.args.big_bytes, "large_bucket_keys": self.args.keys,
                "moto_large_bucket_keys": self.servers.get("moto", {}).get("keys_100k"),
                "quick": self.args.quick,
            },
            "results": rows,
            "targets": self.targets(),
            "notes": self.notes,
        }


NGINX_CONF = """\
daemon off;
worker_processes {workers};
pid {root}/nginx.pid;
error_log {root}/error.log;
events {{ worker_connections 4096; }}
http {{
    access_log {root}/access.log;
    client_body_temp_path {root}/tmp;
    proxy_temp_path {root}/tmp;
    fastcgi_temp_path {root}/tmp;
    uwsgi_temp_path {root}/tmp;
    scgi_temp_path {root}/tmp;
    sendfile on;
    keepalive_requests 100000000;
    default_type application/octet-stream;
    server {{
        listen 127.0.0.1:{port};
        root {root}/www;
    }}
}}
"""


def check_url(url: str, method: str, body: bytes | None, status: int, expected: bytes | None = None) -> bytes:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
    target = parts.path + ("?" + parts.query if parts.query else "")
    connection.request(method, target, body=body, headers={"Content-Length": str(len(body))} if body else {})
    response = connection.getresponse()
    data = response.read()
    connection.close()
    if response.status != status or (expected is not None and data != expected):
        raise BenchError(f"{method} {url[:100]}…: HTTP {response.status} (wanted {status}): {data[:300]!r}")
    return data


def fmt(value, unit: str) -> str:
    if value is None:
        return "—"
    if unit == "req/s":
        return f"{value:,.0f}"
    if unit == "ms":
        return f"{value:,.2f} ms" if value < 100 else f"{value:,.0f} ms"
    if unit == "MB/s":
        return f"{value:,.0f} MB/s"
    if unit == "MiB":
        return f"{value:,.1f} MiB"
    if unit == "µs":
        return f"{value:,.0f} µs"
    if unit == "s":
        return f"{value:,.2f} s"
    return f"{value:g} {unit}"


def fmt_ratio(value) -> str:
    if value is None:
        return "—"
    # Below 1, three places: a ratio just under a goal (0.498 against 0.5) must not print as it.
    if value >= 10:
        return f"{value:,.1f}×"
    return f"{value:,.2f}×" if value >= 1 else f"{value:,.3f}×"


def machine_info(load_before, load_after) -> dict:
    model = ""
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as f:
            for line in f:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = ""
    try:
        with open("/proc/meminfo", encoding="utf-8") as f:
            memory = f"{int(f.readline().split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return {
        "cpu": model, "cores": os.cpu_count(), "memory": memory, "kernel": platform.release(),
        "load_average_before": [round(x, 2) for x in load_before],
        "load_average_after": [round(x, 2) for x in load_after],
    }


def versions(args) -> dict:
    def run(argv):
        try:
            result = subprocess.run(argv, capture_output=True, text=True, timeout=30, check=False)
            return (result.stdout + result.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return None

    import moto

    commit = run(["git", "-C", os.path.dirname(os.path.dirname(HERE)), "rev-parse", "--short", "HEAD"])
    dirty = run(["git", "-C", os.path.dirname(os.path.dirname(HERE)), "status", "--porcelain", "--untracked-files=no"])
    return {
        "s3emu_commit": commit + ("+uncommitted changes" if dirty else ""),
        "swift": run(["swift", "--version"]),
        "moto": moto.__version__,
        "boto3": boto3.__version__,
        "python": platform.python_version(),
        "nginx": run([args.nginx, "-v"]),
        "wrk": run(["wrk", "--version"]),
        "hey": "hey " + (run(["dpkg-query", "-W", "-f=${Version}", "hey"]) or "?"),
        "curl": run(["curl", "--version"]),
    }


def print_table(report: dict) -> None:
    rows = report["results"]
    header = ("workload", "s3emu", "moto", "nginx", "s3emu/moto", "s3emu/nginx")
    lines = [header]
    for row in rows:
        unit = row["unit"]
        suffix = "" if row["higher_is_better"] else " (lower is better)"
        lines.append((
            f"{row['workload']} [{unit}]{suffix}",
            fmt(row.get("s3emu", {}).get("median"), unit),
            fmt(row.get("moto", {}).get("median"), unit),
            fmt(row.get("nginx", {}).get("median"), unit),
            fmt_ratio(row["s3emu_over_moto"]),
            fmt_ratio(row["s3emu_over_nginx"]),
        ))
    widths = [max(len(line[i]) for line in lines) for i in range(len(header))]
    out = []
    for index, line in enumerate(lines):
        cells = [line[0].ljust(widths[0])] + [cell.rjust(widths[i]) for i, cell in enumerate(line) if i > 0]
        out.append("  ".join(cells))
        if index == 0:
            out.append("  ".join("-" * w for w in widths))
    print()
    print(f"Medians of {report['settings']['rounds']} rounds; {report['date']}; "
          f"{report['machine']['cpu']}, {report['machine']['cores']} cores; "
          f"load average {report['machine']['load_average_before'][0]} → {report['machine']['load_average_after'][0]}")
    print("\n".join(out))
    print()
    targets = [("target", "s3emu", "goal", "result")]
    for t in report["targets"]:
        value = t["value"]
        if value is None:
            shown = "—"
        elif "×" in t["goal"]:
            shown = fmt_ratio(value)
        elif "MB/s" in t["goal"]:
            shown = fmt(value, "MB/s")
        elif "MiB" in t["goal"]:
            shown = fmt(value, "MiB")
        else:
            shown = fmt(value, "ms")
        targets.append((t["target"], shown, t["goal"], t["result"] or "n/a"))
    widths = [max(len(line[i]) for line in targets) for i in range(4)]
    for index, line in enumerate(targets):
        print("  ".join([line[0].ljust(widths[0]), line[1].rjust(widths[1]), line[2].ljust(widths[2]), line[3]]))
        if index == 0:
            print("  ".join("-" * w for w in widths))
    if report["notes"]:
        print()
        for note in report["notes"]:
            print(f"note: {note}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--s3emu", required=True)
    parser.add_argument("--harness")
    parser.add_argument("--moto-server", default="moto_server")
    parser.add_argument("--nginx", default="nginx")
    parser.add_argument("--work", required=True)
    parser.add_argument("--json", required=True)
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--rounds", type=int)
    parser.add_argument("--duration", type=float)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--keys", type=int, default=100_000)
    parser.add_argument("--moto-fill-seconds", type=float)
    parser.add_argument("--delete-keys", type=int, default=60_000)
    args = parser.parse_args()
    if args.quick:
        defaults = dict(rounds=3, duration=2.0, latency_calls=200, big_bytes=256 * MIB, startup_runs=3,
                        harness_processes=2, harness_starts=6, moto_fill_seconds=30.0)
    else:
        defaults = dict(rounds=3, duration=10.0, latency_calls=1000, big_bytes=GIB, startup_runs=10,
                        harness_processes=5, harness_starts=11, moto_fill_seconds=240.0)
    for name, value in defaults.items():
        if getattr(args, name, None) is None:
            setattr(args, name, value)

    def terminate(signum, frame):
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, terminate)
    bench = Bench(args)
    try:
        report = bench.run()
    except KeyboardInterrupt:
        log("interrupted; stopping servers")
        return 130
    except BenchError as error:
        log(f"failed: {error}")
        bench.show_server_logs()
        return 1
    except Exception:
        import traceback

        traceback.print_exc()
        bench.show_server_logs()
        return 1
    finally:
        bench.processes.stop_all()
    with open(args.json, "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print_table(report)
    print(f"\nJSON: {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
