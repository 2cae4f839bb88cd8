#!/usr/bin/env python3
"""The web client in a real browser: headless Chromium driven by selenium against a real origin
and two edges (the debug binaries, as processes on loopback ports).

alice signs in at edge A and bob at edge B through the form; they talk in #general, bob sees a
badge for #random, a thread reply, a reaction, an edit and an uploaded image with its preview
travel between them; hostile content stays text; bob's edge drains and bob carries on at edge A
with nothing missed or doubled; a wrong password shows an error; an invite link signs a new
person up. With SCREENSHOTS=DIR, the sign-in page, the main view and a thread are saved there.

Usage: python3 Tests/browser/web_client_test.py BIN_DIR
"""
import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time
import urllib.request
import threading
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from selenium import webdriver
from selenium.common.exceptions import StaleElementReferenceException, TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

PASSWORD = "browser test passphrase"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_http(url, timeout=30):
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer")


def rest(method, url, body=None, token=None, admin_key=None):
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    if admin_key:
        headers["X-Admin-Key"] = admin_key
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        text = response.read()
        return json.loads(text) if text else {}


def png(width=240, height=135):
    """A real PNG (a purple-to-teal gradient), so the preview has pixels to decode."""
    def chunk(kind, payload):
        return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)
    rows = b"".join(b"\x00" + b"".join(bytes((74 - 74 * x // width, 21 + 140 * x // width, 75 + 60 * y // height))
                                        for x in range(width)) for y in range(height))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b""))


class HostilePage(BaseHTTPRequestHandler):
    """A page whose Open Graph title and description are markup, for the link preview."""
    def do_GET(self):
        body = ("<html><head><meta property='og:title' content='&lt;img src=x onerror=\"window.__xss=3\"&gt;'>"
                "<meta property='og:description' content='&lt;script&gt;window.__xss=4&lt;/script&gt;'>"
                "<title>hostile</title></head><body>hi</body></html>").encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


class Cluster:
    """An origin (SQLite) and two edges, each a process with its own data directory."""

    def __init__(self, bin_dir):
        self.bin_dir = bin_dir
        self.dir = tempfile.mkdtemp(prefix="switchboard-browser-")
        self.env = dict(os.environ,
                        SWITCHBOARD_ADMIN_KEY="browser-admin-key-" + os.urandom(8).hex(),
                        SWITCHBOARD_TOKEN_SECRET=os.urandom(32).hex(),
                        SWITCHBOARD_EDGE_KEY="browser-edge-key-" + os.urandom(8).hex(),
                        SWITCHBOARD_AUTH_PASSWORD_COST_LOG2="12")
        self.processes = {}
        self.origin_port = free_port()
        self.origin = f"http://127.0.0.1:{self.origin_port}"
        # Link previews may fetch loopback: the hostile page below is served there.
        self.start("origin", [f"{bin_dir}/switchboard-origin", "--port", str(self.origin_port),
                              "--data-dir", f"{self.dir}/origin", "--unfurl-allow-private",
                              "--log-level", "warning"], self.origin)
        self.edges = {}
        for name, region in [("a", "region-a"), ("b", "region-b")]:
            port = free_port()
            url = f"http://127.0.0.1:{port}"
            self.start(f"edge-{name}", [f"{bin_dir}/switchboard-edge", "--port", str(port), "--origin", self.origin,
                                        "--data-dir", f"{self.dir}/edge-{name}", "--region", region,
                                        "--public-url", url, "--drain-window-ms", "1000",
                                        "--log-level", "warning"], url)
            self.edges[name] = url

    def start(self, name, command, url):
        log = open(f"{self.dir}/{name}.log", "w")
        self.processes[name] = subprocess.Popen(command, env=self.env, stdout=log, stderr=subprocess.STDOUT)
        wait_http(url + "/healthz")

    def admin(self, method, path, body=None):
        return rest(method, self.origin + path, body, admin_key=self.env["SWITCHBOARD_ADMIN_KEY"])

    def drain(self, name):
        process = self.processes[f"edge-{name}"]
        process.send_signal(signal.SIGTERM)
        return process

    def stop(self):
        for process in self.processes.values():
            if process.poll() is None:
                process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()

    def logs(self):
        for name in self.processes:
            path = f"{self.dir}/{name}.log"
            with open(path) as log:
                tail = log.read()[-3000:]
            if tail.strip():
                print(f"--- {name} log (tail)\n{tail}")


