"""Fetch the next page while the current one is imported; make other reads ahead.

A catch-up alternates two kinds of work: waiting for the channel to answer a
page, and importing that page into Odoo. Nothing in the next page depends on
the import of the current one, so :func:`read_ahead` asks for it in a
background thread meanwhile: with Shopify's usual 100-300 ms a call, the wait
is hidden behind the import instead of added to it.

The background thread only runs the page iterator (HTTP, no database); what
it raises is raised to the caller when the caller reaches that page, so a
catch-up still stops after the last complete page, exactly as without it.
"""

import logging
from collections import deque
from concurrent.futures import ThreadPoolExecutor

_logger = logging.getLogger(__name__)

_END = object()


def read_ahead(iterable, depth=1):
    """Yield the items of ``iterable`` in order, producing the next ``depth`` items while
    the caller handles the current one (one thread: the items are still produced one
    after the other, in order)."""
    iterator = iter(iterable)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retail-read-ahead")
    try:
        pending = deque(executor.submit(next, iterator, _END) for __ in range(max(depth, 1)))
        while True:
            item = pending.popleft().result()  # the producer's error, if any, surfaces here
            if item is _END:
                return
            pending.append(executor.submit(next, iterator, _END))
            yield item
    finally:
        # A caller that stops early leaves at most one request in flight (those
        # queued behind it are cancelled); its answer is dropped. Nothing waits for it.
        executor.shutdown(wait=False, cancel_futures=True)


class Prefetcher:
    """Channel reads started before the code that needs them runs.

    While Odoo imports the first records of a page, the reads its next records
    will need (a refund, an order's fulfilments) are made in background
    threads (``workers`` at once, each read waiting for its own round trip):
    ``submit(key, read, *args)`` starts one, ``take(key, read, *args)``
    returns its answer, or makes the read then and there when none was started
    or the early one failed (the error it gives now is the one that counts).
    Reads only (HTTP, no database), as for :func:`read_ahead`.
    """

    def __init__(self, workers=1):
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="retail-prefetch")
        self._started = {}

    def submit(self, key, read, *args):
        if key not in self._started:
            self._started[key] = self._executor.submit(read, *args)

    def take(self, key, read, *args):
        started = self._started.pop(key, None)
        if started is not None:
            try:
                return started.result()
            except Exception as error:  # pylint: disable=broad-except
                # read again: the outcome of the read made now is the one that counts
                _logger.debug("A read made ahead failed (%s): reading again", type(error).__name__)
        return read(*args)

    def close(self):
        """Drop what was not taken; a read in flight finishes unheard."""
        self._started.clear()
        self._executor.shutdown(wait=False, cancel_futures=True)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.close()
