"""What the browser tests share besides their fixtures: where Chromium is and how it is started,
how long to wait, where screenshots go, and the record of what a test's pages asked for."""

from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urldefrag, urlsplit

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Request, Response

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-default-apps",
    "--no-first-run",
]
# The only host a page may ask: the live server (see pyproject.toml), or the browser itself.
LIVE_SERVER_HOST = "127.0.0.1"
SCREENSHOTS = Path(__file__).resolve().parents[2] / "artifacts" / "screenshots"
TIMEOUT_MS = 30_000
# ReDoc lays out the whole schema in one pass before it shows anything: on a busy machine that
# alone can outlast TIMEOUT_MS. A limit on waiting, not on speed.
FIRST_RENDER_TIMEOUT_MS = 120_000


def is_local(url: str) -> bool:
    """Whether ``url`` stays inside the browser or the live app (a worker's ``blob:`` URL names its origin)."""
    parts = urlsplit(url)
    if parts.scheme in {"data", "about"}:
        return True
    if parts.scheme == "blob":
        parts = urlsplit(parts.path)
    return parts.hostname == LIVE_SERVER_HOST


@dataclass
class Traffic:
    """What the pages of a test asked for and showed, and what went wrong."""

    requests: list[str] = field(default_factory=list)
    statuses: dict[str, int] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    console_errors: list[tuple[str, str]] = field(default_factory=list)
    screenshots: dict[str, str] = field(default_factory=dict)
    # Pages loaded since the last screenshot of their address.
    unshot: list[str] = field(default_factory=list)

    def foreign(self) -> list[str]:
        return [url for url in self.requests if not is_local(url)]

    def static_files(self) -> dict[str, int]:
        return {urlsplit(url).path: status for url, status in self.statuses.items() if "/static/" in url}

    def screenshot_taken(self, name: str, url: str) -> None:
        self.screenshots[name] = url
        self.unshot = [loaded for loaded in self.unshot if loaded != url]

    def record(self, context: BrowserContext) -> None:
        """Record what every page of ``context`` asks for, and the pages it shows."""

        def response(response: Response) -> None:
            self.statuses[response.url] = response.status
            if response.status >= 400:
                self.failures[response.url] = f"HTTP {response.status}"

        def failure(request: Request) -> None:
            self.failures[request.url] = request.failure or "failed"

        def console(message: ConsoleMessage) -> None:
            if message.type == "error":
                self.console_errors.append((message.text, message.location.get("url", "")))

        def page(page: Page) -> None:
            # A document loaded; moves within one (Swagger UI's #fragments) are not pages of their own.
            page.on("load", lambda page: self.unshot.append(urldefrag(page.url).url))

        context.on("request", lambda request: self.requests.append(request.url))
        context.on("response", response)
        context.on("requestfailed", failure)
        context.on("console", console)
        context.on("weberror", lambda error: self.console_errors.append((f"uncaught: {error.error}", "")))
        context.on("page", page)
