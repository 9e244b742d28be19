"""Write a sample set for bulk runs: N small document images and one multi-page PDF.

    python -m ocr_local.sample_set /tmp/samples --images 1000 --pdf-pages 30

Text is drawn (seeded) from a small list of Chinese and English phrases and rendered with a font held
out of training (WenQuanYi Zen Hei), 1-4 lines per image.
"""

from __future__ import annotations

import argparse
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

PHRASES = [
    "发票号码：20241125", "北京市海淀区中关村大街27号", "Total amount: ¥128.50", "欢迎使用轻量级 OCR 服务",
    "会议纪要 2024年11月25日", "Invoice No. 4471 due 2024-12-01", "联系电话 010-62345678",
    "数量 12 件 单价 35.00 元", "Shipping address: 88 Harbour Road", "请于三个工作日内付款",
    "Order status: delivered", "本页共 4 行文字",
]  # fmt: skip
FONT = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"


def page(rng: random.Random, lines: int, width: int = 760) -> Image.Image:
    font = ImageFont.truetype(FONT, rng.choice([26, 30, 34]))
    img = Image.new("RGB", (width, 50 + 56 * lines), (250, 250, 246))
    draw = ImageDraw.Draw(img)
    for i in range(lines):
        draw.text((30, 25 + 56 * i), rng.choice(PHRASES), font=font, fill=(25, 25, 35))
    return img


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("--images", type=int, default=1000)
    p.add_argument("--pdf-pages", type=int, default=30)
    p.add_argument("--seed", type=int, default=1)
    args = p.parse_args()
    rng = random.Random(args.seed)
    args.out.mkdir(parents=True, exist_ok=True)
    for i in range(args.images):
        page(rng, rng.randint(1, 4)).save(args.out / f"img_{i:04d}.png")
    if args.pdf_pages:
        pages = [page(rng, 4, width=1000) for _ in range(args.pdf_pages)]
        pages[0].save(args.out / "report.pdf", save_all=True, append_images=pages[1:], resolution=144)
    print(f"wrote {args.images} images and a {args.pdf_pages}-page PDF to {args.out}")


if __name__ == "__main__":
    main()
