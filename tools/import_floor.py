#!/usr/bin/env python3
"""How fast SQLite itself writes an order import, with no Mubiao around it.

Writes the rows `mubiao bench sales` imports (200,000 lines in 100,000
orders, as `write_csv` in src/bench/sales.rs makes them) into a copy of the
bench's database with Python's sqlite3 and `executemany`: orders, lines,
credits and audit entries, in one transaction, with the import's 256 MB page
cache and no checkpoint. No checks, no customers created (unknown names take
customer 1), no computed actuals: a floor under what the import can take.

    cp bench.db floor.db && python3 tools/import_floor.py floor.db [VARIANT]

VARIANT changes the schema first (committed and checkpointed before timing):
`no-credit-index` drops the (month, person, day) index of credits (migration
000028), `person-credit-index` puts back the (person, day) index it replaced,
`no-customer-index` drops the (month, customer) index of orders (migration
000029), `customer-index` puts back the (customer) index it replaced, `bare` drops
every index of orders, lines, credits and audit entries that is not a primary
key or a unique constraint; several may be joined with commas.
"""
import json
import sqlite3
import sys
import time

PEOPLE, CUSTOMERS, ROWS, SEED = 10_000, 100_000, 200_000, 17
M = (1 << 64) - 1


def mix(a, b):
    """src/bench.rs `mix`."""
    x = ((a * 0x9E3779B97F4A7C15) & M) ^ ((b * 0xC2B2AE3D27D4EB4F) & M)
    x ^= x >> 29
    x = (x * 0xBF58476D1CE4E5B9) & M
    return x ^ (x >> 32)


def rows():
    """(order no, customer, employee no, day, product, category, quantity,
    unit price in fen, second employee no or None) per line."""
    for r in range(ROWS):
        o = r // 2
        h = mix(o, SEED)
        person = h % PEOPLE
        customer = (f"导入新客户F{o}" if o % 100 == 0
                    else f"客户{1 + (person * 10 + (h >> 20) % 10) % CUSTOMERS}")
        price = (100 + (h >> 32) % 9_900) * 100
        quantity = 1 + r % 2 + (h >> 40) % 5
        second = f"B{(person + 1) % PEOPLE + 1:06}" if o % 10 == 0 else None
        yield (f"FLOOR{o:07}", customer, f"B{person + 1:06}", f"2026-11-{1 + o % 27:02}",
               f"产品{(h >> 8) % 50}", f"类别{(h >> 16) % 8}", quantity, price, second)


def main():
    db, variant = sys.argv[1], (sys.argv[2] if len(sys.argv) > 2 else "")
    c = sqlite3.connect(db, isolation_level=None)
    for pragma in ("cache_size=-262144", "synchronous=NORMAL", "wal_autocheckpoint=0",
                   "mmap_size=1099511627776"):
        c.execute(f"PRAGMA {pragma}")
    for v in filter(None, variant.split(",")):
        if v in ("no-credit-index", "person-credit-index"):
            c.execute("DROP INDEX IF EXISTS ix_order_credit_month_person")
        if v == "person-credit-index":
            c.execute("CREATE INDEX ix_floor_credit_person ON order_credit "
                      "(person_id, order_date, customer_id, cancelled, amount)")
        if v in ("no-customer-index", "customer-index"):
            c.execute("DROP INDEX IF EXISTS ix_sales_order_month_customer")
            c.execute("DROP INDEX IF EXISTS ix_sales_order_customer")
        if v == "customer-index":
            c.execute("CREATE INDEX ix_sales_order_customer ON sales_order (customer_id)")
        if v == "bare":
            # Indexes made by CREATE INDEX (automatic ones have no SQL).
            for (index,) in c.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'index' AND sql IS NOT NULL "
                    "AND sql NOT LIKE 'CREATE UNIQUE%' AND tbl_name IN "
                    "('sales_order', 'order_line', 'order_credit', 'audit_entry')").fetchall():
                c.execute(f'DROP INDEX "{index}"')
    c.execute("PRAGMA wal_checkpoint(TRUNCATE)")

    orders = {}
    for row in rows():
        orders.setdefault(row[0], []).append(row)
    started = last = time.time()

    def lap(what):
        nonlocal last
        now = time.time()
        print(f"{now - started:6.2f} s  {now - last:5.2f} s  {what}", flush=True)
        last = now

    c.execute("BEGIN IMMEDIATE")
    people = dict(c.execute("SELECT employee_no, id FROM person"))
    names = {lines[0][1] for lines in orders.values()}
    customers = {n: i for i, n in c.execute("SELECT id, name FROM customer") if n in names}
    first = c.execute("SELECT COALESCE(MAX(id), 0) + 1 FROM sales_order").fetchone()[0]
    lap("salespeople and customers read")
    order_rows, line_rows, credit_rows, audit_rows = [], [], [], []
    for k, (no, lines) in enumerate(orders.items()):
        oid, head = first + k, lines[0]
        customer = customers.get(head[1], 1)
        total = sum(q * p for (*_, q, p, _) in lines)
        order_rows.append((oid, no, customer, head[3], total))
        for n, (_, _, _, _, product, category, q, p, _) in enumerate(lines, 1):
            line_rows.append((oid, n, product, category, q * 1000, p, q * p))
        if head[8]:
            share = total * 6000 // 10000
            credit_rows.append((oid, people[head[2]], 6000, share, head[3], customer))
            credit_rows.append((oid, people[head[8]], 4000, total - share, head[3], customer))
        else:
            credit_rows.append((oid, people[head[2]], 10000, total, head[3], customer))
        audit_rows.append((no, json.dumps({"order_no": no, "customer_id": customer,
                                           "total": total, "lines": len(lines)})))
    credit_rows.sort(key=lambda r: (r[4][:7], r[1], r[4]))
    lap("rows built")
    now = "2026-11-29T00:00:00Z"
    c.executemany("INSERT INTO sales_order (id, order_no, customer_id, order_date, total, status, "
                  f"created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'entered', '{now}', '{now}')",
                  order_rows)
    lap(f"{len(order_rows)} orders")
    c.executemany("INSERT INTO order_line (order_id, line_no, product, category, quantity_milli, "
                  "unit_price, amount) VALUES (?, ?, ?, ?, ?, ?, ?)", line_rows)
    lap(f"{len(line_rows)} lines")
    c.executemany("INSERT INTO order_credit (order_id, person_id, share, amount, order_date, "
                  "customer_id, cancelled) VALUES (?, ?, ?, ?, ?, ?, 0)", credit_rows)
    lap(f"{len(credit_rows)} credits")
    c.executemany("INSERT INTO audit_entry (record, after, at, actor, action, entity) "
                  f"VALUES (?, ?, '{now}', 'system', 'import', 'order')", audit_rows)
    lap("audit entries")
    c.execute("COMMIT")
    lap("committed")
    pages = c.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()[1]
    print(f"pages written to the log: {pages}")


if __name__ == "__main__":
    main()
