"""``dna model`` and ``dna redact``: see which model would be asked, and what it would see."""

from __future__ import annotations

import argparse
import sys

from dna_kit.cli._base import add_command

TYPE_CHECKING = False  # not typing.TYPE_CHECKING: `dna --help` must start fast

if TYPE_CHECKING:
    from typing import Any


def register(subparsers: Any) -> None:
    p = add_command(
        subparsers, "model", cmd_model,
        help="show the configured language model (if any) and, with --check, ask it",
        description="Show which language model dna_kit would use (DNA_LLM_MODEL or llm.model "
                    "in dna/config.yaml, at OPENAI_BASE_URL), where its answers are cached, "
                    "and what is redacted. Nothing is sent unless --check is given; then "
                    "the endpoint is asked for its model list. With no model configured "
                    "it says so and exits 0: everything works offline.",
        example="dna model --check",
    )
    p.add_argument("--check", action="store_true",
                   help="ask the endpoint for its models (GET /models); exit 1 if it fails")

    p = add_command(
        subparsers, "redact", cmd_redact,
        help="print a source as a model would receive it: secrets and personal data replaced",
        description="Print each file with secrets (cloud keys, tokens, private keys, "
                    "passwords in URLs and settings), e-mail addresses and phone numbers "
                    "replaced by [REDACTED:type] placeholders, exactly as dna_kit redacts "
                    "text before it is sent to a model or stored in a finding. --counts "
                    "prints only how many of each type were found. Nothing is written.",
        example="dna redact incidents/2026-03-14-retry-storm.md --ip-addresses "
                "--name 'Ana Ruiz'",
    )
    p.add_argument("paths", nargs="+", metavar="FILE", help="text files to redact")
    p.add_argument("--ip-addresses", action="store_true", help="also redact IP addresses")
    p.add_argument("--name", action="append", default=[], metavar="NAME",
                   help="also redact this name wherever it appears (repeatable)")
    p.add_argument("--counts", action="store_true",
                   help="print only the number of replacements per file and type")


def _project_config(cwd: str) -> tuple[dict[str, Any], Any]:
    from dna_kit.errors import ProjectError
    from dna_kit.project import find_project

    try:
        project = find_project(cwd)
    except ProjectError:
        return {}, None
    return project.config(), project


def cmd_model(args: argparse.Namespace) -> int:
    from dna_kit.llm import LLMClient, load_llm_config

    config_data, project = _project_config(args.cwd)
    config = load_llm_config(config_data)
    if config is None:
        print("no model configured: everything runs offline. To use one, set DNA_LLM_MODEL "
              "(or llm.model in dna/config.yaml) and OPENAI_BASE_URL / OPENAI_API_KEY.")
        return 0
    client = LLMClient(config, project=project)
    extra = []
    if config.redact_ip_addresses:
        extra.append("IP addresses")
    if config.redact_names:
        extra.append(f"{len(config.redact_names)} name(s)")
    print(f"model:     {config.describe()} (from {config.origin})")
    print(f"requests:  {config.timeout:g} s timeout, {config.max_retries} retries, "
          f"backoff from {config.backoff:g} s")
    print("cache:     " + (str(client.cache_dir) if client.cache_dir and config.cache
                           else "off"))
    print("redacted:  secrets, e-mail addresses, phone numbers"
          + (", " + ", ".join(extra) if extra else ""))
    if args.check:
        models = client.list_models()  # a ModelError here is exit 1 with its message
        # Not an error when the name is missing: servers name models their own way
        # (Ollama lists "llama3.1:latest" and answers to "llama3.1").
        note = "" if config.model in models else (
            f"; {config.model!r} is not among them: " + ", ".join(models[:10]))
        print(f"endpoint:  answers; {len(models)} model(s) offered{note}")
    return 0


def cmd_redact(args: argparse.Namespace) -> int:
    from pathlib import Path

    from dna_kit.errors import SourceError
    from dna_kit.redact import redact

    failed = 0
    for name in args.paths:
        path = Path(args.cwd, name)
        try:
            text = path.read_bytes().decode("utf-8")
        except OSError as exc:
            print(f"dna redact: {SourceError(exc.strerror or str(exc), path=name)}",
                  file=sys.stderr)
            failed += 1
            continue
        except UnicodeDecodeError as exc:
            print(f"dna redact: {SourceError(f'not UTF-8 text (byte {exc.start})', path=name)}",
                  file=sys.stderr)
            failed += 1
            continue
        result = redact(text, names=args.name, ip_addresses=args.ip_addresses)
        if args.counts:
            found = ", ".join(f"{kind} {n}" for kind, n in result.counts.items()) or "nothing"
            print(f"{name}: {found}")
        else:
            if len(args.paths) > 1:
                print(f"==> {name} <==")
            sys.stdout.write(result.text if result.text.endswith("\n") or not result.text
                             else result.text + "\n")
    return 1 if failed else 0
