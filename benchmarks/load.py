"""Five browser sessions running estimates at once against one fresh server, as one JSON object:
``python -m benchmarks.load [--sessions 5]`` (``run_benchmarks.py`` reports its figures).

The sessions themselves are ``tests.support.load.run_sessions``, which the five-session end-to-end test
also runs.
"""

from __future__ import annotations

import argparse
import json

from tests.support.browser import launch_chromium, serve_app
from tests.support.load import run_sessions


def main() -> None:
    from playwright.sync_api import sync_playwright

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sessions", type=int, default=5)
    args = parser.parse_args()
    with serve_app() as (url, pid), sync_playwright() as pw:
        browser = launch_chromium(pw)
        print(json.dumps(run_sessions(url, pid, browser, args.sessions), indent=1))
        browser.close()


if __name__ == "__main__":
    main()
