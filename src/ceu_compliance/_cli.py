"""The ``ceu-compliance`` command (docs/format.md, "Command line").

Reports and schemas go to stdout, diagnostics to stderr, never with colour and
never a traceback. Exit codes: 0 a report was produced, 1 ``--check`` found a
member not compliant, 2 the input, an option or the rule pack was refused, 3 an
internal error (a bug: one line asks for a report), 130 interrupted (Ctrl-C),
141 when the reader of stdout went away (as for a process killed by SIGPIPE).

Each subcommand is an ``_add_*`` function that declares its arguments and a
handler taking the parsed arguments. An output format is one module of the
``_render`` package (``FORMATS``); a schema is one entry in ``SCHEMAS``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import replace
from functools import partial
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeAlias, TypeVar

from . import __version__
from ._arithmetic import own_arithmetic
from ._cli_batch import add_commands as _add_roster_commands
from ._cli_rules import add_command as _add_rules_command
from ._decode import decode_json
from ._engine import evaluate
from ._errors import (
    CEUComplianceError,
    InvalidMemberError,
    Problem,
    ProblemsError,
    capped,
    how_many,
)
from ._history import evaluate_history
from ._limits import DEFAULT_LIMITS
from ._models import ComplianceReport, History, Plan
from ._pack import RulePack, load_rule_pack
from ._plan import plan
from ._printable import visible
from ._render import FORMATS
from ._schema import json_schema

PROG = "ceu-compliance"
_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

# The date the bundled examples are written around, so that `demo` prints the
# same six stories on any day it is run (see tests/test_examples.py).
DEMO_AS_OF = dt.date(2027, 4, 15)

EXIT_OK, EXIT_NOT_COMPLIANT, EXIT_REFUSED, EXIT_INTERNAL = 0, 1, 2, 3
EXIT_INTERRUPTED = 128 + 2  # as a shell reports a process killed by SIGINT (Ctrl-C)
EXIT_BROKEN_PIPE = 128 + 13  # as a shell reports a process killed by SIGPIPE

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


class _Refused(Exception):
    """Input the command cannot evaluate: the stderr message, ready to print."""


class _RosterRefused(ProblemsError):
    what = "roster"


SCHEMAS: dict[str, Callable[[], dict[str, Any]]] = {
    kind: partial(json_schema, kind) for kind in ("member", "report", "plan", "history")
}


@own_arithmetic
def main(argv: Sequence[str] | None = None) -> int:
    """Run the command line ``argv`` (default ``sys.argv[1:]``); return the exit code."""
    try:
        return _run(argv)
    except KeyboardInterrupt:
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug: one line, never a traceback, and never exit 1
        _say(
            f"internal error ({type(exc).__name__}); this is a bug in {PROG} {__version__}, "
            "please report it with the command and the input that caused it"
        )
        return EXIT_INTERNAL


def _run(argv: Sequence[str] | None) -> int:
    parser = _parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_REFUSED
    handler: Callable[[argparse.Namespace], int] = args.handler
    try:
        code = handler(args)
        sys.stdout.flush()  # so that a closed pipe is noticed here, where it is handled
        return code
    except ProblemsError as exc:
        _print_problems(f"{exc.what} refused", exc.problems)
    except (_Refused, CEUComplianceError) as exc:
        _say(str(exc))
    except BrokenPipeError:
        # The reader (`| head`) left: stop quietly, and keep the interpreter's
        # final flush of stdout from failing again.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_BROKEN_PIPE
    return EXIT_REFUSED


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Check AAPC CEU requirements for a renewal period and say exactly why.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND", required=True)
    _add_evaluate(commands)
    _add_plan(commands)
    _add_demo(commands)
    _add_schema(commands)
    _add_roster_commands(commands, [partial(_as_of_option, default_help="today"), _rules_option])
    _add_rules_command(commands, _iso_date)
    return parser


def _as_of_option(parser: argparse.ArgumentParser, default_help: str) -> None:
    parser.add_argument(
        "--as-of",
        type=_iso_date,
        metavar="YYYY-MM-DD",
        help=f"evaluate as on this date (default: {default_help})",
    )


def _format_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--format", choices=list(FORMATS), default="text", help="default: text")


def _rules_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--rules",
        metavar="PACK_OR_FILE",
        help="a bundled rule pack name or a rule pack TOML or JSON file (default: aapc)",
    )


def _strict_option(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--strict",
        action="store_true",
        help="refuse input with unknown fields (exit 2) instead of ignoring each with a "
        "warning on stderr",
    )


def _iso_date(text: str) -> dt.date:
    # Strict: date.fromisoformat would also take 20270415 and week dates.
    try:
        if _ISO_DATE.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(f"expected a real date as YYYY-MM-DD, got {text!r}")


# ---------------------------------------------------------------- evaluate


def _add_evaluate(commands: _Commands) -> None:
    parser = commands.add_parser(
        "evaluate",
        help="evaluate a member or a roster of members",
        description=(
            "Evaluate the member in FILE (JSON, as `ceu-compliance schema member` describes). "
            'FILE may also hold a JSON array of members or {"members": [...]}: then every '
            "member is evaluated and the input is refused if any member is."
        ),
    )
    parser.add_argument("file", metavar="FILE", help="member JSON file, or - for stdin")
    _as_of_option(parser, "today")
    _format_option(parser)
    parser.add_argument(
        "--check", action="store_true", help="exit 1 when any member is not compliant"
    )
    parser.add_argument(
        "--explain",
        action="store_true",
        help="explain each requirement and each CEU that did not count, citing the rules",
    )
    parser.add_argument(
        "--periods",
        type=_positive_int,
        metavar="N",
        help="evaluate the N consecutive periods ending at renewal_due, sharing renewal-month "
        "CEUs between them (H-SPLIT); --check then looks at the latest period",
    )
    _rules_option(parser)
    _strict_option(parser)
    parser.set_defaults(handler=_evaluate_command)


def _evaluate_command(args: argparse.Namespace) -> int:
    members, roster = _members_of(_read_json(args.file))
    rules = _load_rules(args.rules)
    if args.periods is not None:
        if args.explain:
            raise _Refused("--explain explains one period; leave out --periods")
        histories = _each(
            members,
            roster,
            lambda m: evaluate_history(
                m, periods=args.periods, as_of=args.as_of, rules=rules, strict=args.strict
            ),
        )
        _print_warnings(members, histories)
        form = FORMATS[args.format]
        sys.stdout.write(form.histories(histories) if roster else form.history(histories[0]))
        compliant = [h.periods[-1].compliant for h in histories]
    else:
        reports = _each(
            members,
            roster,
            lambda m: evaluate(m, as_of=args.as_of, rules=rules, strict=args.strict),
        )
        _print_warnings(members, reports)
        form = FORMATS[args.format]
        if args.explain:
            explanations = [report.explain(rules=rules) for report in reports]
            out = form.explanations(explanations) if roster else form.explanation(explanations[0])
        else:
            out = form.reports(reports) if roster else form.report(reports[0])
        sys.stdout.write(out)
        compliant = [r.compliant for r in reports]
    return EXIT_NOT_COMPLIANT if args.check and not all(compliant) else EXIT_OK


def _add_plan(commands: _Commands) -> None:
    parser = commands.add_parser(
        "plan",
        help="the fewest additional CEUs that would make a member compliant (PL-MIN)",
        description="Print the completion plan for the member in FILE (- for stdin).",
    )
    parser.add_argument("file", metavar="FILE", help="member JSON file, or - for stdin")
    _as_of_option(parser, "today")
    _format_option(parser)
    _rules_option(parser)
    _strict_option(parser)
    parser.set_defaults(handler=_plan_command)


def _plan_command(args: argparse.Namespace) -> int:
    members, roster = _members_of(_read_json(args.file))
    rules = _load_rules(args.rules)
    plans = _each(
        members, roster, lambda m: plan(m, as_of=args.as_of, rules=rules, strict=args.strict)
    )
    _print_warnings(members, plans)
    form = FORMATS[args.format]
    sys.stdout.write(form.plans(plans) if roster else form.plan(plans[0]))
    return EXIT_OK


def _read_json(file: str) -> Any:
    """The JSON data of ``file`` (``-``: standard input), read as the library reads JSON text.

    At most ``Limits.max_document_bytes`` are read: a longer input is refused
    without being read whole.
    """
    name = "standard input" if file == "-" else file
    most = DEFAULT_LIMITS.max_document_bytes + 1
    content: str | bytes
    try:
        if file == "-":
            stdin = getattr(sys.stdin, "buffer", sys.stdin)
            content = stdin.read(most)
        else:
            with Path(file).open("rb") as opened:
                content = opened.read(most)
    except OSError as exc:
        raise _Refused(f"cannot read {name}: {exc.strerror or exc}") from None
    except ValueError:  # a NUL in the file name
        raise _Refused(f"cannot read {name}: not a file name") from None
    # utf-8-sig: editors on Windows like to start JSON files with a BOM.
    data, problems = decode_json(content, DEFAULT_LIMITS)
    if problems:
        raise _Refused(f"{name}: {problems[0].message}")
    return data


def _members_of(data: Any) -> tuple[list[tuple[str, Any]], bool]:
    """The members in ``data``, each with its JSON path, and whether it is a roster."""
    if isinstance(data, list):
        return [(f"$[{i}]", m) for i, m in enumerate(data)], True
    if isinstance(data, dict) and "members" in data:
        if not isinstance(data["members"], list):
            raise _Refused("$.members: a roster's members must be a JSON array")
        return [(f"$.members[{i}]", m) for i, m in enumerate(data["members"])], True
    return [("$", data)], False


def _load_rules(source: str | None) -> RulePack | None:
    # Loaded once here rather than by evaluate() for each member of a roster.
    return None if source is None else load_rule_pack(source)


_T = TypeVar("_T")


def _each(members: list[tuple[str, Any]], roster: bool, run: Callable[[Any], _T]) -> list[_T]:
    """``run`` on every member, or nothing: one refused member refuses the whole input."""
    results = []
    problems: list[Problem] = []
    for path, member in members:
        try:
            results.append(run(member))
        except InvalidMemberError as exc:
            # A problem of an option (as_of, periods) is every member's: say it once.
            if not roster or not exc.problems[0].path.startswith("$"):
                raise
            # Member paths start with "$"; locate them in the roster instead.
            problems += [replace(p, path=path + p.path[1:]) for p in exc.problems]
    if problems:
        raise _RosterRefused(capped(problems, DEFAULT_LIMITS.max_problems))
    if not results:
        raise _Refused("the roster has no members")
    return results


def _positive_int(text: str) -> int:
    if text.isdigit() and int(text) > 0:
        return int(text)
    raise argparse.ArgumentTypeError(f"expected a whole number of periods >= 1, got {text!r}")


def _print_warnings(
    members: Sequence[tuple[str, Any]], outputs: Sequence[ComplianceReport | History | Plan]
) -> None:
    """What each member's input had that was ignored, located in the roster like problems."""
    for (path, _), output in zip(members, outputs, strict=True):
        for warning in output.warnings:
            _say(f"warning: {path}{warning.path[1:]}: {warning.message}")


