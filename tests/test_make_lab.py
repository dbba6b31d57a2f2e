"""`make lab` serves JupyterLab on the notebooks, and the URL it prints answers."""

import os
import re
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from processes import free_port, stop_process_group

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

ROOT = Path(__file__).resolve().parents[1]
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\S*token=\w+")


def test_make_lab_prints_a_url_that_answers_200():
    port = free_port()
    env = {**os.environ, "NO_BROWSER": "1", "PORT": str(port)}
    process = subprocess.Popen(
        ["make", "--no-print-directory", "lab"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    seen = []
    try:
        deadline = time.monotonic() + 90
        url = None
        while url is None and time.monotonic() < deadline:
            line = process.stdout.readline()
            if not line and process.poll() is not None:
                break
            seen.append(line)
            match = URL_PATTERN.search(line)
            if match and int(match[1]) == port:
                url = match[0]
        assert url, "make lab printed no URL:\n" + "".join(seen[-30:])
        # The URL is printed while the server finishes starting: give it a few seconds.
        for _ in range(60):
            try:
                with urllib.request.urlopen(url, timeout=30) as response:
                    status, body = response.status, response.read()
                break
            except ConnectionRefusedError:
                time.sleep(0.5)
            except urllib.error.URLError as error:
                if not isinstance(error.reason, ConnectionRefusedError):
                    raise
                time.sleep(0.5)
        else:
            raise AssertionError(f"{url} refused connections for 30 s")
        assert status == 200
        assert b"JupyterLab" in body
    finally:
        stop_process_group(process)
