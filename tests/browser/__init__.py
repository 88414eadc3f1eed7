"""The app in a real browser: Debian's Chromium, headless, driven by Playwright against a live
server. The fixtures (``conftest.py``) give each test a page that may ask nothing of any host but
this machine's, and that keeps a screenshot of every page it shows under ``artifacts/screenshots/``."""
