"""Channel-agnostic protocol helpers (plain Python, no ORM).

Everything here is importable and testable without a database: signature
verification, masking of personal data, payload digests, advisory-lock keys
and the retry policy that turns transport outcomes into job outcomes.
"""
