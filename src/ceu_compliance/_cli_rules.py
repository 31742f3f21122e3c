"""The ``rules`` command: show, check and export rule packs (docs/rule-packs.md).

``rules`` prints the version of a pack in force on a day, every value with the
day it took effect, its source and what is uncertain about it; ``rules --check
PATH`` validates a pack as ``load_rule_pack`` does; ``rules --export`` writes a
pack to start one's own from. The text and JSON forms print one document
(:func:`rules_document`), so they never disagree.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal, TypeAlias

from ._errors import CEUComplianceError
from ._pack import (
    DEFAULT_PACK,
    CredentialEntry,
    FloorEntry,
    RulePack,
    _at,
    _is_name,
    bundled_pack_text,
    bundled_packs,
    load_rule_pack,
)
from ._pack_dump import dump_rule_pack

_Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
EXIT_OK = 0
_WIDTH = 88


class RulesRefused(CEUComplianceError):
    """Options the command cannot work with; the message says which."""


def add_command(commands: _Commands, iso_date: Callable[[str], dt.date]) -> None:
    """Register ``rules``; ``iso_date`` reads a YYYY-MM-DD option as the other commands do."""
    parser = commands.add_parser(
        "rules",
        help="show, check or export a rule pack",
        description=(
            "Print the version of a rule pack in force on a day: its shapes, every parameter "
            "with its value, the day it took effect, its source and what is uncertain, the "
            "credential catalog, floors and citations. --check validates a pack file; "
            "--export writes a pack to start one's own from. See docs/rule-packs.md."
        ),
    )
    source = parser.add_mutually_exclusive_group()
    source.add_argument("--body", help=f"a bundled body (default: {DEFAULT_PACK})")
    source.add_argument(
        "--rules", metavar="PACK_OR_FILE", help="a rule pack TOML or JSON file, or a pack name"
    )
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--check",
        metavar="PATH",
        help="validate the pack in PATH: every problem with its key on stderr (exit 2), or ok",
    )
    action.add_argument(
        "--export",
        action="store_true",
        help="write the pack whole (a bundled one as its own file, comments and all)",
    )
    parser.add_argument(
        "--on",
        type=iso_date,
        metavar="YYYY-MM-DD",
        help="show the version in force on this day (default: today)",
    )
    parser.add_argument("--format", choices=["text", "json"], help="default: text")
    parser.add_argument(
        "--out", metavar="FILE", help="with --export: a new .toml or .json file (default: stdout)"
    )
    parser.set_defaults(handler=_rules_command)


def _rules_command(args: argparse.Namespace) -> int:
    if args.check is not None:
        given = [o for o in ("body", "rules", "on", "format", "out") if getattr(args, o)]
        if given:
            raise RulesRefused(f"--check PATH takes no --{given[0]}: it checks PATH alone")
        return _check(args.check)
    if args.body is not None and args.body not in bundled_packs():
        raise RulesRefused(
            f"--body {args.body!r} is not a bundled body ({', '.join(sorted(bundled_packs()))}); "
            "give a pack file with --rules"
        )
    source: str = args.rules or args.body or DEFAULT_PACK
    if args.export:
        if args.on or args.format:
            option = "--on" if args.on else "--format"
            raise RulesRefused(
                f"--export writes every version of the pack: leave out {option} "
                "(--out FILE.json writes JSON)"
            )
        return _export(source, args.out)
    if args.out:
        raise RulesRefused("--out goes with --export; the version in force goes to stdout")
    pack = load_rule_pack(source)
    document = rules_document(pack, args.on or dt.date.today())
    if args.format == "json":
        sys.stdout.write(json.dumps(document, indent=2, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(rules_text(document))
    return EXIT_OK


def _check(path: str) -> int:
    pack = load_rule_pack(path)  # a RulePackError lists every problem (exit 2)
    versions = ", ".join(day.isoformat() for day in pack.changes)
    noun = "version" if len(pack.changes) == 1 else "versions"
    print(f"ok: {pack.id} ({pack.pack.name}), {len(pack.changes)} {noun}: {versions}")
    return EXIT_OK


def _export(source: str, out: str | None) -> int:
    format: Literal["toml", "json"] = "json" if out and out.endswith(".json") else "toml"
    if out and not out.endswith((".toml", ".json")):
        raise RulesRefused(f"--out {out!r}: a rule pack file ends .toml or .json")
    if format == "toml" and _is_name(source):
        text = bundled_pack_text(source)  # the bundled file itself, its comments kept
    else:
        text = dump_rule_pack(load_rule_pack(source), format=format)
    if out is None:
        sys.stdout.write(text)
        return EXIT_OK
    try:
        with Path(out).open("x", encoding="utf-8") as file:  # never over a pack being edited
            file.write(text)
    except FileExistsError:
        raise RulesRefused(f"{out} exists; remove it or choose another name") from None
    except OSError as exc:
        raise RulesRefused(f"cannot write {out}: {exc.strerror or exc}") from None
    return EXIT_OK


# ------------------------------------------------------------------ the document


def rules_document(pack: RulePack, day: dt.date) -> dict[str, Any]:
    """The version of ``pack`` in force on ``day``, as the JSON ``rules --format json`` prints.

    Raises:
        RulePackError: no version of the pack is in force on ``day``.
    """
    rules = pack.at(day)
    return {
        "pack": pack.pack.model_dump(mode="json", exclude={"extends"}),
        "on": day.isoformat(),
        "version": rules.version.isoformat(),
        "versions": [change.isoformat() for change in pack.changes],
        "shapes": pack.shapes.model_dump(mode="json"),
        "parameters": {
            name: trace.model_dump(mode="json", exclude={"name"})
            for name, trace in rules.trace.items()
            if name in pack.parameters
        },
        "credentials": [
            {**spec.model_dump(mode="json"), "dated": _dated(entry, rules.version)}
            for entry, spec in zip(pack.credentials, rules.credentials, strict=True)
        ],
        "floors": [
            {**floor.model_dump(mode="json"), "since": _since(written.share, rules.version)}
            for written, floor in zip(
                _in_force(pack.floors, rules.version), rules.floors, strict=True
            )
        ],
        "citations": dict(rules.citations),
    }


def _dated(entry: CredentialEntry, version: dt.date) -> list[dict[str, Any]]:
    """Each dated amount of a credential in force: the day it took effect, its source and doubts."""
    dated = []
    for field in ("minimum", "per_year", "sole_minimum", "total"):
        since = _since(getattr(entry, field), version)
        if since is not None:
            day = dt.date.fromisoformat(since)
            dated.append(
                {
                    "field": field,
                    "since": since,
                    "source": entry.sources.get(day),
                    "uncertain": entry.uncertain.get(day),
                }
            )
    return dated


def _since(value: Any, version: dt.date) -> str | None:
    """The day a dated amount in force on ``version`` took effect (None for a plain amount)."""
    found = _at(value, version) if isinstance(value, dict) else None
    return None if found is None else found[0].isoformat()


def _in_force(floors: tuple[FloorEntry, ...], version: dt.date) -> list[FloorEntry]:
    """The floors as written that are in force on ``version`` (a dated share may start later)."""
    return [f for f in floors if not isinstance(f.share, dict) or _at(f.share, version)]


# ------------------------------------------------------------------ the text


def rules_text(document: dict[str, Any]) -> str:
    """The document of :func:`rules_document`, for people."""
    info, shapes = document["pack"], document["shapes"]
    by = "due date" if info["versions_by"] == "due" else "start"
    out = [
        info["title"],
        f"  pack      {info['id']} (body {info['body']}; messages name it {info['name']})",
        *_wrapped(f"source    {info['source']}", indent=2, hang=10),
        *_wrapped(
            f"versions  {', '.join(document['versions'])} (a period is judged by the "
            f"version in force on its {by})",
            indent=2,
            hang=10,
        ),
        f"  shown     the version of {document['version']}, in force on {document['on']}",
        "",
        "Shapes",
        *(
            line
            for key, value in shapes.items()
            for line in _wrapped(f"{key:<14} {_shown(value)}", indent=2, hang=15)
        ),
        "",
        "Parameters",
    ]
    for name, p in document["parameters"].items():
        head = f"{name} = {_shown(p['value'])}   since {p['since']} ({p['rule']})"
        out += _wrapped(head, indent=2, hang=4)
        out += _wrapped(p["description"], indent=6)
        out += _wrapped(f"Source: {p['reference']}", indent=6)
        if p["uncertain"]:
            out += _wrapped(f"Uncertain: {p['uncertain']}", indent=6)
    entries = [*document["credentials"], *document["floors"]]
    # Columns as wide as the longest code (or floor id) and layer, and no less than AAPC's.
    columns = (
        max(7, *(len(e.get("code", e.get("id", ""))) for e in entries)),
        max(10, *(len(e.get("kind", e.get("layer", ""))) for e in entries)),
    )
    out += ["", f"Credentials ({len(document['credentials'])})"]
    for c in document["credentials"]:
        out += _credential_lines(c, columns)
    out += ["", "Floors"]
    floors = [line for f in document["floors"] for line in _floor_lines(f, columns)]
    out += floors or ["  none"]
    out += ["", "Citations"]
    for rule, text in document["citations"].items():
        out += _wrapped(f"{rule}: {text}", indent=2, hang=4)
    return "\n".join(out) + "\n"


def _credential_lines(c: dict[str, Any], columns: tuple[int, int]) -> list[str]:
    also = f" (also {', '.join(c['apprentice'])})" if c["apprentice"] else ""
    code, kind = columns
    head = f"{c['code']:<{code}} {c['kind']:<{kind}} {c['name']}{also}"
    lines = _wrapped(head, indent=2, hang=code + kind + 2)
    since = {d["field"]: d for d in c["dated"]}
    amounts = []
    for field in ("minimum", "sole_minimum", "per_year", "total"):
        value = c[field]
        if value is not None and value != "0":
            when = f" since {since[field]['since']}" if field in since else ""
            amounts.append(f"{field.replace('_', ' ')} {value}{when}")
    details = []
    if amounts:
        details.append(", ".join(amounts) + (f" ({c['rule']})" if c["rule"] else ""))
    if c["vendors"]:
        details.append(f"only from {', '.join(c['vendors'])}")
    if c["supersedes"]:
        details.append(f"replaces {', '.join(c['supersedes'])}")
    if details:
        lines += _wrapped("; ".join(details), indent=code + 3)
    for d in c["dated"]:
        if d["uncertain"]:
            lines += _wrapped(f"Uncertain ({d['field']}): {d['uncertain']}", indent=code + 3)
    if c["note"]:
        lines += _wrapped(f"Note: {c['note']}", indent=code + 3)
    return lines


def _floor_lines(f: dict[str, Any], columns: tuple[int, int]) -> list[str]:
    since = f" since {f['since']}" if f["since"] else ""
    code, kind = columns
    head = f"{f['id']:<{code}} {f['layer']:<{kind}} {f['name']}: share {f['share']} of the total"
    lines = _wrapped(head + since, indent=2, hang=code + kind + 2)
    sources = []
    if f["topics"]:
        sources.append(f"records on {', '.join(f['topics'])}")
    if f["providers"]:
        sources.append(f"records from {', '.join(f['providers'])}")
    lines += _wrapped(f"{' or '.join(sources)} ({f['rule']})", indent=code + 3)
    return lines


def _shown(value: Any) -> str:
    """A value as the pack file would spell it, without the quotes."""
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value) or "none"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _wrapped(text: str, *, indent: int, hang: int = 0) -> list[str]:
    return textwrap.wrap(
        text,
        width=_WIDTH,
        initial_indent=" " * indent,
        subsequent_indent=" " * (indent + hang),
        break_on_hyphens=False,
    )
