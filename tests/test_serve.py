"""``kb serve`` for real on loopback, driven by a real headless Chromium."""

from __future__ import annotations

import json
import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest

from conftest import REPORT_2019, ROOT

ARTIFACTS = ROOT / "tests" / "artifacts"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(db: Path):
    """``kb serve`` of ``db`` on a free loopback port, for as long as the block runs."""
    port = _free_port()
    log_path = db.parent / "serve.log"
    log = open(log_path, "w")
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
    try:
        deadline = time.time() + 120
        while time.time() < deadline:
            try:
                urllib.request.urlopen(base + "/-/versions.json", timeout=2)
                break
            except OSError:
                if proc.poll() is not None:
                    raise RuntimeError(log_path.read_text()) from None
                time.sleep(0.3)
        else:
            raise RuntimeError("kb serve did not start: " + log_path.read_text())
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        log.close()


@pytest.fixture(scope="module")
def server(sample_db_path, tmp_path_factory):
    db = tmp_path_factory.mktemp("serve") / "kb.db"
    shutil.copy(sample_db_path, db)
    with serving(db) as base:
        yield base


def test_served_read_only_with_limits(server):
    settings = json.load(urllib.request.urlopen(server + "/-/settings.json"))
    assert settings["sql_time_limit_ms"] == 3000
    dbs = json.load(urllib.request.urlopen(server + "/-/databases.json"))
    assert dbs[0]["is_mutable"] is True  # read through read-only connections that see each commit (kb.serve)
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


@pytest.mark.parametrize("width", [1200, 390])
def test_browser_institutions_and_brief(server, request, width):
    """The institutions list leads to one institution's visits from both sample trips, and
    the home page to a destination's brief, on a desktop and a 390 px phone screen (no
    sideways scrolling of the page)."""
    from selenium.webdriver.common.by import By

    browser = _browser()
    try:
        browser.set_window_size(width, 900)
        browser.get(server + "/-/institutions")
        browser.find_element(By.PARTIAL_LINK_TEXT, "시엔타오").click()
        rows = browser.find_elements(By.CSS_SELECTOR, "table tr")
        assert sum("2018" in r.text or "2019" in r.text for r in rows) == 2, [r.text for r in rows]
        assert browser.find_elements(By.CSS_SELECTOR, ".kb-chunk")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width + 1
        browser.get(server + "/")  # the home page leads to a destination's brief
        browser.find_element(By.LINK_TEXT, "충칭").click()
        assert len(browser.find_elements(By.CSS_SELECTOR, "ul.kb-trips > li")) == 2
        assert browser.find_elements(By.CSS_SELECTOR, ".kb-chunk.kb-kind-implication")
        assert browser.execute_script("return document.documentElement.scrollWidth") <= width + 1
    except Exception:
        ARTIFACTS.mkdir(exist_ok=True)
        browser.save_screenshot(str(ARTIFACTS / f"{request.node.name}.png"))
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


def _get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=60) as r:
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


def test_ingest_while_serving(sample_db_path, tmp_path):
    """Reports ingested into a served database: no request fails during or after, and
    the new reports are found within seconds, without a restart."""
    db = tmp_path / "kb.db"
    shutil.copy(sample_db_path, db)
    folder = tmp_path / "new"
    folder.mkdir()
    body = REPORT_2019.read_text(encoding="utf-8")
    for i in range(6):
        (folder / f"new{i}.txt").write_text(f"{body}\n- 새 보고서 표식 zq{i}x 확인.\n", encoding="utf-8")
    failures: list[str] = []
    done = threading.Event()
    with serving(db) as base:
        urls = [
            base + "/-/search.json?q=" + urllib.request.quote("인재 유치"),
            base + "/",
            base + "/-/reports/1",
            base + "/kb/reports.json?_shape=array",
            base + "/-/search.json?mode=fts&q=zq5x",
        ]

        def client(n: int) -> None:
            i = n
            while not done.is_set():
                status, body = _get(urls[i % len(urls)])
                if status != 200:
                    failures.append(f"{urls[i % len(urls)]}: {status} {body[:200]!r}")
                i += 1

        threads = [threading.Thread(target=client, args=(n,)) for n in range(4)]
        for t in threads:
            t.start()
        try:
            out = subprocess.run(
                [sys.executable, "-m", "kb.cli", "ingest", str(folder), "--db", str(db)],
                capture_output=True, text=True, timeout=600,
            )  # fmt: skip
            assert out.returncode == 0, out.stderr
            found, deadline = [], time.time() + 30
            while time.time() < deadline and not found:
                found = json.loads(_get(base + "/-/search.json?mode=fts&q=zq5x")[1])
                time.sleep(0.5)
            time.sleep(2)  # the clients go on after ingest: nothing may break later
        finally:
            done.set()
            for t in threads:
                t.join()
        assert failures == []
        assert found and found[0]["report_title"], "the new report is not found within 30 s"
        reports = json.loads(_get(base + "/kb/reports.json?_shape=array&_size=100")[1])
        assert len(reports) == 8
        for r in reports:
            assert _get(f"{base}/-/reports/{r['id']}")[0] == 200
        hybrid = json.loads(_get(base + "/-/search.json?q=zq3x")[1])
        assert hybrid and hybrid[0]["vector_rank"] is not None  # the new chunks' vectors are in too
