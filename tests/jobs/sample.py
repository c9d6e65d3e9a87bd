"""A job for the tests of the queue itself: it takes its time and notes each run."""
import time


def note_run(path: str, name: str, seconds: float) -> None:
    with open(path, "a") as notes:
        notes.write(f"start {name}\n")
    time.sleep(seconds)
    with open(path, "a") as notes:
        notes.write(f"end {name}\n")
