"""Property-based fuzzing of every operation in the server's OpenAPI schema (schemathesis): never a 5xx.

Requests are generated from /openapi.json. Those to device endpoints are signed with a really enrolled
tablet's key and those to admin endpoints carry a real admin token, so the fuzzing gets past the door
and reaches validation, storage and the feed; a second pass sends them unsigned.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import not_a_server_error

from sync.server import open_context
from sync.signing import sign_request
from tests.server.harness import Enrolled, SiteServer
from tests.support import running_server

pytestmark = pytest.mark.clockless  # the generated requests are refused or answered on their shape, not the date

EXAMPLES = 50


class SignAs(requests.auth.AuthBase):
    """Signs each generated request the way the tablet does (device endpoints) or adds the admin's token."""

    def __init__(self, tablet: Enrolled, admin_token: str) -> None:
        self.tablet = tablet
        self.admin_token = admin_token

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        target = request.path_url
        path = urlsplit(target).path
        if path.startswith("/api/v1/admin/") or path.startswith("/api/v1/sites/"):
            request.headers["Authorization"] = f"Bearer {self.admin_token}"
        elif path.startswith("/api/v1/") and path != "/api/v1/enrol":  # every device route is signed
            body = request.body or b""
            body = body.encode() if isinstance(body, str) else body
            keys = self.tablet.tablet.ledger.device_keys()
            assert keys is not None
            request.headers.update(sign_request(keys.signing, self.tablet.device_id, request.method or "GET",
                                                target, body, time.time()))
        return request


@pytest.fixture(scope="module")
def fuzzed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Any, requests.Session, str]]:
    root: Path = tmp_path_factory.mktemp("fuzz")
    db_url = f"sqlite:///{root}/server.db"
    with running_server(db_url, root / "data") as url:
        ctx = open_context(db_url, root / "data")
        server = SiteServer(url, ctx, root / "data", db_url)
        tablet = server.enrolled_tablet(root / "tablet")
        tablet.new_case(notes=2)
        tablet.client.push()
        token = server.admin().headers["Authorization"].removeprefix("Bearer ")
        signed = requests.Session()
        signed.auth = SignAs(tablet, token)
        yield schemathesis.openapi.from_url(f"{url}/openapi.json"), signed, url
        ctx.db.dispose()


def _fuzzer(operation: Any, url: str, sessions: tuple[requests.Session, ...], calls: Counter[str],
            device_id: str) -> Any:
    label = operation.label

    @given(case=operation.as_strategy())
    @settings(max_examples=EXAMPLES, deadline=None, database=None,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much])
    def fuzz(case: Any) -> None:
        for session in sessions:
            if label == "POST /api/v1/sync/push" and session.auth and isinstance(case.body, dict):
                # A batch from the signing tablet, for its site: past the whole-batch refusals to each event.
                events = [{**e, "device_id": device_id} if isinstance(e, dict) else e
                          for e in case.body.get("events") or []]
                case.body = {**case.body, "site_id": "demo", "device_id": device_id, "events": events}
            response = case.call(base_url=url, session=session)
            calls[f"{label} {response.status_code}"] += 1
            assert response.status_code < 500, (label, response.status_code, response.text[:300])
            case.validate_response(response, checks=[not_a_server_error])
            if response.status_code >= 400:
                assert isinstance(response.json().get("detail"), str)  # every error: JSON with a reason

    return fuzz


def test_no_generated_request_gets_a_server_error(fuzzed: tuple[Any, requests.Session, str]) -> None:
    schema, signed, url = fuzzed
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 15  # every operation of the API, read from its own schema
    calls: Counter[str] = Counter()
    for operation in operations:
        # Signing out with the fuzzing's own token would leave every later admin request unsigned.
        sessions = (requests.Session(),) if operation.label == "POST /api/v1/admin/logout" else (
            signed, requests.Session())
        _fuzzer(operation, url, sessions, calls, signed.auth.tablet.device_id)()  # type: ignore[union-attr]
    print(f"\nfuzzed {len(operations)} operations: {dict(sorted(calls.items()))}")
    # The signed requests got past the door: some were stored or answered, not all refused.
    assert any(k.startswith("POST /api/v1/sync/push 200") for k in calls), calls
    assert any(k.startswith("GET /api/v1/admin/devices 200") for k in calls), calls
