#!/usr/bin/env python3
"""Renders the same content as `examples/report_bench.rs` from HTML with WeasyPrint, for
comparison with mufakat-reports.

    cargo run --release -p mufakat-reports --example report_bench -- /tmp/rb 5
    python3 -m venv /work/venv-weasy && /work/venv-weasy/bin/pip install weasyprint
    /work/venv-weasy/bin/python crates/reports/bench/weasyprint_bench.py /tmp/rb [ITERATIONS] [all|audit|priority]

It reads the JSON inputs the Rust example wrote, builds HTML with the same sections (page
header with logo box, region and title; "Halaman x dari y" footer; summary; the table with its
header row repeated on every page; totals; the vote bar chart for the priority list), renders
it to PDF and prints pages, size and time per document (HTML building included; it is a
negligible part).
"""

import html
import json
import sys
import time
from decimal import Decimal, ROUND_HALF_UP

from weasyprint import HTML

MONTHS = ["Januari", "Februari", "Maret", "April", "Mei", "Juni", "Juli", "Agustus",
          "September", "Oktober", "November", "Desember"]


def rupiah(v):
    d = Decimal(str(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    neg = d < 0
    i, f = f"{abs(d):.2f}".split(".")
    g = "{:,}".format(int(i)).replace(",", ".")
    return f"{'-' if neg else ''}Rp {g},{f}"


def num(n):
    return "{:,}".format(int(n)).replace(",", ".")


def dec(v):
    d = Decimal(str(v)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP).normalize()
    s = f"{d:f}"
    i, _, f = s.partition(".")
    return num(i) + ("," + f if f else "")


def e(s):
    return html.escape(str(s))


CSS = """
@page { size: A4 %(orient)s; margin: 34mm 15mm 20mm 18mm;
  @top-left { content: element(header); vertical-align: top; }
  @bottom-left { content: "Dibuat oleh Mufakat pada 14 Maret 2026 08:30 UTC"; font-size: 7pt; color: #595959; }
  @bottom-right { content: "Halaman " counter(page) " dari " counter(pages); font-size: 7.5pt; } }
body { font-family: Helvetica, Arial, sans-serif; font-size: 9.5pt; }
header { position: running(header); width: 100%%; border-bottom: 3px double black; padding-bottom: 2mm; }
.logo { float: left; width: 17mm; height: 17mm; border: 0.8pt solid #8c8c8c; text-align: center;
  line-height: 17mm; font-size: 7pt; font-weight: bold; color: #8c8c8c; margin-right: 4mm; }
.region { font-weight: bold; font-size: 10pt; } .title { font-weight: bold; font-size: 12.5pt; }
.sub { font-size: 8.5pt; color: #595959; }
h2 { font-size: 11.5pt; border-bottom: 0.5pt solid #bfbfbf; margin: 8pt 0 4pt; }
table.kv td { padding: 0 4pt 0 0; }
table.t { width: 100%%; border-collapse: collapse; font-size: %(tsize)s; }
table.t th { background: #dbe3ed; border: 0.5pt solid #8c8c8c; padding: %(pad)s; }
table.t td { border-left: 0.5pt solid #8c8c8c; border-right: 0.5pt solid #8c8c8c;
  border-bottom: 0.3pt solid #bfbfbf; padding: %(pad)s; %(nowrap)s }
table.t tr:nth-child(even) td { background: %(zebra)s; }
td.r { text-align: right; } td.c { text-align: center; }
tr.tot td { font-weight: bold; background: #ededed; border-top: 0.9pt solid #8c8c8c; }
.bar { display: flex; align-items: center; height: 12pt; font-size: 7.5pt; }
.bar .l { width: 34%%; text-align: right; padding-right: 2mm; white-space: nowrap; overflow: hidden; }
.bar .b { height: 8pt; } .bar .v { padding-left: 3pt; }
"""


def page(region, title, sub, body, orient, tsize, pad, nowrap, zebra):
    css = CSS % dict(orient=orient, tsize=tsize, pad=pad, nowrap=nowrap, zebra=zebra)
    return f"""<!doctype html><html lang="id"><head><meta charset="utf-8"><title>{e(title)}</title>
<meta name="author" content="Mufakat"><style>{css}</style></head><body>
<header><div class="logo">LOGO</div><div class="region">{e(region)}</div>
<div class="title">{e(title)}</div><div class="sub">{e(sub)}</div></header>{body}</body></html>"""


def kv(pairs):
    return "<table class='kv'>" + "".join(f"<tr><td>{e(k)}</td><td>: {e(v)}</td></tr>" for k, v in pairs) + "</table>"


def audit_html(d):
    v, cp = d["verification"], d.get("checkpoint")
    ev = d["events"]
    body = ["<h2>Ringkasan</h2>", kv([("Cakupan", "Periode"), ("Jumlah kejadian", num(len(ev))),
                                       ("Nomor urut", f"{ev[0]['seq']} – {ev[-1]['seq']}")])]
    body.append("<h2>Hasil verifikasi</h2><p style='color:#1a8038;font-weight:bold'>UTUH — rantai hash terverifikasi</p>")
    body.append(kv([("Kejadian diperiksa", num(v["events_checked"])), ("Pesan pemeriksa", v["message"])]))
    if cp:
        body.append("<h2>Checkpoint bertanda tangan terakhir</h2>")
        body.append(kv([("Nomor urut", num(cp["seq"])), ("Hash", cp["hash"]), ("Ditandatangani pada", cp["signed_at"]),
                        ("Kunci publik (Ed25519)", cp["public_key"])]))
    body.append("<h2>Cara memverifikasi secara mandiri</h2><ol><li>mufakat audit export -o audit.jsonl; mufakat audit verify.</li>"
                "<li>python3 crates/audit/verify_export.py audit.jsonl --public-key HEX (docs/audit-verification.md).</li>"
                "<li>Bandingkan kunci publik dan hash checkpoint dengan salinan yang diumumkan.</li></ol>")
    body.append("<h2>Daftar kejadian</h2><table class='t'><thead><tr><th>No. urut</th><th>Waktu (UTC)</th><th>Pelaku</th>"
                "<th>Peran</th><th>Alur kerja / instans</th><th>Transisi</th><th>Dari -&gt; ke</th><th>Hash</th>"
                "<th>Hash sebelumnya</th></tr></thead><tbody>")
    rows = []
    for x in ev:
        t = x["at"].replace("T", " ")[:19]
        rows.append(f"<tr><td class='r'>{x['seq']}</td><td>{t}</td><td>{e(x['actor'])}</td><td>{e(x['role'])}</td>"
                    f"<td>{e(x['workflow'])} / {e(x['instance_id'])}</td><td>{e(x['transition'])}</td>"
                    f"<td>{e(x['from_state'] or '-')} -&gt; {e(x['to_state'])}</td><td>{x['hash'][:12]}</td>"
                    f"<td>{x['prev_hash'][:12]}</td></tr>")
    body.append("".join(rows) + "</tbody></table>")
    return page(d["region"], "Jejak Audit", "Periode", "".join(body), "landscape", "6.8pt", "1.2pt 2pt",
                "white-space: nowrap; overflow: hidden;", "#f6f6f6")


def priority_html(d):
    items, ceiling = d["items"], Decimal(str(d["ceiling"]))
    cum, within, open_, cums, flags = Decimal(0), Decimal(0), True, [], []
    for it in items:
        cum += Decimal(str(it["cost"]))
        ok = open_ and cum <= ceiling
        open_ = ok
        if ok:
            within = cum
        cums.append(cum)
        flags.append(ok)
    total = sum(Decimal(str(i["cost"])) for i in items)
    votes = sum(i["votes"] for i in items)
    body = ["<h2>Ringkasan</h2>", kv([("Siklus", d["cycle"]), ("Jumlah usulan", num(len(items))), ("Jumlah suara", num(votes)),
                                       ("Total biaya usulan", rupiah(total)), ("Pagu indikatif", rupiah(ceiling)),
                                       ("Dalam pagu", rupiah(within)), ("Sisa pagu", rupiah(ceiling - within))])]
    body.append("<h2>Daftar prioritas</h2><table class='t'><thead><tr><th>No</th><th>Usulan</th><th>OPD</th><th>Biaya</th>"
                "<th>Suara</th><th>Skor</th><th>Kumulatif</th><th>Dalam pagu</th></tr></thead><tbody>")
    rows = []
    for it, c, f in zip(items, cums, flags):
        rows.append(f"<tr><td class='c'>{it['rank']}</td><td>{e(it['title'])}</td><td>{e(it['opd'])}</td>"
                    f"<td class='r'>{rupiah(it['cost'])}</td><td class='r'>{num(it['votes'])}</td>"
                    f"<td class='r'>{dec(it['score'])}</td><td class='r'>{rupiah(c)}</td><td class='c'>{'Ya' if f else 'Tidak'}</td></tr>")
    rows.append(f"<tr class='tot'><td colspan='3'>JUMLAH ({num(len(items))} usulan)</td><td class='r'>{rupiah(total)}</td>"
                f"<td class='r'>{num(votes)}</td><td></td><td></td><td></td></tr>")
    body.append("".join(rows) + "</tbody></table><h2>Perolehan suara</h2>")
    mx = max(i["votes"] for i in items)
    bars = []
    for it, f in zip(items, flags):
        w = Decimal(it["votes"]) / Decimal(mx) * Decimal(44)
        color = "#296ba8" if f else "#b8bdc4"
        bars.append(f"<div class='bar'><div class='l'>{it['rank']}. {e(it['title'])}</div>"
                    f"<div class='b' style='width:{w:.3f}%;background:{color}'></div><div class='v'>{num(it['votes'])}</div></div>")
    body.append("".join(bars))
    return page(d["region"], "Daftar Prioritas Usulan", d["cycle"], "".join(body), "portrait", "8pt", "2.6pt 3pt", "", "white")


def bench(name, build, data, iters, out):
    doc = HTML(string=build(data)).render()  # warm-up
    pages = len(doc.pages)
    pdf = doc.write_pdf()
    with open(out, "wb") as f:
        f.write(pdf)
    t0 = time.perf_counter()
    for _ in range(iters):
        HTML(string=build(data)).write_pdf()
    secs = (time.perf_counter() - t0) / iters
    print(f"{name:<28} pages={pages:<5} size={len(pdf):>9} bytes  time={secs * 1000:>9.1f} ms/doc  {pages / secs:>7.1f} pages/s",
          flush=True)


def main():
    d = sys.argv[1] if len(sys.argv) > 1 else "target/report-bench"
    iters = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    only = sys.argv[3] if len(sys.argv) > 3 else "all"
    if only in ("all", "audit"):
        with open(f"{d}/audit_trail_10000.json") as f:
            bench("audit_trail (10,000 events)", audit_html, json.load(f), iters, f"{d}/weasy_audit_trail_10000.pdf")
    if only in ("all", "priority"):
        with open(f"{d}/priority_list_2000.json") as f:
            bench("priority_list (2,000 rows)", priority_html, json.load(f), iters, f"{d}/weasy_priority_list_2000.pdf")


if __name__ == "__main__":
    main()
