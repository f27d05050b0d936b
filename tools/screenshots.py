"""Screenshots of Odoo pages in headless Chromium, driven over the DevTools protocol.

Run by tools/screenshots.sh: ``python tools/screenshots.py URL DB OUT_DIR NAME=PATH[@SELECTOR[@BOTTOM]] ...``
logs in as admin, opens each PATH, waits until SELECTOR is on the page and Odoo is idle, and
saves the page (down to the element BOTTOM, if given) as OUT_DIR/NAME.png. Needs Chromium
(/usr/bin/chromium) and websocket-client.
"""

import base64
import itertools
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import requests
import websocket

CHROMIUM = os.environ.get("CHROMIUM", shutil.which("chromium") or "/usr/bin/chromium")
WIDTH, HEIGHT = 1600, 900
# The flags this machine needs (no sandbox as root, no network beyond localhost).
FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--hide-scrollbars",
    "--force-device-scale-factor=1",
    f"--window-size={WIDTH},{HEIGHT}",
    "--remote-debugging-port=0",
]


class Page:
    """One Chromium tab, spoken to over the DevTools protocol."""

    def __init__(self, ws_url):
        self.ws = websocket.create_connection(ws_url, timeout=60, suppress_origin=True)
        self.ids = itertools.count(1)

    def send(self, method, **params):
        message_id = next(self.ids)
        self.ws.send(json.dumps({"id": message_id, "method": method, "params": params}))
        while True:
            answer = json.loads(self.ws.recv())
            if answer.get("id") == message_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})

    def evaluate(self, expression):
        result = self.send("Runtime.evaluate", expression=expression, returnByValue=True, awaitPromise=True)
        return result.get("result", {}).get("value")

    def wait_for(self, expression, what, seconds=60):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            if self.evaluate(expression):
                return
            time.sleep(0.25)
        raise RuntimeError(f"timed out waiting for {what}")


def start_chromium(profile):
    process = subprocess.Popen(
        [CHROMIUM, *FLAGS, f"--user-data-dir={profile}", "about:blank"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    port_file = Path(profile) / "DevToolsActivePort"
    for _ in range(200):
        if port_file.exists() and port_file.read_text().strip():
            return process, int(port_file.read_text().split()[0])
        time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"{CHROMIUM} did not start")


def login(url, db):
    """An Odoo session of admin (password admin), as the login page would open it."""
    response = requests.post(
        f"{url}/web/session/authenticate",
        json={"jsonrpc": "2.0", "method": "call", "params": {"db": db, "login": "admin", "password": "admin"}},
        timeout=60,
    )
    response.raise_for_status()
    if response.json().get("error"):
        raise RuntimeError(f"login failed: {response.json()['error']}")
    return response.cookies["session_id"]


def shoot(page, url, path, selector, bottom, out):
    page.send("Page.navigate", url=url + path)
    page.wait_for(f"!!document.querySelector({json.dumps(selector)})", selector)
    # Odoo is idle: nothing loading, fonts ready, no animation half-way.
    page.wait_for("!document.querySelector('.o_loading_indicator, .o_blockUI')", "Odoo to be idle")
    page.evaluate("document.fonts.ready.then(() => true)")
    time.sleep(1.5)
    height = HEIGHT
    if bottom:
        found = page.evaluate(
            f"(e => e && Math.ceil(e.getBoundingClientRect().bottom + 24))(document.querySelector({json.dumps(bottom)}))"
        )
        height = int(found or HEIGHT)
    page.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=height, deviceScaleFactor=1, mobile=False)
    time.sleep(1)
    shot = page.send("Page.captureScreenshot", format="png")
    page.send("Emulation.setDeviceMetricsOverride", width=WIDTH, height=HEIGHT, deviceScaleFactor=1, mobile=False)
    out.write_bytes(base64.b64decode(shot["data"]))
    sys.stdout.write(f"   {out} ({WIDTH}x{height})\n")


def main(url, db, out_dir, *shots):
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    session = login(url, db)
    with tempfile.TemporaryDirectory(prefix="hubspot-screenshots-") as profile:
        process, port = start_chromium(profile)
        try:
            target = requests.put(f"http://127.0.0.1:{port}/json/new?about:blank", timeout=30).json()
            page = Page(target["webSocketDebuggerUrl"])
            page.send("Page.enable")
            page.send("Network.enable")
            host = url.split("://", 1)[1].split("/", 1)[0].split(":")[0]
            page.send("Network.setCookie", name="session_id", value=session, domain=host, path="/")
            for shot in shots:
                name, _, rest = shot.partition("=")
                path, _, selectors = rest.partition("@")
                selector, _, bottom = selectors.partition("@")
                shoot(page, url, path, selector or ".o_action", bottom, out_dir / f"{name}.png")
        finally:
            process.terminate()
            process.wait(timeout=30)


if __name__ == "__main__":
    if len(sys.argv) < 5:
        sys.exit(__doc__)
    main(*sys.argv[1:])
