"""Log in as a demo user (password + TOTP) and screenshot pages with Debian's Chromium.

Usage: python scripts/screenshot.py USER OUTDIR PATH [PATH ...]   (against http://127.0.0.1:8000)
"""

import os
import subprocess
import sys

from playwright.sync_api import sync_playwright

BASE = os.environ.get("BASE_URL", "http://127.0.0.1:8000")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]


def main(user: str, outdir: str, paths: list[str]) -> None:
    os.makedirs(outdir, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1440, "height": 900})
        page.goto(f"{BASE}/login/")
        page.screenshot(path=f"{outdir}/login.png")
        page.fill("input[name=username]", user)
        page.fill("input[name=password]", "demo-pass-2026")
        page.click("button[type=submit]")
        if "/account/two-factor/" in page.url:
            code = subprocess.check_output([sys.executable, "manage.py", "demo_totp", user], text=True,
                                           stderr=subprocess.DEVNULL).strip()
            page.fill("input[name=token]", code)
            page.click("form:not([action]) button[type=submit]")
        for path in paths:
            page.goto(f"{BASE}{path}")
            name = path.strip("/").replace("/", "_").replace("?", "_").replace("=", "-") or "home"
            page.screenshot(path=f"{outdir}/{user}-{name}.png", full_page=True)
            print(page.url, page.title())
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
