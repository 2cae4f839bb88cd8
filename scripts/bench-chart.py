#!/usr/bin/env python3
"""Draws docs/img/*.svg from switchboard-bench --json results (no plotting library needed).

    python3 scripts/bench-chart.py RESULTS_DIR docs/img

RESULTS_DIR holds boot1500.json, boot32k.json (bootstrap), fanout-*.json (fanout).
"""
import json, math, os, sys

def load(path):
    with open(path) as f:
        return json.load(f)

def svg(width, height, body):
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'font-family="Helvetica, Arial, sans-serif" font-size="12">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n{body}</svg>\n')

def bootstrap_chart(reports, out):
    """Grouped bars on a log scale: full bootstrap vs working set bytes per workspace size."""
    width, height, left, bottom, top = 640, 360, 70, 50, 40
    plot_h = height - bottom - top
    values = [r[k]["bytes_p50"] for r in reports for k in ("full", "working_set")]
    low, high = 3, math.ceil(math.log10(max(values)) + 0.2)
    def y(v):
        return top + plot_h - (math.log10(max(v, 10 ** low)) - low) / (high - low) * plot_h
    parts = [f'<text x="{width/2}" y="22" text-anchor="middle" font-size="15">Bootstrap payload per connect (raw JSON, median)</text>']
    for exp in range(low, high + 1):
        yy = y(10 ** exp)
        label = {3: "1 KB", 4: "10 KB", 5: "100 KB", 6: "1 MB", 7: "10 MB", 8: "100 MB"}.get(exp, f"1e{exp}")
        parts.append(f'<line x1="{left}" x2="{width-20}" y1="{yy:.1f}" y2="{yy:.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left-8}" y="{yy+4:.1f}" text-anchor="end">{label}</text>')
    group_w = (width - left - 40) / len(reports)
    for i, r in enumerate(reports):
        x0 = left + 20 + i * group_w
        for j, (key, color, name) in enumerate((("full", "#c0504d", "full bootstrap (origin)"),
                                                 ("working_set", "#4f81bd", "working set (edge)"))):
            v = r[key]["bytes_p50"]
            bx, bw = x0 + j * (group_w / 2 - 10), group_w / 2 - 20
            parts.append(f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{bw:.1f}" height="{top + plot_h - y(v):.1f}" fill="{color}"/>')
            parts.append(f'<text x="{bx + bw/2:.1f}" y="{y(v)-5:.1f}" text-anchor="middle">{v/1024:,.0f} KB</text>')
        parts.append(f'<text x="{x0 + group_w/2 - 15:.1f}" y="{height-28}" text-anchor="middle">'
                     f'{r["users"]:,} users — {r["ratio"]:.0f}x smaller</text>')
    parts.append(f'<rect x="{left+10}" y="{height-18}" width="10" height="10" fill="#c0504d"/>'
                 f'<text x="{left+25}" y="{height-9}">full bootstrap, origin GET /api/rtm.start</text>')
    parts.append(f'<rect x="{left+300}" y="{height-18}" width="10" height="10" fill="#4f81bd"/>'
                 f'<text x="{left+315}" y="{height-9}">working set, edge ready / GET /api/bootstrap</text>')
    with open(out, "w") as f:
        f.write(svg(width, height, "\n".join(parts) + "\n"))

def fanout_chart(reports, out):
    """Latency percentiles (ms) per run, as bars."""
    width, height, left, bottom, top = 640, 340, 60, 60, 40
    plot_h = height - bottom - top
    keys = [("latency_p50_ms", "p50"), ("latency_p99_ms", "p99"), ("latency_p999_ms", "p99.9"), ("latency_max_ms", "max")]
    high = max(r[k] for r in reports for k, _ in keys) * 1.15
    def y(v):
        return top + plot_h - v / high * plot_h
    colors = ["#4f81bd", "#9bbb59", "#c0504d", "#8064a2"]
    parts = [f'<text x="{width/2}" y="22" text-anchor="middle" font-size="15">Fan-out delivery latency, send → receive</text>']
    for t in range(0, 6):
        v = high * t / 5
        parts.append(f'<line x1="{left}" x2="{width-20}" y1="{y(v):.1f}" y2="{y(v):.1f}" stroke="#ddd"/>')
        parts.append(f'<text x="{left-6}" y="{y(v)+4:.1f}" text-anchor="end">{v:.0f} ms</text>')
    group_w = (width - left - 40) / len(reports)
    for i, r in enumerate(reports):
        x0 = left + 20 + i * group_w
        bw = (group_w - 30) / len(keys)
        for j, (k, name) in enumerate(keys):
            v = r[k]
            bx = x0 + j * bw
            parts.append(f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{bw-4:.1f}" height="{top+plot_h-y(v):.1f}" fill="{colors[j]}"/>')
            parts.append(f'<text x="{bx + bw/2 - 2:.1f}" y="{y(v)-4:.1f}" text-anchor="middle" font-size="10">{v:.0f}</text>')
        label = f'{r["server"]}: {r["clients"]:,} clients, {r["viewers"]:,} viewing, {r["rate"]} msg/s'
        parts.append(f'<text x="{x0 + (group_w-30)/2:.1f}" y="{height-36}" text-anchor="middle" font-size="11">{label}</text>')
    for j, (_, name) in enumerate(keys):
        parts.append(f'<rect x="{left + 20 + j*90}" y="{height-20}" width="10" height="10" fill="{colors[j]}"/>'
                     f'<text x="{left + 35 + j*90}" y="{height-11}">{name}</text>')
    with open(out, "w") as f:
        f.write(svg(width, height, "\n".join(parts) + "\n"))

if __name__ == "__main__":
    results, out_dir = sys.argv[1], sys.argv[2]
    os.makedirs(out_dir, exist_ok=True)
    boots = [load(os.path.join(results, n)) for n in ("boot1500.json", "boot32k.json") if os.path.exists(os.path.join(results, n))]
    if boots:
        bootstrap_chart(sorted(boots, key=lambda r: r["users"]), os.path.join(out_dir, "bootstrap-size.svg"))
    fans = [load(os.path.join(results, n)) for n in sorted(os.listdir(results)) if n.startswith("fanout-") and n.endswith(".json")]
    if fans:
        fanout_chart(fans, os.path.join(out_dir, "fanout-latency.svg"))
    print("charts written to", out_dir)
