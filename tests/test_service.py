"""The reference service (examples/service) over real HTTP.

Each server is ``uvicorn ceu_service:app`` in a subprocess on 127.0.0.1 and a
free port (``service.running_service``), talked to with httpx (and h11 for a
client that reads while it sends), and stopped when its tests are done. Every
request has a timeout and every loop a fixed count, so nothing here can hang.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import socket
import sys
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import HealthCheck, settings

from ceu_compliance import InvalidMemberError, evaluate, evaluate_history, plan
from ceu_compliance._cli import main
from rosters import INVALID, extra
from service import HOST, SERVICE_DIR, Service, running_service, small_member

extra("fastapi")
extra("uvicorn")
h11 = extra("h11")
schemathesis = extra("schemathesis")
if TYPE_CHECKING:
    import httpx
else:
    httpx = extra("httpx")

EXAMPLES_DIR = SERVICE_DIR.parent / "members"
EXAMPLES = {
    p.stem: json.loads(p.read_text(encoding="utf-8")) for p in sorted(EXAMPLES_DIR.glob("*.json"))
}
AS_OF = dt.date(2027, 4, 15)
TIMEOUT = httpx.Timeout(60.0)
MAX_BODY = 64 * 1024
MAX_BATCH = 32 * 1024 * 1024
MAX_PERIODS = 5
SETTINGS = {
    "CEU_SERVICE_MAX_BODY_BYTES": str(MAX_BODY),
    "CEU_SERVICE_MAX_BATCH_BYTES": str(MAX_BATCH),
    "CEU_SERVICE_MAX_PERIODS": str(MAX_PERIODS),
}


@pytest.fixture(scope="module")
def service() -> Iterator[Service]:
    with running_service(SETTINGS) as running:
        yield running


@pytest.fixture(scope="module")
def client(service: Service) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=service.url, timeout=TIMEOUT) as session:
        yield session


def library_json(path: str, member: Any, *, periods: int = 2) -> str:
    """What the library answers for ``member`` on AS_OF: the body the service must send."""
    if path == "/v1/evaluate":
        return evaluate(member, as_of=AS_OF).to_json(indent=None)
    if path == "/v1/plan":
        return plan(member, as_of=AS_OF).to_json(indent=None)
    return evaluate_history(member, periods=periods, as_of=AS_OF).to_json(indent=None)


def query(path: str) -> dict[str, str]:
    return {"as_of": AS_OF.isoformat(), **({"periods": "2"} if path == "/v1/history" else {})}


MEMBER_PATHS = ("/v1/evaluate", "/v1/plan", "/v1/history")


# ----------------------------------------------------------- single members


@pytest.mark.parametrize("path", MEMBER_PATHS)
def test_each_example_member_gets_the_library_json_byte_for_byte(
    client: httpx.Client, path: str
) -> None:
    for name, member in EXAMPLES.items():
        response = client.post(path, params=query(path), content=json.dumps(member))
        assert response.status_code == 200, (name, response.text)
        assert response.headers["content-type"] == "application/json"
        assert response.text == library_json(path, member)


def test_decimals_keep_their_exact_digits(client: httpx.Client) -> None:
    member = small_member(1)  # amounts such as "8.25" and "2.50", given as strings
    member["records"].append(
        {"id": "tiny", "date": "2026-06-01", "ceus": 0.1, "activity": "course", "provider": "AAPC"}
    )
    response = client.post("/v1/evaluate", params=query("/v1/evaluate"), json=member)
    assert response.text == library_json("/v1/evaluate", member)
    tiny = next(r for r in response.json()["records"] if r["id"] == "tiny")
    assert tiny["claimed"] == "0.1"


def test_as_of_defaults_to_today(client: httpx.Client) -> None:
    response = client.post("/v1/evaluate", json=EXAMPLES["01_cpc_compliant"])
    assert response.json()["as_of"] == dt.date.today().isoformat()


def test_a_refused_member_gets_422_with_the_library_problems(client: httpx.Client) -> None:
    with pytest.raises(InvalidMemberError) as refused:
        evaluate(INVALID)
    expected = [p.to_dict() for p in refused.value.problems]
    for path in MEMBER_PATHS:
        response = client.post(path, params=query(path), json=INVALID)
        assert response.status_code == 422
        body = response.json()
        assert body["error"] == "invalid_member"
        assert body["problems"] == expected
        assert {"$.renewal_due", "$.credentials[0].code", "$.records[0].ceus"} <= {
            p["path"] for p in body["problems"]
        }


@pytest.mark.parametrize(
    ("body", "kind"),
    [
        (b'{"member_id": "M-1", "renewal_due": ', "json_invalid"),
        (b"", "json_invalid"),
        (b"not json at all", "json_invalid"),
        (b'{"member_id": "\xff"}', "not_utf8"),
    ],
)
def test_malformed_bodies_get_422_at_the_root(client: httpx.Client, body: bytes, kind: str) -> None:
    for path in MEMBER_PATHS:
        response = client.post(path, params=query(path), content=body)
        assert response.status_code == 422, response.text
        assert response.json()["problems"][0] | {"message": ""} == {
            "type": kind,
            "path": "$",
            "message": "",
        }


def test_json_that_is_not_an_object_is_refused(client: httpx.Client) -> None:
    for body in ("[]", "null", '"M-1"', "36"):
        response = client.post("/v1/evaluate", content=body)
        assert response.status_code == 422
        assert response.json()["problems"][0]["path"] == "$"


def test_a_byte_order_mark_is_allowed(client: httpx.Client) -> None:
    member = EXAMPLES["01_cpc_compliant"]
    body = b"\xef\xbb\xbf" + json.dumps(member).encode()
    response = client.post("/v1/evaluate", params=query("/v1/evaluate"), content=body)
    assert response.text == library_json("/v1/evaluate", member)


@pytest.mark.parametrize(
    ("path", "params", "where"),
    [
        ("/v1/evaluate", {"as_of": "2026-02-30"}, "query.as_of"),
        ("/v1/evaluate", {"as_of": "26-11-2026"}, "query.as_of"),
        ("/v1/plan", {"as_of": "tomorrow"}, "query.as_of"),
        ("/v1/history", {}, "query.periods"),
        ("/v1/history", {"periods": "0"}, "query.periods"),
        ("/v1/history", {"periods": str(MAX_PERIODS + 1)}, "query.periods"),
        ("/v1/history", {"periods": "two"}, "query.periods"),
        ("/v1/batch", {"as_of": "2026-13-01"}, "query.as_of"),
    ],
)
def test_bad_parameters_get_422_naming_the_parameter(
    client: httpx.Client, path: str, params: dict[str, str], where: str
) -> None:
    response = client.post(path, params=params, json=EXAMPLES["01_cpc_compliant"])
    assert response.status_code == 422
    body = response.json()
    assert body["error"] == "invalid_parameter"
    assert [p["path"] for p in body["problems"]] == [where]


def test_a_history_past_the_rule_pack_is_refused_not_failed(client: httpx.Client) -> None:
    member = {**small_member(0), "renewal_due": "2012-03-31"}  # AAPC's pack starts in 2008
    member["credentials"] = [{"code": "CPC", "earned": "1990-01-01"}]
    member["records"] = []
    response = client.post("/v1/history", params={"periods": str(MAX_PERIODS)}, json=member)
    assert response.status_code == 422
    assert response.json()["error"] == "rules_not_in_force"
    assert response.json()["problems"][0]["path"] == "query.periods"


def test_unknown_paths_and_methods_answer_in_the_error_format(client: httpx.Client) -> None:
    missing = client.get("/v1/nothing")
    assert (missing.status_code, missing.json()["error"]) == (404, "not_found")
    wrong = client.get("/v1/evaluate")
    assert (wrong.status_code, wrong.json()["error"]) == (405, "method_not_allowed")
    assert wrong.headers["allow"] == "POST"


# ------------------------------------------------------------------- limits


def test_a_body_over_the_limit_gets_413_before_it_is_read(client: httpx.Client) -> None:
    member = {**EXAMPLES["01_cpc_compliant"], "padding": "x" * MAX_BODY}
    for path in MEMBER_PATHS:
        response = client.post(path, params=query(path), json=member)
        assert response.status_code == 413
        assert response.json() == {
            "error": "too_large",
            "message": f"the request body is larger than {MAX_BODY} bytes",
            "problems": [],
        }


def test_a_streamed_body_over_the_limit_gets_413_while_it_is_read(client: httpx.Client) -> None:
    def chunks() -> Iterator[bytes]:  # no Content-Length: the limit is found while reading
        for _ in range(1000):
            yield b" " * 1024

    response = client.post("/v1/evaluate", content=chunks())
    assert response.status_code == 413
    assert response.json()["error"] == "too_large"


def test_a_body_at_the_limit_is_read(client: httpx.Client) -> None:
    member = EXAMPLES["01_cpc_compliant"]
    text = json.dumps(member)
    body = text + " " * (MAX_BODY - len(text))
    response = client.post("/v1/evaluate", params=query("/v1/evaluate"), content=body)
    assert response.status_code == 200
    assert response.text == library_json("/v1/evaluate", member)


# ------------------------------------------------------ schemas, health, docs


@pytest.mark.parametrize("kind", ["member", "report", "plan", "history"])
def test_the_schemas_are_those_of_the_cli(
    client: httpx.Client, kind: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["schema", kind]) == 0
    assert client.get(f"/v1/schema/{kind}").json() == json.loads(capsys.readouterr().out)


def test_healthz_names_the_rule_pack(client: httpx.Client) -> None:
    assert client.get("/healthz").json() == {
        "status": "ok",
        "version": "0.1.0",
        "rules": evaluate(EXAMPLES["01_cpc_compliant"]).rules,
    }


def test_the_openapi_examples_are_the_example_members_and_their_real_answers(
    client: httpx.Client,
) -> None:
    document = client.get("/openapi.json").json()
    for path in MEMBER_PATHS:
        operation = document["paths"][path]["post"]
        requests = operation["requestBody"]["content"]["application/json"]["examples"]
        answers = operation["responses"]["200"]["content"]["application/json"]["examples"]
        assert {name: e["value"] for name, e in requests.items()} == EXAMPLES
        for name, member in EXAMPLES.items():
            response = client.post(path, params=query(path), json=member)
            assert response.json() == answers[name]["value"]
    batch = document["paths"]["/v1/batch"]["post"]
    lines = batch["requestBody"]["content"]["application/x-ndjson"]["example"]
    answer = client.post("/v1/batch", params=query("/v1/batch"), content=lines)
    assert answer.text == batch["responses"]["200"]["content"]["application/x-ndjson"]["example"]


# -------------------------------------------------------------- concurrency


def test_50_concurrent_requests_are_all_answered_correctly(service: Service) -> None:
    requests = []
    for k in range(50):
        path = (*MEMBER_PATHS, "/v1/evaluate")[k % 4]
        name = list(EXAMPLES)[k % len(EXAMPLES)]
        member = {**EXAMPLES[name], "member_id": f"C-{k}"}
        if k % 4 == 3:
            member["renewal_due"] = "2027-02-30"  # a refusal among the answers
        requests.append((path, member))

    async def send_all() -> list[httpx.Response]:
        limits = httpx.Limits(max_connections=50)
        async with httpx.AsyncClient(base_url=service.url, timeout=TIMEOUT, limits=limits) as c:
            calls = [c.post(path, params=query(path), json=member) for path, member in requests]
            return await asyncio.wait_for(asyncio.gather(*calls), timeout=300)

    responses = asyncio.run(send_all())
    for (path, member), response in zip(requests, responses, strict=True):
        if member["renewal_due"] == "2027-02-30":
            assert response.status_code == 422
            assert response.json()["problems"][0]["path"] == "$.renewal_due"
        else:
            assert response.text == library_json(path, member)


# -------------------------------------------------------------------- batch

BATCH_SIZE = 10_000


def batch_line(i: int) -> str:
    """Line ``i + 1`` of the big batch: a small member, or now and then a bad line."""
    if i % 1000 == 999:
        return f'{{"member_id": "BROKEN-{i}", "renewal_due": '
    if i % 2500 == 1234:
        return ""
    if i % 1500 == 700:
        return json.dumps({**INVALID, "member_id": f"BAD-{i}"})
    return json.dumps(small_member(i))


def test_a_10000_member_batch_is_streamed_in_and_out(service: Service) -> None:
    def body() -> Iterator[bytes]:  # chunked: the service never learns the length up front
        for start in range(0, BATCH_SIZE, 100):
            yield "".join(batch_line(i) + "\n" for i in range(start, start + 100)).encode()

    answers: list[str] = []
    finished = threading.Event()

    def run_batch() -> None:
        with (
            httpx.Client(base_url=service.url, timeout=TIMEOUT) as c,
            c.stream("POST", "/v1/batch", params=query("/v1/batch"), content=body()) as response,
        ):
            assert response.status_code == 200
            assert response.headers["content-type"] == "application/x-ndjson"
            answers.extend(response.iter_lines())
        finished.set()

    batch = threading.Thread(target=run_batch)
    batch.start()
    try:
        # Other requests are answered while the batch is evaluated: no blocked event loop.
        with httpx.Client(base_url=service.url, timeout=TIMEOUT) as other:
            member = EXAMPLES["02_multi_credential_short_cpma"]
            for _ in range(3):
                assert other.get("/healthz").status_code == 200
                single = other.post("/v1/evaluate", params=query("/v1/evaluate"), json=member)
                assert single.text == library_json("/v1/evaluate", member)
            answered_during_the_batch = not finished.is_set()
    finally:
        batch.join(timeout=600)
    assert not batch.is_alive()
    assert answered_during_the_batch
    assert len(answers) == BATCH_SIZE
    for i, answer in enumerate(answers):
        result = json.loads(answer)
        line = batch_line(i)
        if i % 1000 == 999 or i % 2500 == 1234 or i % 1500 == 700:
            kind = "json_invalid" if i % 1000 == 999 else "empty" if line == "" else None
            assert result["error"] == "invalid_member"
            assert (result["line"], result["index"]) == (i + 1, i)
            if kind:
                assert result["problems"][0]["type"] == kind
            else:
                assert result["member_id"] == f"BAD-{i}"
        else:
            assert result["member_id"] == f"S-{i}"
            if i % 97 == 0:  # a sample, byte for byte
                assert answer == library_json("/v1/evaluate", line)


def test_batch_results_come_back_before_the_body_ends(service: Service) -> None:
    """A client that reads while it sends gets each result while it is still sending."""
    lines = [json.dumps(small_member(i)) + "\n" for i in range(6)]
    connection = h11.Connection(h11.CLIENT)
    with socket.create_connection((HOST, service.port), timeout=60) as sock:

        def send(*events: Any) -> None:
            for event in events:
                sock.sendall(connection.send(event))

        def next_event() -> Any:
            while (event := connection.next_event()) is h11.NEED_DATA:
                connection.receive_data(sock.recv(65536))
            return event

        target = f"/v1/batch?as_of={AS_OF.isoformat()}"
        headers = [("Host", f"{HOST}:{service.port}"), ("Transfer-Encoding", "chunked")]
        send(h11.Request(method="POST", target=target, headers=headers))
        send(h11.Data(data="".join(lines[:3]).encode()))
        response = next_event()
        assert isinstance(response, h11.Response) and response.status_code == 200
        received = b""
        for _ in range(100):  # three lines back, with the body still open
            if received.count(b"\n") >= 3:
                break
            event = next_event()
            assert isinstance(event, h11.Data)
            received += event.data
        assert received.count(b"\n") == 3
        send(h11.Data(data="".join(lines[3:]).encode()), h11.EndOfMessage())
        for _ in range(100):
            event = next_event()
            if isinstance(event, h11.EndOfMessage):
                break
            received += event.data
    answers = received.decode().splitlines()
    assert answers == [library_json("/v1/evaluate", line) for line in lines]


@pytest.fixture(scope="module")
def small_limits() -> Iterator[Service]:
    limits = {"CEU_SERVICE_MAX_BODY_BYTES": "2000", "CEU_SERVICE_MAX_BATCH_BYTES": "12000"}
    with running_service(limits) as running:
        yield running


def test_batch_lines_every_line_an_entry(small_limits: Service) -> None:
    member = json.dumps(small_member(3))
    lines = [
        "\ufeff" + member + "\r",  # a byte order mark, and CRLF
        "",  # a blank line is an entry
        "x" * 5000,  # too long: refused without being kept
        '{"member_id": "M-9", "renewal_due": "2027-01-01"}',
        member,  # the last line needs no newline
    ]
    body = "\n".join(lines).encode()
    with httpx.Client(base_url=small_limits.url, timeout=TIMEOUT) as c:
        answers = [json.loads(a) for a in c.post("/v1/batch", content=body).iter_lines()]
    assert [a.get("line") for a in answers] == [None, 2, 3, 4, None]
    assert answers[0]["member_id"] == answers[4]["member_id"] == "S-3"
    assert answers[1]["problems"][0]["type"] == "empty"
    assert answers[2]["problems"] == [
        {"type": "too_long", "path": "$", "message": "line 3 is longer than 2000 bytes"}
    ]
    assert answers[3]["member_id"] == "M-9"
    assert answers[3]["problems"][0]["path"] == "$.credentials"


def test_an_empty_batch_has_an_empty_answer(small_limits: Service) -> None:
    with httpx.Client(base_url=small_limits.url, timeout=TIMEOUT) as c:
        response = c.post("/v1/batch", content=b"")
    assert (response.status_code, response.text) == (200, "")


def test_a_batch_over_its_limit(small_limits: Service) -> None:
    lines = [json.dumps(small_member(i)) + "\n" for i in range(40)]  # about 400 bytes each
    with httpx.Client(base_url=small_limits.url, timeout=TIMEOUT) as c:
        declared = c.post("/v1/batch", content="".join(lines).encode())
        assert declared.status_code == 413  # Content-Length says so: nothing is read

        def chunks() -> Iterator[bytes]:
            yield from (line.encode() for line in lines)

        streamed = [json.loads(a) for a in c.post("/v1/batch", content=chunks()).iter_lines()]
    *reports, last = streamed
    assert [r["member_id"] for r in reports] == [f"S-{i}" for i in range(len(reports))]
    assert sum(len(line) for line in lines[: len(reports)]) <= 12000
    assert sum(len(line) for line in lines[: len(reports) + 1]) > 12000
    assert last["error"] == "too_large"
    assert last["line"] == len(reports) + 1


# ------------------------------------------------------------------ failures

# Injects a failure into the library for members whose member_id is BOOM, in
# the single-member endpoints and inside evaluate_many.
FAILING = """
import json, sys
sys.path.insert(0, SERVICE_DIR)
import uvicorn
import ceu_compliance._batch
import ceu_service.service

