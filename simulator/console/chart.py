"""The daily Azure usage chart: an inline SVG drawn on the server (no script, no library).

Bars: each day's cost, on the right-hand scale; a line: the period's running total, and a dashed line:
the budget (when there is one), on the left-hand scale, which holds the larger of the two so the budget
line always shows.
"""
from __future__ import annotations

from decimal import Decimal
from html import escape

from simulator.console.views import UsageView

WIDTH, HEIGHT = 760, 260
LEFT, RIGHT, TOP, BOTTOM = 64, 56, 16, 40


def money(value: Decimal, currency: str) -> str:
    return f"{value:,.2f} {currency}"


def usage_chart(usage: UsageView) -> str:
    days = usage.days
    count = max((usage.last_day - usage.first_day).days + 1, 1)
    running, totals = Decimal(0), []
    for _, cost in days:
        running += cost
        totals.append(running)
    top = max([running, usage.budget or Decimal(0), Decimal(1)])
    daily_top = max([cost for _, cost in days] + [Decimal(1)])
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    slot = plot_w / count

    def y(value: Decimal) -> float:
        return TOP + plot_h - float(value / top) * plot_h

    title = (f"Azure usage this period: {money(running, usage.currency)}"
             + (f" of a {money(usage.budget, usage.currency)} budget" if usage.budget is not None else ", no budget"))
    parts = [f'<svg class="chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-labelledby="usage-chart-title" '
             f'xmlns="http://www.w3.org/2000/svg"><title id="usage-chart-title">{escape(title)}</title>']
    for step in range(5):  # the scale
        value = top * step / 4
        parts.append(f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(value):.1f}" y2="{y(value):.1f}"/>'
                     f'<text class="axis" x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end">{value:,.0f}</text>'
                     f'<text class="axis daily" x="{WIDTH - RIGHT + 6}" y="{y(value) + 4:.1f}">'
                     f'{daily_top * step / 4:,.2f}</text>')
    for n, (day, cost) in enumerate(days):
        x = LEFT + n * slot
        h = float(cost / daily_top) * plot_h
        parts.append(f'<rect class="bar" x="{x + slot * 0.15:.1f}" y="{TOP + plot_h - h:.1f}" width="{slot * 0.7:.1f}" '
                     f'height="{h:.1f}"><title>{day.isoformat()}: {escape(money(cost, usage.currency))}</title></rect>')
        if day.day == 1 or day.day % 5 == 0:
            parts.append(f'<text class="axis" x="{x + slot / 2:.1f}" y="{HEIGHT - BOTTOM + 16}" '
                         f'text-anchor="middle">{day.day}</text>')
    if totals:
        points = " ".join(f"{LEFT + n * slot + slot / 2:.1f},{y(total):.1f}" for n, total in enumerate(totals))
        parts.append(f'<polyline class="total" points="{points}"/>')
    if usage.budget is not None:
        parts.append(f'<line class="budget" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(usage.budget):.1f}" '
                     f'y2="{y(usage.budget):.1f}"/><text class="budget-label" x="{WIDTH - RIGHT}" '
                     f'y="{y(usage.budget) - 6:.1f}" text-anchor="end">budget '
                     f'{escape(money(usage.budget, usage.currency))}</text>')
    parts.append(f'<text class="axis" x="{LEFT + plot_w / 2:.1f}" y="{HEIGHT - 6}" text-anchor="middle">'
                 f'day of {usage.first_day:%B %Y}, {escape(usage.currency)} (bars: daily cost, right scale; line: '
                 'running total, left scale)'
                 '</text></svg>')
    return "".join(parts)
