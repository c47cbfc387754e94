"""Train the rows of the book's tables from the command line, as the notebooks would.

    python -m motion_rnn.run pigou2016/table1_architectures --profile quick --seeds 3
    python -m motion_rnn.run leroux2017 --profile quick --results-dir results   # every table of a paper
    python -m motion_rnn.run zhang2018 --profile quick --results-dir results --rewrite  # claims only

Each table runs through :func:`motion_rnn.runner.run_table` for each seed, writing the stored rows
(and the results files) the notebook reads back; rendering the notebook afterwards with the same
parameters finds every row done. Rows already stored with today's code are kept, so an
interrupted run continues where it stopped.
"""

from __future__ import annotations

import argparse
import sys
import time

from motion_rnn.runner import all_specs, check_table_parameters, run_table, write_run


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m motion_rnn.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("tables", nargs="+", help="<paper>/<table> or <paper> (all its tables)")
    parser.add_argument("--profile", default="quick")
    parser.add_argument("--data", default="synthetic")
    parser.add_argument("--seed", type=int, default=0, help="first seed")
    parser.add_argument("--seeds", type=int, default=None, help="how many seeds (default: the profile's)")
    parser.add_argument("--device", default="auto")
    parser.add_argument("--results-dir", default="_build/results")
    parser.add_argument(
        "--option",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="a table's own parameter (e.g. standin=smartwatch), given to the tables that have it",
    )
    parser.add_argument(
        "--rewrite",
        action="store_true",
        help="train nothing: rewrite the results files from the stored rows with today's claims code",
    )
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    args = parser.parse_args(argv)
    options = {}
    for item in args.option:
        name, sep, value = item.partition("=")
        if not sep:
            parser.error(f"--option {item!r} is not NAME=VALUE")
        options[name] = None if value in ("", "None") else value
    specs = all_specs()
    chosen = []
    for name in args.tables:
        matches = [key for key in specs if key == name or key.split("/")[0] == name]
        if not matches:
            parser.error(f"no table {name!r}; choose from: {', '.join(sorted(specs))} (or a paper's name)")
        chosen += [key for key in matches if key not in chosen]
    for key in chosen:
        spec = specs[key]
        own = {name: value for name, value in options.items() if name in spec.options}
        params = check_table_parameters(
            spec,
            profile=args.profile,
            data=args.data,
            seed=args.seed,
            seeds=args.seeds,
            device=args.device,
            results_dir=args.results_dir,
            stored_only=args.rewrite,
            **own,
        )
        started = time.perf_counter()
        run = run_table(spec, params, progress=not args.quiet, **own)
        if args.rewrite:
            write_run(run)
        print(
            f"{key}: {len(run.runs)} rows ({int((~run.runs['reused']).sum())} trained) in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
