#!/usr/bin/env python3
"""Validate a Carebridge FHIR facade against an independent FHIR R4 model (fhir.resources 6.4.0,
R4 4.0.1, pydantic models that forbid unknown elements).

Reads /metadata and validates it; then, for every resource type it declares: an unfiltered search
(following `next` up to two pages), a read of the first id, `_summary=count`, every declared search
parameter (the type's own and the common `rest.searchParam` ones) with a value taken from the first
results (no hard-coded ids), and an unknown parameter under lenient handling (it must come back as
an OperationOutcome entry). Searches send `Prefer: handling=strict`, so a declared parameter the
server does not know fails. Every Bundle, entry and error is validated; every match entry's
`fullUrl` must be `{base}/{type}/{id}`.

Anonymous runs (no --token) expect 401, as a valid OperationOutcome with a Bearer challenge, from
the token-protected types, and 200 from the rest. They also read the SMART Scheduling Links
publication as a slot finder does (public, no token): `$bulk-publish`, then every NDJSON file it
lists, every line validated as an R4 resource of the output's type; Slots must be `free` or `busy`,
reference a Schedule of the Schedule files, and carry the booking deep link when free.

Usage: validate.py --base URL/fhir [--token T] [--seed-referral USER:PASSWORD]
Prints, per type, the requests made and the resources validated; exits 1 listing every failure.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from typing import Any, Callable

from fhir.resources import construct_fhir_element

# The R4 model this script trusts; fail loudly if the pinned package ever models another release.
import fhir.resources as _fr

assert _fr.__fhir_version__ == "4.0.1", f"fhir.resources models FHIR {_fr.__fhir_version__}, not R4 4.0.1"

PROTECTED = {"MeasureReport", "ServiceRequest", "Task", "Appointment"}
"""Types that need a bearer token (the CapabilityStatement says so in prose only)."""

PAGES = 2
"""How many `next` links to follow from each unfiltered search."""

NIL = "00000000-0000-0000-0000-000000000000"


def reference(node: Any) -> list[str]:
    return [node["reference"]] if isinstance(node, dict) and "reference" in node else []


def codings(node: Any) -> list[str]:
    if not isinstance(node, dict):
        return []
    return [f"{c['system']}|{c['code']}" for c in node.get("coding", []) if "system" in c and "code" in c]


def plain(node: Any) -> list[str]:
    return [node] if isinstance(node, str) else []


def boolean(node: Any) -> list[str]:
    return [str(node).lower()] if isinstance(node, bool) else []


def locations(node: Any) -> list[str]:
    return [r for r in reference(node) if r.startswith("Location/")]


@dataclass(frozen=True)
class Rule:
    """How to find a sample value for a search parameter in a resource: the element path (lists
    are walked), how to turn the element into a query value, and a value to probe with when the
    server holds no resource of the type (it must still be accepted)."""

    path: str
    value: Callable[[Any], list[str]]
    probe: str


# Keyed by the SearchParameter id of `searchParam.definition`; the paths are the R4 expressions.
RULES: dict[str, Rule] = {
    "Resource-id": Rule("id", plain, NIL),
    "Organization-name": Rule("name", plain, "zzz"),
    "Organization-address-city": Rule("address.city", plain, "110000"),
    "Organization-address-state": Rule("address.state", plain, "110000"),
    "Location-name": Rule("name", plain, "zzz"),
    "Location-address-city": Rule("address.city", plain, "110000"),
    "Location-address-state": Rule("address.state", plain, "110000"),
    "Location-organization": Rule("managingOrganization", reference, f"Organization/{NIL}"),
    "HealthcareService-name": Rule("name", plain, "zzz"),
    "HealthcareService-organization": Rule("providedBy", reference, f"Organization/{NIL}"),
    "HealthcareService-service-type": Rule("type", codings, "http://snomed.info/sct|0"),
    "MeasureReport-subject": Rule("subject", reference, f"Location/{NIL}"),
    "ServiceRequest-status": Rule("status", plain, "active"),
    "Task-focus": Rule("focus", reference, f"ServiceRequest/{NIL}"),
    "Schedule-actor": Rule("actor", reference, f"Location/{NIL}"),
    "Schedule-service-type": Rule("serviceType", codings, "http://snomed.info/sct|0"),
    "Schedule-active": Rule("active", boolean, "true"),
    "Schedule-date": Rule("planningHorizon.start", plain, "2000-01-01"),
    "Slot-schedule": Rule("schedule", reference, f"Schedule/{NIL}"),
    "Slot-service-type": Rule("serviceType", codings, "http://snomed.info/sct|0"),
    "Slot-start": Rule("start", plain, "2000-01-01"),
    "Slot-status": Rule("status", plain, "free"),
    "Appointment-date": Rule("start", plain, "2000-01-01"),
    "Appointment-status": Rule("status", plain, "booked"),
    "Appointment-location": Rule("participant.actor", locations, f"Location/{NIL}"),
    "Appointment-service-type": Rule("serviceType", codings, "http://snomed.info/sct|0"),
    # The patient is contained and pseudonymous: no account id to take from a resource.
    "Appointment-patient": Rule("carebridge-no-such-element", plain, f"Patient/{NIL}"),
}

DEEP_LINK = "http://fhir-registry.smarthealthit.org/StructureDefinition/booking-deep-link"
"""SMART Scheduling Links' booking deep link extension on a Slot."""

