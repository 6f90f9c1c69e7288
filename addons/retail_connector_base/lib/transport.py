"""HTTP transport shared by channel clients: one request, classified.

Every channel client sends its requests through :func:`request_json`, so
timeouts, connection errors and HTTP statuses are classified the same way
for every channel (see :mod:`.retry`).
"""

import requests

from .retry import PermanentError, classify_exception, classify_http

#: seconds; a single number (Odoo's test harness only understands numbers)
DEFAULT_TIMEOUT = 30


def request_json(method, url, *, session=None, timeout=DEFAULT_TIMEOUT, **kwargs):
    """Send a request and return ``(response, decoded JSON or None)``.

    Raises a :class:`~.retry.ChannelError` subclass for transport failures
    and non-2xx statuses; never returns a failed response.
    """
    sender = session or requests
    try:
        response = sender.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        raise classify_exception(exc) from exc
    error = classify_http(response.status_code, response.headers, response.text)
    if error:
        raise error
    if not response.content:
        return response, None
    try:
        return response, response.json()
    except ValueError as exc:
        raise PermanentError(f"The channel answered with invalid JSON: {response.text[:200]}") from exc
