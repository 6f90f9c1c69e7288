# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
from datetime import datetime

import pytest

from odoo.addons.retail_connector_base.lib.timestamps import parse_timestamp


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2023-03-29T18:00:27.877041743Z", datetime(2023, 3, 29, 18, 0, 27)),
        ("2026-11-22T10:15:00+02:00", datetime(2026, 11, 22, 8, 15, 0)),
        ("2026-11-22T23:30:00-05:00", datetime(2026, 11, 23, 4, 30, 0)),
        ("2026-11-22 10:15:00", datetime(2026, 11, 22, 10, 15, 0)),
    ],
)
def test_parse_timestamp_gives_naive_utc(value, expected):
    assert parse_timestamp(value) == expected


@pytest.mark.parametrize("value", [None, "", "yesterday", "2026-13-45T00:00:00Z", 1700000000])
def test_parse_timestamp_rejects_garbage(value):
    assert parse_timestamp(value) is None
