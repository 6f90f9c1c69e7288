"""Plain-Python tests for lib.retry (no database needed)."""

import threading
import time
from email.utils import parsedate_to_datetime

import pytest
import requests

from odoo.addons.queue_job.exception import RetryableJobError
from odoo.addons.retail_connector_base.lib import retry
from odoo.addons.retail_connector_base.lib.read_ahead import Prefetcher, read_ahead

HTTP_DATE = "Wed, 21 Oct 2015 07:28:00 GMT"
HTTP_DATE_TS = parsedate_to_datetime(HTTP_DATE).timestamp()

THROTTLED_PAYLOAD = {
    "errors": [{"message": "Throttled", "extensions": {"code": "THROTTLED"}}],
    "extensions": {
        "cost": {
            "requestedQueryCost": 1000,
            "actualQueryCost": None,
            "throttleStatus": {"maximumAvailable": 2000.0, "currentlyAvailable": 400, "restoreRate": 100.0},
        }
    },
}


# --------------------------------------------------------------------------- Retry-After


def test_parse_retry_after_seconds():
    assert retry.parse_retry_after("7") == 7.0
    assert retry.parse_retry_after(" 2.5 ") == 2.5
    assert retry.parse_retry_after("-3") == 0.0


def test_parse_retry_after_http_date_relative_to_now():
    assert retry.parse_retry_after(HTTP_DATE, now=HTTP_DATE_TS - 120) == pytest.approx(120.0)
    # a date in the past means "retry now", never a negative wait
    assert retry.parse_retry_after(HTTP_DATE, now=HTTP_DATE_TS + 60) == 0.0


def test_parse_retry_after_missing_or_garbage_is_none():
    assert retry.parse_retry_after(None) is None
    assert retry.parse_retry_after("") is None
    assert retry.parse_retry_after("soon, maybe") is None


# --------------------------------------------------------------------------- HTTP statuses


def test_classify_http_success_is_none():
    assert retry.classify_http(200, {}, "{}") is None
    assert retry.classify_http(204) is None
    assert retry.classify_http(302, {"Location": "/x"}) is None


def test_classify_http_429_uses_retry_after_header_case_insensitively():
    error = retry.classify_http(429, {"retry-after": "7"}, "slow down")
    assert isinstance(error, retry.ThrottledError)
    assert (error.kind, error.retry_after, error.status) == ("throttled", 7.0, 429)
    assert retry.classify_http(429, {"RETRY-AFTER": "3"}).retry_after == 3.0


def test_classify_http_429_without_header_waits_two_seconds():
    error = retry.classify_http(429, {})
    assert isinstance(error, retry.ThrottledError)
    assert error.retry_after == 2.0


def test_classify_http_5xx_is_transient_with_default_or_header_delay():
    error = retry.classify_http(500, {}, "Internal Server Error")
    assert isinstance(error, retry.TransientError)
    assert (error.retry_after, error.status) == (retry.DEFAULT_TRANSIENT_DELAY, 500)
    assert "Internal Server Error" in str(error)
    unavailable = retry.classify_http(503, {"Retry-After": "12"}, "maintenance")
    assert isinstance(unavailable, retry.TransientError)
    assert unavailable.retry_after == 12.0


@pytest.mark.parametrize("status", [401, 404, 422])
def test_classify_http_client_errors_are_permanent(status):
    error = retry.classify_http(status, {"Retry-After": "5"}, "x" * 1000)
    assert type(error) is retry.PermanentError
    assert error.kind == "permanent"
    assert error.status == status
    assert error.retry_after is None
    # the body excerpt is capped at 300 characters
    assert str(error) == f"HTTP {status} from the channel: " + "x" * 300


# --------------------------------------------------------------------------- GraphQL


def test_classify_graphql_throttled_waits_for_missing_cost_over_restore_rate():
    error = retry.classify_graphql(THROTTLED_PAYLOAD)
    assert isinstance(error, retry.ThrottledError)
    # (1000 - 400) / 100 = 6 seconds
    assert error.retry_after == 6.0
    assert error.details["requestedQueryCost"] == 1000
    job_error = retry.to_job_error(error)
    assert (job_error.seconds, job_error.ignore_retry) == (6, True)


