#!/usr/bin/env python3
"""`make cluster-test`: two app servers over one database and one media folder, under load.

One bounded run over loopback:
  1. a throwaway PostgreSQL (a private copy of scripts/pg.sh, so a `make test` running at the
     same time keeps its own cluster), or DATABASE_URL when it is set;
  2. migrate, createcachetable, `seed_demo --force` (the demo accounts);
  3. two gunicorn instances (A and B, 2 sync workers each, DEBUG=0) on two free 127.0.0.1
     ports with the same DATABASE_URL, SECRET_KEY and MEDIA_ROOT (a temporary folder);
  4. every client logs in on one server and goes on with the same session cookie on the other
     (sessions live in the database), then alternates servers request by request, through the
     HTML pages as a browser would: commissioners file remarks (some with a PNG screenshot,
     which is then downloaded from the other server), the coordinator accepts and routes them
     to MIA or NIT, officers and heads of those agencies resolve them with an official
     response. Several clients share the same queues, so they collide on the same remarks:
     a collision must end in a clear message, never in a 5xx;
  5. checks: no 5xx and no unexpected 4xx; every remark filed is in the database exactly once
     (no duplicate submission token, no remark nobody was told about); every accept and
     resolve the clients were told about happened, and nothing else; outgoing numbers per
     agency and year run 1..N without gaps or repeats, as do the references; every resolved
     remark has its official response;
  6. the mail server hangs all along (a loopback socket that accepts and never greets), and
     two background workers (`manage.py worker`) beside the app servers try to deliver: no
     request may wait on it. After the load the coordinator bulk-accepts 200 freshly filed
     remarks in one request, which must return before a single delivery attempt could time out
     (MAIL_TIMEOUT_SECONDS; its time is printed beside the benchmark target), and every e-mail the run wrote is
     still in the outbox, pending or sent, none lost;
  7. prints the figures and stops gunicorn, the workers and PostgreSQL whatever happens; the
     exit code is non-zero when a check fails.

    .venv/bin/python scripts/cluster_test.py [--clients 20] [--seconds 30]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
import zlib
from collections import Counter
from html import unescape
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import urlencode, urlsplit

from loopback import PY, ROOT, Stack, free_port, request

WORKERS = 2  # per app server; the test machine may have two cores
BULK_REMARKS = 200  # the queue's bulk limit
# The app servers give up on the hanging mail server after this long: a request that tried to
# deliver even one e-mail would take at least this, so the bulk accept must return sooner. Its
# speed itself (2 s on an idle machine) is a benchmark figure, printed, not a timed check: on a
# shared machine the same commit took 1.2 s one day and 3.6 s another.
MAIL_TIMEOUT_SECONDS = 10
BULK_TARGET_SECONDS = 2.0


class HangingMailServer(threading.Thread):
    """Accepts SMTP connections and never answers: the worst mail server, on loopback."""

    def __init__(self):
        super().__init__(daemon=True)
        import socket

        self.socket = socket.create_server(("127.0.0.1", 0))
        self.port = self.socket.getsockname()[1]
        self.held: list = []
        self.connections = 0

    def run(self):
        while True:
            try:
                connection, _ = self.socket.accept()
            except OSError:
                return
            self.connections += 1
            self.held.append(connection)  # kept open, silent

    def close(self):
        self.socket.close()
        for connection in self.held:
            connection.close()


# --- processes --------------------------------------------------------------------------

class Cluster(Stack):
    name = "cluster-test"

    def __init__(self):
        super().__init__()
        self.media = Path(tempfile.mkdtemp(prefix="cluster-media-"))
        self.servers: dict[str, tuple[subprocess.Popen, int]] = {}
        self.workers: list[subprocess.Popen] = []
        self.mail = HangingMailServer()
        self.mail.start()

    def make_env(self):
        # STAFF_2FA_REQUIRED=0: with DEBUG off a second factor is required by default, and the
        # clients of this loopback test rig log staff in with a password alone.
        self.env = self.production_env(
            MEDIA_ROOT=str(self.media), STAFF_2FA_REQUIRED="0", LOG_LEVEL="WARNING",
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend", EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=str(self.mail.port), EMAIL_TIMEOUT=str(MAIL_TIMEOUT_SECONDS))
        # The product's own settings, whatever the caller's environment says (not the benchmark's).
        self.env["DJANGO_SETTINGS_MODULE"] = "config.settings"

    def manage(self, *argv: str) -> str:
        return super().manage(*argv, timeout=300)

    def helper(self, mode: str, payload: dict) -> dict:
        """This script in helper mode, in a separate process with Django set up."""
        out = subprocess.run([PY, __file__, f"--helper={mode}"], input=json.dumps(payload), cwd=ROOT,
                             env=self.env, capture_output=True, text=True, timeout=300)
        if out.returncode != 0:
            raise SystemExit(f"cluster-test: helper {mode} failed:\n{out.stdout}\n{out.stderr}")
        return json.loads(out.stdout.strip().splitlines()[-1])

    def start_server(self, name: str) -> int:
        port = free_port()
        gunicorn = Path(PY).with_name("gunicorn")
        cmd = [str(gunicorn) if gunicorn.exists() else "gunicorn", "config.wsgi", "-b", f"127.0.0.1:{port}",
               "-w", str(WORKERS), "--worker-class", "sync", "--timeout", "60", "--log-level", "warning",
               "--name", f"cluster-{name}"]
        process = subprocess.Popen(cmd, cwd=ROOT, env=self.env, start_new_session=True,
                                   stdout=open(self.log / f"{name}.out", "ab"),
                                   stderr=open(self.log / f"{name}.err", "ab"))
        self.servers[name] = (process, port)
        return port

    def start_worker(self, name: str) -> None:
        process = subprocess.Popen([PY, "manage.py", "worker", "--interval", "1"], cwd=ROOT, env=self.env,
                                   start_new_session=True, stdout=open(self.log / f"worker-{name}.out", "ab"),
                                   stderr=open(self.log / f"worker-{name}.err", "ab"))
        self.workers.append(process)

    def wait_ready(self):
        deadline = time.monotonic() + 60
        for name, (process, port) in self.servers.items():
            while True:
                try:
                    status, _, _ = request(port, "/healthz")
                    if status == 200:
                        break
                except OSError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    errors = self.server_errors(name)
                    raise SystemExit(f"cluster-test: server {name} did not start:\n{errors}")
                time.sleep(0.2)

    def server_errors(self, name: str) -> str:
        path = self.log / f"{name}.err"
        return path.read_text(errors="replace")[-4000:] if path.exists() else ""

    def stop_servers(self):
        for process in self.workers:
            if process.poll() is None:
                process.terminate()
        for process in self.workers:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
        for process, _ in self.servers.values():
            if process.poll() is None:
                process.terminate()  # the master stops its workers
        for process, _ in self.servers.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()

    def close(self):
        try:
            self.stop_servers()
        finally:
            self.stop_postgres()
            self.mail.close()
            shutil.rmtree(self.media, ignore_errors=True)
            shutil.rmtree(self.log, ignore_errors=True)


def tiny_png(seed: int) -> bytes:
    """A valid 2×2 RGB PNG, different per seed, from the standard library alone."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = zlib.crc32(kind + data) & 0xFFFFFFFF
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", crc)

    pixel = bytes([seed % 256, (seed // 256) % 256, 90])
    raw = b"".join(b"\x00" + pixel * 2 for _ in range(2))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


def multipart(fields: dict[str, str], files: list[tuple[str, str, str, bytes]]) -> tuple[bytes, str]:
    boundary = "----cluster" + uuid.uuid4().hex
    parts = []
    for name, value in fields.items():
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'
                     f"{value}\r\n".encode())
    for name, filename, content_type, data in files:
        parts.append(f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; '
                     f'filename="{filename}"\r\n'
                     f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n")
    parts.append(f"--{boundary}--\r\n".encode())
    return b"".join(parts), f"multipart/form-data; boundary={boundary}"


MESSAGE = re.compile(r'<p class="message ([\w ]*)"[^>]*>(.*?)</p>', re.S)
CSRF_FIELD = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
REFERENCE_LINK = re.compile(r'href="/remarks/(R-\d{4}-\d{5})/"')


def field_value(html: str, name: str) -> str | None:
    tag = re.search(r'<input[^>]*name="%s"[^>]*>' % re.escape(name), html)
    if tag is None:
        return None
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return unescape(value.group(1)) if value else ""


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: dict[str, list[float]] = {}
        self.statuses: dict[str, Counter] = {}
        self.errors: list[str] = []  # what went wrong, for the report (first ones)
        self.unexpected: Counter = Counter()

    def record(self, server: str, status: int, ms: float):
        with self.lock:
            self.latencies.setdefault(server, []).append(ms)
            self.statuses.setdefault(server, Counter())[status] += 1

    def problem(self, kind: str, detail: str):
        with self.lock:
            self.unexpected[kind] += 1
            if len(self.errors) < 20:
                self.errors.append(f"{kind}: {detail}")


class Browser:
    """One user's browser: a cookie jar, alternating between the two servers request by request.
    The session and CSRF cookies are Secure (DEBUG=0); they are carried by hand over plain http."""

    def __init__(self, servers: list[tuple[str, int]], stats: Stats, start: int):
        self.servers = servers
        self.stats = stats
        self.turn = start
        self.cookies: dict[str, str] = {}

    def next_server(self) -> tuple[str, int]:
        server = self.servers[self.turn % len(self.servers)]
        self.turn += 1
        return server

    def _store(self, headers):
        for value in headers.get_all("Set-Cookie") or []:
            jar = SimpleCookie()
            jar.load(value)
            for name, morsel in jar.items():
                gone = morsel["max-age"] == "0" or "1970" in morsel["expires"]
                if gone or not morsel.value:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def fetch(self, path: str, *, method="GET", body=None, content_type=None, server=None):
        name, port = server or self.next_server()
        headers = {"Accept-Language": "en", "Host": f"127.0.0.1:{port}"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if body is not None:
            headers["Content-Type"] = content_type or "application/x-www-form-urlencoded"
            headers["Origin"] = f"http://127.0.0.1:{port}"
            headers["Referer"] = f"http://127.0.0.1:{port}{path}"
        started = time.perf_counter()
        try:
            status, response_headers, data = request(port, path, method=method, headers=headers, body=body)
        except OSError as error:
            self.stats.record(name, 0, (time.perf_counter() - started) * 1000)
            self.stats.problem("connection error", f"{method} {path} on {name}: {error}")
            return 0, None, ""
        self.stats.record(name, status, (time.perf_counter() - started) * 1000)
        self._store(response_headers)
        if status >= 500:
            self.stats.problem("5xx", f"{method} {path} on {name}: {status}")
        return status, response_headers, data.decode("utf-8", errors="replace")

    def get(self, path: str):
        return self.fetch(path)

    def post(self, path: str, fields: dict[str, str], files=None):
        if files:
            body, content_type = multipart(fields, files)
        else:
            body, content_type = urlencode(fields, doseq=True).encode(), "application/x-www-form-urlencoded"
        return self.fetch(path, method="POST", body=body, content_type=content_type)

    def follow(self, headers) -> tuple[int, str]:
        """The GET a browser makes after a redirect (on the other server, as everything)."""
        location = urlsplit(headers["Location"])
        path = location.path + (f"?{location.query}" if location.query else "")
        status, _, html = self.get(path)
        return status, html

    def login(self, username: str, password: str) -> str:
        """Log in on the next server; the next request goes to the other one. Returns the name
        of the server the session was made on."""
        server = self.next_server()
        status, _, html = self.fetch("/accounts/login/", server=server)
        token = CSRF_FIELD.search(html)
        if status != 200 or token is None:
            raise RuntimeError(f"the login page answered {status} without a CSRF token")
        status, headers, _ = self.fetch("/accounts/login/", method="POST", server=server, body=urlencode({
            "username": username, "password": password, "csrfmiddlewaretoken": token.group(1)}).encode())
        if status != 302 or "sessionid" not in self.cookies:
            raise RuntimeError(f"logging in as {username} answered {status}")
        return server[0]


def messages_of(html: str) -> list[tuple[str, str]]:
    return [(tags, unescape(re.sub(r"<[^>]+>", "", text)).strip()) for tags, text in MESSAGE.findall(html)]


# --- the clients --------------------------------------------------------------------------

class Outcomes:
    def __init__(self):
        self.lock = threading.Lock()
        self.filed: list[dict] = []          # {"reference", "token", "username", "attachment"}
        self.accepted: list[str] = []
        self.resolved: list[str] = []
        self.conflicts: Counter = Counter()  # the message shown, by text
        self.attachments_fetched = 0
        self.cross_logins = 0

    def add(self, kind: str, value):
        with self.lock:
            if kind == "conflict":
                self.conflicts[value] += 1
            elif kind == "attachment":
                self.attachments_fetched += 1
            elif kind == "cross_login":
                self.cross_logins += 1
            else:
                getattr(self, kind).append(value)


CONFLICT_WORDS = ("someone else", "not available", "not possible")


def clear_conflict(text: str) -> bool:
    return any(word in text.lower() for word in CONFLICT_WORDS)


class Client(threading.Thread):
    def __init__(self, index: int, role: str, username: str, world: dict, servers, stats: Stats,
                 outcomes: Outcomes, deadline: float):
        super().__init__(name=f"{role}-{index}", daemon=True)
        self.index, self.role, self.username, self.world = index, role, username, world
        self.browser = Browser(servers, stats, start=index)
        self.stats, self.outcomes, self.deadline = stats, outcomes, deadline
        self.rng = random.Random(index)
        self.done = 0
        self.failure: str | None = None
        self.not_mine: set[str] = set()

    def run(self):
        try:
            self.browser.login(self.username, self.world["password"])
            # The session made on one server is used on the other: the page must know the user.
            home = "/remarks/mine/" if self.role == "commissioner" else "/remarks/"
            status, _, html = self.browser.get(home)
            if status != 200 or 'class="who"' not in html:
                self.stats.problem("cross-server session", f"{self.username}: {status} on the other server")
                return
            self.outcomes.add("cross_login", 1)
            steps = {"commissioner": self.file_remark, "coordinator": self.accept_one,
                     "officer": self.resolve_one}
            step = steps[self.role]
            while time.monotonic() < self.deadline:
                if not step():
                    time.sleep(0.2)  # nothing to do yet: a person would look again a moment later
        except Exception as error:  # noqa: BLE001 - reported as a failed check, not a traceback
            self.failure = f"{self.name}: {type(error).__name__}: {error}"

    # commissioners
    def file_remark(self) -> bool:
        status, _, html = self.browser.get("/remarks/new/")
        csrf, token = CSRF_FIELD.search(html), field_value(html, "submission_token")
        if status != 200 or csrf is None or not token:
            self.stats.problem("filing form", f"{self.username}: /remarks/new/ answered {status}")
            return False
        self.done += 1
        service = self.rng.choice(self.world["services"])
        fields = {
            "csrfmiddlewaretoken": csrf.group(1), "submission_token": token, "kind": "remark",
            "category": str(service["category"]), "service": str(service["id"]), "language": "kk",
            "title": f"Cluster test {self.username} {self.done}: "
                     f"{self.rng.choice(WORDS)} {self.rng.choice(WORDS)}",
            "description": f"Filed by the two-server test, client {self.index}, remark {self.done}.",
            "affected_url": "",
        }
        files = []
        if self.done % 3 == 1:
            files = [("attachments", f"screen-{self.index}-{self.done}.png", "image/png",
                      tiny_png(self.index * 1000 + self.done))]
        status, headers, html = self.browser.post("/remarks/new/", fields, files)
        if status == 200:  # similar remarks are shown first: "File mine anyway"
            csrf = CSRF_FIELD.search(html)
            fields["csrfmiddlewaretoken"] = csrf.group(1) if csrf else fields["csrfmiddlewaretoken"]
            status, headers, html = self.browser.post("/remarks/new/", {**fields, "confirm": "1"}, files)
        if status != 302:
            self.stats.problem("filing", f"{self.username}: POST /remarks/new/ answered {status}")
            return True
        reference = re.search(r"/remarks/(R-\d{4}-\d{5})/", headers["Location"])
        if reference is None:
            self.stats.problem("filing", f"{self.username}: redirected to {headers['Location']}")
            return True
        reference = reference.group(1)
        self.outcomes.add("filed", {"reference": reference, "token": token, "username": self.username,
                                    "attachment": bool(files)})
        status, html = self.browser.follow(headers)
        if status != 200 or not any(reference in text for tags, text in messages_of(html)):
            self.stats.problem("filing",
                               f"{reference}: the remark page answered {status} without the confirmation")
            return True
        if files:  # written by one server, read back by the other: the media folder is shared
            link = re.search(r'href="(/remarks/%s/attachments/\d+/)"' % reference, html)
            status, headers, _ = self.browser.get(link.group(1)) if link else (0, None, "")
            if status != 200 or headers.get("Content-Type") != "image/png":
                self.stats.problem("attachment",
                                   f"{reference}: the screenshot answered {status} on the other server")
            else:
                self.outcomes.add("attachment", 1)
        return True

    # staff: pick one of the first rows of a queue, open it, act, read the message
    def _act(self, expected: str, action: str, fields: dict[str, str]) -> bool:
        queue = f"/remarks/?status={expected}"
        status, _, html = self.browser.get(queue)
        if status != 200:
            self.stats.problem("queue", f"{self.username}: {queue} answered {status}")
            return False
        references = [r for r in dict.fromkeys(REFERENCE_LINK.findall(html)) if r not in self.not_mine]
        if not references:
            return False
        reference = self.rng.choice(references[:4])
        status, _, html = self.browser.get(f"/remarks/{reference}/")
        if status != 200:
            self.stats.problem("remark page", f"{self.username}: /remarks/{reference}/ answered {status}")
            return True
        target = f"/remarks/{reference}/act/{action}/"
        form = html.split(f'action="{target}"', 1)
        if len(form) < 2:
            status_now = re.search(r'<dt>[^<]*</dt><dd><span class="badge (\w+)">', html)
            if status_now and status_now.group(1) == expected:
                # Visible but not ours to act on (e.g. a co-executing agency's officer): skip it.
                self.not_mine.add(reference)
                return False
            # Someone acted between the queue and the page: the form is gone.
            self.outcomes.add("conflict", "(the page no longer offered the action: someone else acted first)")
            return True
        csrf = CSRF_FIELD.search(form[1])
        seen = field_value(form[1], "seen_status")
        status, headers, html = self.browser.post(target, {"csrfmiddlewaretoken": csrf.group(1),
                                                           "seen_status": seen, **fields})
        if status != 302:
            self.stats.problem(action, f"{self.username}: POST {target} answered {status}")
            return True
        status, html = self.browser.follow(headers)
        shown = messages_of(html)
        if status == 200 and any(tags == "success" and text.startswith("Done") for tags, text in shown):
            self.outcomes.add("accepted" if action == "accept" else "resolved", reference)
        elif status == 200 and shown and all(tags == "error" and clear_conflict(t) for tags, t in shown):
            for _, text in shown:
                self.outcomes.add("conflict", text)
        else:
            self.stats.problem(action, f"{reference}: after the POST, {status} with messages {shown!r}")
        return True

    def accept_one(self) -> bool:
        agency = self.world["agencies"][self.rng.randrange(2)]
        return self._act("submitted", "accept", {"accept-agency": str(agency), "accept-assignee": ""})

    def resolve_one(self) -> bool:
        return self._act("in_review", "resolve", {
            "resolve-text": f"Fixed: the official response of {self.username}, client {self.index}."})


WORDS = ["payment", "queue", "certificate", "login", "SMS", "mobile", "signature", "licence", "address",
         "delivery"]


def roles_for(clients: int, world: dict) -> list[tuple[str, str]]:
    """About half commissioners, a fifth the coordinator, the rest officers and heads."""
    coordinators = max(1, clients // 5)
    officers = max(2, clients * 3 // 10)
    commissioners = max(1, clients - coordinators - officers)
    names = world["commissioners"]
    plan = [("commissioner", names[i % len(names)]) for i in range(commissioners)]
    plan += [("coordinator", world["coordinator"]) for _ in range(coordinators)]
    plan += [("officer", world["officers"][i % len(world["officers"])]) for i in range(officers)]
    return plan


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


# --- helper modes (run in a subprocess with Django set up) -------------------------------

def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django

    django.setup()


def helper_prepare(payload: dict) -> dict:
    """The accounts, the two executing agencies and their services, and where the tables stand."""
    _django()
    from django.conf import settings
    from django.contrib.auth import get_user_model

    from agencies.models import Agency, AgencyMembership, Service
    from commissioners.models import Commissioner
    from remarks.models import Notification, OutboxEmail, Remark, RemarkEvent, Response

    agencies = {a.code: a.pk for a in Agency.objects.filter(code__in=["MIA", "NIT"])}
    services = [{"id": s.pk, "category": s.category_id}
                for s in Service.objects.filter(active=True, owner__code__in=["MIA", "NIT"]).order_by("pk")]
    officers = list(AgencyMembership.objects.filter(agency__code__in=["MIA", "NIT"], role__in=[
        AgencyMembership.Role.OFFICER, AgencyMembership.Role.HEAD]).order_by("agency__code", "user__username")
        .values_list("user__username", flat=True))
    commissioners = list(Commissioner.objects.order_by("pk").values_list("user__username", flat=True))
    get_user_model().objects.get(username="coordinator")
    last = lambda model: model.objects.order_by("-pk").values_list("pk", flat=True).first() or 0  # noqa: E731
    return {"password": settings.SEED_DEMO_PASSWORD, "agencies": [agencies["MIA"], agencies["NIT"]],
            "services": services, "officers": officers, "commissioners": commissioners,
            "coordinator": "coordinator", "last_remark": last(Remark), "last_response": last(Response),
            "last_event": last(RemarkEvent), "last_outbox": last(OutboxEmail),
            "last_notification": last(Notification)}


def helper_bulk_prepare(payload: dict) -> dict:
    """Remarks to bulk-accept: filed by one demo commissioner through the service."""
    _django()
    from django.contrib.auth import get_user_model

    from agencies.models import Service
    from remarks import services

    author = get_user_model().objects.get(username=payload["author"])
    service = Service.objects.filter(active=True, owner__code="MIA").order_by("pk").first()
    references = [
        services.remark_submit(author=author, kind="remark", title=f"Bulk remark {i}",
                               description="Filed for the timed bulk action.", category=service.category,
                               service=service).reference
        for i in range(payload["count"])
    ]
    return {"references": references}


def helper_check(payload: dict) -> dict:
    """What the database says after the run, against what the clients were told."""
    _django()
    from django.db.models import Count

    from remarks.models import Remark, RemarkEvent, Response, Sequence
    from remarks.workflow import Action, Status

    checks: list[tuple[str, bool, str]] = []
    filed = payload["filed"]
    references = [f["reference"] for f in filed]
    tokens = [f["token"] for f in filed]

    rows = list(Remark.objects.filter(reference__in=references)
                .values_list("reference", "submission_token", "author__username"))
    by_reference = Counter(r for r, _, _ in rows)
    wrong = [f["reference"] for f in filed
             if by_reference[f["reference"]] != 1
             or not any(str(t) == f["token"] and u == f["username"]
                        for r, t, u in rows if r == f["reference"])]
    checks.append(("every remark filed is in the database exactly once, with its author and token",
                   not wrong and len(set(references)) == len(references),
                   f"{len(references)} filed, {len(set(references))} distinct references, {len(wrong)} wrong"
                   + (f" (e.g. {wrong[:3]})" if wrong else "")))
    duplicates = (Remark.objects.exclude(submission_token=None).values("submission_token")
                  .annotate(n=Count("pk")).filter(n__gt=1).count())
    new_remarks = Remark.objects.filter(pk__gt=payload["last_remark"]).count() - payload["bulk_filed"]
    checks.append(("no duplicate submission token; no remark filed that no client was told about",
                   duplicates == 0 and new_remarks == len(filed) and len(set(tokens)) == len(tokens),
                   f"{duplicates} duplicated tokens, {new_remarks} new remarks in the database"))

    new_events = Counter(RemarkEvent.objects.filter(pk__gt=payload["last_event"])
                         .values_list("action", flat=True))
    for action, told in (("accept", payload["accepted"]), ("resolve", payload["resolved"])):
        done = set(RemarkEvent.objects.filter(pk__gt=payload["last_event"], action=action)
                   .values_list("remark__reference", flat=True))
        checks.append((f"every “{action}” a client was told about happened once, and no other",
                       new_events[action] == len(told) == len(set(told)) and done == set(told),
                       f"{len(told)} told, {new_events[action]} in the history"))

    gaps = []
    for agency, year in Response.objects.values_list("agency__code", "year").distinct():
        numbers = sorted(Response.objects.filter(agency__code=agency, year=year)
                         .values_list("sequence", flat=True))
        counter = (Sequence.objects.filter(series=agency, year=year)
                   .values_list("last_value", flat=True).first())
        if numbers != list(range(1, len(numbers) + 1)) or counter != len(numbers):
            gaps.append(f"{agency}/{year}: {len(numbers)} numbers, max {max(numbers)}, counter {counter}")
    per_agency = dict(Response.objects.filter(pk__gt=payload["last_response"])
                      .values_list("agency__code").annotate(n=Count("pk")).order_by())
    distinct_numbers = Response.objects.values("outgoing_number").distinct().count()
    outgoing_unique = distinct_numbers == Response.objects.count()
    checks.append(("outgoing numbers per agency and year are 1..N, no gaps or repeats",
                   not gaps and outgoing_unique,
                   "; ".join(gaps)
                   or "new this run: " + ", ".join(f"{k} {v}" for k, v in sorted(per_agency.items()))))

    reference_gaps, per_year = [], {}
    for reference in Remark.objects.values_list("reference", flat=True):
        _, year, number = reference.split("-")
        per_year.setdefault(year, []).append(int(number))
    for year, numbers in sorted(per_year.items()):
        numbers.sort()
        if numbers != list(range(1, len(numbers) + 1)):
            reference_gaps.append(f"{year}: {len(numbers)} references, max {numbers[-1]}")
    checks.append(("remark references per year are 1..N, no gaps or repeats", not reference_gaps,
                   "; ".join(reference_gaps) or f"{Remark.objects.count()} remarks"))

    unanswered = Remark.objects.filter(status=Status.RESOLVED, responses=None).count()
    twice = (Response.objects.filter(pk__gt=payload["last_response"], action=Action.RESOLVE).values("remark")
             .annotate(n=Count("pk")).filter(n__gt=1).count())
    new_responses = Response.objects.filter(pk__gt=payload["last_response"]).count()
    checks.append(("every resolved remark has its official response, and one per resolve",
                   unanswered == 0 and twice == 0 and new_responses == len(payload["resolved"]),
                   f"{unanswered} resolved without a response, {twice} answered twice, "
                   f"{new_responses} new responses"))
    # Everyone told of something that calls for an e-mail has an outbox row (a bulk action sends
    # each reader one e-mail for all its remarks, so at least one each), none failed: the mail
    # server hung all along, so the rows wait, retried with backoff.
    from remarks.models import Notification, OutboxEmail

    notified = Counter(
        Notification.objects.filter(pk__gt=payload["last_notification"]).exclude(user__email="")
        .exclude(user__commissioner__email_notifications=False).values_list("user__email", flat=True))
    rows = OutboxEmail.objects.filter(pk__gt=payload["last_outbox"])
    written = Counter(rows.values_list("to", flat=True))
    short = {to: n for to, n in notified.items() if written[to] < 1}
    states = Counter(rows.values_list("state", flat=True))
    checks.append(("every e-mail the run called for waits in the outbox or was sent: none lost, none failed",
                   bool(notified) and not short and not states.get("failed"),
                   f"{sum(notified.values())} e-mails called for, {rows.count()} outbox rows, states "
                   f"{dict(states)}" + (f"; missing for {list(short)[:3]}" if short else "")))
    return {"checks": checks, "remarks": Remark.objects.count()}


# --- main ------------------------------------------------------------------------------

def bulk_accept_timed(servers, stats: Stats, world: dict, references: list[str]) -> dict:
    """The queue's bulk accept of `references` through the page, as the coordinator."""
    browser = Browser(servers, stats, 0)
    browser.login(world["coordinator"], world["password"])
    status, _, html = browser.get("/remarks/?status=submitted")
    csrf = CSRF_FIELD.search(html)
    if status != 200 or csrf is None:
        return {"ok": False, "seconds": 0.0, "accepted": [], "detail": f"the queue answered {status}"}
    fields = {"csrfmiddlewaretoken": csrf.group(1), "bulk_action": "accept", "agency": str(world["agencies"][0]),
              "remarks": references}
    started = time.perf_counter()
    status, headers, _ = browser.post("/remarks/bulk/", fields)
    seconds = time.perf_counter() - started
    if status != 302:
        return {"ok": False, "seconds": seconds, "accepted": [], "detail": f"the POST answered {status}"}
    status, html = browser.follow(headers)
    shown = messages_of(html)
    ok = any(tags == "success" and text.startswith(f"{len(references)} remarks accepted") for tags, text in shown)
    return {"ok": ok, "seconds": seconds, "accepted": references if ok else [], "detail": f"messages {shown!r}"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--helper", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients (default 20, at least 4)")
    parser.add_argument("--seconds", type=int, default=30, help="seconds of load (default 30, at most 300)")
    args = parser.parse_args()

    if args.helper:
        payload = json.loads(sys.stdin.read() or "{}")
        helpers = {"prepare": helper_prepare, "check": helper_check, "bulk_prepare": helper_bulk_prepare}
        result = helpers[args.helper](payload)
        print(json.dumps(result))
        return 0
    if not 4 <= args.clients <= 200 or not 1 <= args.seconds <= 300:
        parser.error("--clients must be 4..200 and --seconds 1..300")

    cluster = Cluster()
    stopping = lambda signum, frame: (_ for _ in ()).throw(KeyboardInterrupt())  # noqa: E731
    signal.signal(signal.SIGTERM, stopping)
    began = time.monotonic()
    try:
        cluster.start_postgres()
        cluster.make_env()
        print("Migrating, loading the demo accounts…")
        cluster.prepare()
        cluster.manage("seed_demo", "--force")
        world = cluster.helper("prepare", {})
        ports = {name: cluster.start_server(name) for name in ("A", "B")}
        for name in ("A", "B"):
            cluster.start_worker(name)
        cluster.wait_ready()
        servers = list(ports.items())
        print(f"Servers A on 127.0.0.1:{ports['A']} and B on 127.0.0.1:{ports['B']}, {WORKERS} workers each, "
              f"media in {cluster.media}")

        stats, outcomes = Stats(), Outcomes()
        plan = roles_for(args.clients, world)
        print(f"Load: {len(plan)} clients ({Counter(r for r, _ in plan)}) for {args.seconds} s…")
        deadline = time.monotonic() + args.seconds
        clients = [Client(i, role, username, world, servers, stats, outcomes, deadline)
                   for i, (role, username) in enumerate(plan)]
        started = time.monotonic()
        for client in clients:
            client.start()
        for client in clients:
            client.join(timeout=args.seconds + 120)
        elapsed = time.monotonic() - started
        stuck = [c.name for c in clients if c.is_alive()]
        crashed = [c.failure for c in clients if c.failure]

        print(f"Bulk: the coordinator accepts {BULK_REMARKS} remarks in one request, the mail server hanging…")
        bulk = bulk_accept_timed(servers, stats, world, cluster.helper(
            "bulk_prepare", {"count": BULK_REMARKS, "author": world["commissioners"][0]})["references"])

        result = cluster.helper("check", {
            "filed": outcomes.filed, "accepted": outcomes.accepted + bulk["accepted"],
            "resolved": outcomes.resolved, "last_outbox": world["last_outbox"],
            "last_notification": world["last_notification"], "bulk_filed": BULK_REMARKS,
            "last_remark": world["last_remark"], "last_response": world["last_response"],
            "last_event": world["last_event"]})
        server_logs = {name: cluster.server_errors(name) for name in ports}
    finally:
        cluster.close()

    # figures
    statuses = sum(stats.statuses.values(), Counter())
    total = sum(statuses.values())
    fives = sum(n for s, n in statuses.items() if s >= 500)
    fours = sum(n for s, n in statuses.items() if 400 <= s < 500)
    print()
    print(f"Requests: {total:,} in {elapsed:.1f} s = {total / elapsed:.1f} req/s; statuses "
          + ", ".join(f"{s}: {n}" for s, n in sorted(statuses.items())))
    for name in ports:
        lat = stats.latencies.get(name, [])
        print(f"  server {name}: {len(lat):,} requests, p50 {percentile(lat, 0.5):.0f} ms, "
              f"p99 {percentile(lat, 0.99):.0f} ms")
    with_files = sum(f["attachment"] for f in outcomes.filed)
    print(f"Remarks filed: {len(outcomes.filed)} ({with_files} with a screenshot, "
          f"{outcomes.attachments_fetched} read back from the other server); "
          f"accepted {len(outcomes.accepted)}; resolved {len(outcomes.resolved)}")
    print(f"Collisions answered with a message: {sum(outcomes.conflicts.values())}")
    for text, n in outcomes.conflicts.most_common(4):
        print(f"  {n:>4} × {text}")
    print(f"4xx: {fours}, 5xx: {fives}; "
          f"sessions continued on the other server: {outcomes.cross_logins}/{len(plan)}")

    checks = [
        ("every client's session, made on one server, worked on the other",
         outcomes.cross_logins == len(plan),
         f"{outcomes.cross_logins}/{len(plan)}"),
        ("no 5xx and no connection error", fives == 0 and statuses.get(0, 0) == 0,
         f"{fives} 5xx, {statuses.get(0, 0)} connection errors"),
        ("no unexpected answer (4xx, a missing confirmation, an unclear message)", not stats.unexpected,
         ", ".join(f"{k} {v}" for k, v in stats.unexpected.items()) or "none"),
        ("screenshots written by one server are read by the other",
         outcomes.attachments_fetched == with_files,
         f"{outcomes.attachments_fetched}/{with_files}"),
        ("the load did some work", len(outcomes.filed) > 0 and len(outcomes.accepted) > 0
         and len(outcomes.resolved) > 0, "filed, accepted and resolved > 0"),
        ("every client finished in time, without an exception", not stuck and not crashed,
         "; ".join(stuck + crashed) or "all"),
        (f"a bulk accept of {BULK_REMARKS} remarks returns before one delivery to the hanging mail server "
         f"could time out ({MAIL_TIMEOUT_SECONDS} s): no request waits on mail",
         bulk["ok"] and bulk["seconds"] < MAIL_TIMEOUT_SECONDS,
         f"{bulk['seconds']:.2f} s (benchmark target {BULK_TARGET_SECONDS:.0f} s on an idle machine), "
         f"{len(bulk['accepted'])} accepted; {bulk['detail']}; "
         f"the mail server saw {cluster.mail.connections} connections"),
        *[tuple(c) for c in result["checks"]],
    ]
    print()
    for label, ok, detail in checks:
        print(f"  [{'ok' if ok else 'FAILED'}] {label}: {detail}")
    for line in stats.errors[:10]:
        print(f"    {line}")
    failed = [c for c in checks if not c[1]]
    if failed and any(server_logs.values()):
        for name, text in server_logs.items():
            if text.strip():
                print(f"\n--- server {name}, stderr (last lines) ---\n{text[-2000:]}")
    print(f"\n{len(checks) - len(failed)}/{len(checks)} checks passed; "
          f"whole run {time.monotonic() - began:.0f} s")
    return 1 if failed else 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except KeyboardInterrupt:
        print("cluster-test: interrupted; the servers and PostgreSQL are stopped", file=sys.stderr)
        sys.exit(130)
