"""Best-so-far curves as a PNG, drawn with Pillow (the benchmarks need no plotting library)."""
from __future__ import annotations

from PIL import Image, ImageDraw, ImageFont

COLOURS = ((31, 119, 180), (214, 39, 40), (44, 160, 44), (148, 103, 189))
WIDTH, HEIGHT, MARGIN = 520, 360, 60


def _panel(draw, font, left: int, curves: dict, x_label: str, y_label: str, title: str, y_range) -> None:
    """One chart at horizontal offset `left`: each curve a step line of (x, y) points."""
    x_max = max(x for points in curves.values() for x, _ in points) or 1.0
    y_low, y_high = y_range
    box = (left + MARGIN, 40, left + WIDTH - 20, HEIGHT - MARGIN)

    def at(x, y):
        fx = box[0] + (box[2] - box[0]) * x / x_max
        fy = box[3] - (box[3] - box[1]) * (y - y_low) / ((y_high - y_low) or 1.0)
        return fx, fy

    draw.rectangle(box, outline="black")
    draw.text((left + MARGIN, 6), title, fill="black", font=font)
    for step in range(5):  # axis ticks
        x, y = x_max * step / 4, y_low + (y_high - y_low) * step / 4
        draw.text((at(x, y_low)[0] - 10, box[3] + 6), f"{x:.3g}", fill="black", font=font)
        draw.text((left + 8, at(0, y)[1] - 6), f"{y:.4g}", fill="black", font=font)
    draw.text(((box[0] + box[2]) / 2 - 40, box[3] + 26), x_label, fill="black", font=font)
    draw.text((left + 8, 24), y_label, fill="black", font=font)
    for (name, points), colour in zip(curves.items(), COLOURS):
        line = []
        for index, (x, y) in enumerate(points):
            if index:
                line.append(at(x, points[index - 1][1]))
            line.append(at(x, y))
        if len(line) > 1:
            draw.line(line, fill=colour, width=2)
        for x, y in points:
            cx, cy = at(x, y)
            draw.ellipse((cx - 2, cy - 2, cx + 2, cy + 2), fill=colour)
    for row, (name, colour) in enumerate(zip(curves, COLOURS)):  # the legend, above the chart
        y = 4 + 14 * row
        draw.line((box[2] - 110, y + 6, box[2] - 90, y + 6), fill=colour, width=3)
        draw.text((box[2] - 85, y), name, fill="black", font=font)


def best_so_far_png(path, by_trial: dict, by_time: dict, y_label: str) -> None:
    """Two charts side by side: best-so-far against trials and against minutes of wall time."""
    values = [y for curves in (by_trial, by_time) for points in curves.values() for _, y in points]
    spread = (max(values) - min(values)) or 1.0
    y_range = (min(values) - 0.05 * spread, max(values) + 0.05 * spread)
    image = Image.new("RGB", (2 * WIDTH, HEIGHT), "white")
    draw, font = ImageDraw.Draw(image), ImageFont.load_default()
    _panel(draw, font, 0, by_trial, "trials", y_label, "best so far, by trials", y_range)
    _panel(draw, font, WIDTH, by_time, "minutes", y_label, "best so far, by wall time", y_range)
    image.save(path)
