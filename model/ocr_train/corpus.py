"""Text sources for synthetic lines, built from registry packages into one JSON file.

jieba's bundled word-frequency dictionary gives Chinese words with frequencies;
Faker's zh_CN and en_US providers give names, addresses, companies, dates, phone
numbers, e-mails, URLs and English text. The file is built once
(``python -m ocr_train.corpus``) so that every machine samples from the same text.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path

from ocr_core.charset import Charset

from ocr_train.paths import CHARSET_FILE, CORPUS_FILE

ZH_PROVIDERS = (
    "name", "address", "company", "job", "phone_number", "city", "street_address", "province",
    "date", "ssn", "email", "company_suffix", "country", "district", "license_plate",
)  # fmt: skip
EN_PROVIDERS = (
    "name", "address", "company", "job", "phone_number", "email", "url", "date", "catch_phrase",
    "bs", "sentence", "street_address", "city", "country", "user_name", "iso8601", "credit_card_number",
    "ipv4", "isbn13", "file_name", "license_plate", "time", "month_name", "day_of_week",
)  # fmt: skip


def jieba_words(charset: Charset) -> list[tuple[str, float]]:
    """All dictionary words written entirely in the charset, with their frequencies."""
    import jieba

    dict_path = Path(jieba.__file__).parent / "dict.txt"
    words: list[tuple[str, float]] = []
    for row in dict_path.read_text(encoding="utf-8").splitlines():
        parts = row.split(" ")
        if len(parts) >= 2 and charset.covers(parts[0]):
            words.append((parts[0], float(parts[1])))
    return words


def faker_lines(locale: str, providers: tuple[str, ...], n: int, seed: int, charset: Charset) -> list[str]:
    from faker import Faker

    fake = Faker(locale)
    fake.seed_instance(seed)
    out: list[str] = []
    for i in range(n):
        value = str(getattr(fake, providers[i % len(providers)])())
        for part in value.split("\n"):
            part = part.strip()
            if part and charset.covers(part):
                out.append(part)
    return out


def english_words(charset: Charset) -> list[str]:
    """English vocabulary from Faker's en_US lorem provider (real words)."""
    from faker.providers.lorem.en_US import Provider

    return sorted({w for w in Provider.word_list if charset.covers(w)})


def build(charset: Charset, n_faker: int, seed: int) -> dict[str, object]:
    rng = random.Random(seed)
    zh_lines = faker_lines("zh_CN", ZH_PROVIDERS, n_faker, seed, charset)
    en_lines = faker_lines("en_US", EN_PROVIDERS, n_faker, seed + 1, charset)
    rng.shuffle(zh_lines)
    rng.shuffle(en_lines)
    return {
        "zh_words": jieba_words(charset),
        "en_words": english_words(charset),
        "faker_zh": zh_lines,
        "faker_en": en_lines,
    }


def load(path: Path = CORPUS_FILE) -> dict[str, list]:
    if not path.exists():
        raise FileNotFoundError(f"{path} missing: run `make corpus` first")
    return json.loads(path.read_text(encoding="utf-8"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=CORPUS_FILE)
    parser.add_argument("--faker-lines", type=int, default=60000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    corpus = build(Charset.from_file(CHARSET_FILE), args.faker_lines, args.seed)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(corpus, ensure_ascii=False), encoding="utf-8")
    sizes = {k: len(v) for k, v in corpus.items()}
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB): {sizes}")


if __name__ == "__main__":
    main()
