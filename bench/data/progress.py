"""The generator's progress log and its error for the person running it."""

import time


class Progress:
    def __init__(self) -> None:
        self.started = time.monotonic()

    @property
    def elapsed(self) -> float:
        return time.monotonic() - self.started

    def __call__(self, message: str) -> None:
        print(f"[{self.elapsed:7.1f}s] {message}", flush=True)


class GenerateError(RuntimeError):
    """Stops the generator with a message for the person running it."""
