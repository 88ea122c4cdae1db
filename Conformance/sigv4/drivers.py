"""Build client drivers for a target, failing (CI) or skipping (locally) when a client is missing."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any, Callable

from sigv4.clients import (
    AwsCliDriver,
    Boto3Driver,
    CrtDriver,
    CurlDriver,
    Driver,
    MinioDriver,
    RcloneDriver,
    S3cmdDriver,
    find_program,
)


def make_driver(name: str, endpoint: str, access_key: str, secret_key: str, region: str, workdir: Path,
                missing: Callable[[str], None], **options: Any) -> Driver:
    """The driver for client `name`; calls `missing(what)` (which fails or skips) when absent."""

    def module(module_name: str) -> None:
        try:
            importlib.import_module(module_name)
        except ImportError:
            missing(f"python module {module_name!r}")

    def program(program_name: str, package: str) -> list[str]:
        command = find_program(program_name)
        if command is None:
            missing(f"{program_name} ({package})")
        return command  # type: ignore[return-value]

    args = (endpoint, access_key, secret_key, region, workdir)
    if name in ("boto3", "boto3-python"):
        module("boto3")
        return Boto3Driver(*args, python_signer=name == "boto3-python")
    if name == "awscli":
        from s3conf.awscli import find_aws_command

        command = find_aws_command()
        if command is None:
            missing("the AWS CLI (aws)")
        return AwsCliDriver(*args, command=command)
    if name in ("s3cmd-v4", "s3cmd-v2"):
        command = program("s3cmd", "pip install s3cmd")
        module("S3")
        return S3cmdDriver(*args, command=command, signature_v2=name == "s3cmd-v2")
    if name == "minio":
        module("minio")
        return MinioDriver(*args)
    if name == "awscrt":
        module("awscrt")
        return CrtDriver(*args)
    if name == "curl":
        return CurlDriver(*args, command=program("curl", "apt-get install curl"))
    if name == "rclone":
        return RcloneDriver(*args, command=program("rclone", "apt-get install rclone"), **options)
    raise ValueError(name)
