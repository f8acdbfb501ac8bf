#!/usr/bin/env python3
"""Drives the runner's web chat page in headless Chromium and checks that a reply streams in.

Usage: webchat.py BASE_URL SCREENSHOT.png [CHROMIUM]

Chromium is controlled over the DevTools protocol on a pipe (--remote-debugging-pipe: JSON
messages ending in a NUL byte on file descriptors 3 and 4), so no websocket library is needed.
The script loads the page, sets temperature 0 and a small token limit in the settings, types a
message, presses Send, samples the reply bubble while it grows, saves a screenshot and prints one
JSON object: the texts seen while streaming, the final text, the button label, the screenshot
path. Exits non-zero with the reason on stderr when the page does not behave.
"""
import base64
import fcntl
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time


class DevTools:
    """A minimal DevTools-protocol client over Chromium's debugging pipe."""

    def __init__(self, chromium, user_data):
        to_chrome_read, self.to_chrome = os.pipe()
        self.from_chrome, from_chrome_write = os.pipe()

        def child_fds():
            # Move both ends out of the way first: either may already be fd 3 or 4.
            read_end = fcntl.fcntl(to_chrome_read, fcntl.F_DUPFD, 10)
            write_end = fcntl.fcntl(from_chrome_write, fcntl.F_DUPFD, 10)
            os.dup2(read_end, 3)
            os.dup2(write_end, 4)

        self.process = subprocess.Popen(
            [chromium, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
             "--no-first-run", "--no-default-browser-check", "--remote-debugging-pipe",
             f"--user-data-dir={user_data}", "--window-size=900,700", "about:blank"],
            close_fds=False, preexec_fn=child_fds,
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=open(os.environ.get("WEBCHAT_CHROMIUM_LOG", os.devnull), "w"))
        os.close(to_chrome_read)
        os.close(from_chrome_write)
        self.next_id = 0
        self.buffer = b""
        self.events = []

    def _read_message(self, deadline):
        while b"\0" not in self.buffer:
            if time.monotonic() > deadline:
                raise TimeoutError("no answer from Chromium")
            chunk = os.read(self.from_chrome, 1 << 16)
            if not chunk:
                raise RuntimeError("Chromium closed the debugging pipe")
            self.buffer += chunk
        message, self.buffer = self.buffer.split(b"\0", 1)
        return json.loads(message)

    def call(self, method, params=None, session=None, timeout=30):
        self.next_id += 1
        message = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.to_chrome, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            answer = self._read_message(deadline)
            if answer.get("id") == self.next_id:
                if "error" in answer:
                    raise RuntimeError(f"{method}: {answer['error']}")
                return answer.get("result", {})
            self.events.append(answer)

    def wait_event(self, method, timeout=30):
        deadline = time.monotonic() + timeout
        while True:
            for index, event in enumerate(self.events):
                if event.get("method") == method:
                    return self.events.pop(index)
            self.events.append(self._read_message(deadline))

    def close(self):
        try:
            self.call("Browser.close", timeout=5)
        except Exception:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def fail(message):
    print(f"webchat: {message}", file=sys.stderr)
    sys.exit(1)


def main():
    base, screenshot = sys.argv[1].rstrip("/"), sys.argv[2]
    chromium = sys.argv[3] if len(sys.argv) > 3 else (shutil.which("chromium") or shutil.which("chromium-browser"))
    if not chromium:
        fail("no chromium")
    user_data = tempfile.mkdtemp(prefix="llmpack-webchat-")
    browser = DevTools(chromium, user_data)
    try:
        target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
        browser.call("Page.enable", session=session)

        def evaluate(expression):
            result = browser.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session)
            if "exceptionDetails" in result:
                fail(f"script error: {result['exceptionDetails']}")
            return result["result"].get("value")

        browser.call("Page.navigate", {"url": base + "/"}, session=session)
        browser.wait_event("Page.loadEventFired")
        title = evaluate("document.title")
        # Greedy and short: the settings the page keeps in localStorage, set through its inputs.
        evaluate("""(function () {
            function set(id, value) { var e = document.getElementById(id); e.value = value;
                e.dispatchEvent(new Event('input', { bubbles: true })); }
            set('temperature', '0'); set('maxTokens', '24');
            document.getElementById('input').value = 'Write a short poem about the sea.';
            document.getElementById('form').requestSubmit();
        })()""")
        reply_js = """(function () { var rows = document.querySelectorAll('#list .msg.assistant .bubble');
            return rows.length ? rows[rows.length - 1].innerText : null; })()"""
        button_js = "document.getElementById('send').textContent"
        seen, labels = [], set()
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            text, label = evaluate(reply_js), evaluate(button_js)
            labels.add(label)
            if text is not None and (not seen or seen[-1] != text):
                seen.append(text)
            if label == "Send" and text:
                break
            time.sleep(0.02)
        else:
            fail(f"the reply did not finish in time; seen {seen!r}")
        final = evaluate(reply_js)
        user = evaluate("""(function () { var rows = document.querySelectorAll('#list .msg.user .bubble');
            return rows.length ? rows[rows.length - 1].innerText : null; })()""")
        model = evaluate("document.getElementById('model').textContent")
        shot = browser.call("Page.captureScreenshot", {"format": "png"}, session=session)
        with open(screenshot, "wb") as file:
            file.write(base64.b64decode(shot["data"]))
        partial = [t for t in seen if t and t != final]
        print(json.dumps({"title": title, "model": model, "user": user, "final": final, "partial": partial,
                          "labels": sorted(labels), "screenshot": screenshot}))
    finally:
        browser.close()
        shutil.rmtree(user_data, ignore_errors=True)


if __name__ == "__main__":
    main()
