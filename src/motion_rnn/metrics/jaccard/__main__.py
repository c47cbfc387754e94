"""``python -m motion_rnn.metrics.jaccard GT_DIR PRED_DIR [--false-positives] [--per-sample]
[--reject-reversed] [--missing {empty,error}]``: the mean Jaccard index of a folder of predictions
(:func:`motion_rnn.metrics.jaccard.score_directory`), printed with six decimals.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from motion_rnn.data.errors import DataFormatError
from motion_rnn.metrics.jaccard import score_directory


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m motion_rnn.metrics.jaccard",
        description="Mean ChaLearn LAP 2014 track 3 Jaccard index of a folder of predictions "
        "(Pigou et al., eqs. 7-8). Default: the challenge's published scorer, which "
        "does not count predicted classes absent from the ground truth.",
    )
    parser.add_argument("gt_dir", help="folder of SampleNNNN_labels.csv and SampleNNNN_data.csv")
    parser.add_argument("pred_dir", help="folder of SampleNNNN_prediction.csv")
    parser.add_argument(
        "--false-positives",
        action="store_true",
        help="count each predicted class absent from the ground truth as a zero-overlap term",
    )
    parser.add_argument("--per-sample", action="store_true", help="print one CSV line per sequence before the mean")
    parser.add_argument(
        "--reject-reversed",
        action="store_true",
        help="fail on prediction rows with start > end (default: as the challenge's scorer, "
        "they cover no frame but their class counts as predicted)",
    )
    parser.add_argument(
        "--missing",
        choices=("empty", "error"),
        default="empty",
        help="a sequence without prediction file: score it as empty (default) or fail",
    )
    args = parser.parse_args(argv)
    try:
        frame = score_directory(
            args.gt_dir,
            args.pred_dir,
            false_positives=args.false_positives,
            allow_reversed=not args.reject_reversed,
            missing=args.missing,
        )
    except (DataFormatError, FileNotFoundError) as err:
        parser.exit(2, f"error: {err}\n")
    if args.per_sample:
        print(frame.to_csv(index=False, float_format="%.6f"), end="")
    print(f"{frame['jaccard'].mean():.6f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
