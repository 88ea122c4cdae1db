"""Start, stop and kill `s3emu serve` processes for the conformance suite."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import threading
import time
from pathlib import Path

READY_LINE = re.compile(r"^s3emu ready at (https?://[^\s]+)\s*$")
REPO_ROOT = Path(__file__).resolve().parents[2]


def default_binary() -> Path:
    """The s3emu binary to test: `S3EMU_BIN`, else `<repo>/.build/debug/s3emu`."""
    explicit = os.environ.get("S3EMU_BIN")
    if explicit:
        return Path(explicit)
    return REPO_ROOT / ".build" / "debug" / "s3emu"


class ServerStartError(RuntimeError):
    pass


class S3EmuServer:
    """One `s3emu serve` process on 127.0.0.1, port 0, with its own data directory.

    The process is always addressed by its own pid; nothing is killed by name.
    Stdout is drained by a thread (it carries the ready line); stderr goes to a log file.
    """

    def __init__(
        self,
        binary: Path,
        data_dir: Path,
        log_dir: Path,
        *,
        region: str = "us-east-1",
        in_memory: bool = False,
        extra_args: tuple[str, ...] = (),
        name: str = "s3emu",
    ) -> None:
        self.binary = Path(binary)
        self.data_dir = Path(data_dir)
        self.log_dir = Path(log_dir)
        self.region = region
        self.in_memory = in_memory
        self.extra_args = tuple(extra_args)
        self.name = name
        self.process: subprocess.Popen[bytes] | None = None
        self.endpoint: str | None = None
        self.starts = 0
        self._stdout_lines: list[str] = []
        self._ready = threading.Event()
        self._reader: threading.Thread | None = None
        self._stderr_path: Path | None = None

    # -- lifecycle -------------------------------------------------------------------------------

    @property
    def pid(self) -> int | None:
        return self.process.pid if self.process else None

    @property
    def port(self) -> int:
        assert self.endpoint, "server not started"
        return int(self.endpoint.rsplit(":", 1)[1].rstrip("/"))

    def command(self) -> list[str]:
        cmd = [
            str(self.binary), "serve",
            "--host", "127.0.0.1",
            "--port", "0",
            "--data-dir", str(self.data_dir),
            "--region", self.region,
            "--log-level", "info",
        ]
        if self.in_memory:
            cmd.append("--in-memory")
        cmd.extend(self.extra_args)
        return cmd

    def start(self, timeout: float = 30.0) -> str:
        if self.process is not None and self.process.poll() is None:
            raise RuntimeError(f"{self.name} is already running (pid {self.process.pid})")
        if not self.binary.exists():
            raise ServerStartError(
                f"s3emu binary not found at {self.binary}; run `swift build` or set S3EMU_BIN"
            )
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        self.starts += 1
        self._stderr_path = self.log_dir / f"{self.name}-{self.starts}.stderr.log"
        self._stdout_lines = []
        self._ready = threading.Event()
        self.endpoint = None
        stderr = open(self._stderr_path, "wb")
        try:
            self.process = subprocess.Popen(
                self.command(),
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=stderr,
                cwd=str(self.log_dir),
            )
        finally:
            stderr.close()
        self._reader = threading.Thread(
            target=self._drain_stdout, args=(self.process,), name=f"{self.name}-stdout", daemon=True
        )
        self._reader.start()

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._ready.wait(0.05):
                return self.endpoint  # type: ignore[return-value]
            code = self.process.poll()
            if code is not None:
                self._reader.join(1)
                if self._ready.is_set():
                    break
                raise ServerStartError(
                    f"{self.name} exited with status {code} before it was ready.\n"
                    f"command: {' '.join(self.command())}\n{self.diagnostics()}"
                )
        if self._ready.is_set():
            return self.endpoint  # type: ignore[return-value]
        self.kill()
        raise ServerStartError(
            f"{self.name} printed no ready line within {timeout:.0f} s.\n{self.diagnostics()}"
        )

    def _drain_stdout(self, process: subprocess.Popen[bytes]) -> None:
        assert process.stdout is not None
        for raw in iter(process.stdout.readline, b""):
            line = raw.decode("utf-8", "replace").rstrip("\r\n")
            self._stdout_lines.append(line)
            if not self._ready.is_set():
                match = READY_LINE.match(line)
                if match:
                    self.endpoint = match.group(1).rstrip("/")
                    self._ready.set()
        process.stdout.close()

    def stop(self, timeout: float = 10.0) -> int:
        """SIGTERM, wait up to `timeout` seconds, then SIGKILL. Returns the exit status."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(10)
        self._join_reader()
        return process.returncode

    def kill(self) -> int:
        """SIGKILL (kill -9) the process and reap it."""
        process = self.process
        if process is None:
            return 0
        if process.poll() is None:
            process.kill()
            process.wait(10)
        self._join_reader()
        return process.returncode

    def restart(self, timeout: float = 30.0) -> str:
        self.stop()
        return self.start(timeout)

    def is_running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def _join_reader(self) -> None:
        if self._reader is not None:
            self._reader.join(5)

    # -- diagnostics -----------------------------------------------------------------------------

    def stderr_text(self) -> str:
        if self._stderr_path and self._stderr_path.exists():
            return self._stderr_path.read_text("utf-8", "replace")
        return ""

    def log_lines_containing(self, text: str, timeout: float = 5.0) -> list[str]:
        """The stderr lines that contain `text`, waiting up to `timeout` seconds for the first:
        s3emu writes its log lines in batches a few milliseconds after the response."""
        deadline = time.monotonic() + timeout
        while True:
            lines = [line for line in self.stderr_text().splitlines() if text in line]
            if lines or time.monotonic() >= deadline:
                return lines
            time.sleep(0.02)

    def stdout_text(self) -> str:
        return "\n".join(self._stdout_lines)

    def diagnostics(self, lines: int = 40) -> str:
        out = self._stdout_lines[-lines:]
        err = self.stderr_text().splitlines()[-lines:]
        return (
            "--- stdout (tail) ---\n" + "\n".join(out)
            + "\n--- stderr (tail) ---\n" + "\n".join(err)
        )
