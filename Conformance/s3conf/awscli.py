"""Run the AWS CLI against the endpoint under test, isolated from the user's AWS configuration."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path


def find_aws_command() -> list[str] | None:
    """`aws` on PATH, else `python -m awscli` when awscli (v1) is importable, else None."""
    exe = shutil.which("aws")
    if exe:
        return [exe]
    try:
        import awscli  # noqa: F401
    except ImportError:
        return None
    return [sys.executable, "-m", "awscli"]


@dataclass
class CliResult:
    args: list[str]
    returncode: int
    stdout: str
    stderr: str

    @property
    def json(self):
        return json.loads(self.stdout) if self.stdout.strip() else None

    def error_code(self) -> str | None:
        """The S3 error code in `An error occurred (Code) when calling …`, if any."""
        marker = "An error occurred ("
        at = self.stderr.find(marker)
        if at < 0:
            return None
        end = self.stderr.find(")", at)
        return self.stderr[at + len(marker):end]

    def __repr__(self) -> str:
        return (f"<CliResult rc={self.returncode} args={self.args!r}\n"
                f"stdout={self.stdout[-2000:]}\nstderr={self.stderr[-2000:]}>")


class AwsCli:
    def __init__(self, command: list[str], endpoint: str, access_key: str, secret_key: str,
                 region: str, home: Path) -> None:
        self.command = command
        self.endpoint = endpoint
        home.mkdir(parents=True, exist_ok=True)
        config = home / "config"
        config.write_text(
            "[default]\n"
            f"region = {region}\n"
            "output = json\n"
            "s3 =\n"
            "    addressing_style = path\n"
        )
        self.env = {
            k: v for k, v in os.environ.items()
            if not k.startswith("AWS_") or k in ("AWS_CA_BUNDLE",)
        }
        self.env.update({
            "AWS_ACCESS_KEY_ID": access_key,
            "AWS_SECRET_ACCESS_KEY": secret_key,
            "AWS_DEFAULT_REGION": region,
            "AWS_REGION": region,
            "AWS_CONFIG_FILE": str(config),
            "AWS_SHARED_CREDENTIALS_FILE": str(home / "credentials-unused"),
            "AWS_EC2_METADATA_DISABLED": "true",
            "AWS_PAGER": "",
            "AWS_MAX_ATTEMPTS": "1",
            "AWS_RETRY_MODE": "standard",
        })

    def run(self, *args: str, check: bool = True, timeout: float = 120, cwd: str | None = None) -> CliResult:
        argv = [*self.command, "--endpoint-url", self.endpoint, "--output", "json", *args]
        proc = subprocess.run(argv, env=self.env, capture_output=True, text=True, timeout=timeout, cwd=cwd)
        result = CliResult(list(args), proc.returncode, proc.stdout, proc.stderr)
        if check and proc.returncode != 0:
            raise AssertionError(f"aws {' '.join(args)} failed: {result!r}")
        return result

    def s3api(self, *args: str, check: bool = True) -> CliResult:
        return self.run("s3api", *args, check=check)

    def s3(self, *args: str, check: bool = True, cwd: str | None = None) -> CliResult:
        return self.run("s3", *args, check=check, cwd=cwd)
