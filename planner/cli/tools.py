"""Commands that make inputs rather than plans: ``generate`` (a synthetic instance) and
``schema`` (the instance JSON Schema and format reference)."""

from __future__ import annotations

from pathlib import Path

import typer

from planner.cli.app import app, exit_bad_input, out
from planner.core.errors import InputError


@app.command(short_help="Write a synthetic instance with the structure of the Nuanshui case.")
def generate(
    villages: int | None = typer.Option(
        None,
        "--villages",
        help="Villages including the central town (>= 2); with --townships, per township (default 10).",
    ),
    parcels: int = typer.Option(..., "--parcels", help="Parcels in all (>= villages)."),
    seed: int = typer.Option(..., "--seed", help="Random seed (>= 0); the same seed gives byte-identical files."),
    out_dir: str = typer.Option(..., "--out", help="Directory for instance.yaml and the parcel table."),
    name: str | None = typer.Option(None, "--name", help="Instance name (default generated_vV_pP_sS)."),
    townships: int | None = typer.Option(
        None, "--townships", help="Write a county of this many townships (townships/tNNN/), in one county instance."
    ),
    pool_share: float = typer.Option(
        0.0, "--pool-share", help="With --townships: share of each township's budget moved into a county budget pool."
    ),
    force: bool = typer.Option(False, "--force", help="Replace an instance already in --out."),
) -> None:
    """Write a synthetic instance with the structure of the Nuanshui case, from township to prefecture scale
    (with --townships, a county or prefecture of generated townships)."""
    from planner.generate import TOWNSHIP_VILLAGES, write_county, write_instance

    try:
        if townships is not None:
            c = write_county(
                townships,
                parcels,
                seed,
                Path(out_dir),
                name,
                villages=villages or TOWNSHIP_VILLAGES,
                pool_share=pool_share,
                force=force,
            )
        elif villages is None:
            raise InputError.one(
                "--villages", "--villages", "missing", "give --villages V (a township) or --townships N (a county)"
            )
        elif pool_share:
            raise InputError.one(
                "--pool-share", "--pool-share", "is for counties", "add --townships N, or leave out --pool-share"
            )
        else:
            s = write_instance(villages, parcels, seed, Path(out_dir), name, force=force)
    except InputError as e:
        exit_bad_input(e)
    except OSError as e:
        exit_bad_input(
            InputError.one(
                "--out", "--out", f"cannot write to {out_dir!r}: {e.strerror or e}", "give a directory you can write to"
            )
        )
    if townships is not None:
        out.print(f"wrote {c['path']} and {c['townships']} townships under {Path(out_dir) / 'townships'}/")
        pool = (
            "no county rules"
            if c["pool"] is None
            else "a county budget pool of " + ", ".join(f"{v:,.0f} Yuan in {t}" for t, v in c["pool"].items())
        )
        out.print(
            f"{c['name']}: {c['townships']:,} townships, {c['villages']:,} villages, {c['parcels']:,} parcels, "
            f"{c['total_ha']:,.2f} ha, {pool}"
        )
        return
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
