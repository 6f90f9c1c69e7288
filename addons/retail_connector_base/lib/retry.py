"""The retry policy: one place that turns transport outcomes into job outcomes.

Channel clients classify what happened on the wire with :func:`classify_http`,
:func:`classify_graphql` or :func:`classify_exception`; :func:`to_job_error`
turns the classification into what queue_job understands. A throttled or
transient failure becomes ``RetryableJobError`` with the computed delay, so a
worker never sleeps waiting for a remote API.
"""

import math
import time
from email.utils import parsedate_to_datetime

import requests

from odoo.addons.queue_job.exception import RetryableJobError

from .read_ahead import read_ahead

#: delay for transient failures when the remote gives no hint (seconds)
DEFAULT_TRANSIENT_DELAY = 30
#: cap for any computed delay (seconds)
MAX_DELAY = 3600


class ChannelError(Exception):
    """A failure talking to a channel. ``kind`` drives what happens next."""

    kind = "permanent"

    def __init__(self, message, retry_after=None, status=None, details=None):
        super().__init__(message)
        self.retry_after = retry_after
        self.status = status
        self.details = details or {}


class ThrottledError(ChannelError):
    kind = "throttled"


class TransientError(ChannelError):
    kind = "transient"


class PermanentError(ChannelError):
    """Retrying will not help: bad credentials, bad request, missing object.

    Raised out of a job run it is turned into an exception record."""

    kind = "permanent"


class UserInputError(PermanentError):
    """The remote refused the data (GraphQL ``userErrors``)."""

    kind = "user_errors"


def _clamp(seconds):
    return max(1, min(MAX_DELAY, int(math.ceil(seconds))))


def parse_retry_after(value, now=None):
    """Seconds to wait from a ``Retry-After`` header (delta or HTTP date)."""
    if value in (None, ""):
        return None
    try:
        seconds = float(value)
    except (TypeError, ValueError):
        seconds = None
    if seconds is not None:
        return max(0.0, seconds) if math.isfinite(seconds) else None
    try:
        when = parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    now = now if now is not None else time.time()
    return max(0.0, when.timestamp() - now)


def throttle_wait(requested_cost, currently_available, restore_rate):
    """Seconds until the leaky bucket holds ``requested_cost`` points again."""
    if not restore_rate or restore_rate <= 0:
        return DEFAULT_TRANSIENT_DELAY
    missing = max(0.0, float(requested_cost) - float(currently_available))
    return missing / float(restore_rate)


def classify_http(status, headers=None, body_text=""):
    """Return a ChannelError for a failed HTTP status, or None when 2xx/3xx."""
    headers = {key.lower(): value for key, value in (headers or {}).items()}
    if status < 400:
        return None
    excerpt = (body_text or "")[:300]
    if status == 429:
        wait = parse_retry_after(headers.get("retry-after"))
        return ThrottledError(
            f"HTTP 429 Too Many Requests (retry after {wait if wait is not None else '?'} s)",
            retry_after=wait if wait is not None else 2.0,
            status=status,
        )
    if status >= 500 or status in (408, 425):
        wait = parse_retry_after(headers.get("retry-after"))
        return TransientError(
            f"HTTP {status} from the channel: {excerpt}",
            retry_after=wait if wait is not None else DEFAULT_TRANSIENT_DELAY,
            status=status,
        )
    return PermanentError(f"HTTP {status} from the channel: {excerpt}", status=status)


def classify_graphql(payload):
    """Return a ChannelError for a GraphQL response body, or None.

    A ``THROTTLED`` error carries cost data in ``extensions.cost``: the wait is
    (requested cost - currently available) / restore rate.
    """
    errors = (payload or {}).get("errors") or []
    if not errors:
        return None
    codes = {((error.get("extensions") or {}).get("code") or "").upper() for error in errors}
    messages = "; ".join(str(error.get("message", "")) for error in errors)[:500]
    if "THROTTLED" in codes:
        cost = (payload.get("extensions") or {}).get("cost") or {}
        status = cost.get("throttleStatus") or {}
        wait = throttle_wait(
            cost.get("requestedQueryCost", 0),
            status.get("currentlyAvailable", 0),
            status.get("restoreRate", 0),
        )
        return ThrottledError(f"GraphQL throttled: {messages}", retry_after=wait, details=cost)
    if codes & {"INTERNAL_SERVER_ERROR", "SERVICE_UNAVAILABLE", "TIMEOUT"}:
        return TransientError(f"GraphQL transient error: {messages}", retry_after=DEFAULT_TRANSIENT_DELAY)
    return PermanentError(f"GraphQL error: {messages}")


def classify_user_errors(user_errors):
    """Return a UserInputError for a mutation's non-empty ``userErrors``."""
    if not user_errors:
        return None
    text = "; ".join(
        "{}: {}".format(".".join(str(p) for p in (error.get("field") or [])) or "-", error.get("message"))
        for error in user_errors
    )
    return UserInputError(f"Rejected by the channel: {text}", details={"userErrors": user_errors})


