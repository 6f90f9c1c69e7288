# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Settlement file parsers: plain Python, no ORM.

Every parser returns canonical rows (:class:`~.canonical.Row`) with ``Decimal``
amounts, signed from the merchant's provider balance: money in is positive.
``gross + fee == net`` holds for every row.
"""

from .canonical import LINE_TYPES, Row, group_settlements, parse_amount
from .parsers import PARSERS, parse

__all__ = ["LINE_TYPES", "PARSERS", "Row", "group_settlements", "parse", "parse_amount"]
