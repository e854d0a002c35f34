"""Proves `make demo` from outside: waits for the server it started, then asks it as a visitor would.

Usage: demo_smoke.py BASE_URL PID [TIMEOUT_SECONDS]. Exits 0 when the home page, a registry page,
its printable verification page and its JSON answer, and every link they print points at BASE_URL;
exits 1 naming what failed (or when process PID ends before the server answers).
"""

import os
import re
import sys
import time
import urllib.error
import urllib.parse
import urllib.request


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as r:
            return r.status, r.read().decode("utf-8")
    except urllib.error.HTTPError as e:
        return e.code, e.read().decode("utf-8", "replace")


def fail(message: str) -> None:
    print(f"demo smoke: FAILED: {message}", file=sys.stderr)
    sys.exit(1)


def wait_for(base: str, pid: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            fail(f"`make demo` (pid {pid}) ended before {base}/ answered")
        try:
            if get(base + "/")[0] == 200:
                return
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            pass
        time.sleep(2)
    fail(f"{base}/ did not answer within {timeout:.0f} s")


def main(base: str, pid: int, timeout: float) -> None:
    started = time.monotonic()
    wait_for(base, pid, timeout)
    print(f"demo smoke: {base}/ answered after {time.monotonic() - started:.0f} s")
    status, home = get(base + "/")
    if "售后服务" not in home:
        fail("the home page is not in Simplified Chinese")
    status, search = get(base + "/registry/?q=" + urllib.parse.quote("海川"))
    numbers = re.findall(r'href="/registry/([A-Z0-9]+)/"', search)
    if status != 200 or not numbers:
        fail(f"the registry search for 海川 answered {status} with no certificate")
    number = numbers[0]
    page_url = f"{base}/registry/{number}/"
    for path, expect in [(f"/registry/{number}/", number), (f"/registry/{number}/verify/", page_url)]:
        status, body = get(base + path)
        if status != 200 or expect not in body:
            fail(f"{path} answered {status} without {expect}")
    status, body = get(f"{base}/api/registry/{number}")
    if status != 200:
        fail(f"/api/registry/{number} answered {status}")
    links = [v for v in re.findall(r'"(https?://[^"]+)"', body)]
    wrong = [link for link in links if not link.startswith(base + "/")]
    if not links or wrong:
        fail(f"/api/registry/{number} links elsewhere than {base}: {wrong or 'no link'}")
    print(f"demo smoke: home, registry {number} (page, verification, JSON) answer; links point at {base}")


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), int(sys.argv[2]), float(sys.argv[3]) if len(sys.argv) > 3 else 900)
