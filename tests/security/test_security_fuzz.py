"""Issue 10: a bounded schemathesis run against a real ``verdict serve`` (demo data), as each role,
with 0 server errors.

Every operation of ``/openapi.json`` gets ``EXAMPLES`` valid cases and ``EXAMPLES`` invalid ones
(schemathesis's positive and negative modes), derandomized (hypothesis derives the seed from the
test, so a run is reproducible) and without the example database. Each response goes through
schemathesis's ``not_a_server_error`` check; failures are collected, not shrunk, and reported
together with the request that caused them. The three roles run in the order anonymous, student,
instructor (the instructor's deletes come last).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error

from tests.support.live_server import LiveServer
from tests.support.users import basic
from verdict.demo import PASSWORD as DEMO_PASSWORD

pytestmark = pytest.mark.e2e

EXAMPLES = 12  # per operation, per generation mode, per role
ROLES = {"anonymous": None, "student": "alice", "instructor": "teacher"}
# Random ids mostly meet a 404 early: each operation with path parameters is also fuzzed with
# those of the demo (a course alice is registered to, its first task, the teacher's list and
# course, a problem), so that bodies and queries reach the real handlers.
DEMO_PATH = {
    "courseid": "teacher-demo",
    "taskid": "P55817",
    "submissionid": "1",
    "ident": "teacher:demo",
    "ref": "P55817",
    "figure": "plus.svg",  # a Jutge quiz task's image
    "email": "alice@demo.verdict",  # a student of an exam (/services/exams/{ident}/students/{email})
    "round_number": "1",  # a competition's round, match, viewer file and action
    "match": "1",
    "asset": "viewer.html",
    "action": "next",
}


@pytest.fixture(scope="module")
def schema(server: LiveServer) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_url(server.url + "/openapi.json")


@dataclass
class Run:
    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    failures: list[str] = field(default_factory=list)


def credentials(username: str | None) -> dict[str, str]:
    return {} if username is None else basic(username, DEMO_PASSWORD)


def fuzz(
    operation: schemathesis.APIOperation,
    mode: GenerationMode,
    url: str,
    headers: dict[str, str],
    run: Run,
    path: dict[str, str] | None = None,
) -> None:
    @settings(
        max_examples=EXAMPLES,
        derandomize=True,
        database=None,
        deadline=None,
        phases=[Phase.explicit, Phase.generate],  # no shrinking: failures are collected
        suppress_health_check=list(HealthCheck),
    )
    @given(case=operation.as_strategy(generation_mode=mode, path_parameters=path))
    def one(case: schemathesis.Case) -> None:
        response = case.call(base_url=url, headers=headers, timeout=60)
        run.requests += 1
        run.statuses[response.status_code] += 1
        try:
            case.validate_response(response, checks=[not_a_server_error], headers=headers)
        except Exception as error:  # schemathesis raises its failure group; keep the details
            run.failures.append(
                f"{case.method} {response.request.url} -> {response.status_code}: {error}"[:2000]
            )

    try:
        one()
    except Unsatisfiable:
        # Negative mode on an operation with nothing to get wrong (no parameters, no body).
        assert mode == GenerationMode.NEGATIVE, operation.label


@pytest.mark.parametrize("role", list(ROLES))
def test_no_server_error_for_any_operation(
    server: LiveServer, schema: schemathesis.BaseSchema, role: str
) -> None:
    run = Run()
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) > 15  # both faces are in the document
    for operation in operations:
        names = {parameter.name for parameter in operation.path_parameters}
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            fuzz(operation, mode, server.url, credentials(ROLES[role]), run)
            if names:
                path = {name: DEMO_PATH[name] for name in names}
                fuzz(operation, mode, server.url, credentials(ROLES[role]), run, path)
    errors = len(run.failures)
    print(f"{role}: {run.requests} requests over {len(operations)} operations, {errors} server errors")
    print(f"{role}: statuses {dict(sorted(run.statuses.items()))}")
    assert server.process.poll() is None, "the server died"
    assert not run.failures, "\n\n".join(run.failures[:20])
