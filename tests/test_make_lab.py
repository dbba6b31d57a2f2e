"""`make lab` serves JupyterLab on the notebooks, and the URL it prints answers."""

import os
import re
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from processes import free_port, start_make_server

pytestmark = pytest.mark.slow  # kernels, servers or a venv: scheduled first

ROOT = Path(__file__).resolve().parents[1]
URL_PATTERN = re.compile(r"http://127\.0\.0\.1:(\d+)/lab\S*token=\w+")


def test_make_lab_prints_a_url_that_answers_200():
    port = free_port()
    env = {**os.environ, "NO_BROWSER": "1", "PORT": str(port)}
    server = start_make_server("lab", cwd=ROOT, env=env, port=port, url=URL_PATTERN, timeout=90)
    url = server.url
    try:
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
        server.stop()


def test_a_server_target_that_exits_is_named_with_its_output(tmp_path):
    (tmp_path / "Makefile").write_text("broken:\n\t@echo 'no server here'; exit 3\n")
    with pytest.raises(AssertionError, match=r"make broken exited with 2:\n.*no server here"):
        start_make_server(
            "broken", cwd=tmp_path, env=dict(os.environ), port=1, url=URL_PATTERN, timeout=30
        )


def test_a_server_that_prints_no_url_is_stopped_in_time(tmp_path):
    (tmp_path / "Makefile").write_text("quiet:\n\t@echo 'starting'; sleep 600\n")
    with pytest.raises(AssertionError, match="make quiet printed no URL on port 1 within 2 s"):
        start_make_server(
            "quiet", cwd=tmp_path, env=dict(os.environ), port=1, url=URL_PATTERN, timeout=2
        )
