#!/usr/bin/env python3
"""Browser tests of `outpost ui` in headless Chromium (Debian's chromium and chromium-driver,
driven by selenium). Tools/test.sh runs them after `swift test`; CI fails when they fail.

The world: a real `outpost server` with the demo brand, two enrolled devices of Dana (A and B),
and `outpost ui` on each. The tests share it and run in order. Screenshots of the main screens
go to Tools/screenshots/ (linked from the README).

    python3 Tools/browser-tests/run.py --binary .build/debug/outpost [-k NAME]
"""
import argparse
import glob
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

from selenium import webdriver
from selenium.common.exceptions import (ElementNotInteractableException, NoAlertPresentException,
                                        NoSuchElementException,
                                        StaleElementReferenceException, WebDriverException)
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import Select, WebDriverWait

HERE = os.path.dirname(os.path.abspath(__file__))
SCREENSHOTS = os.path.join(os.path.dirname(HERE), "screenshots")
BINARY = None


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def http_ok(url):
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def wait_for(condition, timeout=30, message="condition", interval=0.2):
    end = time.time() + timeout
    while time.time() < end:
        try:
            value = condition()
            if value:
                return value
        except (StaleElementReferenceException, NoSuchElementException, ElementNotInteractableException,
                AssertionError):
            # A page mid-navigation or mid-refresh: its element is gone, not there yet, or not laid out.
            pass
        except WebDriverException as error:
            # chromedriver's other spelling of a stale element: the page replaced the node.
            if "does not belong to the document" not in str(error):
                raise
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


class World:
    """The server, two devices and their UIs, as real processes."""

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="outpost-browser-")
        self.data = os.path.join(self.dir, "server")
        self.server_port = free_port()
        self.server_url = f"http://127.0.0.1:{self.server_port}"
        self.processes = {}
        # The processes' logs as they were at close, for a failed run to print.
        self.logs = {}
        self.run("admin", "--data", self.data, "demo", "--messages", "300")
        self.start_server()
        self.devices = {}
        for name in ("A", "B"):
            code = self.run("admin", "--data", self.data, "enroll-code", "--brand", "northwind",
                            "--user", "dana").strip().splitlines()[-1]
            replica = os.path.join(self.dir, f"{name}.sqlite")
            self.run("enroll", "--server", self.server_url, "--code", code, "--replica", replica, "--name", name)
            port = free_port()
            self.start(f"ui-{name}", "ui", "--replica", replica, "--port", str(port), "--max-retry-delay", "1")
            self.devices[name] = f"http://127.0.0.1:{port}"
        for url in self.devices.values():
            wait_for(lambda: http_ok(url + "/inbox"), message=f"{url} to answer")

    def run(self, *arguments):
        result = subprocess.run([BINARY, *arguments], capture_output=True, text=True, timeout=120)
        if result.returncode != 0:
            raise RuntimeError(f"outpost {' '.join(arguments)} failed: {result.stderr}")
        return result.stdout

    def start(self, key, *arguments):
        # Appended: a restarted server keeps one log. At info level, each sync session shows.
        log = open(os.path.join(self.dir, f"{key}.log"), "a")
        environment = dict(os.environ)
        environment.setdefault("OUTPOST_LOG_LEVEL", "info")
        self.processes[key] = subprocess.Popen([BINARY, *arguments], stdout=log, stderr=subprocess.STDOUT,
                                               env=environment)

    def start_server(self):
        self.start("server", "server", "--data", self.data, "--port", str(self.server_port))
        wait_for(lambda: http_ok(self.server_url + "/healthz"), message="the server")

    def stop_server(self):
        process = self.processes.pop("server")
        process.terminate()
        process.wait(timeout=20)

    def close(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        for path in sorted(glob.glob(os.path.join(self.dir, "*.log"))):
            with open(path, errors="replace") as log:
                self.logs[os.path.basename(path)] = log.read()
        shutil.rmtree(self.dir, ignore_errors=True)

    def print_logs(self, lines=80):
        """The end of each process's log (server, ui-A, ui-B), for a run that failed."""
        for name, text in self.logs.items():
            tail = text.splitlines()[-lines:]
            print(f"--- {name} (last {len(tail)} lines) ---", file=sys.stderr)
            for line in tail:
                print(line, file=sys.stderr)


def browser():
    options = Options()
    options.binary_location = "/usr/bin/chromium"
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1366,900",
                     "--lang=en-GB"):
        options.add_argument(argument)
    return webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=options)


