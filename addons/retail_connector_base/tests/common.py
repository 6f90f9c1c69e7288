# License LGPL-3.0 or later (https://www.gnu.org/licenses/lgpl).
"""Test helpers shared by the suite's addons (imported, never collected)."""


def perform_jobs(trap, rounds=2):
    """Perform the jobs ``trap`` holds, then (``rounds`` - 1 times) the jobs they queued.

    A webhook delivery takes two rounds: its backend's inbox job, then the event's
    own job. Jobs the event's processing queues stay trapped, to be asserted.
    """
    for __ in range(rounds):
        trap.perform_enqueued_jobs()


def perform_jobs_until_done(trap, max_rounds=50):
    """Perform the jobs ``trap`` holds and those they queue, until none is left
    (a catch-up continues in a new job per share of records)."""
    for __ in range(max_rounds):
        if not trap.enqueued_jobs:
            return
        trap.perform_enqueued_jobs()
    raise AssertionError(f"jobs still queued after {max_rounds} rounds: {trap.enqueued_jobs}")