def test_classify_graphql_throttled_without_cost_data_uses_default_delay():
    payload = {"errors": [{"message": "Throttled", "extensions": {"code": "throttled"}}]}
    error = retry.classify_graphql(payload)
    assert isinstance(error, retry.ThrottledError)
    assert error.retry_after == retry.DEFAULT_TRANSIENT_DELAY


def test_classify_graphql_server_side_errors_are_transient_others_permanent():
    transient = retry.classify_graphql(
        {"errors": [{"message": "boom", "extensions": {"code": "INTERNAL_SERVER_ERROR"}}]}
    )
    assert isinstance(transient, retry.TransientError)
    assert transient.retry_after == retry.DEFAULT_TRANSIENT_DELAY
    permanent = retry.classify_graphql(
        {"errors": [{"message": "Field 'foo' doesn't exist"}, {"message": "denied", "extensions": {"code": "X"}}]}
    )
    assert type(permanent) is retry.PermanentError
    assert str(permanent) == "GraphQL error: Field 'foo' doesn't exist; denied"


def test_classify_graphql_without_errors_is_none():
    assert retry.classify_graphql({"data": {"shop": {"name": "x"}}}) is None
    assert retry.classify_graphql({"data": {}, "errors": []}) is None
    assert retry.classify_graphql(None) is None


def test_classify_user_errors():
    assert retry.classify_user_errors([]) is None
    assert retry.classify_user_errors(None) is None
    user_errors = [
        {"field": ["input", "variants", 0, "price"], "message": "must be positive"},
        {"field": None, "message": "Title can't be blank"},
    ]
    error = retry.classify_user_errors(user_errors)
    assert isinstance(error, retry.UserInputError)
    assert isinstance(error, retry.PermanentError)
    assert error.kind == "user_errors"
    assert str(error) == "Rejected by the channel: input.variants.0.price: must be positive; -: Title can't be blank"
    assert error.details == {"userErrors": user_errors}
    # a user error is never retried: it goes through to_job_error unchanged
    assert retry.to_job_error(error) is error


# --------------------------------------------------------------------------- exceptions


@pytest.mark.parametrize(
    "exc",
    [
        requests.Timeout("read timed out"),
        requests.exceptions.ReadTimeout("read timed out"),
        requests.ConnectionError("connection refused"),
    ],
)
def test_classify_exception_network_failures_are_transient(exc):
    error = retry.classify_exception(exc)
    assert isinstance(error, retry.TransientError)
    assert error.retry_after == retry.DEFAULT_TRANSIENT_DELAY
    assert str(error).startswith(f"{type(exc).__name__}: ")


def test_classify_exception_other_cases():
    assert type(retry.classify_exception(requests.exceptions.InvalidURL("bad"))) is retry.PermanentError
    channel_error = retry.ThrottledError("x", retry_after=1)
    assert retry.classify_exception(channel_error) is channel_error
    assert retry.classify_exception(ValueError("not a transport error")) is None


# --------------------------------------------------------------------------- job errors


@pytest.mark.parametrize(
    ("error", "seconds", "ignore_retry"),
    [
        (retry.ThrottledError("t", retry_after=6.2), 7, True),
        (retry.ThrottledError("t", retry_after=0.0), 1, True),
        (retry.TransientError("t", retry_after=0.2), 1, False),
        (retry.TransientError("t", retry_after=None), retry.DEFAULT_TRANSIENT_DELAY, False),
        (retry.TransientError("t", retry_after=99999), retry.MAX_DELAY, False),
    ],
)
def test_to_job_error_ceils_and_clamps_seconds(error, seconds, ignore_retry):
    job_error = retry.to_job_error(error)
    assert isinstance(job_error, RetryableJobError)
    assert job_error.seconds == seconds
    assert isinstance(job_error.seconds, int)
    assert job_error.ignore_retry is ignore_retry
    assert str(job_error) == "t"


def test_to_job_error_returns_permanent_error_unchanged():
    error = retry.PermanentError("bad token", status=401)
    assert retry.to_job_error(error) is error


def test_infinite_retry_after_is_ignored_for_the_default_wait():
    error = retry.classify_http(429, {"Retry-After": "inf"})
    assert error.retry_after == 2.0
    assert retry.to_job_error(error).seconds == 2


# --------------------------------------------------------------------------- catch_up
def _pages(*pages, fail_with=None):
    """(records, next cursor) pages, then ``fail_with`` when fetching the next one."""
    yield from pages
    if fail_with:
        raise fail_with


