"""The FastAPI app: member JSON in, the library's own JSON out.

Evaluation is CPU-bound pure Python, so it runs in worker threads (anyio's
pool, behind a limiter of ``max_concurrency``): the event loop stays free to
accept, read and answer other requests while a member is evaluated. Threads
share one core under the GIL; to use more cores, run more uvicorn worker
processes (``--workers N``), each with its own app.
"""

# No ``from __future__ import annotations`` here: FastAPI reads the parameter
# annotations of the endpoints, and ``Periods`` is local to create_app.
import datetime as dt
from collections.abc import Callable
from functools import partial
from typing import Annotated, Literal, Protocol

import anyio
import anyio.to_thread
from fastapi import FastAPI, Query, Request
from fastapi.responses import JSONResponse, Response

from ceu_compliance import (
    InvalidMemberError,
    Problem,
    RulePack,
    RulePackError,
    __version__,
    evaluate,
    evaluate_history,
    json_schema,
    plan,
)

from . import errors, openapi
from .batch import BatchResponse
from .errors import ServiceError, refused, too_large
from .settings import Settings

_BOM = "\ufeff"

AsOf = Annotated[
    str | None,
    Query(
        pattern=openapi.ISO_DAY,
        description="The day to evaluate on (YYYY-MM-DD); today when absent.",
    ),
]

class Output(Protocol):
    """A report, plan or history."""

    def to_json(self, *, indent: int | None = 2) -> str: ...


class Engine:
    """The library behind the endpoints: one rule pack, a bounded number of calls at once."""

    def __init__(self, pack: RulePack, settings: Settings) -> None:
        self.pack = pack
        self.calls = anyio.CapacityLimiter(settings.max_concurrency)
        self.batches = anyio.CapacityLimiter(settings.max_batches)

    async def answer(self, compute: Callable[[], Output]) -> Response:
        """``compute()``'s JSON, computed in a worker thread; 422 when the member is refused."""

        def json_text() -> str:
            return compute().to_json(indent=None)

        try:
            text = await anyio.to_thread.run_sync(json_text, limiter=self.calls)
        except InvalidMemberError as exc:
            raise refused(exc.problems) from None
        except RulePackError as exc:
            # Only the history meets this on a valid member: its older periods
            # reach back past the first day the pack has rules for.
            problem = Problem("no_rules_in_force", "query.periods", exc.problems[0].message)
            message = f"rule pack {self.pack.id} has no rules for a period asked for"
            raise ServiceError(422, "rules_not_in_force", message, [problem]) from None
        return Response(text, media_type="application/json")


async def read_member(request: Request, limit: int) -> str:
    """The body as text, read up to ``limit`` bytes and refused past it.

    Raises:
        ServiceError: 413 past the limit (as declared or as read); 422 for bytes that are not UTF-8.
    """
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    body = bytearray()
    async for chunk in request.stream():
        body += chunk
        if len(body) > limit:
            raise too_large(limit)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        problem = Problem("not_utf8", "$", f"not UTF-8 text: {exc.reason} at byte {exc.start}")
        raise refused([problem]) from None
    return text.removeprefix(_BOM)


def day(as_of: str | None) -> dt.date | None:
    """``as_of`` as a date; the pattern has checked its shape, this checks the calendar."""
    if as_of is None:
        return None
    try:
        return dt.date.fromisoformat(as_of)
    except ValueError:
        problem = Problem("date_invalid", "query.as_of", f"{as_of!r} is not a real calendar date")
        raise ServiceError(422, "invalid_parameter", "1 invalid parameter", [problem]) from None


def create_app(settings: Settings | None = None) -> FastAPI:
    """The service, with ``settings`` (by default from the ``CEU_SERVICE_*`` environment).

    Raises:
        RulePackError: the configured rule pack does not load.
    """
    settings = settings or Settings.from_env()
    engine = Engine(settings.rule_pack(), settings)
    app = FastAPI(
        title="ceu-compliance service",
        version=__version__,
        description=openapi.DESCRIPTION,
        redoc_url=None,
    )
    errors.install(app)
    member_limit = settings.max_body_bytes

    @app.post("/v1/evaluate", **openapi.member_route("report", "Evaluate one member (a report)"))
    async def evaluate_member(request: Request, as_of: AsOf = None) -> Response:
        text = await read_member(request, member_limit)
        return await engine.answer(partial(evaluate, text, as_of=day(as_of), rules=engine.pack))

    @app.post("/v1/plan", **openapi.member_route("plan", "A member's completion plan (PL-MIN)"))
    async def plan_member(request: Request, as_of: AsOf = None) -> Response:
        text = await read_member(request, member_limit)
        return await engine.answer(partial(plan, text, as_of=day(as_of), rules=engine.pack))

    Periods = Annotated[
        int,
        Query(
            ge=1,
            le=settings.max_periods,
            description="How many consecutive periods, ending at `renewal_due` (H-SPLIT).",
            examples=[2],
        ),
    ]

    @app.post("/v1/history", **openapi.member_route("history", "Several periods (H-SPLIT)"))
    async def member_history(request: Request, periods: Periods, as_of: AsOf = None) -> Response:
        text = await read_member(request, member_limit)
        compute = partial(
            evaluate_history, text, periods=periods, as_of=day(as_of), rules=engine.pack
        )
        return await engine.answer(compute)

    @app.post("/v1/batch", **openapi.batch_route())
    async def batch(request: Request, as_of: AsOf = None) -> Response:
        declared = request.headers.get("content-length", "")
        if declared.isdigit() and int(declared) > settings.max_batch_bytes:
            raise too_large(settings.max_batch_bytes)
        return BatchResponse(
            pack=engine.pack,
            as_of=day(as_of),
            limiter=engine.batches,
            max_line=settings.max_body_bytes,
            max_total=settings.max_batch_bytes,
            spool_memory=settings.spool_memory_bytes,
        )

    @app.get("/v1/schema/{kind}", **openapi.schema_route())
    async def schema(kind: Literal["member", "report", "plan", "history"]) -> Response:
        return JSONResponse(json_schema(kind, rules=engine.pack))

    @app.get("/healthz", **openapi.health_route())
    async def healthz() -> Response:
        return JSONResponse({"status": "ok", "version": __version__, "rules": engine.pack.id})

    openapi.install(app, engine.pack, settings)
    return app