def browser():
    options = webdriver.ChromeOptions()
    for argument in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
                     "--disable-gpu"]:
        options.add_argument(argument)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"), options=options)
    driver.set_script_timeout(20)
    return driver


def until(driver, condition, message, timeout=20):
    try:
        # The client redraws lists in place, so an element read mid-redraw can go stale: poll again.
        return WebDriverWait(driver, timeout, poll_frequency=0.1,
                             ignored_exceptions=[StaleElementReferenceException]).until(lambda d: condition(d))
    except TimeoutException:
        raise AssertionError(message) from None


def messages(driver):
    """(id, content) of every message in the channel on screen, read in one step (the list redraws)."""
    return [tuple(pair) for pair in driver.execute_script(
        "return [...document.querySelectorAll('[role=log][aria-label=Messages] [data-message-id]')]"
        ".map((m) => [m.dataset.messageId, m.querySelector('.content').textContent])")]


def sign_in(driver, base, workspace, email, password):
    driver.get(base + "/")
    until(driver, lambda d: d.find_elements(By.NAME, "workspace"), "no sign-in form")
    driver.find_element(By.NAME, "workspace").send_keys(workspace)
    driver.find_element(By.NAME, "email").send_keys(email)
    driver.find_element(By.NAME, "password").send_keys(password)
    driver.find_element(By.CSS_SELECTOR, "button[type=submit]").click()


def send(driver, text, label="Message"):
    box = driver.find_element(By.CSS_SELECTOR, f"textarea[aria-label={label}]")
    box.send_keys(text)
    box.send_keys(Keys.ENTER)


def sees(driver, text, timeout=20):
    until(driver, lambda d: any(content == text for _, content in messages(d)), f"{text!r} never appeared", timeout)


FIND_MESSAGE = """
const [text] = arguments;
return [...document.querySelectorAll('[role=log][aria-label=Messages] [data-message-id]')]
  .find((m) => m.querySelector('.content').textContent === text) || null;
"""


def message_text(driver, text):
    """The whole text of the message whose content is `text` (read in one step: the list redraws)."""
    return driver.execute_script(FIND_MESSAGE + "", text) and driver.execute_script(
        "const m = (function() {" + FIND_MESSAGE + "})(...arguments); return m ? m.innerText : null", text)


def click_in_message(driver, text, selector):
    clicked = driver.execute_script(
        "const m = (function() {" + FIND_MESSAGE + "})(arguments[0]);"
        " const b = m && m.querySelector(arguments[1]); if (b) setTimeout(() => b.click(), 0); return !!b", text, selector)
    if not clicked:
        html = driver.execute_script("const m = (function() {" + FIND_MESSAGE + "})(arguments[0]); return m && m.outerHTML", text)
        raise AssertionError(f"no {selector} in message {text!r}: {html}")


def unread_badge(driver, channel_id):
    return driver.execute_script(
        "const b = document.querySelector(`[data-channel-id='${arguments[0]}'] [data-unread]`);"
        " return b ? b.getAttribute('data-unread') : null", channel_id)