BULK_TYPES = {"Location", "Schedule", "Slot"}


def walk(node: Any, path: str) -> list[Any]:
    nodes = [node]
    for part in path.split("."):
        nxt: list[Any] = []
        for n in nodes:
            v = n.get(part) if isinstance(n, dict) else None
            nxt.extend(v if isinstance(v, list) else [] if v is None else [v])
        nodes = nxt
    return nodes


class Failure(Exception):
    pass


@dataclass
class Stats:
    requests: int = 0
    resources: int = 0
    notes: list[str] = field(default_factory=list)


@dataclass
class Answer:
    status: int
    headers: dict[str, str]
    body: Any
    url: str


class Validator:
    def __init__(self, base: str, token: str | None, timeout: float) -> None:
        self.base = base.rstrip("/")
        self.token = token
        self.timeout = timeout
        self.stats: dict[str, Stats] = {}
        self.failures: list[str] = []

    # -- HTTP ------------------------------------------------------------------------------

    def get(self, ty: str, url: str, strict: bool = True) -> Answer:
        if not url.startswith("http"):
            url = f"{self.base}/{url}"
        headers = {"Accept": "application/fhir+json"}
        if strict:
            headers["Prefer"] = "handling=strict"
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        self.stat(ty).requests += 1
        req = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                status, hdrs, raw = res.status, dict(res.headers), res.read()
        except urllib.error.HTTPError as e:
            status, hdrs, raw = e.code, dict(e.headers), e.read()
        except (urllib.error.URLError, TimeoutError) as e:
            raise Failure(f"GET {url}: {e}") from e
        hdrs = {k.lower(): v for k, v in hdrs.items()}
        ctype = hdrs.get("content-type", "")
        if not ctype.startswith("application/fhir+json"):
            raise Failure(f"GET {url}: {status} with content type `{ctype}`, not application/fhir+json")
        try:
            body = json.loads(raw)
        except ValueError as e:
            raise Failure(f"GET {url}: {status}, body is not JSON: {e}") from e
        return Answer(status, hdrs, body, url)

    def stat(self, ty: str) -> Stats:
        return self.stats.setdefault(ty, Stats())

    # -- validation ------------------------------------------------------------------------

    def validate(self, ty: str, data: Any, expected: str, where: str) -> Any:
        """Validate one resource with the R4 model; returns the raw JSON."""
        if not isinstance(data, dict) or data.get("resourceType") != expected:
            got = data.get("resourceType") if isinstance(data, dict) else type(data).__name__
            raise Failure(f"{where}: expected a {expected}, got {got}")
        try:
            construct_fhir_element(expected, data)
        except Exception as e:  # pydantic's ValidationError and fhir.resources' own errors
            raise Failure(f"{where}: not a valid R4 {expected}: {e}") from e
        self.stat(ty).resources += 1
        return data

    def expect(self, a: Answer, status: int) -> None:
        if a.status != status:
            raise Failure(f"GET {a.url}: expected {status}, got {a.status}: {json.dumps(a.body)[:500]}")

    def outcome(self, ty: str, a: Answer, status: int) -> None:
        self.expect(a, status)
        self.validate(ty, a.body, "OperationOutcome", f"GET {a.url}")

    def searchset(self, ty: str, a: Answer) -> list[dict]:
        """Validate a searchset of `ty`: the Bundle, each entry, fullUrls and links. Returns the
        match resources."""
        self.expect(a, 200)
        where = f"GET {a.url}"
        bundle = self.validate(ty, a.body, "Bundle", where)
        if bundle.get("type") != "searchset":
            raise Failure(f"{where}: Bundle.type is {bundle.get('type')}, not searchset")
        links = {link["relation"]: link["url"] for link in bundle.get("link", [])}
        if "self" not in links:
            raise Failure(f"{where}: no self link")
        for relation, url in links.items():
            if not url.startswith(f"{self.base}/{ty}"):
                raise Failure(f"{where}: {relation} link {url} is not under {self.base}/{ty}")
        matches = []
        for i, entry in enumerate(bundle.get("entry", [])):
            mode = entry.get("search", {}).get("mode")
            resource = entry.get("resource")
            if mode == "match":
                self.validate(ty, resource, ty, f"{where}: entry {i}")
                want = f"{self.base}/{ty}/{resource.get('id')}"
                if entry.get("fullUrl") != want:
                    raise Failure(f"{where}: entry {i} fullUrl {entry.get('fullUrl')!r}, expected {want!r}")
                matches.append(resource)
            elif mode == "outcome":
                self.validate(ty, resource, "OperationOutcome", f"{where}: entry {i}")
            else:
                raise Failure(f"{where}: entry {i} has search.mode {mode!r}")
        return matches

    # -- the checks ------------------------------------------------------------------------

    def metadata(self) -> dict:
        a = self.get("metadata", "metadata", strict=False)
        self.expect(a, 200)
        cs = self.validate("metadata", a.body, "CapabilityStatement", "GET /metadata")
        if cs.get("fhirVersion") != "4.0.1":
            raise Failure(f"/metadata: fhirVersion {cs.get('fhirVersion')}, not 4.0.1")
        url = cs.get("implementation", {}).get("url")
        if url != self.base:
            raise Failure(f"/metadata: implementation.url {url!r} is not the base {self.base!r}")
        return cs

    def resource_type(self, resource: dict, common: list[str]) -> None:
        ty = resource["type"]
        first = self.get(ty, f"{ty}?_count=5")
        if not self.token and ty in PROTECTED:
            self.outcome(ty, first, 401)
            if not first.headers.get("www-authenticate", "").startswith("Bearer"):
                raise Failure(f"GET {first.url}: 401 without a Bearer challenge")
            self.outcome(ty, self.get(ty, f"{ty}/{NIL}"), 401)
            self.stat(ty).notes.append("401 without a token, as declared")
            return
        if ty in PROTECTED and first.status == 401:
            raise Failure(f"GET {first.url}: 401 although signed in")
        results = self.searchset(ty, first)
        seen = list(results)
        url = self.link(first.body, "next")
        for _ in range(PAGES):
            if not url:
                break
            page = self.get(ty, url)
            seen.extend(self.searchset(ty, page))
            url = self.link(page.body, "next")
        ids = [r["id"] for r in seen]
        if len(set(ids)) != len(ids):
            raise Failure(f"{ty}: paging repeated an id")

        if results:
            rid = results[0]["id"]
            read = self.get(ty, f"{ty}/{urllib.parse.quote(rid)}")
            self.expect(read, 200)
            got = self.validate(ty, read.body, ty, f"GET {read.url}")
            if got.get("id") != rid:
                raise Failure(f"GET {read.url}: id {got.get('id')}")
        else:
            self.stat(ty).notes.append("no data: searched with probe values")
        self.outcome(ty, self.get(ty, f"{ty}/{NIL}-nope"), 404)

        counted = self.get(ty, f"{ty}?_summary=count")
        if self.searchset(ty, counted):
            raise Failure(f"GET {counted.url}: entries in a count")
        total = counted.body.get("total")
        if not isinstance(total, int) or total < len(seen):
            raise Failure(f"GET {counted.url}: total {total!r}, but {len(seen)} were listed")

        for param in resource.get("searchParam", []):
            self.own_param(ty, param, results)
        for name in common:
            self.common_param(ty, name)

        lenient = self.get(ty, f"{ty}?carebridge-unknown=1&_count=1", strict=False)
        self.searchset(ty, lenient)
        warned = [
            issue.get("diagnostics", "")
            for e in lenient.body.get("entry", [])
            if e.get("search", {}).get("mode") == "outcome"
            for issue in e["resource"].get("issue", [])
        ]
        if not any("carebridge-unknown" in w for w in warned):
            raise Failure(f"GET {lenient.url}: the ignored parameter is not reported in an outcome entry")
        if "carebridge-unknown" in self.link(lenient.body, "self"):
            raise Failure(f"GET {lenient.url}: the ignored parameter is in the self link")
        strict = self.get(ty, f"{ty}?carebridge-unknown=1")
        self.outcome(ty, strict, 400)

    def own_param(self, ty: str, param: dict, results: list[dict]) -> None:
        name = param["name"]
        definition = param.get("definition", "").rsplit("/", 1)[-1]
        rule = RULES.get(definition)
        if rule is None:
            raise Failure(f"{ty}: declared parameter `{name}` ({definition or 'no definition'}) has no rule in RULES")
        values = [v for r in results for node in walk(r, rule.path) for v in rule.value(node)]
        value = values[0] if values else rule.probe
        a = self.get(ty, f"{ty}?{urllib.parse.urlencode({name: value})}")
        found = self.searchset(ty, a)
        if values and not found:
            raise Failure(f"GET {a.url}: a value taken from a {ty} found nothing")

    def common_param(self, ty: str, name: str) -> None:
        if name == "_count":
            a = self.get(ty, f"{ty}?_count=2")
            if len(self.searchset(ty, a)) > 2:
                raise Failure(f"GET {a.url}: more than 2 entries")
        elif name == "_summary":
            a = self.get(ty, f"{ty}?_summary=false&_count=1")
            if len(self.searchset(ty, a)) > 1:
                raise Failure(f"GET {a.url}: more than 1 entry")
        else:
            raise Failure(f"rest.searchParam `{name}` has no check here")

    def fetch(self, url: str, accept: str | None) -> tuple[int, dict[str, str], bytes]:
        headers = {"Accept": accept} if accept else {}
        req = urllib.request.Request(url, headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=self.timeout) as res:
                return res.status, {k.lower(): v for k, v in res.headers.items()}, res.read()
        except urllib.error.HTTPError as e:
            return e.code, {k.lower(): v for k, v in e.headers.items()}, e.read()
        except (urllib.error.URLError, TimeoutError) as e:
            raise Failure(f"GET {url}: {e}") from e

    def bulk(self) -> None:
        """Read the SMART Scheduling Links publication as a slot finder: the manifest (without
        an Accept and with `application/json`), then every file it lists, every line an R4
        resource of the output's type."""
        ty = "$bulk-publish"
        url = f"{self.base}/$bulk-publish"
        manifest = None
        for accept in (None, "application/json"):
            self.stat(ty).requests += 1
            status, headers, raw = self.fetch(url, accept)
            if status != 200 or not headers.get("content-type", "").startswith("application/json"):
                raise Failure(f"GET {url} (Accept {accept}): {status} {headers.get('content-type')}: {raw[:300]!r}")
            manifest = json.loads(raw)
        assert manifest is not None
        for key in ("transactionTime", "request", "output"):
            if key not in manifest:
                raise Failure(f"GET {url}: the manifest has no `{key}`")
        if manifest["request"] != url:
            raise Failure(f"GET {url}: request is {manifest['request']!r}")
        outputs = manifest["output"]
        kinds = {o.get("type") for o in outputs}
        if kinds != BULK_TYPES:
            raise Failure(f"GET {url}: output types {sorted(map(str, kinds))}, expected {sorted(BULK_TYPES)}")
        # Schedules first, so each Slot's schedule can be looked up.
        ordered = sorted(outputs, key=lambda o: ["Location", "Schedule", "Slot"].index(o["type"]))
        seen: dict[str, set[str]] = {t: set() for t in BULK_TYPES}
        counts = {"free": 0, "busy": 0}
        for o in ordered:
            kind, file_url = o["type"], o["url"]
            self.stat(ty).requests += 1
            status, headers, raw = self.fetch(file_url, "application/fhir+ndjson")
            ctype = headers.get("content-type", "")
            if status != 200 or not ctype.startswith("application/fhir+ndjson"):
                raise Failure(f"GET {file_url}: {status} with content type `{ctype}`")
            for n, line in enumerate(raw.decode("utf-8").splitlines(), 1):
                where = f"{file_url} line {n}"
                try:
                    data = json.loads(line)
                except ValueError as e:
                    raise Failure(f"{where}: not JSON: {e}") from e
                self.validate(ty, data, kind, where)
                if data["id"] in seen[kind]:
                    raise Failure(f"{where}: {kind}/{data['id']} published twice")
                seen[kind].add(data["id"])
                if kind == "Schedule":
                    actor = data.get("actor", [{}])[0].get("reference", "")
                    if actor.removeprefix("Location/") not in seen["Location"]:
                        raise Failure(f"{where}: actor {actor!r} is not in the Location files")
                if kind == "Slot":
                    self.bulk_slot(data, where, seen["Schedule"], counts)
        self.stat(ty).notes.append(
            f"{len(outputs)} files: {len(seen['Location'])} Location, {len(seen['Schedule'])} Schedule, "
            f"{len(seen['Slot'])} Slot ({counts['free']} free, {counts['busy']} busy)"
        )

    @staticmethod
    def bulk_slot(data: dict, where: str, schedules: set[str], counts: dict[str, int]) -> None:
        status = data.get("status")
        if status not in counts:
            raise Failure(f"{where}: status {status!r}, not free or busy")
        counts[status] += 1
        schedule = data.get("schedule", {}).get("reference", "")
        if schedule.removeprefix("Schedule/") not in schedules:
            raise Failure(f"{where}: schedule {schedule!r} is not in the Schedule files")
        links = [e for e in data.get("extension", []) if e.get("url") == DEEP_LINK]
        if status == "free" and not (links and str(links[0].get("valueUrl", "")).startswith("http")):
            raise Failure(f"{where}: a free slot without a booking deep link (valueUrl)")

    @staticmethod
    def link(bundle: dict, relation: str) -> str:
        return next((link["url"] for link in bundle.get("link", []) if link["relation"] == relation), "")

    def run(self) -> int:
        started = time.monotonic()
        try:
            cs = self.metadata()
        except Failure as e:
            print(f"FAIL: {e}", file=sys.stderr)
            return 1
        rest = cs["rest"][0]
        common = [p["name"] for p in rest.get("searchParam", [])]
        for resource in rest.get("resource", []):
            try:
                self.resource_type(resource, common)
            except Failure as e:
                self.failures.append(f"{resource['type']}: {e}")
        if not self.token:
            try:
                self.bulk()
            except Failure as e:
                self.failures.append(f"$bulk-publish: {e}")
        who = "signed in" if self.token else "anonymous"
        print(f"FHIR validation of {self.base} ({who}), model fhir.resources {_fr.__version__} (R4 {_fr.__fhir_version__})")
        print(f"  {'type':<20} {'requests':>8} {'resources validated':>20}")
        for ty, s in self.stats.items():
            notes = f"  ({'; '.join(s.notes)})" if s.notes else ""
            print(f"  {ty:<20} {s.requests:>8} {s.resources:>20}{notes}")
        total_requests = sum(s.requests for s in self.stats.values())
        total_resources = sum(s.resources for s in self.stats.values())
        print(f"  {'total':<20} {total_requests:>8} {total_resources:>20}   in {time.monotonic() - started:.1f} s")
        if self.failures:
            print(f"FAIL: {len(self.failures)} failure(s):", file=sys.stderr)
            for f in self.failures:
                print(f"  - {f}", file=sys.stderr)
            return 1
        print("OK: every document is valid FHIR R4 and every declared search parameter works")
        if not self.token:
            print("OK: the SMART Scheduling Links publication reads as a slot finder reads it, every line R4")
        return 0


