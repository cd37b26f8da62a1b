"""Screenshot a page with the system Chromium, as a phone would show it.

    .venv/bin/python scripts/screenshot.py http://127.0.0.1:8000/ka/kazbegi/ docs/screenshot-home.png
    [--width 390 --height 844 --scale 2 --full-page]

Used for the README picture (run `make run` first, then this).
"""

import argparse
import os

from playwright.sync_api import sync_playwright

ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run", "--disable-quic"]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("url")
    parser.add_argument("out")
    parser.add_argument("--width", type=int, default=390)
    parser.add_argument("--height", type=int, default=844)
    parser.add_argument("--scale", type=float, default=2)
    parser.add_argument("--full-page", action="store_true")
    parser.add_argument("--desktop", action="store_true", help="not a phone: no touch, no mobile viewport")
    options = parser.parse_args()
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=os.environ.get("SOPELI_CHROMIUM", "/usr/bin/chromium"), headless=True, args=ARGS
        )
        context = browser.new_context(
            viewport={"width": options.width, "height": options.height}, device_scale_factor=options.scale,
            is_mobile=not options.desktop, has_touch=not options.desktop, locale="ka-GE", timezone_id="Asia/Tbilisi",
        )
        page = context.new_page()
        response = page.goto(options.url, wait_until="networkidle")
        if response is None or response.status != 200:
            raise SystemExit(f"{options.url} answered {response.status if response else 'nothing'}")
        page.screenshot(path=options.out, full_page=options.full_page)
        browser.close()
    print(options.out)


if __name__ == "__main__":
    main()