def failing(real):
    def run(member, **options):
        data = member if isinstance(member, dict) else json.loads(member)
        if data.get("member_id") == "BOOM":
            raise RuntimeError("injected failure")
        return real(member, **options)
    return run

ceu_service.service.evaluate = failing(ceu_service.service.evaluate)
ceu_compliance._batch.evaluate = failing(ceu_compliance._batch.evaluate)
uvicorn.run(ceu_service.create_app(), host="127.0.0.1", port=PORT, access_log=False)
"""


@pytest.fixture(scope="module")
def failing() -> Iterator[Service]:
    with running_service(launcher=FAILING) as running:
        yield running


def test_a_failure_is_logged_with_its_traceback_and_answered_without_it(failing: Service) -> None:
    boom = {**EXAMPLES["01_cpc_compliant"], "member_id": "BOOM"}
    with httpx.Client(base_url=failing.url, timeout=TIMEOUT) as c:
        response = c.post("/v1/evaluate", json=boom)
        assert c.get("/healthz").status_code == 200  # and the service goes on
    assert response.status_code == 500
    body = response.json()
    assert body["error"] == "internal_error"
    assert set(body) == {"error", "message", "problems", "incident"}
    assert "Traceback" not in response.text and "injected" not in response.text
    logged = failing.log_text()
    assert f"incident {body['incident']}: POST /v1/evaluate failed" in logged
    assert "RuntimeError: injected failure" in logged


def test_a_failure_in_a_batch_fails_that_line_only(failing: Service) -> None:
    members = [{**small_member(i), "member_id": "BOOM" if i == 2 else f"S-{i}"} for i in range(5)]
    body = "".join(json.dumps(m) + "\n" for m in members)
    with httpx.Client(base_url=failing.url, timeout=TIMEOUT) as c:
        answers = [json.loads(a) for a in c.post("/v1/batch", content=body).iter_lines()]
    assert [a["member_id"] for a in answers] == ["S-0", "S-1", None, "S-3", "S-4"]
    assert answers[2]["error"] == "internal_error"
    assert answers[2]["line"] == 3
    assert f"incident {answers[2]['incident']}: POST /v1/batch, line 3 failed" in failing.log_text()


# Inputs the library once crashed on (issue 9's table): refused with 422 and
# the field's path, like any other bad member, on every member endpoint.
LIBRARY_CRASHES = {
    "ceus 1e308": ("ceus", 1e308),
    "ceus '1e400'": ("ceus", "1e400"),
    "activity as an object": ("activity", {}),
    "activity as an array": ("activity", ["webinar"]),
    "renewal_due 9999-12-31": ("renewal_due", "9999-12-31"),
    "JSON nested 10,000 deep": ("deep", None),
    "a 5,001-digit integer": ("bigint", None),
}


def crash_body(name: str) -> str:
    field, value = LIBRARY_CRASHES[name]
    member = json.loads(json.dumps(EXAMPLES["01_cpc_compliant"]))
    if field == "deep":
        return "[" * 10_000 + "]" * 10_000
    if field == "bigint":
        return json.dumps(member).replace('"ceus": 2', '"ceus": ' + "9" * 5001, 1)
    if field == "renewal_due":
        member[field] = value
    else:
        member["records"][0][field] = value
    return json.dumps(member)


@pytest.mark.parametrize("name", list(LIBRARY_CRASHES))
def test_inputs_the_library_crashed_on_are_refused(client: httpx.Client, name: str) -> None:
    for path in MEMBER_PATHS:
        response = client.post(path, params=query(path), content=crash_body(name))
        assert response.status_code == 422, response.text
        assert response.json()["problems"], response.text


# --------------------------------------------------------------- schemathesis


def served_document() -> dict[str, Any]:
    """The OpenAPI document of a service with SETTINGS, made in this process.

    schemathesis needs the document when the tests are collected, before any
    server runs (its fixture-based loader does not work with pytest 9.2);
    the document is checked to be the one the running service serves.
    """
    sys.path.insert(0, str(SERVICE_DIR))
    try:
        from ceu_service import Settings, create_app
    finally:
        sys.path.remove(str(SERVICE_DIR))
    document: dict[str, Any] = create_app(Settings.from_env(SETTINGS)).openapi()
    return document


DOCUMENT = served_document()
schemathesis.serializer.alias("application/x-ndjson", "text/plain")
api = schemathesis.openapi.from_dict(DOCUMENT)


def test_schemathesis_tests_the_document_the_service_serves(client: httpx.Client) -> None:
    assert client.get("/openapi.json").json() == DOCUMENT


@api.parametrize()  # type: ignore[untyped-decorator]  # schemathesis is untyped
@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_conforms_to_its_openapi_and_never_answers_5xx(case: Any, service: Service) -> None:
    from schemathesis.specs.openapi.checks import (
        content_type_conformance,
        response_schema_conformance,
        status_code_conformance,
    )

    response = case.call(base_url=service.url, timeout=60)
    assert response.status_code < 500, f"{response.text}: {case.as_curl_command()}"
    case.validate_response(
        response,
        checks=[status_code_conformance, content_type_conformance, response_schema_conformance],
    )


def test_the_readme_starts_the_service_the_tests_start() -> None:
    readme = (SERVICE_DIR / "README.md").read_text(encoding="utf-8")
    assert "uvicorn --app-dir examples/service ceu_service:app" in readme