class BrowserTests(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.world = World()
        cls.a = browser()
        cls.b = browser()
        cls.A, cls.B = cls.world.devices["A"], cls.world.devices["B"]
        # Both devices finish their first sync.
        for driver, url in ((cls.a, cls.A), (cls.b, cls.B)):
            def synced():
                driver.get(url + "/inbox")
                return len(driver.find_elements(By.CSS_SELECTOR, "li.row")) >= 15
            wait_for(synced, timeout=60, message="the first sync")

    @classmethod
    def tearDownClass(cls):
        for driver in (cls.a, cls.b):
            driver.quit()
        cls.world.close()

    # Helpers

    # A live refresh replaces a page's regions whenever the replica changes (and the status bar
    # whenever the link goes up or down: every second while the server is down), so an element
    # found a moment ago may be gone. What the tests read, they read in one script (which runs
    # between two refreshes); what they click, they find again until the click lands.

    def shot(self, driver, name, focus=None):
        """Writes Tools/screenshots/NAME.png, scrolled to show `focus` (a CSS selector; the last
        match) if given."""
        os.makedirs(SCREENSHOTS, exist_ok=True)
        if focus is not None:
            driver.execute_script("""
                const all = document.querySelectorAll(arguments[0]);
                if (all.length) all[all.length - 1].scrollIntoView({block: 'center'});""", focus)
        driver.save_screenshot(os.path.join(SCREENSHOTS, name + ".png"))

    def rows(self, driver):
        """The inbox rows on the page, as dicts: id, partner, status, kind, unread ("true"/"false"),
        bold (the subject's font weight is 700 or more) and text."""
        return driver.execute_script("""
            return Array.from(document.querySelectorAll('li.row')).map(r => ({
                id: r.dataset.id, partner: r.dataset.partner, status: r.dataset.status, kind: r.dataset.kind,
                unread: r.dataset.unread, classes: r.className.split(/\\s+/),
                bold: parseInt(getComputedStyle(r.querySelector('.subject')).fontWeight) >= 700,
                text: r.innerText}));""")

    def first_row_id(self, driver, query):
        driver.get(self.A + "/inbox?" + query if driver is self.a else self.B + "/inbox?" + query)
        rows = self.rows(driver)
        self.assertTrue(rows, f"no row for {query}")
        return rows[0]["id"]

    def click(self, driver, css, message=None):
        """Clicks the element `css` selects, found again if a live refresh replaced it."""
        def attempt():
            driver.find_element(By.CSS_SELECTOR, css).click()
            return True
        wait_for(attempt, timeout=10, message=message or f"a click on {css}")

    def text(self, driver, css):
        """The text of the element `css` selects, or None if the page has none."""
        return driver.execute_script(
            "const e = document.querySelector(arguments[0]); return e ? e.innerText : null;", css)

    def value(self, driver, element_id):
        """The value of the form field `element_id`, or None if the page has none."""
        return driver.execute_script(
            "const e = document.getElementById(arguments[0]); return e ? e.value : null;", element_id)

    def connection(self, driver):
        # Read in one script: a live refresh may replace the status bar between a find and a read.
        return driver.execute_script(
            "const e = document.getElementById('connection'); return e ? e.dataset.connection : null;")

    def toggle_offline(self, driver, expected=None):
        """Clicks "Work offline" / "Go online" and waits for the page the form's POST leads to, not
        the old one (whose live refresh can show the new state before the browser navigates)."""
        driver.execute_script("window.outpostOldPage = true")
        self.click(driver, "#offline-toggle")
        wait_for(lambda: driver.execute_script(
            "return !window.outpostOldPage && document.readyState === 'complete'"),
            message="the page after the offline toggle")
        if expected is not None:
            wait_for(lambda: self.connection(driver) == expected, message=f"the connection {expected}")

    def type_into(self, driver, element_id, text):
        """Types into a field; retried when a live refresh replaced it just before (the page only
        leaves a field alone once it has focus or unsaved text)."""
        def attempt():
            driver.find_element(By.ID, element_id).send_keys(text)
            return True
        wait_for(attempt, timeout=10, message=f"typing into #{element_id}")

    def reply(self, driver, text):
        self.type_into(driver, "reply-text", text)
        self.click(driver, "#send")
        wait_for(lambda: self.value(driver, "reply-text") == "", message="the page after sending")

    def own_messages(self, driver):
        """The user's own messages in the thread on the page, as dicts: text, body (the body's
        text), bodyTags (elements inside the body) and delivery (its data-delivery)."""
        return driver.execute_script("""
            return Array.from(document.querySelectorAll('li.message.own')).map(m => {
                const body = m.querySelector('.body'), delivery = m.querySelector('.delivery');
                return {text: m.innerText, body: body ? body.innerText : null,
                        bodyTags: body ? body.querySelectorAll('*').length : 0,
                        delivery: delivery ? delivery.dataset.delivery : null};
            });""")

    # Tests (in order: they share one world)

    def test_1_list_renders_with_unread_rows_bold(self):
        self.a.get(self.A + "/inbox")
        rows = self.rows(self.a)
        unread = [r for r in rows if "unread" in r["classes"]]
        read = [r for r in rows if "unread" not in r["classes"]]
        self.assertTrue(unread and read, "the demo has read and unread conversations")
        self.assertTrue(all(r["bold"] for r in unread))
        self.assertFalse(any(r["bold"] for r in read))
        kinds = {r["kind"] for r in rows}
        self.assertEqual(kinds, {"direct", "system", "inquiry"})
        self.assertEqual(self.connection(self.a), "online")
        self.shot(self.a, "inbox")

    def test_2_search_and_each_filter_narrow_the_list(self):
        self.a.get(self.A + "/inbox")
        total = len(self.rows(self.a))
        box = self.a.find_element(By.ID, "q")
        box.send_keys("warranty", Keys.ENTER)
        wait_for(lambda: "q=warranty" in self.a.current_url, message="the search")
        found = len(self.rows(self.a))
        self.assertTrue(0 < found < total, f"search: {found} of {total}")
        self.shot(self.a, "search")

        def narrowed(select_id, value, attribute):
            self.a.get(self.A + "/inbox")
            Select(self.a.find_element(By.ID, select_id)).select_by_value(value)  # applies on change
            wait_for(lambda: f"{select_id}={value}" in self.a.current_url, message=f"filter {select_id}")
            rows = self.rows(self.a)
            self.assertTrue(0 < len(rows) < total, f"{select_id}={value}: {len(rows)} of {total}")
            self.assertTrue(all(r[attribute] == value for r in rows), f"{select_id}={value}")

        partner = self.rows(self.a)[0]["partner"]
        narrowed("partner", partner, "partner")
        narrowed("status", "active", "status")
        narrowed("kind", "inquiry", "kind")

        self.a.get(self.A + "/inbox")
        self.click(self.a, "#unread")
        wait_for(lambda: "unread=1" in self.a.current_url, message="the unread filter")
        rows = self.rows(self.a)
        self.assertTrue(0 < len(rows) < total)
        self.assertTrue(all(r["unread"] == "true" for r in rows))

    def test_3_opening_a_thread_marks_it_read(self):
        row = self.first_row_id(self.a, "unread=1")
        self.click(self.a, f'li.row[data-id="{row}"] a')
        wait_for(lambda: "/threads/" in self.a.current_url, message="the thread")
        self.assertTrue(self.text(self.a, "#partner-name"), "the partner panel")
        self.a.get(self.A + "/inbox")
        self.assertEqual([r["unread"] for r in self.rows(self.a) if r["id"] == row], ["false"])

    def test_3b_a_customer_inquiry_sets_the_customer_message_apart(self):
        thread = self.first_row_id(self.a, "kind=inquiry")
        self.a.get(f"{self.A}/threads/{thread}")
        self.assertIn("Forwarded customer message", self.text(self.a, "#inquiry"))
        self.assertTrue(self.text(self.a, "li.message"))
        self.shot(self.a, "thread")

    def test_4_an_html_body_shows_as_text(self):
        thread = self.first_row_id(self.a, "kind=direct&status=active")
        self.a.get(f"{self.A}/threads/{thread}")
        self.reply(self.a, "<script>alert(1)</script><b>bold?</b>")
        last = self.own_messages(self.a)[-1]
        self.assertEqual(last["body"], "<script>alert(1)</script><b>bold?</b>")
        self.assertEqual(last["bodyTags"], 0)
        with self.assertRaises(NoAlertPresentException):
            self.a.switch_to.alert.text

    def test_5_a_reply_sent_while_the_server_is_down_is_pending_then_sent(self):
        self.world.stop_server()
        try:
            thread = self.first_row_id(self.a, "kind=direct&status=active")
            self.a.get(f"{self.A}/threads/{thread}")
            wait_for(lambda: self.connection(self.a) in ("offline", "connecting"), message="offline", interval=0.5)
            self.a.refresh()
            self.reply(self.a, "Written while the server is down")
            last = self.own_messages(self.a)[-1]
            self.assertIn("Written while the server is down", last["text"])
            self.assertEqual(last["delivery"], "pending")
            self.assertNotEqual(self.a.execute_script(
                "const e = document.getElementById('pending'); return e ? e.dataset.pending : null;"), "0")
            self.shot(self.a, "offline-pending", "li.message.own")
        finally:
            # Whatever happened above, the later tests need the server.
            self.world.start_server()
        # No reload: the live update brings the new state.
        wait_for(lambda: self.own_messages(self.a)[-1]["delivery"] == "sent",
                 timeout=60, message="the reply to show as sent")
        self.assertEqual(self.connection(self.a), "online")
        mails = glob.glob(os.path.join(self.world.data, "outbox-mail", "*.eml"))
        self.assertTrue(any("Written while the server is down" in open(m, errors="replace").read() for m in mails))

    def test_6_a_draft_typed_on_A_appears_on_B(self):
        thread = self.first_row_id(self.a, "kind=inquiry")
        self.b.get(f"{self.B}/threads/{thread}")
        self.a.get(f"{self.A}/threads/{thread}")
        self.type_into(self.a, "reply-text", "Draft typed on device A")
        wait_for(lambda: self.a.execute_script("return document.body.dataset.draftSaved"), message="the draft saved")
        # B shows it without a reload (it is not editing there).
        wait_for(lambda: self.value(self.b, "reply-text") == "Draft typed on device A",
                 timeout=30, message="the draft on B")

    def test_7_a_conflicting_draft_can_be_resolved(self):
        thread = self.first_row_id(self.a, "kind=direct&status=paused")
        self.a.get(f"{self.A}/threads/{thread}")
        self.toggle_offline(self.a, "paused")
        self.type_into(self.a, "reply-text", "Version written on A")
        wait_for(lambda: self.a.execute_script("return document.body.dataset.draftSaved"), message="A's draft")
        self.b.get(f"{self.B}/threads/{thread}")
        self.type_into(self.b, "reply-text", "Another text from B")
        wait_for(lambda: self.b.execute_script("return document.body.dataset.draftSaved"), message="B's draft")
        self.a.get(f"{self.A}/threads/{thread}")
        self.toggle_offline(self.a)

        def conflict_on_a():
            self.a.get(f"{self.A}/threads/{thread}")
            return self.a.find_elements(By.ID, "draft-conflict")
        wait_for(conflict_on_a, timeout=30, message="the conflict on A", interval=1)
        texts = self.a.execute_script("""
            return Array.from(document.querySelectorAll('#draft-conflict figure blockquote')).map(b => b.innerText);""")
        self.assertEqual(sorted(texts), ["Another text from B", "Version written on A"])
        self.shot(self.a, "draft-conflict", "#draft-conflict")
        kept = []

        def keep_first():
            keep = self.a.find_elements(By.CSS_SELECTOR, "#draft-conflict figure")[0]
            text = keep.find_element(By.CSS_SELECTOR, "blockquote").text
            keep.find_element(By.CSS_SELECTOR, "button.keep-version").click()
            kept.append(text)
            return True
        wait_for(keep_first, timeout=10, message="a click on the first version's Keep")
        kept = kept[-1]
        wait_for(lambda: not self.a.find_elements(By.ID, "draft-conflict"), message="the conflict resolved")
        self.assertEqual(self.value(self.a, "reply-text"), kept)

        def resolved_on_b():
            self.b.get(f"{self.B}/threads/{thread}")
            return (not self.b.find_elements(By.ID, "draft-conflict")
                    and self.value(self.b, "reply-text") == kept)
        wait_for(resolved_on_b, timeout=30, message="the resolution on B", interval=1)

    def test_8_partners_profile_and_a_new_message_drafted_then_sent(self):
        self.a.get(self.A + "/partners")
        statuses = set(self.a.execute_script(
            "return Array.from(document.querySelectorAll('#partners .status')).map(e => e.innerText);"))
        self.assertEqual(statuses, {"Pending", "Active", "Paused", "Ended"})
        self.shot(self.a, "partners")
        active = self.a.execute_script("""
            return Array.from(document.querySelectorAll('#partners tbody tr'))
                .filter(r => r.querySelector('.status').innerText === 'Active')
                .map(r => r.querySelector('th a').getAttribute('href'));""")
        self.click(self.a, f'#partners tbody tr th a[href="{active[0]}"]')
        wait_for(lambda: "/partners/" in self.a.current_url, message="the profile")
        name = self.text(self.a, "#partner-name")
        self.shot(self.a, "partner")
        self.click(self.a, "#message-partner")
        selected = Select(self.a.find_element(By.ID, "compose-partner")).first_selected_option.text
        self.assertEqual(selected, name)
        self.a.find_element(By.ID, "compose-subject").send_keys("Spring catalogue")
        self.type_into(self.a, "compose-text", "Shall we feature your range?")
        wait_for(lambda: self.a.execute_script("return document.body.dataset.draftSaved"),
                 message="the new message's draft saved")
        self.shot(self.a, "compose")
        # The draft waits in Drafts; resume it there and send it.
        self.a.get(self.A + "/drafts")
        keys = self.a.execute_script("""
            return Array.from(document.querySelectorAll('#drafts li.row'))
                .filter(r => r.innerText.includes('Spring catalogue')).map(r => r.dataset.key);""")
        self.assertEqual(len(keys), 1, "the compose draft is listed")
        key = keys[0]
        self.click(self.a, f'#drafts li.row[data-key="{key}"] a')
        wait_for(lambda: self.value(self.a, "compose-text") == "Shall we feature your range?",
                 message="the resumed draft")
        self.click(self.a, ".compose-form button[type=submit]")
        wait_for(lambda: "/threads/" in self.a.current_url, message="the new thread")
        self.assertEqual(self.text(self.a, "#thread-title"), "Spring catalogue")
        self.a.get(self.A + "/drafts")
        self.assertEqual(self.a.find_elements(By.CSS_SELECTOR, f'#drafts li.row[data-key="{key}"]'), [],
                         "sending the draft removed it")


def main():
    global BINARY
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", default=".build/debug/outpost")
    parser.add_argument("-k", dest="pattern", help="run only tests whose name contains this")
    args = parser.parse_args()
    BINARY = os.path.abspath(args.binary)
    for path in (BINARY, "/usr/bin/chromium", "/usr/bin/chromedriver"):
        if not os.path.exists(path):
            print(f"browser tests: {path} is missing (Tools/test.sh installs chromium and chromium-driver)",
                  file=sys.stderr)
            return 1
    loader = unittest.TestLoader()
    if args.pattern:
        loader.testNamePatterns = [f"*{args.pattern}*"]
    suite = loader.loadTestsFromTestCase(BrowserTests)
    started = time.time()
    result = unittest.TextTestRunner(verbosity=2).run(suite)
    print(f"browser tests: {result.testsRun} run in {time.time() - started:.1f} s")
    if not result.wasSuccessful() and getattr(BrowserTests, "world", None) is not None:
        BrowserTests.world.print_logs()
    return 0 if result.wasSuccessful() and result.testsRun > 0 else 1


if __name__ == "__main__":
    sys.exit(main())
