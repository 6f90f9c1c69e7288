"""Settlement matching at scale: N payout lines against N payments.

Payments and lines are cloned in SQL from one real posted payment (the ORM
would spend the time creating them); the measured part is the set-based
matching (`retail.settlement.line._match`) through the ORM, as the import
wizard runs it. Prints one line per size, the last one being

    BENCH settlement_match n=... seconds=... peak_mb=...

Usage: python3 bench/settlement_match.py [N ...]   (default: 10000 100000)
"""

import sys
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _odoo import throwaway


def setup(env):
    company = env.company
    if not env["account.account"].search_count([("company_ids", "in", company.ids)]):
        env["account.chart.template"].try_loading("generic_coa", company, install_demo=False)
    account = env["account.account"]
    clearing = account.create(
        {"name": "Bench in transit", "code": "101990", "account_type": "asset_current", "reconcile": True}
    )
    fees = account.create({"name": "Bench fees", "code": "626190", "account_type": "expense"})
    journal = env["account.journal"].create({"name": "Bench PSP", "code": "BPSP", "type": "bank"})
    journal.inbound_payment_method_line_ids.payment_account_id = clearing
    provider = env["retail.settlement.provider"].create(
        {
            "name": "Bench PSP",
            "code": "stripe",
            "clearing_account_id": clearing.id,
            "fee_account_id": fees.id,
            "adjustment_account_id": fees.id,
            "journal_id": env["account.journal"].search([("type", "=", "general")], limit=1).id,
            "bank_journal_id": env["account.journal"]
            .search([("type", "=", "bank"), ("id", "!=", journal.id)], limit=1)
            .id,
        }
    )
    partner = env["res.partner"].create({"name": "Bench customer", "email": "bench@example.com"})
    template = env["account.payment"].create(
        {
            "payment_type": "inbound",
            "partner_type": "customer",
            "partner_id": partner.id,
            "amount": 1.0,
            "journal_id": journal.id,
            "date": "2026-03-01",
            "memo": "#0 sale",
            "payment_reference": "ch_0",
        }
    )
    template.action_post()
    return provider, template


def clone(env, provider, template, n):
    cr = env.cr
    cr.execute(
        "SELECT column_name FROM information_schema.columns"
        " WHERE table_name = 'account_payment' AND column_name != 'id'"
    )
    columns = [row[0] for row in cr.fetchall()]
    overrides = {
        "payment_reference": "'ch_' || g",
        "memo": "'#' || g || ' sale'",
        "amount": "10 + (g %% 5000) / 100.0",
        "name": "'BENCH/' || g",
        "move_id": "NULL",
    }
    select = ", ".join(overrides.get(c, f'p."{c}"') for c in columns)
    cr.execute(
        f'INSERT INTO account_payment ({", ".join(f"{chr(34)}{c}{chr(34)}" for c in columns)}) '
        f"SELECT {select} FROM account_payment p, generate_series(1, %s) g WHERE p.id = %s",
        (n, template.id),
    )
    settlement = env["retail.settlement"].create(
        {
            "provider_id": provider.id,
            "external_id": f"po_bench_{n}",
            "date": "2026-03-10",
            "currency_id": env.company.currency_id.id,
            "state": "imported",
        }
    )
    env.flush_all()
    cr.execute(
        """
        INSERT INTO retail_settlement_line (settlement_id, provider_id, company_id, sequence, date, type, currency_id,
               gross, fee, net, provider_transaction_id, order_reference, source_id, match_state)
        SELECT %s, %s, %s, g, DATE '2026-03-02', 'charge', %s, 10 + (g %% 5000) / 100.0, -0.30,
               9.70 + (g %% 5000) / 100.0,
               CASE WHEN g %% 10 = 0 THEN NULL ELSE 'ch_' || g END, '#' || g, 'txn_' || g, 'unmatched'
          FROM generate_series(1, %s) g
        """,
        (settlement.id, provider.id, env.company.id, env.company.currency_id.id, n),
    )
    env.invalidate_all()
    return settlement


def run(registry, n):
    with registry.cursor() as cr:
        from odoo import SUPERUSER_ID, api

        env = api.Environment(cr, SUPERUSER_ID, {"tracking_disable": True})
        provider, template = setup(env)
        settlement = clone(env, provider, template, n)
        lines = settlement.line_ids
        tracemalloc.start()
        started = time.perf_counter()
        lines._match()
        seconds = time.perf_counter() - started
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        cr.execute(
            "SELECT match_rule, COUNT(*) FROM retail_settlement_line WHERE settlement_id = %s GROUP BY 1",
            (settlement.id,),
        )
        rules = dict(cr.fetchall())
        cr.rollback()
    print(f"n={n} matched={rules} seconds={seconds:.2f}", flush=True)
    return seconds, peak / 1024 / 1024


def main():
    sizes = [int(arg) for arg in sys.argv[1:]] or [10000, 100000]
    with throwaway("retail_settlement_recon", prefix="retail_bench_settle") as database:
        registry = database.registry()
        for n in sizes:
            seconds, peak_mb = run(registry, n)
            print(f"BENCH settlement_match n={n} seconds={seconds:.2f} peak_mb={peak_mb:.1f}", flush=True)


if __name__ == "__main__":
    main()