def main(bin_dir):
    cluster = Cluster(bin_dir)
    drivers = []
    screenshots = os.environ.get("SCREENSHOTS")
    passed = []
    try:
        workspace = cluster.admin("POST", "/api/workspaces", {"name": "Acme"})["workspace"]
        users = {}
        for handle, role in [("alice", "admin"), ("bob", "member")]:
            created = cluster.admin("POST", f"/api/workspaces/{workspace['id']}/users", {
                "handle": handle, "display_name": handle.capitalize(), "email": f"{handle}@acme.test",
                "role": role, "password": PASSWORD})
            users[handle] = created
        random_channel = rest("POST", cluster.origin + "/api/channels", {"name": "random", "kind": "public"},
                              token=users["alice"]["token"])["channel"]
        rest("POST", cluster.origin + f"/api/channels/{random_channel['id']}/join", token=users["bob"]["token"])
        general_id = workspace["general_channel_id"]
        # A channel with three pages of history, written by 30 people (5 each stays under the
        # per-person rate limit).
        history_channel = rest("POST", cluster.origin + "/api/channels", {"name": "history", "kind": "public"},
                               token=users["alice"]["token"])["channel"]
        rest("POST", cluster.origin + f"/api/channels/{history_channel['id']}/join", token=users["bob"]["token"])
        for writer in range(30):
            token = cluster.admin("POST", f"/api/workspaces/{workspace['id']}/users", {
                "handle": f"writer{writer}", "display_name": f"Writer {writer}"})["token"]
            rest("POST", cluster.origin + f"/api/channels/{history_channel['id']}/join", token=token)
            for line in range(5):
                rest("POST", cluster.origin + f"/api/channels/{history_channel['id']}/messages",
                     {"content": f"history line {writer * 5 + line:03d}"}, token=token)

        alice, bob = browser(), browser()
        drivers += [alice, bob]

        # A wrong password: one clear error, still on the sign-in page.
        sign_in(bob, cluster.edges["b"], "Acme", "bob@acme.test", "not the password")
        until(bob, lambda d: d.find_element(By.CSS_SELECTOR, "[role=alert]").text.strip(), "no error shown")
        assert "wrong" in bob.find_element(By.CSS_SELECTOR, "[role=alert]").text
        assert bob.find_elements(By.NAME, "password")
        if screenshots:
            bob.save_screenshot(f"{screenshots}/sign-in.png")
        passed.append("a wrong password shows an error")

        sign_in(alice, cluster.edges["a"], "Acme", "alice@acme.test", PASSWORD)
        sign_in(bob, cluster.edges["b"], "Acme", "bob", PASSWORD)
        for driver in (alice, bob):
            until(driver, lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-channel-id='{general_id}']"), "no sidebar")
        passed.append("both sign in through the form, at different edges")

        send(alice, "hello bob")
        sees(bob, "hello bob")
        # Presence for the people on screen: alice, at the other edge, shows as online.
        until(bob, lambda d: d.execute_script(
            "const m = (function() {" + FIND_MESSAGE + "})(arguments[0]);"
            " return m && m.querySelector('.presence').classList.contains('active')", "hello bob"),
            "alice's presence dot is not active at bob's")
        passed.append("alice's message reaches bob's open channel, with her presence")

        # Typing shows, by name, to whoever looks at the channel.
        alice.find_element(By.CSS_SELECTOR, "textarea[aria-label=Message]").send_keys("typing something")
        until(bob, lambda d: d.find_element(By.CSS_SELECTOR, ".typing").text == "Alice is typing…",
              "bob never saw alice typing")
        alice.find_element(By.CSS_SELECTOR, "textarea[aria-label=Message]").clear()
        passed.append("a typing indicator")

        # A message in a channel bob is not looking at: a badge.
        rest("POST", cluster.edges["a"] + f"/api/channels/{random_channel['id']}/messages", {"content": "over here"},
             token=users["alice"]["token"])
        until(bob, lambda d: unread_badge(d, random_channel["id"]) == "1", "no unread badge on #random")
        passed.append("a message elsewhere shows as a badge")

        # A thread reply.
        click_in_message(bob, "hello bob", "button.reply")
        until(bob, lambda d: d.find_elements(By.CSS_SELECTOR, "textarea[aria-label=Reply]"), "no thread pane")
        send(bob, "replying in the thread", label="Reply")
        until(alice, lambda d: "1 reply" in (message_text(d, "hello bob") or ""), "alice never saw the reply count")
        # (The second reply below makes it 2.)
        until(bob, lambda d: "replying in the thread" in d.find_element(By.CSS_SELECTOR, "aside.thread").text,
              "the reply is not in bob's thread pane")
        # "Also send to channel": the reply shows in the channel too.
        bob.find_element(By.ID, "also-to-channel").click()
        send(bob, "and to everyone", label="Reply")
        sees(alice, "and to everyone")
        if screenshots:
            bob.save_screenshot(f"{screenshots}/thread.png")
        bob.find_element(By.CSS_SELECTOR, "aside.thread button[aria-label='Close thread']").click()
        passed.append("a thread reply, and one also sent to the channel")

        # A reaction, then an edit.
        click_in_message(alice, "hello bob", "button[aria-label=React]")
        until(bob, lambda d: "👍 1" in (message_text(d, "hello bob") or ""), "bob never saw the reaction")
        click_in_message(alice, "hello bob", "button.edit")
        prompt = until(alice, lambda d: d.switch_to.alert, "no edit prompt")
        prompt.send_keys("hello bob, edited")
        prompt.accept()
        sees(bob, "hello bob, edited")
        assert "(edited)" in message_text(bob, "hello bob, edited")
        # Deleting one's own message takes it away for everyone.
        send(alice, "a message to take back")
        sees(bob, "a message to take back")
        click_in_message(alice, "a message to take back", "button.delete")
        until(alice, lambda d: d.switch_to.alert, "no delete confirmation").accept()
        until(bob, lambda d: not any(c == "a message to take back" for _, c in messages(d)), "the deleted message stayed")
        passed.append("a reaction, an edit and a delete")

        # An upload with its preview, fetched through the signed URL.
        image = os.path.join(cluster.dir, "purple.png")
        with open(image, "wb") as file:
            file.write(png())
        alice.find_element(By.CSS_SELECTOR, "input[type=file]").send_keys(image)
        until(alice, lambda d: d.find_elements(By.CSS_SELECTOR, ".composer .pending img"), "no local preview")
        send(alice, "a picture")
        sees(bob, "a picture")
        until(bob, lambda d: d.execute_script(
            "const i = [...document.querySelectorAll('[data-message-id] img.preview')].pop();"
            " return i && i.complete && i.naturalWidth > 0"), "bob's preview never loaded")
        passed.append("an upload with a preview")

        # Hostile content stays text: nothing runs.
        hostile = ['<img src=x onerror="window.__xss=1">', "<script>window.__xss=2</script>"]
        for text in hostile:
            send(alice, text)
        for text in hostile:
            sees(bob, text)
        assert bob.execute_script("return window.__xss === undefined")
        assert alice.execute_script("return window.__xss === undefined")
        assert not bob.find_elements(By.CSS_SELECTOR, "[role=log] script, [role=log] img[src=x]")
        passed.append("XSS in content is inert")

        # A hostile display name and a hostile link preview are text too.
        mallory = cluster.admin("POST", f"/api/workspaces/{workspace['id']}/users", {
            "handle": "mallory", "display_name": '<img src=x onerror="window.__xss=5">'})
        rest("POST", cluster.origin + f"/api/channels/{general_id}/messages", {"content": "hi from mallory"},
             token=mallory["token"])
        sees(bob, "hi from mallory")
        assert '<img src=x onerror="window.__xss=5">' in message_text(bob, "hi from mallory")
        page = ThreadingHTTPServer(("127.0.0.1", 0), HostilePage)
        threading.Thread(target=page.serve_forever, daemon=True).start()
        link = f"see http://127.0.0.1:{page.server_address[1]}/page"
        send(alice, link)
        until(bob, lambda d: "window.__xss=3" in (message_text(d, link) or ""), "the link preview never arrived")
        page.shutdown()
        assert "<script>window.__xss=4</script>" in message_text(bob, link)
        assert bob.execute_script("return window.__xss === undefined")
        assert not bob.find_elements(By.CSS_SELECTOR, "[role=log] script, [role=log] img[src=x]")
        passed.append("XSS in names and link previews is inert")
        if screenshots:
            alice.save_screenshot(f"{screenshots}/main.png")

        # Bob's edge drains while alice keeps talking: bob ends up at edge A with every message once.
        before = {content for _, content in messages(bob)}
        drained = cluster.drain("b")
        sent = []
        for index in range(6):
            text = f"during the drain {index}"
            send(alice, text)
            sent.append(text)
            time.sleep(0.4)
        drained.wait(timeout=30)
        for text in sent:
            sees(bob, text, timeout=40)
        until(bob, lambda d: d.find_element(By.CSS_SELECTOR, ".layout").get_attribute("data-connection") == "live",
              "bob never got back to live")
        seen = messages(bob)
        ids = [message_id for message_id, _ in seen]
        assert len(ids) == len(set(ids)), "a message shows twice"
        contents = [content for _, content in seen]
        for text in sent:
            assert contents.count(text) == 1, f"{text!r} shown {contents.count(text)} times"
        assert before <= set(contents)
        send(bob, "still here, via edge A")
        sees(alice, "still here, via edge A")
        passed.append("a drained edge's user carries on at the other edge, nothing missed or doubled")

        # Scrolling up loads older pages until the channel's first message, each message once, in order.
        bob.find_element(By.CSS_SELECTOR, f"[data-channel-id='{history_channel['id']}']").click()
        sees(bob, "history line 149")
        for _ in range(40):
            if bob.find_elements(By.CSS_SELECTOR, ".messages .start"):
                break
            bob.execute_script("const log = document.querySelector('[role=log][aria-label=Messages]');"
                               " log.scrollTop = 0; log.dispatchEvent(new Event('scroll'));")
            time.sleep(0.3)
        lines = [content for _, content in messages(bob)]
        assert lines == [f"history line {n:03d}" for n in range(150)], f"history shows {len(lines)} lines"
        passed.append("infinite scroll backwards through history")

        # Search, and a result that opens its message.
        search = bob.find_element(By.CSS_SELECTOR, "input[type=search]")
        search.send_keys("picture")
        search.send_keys(Keys.ENTER)
        until(bob, lambda d: d.find_elements(By.CSS_SELECTOR, ".panel .result mark"), "no search result")
        assert bob.find_element(By.CSS_SELECTOR, ".panel .result mark").text.lower() == "picture"
        bob.find_element(By.CSS_SELECTOR, ".panel .result").click()
        until(bob, lambda d: any(content == "a picture" for _, content in messages(d)), "the result did not open its channel")
        passed.append("search")

        # @-completion from the edge's user search; the mention reaches bob as a mention.
        box = alice.find_element(By.CSS_SELECTOR, "textarea[aria-label=Message]")
        box.send_keys("ping @bo")
        until(alice, lambda d: d.find_elements(By.CSS_SELECTOR, ".suggestions li"), "no suggestions")
        alice.find_element(By.CSS_SELECTOR, ".suggestions li").click()
        assert box.get_attribute("value") == "ping @bob ", box.get_attribute("value")
        box.send_keys(Keys.ENTER)
        until(bob, lambda d: d.execute_script(
            "return [...document.querySelectorAll('[data-message-id] .mention')].some((m) => m.textContent === '@Bob')"),
            "the mention did not render as one")
        passed.append("@-mention completion")

        # The channel browser: alice makes #design there, bob finds and joins it, then leaves.
        alice.find_element(By.CSS_SELECTOR, "button.browse").click()
        until(alice, lambda d: d.find_elements(By.NAME, "channel-name"), "no channel browser")
        alice.find_element(By.NAME, "channel-name").send_keys("design")
        alice.find_element(By.CSS_SELECTOR, ".inline-form button[type=submit]").click()
        until(alice, lambda d: d.find_element(By.CSS_SELECTOR, ".channel-title").text == "#design", "alice is not in #design")
        bob.find_element(By.CSS_SELECTOR, "button.browse").click()
        until(bob, lambda d: any(e.text.startswith("#design") for e in d.find_elements(By.CSS_SELECTOR, ".panel li .name")),
              "bob's browser does not list #design")
        bob.execute_script("[...document.querySelectorAll('.panel li')].find((li) => li.textContent.startsWith('#design'))"
                           ".querySelector('button.join').click()")
        until(bob, lambda d: d.find_element(By.CSS_SELECTOR, ".channel-title").text == "#design", "bob did not land in #design")
        send(alice, "welcome to design")
        sees(bob, "welcome to design")
        passed.append("browse, create and join channels")

        # A new DM from the people search: alice gets it with a badge.
        bob.find_element(By.CSS_SELECTOR, "button.new-message").click()
        until(bob, lambda d: d.find_elements(By.NAME, "dm-search"), "no new-message panel")
        bob.find_element(By.NAME, "dm-search").send_keys("ali")
        until(bob, lambda d: d.find_elements(By.CSS_SELECTOR, ".panel button.person"), "no one found")
        bob.find_element(By.CSS_SELECTOR, ".panel button.person").click()
        until(bob, lambda d: d.find_element(By.CSS_SELECTOR, ".channel-title").text == "Alice", "the DM did not open")
        send(bob, "psst, a DM")
        until(alice, lambda d: any("Bob" in e.text for e in d.find_elements(By.CSS_SELECTOR, "[data-channel-id]")),
              "alice's sidebar has no DM with bob")
        passed.append("start a DM")

        # An invite link signs a new person up.
        invite = rest("POST", cluster.edges["a"] + f"/api/workspaces/{workspace['id']}/invites", {},
                      token=users["alice"]["token"])["invite"]
        newcomer = browser()
        drivers.append(newcomer)
        newcomer.get(invite["url"])
        until(newcomer, lambda d: d.find_elements(By.NAME, "display_name"), "no sign-up form")
        newcomer.find_element(By.NAME, "display_name").send_keys("Nora")
        newcomer.find_element(By.NAME, "handle").send_keys("nora")
        newcomer.find_element(By.NAME, "password").send_keys("nora's passphrase")
        newcomer.find_element(By.CSS_SELECTOR, "button[type=submit]").click()
        until(newcomer, lambda d: d.find_elements(By.CSS_SELECTOR, f"[data-channel-id='{general_id}']"),
              "the newcomer did not land signed in")
        sees(newcomer, "still here, via edge A")
        passed.append("an invite link signs up a new user")

        # Signing out ends the session.
        newcomer.find_element(By.CSS_SELECTOR, "button.signout").click()
        until(newcomer, lambda d: d.find_elements(By.NAME, "password"), "no sign-in page after signing out")
        passed.append("sign-out")

        # Signed in on the origin's page, the client talks to the nearest edge (the one left).
        sign_in(newcomer, cluster.origin, "Acme", "nora", "nora's passphrase")
        until(newcomer, lambda d: d.find_elements(By.CSS_SELECTOR, "[role=log] [data-message-id]"), "no first screen")
        edge = newcomer.find_element(By.CSS_SELECTOR, ".layout").get_attribute("data-edge")
        assert edge == cluster.edges["a"], f"the origin's page talks to {edge}"
        passed.append("the origin's page picks the nearest edge")
    except BaseException:
        for name, driver in zip(["alice", "bob", "newcomer"], drivers):
            print(f"--- {name}'s console")
            for entry in driver.get_log("browser"):
                print(entry)
        cluster.logs()
        raise
    finally:
        for driver in drivers:
            driver.quit()
        cluster.stop()
        shutil.rmtree(cluster.dir, ignore_errors=True)
        for line in passed:
            print(f"  ✔ {line}")
    print(f"web client: {len(passed)} scenarios passed")


if __name__ == "__main__":
    main(sys.argv[1])
