"""The widgets notebook in real JupyterLab, driven by headless Chromium through Playwright.

Needs Debian's chromium (`apt-get install chromium`; .ci/run installs it). Without it this test is skipped with the
reason, except where TINYZERO_REQUIRE_BROWSER is set (CI sets it), where a missing browser is a failure. Screenshots go to docs/img/ when TINYZERO_SCREENSHOTS=1, else to pytest's tmp dir."""
import os, shutil, socket, subprocess, sys, time, urllib.request
from pathlib import Path
import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TOKEN = "tinyzero-test"


def _free_port():
    with socket.socket() as s: s.bind(("127.0.0.1", 0)); return s.getsockname()[1]


@pytest.fixture
def lab(tmp_path):
    if not Path(CHROMIUM).exists():
        why = f"Chromium is not installed at {CHROMIUM} (`apt-get install chromium`)"
        if os.environ.get("TINYZERO_REQUIRE_BROWSER"): pytest.fail(why + "; TINYZERO_REQUIRE_BROWSER is set")
        pytest.skip(why)
    port = _free_port()
    (tmp_path / "nbs").mkdir()                  # serve a copy: JupyterLab's autosave must not touch the source
    shutil.copy(ROOT / "nbs" / "32_widgets.ipynb", tmp_path / "nbs" / "32_widgets.ipynb")
    env = dict(os.environ, JUPYTER_CONFIG_DIR=str(tmp_path / "jcfg"), JUPYTER_RUNTIME_DIR=str(tmp_path / "jrt"))
    p = subprocess.Popen([sys.executable, "-m", "jupyter", "lab", "--no-browser", "--ip=127.0.0.1", f"--port={port}",
                          f"--IdentityProvider.token={TOKEN}", f"--ServerApp.root_dir={tmp_path}",
                          "--allow-root", "--LabApp.news_url=", "--ServerApp.disable_check_xsrf=True"],
                         env=env, stdout=subprocess.DEVNULL, stderr=open(tmp_path / "lab.log", "w"))
    url = f"http://127.0.0.1:{port}"
    for _ in range(120):
        if p.poll() is not None: break
        try: urllib.request.urlopen(f"{url}/api/status?token={TOKEN}", timeout=2); break
        except Exception: time.sleep(0.5)
    if p.poll() is not None or _ == 119:
        p.kill(); pytest.fail("JupyterLab did not start: " + (tmp_path / "lab.log").read_text()[-2000:])
    yield url
    p.terminate(); p.wait(10)


def test_reward_playground_in_jupyterlab(lab, tmp_path):
    if not Path(CHROMIUM).exists():
        why = f"Chromium is not installed at {CHROMIUM} (`apt-get install chromium`)"
        if os.environ.get("TINYZERO_REQUIRE_BROWSER"): pytest.fail(why + "; TINYZERO_REQUIRE_BROWSER is set")
        pytest.skip(why)
    from playwright.sync_api import sync_playwright
    shots = ROOT / "docs" / "img" if os.environ.get("TINYZERO_SCREENSHOTS") else tmp_path
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
            "--disable-component-update", "--disable-sync"])
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.goto(f"{lab}/lab/tree/nbs/32_widgets.ipynb?token={TOKEN}")
        page.wait_for_selector(".jp-Notebook", timeout=120_000)
        page.wait_for_function("() => document.body.innerText.includes('| Idle')", timeout=120_000)  # kernel up
        page.click("li.lm-MenuBar-item:has-text('Run')", timeout=30_000)          # Run > Run All Cells
        page.click("li.lm-Menu-item:has-text('Run All Cells')", timeout=30_000)
        area = page.locator(".widget-textarea textarea").first
        area.wait_for(state="attached", timeout=180_000)
        area.scroll_into_view_if_needed()
        has = lambda t: page.wait_for_function(
            f"() => document.querySelector('table.tz-reward').innerText.replace(/\\s+/g, ' ').includes({t!r})", timeout=60_000)
        area.fill("<think>I guess</think><answer>12345</answer>")         # typing updates the reward at once
        has("'12345' (from tags)"); has("formatted yes"); has("correct no"); has("score (process) 0.0")
        page.locator("button:has-text('correct example')").first.click()  # the button fills a correct solution
        has("correct yes"); has("score (process) 1.0"); has("score (binary) 1.0")
        area.scroll_into_view_if_needed()
        page.locator(".widget-vbox").first.screenshot(path=str(shots / "reward_playground.png"))
        inspector = page.locator(".widget-vbox", has_text="samples (").last   # the widget alone
        inspector.wait_for(state="attached", timeout=60_000)
        inspector.scroll_into_view_if_needed()
        inspector.screenshot(path=str(shots / "sample_inspector.png"))
        browser.close()
    for shot in ("reward_playground.png", "sample_inspector.png"): assert (shots / shot).stat().st_size > 1000
