"""Every page a role can reach, and every form it is shown, against a real ``verdict serve`` on the
demo data: no request ends in a 5xx, no link leads the same user to a 404 or 403, and every HTML
page carries the Content-Security-Policy, ``<html lang>``, a ``<title>`` and a ``<main>``.

The crawl is breadth-first from ``/`` and the start pages no link shows (``/teach``, ``/admin``,
``/exams``, ``/competitions``), over ``<a href>``, ``<link href>``, ``<script src>``, ``<img src>``
and htmx's ``hx-get`` (fragments: only the status is checked there). It skips ``/logout``, other
sites and the server-sent ``/events`` streams (they never end; tests/faces/html/test_live*.py read
them). URLs that differ only in a number or a query value count as one pattern, at most
``PER_PATTERN`` of each. Then each POST form found (with its CSRF field) is posted with its own
values, with its text emptied, with 100k-character values and with short hostile ones (NUL, a path
out of the tree, markup, bad numbers, an unknown choice, a non-UTF-8 file); forms that take
something away (delete, remove, password, regenerate...) go last, and the logout form never.
What the forms made is crawled again from where their answers led (a submission's page), the
forms only those pages show are posted in turn, and last every crawled URL is asked again with an
id beyond any integer column, -1 and 0, and with strange query values (NUL, markup, bad UTF-8).

The demo has no exam and no competition: the module's server adds a running exam (through the
Jutge staff services) and a game competition (through its form), so that their pages are crawled.
One server per backend, SQLite then PostgreSQL: a NUL in a form or a query was a 500 on
PostgreSQL only (its text columns refuse it), now a 400 naming the field (pages.refuse_nul).
"""

from __future__ import annotations

import re
import time
from collections import Counter, deque
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html.parser import HTMLParser
from urllib.parse import urldefrag, urljoin, urlsplit

import httpx
import pytest

from tests.conftest import BACKENDS, fresh_postgres_database
from tests.faces.html.helpers import TOKEN
from tests.support.live_server import LiveServer, live_server
from tests.support.users import basic
from verdict.demo import PASSWORD as DEMO_PASSWORD
from verdict.faces.html import PREFIXES

pytestmark = pytest.mark.e2e

ROLES = {"anonymous": None, "student": "alice", "teacher": "teacher", "admin": "admin"}
START = ("/", "/teach", "/admin", "/exams", "/competitions", "/account/password", "/account/tokens")
PAGE_CAP = 400  # per role
PER_PATTERN = 3  # URLs per path pattern (numbers and query values abstracted)
SKIP = re.compile(r"^/logout$|/events$")
# Forms that take something away: posted after the others, so that the crawl keeps its material.
DESTRUCTIVE = re.compile(r"delete|remove|unenrol|password|regenerate|revoke|close|undo|role|freeze")
LONG = "A" * 100_000
# Text the handlers see (the second is refused as a whole, for its NUL, before they do).
MARKUP = "../../etc/passwd <script>alert(1)</script> \u202e' OR 1=1; -- {{7*7}} %s"
HOSTILE = "../../etc/passwd\x00<script>alert(1)</script>\u202e"
# The default values last: a submission made waits to be graded (no grader runs here), and the
# task then refuses another one.
VARIANTS = ("empty", "markup", "hostile", "long", "default")
BAD_BYTES = b"\xff\xfe\x00\xc3(\x80 not utf-8 \xed\xa0\x80"


@dataclass
class Form:
    page: str  # where it was shown
    action: str
    multipart: bool
    fields: list[tuple[str, str, str]]  # (kind, name, default value); kind: the input type, select, textarea
    options: dict[str, list[str]] = field(default_factory=dict)