def _print_problems(header: str, problems: Sequence[Problem]) -> None:
    lines = [f"{PROG}: {header}, {how_many(problems)}:", *map(str, problems)]
    print("\n".join(lines), file=sys.stderr)


def _say(message: str) -> None:
    """One diagnostic on stderr; what the input put in it cannot break the line."""
    print(f"{PROG}: {visible(message)}", file=sys.stderr)


# -------------------------------------------------------------------- demo


def _add_demo(commands: _Commands) -> None:
    parser = commands.add_parser(
        "demo",
        help="evaluate the bundled example members",
        description=(
            "Evaluate the bundled example members and print them as a roster: a summary "
            "table, then each member's report (in json format, a JSON array of reports)."
        ),
    )
    _as_of_option(parser, str(DEMO_AS_OF))
    _format_option(parser)
    parser.set_defaults(handler=_demo_command)


def example_members() -> list[tuple[str, str]]:
    """The bundled example members as (file name, JSON text), in file-name order.

    The repository's ``examples/members`` is their one copy: a wheel carries it as
    the package's ``examples`` folder; an editable install of a checkout reads it
    in place.
    """
    folder: Traversable = resources.files("ceu_compliance").joinpath("examples")
    if not folder.is_dir():
        folder = Path(__file__).resolve().parents[2] / "examples" / "members"
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".json")), key=lambda f: f.name)
    return [(f.name, f.read_text(encoding="utf-8")) for f in files]


def _demo_command(args: argparse.Namespace) -> int:
    as_of = args.as_of or DEMO_AS_OF
    reports = [evaluate(text, as_of=as_of) for _, text in example_members()]
    sys.stdout.write(FORMATS[args.format].reports(reports))
    return EXIT_OK


# ------------------------------------------------------------------ schema


def _add_schema(commands: _Commands) -> None:
    parser = commands.add_parser(
        "schema",
        help="print the JSON Schema of the input or the report",
        description="Print the JSON Schema of a member (input) or a report (output).",
    )
    parser.add_argument("which", choices=list(SCHEMAS))
    parser.set_defaults(handler=_schema_command)


def _schema_command(args: argparse.Namespace) -> int:
    print(json.dumps(SCHEMAS[args.which](), indent=2))
    return EXIT_OK
