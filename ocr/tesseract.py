"""The one module that runs Tesseract.

Every call goes through `_run`: a timeout, OMP_THREAD_LIMIT=1 (Tesseract's own OpenMP
threading is 4–6x slower on two cores; sijil runs one process per core instead), the
configured tessdata folder, and failures translated into ToolError.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

from pipeline.errors import ToolError

INSTALL_HINT = "apt-get install tesseract-ocr tesseract-ocr-ara tesseract-ocr-fra tesseract-ocr-osd"


def _run(args: list[str], *, tessdata_dir: Path | None, timeout_s: float) -> subprocess.CompletedProcess[str]:
    exe = shutil.which("tesseract")
    if exe is None:
        raise ToolError("Tesseract is not installed.", hint=INSTALL_HINT)
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    if tessdata_dir is not None:
        env["TESSDATA_PREFIX"] = str(tessdata_dir)
    try:
        result = subprocess.run([exe, *args], env=env, capture_output=True, text=True, timeout=timeout_s, check=False)
    except subprocess.TimeoutExpired as exc:
        raise ToolError(f"Tesseract gave no result after {timeout_s:.0f} s", transient=True) from exc
    if result.returncode != 0:
        raise ToolError(f"Tesseract failed (exit {result.returncode}): {result.stderr.strip()[-500:]}")
    return result


def version(*, tessdata_dir: Path | None = None) -> str:
    out = _run(["--version"], tessdata_dir=tessdata_dir, timeout_s=30)
    first = (out.stdout or out.stderr).splitlines()[0]
    return first.replace("tesseract", "").strip()


def available_languages(*, tessdata_dir: Path | None = None) -> set[str]:
    out = _run(["--list-langs"], tessdata_dir=tessdata_dir, timeout_s=30)
    lines = (out.stdout or out.stderr).splitlines()
    return {line.strip() for line in lines[1:] if line.strip()}
