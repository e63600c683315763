"""Build time against site size, plain and with the plugin, as a small self-contained SVG (no plotting library)."""

from __future__ import annotations

from html import escape

from report import median, timed_out

WIDTH, HEIGHT = 640, 400
LEFT, RIGHT, TOP, BOTTOM = 70, 150, 40, 60
COLORS = {"plain": "#5c5c66", "plugin": "#1b5fa8"}


def points(results: dict) -> dict[str, list[tuple[float, float, bool]]]:
    """(pages, seconds, timed_out) per variant, from the cold builds of the page-scaling sites."""
    cases, sites = results.get("cases", {}), results.get("sites", {})
    series: dict[str, list[tuple[float, float, bool]]] = {"plain": [], "plugin": []}
    for case, site in (("cold", "reference"), ("pages10x", "pages10x")):
        if case not in cases or site not in sites:
            continue
        for variant in series:
            samples = cases[case][variant]
            value = median(samples, "wall_seconds")
            if value is not None:
                series[variant].append((sites[site]["pages"], value, False))
            elif timed_out(samples) is not None:
                series[variant].append((sites[site]["pages"], timed_out(samples), True))
    return series


def _nice_max(value: float) -> float:
    for step in (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000):
        if value <= step * 5:
            return step * 5 if value > step * 4 else step * (int(value // step) + 1)
    return value * 1.1


def build_time_svg(results: dict) -> str | None:
    series = points(results)
    everything = [p for values in series.values() for p in values]
    if not everything:
        return None
    x_max = max(p[0] for p in everything) * 1.05
    y_max = _nice_max(max(p[1] for p in everything))
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(value: float) -> float:
        return LEFT + value / x_max * plot_w

    def y(value: float) -> float:
        return TOP + plot_h - value / y_max * plot_h

    out = [
        (
            f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}"'
            ' font-family="sans-serif" font-size="12">'
        ),
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="white"/>',
        (
            f'<text x="{LEFT}" y="22" font-size="14" font-weight="bold">Cold build time against site size (median wall'
            " time)</text>"
        ),
        f'<line x1="{LEFT}" y1="{TOP + plot_h}" x2="{LEFT + plot_w}" y2="{TOP + plot_h}" stroke="black"/>',
        f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{TOP + plot_h}" stroke="black"/>',
    ]
    for i in range(6):
        value = y_max * i / 5
        out.append(
            f'<line x1="{LEFT - 4}" y1="{y(value):.1f}" x2="{LEFT + plot_w}" y2="{y(value):.1f}" stroke="#ddd"/>'
        )
        out.append(f'<text x="{LEFT - 8}" y="{y(value) + 4:.1f}" text-anchor="end">{value:g}</text>')
    for pages in sorted({p[0] for p in everything}):
        out.append(
            f'<line x1="{x(pages):.1f}" y1="{TOP + plot_h}" x2="{x(pages):.1f}" y2="{TOP + plot_h + 4}"'
            ' stroke="black"/>'
        )
        out.append(f'<text x="{x(pages):.1f}" y="{TOP + plot_h + 18}" text-anchor="middle">{pages:,.0f}</text>')
    out.append(
        f'<text x="{LEFT + plot_w / 2}" y="{HEIGHT - 16}" text-anchor="middle">pages (30 citation groups each; 2,000'
        " entries)</text>"
    )
    out.append(
        f'<text x="18" y="{TOP + plot_h / 2}" text-anchor="middle" transform="rotate(-90 18'
        f' {TOP + plot_h / 2})">seconds</text>'
    )
    for row, (variant, values) in enumerate(series.items()):
        color = COLORS[variant]
        values = sorted(values)
        if len(values) > 1:
            path = " ".join(f"{x(p[0]):.1f},{y(p[1]):.1f}" for p in values)
            out.append(f'<polyline points="{path}" fill="none" stroke="{color}" stroke-width="2"/>')
        for pages, seconds, timeout in values:
            fill = "white" if timeout else color
            out.append(
                f'<circle cx="{x(pages):.1f}" cy="{y(seconds):.1f}" r="4" fill="{fill}" stroke="{color}"'
                ' stroke-width="2"/>'
            )
            label = f"&gt; {seconds:.0f} s (timed out)" if timeout else f"{seconds:.1f} s"
            out.append(f'<text x="{x(pages) + 7:.1f}" y="{y(seconds) - 7:.1f}" fill="{color}">{label}</text>')
        name = "without the plugin (plain)" if variant == "plain" else "with mkdocs-factcheck"
        legend_y = TOP + 10 + row * 20
        out.append(
            f'<line x1="{LEFT + plot_w + 12}" y1="{legend_y}" x2="{LEFT + plot_w + 32}" y2="{legend_y}"'
            f' stroke="{color}" stroke-width="2"/>'
        )
        out.append(f'<text x="{LEFT + plot_w + 36}" y="{legend_y + 4}">{escape(name.split(" (")[0])}</text>')
    out.append("</svg>")
    return "\n".join(out) + "\n"