class Parsed(HTMLParser):
    """A page's links, POST forms, and whether it has ``<html lang>``, ``<title>``, ``<main>``."""

    def __init__(self, base: str) -> None:
        super().__init__(convert_charrefs=True)
        self.base = base
        self.links: list[str] = []
        self.forms: list[Form] = []
        self.lang = self.title = self.main = False
        self._form: Form | None = None
        self._select: str | None = None
        self._textarea: tuple[str, list[str]] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {name: value or "" for name, value in attrs}
        self.lang |= tag == "html" and bool(a.get("lang"))
        self.title |= tag == "title"
        self.main |= tag == "main"
        for name in {"a": ("href",), "link": ("href",), "script": ("src",), "img": ("src",)}.get(tag, ()):
            if a.get(name):
                self.links.append(a[name])
        if a.get("hx-get"):
            self.links.append(a["hx-get"])
        if tag == "form" and a.get("method", "get").lower() == "post":
            action = urljoin(self.base, a.get("action") or self.base)
            self._form = Form(self.base, action, "multipart" in a.get("enctype", ""), [])
            self.forms.append(self._form)
        elif tag == "form":
            self._form = None
        elif self._form is not None and tag == "input" and a.get("name"):
            kind = a.get("type", "text").lower()
            if kind in ("checkbox", "radio") and "checked" not in a:
                self._form.options.setdefault(a["name"], []).append(a.get("value", "on"))
                if kind == "radio" and any(f[1] == a["name"] for f in self._form.fields):
                    return
                if kind == "checkbox":
                    return
            if kind not in ("submit", "button", "reset", "image"):
                self._form.fields.append((kind, a["name"], a.get("value", "")))
        elif self._form is not None and tag == "select" and a.get("name"):
            self._select = a["name"]
            self._form.fields.append(("select", a["name"], ""))
        elif self._form is not None and tag == "option" and self._select:
            self._choose(a.get("value", ""), "selected" in a)
        elif self._form is not None and tag == "textarea" and a.get("name"):
            self._textarea = (a["name"], [])

    def _choose(self, value: str, selected: bool) -> None:
        assert self._form is not None and self._select is not None
        self._form.options.setdefault(self._select, []).append(value)
        for index, (kind, name, default) in enumerate(self._form.fields):
            if name == self._select and kind == "select" and (selected or not default):
                self._form.fields[index] = (kind, name, value)

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea[1].append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea is not None and self._form is not None:
            self._form.fields.append(("textarea", self._textarea[0], "".join(self._textarea[1])))
            self._textarea = None


@dataclass
class Report:
    pages: int = 0
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)
    forms_found: dict[str, Form] = field(default_factory=dict)  # by the pattern of their action
    forms_posted: set[str] = field(default_factory=set)
    crawled: set[str] = field(default_factory=set)
    last_request: str = ""  # to name the request the server dropped (a 500 it could not render)

    def record(self, response: httpx.Response) -> httpx.Response:
        self.requests += 1
        self.statuses[response.status_code] += 1
        return response


