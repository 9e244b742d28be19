"""`make bench`: our pipeline against PP-OCRv4, PP-OCRv6-tiny and Tesseract, side by side."""
