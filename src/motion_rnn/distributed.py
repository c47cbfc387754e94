"""Training on several processes with PyTorch's own engine (``torchrun``, DistributedDataParallel).

``torchrun --nproc-per-node N -m motion_rnn.run ...`` starts N processes and tells each its rank
through the environment; :func:`init_from_environment` joins them into one process group (NCCL on
GPUs, gloo on the CPU). In a single process, which is how the notebooks and ``make test`` train,
every function here is a no-op, so the training loop reads the same either way.

What is split and what is not:

* the training batches: each process sees its share of every epoch's shuffled order, and the
  gradients are averaged (:class:`torch.nn.parallel.DistributedDataParallel`);
* the training loss and accuracy of an epoch: summed over the processes (:func:`all_reduce_sum`);
* evaluation: every process evaluates the whole validation set (exact, and small beside training);
* files (stored rows, checkpoints, results): written by rank 0 alone (:func:`is_main`); the
  others wait where a file must exist before they go on (:func:`main_first`).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import timedelta

import torch
import torch.distributed as dist


def is_distributed() -> bool:
    """Whether this process is one of several joined in a process group."""
    return dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1


def rank() -> int:
    return dist.get_rank() if is_distributed() else 0


def world_size() -> int:
    return dist.get_world_size() if is_distributed() else 1


def is_main() -> bool:
    """Whether this process writes files (rank 0, or the only process)."""
    return rank() == 0


def launched_by_torchrun() -> bool:
    return int(os.environ.get("WORLD_SIZE", "1")) > 1


def init_from_environment(timeout_minutes: float = 60.0) -> bool:
    """Join the process group ``torchrun`` describes in the environment; False when not launched by it.

    Each process takes the GPU of its local rank when there are GPUs (so ``device="auto"`` means
    that GPU), and the backend is NCCL there, gloo otherwise.
    """
    if not launched_by_torchrun():
        return False
    if dist.is_initialized():
        return True
    cuda = torch.cuda.is_available()
    if cuda:
        torch.cuda.set_device(int(os.environ.get("LOCAL_RANK", "0")))
    dist.init_process_group("nccl" if cuda else "gloo", timeout=timedelta(minutes=timeout_minutes))
    return True


def shutdown() -> None:
    if dist.is_available() and dist.is_initialized():
        dist.destroy_process_group()


def barrier() -> None:
    if is_distributed():
        dist.barrier()


@contextmanager
def main_first():
    """Run the block on rank 0 first, then on the others (e.g. generating a data set once)."""
    if not is_main():
        barrier()
    try:
        yield
    finally:
        if is_main():
            barrier()


def all_reduce_sum(values: list[float], device: torch.device | str = "cpu") -> list[float]:
    """The sums of ``values`` over the processes (``values`` itself in a single process)."""
    if not is_distributed():
        return list(values)
    if dist.get_backend() == "nccl":
        device = torch.device("cuda", torch.cuda.current_device())
    tensor = torch.tensor(values, dtype=torch.float64, device=device)
    dist.all_reduce(tensor, op=dist.ReduceOp.SUM)
    return tensor.cpu().tolist()


def broadcast_object(value):
    """Rank 0's ``value`` on every process."""
    if not is_distributed():
        return value
    holder = [value]
    dist.broadcast_object_list(holder, src=0)
    return holder[0]


class ShareOfBatches:
    """A batch sampler giving this process its share of each batch another batch sampler draws.

    Every process draws the same batches (the same sampler, seeded alike), as one process would,
    and keeps the examples ``rank, rank + world, ...`` of each: so the processes together see
    exactly the batches a single process sees, and averaging their gradients gives its gradient
    (up to the order of floating-point sums) when the batch divides evenly. A last batch with
    fewer examples than processes is left out, since every process must take part in each step.
    """

    def __init__(self, batch_sampler, rank: int, world: int):
        self.batch_sampler, self.rank, self.world = batch_sampler, rank, world

    def __iter__(self):
        for batch in self.batch_sampler:
            if len(batch) >= self.world:
                yield list(batch)[self.rank :: self.world]

    def __len__(self) -> int:
        count = len(self.batch_sampler)
        size = getattr(self.batch_sampler, "batch_size", None)
        sampler = getattr(self.batch_sampler, "sampler", None)
        if size and sampler is not None and not getattr(self.batch_sampler, "drop_last", False):
            last = len(sampler) % size
            count -= 0 < last < self.world  # the short last batch left out
        return count