@pytest.fixture(scope="module", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    """The demo, plus what it lacks for the crawl to reach every page family: a running exam
    (through the Jutge staff services) and a game competition (through its page's form); on
    SQLite and on PostgreSQL (whose integer columns overflow, and whose errors differ)."""
    data = tmp_path_factory.mktemp(f"crawl-{request.param}")
    databases = fresh_postgres_database() if request.param == "postgresql" else iter([""])
    for url in databases:
        with live_server(data, url) as running:
            seed(running)
            yield running


def seed(server: LiveServer) -> None:
    report = Report()
    with httpx.Client(base_url=server.url, follow_redirects=False, timeout=60) as client:
        log_in(client, report, "teacher")
        course = client.get("/course/teacher-demo").text
        problems = dict(re.findall(r'href="/course/teacher-demo/(P\d+)"[^>]*>([^<]+)<', course))
        orchard = next(pid for pid, title in problems.items() if "Orchard" in title)
        start = (datetime.now(UTC) - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M")
        exam = (
            f"name: crawl\ntitle: Crawl exam\nstart: {start}\nrunning_time: 120\ncourse: demo\n"
            f"problems: [{', '.join(list(problems)[:2])}]\n"
            "students: [alice@demo.verdict, bob@demo.verdict]\n"
        )
        auth = basic("teacher", DEMO_PASSWORD)
        created = client.put("/services/exams", content=exam.encode(), headers=auth)
        assert created.status_code == 201, created.text
        started = client.put("/services/exams/teacher:crawl/actions/start", headers=auth)
        assert started.status_code == 200, started.text
        token = TOKEN.search(client.get("/competitions/new").text)
        assert token
        form = {"csrf": token.group(1), "name": "crawl", "title": "Crawl", "problem": orchard}
        saved = client.post("/competitions/new", data=form)
        assert saved.status_code == 303, saved.text


def same_site(server: LiveServer, link: str, page: str) -> str | None:
    """The path and query of ``link`` (relative to ``page``) on this server, or None."""
    url = urldefrag(urljoin(server.url + page, link)).url
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or parts.netloc != f"{server.host}:{server.port}":
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "")


def pattern(path: str) -> str:
    """``/teach/submissions/12?page=2`` and ``/teach/submissions/7?page=3`` alike."""
    route, _, query = path.partition("?")
    route = re.sub(r"/\d+(?=/|$)", "/{n}", route)
    keys = sorted(part.partition("=")[0] for part in query.split("&") if part)
    return route + ("?" + "&".join(keys) if keys else "")


def log_in(client: httpx.Client, report: Report, login: str) -> None:
    page = report.record(client.get("/login"))
    token = TOKEN.search(page.text)
    assert token, page.text
    data = {"csrf": token.group(1), "login": login, "password": DEMO_PASSWORD}
    answer = report.record(client.post("/login", data=data))
    assert answer.status_code == 303, answer.text


def session(server: LiveServer, role: str, report: Report) -> httpx.Client:
    def remember(request: httpx.Request) -> None:
        report.last_request = f"{request.method} {request.url}"

    client = httpx.Client(
        base_url=server.url, follow_redirects=False, timeout=60, event_hooks={"request": [remember]}
    )
    if ROLES[role]:
        log_in(client, report, ROLES[role] or "")
    return client


def of_the_face(path: str) -> bool:
    """Whether ``path`` is one of the web interface's pages (``/docs``, the API's Swagger page
    the welcome page links to, is FastAPI's: its status is checked, not its markup)."""
    route = path.partition("?")[0]
    return route == "/" or any(route == prefix or route.startswith(prefix + "/") for prefix in PREFIXES)


def check_page(path: str, response: httpx.Response, fragment: bool, report: Report) -> Parsed | None:
    if not response.headers.get("content-type", "").startswith("text/html"):
        return None
    parsed = Parsed(base=path)
    parsed.feed(response.text)
    if not of_the_face(path):
        return parsed
    if "content-security-policy" not in response.headers:
        report.failures.append(f"GET {path}: no Content-Security-Policy")
    if not fragment and not (parsed.lang and parsed.title and parsed.main):
        report.failures.append(
            f"GET {path} -> {response.status_code}: "
            f"lang={parsed.lang} title={parsed.title} main={parsed.main}"
        )
    return parsed


def crawl(
    server: LiveServer, client: httpx.Client, role: str, report: Report, start: tuple[str, ...] = START
) -> None:
    """Breadth-first over the links this role is shown; fails on 5xx anywhere and on a 404 or 403
    behind a link a page showed."""
    queue: deque[tuple[str, str | None, bool]] = deque((path, None, False) for path in start)
    seen: set[str] = set()
    per_pattern: Counter[str] = Counter()
    while queue and report.pages < PAGE_CAP:
        path, referrer, fragment = queue.popleft()
        if path in seen or SKIP.search(path.partition("?")[0]) or per_pattern[pattern(path)] >= PER_PATTERN:
            continue
        seen.add(path)
        report.crawled.add(path)
        per_pattern[pattern(path)] += 1
        response = report.record(client.get(path))
        report.pages += 1
        status = response.status_code
        if status >= 500 or (referrer and status in (403, 404)):
            shown = f"{role} GET {path} (linked from {referrer}) -> {status}"
            report.failures.append(f"{shown}: {response.text[:300]}")
        if status in (301, 302, 303, 307, 308):
            target = same_site(server, response.headers["location"], path)
            if target:
                queue.append((target, referrer, False))
            continue
        parsed = check_page(path, response, fragment, report)
        if parsed is None:
            continue
        for link in parsed.links:
            target = same_site(server, link, path)
            if target and target not in seen:
                queue.append((target, path, _is_fragment(link, response.text)))
        for form in parsed.forms:
            if any(name == "csrf" for _, name, _ in form.fields) and not form.action.endswith("/logout"):
                report.forms_found.setdefault(pattern(urlsplit(form.action).path), form)


def strange_urls(paths: set[str]) -> set[str]:
    """The crawled URLs with their numbers and query values replaced by strange ones: an id
    beyond any integer column, a negative one, markup and a NUL in a query value."""
    strange: set[str] = set()
    for path in paths:
        route, _, query = path.partition("?")
        for number in ("99999999999999999999999", "-1", "0"):
            if re.search(r"/\d+(?=/|$)", route):
                strange.add(re.sub(r"/\d+(?=/|$)", "/" + number, route) + (f"?{query}" if query else ""))
        if route.count("/") > 1:  # a name in the path (a course's, a task's) with a NUL in it
            strange.add(route.rpartition("/")[0] + "/a%00b" + (f"?{query}" if query else ""))
        for value in ("%00..%2F..%2Fetc%2Fpasswd", "%3Cscript%3E", "-99999999999999999999999", "%FF%FE"):
            if query:
                strange.add(route + "?" + re.sub(r"=[^&]*", "=" + value, query))
    return strange


def probe_strange_urls(client: httpx.Client, role: str, report: Report) -> None:
    """No 5xx for the strange variants of what the crawl saw (a 4xx with a page is the answer)."""
    for path in sorted(strange_urls(report.crawled)):
        if SKIP.search(path.partition("?")[0]):
            continue
        check_answer(f"{role} GET {path}", path, report.record(client.get(path)), report)


def check_answer(request: str, path: str, response: httpx.Response, report: Report) -> None:
    """No 5xx; an HTML answer of the web interface, error pages included, carries the CSP."""
    if response.status_code >= 500:
        report.failures.append(f"{request} -> {response.status_code}: {response.text[:300]}")
    html = response.headers.get("content-type", "").startswith("text/html")
    if html and of_the_face(path) and "content-security-policy" not in response.headers:
        report.failures.append(f"{request} -> {response.status_code}: no Content-Security-Policy")


def _is_fragment(link: str, text: str) -> bool:
    """Whether ``link`` was shown only as an htmx ``hx-get`` (a piece of a page, not a page)."""
    return f'hx-get="{link}"' in text and f'href="{link}"' not in text


def values(form: Form, variant: str) -> tuple[dict[str, str | list[str]], dict[str, tuple[str, bytes]]]:
    """The form's fields as ``variant`` fills them: default, empty, long or hostile."""
    data: dict[str, str | list[str]] = {}
    files: dict[str, tuple[str, bytes]] = {}
    for kind, name, default in form.fields:
        if name == "csrf":
            data[name] = default
        elif kind == "file":
            files[name] = {
                "default": ("a.py", b"print(1)\n"),
                "empty": ("", b""),
                "long": ("a" * 250 + ".py", LONG.encode()),  # as long as a file system allows
                "hostile": ("../../etc/passwd", BAD_BYTES),
                "markup": ("<script>.py", MARKUP.encode()),
            }[variant]
        elif variant == "default":
            data[name] = default
        elif variant == "empty":
            data[name] = "" if kind not in ("select", "radio", "hidden") else default
        elif variant == "long":
            data[name] = "9" * 5000 if kind == "number" else LONG
        elif variant == "markup":
            data[name] = "-1" if kind == "number" else MARKUP
        elif kind == "number":
            data[name] = "-99999999999999999999999"
        elif kind in ("select", "radio"):
            data[name] = "no-such-choice\x00"
        else:
            data[name] = HOSTILE
    if variant == "hostile":
        for name, choices in form.options.items():  # unchecked boxes: all ticked, plus a stranger
            data.setdefault(name, [*choices, "no-such-choice"])
    return data, files


def post(client: httpx.Client, form: Form, variant: str, token: str, report: Report) -> httpx.Response:
    data, files = values(form, variant)
    data["csrf"] = token
    if form.multipart or files:
        flat = [(name, value) for name, v in data.items() for value in ([v] if isinstance(v, str) else v)]
        parts = [(name, (None, value.encode("utf-8", "surrogatepass"))) for name, value in flat]
        upload = [(name, (filename, content)) for name, (filename, content) in files.items()]
        return report.record(client.post(form.action, files=parts + upload))  # type: ignore[arg-type]
    return report.record(client.post(form.action, data=data))


def submit_forms(server: LiveServer, client: httpx.Client, role: str, report: Report) -> list[str]:
    """Posts every form found in every variant; returns where the answers sent the browser."""
    redirects: list[str] = []
    ordered = sorted(report.forms_found.items(), key=lambda item: bool(DESTRUCTIVE.search(item[1].action)))
    for key, form in ordered:
        if key in report.forms_posted:
            continue
        report.forms_posted.add(key)
        for variant in VARIANTS:
            page = report.record(client.get(form.page))
            if page.status_code == 303 and ROLES[role]:  # a form of before signed this user out
                log_in(client, report, ROLES[role] or "")
                page = report.record(client.get(form.page))
            token = TOKEN.search(page.text)
            if not token:
                continue  # the page no longer shows a form (its object is gone)
            response = post(client, form, variant, token.group(1), report)
            target = same_site(server, response.headers.get("location", ""), form.page)
            if response.status_code == 303 and target and target not in redirects:
                redirects.append(target)
            request = f"{role} POST {form.action} ({variant}, from {form.page})"
            check_answer(request, urlsplit(form.action).path, response, report)
    return redirects


@pytest.mark.parametrize("role", list(ROLES))
def test_every_page_and_form_of_a_role(server: LiveServer, role: str) -> None:
    started = time.monotonic()
    report = Report()
    client = session(server, role, report)
    try:
        crawl(server, client, role, report)
        # What the forms made (submissions, tokens, a course's members) is crawled again, from
        # where each answer sent the browser: a submission's page with its verdict, for one.
        redirects = submit_forms(server, client, role, report)
        crawl(server, client, role, report, (*START, *redirects))
        submit_forms(server, client, role, report)  # the forms only those pages show
        probe_strange_urls(client, role, report)
    except httpx.TransportError as error:
        report.failures.append(f"{role} {report.last_request}: no answer ({error})")
    finally:
        client.close()
    print(
        f"{role}: {report.pages} pages, {len(report.forms_posted)} forms, {report.requests} requests, "
        f"{time.monotonic() - started:.1f} s; statuses {dict(sorted(report.statuses.items()))}"
    )
    assert server.process.poll() is None, "the server died"
    assert not report.failures, "\n".join(report.failures[:30])
