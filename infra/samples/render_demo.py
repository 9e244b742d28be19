"""Render the demo page used by `make serve` (fonts held out of training: WenQuanYi Zen Hei)."""

from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

LINES = [
    "发票号码：20241125",
    "北京市海淀区中关村大街27号",
    "Total amount: ¥128.50",
    "欢迎使用轻量级 OCR 服务",
]


def main() -> None:
    font = ImageFont.truetype("/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc", 34)
    img = Image.new("RGB", (640, 60 + 62 * len(LINES)), (250, 250, 246))
    draw = ImageDraw.Draw(img)
    for i, text in enumerate(LINES):
        draw.text((30, 30 + 62 * i), text, font=font, fill=(30, 30, 40))
    img.save(Path(__file__).with_name("demo_zh_en.png"))


if __name__ == "__main__":
    main()
