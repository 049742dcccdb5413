"""``ember.distributed``: torch.distributed's process group and collectives, on MPI.

Start the ranks with ``mpiexec``; ``init_process_group()`` needs no arguments there. mpi4py is
imported only when a group is created, so ``import ember.distributed`` works without it and
``is_available()`` says whether it is installed (``pip install 'ember[distributed]'``).

Example::

    # mpiexec -n 2 python script.py
    import ember, ember.distributed as dist
    dist.init_process_group("mpi")
    t = ember.ones(3) * dist.get_rank()
    dist.all_reduce(t, op=dist.ReduceOp.SUM)   # tensor([1., 1., 1.]) on both ranks
    dist.destroy_process_group()
"""
from .collectives import (ReduceOp, Work, all_gather, all_gather_into_tensor, all_reduce,
                          all_to_all_single, barrier, broadcast, gather, reduce, reduce_scatter,
                          reduce_scatter_tensor, scatter)
from .process_group import (Backend, GroupMember, ProcessGroup, default_timeout,
                            destroy_process_group, get_backend, get_rank, get_world_size, group,
                            init_process_group, is_available, is_gloo_available, is_initialized,
                            is_mpi_available, is_nccl_available)

__all__ = ["Backend", "GroupMember", "ProcessGroup", "ReduceOp", "Work", "all_gather",
           "all_gather_into_tensor", "all_reduce", "all_to_all_single", "barrier", "broadcast",
           "default_timeout", "destroy_process_group", "gather", "get_backend", "get_rank",
           "get_world_size", "group", "init_process_group", "is_available", "is_gloo_available",
           "is_initialized", "is_mpi_available", "is_nccl_available", "reduce", "reduce_scatter",
           "reduce_scatter_tensor", "scatter"]
