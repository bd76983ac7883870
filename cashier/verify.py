"""``ledger_verify``: set-based proofs over the whole ledger (a few sequential scans, no per-row Python)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from django.db import connection


@dataclass
class LedgerReport:
    transactions: int = 0
    entries: int = 0
    accounts: int = 0
    seconds: float = 0.0
    problems: list[str] = field(default_factory=list)
    checks: list[tuple[str, int]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


CHECKS = [
    ("transactions balance per currency",
     "SELECT transaction_id, currency, SUM(amount) FROM cashier_entry GROUP BY transaction_id, currency"
     " HAVING SUM(amount) <> 0 ORDER BY 1 LIMIT %s",
     "transaction {0} does not balance in {1}: sum {2}"),
    ("every transaction has entries",
     "SELECT t.id FROM cashier_ledgertransaction t WHERE NOT EXISTS"
     " (SELECT 1 FROM cashier_entry e WHERE e.transaction_id = t.id) ORDER BY 1 LIMIT %s",
     "transaction {0} has no entries"),
    ("entries in their account's currency",
     "SELECT e.id, e.currency, a.currency FROM cashier_entry e JOIN cashier_account a ON a.id = e.account_id"
     " WHERE e.currency <> a.currency ORDER BY 1 LIMIT %s",
     "entry {0} is in {1} but its account is in {2}"),
    ("cached balance = sum of entries = last balance_after",
     "WITH s AS (SELECT account_id, SUM(amount) AS total, MAX(id) AS last_id FROM cashier_entry GROUP BY account_id)"
     " SELECT a.id, a.balance, COALESCE(s.total, 0), l.balance_after FROM cashier_account a"
     " LEFT JOIN s ON s.account_id = a.id LEFT JOIN cashier_entry l ON l.id = s.last_id"
     " WHERE a.balance <> COALESCE(s.total, 0) OR (l.id IS NOT NULL AND l.balance_after <> a.balance)"
     " ORDER BY 1 LIMIT %s",
     "account {0}: cached balance {1}, sum of entries {2}, last balance_after {3}"),
    ("each balance_after = previous balance_after + amount",
     "SELECT id, account_id, balance_after, prev + amount FROM (SELECT id, account_id, amount, balance_after,"
     " COALESCE(LAG(balance_after) OVER (PARTITION BY account_id ORDER BY id), 0) AS prev FROM cashier_entry) x"
     " WHERE balance_after <> prev + amount ORDER BY 1 LIMIT %s",
     "entry {0} (account {1}): balance_after {2}, expected {3}"),
    ("no balance beyond its limit",
     "SELECT id, balance, credit_limit FROM cashier_account WHERE credit_limit IS NOT NULL"
     " AND balance < -credit_limit ORDER BY 1 LIMIT %s",
     "account {0}: balance {1} is beyond its credit limit {2}"),
    ("no entry beyond its account's limit",
     "SELECT e.id, e.account_id, e.balance_after, a.credit_limit FROM cashier_entry e"
     " JOIN cashier_account a ON a.id = e.account_id"
     " WHERE a.credit_limit IS NOT NULL AND e.balance_after < -a.credit_limit AND e.amount < 0 ORDER BY 1 LIMIT %s",
     "entry {0} took account {1} to {2}, beyond its credit limit {3}"),
]


def ledger_verify(*, max_problems: int = 50, progress=None) -> LedgerReport:
    """Run every check in one REPEATABLE READ snapshot (a consistent view while postings go on)."""
    report = LedgerReport()
    started = time.monotonic()
    with connection.cursor() as cur:
        in_atomic = connection.in_atomic_block
        if not in_atomic:
            cur.execute("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
        try:
            cur.execute("SELECT (SELECT COUNT(*) FROM cashier_ledgertransaction),"
                        " (SELECT COUNT(*) FROM cashier_entry), (SELECT COUNT(*) FROM cashier_account)")
            report.transactions, report.entries, report.accounts = cur.fetchone()
            for name, sql, template in CHECKS:
                t0 = time.monotonic()
                cur.execute(sql, [max_problems])
                rows = cur.fetchall()
                report.problems += [template.format(*r) for r in rows]
                report.checks.append((name, len(rows)))
                if progress:
                    progress(name, len(rows), time.monotonic() - t0)
        finally:
            if not in_atomic:
                cur.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report