def test_catch_up_returns_the_newest_update_of_every_page():
    seen = []
    pages = _pages(([("a", 3), ("b", 1)], "c1"), ([("c", 7)], None))
    assert retry.catch_up(pages, lambda record: seen.append(record[0]) or record[1]) == 7
    assert seen == ["a", "b", "c"]


def test_catch_up_throttled_half_way_pauses_with_progress_and_cursor():
    pages = _pages(([("a", 3), ("b", 5)], "after-page-1"), fail_with=retry.ThrottledError("busy", retry_after=12.2))
    with pytest.raises(retry.CatchUpPaused) as caught:
        retry.catch_up(pages, lambda record: record[1])
    assert (caught.value.newest, caught.value.cursor, caught.value.seconds) == (5, "after-page-1", 13)


def test_catch_up_job_error_of_a_tracked_record_pauses_too():
    def import_one(record):
        if record == "b":
            raise RetryableJobError("throttled", seconds=30)
        return 1

    with pytest.raises(retry.CatchUpPaused) as caught:
        retry.catch_up(_pages((["a", "b"], "p1")), import_one)
    # the page was not complete: resume from its start (no cursor yet)
    assert (caught.value.newest, caught.value.cursor, caught.value.seconds) == (1, None, 30)


def test_catch_up_permanent_error_goes_up_unchanged():
    with pytest.raises(retry.PermanentError):
        retry.catch_up(_pages(fail_with=retry.PermanentError("bad query")), lambda record: None)


def test_catch_up_finishes_each_page_and_the_last_batch_before_pausing():
    calls = []
    pages = _pages(([("a", 1)], "p1"), ([("b", 2)], "p2"), fail_with=retry.TransientError("503", retry_after=5))
    with pytest.raises(retry.CatchUpPaused):
        retry.catch_up(
            pages, lambda record: calls.append(record[0]) or record[1], end_page=lambda last: calls.append(last)
        )
    # what was imported is finished before the job ends, and marked as the last batch
    assert calls == ["a", False, "b", False, True]


def test_catch_up_finishes_the_last_batch_when_done():
    calls = []
    retry.catch_up(_pages(([("a", 1)], None)), lambda record: record[1], end_page=calls.append)
    assert calls == [False, True]


def test_catch_up_stops_after_its_share_of_records_at_a_page_boundary():
    fetched = []

    def pages():
        for number in range(1, 6):
            fetched.append(number)
            yield [(f"r{number}a", number), (f"r{number}b", number)], f"after-{number}" if number < 5 else None

    calls = []
    with pytest.raises(retry.CatchUpContinues) as stopped:
        retry.catch_up(pages(), lambda record: calls.append(record[0]) or record[1], calls.append, max_records=3)
    # two whole pages (4 records >= 3), their batch finished; the third page is never asked for
    assert calls == ["r1a", "r1b", False, "r2a", "r2b", False, True]
    assert fetched == [1, 2]
    assert (stopped.value.newest, stopped.value.cursor, stopped.value.seconds, stopped.value.imported) == (
        2,
        "after-2",
        0,
        4,
    )
    assert isinstance(stopped.value, retry.CatchUpPaused)  # resumed by the same path as a pause


def test_catch_up_shows_each_page_before_importing_it():
    calls = []
    pages = _pages((["a", "b"], "p1"), (["c"], None))
    retry.catch_up(pages, calls.append, start_page=lambda records: calls.append(f"page {records}"))
    assert calls == ["page ['a', 'b']", "a", "b", "page ['c']", "c"]


def test_catch_up_share_reached_on_the_last_page_ends_normally():
    pages = _pages(([("a", 1), ("b", 2)], "p1"), ([("c", 3)], None))
    assert retry.catch_up(pages, lambda record: record[1], max_records=3) == 3


class _BatchOfTwoPages:
    """An importer that holds the records of two pages and imports them together,
    its import failing (Shopify busy) when ``fail_on`` is among them."""

    def __init__(self, fail_on=None):
        self.held, self.imported, self.fail_on = [], [], fail_on

    def read(self, record):
        self.held.append(record)
        return record[1]

    def end_page(self, last):
        if self.held and (last or len(self.held) >= 4):
            batch = self.held[:]
            self.held.clear()
            if self.fail_on in batch:
                raise retry.ThrottledError("busy", retry_after=3)
            self.imported += batch
        return bool(self.held)


