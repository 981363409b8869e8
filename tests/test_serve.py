"""``kb serve`` for real on loopback, driven by a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from conftest import ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(sample_db_path, tmp_path_factory):
    db = tmp_path_factory.mktemp("serve") / "kb.db"
    shutil.copy(sample_db_path, db)
    port = _free_port()
    log = open(db.parent / "serve.log", "w")
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kb.cli",
            "serve",
            "--db",
            str(db),
            "--port",
            str(port),
            "--metadata",
            str(ROOT / "metadata.yml"),
        ],
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.time() + 120
    while time.time() < deadline:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2)
            break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError((db.parent / "serve.log").read_text()) from None
            time.sleep(0.3)
    else:
        proc.kill()
        raise RuntimeError("kb serve did not start: " + (db.parent / "serve.log").read_text())
    yield base
    proc.terminate()
    proc.wait(timeout=10)
    log.close()


def test_served_read_only_with_limits(server):
    settings = json.load(urllib.request.urlopen(server + "/-/settings.json"))
    assert settings["sql_time_limit_ms"] == 3000
    dbs = json.load(urllib.request.urlopen(server + "/-/databases.json"))
    assert dbs[0]["is_mutable"] is False  # immutable: opened read-only
    data = json.load(urllib.request.urlopen(server + "/-/search.json?q=" + urllib.request.quote("인재 유치")))
    assert len(data) == 10


def _browser():
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    chromium, driver = shutil.which("chromium"), shutil.which("chromedriver")
    if not chromium or not driver:
        pytest.fail(
            "the browser test needs Debian's chromium and chromium-driver: apt-get install chromium chromium-driver (make test does)"
        )
    options = webdriver.ChromeOptions()
    options.binary_location = chromium
    for arg in [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1200,1400",
    ]:
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(driver), options=options)


def test_browser_search(server, request):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as ec
    from selenium.webdriver.support.ui import WebDriverWait

    browser = _browser()
    try:
        browser.get(server + "/")
        box = browser.find_element(By.NAME, "q")
        box.send_keys("인재 유치")
        box.submit()
        WebDriverWait(browser, 30).until(ec.presence_of_element_located((By.CSS_SELECTOR, "li.kb-result")))
        titles = [e.text for e in browser.find_elements(By.CSS_SELECTOR, "li.kb-result h2")]
        assert any("2018" in t for t in titles) and any("2019" in t for t in titles), titles
        marks = browser.find_elements(By.TAG_NAME, "mark")
        assert any(m.text in ("인재", "유치") for m in marks)
        json_url = browser.find_element(By.LINK_TEXT, "JSON").get_attribute("href")
        browser.get(json_url)
        data = json.loads(browser.find_element(By.TAG_NAME, "body").text)
        assert len(data) == len(titles) and data[0]["report_title"] == titles[0]
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        shot = ARTIFACTS / f"{request.node.name}.png"
        browser.save_screenshot(str(shot))
        print(f"screenshot saved to {shot}")
        raise
    finally:
        browser.quit()


def test_serve_without_database(tmp_path):
    out = subprocess.run(
        [sys.executable, "-m", "kb.cli", "serve", "--db", str(tmp_path / "none.db")],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert out.returncode == 2 and "database not found" in out.stderr
    assert not Path(tmp_path / "none.db").exists()
