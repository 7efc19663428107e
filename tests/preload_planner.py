"""The installed ``planner`` command, started once, forked per command.

Used by ``test_docs_commands.py``: importing ``planner.cli`` (Pyomo, pandas, HiGHS) takes
about 1.5 s, and the pages hold some 70 ``planner`` commands. This process imports it
once, runs nothing, then for each request (one JSON line on standard input) forks a
child that does what the console script ``planner`` does (``sys.argv = [...];
sys.exit(main())``), or ``python -m planner``, ``python -c CODE`` or ``python SCRIPT``,
with standard input from ``/dev/null``, standard
output and error into the request's file, in the request's working directory, in a
session of its own. Each command therefore starts from a process that has only
imported the planner: nothing of one command is seen by the next.

Protocol (standard output): ``ready`` once; then per request ``{"pid": N}`` when the
child is started and ``{"status": CODE}`` when it has ended (CODE as a shell reports
it: 128 + N for a signal N).

Run as ``python preload_planner.py BINDIR`` with the environment the commands get.
"""

from __future__ import annotations

import json
import os
import sys


def _serve(bindir: str):
    # the replies go to the original standard output; anything else this process might
    # print (nothing is expected) goes to /dev/null, so it cannot garble them
    ctl = os.fdopen(os.dup(1), "w")
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    os.close(null)
    sys.path[0] = bindir  # the console script's own directory, as when it runs
    import planner.cli  # noqa: F401     the expensive part, once

    print("ready", file=ctl, flush=True)
    for line in sys.stdin:
        req = json.loads(line)
        sys.stdout.flush()
        sys.stderr.flush()
        pid = os.fork()
        if pid == 0:
            ctl.close()
            return req
        print(json.dumps({"pid": pid}), file=ctl, flush=True)
        _, status = os.waitpid(pid, 0)
        code = os.waitstatus_to_exitcode(status)
        print(json.dumps({"status": code if code >= 0 else 128 - code}), file=ctl, flush=True)
    return None


if __name__ == "__main__":
    request = _serve(sys.argv[1])
    if request is None:
        raise SystemExit(0)
    # the child: a fresh command
    os.setsid()
    out = os.open(request["out"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.dup2(out, 1)
    os.dup2(out, 2)
    os.close(out)
    os.close(null)
    os.chdir(request["cwd"])
    if request["kind"] == "module":  # python -m planner ARGS
        import runpy

        sys.path[0] = os.getcwd()
        sys.argv = ["-m", *request["args"]]
        runpy.run_module("planner", run_name="__main__", alter_sys=True)
    elif request["kind"] == "code":  # python -c CODE ARGS
        sys.path[0] = ""
        sys.argv = ["-c", *request["args"][1:]]
        import __main__

        exec(compile(request["args"][0], "<string>", "exec"), __main__.__dict__)
    elif request["kind"] == "script":  # python SCRIPT ARGS
        import runpy

        sys.path[0] = os.path.dirname(os.path.abspath(request["args"][0]))
        sys.argv = list(request["args"])
        runpy.run_path(request["args"][0], run_name="__main__")
    else:  # planner ARGS
        from planner.cli import main

        sys.argv = [request["argv0"], *request["args"]]
        sys.exit(main())
