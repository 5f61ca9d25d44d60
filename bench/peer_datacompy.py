"""The peer: datacompy (pandas backend) comparing Jobber invoices with the QuickBooks invoice list.

``python bench/peer_datacompy.py JOBBER_INVOICES.csv QBO_INVOICE_LIST.csv`` prints one JSON
object with the time of each phase. It runs in its own virtual environment
(``bench/.venv-datacompy``, made by ``bench/run.py``) because datacompy pins an older pandas,
so it must not import driftcheck.

What a person comparing these two exports with datacompy has to do, and what is timed:

* ``read``: read both CSVs with pandas (the C parser), skip the QuickBooks preamble, drop its
  TOTAL and footer lines, parse the money columns (``"1,234.56"``) and
  the two date styles (``Nov 20, 2025`` and ``11/20/2025``) so they compare as dates, not text;
* ``compare``: ``datacompy.PandasCompare`` (``Compare`` before 1.0) joined on the invoice number;
* ``report``: ``Compare.report()``, the text a person reads.
"""

from __future__ import annotations

import json
import sys
import time

COLUMNS = ["invoice", "customer", "issued", "due", "amount", "balance"]


def main(jobber_path: str, qbo_path: str) -> dict[str, object]:
    t0 = time.perf_counter()
    import datacompy
    import pandas as pd

    t_import = time.perf_counter() - t0

    t = time.perf_counter()
    jobber = pd.read_csv(
        jobber_path, encoding="utf-8-sig", dtype={"Invoice #": str, "Job #s": str},
        usecols=["Invoice #", "Client name", "Issued date", "Due date", "Total ($)", "Balance ($)"],
    ).rename(columns={"Invoice #": "invoice", "Client name": "customer", "Issued date": "issued",
                      "Due date": "due", "Total ($)": "amount", "Balance ($)": "balance"})
    jobber["issued"] = pd.to_datetime(jobber["issued"], format="%b %d, %Y")
    jobber["due"] = pd.to_datetime(jobber["due"], format="%b %d, %Y")
    qbo = pd.read_csv(
        qbo_path, skiprows=4, dtype={"Num": str, "Amount": str, "Open balance": str},
        usecols=["Date", "Num", "Name", "Due date", "Amount", "Open balance"],
    )
    qbo = qbo[qbo["Num"].notna()].rename(columns={"Num": "invoice", "Name": "customer", "Date": "issued",
                                                  "Due date": "due", "Amount": "amount", "Open balance": "balance"})
    qbo["issued"] = pd.to_datetime(qbo["issued"], format="%m/%d/%Y")
    qbo["due"] = pd.to_datetime(qbo["due"], format="%m/%d/%Y")
    for col in ("amount", "balance"):
        qbo[col] = pd.to_numeric(qbo[col].str.replace(",", "", regex=False))
    t_read = time.perf_counter() - t

    t = time.perf_counter()
    compare = getattr(datacompy, "PandasCompare", None) or datacompy.Compare  # renamed in datacompy 1.0
    cmp = compare(jobber[COLUMNS], qbo[COLUMNS], join_columns="invoice", df1_name="jobber",
                            df2_name="quickbooks", abs_tol=0.005)
    matches = cmp.matches()
    t_compare = time.perf_counter() - t

    t = time.perf_counter()
    report = cmp.report()
    t_report = time.perf_counter() - t
    return {
        "datacompy": datacompy.__version__,
        "pandas": pd.__version__,
        "import": t_import,
        "read": t_read,
        "compare": t_compare,
        "report": t_report,
        "total": time.perf_counter() - t0,
        "rows": [len(jobber), len(qbo)],
        "intersect_rows": int(len(cmp.intersect_rows)),
        "only_jobber": int(len(cmp.df1_unq_rows)),
        "only_quickbooks": int(len(cmp.df2_unq_rows)),
        "matches": bool(matches),
        "report_chars": len(report),
    }


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python bench/peer_datacompy.py JOBBER_INVOICES.csv QBO_INVOICE_LIST.csv")
    print(json.dumps(main(sys.argv[1], sys.argv[2])))
