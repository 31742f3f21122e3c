"""One error format for every refusal and failure, and the guard that keeps tracebacks in the log.

Every error the service answers is a JSON object ``{"error", "message",
"problems"}``: ``error`` a stable code, ``message`` a sentence for people,
``problems`` the library's :class:`~ceu_compliance.Problem` list (``type``,
``path``, ``message``; empty when the error is not about the input). A failure
of the service itself adds ``incident``, the key of its traceback in the log.
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Iterable
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ceu_compliance import Problem

log = logging.getLogger("ceu_service")


class ErrorProblem(BaseModel):
    """One thing wrong with the request, as the library lists it."""

    type: str = Field(description="Stable code: `json_invalid`, `unknown_credential`, `missing`...")
    path: str = Field(
        description="`$...` is a place in the JSON body (`$.records[3].ceus`); "
        "`query.NAME` and `path.NAME` are parameters."
    )
    message: str


class Error(BaseModel):
    """The body of every error response."""

    error: str = Field(
        description="`invalid_member`, `invalid_parameter`, `rules_not_in_force`, "
        "`too_large`, `not_found`, `method_not_allowed` or `internal_error`."
    )
    message: str
    problems: list[ErrorProblem] = Field(description="Every problem found; empty when none apply.")
    incident: str | None = Field(
        default=None, description="`internal_error` only: the key of the failure in the log."
    )


class BatchErrorLine(Error):
    """A line of /v1/batch output for an entry that has no report."""

    line: int = Field(description="The entry's line in the request body, from 1.")
    index: int = Field(description="The entry's 0-based position (`line` - 1).")
    member_id: str | None = Field(description="The entry's `member_id`, when one could be read.")


class ServiceError(Exception):
    """A refusal with its HTTP status, turned into an :class:`Error` response."""

    def __init__(
        self, status: int, error: str, message: str, problems: Iterable[Problem] = ()
    ) -> None:
        super().__init__(message)
        self.status = status
        self.error = error
        self.message = message
        self.problems = tuple(problems)

    def body(self) -> dict[str, Any]:
        return error_body(self.error, self.message, self.problems)

    def response(self) -> Response:
        return error_response(self.status, self.body())


def error_body(
    error: str, message: str, problems: Iterable[Problem] = (), incident: str | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "error": error,
        "message": message,
        "problems": [p.to_dict() for p in problems],
    }
    if incident is not None:
        body["incident"] = incident
    return body


def error_response(status: int, body: dict[str, Any]) -> Response:
    # ASCII JSON: a problem message may quote input that is not valid Unicode
    # (a lone surrogate), which a UTF-8 encoder would refuse.
    return Response(json.dumps(body), status_code=status, media_type="application/json")


def refused(problems: Iterable[Problem]) -> ServiceError:
    """422 for a member the library refused."""
    listed = tuple(problems)
    noun = "problem" if len(listed) == 1 else "problems"
    return ServiceError(422, "invalid_member", f"member refused: {len(listed)} {noun}", listed)


def too_large(limit: int) -> ServiceError:
    return ServiceError(413, "too_large", f"the request body is larger than {limit} bytes")


def incident(what: str) -> str:
    """Log the exception being handled under a new incident key, and return the key."""
    key = uuid.uuid4().hex[:16]
    log.exception("incident %s: %s failed", key, what)
    return key


def internal_error_body(key: str) -> dict[str, Any]:
    return error_body(
        "internal_error",
        f"the service failed on this request (incident {key}); it has been logged, "
        "please report it with the incident key",
        incident=key,
    )


def install(app: FastAPI) -> None:
    """Answer every refusal and failure of ``app`` in the one error format."""

    async def service_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, ServiceError)
        return exc.response()

    async def invalid_parameters(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, RequestValidationError)
        problems = [
            Problem(e["type"], ".".join(str(part) for part in e["loc"]), e["msg"])
            for e in exc.errors()
        ]
        noun = "parameter" if len(problems) == 1 else "parameters"
        message = f"{len(problems)} invalid {noun}"
        return ServiceError(422, "invalid_parameter", message, problems).response()

    async def http_error(request: Request, exc: Exception) -> Response:
        assert isinstance(exc, HTTPException)
        phrase = HTTPStatus(exc.status_code).phrase
        code = phrase.lower().replace(" ", "_")
        response = error_response(exc.status_code, error_body(code, phrase))
        if exc.headers:  # 405 names the allowed methods
            response.headers.update(exc.headers)
        return response

    app.add_exception_handler(ServiceError, service_error)
    app.add_exception_handler(RequestValidationError, invalid_parameters)
    app.add_exception_handler(HTTPException, http_error)
    app.add_middleware(ContainFailures)


class ContainFailures:
    """Any other exception: logged with its traceback, answered as ``internal_error``.

    Pure ASGI rather than an exception handler: Starlette's handler for
    ``Exception`` re-raises after answering, so the server would log every
    failure a second time, without its incident key.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracked(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, tracked)
        except ClientDisconnect:
            return  # nobody is left to answer
        except Exception:
            key = incident(f"{scope['method']} {scope['path']}")
            if not started:  # else the client sees the response cut short
                await error_response(500, internal_error_body(key))(scope, receive, send)
