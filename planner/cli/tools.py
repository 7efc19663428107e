"""Commands that make inputs rather than plans: ``generate`` (a synthetic instance) and
``schema`` (the instance JSON Schema and format reference)."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli.app import app, exit_bad_input, out
from planner.core.errors import InputError


@app.command(short_help="Write a synthetic instance with the structure of the Nuanshui case.")
def generate(
    villages: int = typer.Option(..., "--villages", help="Villages including the central town (>= 2)."),
    parcels: int = typer.Option(..., "--parcels", help="Parcels in all (>= villages)."),
    seed: int = typer.Option(..., "--seed", help="Random seed (>= 0); the same seed gives byte-identical files."),
    out_dir: str = typer.Option(..., "--out", help="Directory for instance.yaml and the parcel table."),
    name: str | None = typer.Option(None, "--name", help="Instance name (default generated_vV_pP_sS)."),
    force: bool = typer.Option(False, "--force", help="Replace an instance already in --out."),
) -> None:
    """Write a synthetic instance with the structure of the Nuanshui case, from township to prefecture scale."""
    from planner.generate import write_instance

    try:
        s = write_instance(villages, parcels, seed, Path(out_dir), name, force=force)
    except InputError as e:
        exit_bad_input(e)
    except OSError as e:
        exit_bad_input(
            InputError.one(
                "--out", "--out", f"cannot write to {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    out.print(f"wrote {s['path']} and {s['parcel_file']}")
    out.print(
        f"{s['name']}: {s['villages']:,} villages ({s['villages'] - 1:,} + the central town), "
        f"{s['parcels']:,} parcels, {s['total_ha']:,.2f} ha, {s['clusters']:,} cluster(s) of nine, "
        f"{s['projects']:,} projects"
    )


@app.command(short_help="Write the instance JSON Schema and/or the instance-format reference.")
def schema(
    json_path: str | None = typer.Option(None, "--json", help="Write the instance JSON Schema here."),
    md_path: str | None = typer.Option(None, "--markdown", help="Write the reference page here."),
) -> None:
    """Write the instance JSON Schema and/or the instance-format reference (generated from the schema)."""
    from planner.instance.reference import json_schema, write

    if not json_path and not md_path:
        import json

        out.print_json(json.dumps(json_schema()))
        return
    for option, target, kw in (
        ("--json", json_path, {"json_path": json_path}),
        ("--markdown", md_path, {"md_path": md_path}),
    ):
        if target:
            try:
                write(**kw)
            except (OSError, ValueError) as e:  # ValueError: a NUL byte in the path
                exit_bad_input(
                    InputError.one(
                        option,
                        option,
                        f"cannot write this file: {getattr(e, 'strerror', None) or e}",
                        "give a file path in a directory that exists and that you can write to",
                        target,
                    )
                )
