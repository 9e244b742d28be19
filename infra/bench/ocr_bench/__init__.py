"""Side-by-side benchmark of our recognizer against PP-OCR peers (installed by `make bench` only)."""
