"""Draws the program's icon with Pillow: a calm blue rounded square with 调 in white, in the bundled UI font.

    .venv/bin/python packaging/make_icons.py

writes packaging/icons/mediation-desk-{16,32,48,64,128,256}.png and mediation-desk.ico (all sizes, for the
Windows build and installer). The files are kept in the repository; run this again only to change the icon.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "packaging" / "icons"
WINDOW = ROOT / "resources" / "icons"
FONT = ROOT / "resources" / "fonts" / "wqy-microhei.ttc"
ACCENT = "#2b6cb0"  # app.ui.messages.ACCENT_COLOR
SIZES = (16, 32, 48, 64, 128, 256)


def draw(size: int) -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    margin = big // 16
    pen.rounded_rectangle((margin, margin, big - margin, big - margin), radius=big // 5, fill=ACCENT)
    font = ImageFont.truetype(str(FONT), int(big * 0.62))
    left, top, right, bottom = pen.textbbox((0, 0), "调", font=font)
    pen.text(((big - (right - left)) / 2 - left, (big - (bottom - top)) / 2 - top), "调", font=font, fill="white")
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    images = {size: draw(size) for size in SIZES}
    for size, image in images.items():
        image.save(OUT / f"mediation-desk-{size}.png")
    images[256].save(OUT / "mediation-desk.ico", sizes=[(s, s) for s in SIZES])
    WINDOW.mkdir(parents=True, exist_ok=True)
    for size in (32, 64, 256):  # the window's own icon (app/ui/qt_setup.py), shipped with resources/
        images[size].save(WINDOW / f"mediation-desk-{size}.png")


if __name__ == "__main__":
    main()
