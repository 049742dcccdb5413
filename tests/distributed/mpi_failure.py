"""Run by test_mpi.py on 2 ranks: rank 1 fails in the way argv[1] names while rank 0 waits in a
collective. ``exit``: the process dies; ``raise``: an uncaught exception; ``stall``: rank 1 is
alive but never joins, so rank 0's collective times out. argv[2]: the all_reduce's length (a
large one runs on the communication thread)."""
import datetime
import os
import sys
import time

import ember
import ember.distributed as dist

mode = sys.argv[1]
dist.init_process_group("mpi", timeout=datetime.timedelta(seconds=3))
if dist.get_rank() == 1:
    if mode == "exit":
        os._exit(3)
    if mode == "raise":
        raise ValueError("rank 1 breaks on purpose")
    time.sleep(60)
dist.all_reduce(ember.ones(int(sys.argv[2]) if len(sys.argv) > 2 else 3))
print("rank 0 finished its all_reduce")  # never reached
