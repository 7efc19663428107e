"""Every command shown in README.md and docs/*.md runs as written and prints what the page shows.

What counts as a command:

- a *transcript*: a fenced block (untagged, ``console``, ``bash``, ``sh``) with ``$ cmd``
  lines, each followed by the output the page shows for it;
- a *command block*: a ``bash`` / ``sh`` / ``shell`` block without ``$`` prompts; every
  line is a command (``\\`` continues a line, a trailing ``# comment`` is dropped).

Untagged, ``text`` and ``console`` blocks without prompts are output or diagrams; a line
in one that starts like a command (``planner``, ``python``, ``pip`` ...) fails the test,
so that no command hides from it. A ``yaml`` block whose first line is ``# instances/F``
must be that file, character for character.

How they run: the pages run one after the other, README.md first, then docs/*.md in the
order of the README's ``docs/`` row (the reading order), each page's commands in page
order, all in **one** scratch copy of the files the commands read (``instances/``,
``models/``, ``scripts/``, ``benchmarks/``, ``docs/``) in ``tmp_path``, with that copy as the
working directory, so ``out/...`` lands there and a page sees what the pages before it
wrote, as a reader who follows them does. (Run one page with ``-k``, and the pages
before it run first, unchecked.) Commands run with the ``planner`` and ``python`` of the
environment running the tests, in a terminal 100 columns wide (``COLUMNS=100``, as the
pages say), standard error merged into standard output. A command with shell syntax
(a pipe, ``$``, a redirection ...) runs in ``bash -c``. A plain ``planner ARGS``,
``python -m planner ARGS``, ``python -c CODE`` or ``python SCRIPT.py ARGS`` runs in a
fresh child forked from a process that has imported the installed planner once and
run nothing (``preload_planner.py``): the same entry point and arguments, without 1.5 s
of imports per command. A command ending in ``&`` runs in the background until its
page is done (the test waits for each ``--port`` it names to accept connections, and
fails if it ends early); the test stops it then.

Two kinds of command are not run, by rule rather than by exemption:

- ``pip install ...``: the test cannot install (it runs inside the installed
  environment; the install itself is exercised by CI's fresh venv, ``.ci/run``). For
  ``pip install X && REST`` (the README's first line) the test runs ``REST``. It checks
  that the installed planner is this checkout's version, and compares a shown ``pip
  install`` output with ``Successfully installed planner-VERSION``;
- ``python -m pytest ...`` (the README's test command): it is the suite that runs this
  test, so it is not run again inside it.

What is checked:

- the exit code: what a following ``$ echo $?`` shows, else 0;
- for a transcript, the output: the page's lines appear in the actual output in order
  and contiguously; a ``...`` (a line of its own, or a word of its own) stands for
  output left out, and only there may the actual output have more. Output shown
  without a leading ``...`` starts at the first line of the actual output, and without
  a trailing ``...`` ends at its last. A ``...`` inside a word (``2999999.99...,``) stands
  for the rest of a figure cut short. Before comparing, numbers that are times
  (``6.02 s``, ``0:00:03``), dates, versions (``1.16.0``) and paths under ``/tmp`` or the
  scratch copy are masked on both sides, and runs of white space (table padding, and
  the line breaks that a masked number's length moves) count as one space. Every
  other character must match: status words, figures of the optimum, messages.

A block may be exempted with ``<!-- docs-test: not run: REASON -->`` on the line before
it. Its commands are not run, but their options are still parsed by the tool itself
(click's parser for ``planner``, ``--help`` of the other tools), and there may be at most
``MAX_EXEMPT`` of them.

Each page is one test (parametrised), and its failures name the page and line.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import re
import select
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import time
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
COPIED = ("instances", "models", "scripts", "benchmarks", "docs")
COLUMNS = 100
MAX_EXEMPT = 3
COMMAND_TIMEOUT_S = 900  # a hung command fails instead of blocking the suite
PORT_DEADLINE_S = 120
EXEMPT = re.compile(r"^\s*<!--\s*docs-test:\s*not run:\s*(?P<reason>.+?)\s*-->\s*$")
FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})\s*(?P<lang>[\w+-]*)\s*$")
SHELL = {"bash", "sh", "shell"}
SHOWN_FILE = re.compile(r"^#\s+(?P<path>(?:instances|models)/[\w.-]+\.ya?ml)(?::|\s|$)")
LOOKS_LIKE_COMMAND = re.compile(r"^\s*(\$\s|planner\s|python3?\s|pip\s|dask\s|jq\s|cd\s|chromium\s|bash\s)")


# --------------------------------------------------------------------------------------
# Reading the pages
# --------------------------------------------------------------------------------------


@dataclass
class Command:
    page: str
    line: int  # 1-based line of the page where the command starts
    text: str  # as the shell gets it (continuations joined, comment dropped)
    shown: list[tuple[int, str]] | None = None  # transcript output lines (page line, text), None: not shown
    exit_code: int = 0  # what the page implies
    exempt: str | None = None  # the reason of a `docs-test: not run` marker

    @property
    def where(self) -> str:
        return f"{self.page}:{self.line}"


@dataclass
class Page:
    name: str
    commands: list[Command] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # found while reading the page
    exempt_blocks: int = 0


def _strip_comment(line: str) -> str:
    """Drop a trailing `# comment` (a `#` at the start of a word, outside quotes)."""
    quote = None
    prev = " "
    for i, ch in enumerate(line):
        if quote:
            if ch == quote:
                quote = None
            elif ch == "\\" and quote == '"':
                pass
        elif ch in "'\"":
            quote = ch
        elif ch == "#" and prev.isspace():
            return line[:i].rstrip()
        prev = ch
    return line.rstrip()


def _blocks(name: str, text: str):
    """Fenced blocks: (lang, first content line number, content lines, exempt reason)."""
    lines = text.splitlines()
    i = 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, lang = m["indent"], m["fence"], m["lang"].lower()
        j = i - 1
        while j >= 0 and not lines[j].strip():
            j -= 1
        em = EXEMPT.match(lines[j]) if j >= 0 else None
        body = []
        k = i + 1
        while k < len(lines):
            s = lines[k]
            if s.strip().startswith(fence[0] * len(fence)) and set(s.strip()) == {fence[0]}:
                break
            body.append(s[len(indent) :] if s.startswith(indent) else s.lstrip())
            k += 1
        yield lang, i + 2, body, (em["reason"] if em else None)
        i = k + 1


def _join_continuations(body: list[str], start: int):
    """(page line, logical line) with `\\` continuations joined."""
    out: list[tuple[int, str]] = []
    cur: str | None = None
    cur_line = 0
    for n, raw in enumerate(body, start):
        if cur is None:
            cur, cur_line = raw, n
        else:
            cur = cur + " " + raw.strip()
        if cur.rstrip().endswith("\\"):
            cur = cur.rstrip()[:-1].rstrip()
            continue
        out.append((cur_line, cur))
        cur = None
    if cur is not None:
        out.append((cur_line, cur))
    return out


def read_page(name: str) -> Page:
    page = Page(name)
    text = (ROOT / name).read_text(encoding="utf-8")
    for lang, start, body, exempt in _blocks(name, text):
        if exempt:
            page.exempt_blocks += 1
        is_transcript = any(s.startswith("$ ") or s == "$" for s in body)
        if is_transcript and lang in SHELL | {"", "console"}:
            _read_transcript(page, body, start, exempt)
        elif lang in SHELL:
            for n, logical in _join_continuations(body, start):
                cmd = _strip_comment(logical)
                if cmd.strip():
                    page.commands.append(Command(name, n, cmd.strip(), exempt=exempt))
        elif lang in {"yaml", "yml"} and body and (m := SHOWN_FILE.match(body[0])):
            f = ROOT / m["path"]
            shown = "\n".join(body) + "\n"
            if not f.is_file() or f.read_text(encoding="utf-8") != shown:
                page.problems.append(
                    f"{name}:{start}: the block shows the file {m['path']}, which "
                    + ("differs from it" if f.is_file() else "does not exist")
                )
        elif lang in {"", "text", "console"}:
            for n, s in enumerate(body, start):
                if LOOKS_LIKE_COMMAND.match(s):
                    page.problems.append(
                        f"{name}:{n}: a command in a ```{lang or ''} block that is not a shell block: "
                        f"show it as a `$` transcript or in a ```bash block: {s.strip()!r}"
                    )
        elif exempt:
            page.problems.append(f"{name}:{start - 1}: a docs-test marker before a ```{lang} block (not commands)")
    return page


def _read_transcript(page: Page, body: list[str], start: int, exempt: str | None) -> None:
    cmds: list[Command] = []
    i = 0
    while i < len(body):
        s = body[i]
        n = start + i
        if not (s.startswith("$ ") or s == "$"):
            if not cmds:
                page.problems.append(f"{page.name}:{n}: output before the first `$` command of a transcript")
            else:
                cmds[-1].shown.append((n, s))
            i += 1
            continue
        text = s[2:]
        while text.rstrip().endswith("\\") and i + 1 < len(body):
            i += 1
            text = text.rstrip()[:-1].rstrip() + " " + body[i].strip()
        cmd = _strip_comment(text).strip()
        if cmd == "echo $?":
            if not cmds:
                page.problems.append(f"{page.name}:{n}: `echo $?` without a command before it")
            else:
                cmds[-1].exit_code = -999  # filled from the shown output below
                cmds.append(Command(page.name, n, cmd, shown=[], exempt=exempt))
        else:
            cmds.append(Command(page.name, n, cmd, shown=[], exempt=exempt))
        i += 1
    # `echo $?` -> the exit code of the command before it
    result: list[Command] = []
    for c in cmds:
        if c.text == "echo $?":
            prev = result[-1]
            vals = [t.strip() for _, t in c.shown if t.strip()]
            if len(vals) != 1 or not vals[0].isdigit():
                page.problems.append(f"{c.where}: `echo $?` must show one exit code, shows {vals!r}")
                prev.exit_code = 0
            else:
                prev.exit_code = int(vals[0])
            continue
        result.append(c)
    page.commands.extend(result)


def page_order() -> list[str]:
    """README.md, then docs/*.md in the order of the README's `docs/` row, then any other page."""
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    row = next((ln for ln in readme.splitlines() if ln.startswith("| `docs/`")), "")
    order = ["README.md"]
    for target in re.findall(r"\]\((docs/[\w.-]+\.md)(?:#[^)]*)?\)", row):
        if target not in order:
            order.append(target)
    for p in sorted((ROOT / "docs").glob("*.md")):
        rel = f"docs/{p.name}"
        if rel not in order:
            order.append(rel)
    return order


PAGES = page_order()


# --------------------------------------------------------------------------------------
# Comparing output
# --------------------------------------------------------------------------------------

_MASKS = [
    (re.compile(r"\b\d{4}-\d{2}-\d{2}(?:[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?"), "<date>"),
    (re.compile(r"\b\d+:\d{2}:\d{2}\b"), "<time>"),
    (re.compile(r"\bv?\d+\.\d+\.\d+(?:[.+-][0-9A-Za-z]+)*\b"), "<version>"),
    (re.compile(r"\(git hash: \w+\)"), "(git hash: <hash>)"),
    (re.compile(r"(?<![\w.,])\d+(?:\.\d+)?\s+(?:s|ms|min)\b"), "<time>"),
]


def mask(text: str, workdirs: list[str]) -> str:
    for d in sorted(workdirs, key=len, reverse=True):
        if d:
            text = text.replace(d.rstrip("/") + "/", "<tmp>/").replace(d.rstrip("/"), "<tmp>")
    text = re.sub(r"(?<![\w.-])/tmp/[^\s'\"),;]*", "<tmp>", text)
    for rx, repl in _MASKS:
        text = rx.sub(repl, text)
    return text


def _tokens(text: str) -> list[tuple[str, bool, bool]]:
    """(word, starts a line, ends a line) for every whitespace-separated word."""
    out = []
    for line in text.splitlines():
        words = line.split()
        for i, w in enumerate(words):
            out.append((w, i == 0, i == len(words) - 1))
    return out


def _same(shown: str, actual: str) -> bool:
    """A shown word matches an actual one exactly, except that a `...` inside it (a figure
    cut short, `2999999.99...,`) stands for any characters there."""
    if "..." not in shown:
        return shown == actual
    return re.fullmatch(r"\S*".join(re.escape(p) for p in shown.split("...")), actual) is not None


def _match_at(want: list[str], words: list[str], s: int) -> int:
    """How many words of `want` match `words` from position `s` on."""
    k = 0
    while k < len(want) and s + k < len(words) and _same(want[k], words[s + k]):
        k += 1
    return k


def compare(shown: list[tuple[int, str]], actual: str, workdirs: list[str]) -> str | None:
    """None if the page's lines appear in the actual output as the module docstring says,
    else a message naming the first page line that does not."""
    # chunks of shown words between `...` gaps; each word keeps its page line
    chunks: list[list[tuple[str, int, bool, bool]]] = [[]]
    lead_gap = trail_gap = False
    for n, line in shown:
        words = mask(line, workdirs).split()
        for i, w in enumerate(words):
            if w in ("...", "…"):
                if not chunks[-1] and len(chunks) == 1:
                    lead_gap = True
                if chunks[-1]:
                    chunks.append([])
                continue
            chunks[-1].append((w, n, i == 0, i == len(words) - 1))
    if not chunks[-1]:  # the output shown ends with `...` (or shows nothing)
        chunks.pop()
        trail_gap = True
    act = _tokens(mask(actual, workdirs))
    words = [w for w, _, _ in act]
    pos = 0
    for ci, chunk in enumerate(chunks):
        want = [w for w, _, _, _ in chunk]
        first = ci == 0 and not lead_gap
        last = ci == len(chunks) - 1 and not trail_gap
        candidates = range(pos, len(words) - len(want) + 1)
        if first:
            candidates = [0] if len(words) >= len(want) else []
        if last:
            candidates = [s for s in candidates if s + len(want) == len(words)]
        found = None
        for s in candidates:
            if _match_at(want, words, s) != len(want):
                continue
            if chunk[0][2] and not act[s][1]:  # a shown line starts here: so must an actual one
                continue
            if chunk[-1][3] and not act[s + len(want) - 1][2]:
                continue
            found = s
            break
        if found is None:
            # name the first page line of the chunk beyond its longest prefix found in order
            best = 0
            for s0 in [0] if first else range(pos, len(words)):
                best = max(best, _match_at(want, words, s0))
            line = chunk[min(best, len(want) - 1)][1]
            where = "at the start of" if first else ("at the end of" if last else "in")
            return (
                f"page line {line} not found {where} the output (after masking): "
                f"{' '.join(w for w, n, _, _ in chunk if n == line)!r}"
            )
        pos = found + len(want)
    if not chunks and not lead_gap and words:
        return "the page shows no output, the command printed some"
    return None


# --------------------------------------------------------------------------------------
# Running the pages
# --------------------------------------------------------------------------------------


def _installed_version() -> str:
    return importlib.metadata.version("planner")


def _project_version() -> str:
    return tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]


PIP_INSTALL = re.compile(r"^pip3?\s+install\s[^&]*(?:&&\s*(?P<rest>.*))?$")
PYTEST_SELF = re.compile(r"^python3?\s+-m\s+pytest(\s|$)")


class Runner:
    """Runs the pages in order in one scratch copy; keeps each page's failures."""

    def __init__(self, work: Path, shims: Path):
        self.work = work
        self.shims = shims
        self.done: dict[str, list[str]] = {}
        self.times: dict[str, float] = {}
        for d in COPIED:
            shutil.copytree(ROOT / d, work / d, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        # `python` and `planner` are the ones of the environment running the tests
        shims.mkdir(parents=True, exist_ok=True)
        for name in ("python", "python3"):
            (shims / name).write_text(f'#!/bin/sh\nexec {shlex.quote(sys.executable)} "$@"\n')
            (shims / name).chmod(0o755)
        bindir = Path(sys.executable).parent
        env = {
            k: v
            for k, v in os.environ.items()
            if k
            not in {
                "FORCE_COLOR",
                "CLICOLOR_FORCE",
                "PY_COLORS",
                "TTY_COMPATIBLE",
                "PYTEST_ADDOPTS",
                "PYTEST_CURRENT_TEST",
                "COLUMNS",
                "LINES",
            }
        }
        env["PATH"] = os.pathsep.join([str(shims), str(bindir), env.get("PATH", "")])
        env["COLUMNS"] = str(COLUMNS)
        env["LINES"] = "50"
        env["PYTHONIOENCODING"] = "utf-8"
        self.env = env
        self.planner = shutil.which("planner", path=env["PATH"])
        self.preload: subprocess.Popen | None = None
        assert self.planner, "no `planner` on PATH: install the package first"

    def run_through(self, name: str) -> list[str]:
        for p in PAGES:
            if p not in self.done:
                t0 = time.perf_counter()
                self.done[p] = self.run_page(read_page(p))
                self.times[p] = time.perf_counter() - t0
            if p == name:
                return self.done[p]
        raise KeyError(name)

    def run_page(self, page: Page) -> list[str]:
        failures = list(page.problems)
        background: list[subprocess.Popen] = []
        try:
            for cmd in page.commands:
                if cmd.exempt:
                    failures += self.check_options(cmd)
                    continue
                failures += self.run_command(cmd, background)
        finally:
            for cmd, proc, log in background:
                if proc.poll() is not None:
                    failures.append(
                        f"{cmd.where}: `{cmd.text}` (in the background) ended with {proc.returncode} "
                        f"before the page was done:\n{_tail(log.read_text(errors='replace'))}"
                    )
                _stop(proc)
        return failures

    def run_command(self, cmd: Command, background: list) -> list[str]:
        text = cmd.text
        m = PIP_INSTALL.match(text)
        if m:
            if _installed_version() != _project_version():
                return [
                    f"{cmd.where}: `{text}`: the installed planner is {_installed_version()}, "
                    f"this checkout is {_project_version()}: install it"
                ]
            if cmd.shown:
                msg = compare(cmd.shown, f"Successfully installed planner-{_installed_version()}", [])
                if msg:
                    return [f"{cmd.where}: `{text}`: {msg}"]
            if not m["rest"]:
                return []
            text = m["rest"].strip()
        if PYTEST_SELF.match(text):
            return []  # the suite running this test
        if text.endswith("&") and not text.endswith("&&"):
            return self.start_background(cmd, text[:-1].strip(), background)
        t0 = time.perf_counter()
        argv = _planner_argv(text)
        if argv is not None:
            code, out, timed_out = self.run_preloaded(*argv)
        else:
            try:
                r = subprocess.run(
                    ["bash", "-c", text],
                    cwd=self.work,
                    env=self.env,
                    stdout=subprocess.PIPE,
                    stderr=subprocess.STDOUT,
                    timeout=COMMAND_TIMEOUT_S,
                    start_new_session=True,
                )
                code, out, timed_out = r.returncode, r.stdout.decode("utf-8", "replace"), False
            except subprocess.TimeoutExpired as exc:
                code, out, timed_out = None, (exc.output or b"").decode("utf-8", "replace"), True
        if timed_out:
            return [f"{cmd.where}: `{text}` did not end within {COMMAND_TIMEOUT_S} s; output:\n{_tail(out)}"]
        self.times[cmd.where] = time.perf_counter() - t0
        problems = []
        if code != cmd.exit_code:
            problems.append(f"exit code {code}, the page implies {cmd.exit_code}")
        if cmd.shown is not None:
            msg = compare(cmd.shown, out, [str(self.work)])
            if msg:
                problems.append(msg)
        if problems:
            return [f"{cmd.where}: `{text}`: " + "; ".join(problems) + f"\n--- output:\n{_tail(out)}"]
        return []

    def run_preloaded(self, kind: str, args: list[str]) -> tuple[int | None, str, bool]:
        """Run `planner ARGS` (or `python -m planner`, `-c`, a script) in a child of the preloaded planner."""
        if self.preload is None or self.preload.poll() is not None:
            self.preload = subprocess.Popen(
                [sys.executable, str(Path(__file__).with_name("preload_planner.py")), str(Path(self.planner).parent)],
                cwd=self.work,
                env=self.env,
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
            )
            assert self.preload.stdout.readline().strip() == "ready", "the preloaded planner did not start"
        out_file = self.work.parent / "preload-out.txt"
        req = {"kind": kind, "args": args, "argv0": self.planner, "cwd": str(self.work), "out": str(out_file)}
        self.preload.stdin.write(json.dumps(req) + "\n")
        self.preload.stdin.flush()
        pid = json.loads(self.preload.stdout.readline())["pid"]
        ready, _, _ = select.select([self.preload.stdout], [], [], COMMAND_TIMEOUT_S)
        if not ready:
            try:
                os.killpg(pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
        status = json.loads(self.preload.stdout.readline())["status"]
        return status, out_file.read_text(encoding="utf-8", errors="replace"), not ready

    def close(self) -> None:
        if self.preload is not None and self.preload.poll() is None:
            self.preload.stdin.close()
            self.preload.wait(timeout=60)

    def start_background(self, cmd: Command, text: str, background: list) -> list[str]:
        """Start `text` in the background (until the page is done); wait for each `--port` it
        names to accept connections."""
        log = self.work.parent / f"background-{len(background)}.log"
        with open(log, "wb") as f:
            proc = subprocess.Popen(
                ["bash", "-c", f"exec {text}"],
                cwd=self.work,
                env=self.env,
                stdout=f,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        background.append((cmd, proc, log))
        words = shlex.split(text)
        host = words[words.index("--host") + 1] if "--host" in words[:-1] else "127.0.0.1"
        for i, w in enumerate(words[:-1]):
            if w != "--port":
                continue
            port = int(words[i + 1])
            deadline = time.monotonic() + PORT_DEADLINE_S
            while True:
                if proc.poll() is not None:
                    return [
                        f"{cmd.where}: `{text}` ended with {proc.returncode} before its port {port} accepted "
                        f"connections:\n{_tail(log.read_text(errors='replace'))}"
                    ]
                try:
                    socket.create_connection((host, port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline:
                        return [
                            f"{cmd.where}: `{text}`: port {port} not accepting connections after "
                            f"{PORT_DEADLINE_S} s:\n{_tail(log.read_text(errors='replace'))}"
                        ]
                    _wait_a_little(proc)
        return []

    def check_options(self, cmd: Command) -> list[str]:
        """An exempted command: its options must parse, by the tool's own parser."""
        words = shlex.split(cmd.text)
        if words and words[0] == "planner":
            import importlib

            import typer

            from planner.cli import app

            group = typer.main.get_command(app)
            # click, or the copy of it that typer carries (typer._click)
            core = next(c.__module__ for c in type(group).__mro__ if c.__module__.endswith("click.core"))
            click_exceptions = importlib.import_module(core.rsplit(".", 1)[0] + ".exceptions")
            try:
                ctx = group.make_context("planner", list(words[1:]), resilient_parsing=False)
                # click 8.2 keeps the subcommand in _protected_args, click 8.1 in protected_args
                protected = ctx._protected_args if hasattr(ctx, "_protected_args") else ctx.protected_args
                args = [*protected, *ctx.args]
                sub_name, sub, rest = group.resolve_command(ctx, args)
                sub.make_context(sub_name, rest, parent=ctx)
            except click_exceptions.ClickException as exc:
                return [f"{cmd.where}: `{cmd.text}` (not run: {cmd.exempt}) does not parse: {exc.format_message()}"]
            return []
        tool = words[:2] if words[:1] == ["python"] else words[:1]
        r = subprocess.run(
            ["bash", "-c", shlex.join(tool + ["--help"])],
            cwd=self.work,
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            timeout=COMMAND_TIMEOUT_S,
        )
        helptext = r.stdout.decode("utf-8", "replace")
        missing = [w.split("=")[0] for w in words if w.startswith("--") and w.split("=")[0] not in helptext]
        if r.returncode != 0 or missing:
            return [
                f"{cmd.where}: `{cmd.text}` (not run: {cmd.exempt}): `{shlex.join(tool)} --help` "
                f"exit {r.returncode}, options not in it: {missing}"
            ]
        return []


_SHELL_CHARS = re.compile(r"[|&;<>()$`*?\[\]{}~!#\\\n]")


def _planner_argv(text: str) -> tuple[str, list[str]] | None:
    """(kind, args) for a plain `planner ARGS`, `python -m planner ARGS`, `python -c CODE` or
    `python SCRIPT.py ARGS` with nothing for the shell to do but split words (quotes
    allowed); None for anything else (run by bash)."""
    unquoted = re.sub(r"'[^']*'|\"[^\"$`\\]*\"", "", text)
    if _SHELL_CHARS.search(unquoted):
        return None
    try:
        words = shlex.split(text)
    except ValueError:
        return None
    if words[:1] == ["planner"]:
        return "planner", words[1:]
    if words[:1] not in (["python"], ["python3"]) or len(words) < 2:
        return None
    if words[1:3] == ["-m", "planner"]:
        return "module", words[3:]
    if words[1] == "-c" and len(words) > 2:
        return "code", words[2:]
    if words[1].endswith(".py"):
        return "script", words[1:]
    return None


def _wait_a_little(proc: subprocess.Popen) -> None:
    """Wait for the process for up to 0.2 s (returns early if it ends): a poll, not a sleep."""
    try:
        proc.wait(timeout=0.2)
    except subprocess.TimeoutExpired:
        pass


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        try:
            os.killpg(proc.pid, signal.SIGTERM)
            proc.wait(timeout=30)
        except (ProcessLookupError, subprocess.TimeoutExpired):
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait(timeout=30)


def _tail(text: str, n: int = 60) -> str:
    lines = text.splitlines()
    return "\n".join((["..."] if len(lines) > n else []) + lines[-n:])


@pytest.fixture(scope="module")
def runner(tmp_path_factory):
    r = Runner(tmp_path_factory.mktemp("docs") / "checkout", tmp_path_factory.mktemp("docs-shims"))
    yield r
    r.close()


@pytest.mark.parametrize("page", PAGES)
def test_page_commands(runner, page):
    failures = runner.run_through(page)
    assert not failures, f"{len(failures)} failing command(s) on {page}:\n\n" + "\n\n".join(failures)


def test_pages_found_and_exemptions_few():
    """Every page is read, the pages hold commands, and at most MAX_EXEMPT blocks are exempted."""
    pages = [read_page(p) for p in PAGES]
    assert PAGES[0] == "README.md" and len(PAGES) == 1 + len(list((ROOT / "docs").glob("*.md")))
    assert sum(len(p.commands) for p in pages) >= 60
    exempt = [(p.name, p.exempt_blocks) for p in pages if p.exempt_blocks]
    assert sum(n for _, n in exempt) <= MAX_EXEMPT, exempt


def test_comparison_is_strict():
    """The comparison masks times and versions, and nothing else."""
    out = (
        "nuanshui: status optimal (termination convergenceCriteriaSatisfied, MIP gap 0.00e+00, solve 16.02 s,\n"
        "build 0.43 s)\nx\nindependent verification: passed (19 rule checks)\n"
    )
    page = [
        (
            1,
            "nuanshui: status optimal (termination convergenceCriteriaSatisfied, MIP gap 0.00e+00, solve 6.02 s, build",
        ),
        (2, "0.58 s)"),
        (3, "..."),
        (4, "independent verification: passed (19 rule checks)"),
    ]
    assert compare(page, out, []) is None
    assert (
        compare(
            [(1, "nuanshui: status feasible (termination convergenceCriteriaSatisfied, MIP gap 0.00e+00,"), (2, "...")],
            out,
            [],
        )
        is not None
    )
    assert compare([(1, "...")] + page[3:], out, []) is None
    assert compare(page[3:], out, []) is not None  # not at the start
    assert compare([(1, "..."), (2, "(19 rule checks)")], out, []) is not None  # not a whole line
    assert (
        compare([(1, "..."), (2, "x"), (3, "independent verification: passed (18 rule checks)")], out, []) is not None
    )
    assert compare([(1, "..."), (2, "x")], out, []) is not None  # more output follows, no `...`
    assert (
        compare(
            [(1, "wrote /tmp/tl/plan.json"), (2, "Running HiGHS 1.15.0 ...")],
            "wrote /tmp/abc/plan.json\nRunning HiGHS 1.16.0 (git hash: f3f113d): Copyright\n",
            [],
        )
        is None
    )
    # a figure cut short with `...` inside a word: the rest of that word only
    out2 = "  - [budget] 2025: spending exceeds (plan 2999999.9999782396, limit 2000000.0)\n"
    assert compare([(1, "  - [budget] 2025: spending exceeds (plan 2999999.99..., limit 2000000.0)")], out2, []) is None
    assert (
        compare([(1, "  - [budget] 2025: spending exceeds (plan 2999999.98..., limit 2000000.0)")], out2, [])
        is not None
    )
    assert (
        compare([(1, "  - [budget] 2025: spending exceeds (plan 2999999.99..., limit 2000000.1)")], out2, [])
        is not None
    )


def test_exempt_commands_still_parse(tmp_path):
    """The check applied to an exempted block: the tool's own parser must accept the options."""
    r = Runner.__new__(Runner)
    r.work, r.env = (
        tmp_path,
        dict(os.environ, PATH=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])),
    )
    ok = Command(
        "p.md", 1, "planner sweep instances/tiny.yaml --param a=1:2 --scheduler tcp://head:8786 --out o", exempt="test"
    )
    bad = Command("p.md", 2, "planner sweep instances/tiny.yaml --no-such-option 3", exempt="test")
    script = Command(
        "p.md", 3, f"python {ROOT / 'benchmarks' / 'bench_scale.py'} --scales 1000000 --time-limit 300", exempt="test"
    )
    script_bad = Command("p.md", 4, f"python {ROOT / 'benchmarks' / 'bench_scale.py'} --scalez 1000000", exempt="test")
    assert r.check_options(ok) == [] and r.check_options(script) == []
    assert "--no-such-option" in r.check_options(bad)[0] and "--scalez" in r.check_options(script_bad)[0]