def classify_exception(exc):
    """Map a ``requests`` exception to a ChannelError."""
    if isinstance(exc, ChannelError):
        return exc
    if isinstance(exc, requests.Timeout | requests.ConnectionError):
        return TransientError(f"{type(exc).__name__}: {exc}", retry_after=DEFAULT_TRANSIENT_DELAY)
    if isinstance(exc, requests.RequestException):
        return PermanentError(f"{type(exc).__name__}: {exc}")
    return None


def to_job_error(error):
    """Exception to raise from a job for ``error``.

    Throttled and transient errors become ``RetryableJobError`` with the delay;
    permanent ones are returned unchanged (the run wrapper records them).
    """
    if error.kind in ("throttled", "transient"):
        seconds = _clamp(error.retry_after if error.retry_after is not None else DEFAULT_TRANSIENT_DELAY)
        return RetryableJobError(str(error), seconds=seconds, ignore_retry=error.kind == "throttled")
    return error


class CatchUpPaused(Exception):
    """A catch-up stopped early on a throttled or transient error: what it
    imported stands, the rest continues in a new job after ``seconds`` from page
    ``cursor`` (rolling the whole run back would redo it forever on a busy shop)."""

    def __init__(self, newest, seconds, reason, cursor=None):
        super().__init__(reason)
        self.newest = newest
        self.seconds = seconds
        self.reason = reason
        self.cursor = cursor


class CatchUpContinues(CatchUpPaused):
    """A catch-up stopped, at a page boundary, once it had imported its share of
    records (``max_records``) with pages left: what it imported is committed with
    its job and a new job goes on at once from ``cursor``. One job per share keeps
    transactions short: progress stands if a later record fails, locks are brief,
    and PostgreSQL is not slowed by one transaction writing thousands of rows."""

    def __init__(self, newest, cursor, imported):
        super().__init__(newest, 0, f"{imported} records imported, the rest continues in a new job", cursor)
        self.imported = imported


def pause_catch_up(error, newest, cursor=None):
    """:class:`CatchUpPaused` for a throttled/transient ``error`` (a channel
    error or the job error a tracked run raised), None for any other error."""
    if isinstance(error, RetryableJobError):
        seconds = error.seconds or DEFAULT_TRANSIENT_DELAY
    elif isinstance(error, ChannelError) and error.kind in ("throttled", "transient"):
        seconds = error.retry_after if error.retry_after is not None else DEFAULT_TRANSIENT_DELAY
    else:
        return None
    return CatchUpPaused(newest, _clamp(seconds), str(error), cursor)


def catch_up(pages, import_one, end_page=None, max_records=None, start_page=None, pages_ahead=1):
    """Import ``pages`` of records with ``import_one(record) -> its 'updated at'``.

    ``pages`` yields ``(records, next_cursor)``, ``next_cursor`` None on the last
    page (lazily: fetching a page may fail too). It is read ahead
    (:mod:`.read_ahead`): the next page is fetched in a background thread while
    this one is imported, so ``pages`` must only talk to the channel, never to
    the database. ``end_page(last)``, when given, finishes what ``import_one``
    left for a batch: after each page (``last`` False), and with ``last`` True
    once the pages are done or before stopping half-way; it returns True while
    it holds records not imported yet (a batch of several pages), so that a
    failure of their import resumes before their pages. ``start_page(records)``,
    when given, sees each page before its records are imported (to start the
    reads they will need, see :class:`.read_ahead.Prefetcher`). ``pages_ahead``
    pages are fetched ahead (more than one when ``end_page`` waits for several
    pages before it imports them: their fetching then overlaps the import).
    Returns the newest 'updated at'. A throttled or transient error half-way
    raises :class:`CatchUpPaused` with the progress and the cursor after the
    last complete page; any other error goes up unchanged. With ``max_records``,
    the pages stop once that many records are imported and, if pages are left,
    :class:`CatchUpContinues` says from which cursor.
    """
    newest = cursor = None
    resume_cursor = None  # after the last page whose records are all imported
    ending_page = False
    imported = 0
    try:
        for records, next_cursor in read_ahead(_share(pages, max_records), depth=pages_ahead):
            if start_page:
                start_page(records)
            for record in records:
                updated_at = import_one(record)
                if updated_at and (newest is None or updated_at > newest):
                    newest = updated_at
            imported += len(records)
            held = False
            if end_page:
                ending_page = True
                held = bool(end_page(False))
                ending_page = False
            cursor = next_cursor
            if not held:
                resume_cursor = cursor
    except (ChannelError, RetryableJobError) as error:
        # Records held for a batch are imported by end_page(True) below, so the run
        # resumes after the last page read; unless their import is what failed: then
        # it resumes before the pages of that batch, which are read again.
        paused = pause_catch_up(error, newest, resume_cursor if ending_page else cursor)
        if paused is None:
            raise
        if end_page:
            end_page(True)
        raise paused from error
    if end_page:
        end_page(True)
    if max_records and imported >= max_records and cursor:  # pages are left
        raise CatchUpContinues(newest, cursor, imported)
    return newest


def _share(pages, max_records):
    """``pages`` up to the one that reaches ``max_records`` records: the read-ahead
    thread then fetches no page this catch-up will not import."""
    count = 0
    for records, next_cursor in pages:
        yield records, next_cursor
        count += len(records)
        if max_records and count >= max_records:
            return