def seed_referral(base: str, credentials: str, timeout: float) -> None:
    """File one referral through the JSON API (the demo has none), so ServiceRequest and Task
    have data. Writes: for scratch demos only."""
    user, _, password = credentials.partition(":")
    api = base.rstrip("/").removesuffix("/fhir") + "/api/v1"

    def post(path: str, body: dict, token: str | None = None) -> dict:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        req = urllib.request.Request(f"{api}{path}", data=json.dumps(body).encode(), headers=headers)
        try:
            with urllib.request.urlopen(req, timeout=timeout) as res:
                return json.loads(res.read())
        except urllib.error.HTTPError as e:
            raise Failure(f"POST {api}{path}: {e.code} {e.read()[:300]!r}") from e

    token = post("/auth/token", {"username": user, "password": password})["access_token"]
    patient = {
        "pseudonym": f"contracts-{int(time.time())}",
        "age_band": "senior",
        "location": {"lon": 114.27, "lat": 30.60},
        "region_code": "420103",
        "infection": "negative",
    }
    referral = {"patient": patient, "need": "neurosurgery", "urgency": "urgent", "needs_ambulance": False}
    filed = post("/referrals", referral, token)
    print(f"seeded referral {filed['id']} as {user}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--base", required=True, help="the FHIR base, e.g. http://127.0.0.1:8080/fhir")
    parser.add_argument("--token", help="a bearer token (without one, protected types must answer 401)")
    parser.add_argument("--seed-referral", metavar="USER:PASSWORD", help="file one referral first (scratch demos)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds per request")
    args = parser.parse_args()
    if args.seed_referral:
        try:
            seed_referral(args.base, args.seed_referral, args.timeout)
        except Failure as e:
            print(f"FAIL: seeding: {e}", file=sys.stderr)
            return 1
    return Validator(args.base, args.token or None, args.timeout).run()


if __name__ == "__main__":
    sys.exit(main())