def test_a_batch_whose_import_fails_resumes_before_its_pages():
    importer = _BatchOfTwoPages(fail_on=("g", 7))
    pages = _pages(
        ([("a", 1), ("b", 2)], "p1"),
        ([("c", 3), ("d", 4)], "p2"),  # a and b, c and d: imported together after p2
        ([("e", 5), ("f", 6)], "p3"),
        ([("g", 7), ("h", 8)], "p4"),  # e to h: their import fails
        ([("i", 9)], None),
    )
    with pytest.raises(retry.CatchUpPaused) as paused:
        retry.catch_up(pages, importer.read, end_page=importer.end_page)
    assert [record[0] for record in importer.imported] == ["a", "b", "c", "d"]
    # p3 and p4 are read again on resume: e and f were held, not imported
    assert paused.value.cursor == "p2"


def test_records_held_when_a_page_read_fails_are_imported_and_the_run_resumes_after_them():
    importer = _BatchOfTwoPages()
    pages = _pages(
        ([("a", 1), ("b", 2)], "p1"),
        ([("c", 3), ("d", 4)], "p2"),
        ([("e", 5), ("f", 6)], "p3"),
        fail_with=retry.ThrottledError("busy", retry_after=3),
    )
    with pytest.raises(retry.CatchUpPaused) as paused:
        retry.catch_up(pages, importer.read, end_page=importer.end_page)
    assert [record[0] for record in importer.imported] == ["a", "b", "c", "d", "e", "f"]
    assert paused.value.cursor == "p3"


# --------------------------------------------------------------------------- read_ahead


def test_read_ahead_yields_every_item_in_order():
    assert list(read_ahead(iter(range(7)))) == list(range(7))
    assert list(read_ahead([])) == []


def test_catch_up_fetches_the_next_page_while_the_current_one_is_imported():
    next_page_requested = threading.Event()

    def pages():
        yield ["first page"], "c1"
        next_page_requested.set()
        yield ["second page"], "c2"

    imported = []

    def import_one(record):
        # Without read-ahead the second page is only asked for after this returns.
        imported.append((record, next_page_requested.wait(timeout=10)))

    retry.catch_up(pages(), import_one)
    assert imported == [("first page", True), ("second page", True)]


def test_read_ahead_of_several_pages_fetches_them_while_the_first_is_handled():
    fetched = []
    third_fetched = threading.Event()

    def pages():
        for number in range(1, 6):
            fetched.append(number)
            if number == 3:
                third_fetched.set()
            yield number

    seen = []
    for item in read_ahead(pages(), depth=2):
        if item == 1:
            # pages 2 and 3 are asked for while page 1 is handled, not page 4
            assert third_fetched.wait(timeout=10)
            time.sleep(0.05)
            assert fetched == [1, 2, 3]
        seen.append(item)
    assert seen == [1, 2, 3, 4, 5]


def test_a_page_read_ahead_that_fails_fails_when_reached_and_later_pages_are_not_read():
    def pages():
        yield "a"
        raise retry.ThrottledError("busy", retry_after=4)

    seen = []
    with pytest.raises(retry.ThrottledError):
        for item in read_ahead(pages(), depth=4):
            seen.append(item)
    assert seen == ["a"]


def test_prefetcher_makes_several_reads_at_once():
    started = threading.Barrier(3, timeout=10)

    def read(key):
        started.wait()  # only returns once the three reads are in flight together
        return key.upper()

    with Prefetcher(workers=3) as prefetcher:
        for key in ("a", "b", "c"):
            prefetcher.submit(key, read, key)
        assert [prefetcher.take(key, read, key) for key in ("a", "b", "c")] == ["A", "B", "C"]


def test_catch_up_raises_a_page_read_ahead_when_it_reaches_it():
    # The second page fails while the first is being imported: the first is
    # still imported, and the catch-up pauses after it, at its cursor.
    imported = []
    pages = _pages((["a", "b"], "p1"), fail_with=retry.ThrottledError("busy", retry_after=4))
    with pytest.raises(retry.CatchUpPaused) as paused:
        retry.catch_up(pages, lambda record: imported.append(record))
    assert imported == ["a", "b"]
    assert paused.value.cursor == "p1"
    assert paused.value.seconds == 4
