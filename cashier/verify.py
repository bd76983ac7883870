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


# Three passes over the entries, whatever their number: per transaction, per account, and one ordered
# pass (account, id) with a window for the balance_after chain, the currency and the limit of every entry.
CHECKS = [
    ("transactions balance per currency, and every transaction has entries",
     "SELECT t.id, s.currency, s.total FROM cashier_ledgertransaction t LEFT JOIN"
     " (SELECT transaction_id, currency, SUM(amount) AS total FROM cashier_entry GROUP BY transaction_id, currency)"
     " s ON s.transaction_id = t.id WHERE s.transaction_id IS NULL OR s.total <> 0 ORDER BY 1 LIMIT %s",
     lambda tx, currency, total: f"transaction {tx} has no entries" if currency is None
     else f"transaction {tx} does not balance in {currency}: sum {total}"),
    ("cached balance = sum of entries = last balance_after",
     "WITH s AS (SELECT account_id, SUM(amount) AS total, MAX(id) AS last_id FROM cashier_entry GROUP BY account_id)"
     " SELECT a.id, a.balance, COALESCE(s.total, 0), l.balance_after FROM cashier_account a"
     " LEFT JOIN s ON s.account_id = a.id LEFT JOIN cashier_entry l ON l.id = s.last_id"
     " WHERE a.balance <> COALESCE(s.total, 0) OR (l.id IS NOT NULL AND l.balance_after <> a.balance)"
     " ORDER BY 1 LIMIT %s",
     "account {0}: cached balance {1}, sum of entries {2}, last balance_after {3}"),
    ("every entry: balance_after chain, account currency, credit limit",
     "SELECT id, account_id, problem FROM (SELECT e.id, e.account_id, CASE"
     " WHEN e.currency <> a.currency THEN 'is in ' || e.currency || ', its account in ' || a.currency"
     " WHEN e.balance_after <> COALESCE(LAG(e.balance_after) OVER w, 0) + e.amount"
     "  THEN 'balance_after ' || e.balance_after || ' does not follow the previous entry'"
     " WHEN a.credit_limit IS NOT NULL AND e.amount < 0 AND e.balance_after < -a.credit_limit"
     "  THEN 'took the balance to ' || e.balance_after || ', beyond the credit limit ' || a.credit_limit"
     " END AS problem FROM cashier_entry e JOIN cashier_account a ON a.id = e.account_id"
     " WINDOW w AS (PARTITION BY e.account_id ORDER BY e.id)) x WHERE problem IS NOT NULL ORDER BY 1 LIMIT %s",
     "entry {0} (account {1}): {2}"),
    ("no balance beyond its limit",
     "SELECT id, balance, credit_limit FROM cashier_account WHERE credit_limit IS NOT NULL"
     " AND balance < -credit_limit ORDER BY 1 LIMIT %s",
     "account {0}: balance {1} is beyond its credit limit {2}"),
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
            cur.execute("SET LOCAL work_mem = '256MB'")  # hash aggregates in memory, not spilled to disk
            cur.execute("SELECT (SELECT COUNT(*) FROM cashier_ledgertransaction),"
                        " (SELECT COUNT(*) FROM cashier_entry), (SELECT COUNT(*) FROM cashier_account)")
            report.transactions, report.entries, report.accounts = cur.fetchone()
            for name, sql, template in CHECKS:
                t0 = time.monotonic()
                cur.execute(sql, [max_problems])
                rows = cur.fetchall()
                report.problems += [template(*r) if callable(template) else template.format(*r) for r in rows]
                report.checks.append((name, len(rows)))
                if progress:
                    progress(name, len(rows), time.monotonic() - t0)
        finally:
            if not in_atomic:
                cur.execute("COMMIT")
    report.seconds = time.monotonic() - started
    return report
