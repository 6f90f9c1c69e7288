"""Fetch the next page while the current one is imported.

A catch-up alternates two kinds of work: waiting for the channel to answer a
page, and importing that page into Odoo. Nothing in the next page depends on
the import of the current one, so :func:`read_ahead` asks for it in a
background thread meanwhile: with Shopify's usual 100-300 ms a call, the wait
is hidden behind the import instead of added to it.

The background thread only runs the page iterator (HTTP, no database); what
it raises is raised to the caller when the caller reaches that page, so a
catch-up still stops after the last complete page, exactly as without it.
"""

from concurrent.futures import ThreadPoolExecutor

_END = object()


def read_ahead(iterable):
    """Yield the items of ``iterable`` in order, producing item n+1 while the caller handles item n."""
    iterator = iter(iterable)
    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="retail-read-ahead")
    try:
        pending = executor.submit(next, iterator, _END)
        while True:
            item = pending.result()  # the producer's error, if any, surfaces here
            if item is _END:
                return
            pending = executor.submit(next, iterator, _END)
            yield item
    finally:
        # A caller that stops early leaves at most one request in flight; its
        # answer is dropped. Nothing waits for it.
        executor.shutdown(wait=False, cancel_futures=True)
