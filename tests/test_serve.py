"""`poisontui serve` for real: a server on loopback, a page in headless Chromium, the app's first screen."""

import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
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


@contextlib.contextmanager
def serving(folder, *options):
    """`poisontui serve` on a free loopback port, run from `folder` (also its HOME); yields its URL."""
    pytest.importorskip("textual_serve", reason="the serve extra (textual-serve) is not installed")
    port = free_port()
    process = subprocess.Popen([sys.executable, "-m", "poisontui", "serve", "--port", str(port), *options],
                               stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
                               cwd=folder, env={**os.environ, "HOME": str(folder)})
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


@pytest.fixture
def server(tmp_path):
    with serving(tmp_path) as url:
        yield url


def test_server_listens_on_loopback_only(server):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    addresses = {info[4][0] for info in socket.getaddrinfo(socket.gethostname(), port, socket.AF_INET)}
    for address in addresses - {"127.0.0.1", "127.0.1.1"}:
        with socket.socket() as probe:
            probe.settimeout(1)
            assert probe.connect_ex((address, port)) != 0


needs_chromium = pytest.mark.skipif(CHROMIUM is None,
                                    reason="Debian's chromium is not installed (.ci/run installs it)")


@contextlib.contextmanager
def chromium_page():
    """A page in headless Chromium that records what it receives and the files the app sends it."""
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
            # textual-serve opens each delivered file in a new tab; record the address instead.
            page.add_init_script("window.__opened = []; window.open = (url) => { window.__opened.push(url); };")
            yield page
        finally:
            browser.close()


def wait_for_text(page, text):
    page.wait_for_function(f"window.__received.includes({text!r})", timeout=60_000)


@needs_chromium
def test_first_screen_appears_in_headless_chromium(server, tmp_path):
    with chromium_page() as page:
        page.goto(server)
        # The page marks the body once the app's first bytes reach the terminal.
        page.wait_for_function("document.body.classList.contains('-first-byte')", timeout=60_000)
        wait_for_text(page, "Presets and data")
        received = page.evaluate("window.__received")
        page.screenshot(path=str(tmp_path / "served.png"))
    assert "1 Dataset" in received and "Presets and data" in received


@contextlib.contextmanager
def forwarded(target_port: int, address: str = "127.0.0.2"):
    """Forward `address`:(a free port) to 127.0.0.1:`target_port`, as `ssh -L` or a proxy would."""
    listener = socket.create_server((address, 0))
    stop = threading.Event()

    def pump(source, sink):
        with contextlib.suppress(OSError):
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        with contextlib.suppress(OSError):
            sink.shutdown(socket.SHUT_WR)

    def accept():
        listener.settimeout(0.2)
        while not stop.is_set():
            try:
                client, _ = listener.accept()
            except (TimeoutError, OSError):
                continue
            upstream = socket.create_connection(("127.0.0.1", target_port))
            for a, b in ((client, upstream), (upstream, client)):
                threading.Thread(target=pump, args=(a, b), daemon=True).start()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    try:
        yield f"http://{address}:{listener.getsockname()[1]}/"
    finally:
        stop.set()
        thread.join()
        listener.close()


def test_page_links_follow_the_address_the_browser_used(tmp_path):
    with serving(tmp_path) as url:
        port = int(url.rsplit(":", 1)[1].strip("/"))
        request = urllib.request.Request(url, headers={"Host": "demo.test:9000"})
        page = urllib.request.urlopen(request, timeout=10).read().decode()
        assert 'data-session-websocket-url="ws://demo.test:9000/ws"' in page
        assert "http://demo.test:9000/static/js/textual.js" in page
        assert f"127.0.0.1:{port}" not in page
        # Nothing the page needs lives outside the server (the svg namespace is a name, not a request).
        assert set(re.findall(r"https?://[^/\"']+", page)) == {"http://demo.test:9000", "http://www.w3.org"}
    with serving(tmp_path, "--public-url", "https://demo.example.org/") as url:
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert 'data-session-websocket-url="wss://demo.example.org/ws"' in page
        assert "https://demo.example.org/static/fonts/RobotoMono-VariableFont_wght.ttf" in page


@needs_chromium
def test_page_works_from_another_address_with_no_internet(server):
    port = int(server.rsplit(":", 1)[1].strip("/"))
    with forwarded(port) as url, chromium_page() as page:
        origin = url.rstrip("/")
        outside = []
        # No internet: any request that leaves the address typed fails, and is recorded.
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith(origin)
                   else (outside.append(route.request.url), route.abort()))
        sockets = []
        page.on("websocket", lambda ws: sockets.append(ws.url))
        page.goto(url)
        wait_for_text(page, "Presets and data")
        fonts = page.evaluate("document.fonts.check('16px \"Roboto Mono\"')")
    assert outside == []
    assert sockets == [f"ws://{origin.split('//')[1]}/ws?width=" + sockets[0].split("width=")[1]]
    assert fonts


@needs_chromium
def test_exports_go_to_the_browser_not_the_servers_disk(tmp_path):
    served_from = tmp_path / "server"
    served_from.mkdir()
    with serving(served_from) as url, chromium_page() as page:
        page.goto(url)
        wait_for_text(page, "Presets and data")
        page.focus(".xterm-helper-textarea")  # keys go to the terminal

        def export(name=None):
            before = len(page.evaluate("window.__opened"))
            page.keyboard.press("e")
            wait_for_text(page, "Name of the download")
            # On a busy machine the dialog's field takes focus a little after it is drawn; keys sent
            # before that go elsewhere, so give it a moment.
            page.wait_for_timeout(1500)
            if name:
                # Twice: keys typed before the field has focus (a very busy machine) are lost, not misplaced.
                for _ in range(2):
                    page.keyboard.press("Control+a")  # to the start of the field, then clear it
                    page.keyboard.press("Control+k")
                    page.keyboard.type(name)
                    page.wait_for_timeout(1000)
            page.keyboard.press("Enter")
            page.wait_for_function(f"window.__opened.length > {before}", timeout=60_000)
            response = page.request.get(page.evaluate("window.__opened")[-1])
            return response.headers, response.text()

        headers, body = export("screen.svg")
        assert headers["content-disposition"] == "attachment; filename=screen.svg"
        assert headers["content-type"].startswith("image/svg+xml") and body.lstrip().startswith("<svg")
        page.keyboard.press("r")
        wait_for_text(page, "0.850")  # the article's clean accuracy, on the results screen
        headers, body = export()
        assert headers["content-disposition"] == "attachment; filename=poisontui-result.json"
        assert json.loads(body)["results"][0]["accuracy"] == 0.85
    assert [p.name for p in served_from.rglob("*") if p.is_file()] == []
