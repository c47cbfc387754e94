"""Train the rows of the book's tables from the command line, as the notebooks would.

    python -m motion_rnn.run pigou2016/table1_architectures --profile quick --seeds 3
    python -m motion_rnn.run leroux2017 --profile quick --results-dir results   # every table of a paper
    python -m motion_rnn.run zhang2018 --profile quick --results-dir results --rewrite  # claims only
    torchrun --nproc-per-node 8 -m motion_rnn.run zhang2018/table1_convlstm_variants --profile full \
        --data /data/jester --results-dir results --precision bf16 --loader-workers 8

Each table runs through :func:`motion_rnn.runner.run_table` for each seed, writing the stored rows
(and the results files) the notebook reads back; rendering the notebook afterwards with the same
parameters finds every row done. Rows already stored with today's code are kept, and a row
interrupted half-way resumes from its last checkpoint (every epoch, and every
``--checkpoint-minutes`` within one), so an interrupted run continues where it stopped.

Under ``torchrun`` every process trains each row on its share of the batches
(:mod:`motion_rnn.distributed`) and rank 0 alone writes files. ``--precision``, ``--compile``,
``--channels-last`` and ``--loader-workers`` choose how training runs (:mod:`motion_rnn.execution`).
"""

from __future__ import annotations

import argparse
import sys
import time

from motion_rnn import distributed
from motion_rnn.execution import PRECISIONS, Execution, executing
from motion_rnn.runner import all_specs, check_table_parameters, run_table, write_run


def name_values(items: list[str], flag: str) -> dict[str, str | None]:
    """``["a=1", "b=None"]`` -> ``{"a": "1", "b": None}`` (``""`` and ``"None"`` mean None); ValueError names ``flag``."""
    values: dict[str, str | None] = {}
    for item in items:
        name, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"{flag} {item!r} is not NAME=VALUE")
        values[name] = None if value in ("", "None") else value
    return values


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
    parser.add_argument(
        "--precision", choices=PRECISIONS, default="fp32", help="bf16: autocast to bfloat16 (rows keyed apart)"
    )
    parser.add_argument("--compile", action="store_true", help="train through torch.compile")
    parser.add_argument("--channels-last", action="store_true", help="convolution weights in channels-last layout")
    parser.add_argument("--loader-workers", type=int, default=0, help="worker processes loading training batches")
    parser.add_argument(
        "--checkpoint-minutes", type=float, default=10.0, help="checkpoint a row this often within an epoch"
    )
    args = parser.parse_args(argv)
    try:
        execution = Execution(
            precision=args.precision,
            compile=args.compile,
            channels_last=args.channels_last,
            loader_workers=args.loader_workers,
            checkpoint_minutes=args.checkpoint_minutes,
        )
    except ValueError as error:
        parser.error(str(error))
    try:
        options = name_values(args.option, "--option")
    except ValueError as error:
        parser.error(str(error))
    specs = all_specs()
    chosen = []
    for name in args.tables:
        matches = [key for key in specs if key == name or key.split("/")[0] == name]
        if not matches:
            parser.error(f"no table {name!r}; choose from: {', '.join(sorted(specs))} (or a paper's name)")
        chosen += [key for key in matches if key not in chosen]
    distributed.init_from_environment()
    try:
        with executing(execution):
            _run(chosen, specs, args, options)
    finally:
        distributed.shutdown()
    return 0


def _run(chosen: list[str], specs: dict, args: argparse.Namespace, options: dict) -> None:
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
        if not distributed.is_main():
            continue
        if args.rewrite:
            write_run(run)
        processes = f" on {distributed.world_size()} processes" if distributed.is_distributed() else ""
        print(
            f"{key}: {len(run.runs)} rows ({int((~run.runs['reused']).sum())} trained{processes}) in "
            f"{time.perf_counter() - started:.0f} s",
            file=sys.stderr,
            flush=True,
        )


if __name__ == "__main__":
    sys.exit(main())
