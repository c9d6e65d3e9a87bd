"""The job worker's first process finds the processes below it to signal them
(library.cluster), from /proc where there is one."""
import multiprocessing
import os
import time

from library.cluster import _descendants


def test_the_processes_below_are_found_with_or_without_proc(tmp_path):
    child = multiprocessing.get_context("fork").Process(target=time.sleep, args=(30,))
    child.start()
    try:
        assert child.pid in _descendants(os.getpid())
        # No /proc (macOS): this process's own children.
        assert _descendants(os.getpid(), proc=str(tmp_path / "none")) == [child.pid]
    finally:
        child.kill()
        child.join()
