"""`poisontui serve` for real: a server on loopback, a page in headless Chromium, the app's first screen."""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")

# Collect what the page receives over its websocket, decoded as text, before any page script runs.
CAPTURE = """
(() => {
  window.__received = "";
  const Native = window.WebSocket;
  window.WebSocket = function (...args) {
    const socket = new Native(...args);
    socket.addEventListener("message", async (event) => {
      const data = event.data;
      if (typeof data === "string") { window.__received += data; return; }
      const buffer = data instanceof Blob ? await data.arrayBuffer() : data;
      window.__received += new TextDecoder("utf-8", {fatal: false}).decode(buffer);
    });
    return socket;
  };
  window.WebSocket.prototype = Native.prototype;
  Object.assign(window.WebSocket, Native);
})();
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def server():
    pytest.importorskip("textual_serve", reason="the serve extra (textual-serve) is not installed")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "poisontui", "serve", "--port", str(port)],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True)
    url = f"http://127.0.0.1:{port}/"
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                with urllib.request.urlopen(url, timeout=2) as response:
                    assert response.status == 200
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"server did not start: {process.stdout.read().decode(errors='replace')}")
                time.sleep(0.2)
        yield url
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)


def test_server_listens_on_loopback_only(server):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), port, socket.AF_INET)}
    for address in addresses - {"127.0.0.1", "127.0.1.1"}:
        with socket.socket() as probe:
            probe.settimeout(1)
            assert probe.connect_ex((address, port)) != 0


@pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed (.ci/run installs it)")
def test_first_screen_appears_in_headless_chromium(server, tmp_path):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 800})
            page.add_init_script(CAPTURE)
            page.goto(server)
            # The page marks the body once the app's first bytes reach the terminal.
            page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=60_000)
            page.wait_for_function("window.__received.includes('Presets and data')", timeout=60_000)
            received = page.evaluate("window.__received")
            page.screenshot(path=str(tmp_path / "served.png"))
        finally:
            browser.close()
    assert "1 Dataset" in received and "Presets and data" in received
