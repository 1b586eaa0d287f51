#!/usr/bin/env python3
"""Writes the order file `mubiao bench sales` imports (`write_csv` in
src/bench/sales.rs), with another order-number prefix and any number of
rows, to import again into a kept bench database:

    python3 tools/bench_import_csv.py IMQ 200000 q.csv
    MUBIAO_LOG=mubiao=debug mubiao --database sqlite://COPY.db import orders q.csv

Two rows per order, 2026-11 dates, one order in a hundred naming a new
customer ("导入新客户<PREFIX><n>"), one in ten split 60/40 with a second
salesperson; 10,000 salespeople (B000001…) and 100,000 customers (客户1…)
as the bench loads them.
"""
import sys

from import_floor import mix  # src/bench.rs `mix`, beside this file


def main():
    prefix, rows, path = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    with open(path, "w", encoding="utf-8") as out:
        out.write("订单号,客户,销售工号,下单日期,产品,类别,数量,单价,金额,第二销售工号,分成比例\n")
        for r in range(rows):
            o = r // 2
            h = mix(o, 17)
            person = h % 10_000
            customer = (f"导入新客户{prefix}{o}" if o % 100 == 0
                        else f"客户{1 + (person * 10 + (h >> 20) % 10) % 100_000}")
            price = 100 + (h >> 32) % 9_900
            quantity = 1 + r % 2 + (h >> 40) % 5
            second, share = ((f"B{(person + 1) % 10_000 + 1:06}", "60") if o % 10 == 0
                             else ("", ""))
            out.write(f"{prefix}{o:07},{customer},B{person + 1:06},2026-11-{1 + o % 27:02},"
                      f"产品{(h >> 8) % 50},类别{(h >> 16) % 8},{quantity},{price}.00,"
                      f"{quantity * price}.00,{second},{share}\n")


if __name__ == "__main__":
    main()
