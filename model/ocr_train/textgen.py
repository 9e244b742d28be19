"""Sample the text of one synthetic line: Chinese, English, mixed, numbers/codes, rare chars.

``progress`` (0..1) drives the curriculum: short lines of frequent words first, then
long lines and more uniformly drawn characters so that every charset entry appears.
"""

from __future__ import annotations

import random
import string
from bisect import bisect
from itertools import accumulate

from ocr_core.charset import Charset

ZH_PUNCT = "，。、；：？！“”（）《》【】…—·"
# Chinese text writes its dash doubled (——) and its ellipsis as ……: drawn as one unit (the dash
# listed twice, so twice as often), so the recognizer learns the dash beside the hanzi 一 it resembles.
ZH_PUNCT_UNITS = (*ZH_PUNCT, "——", "——", "……")
EN_PUNCT = ",.;:?!'\"()-/&@#%$"
# Labels of bilingual forms, tickets and signs ("座位号 SEAT NO."): uppercase English beside Chinese,
# where the letter O and the digit 0 must be told apart by the word around them.
CAPS_TAILS = ("NO.", "NO", "ID", "TO", "FROM", "DATE", "TIME", "NAME", "CLASS", "GATE", "SEAT", "TEL")
# Running English prose: contractions and possessives carry an apostrophe inside the word, and
# quoted speech opens and closes with straight or typographic quotes. Word lists alone never put an
# apostrophe mid-word, and the recognizer dropped it there ("didnt").
CONTRACTIONS = (
    "don't", "didn't", "doesn't", "can't", "couldn't", "won't", "wouldn't", "isn't", "wasn't",
    "aren't", "haven't", "hasn't", "shouldn't", "it's", "that's", "there's", "what's", "let's",
    "I'm", "I've", "I'd", "I'll", "you're", "you've", "we're", "we'll", "they're", "they've",
    "he's", "she's", "o'clock",
)  # fmt: skip
# Abbreviations end in a period that a comma may follow ("Corp.,", "B.C.,"): the recognizer
# merged the two marks into one. Justified columns break words at the line's end ("igno-").
ABBREVIATIONS = (
    "Corp.", "Inc.", "Co.", "Ltd.", "Mr.", "Mrs.", "Dr.", "St.", "Jr.", "Md.", "Mass.", "Calif.",
    "U.S.", "U.K.", "B.C.", "A.D.", "a.m.", "p.m.", "e.g.", "i.e.", "etc.", "No.", "vs.", "Gen.",
)  # fmt: skip
QUOTES = (('"', '"'), ("\u201c", "\u201d"), ("\u2018", "\u2019"), ("'", "'"))
QUOTE_WEIGHTS = (0.4, 0.35, 0.15, 0.1)
KINDS = ("zh", "en", "mixed", "faker_zh", "faker_en", "numeric", "rare", "caps")
WEIGHTS_EARLY = (0.30, 0.20, 0.10, 0.12, 0.12, 0.11, 0.05, 0.06)
WEIGHTS_LATE = (0.24, 0.18, 0.14, 0.10, 0.12, 0.10, 0.12, 0.08)


class TextSampler:
    """Draws line texts from the corpus; every returned string is inside the charset."""

    def __init__(self, corpus: dict[str, list], charset: Charset, seed: int) -> None:
        self.rng = random.Random(seed)
        self.charset = charset
        words = corpus["zh_words"]
        self.zh_words = [w for w, _ in words]
        self.zh_cum = list(accumulate(f**0.5 for _, f in words))
        self.en_words = corpus["en_words"]
        self.faker_zh = corpus["faker_zh"]
        self.faker_en = corpus["faker_en"]
        self.all_chars = [c for c in charset.chars if c != " "]
        self.rare_pool = [c for c in self.all_chars if ord(c) > 0x2E80]

    def sample(self, progress: float = 1.0) -> tuple[str, str]:
        """Return (kind, text)."""
        p = min(max(progress, 0.0), 1.0)
        weights = [e + (lt - e) * p for e, lt in zip(WEIGHTS_EARLY, WEIGHTS_LATE, strict=True)]
        kind = self.rng.choices(KINDS, weights)[0]
        max_len = int(8 + 32 * p)
        text = getattr(self, f"_{kind}")(max_len).strip()
        text = " ".join(text.split())
        if not text or not self.charset.covers(text):
            return self.sample(progress)
        return kind, text

    def _zh_word(self) -> str:
        r = self.rng.random() * self.zh_cum[-1]
        return self.zh_words[min(bisect(self.zh_cum, r), len(self.zh_words) - 1)]

    def _zh(self, max_len: int) -> str:
        target = self.rng.randint(1, max(2, max_len))
        out = ""
        while len(out) < target:
            out += self._zh_word()
            if self.rng.random() < 0.12:
                out += self.rng.choice(ZH_PUNCT_UNITS)
            elif self.rng.random() < 0.04:
                out += " "  # poster and slogan lines: phrases set apart by a space
        return out[: max_len + 4]

    def _en(self, max_len: int) -> str:
        target = self.rng.randint(1, max(3, max_len * 2))
        words: list[str] = []
        while len(" ".join(words)) < target:
            w = self.rng.choice(self.en_words)
            r = self.rng.random()
            if r < 0.15:
                w = w.capitalize()
            elif r < 0.2:
                w = w.upper()
            words.append(w)
            if self.rng.random() < 0.1:
                words[-1] += self.rng.choice(EN_PUNCT)
        return self._prose(words)

    def _prose(self, words: list[str]) -> str:
        """English words as running prose: some contractions and possessives (apostrophe ' or
        \u2019), and now and then a quoted stretch."""
        r = self.rng
        for i, w in enumerate(words):
            u = r.random()
            if u < 0.06:
                words[i] = r.choice(CONTRACTIONS)
            elif u < 0.1 and w.isalpha():
                words[i] = w + ("'s" if not w.endswith("s") or r.random() < 0.5 else "'")
            elif u < 0.13:
                words[i] = r.choice(ABBREVIATIONS) + ("," if r.random() < 0.5 else "")
        last = words[-1]
        if len(last) >= 5 and last.isalpha() and r.random() < 0.12:  # a word broken at the line's end
            words[-1] = last[: r.randint(2, len(last) - 2)] + "-"
        if r.random() < 0.2:
            apostrophe = "\u2019" if r.random() < 0.5 else "'"
            words = [w.replace("'", apostrophe) for w in words]
        if len(words) > 1 and r.random() < 0.15:
            a = r.randrange(len(words))
            b = r.randrange(a, min(len(words), a + 6))
            opening, closing = r.choices(QUOTES, QUOTE_WEIGHTS)[0]
            words[a] = opening + words[a]
            words[b] = words[b] + r.choice(("", "", ",", ".", "?", "!")) + closing
        return " ".join(words)

    def _mixed(self, max_len: int) -> str:
        parts: list[str] = []
        while sum(len(x) for x in parts) < max(4, max_len):
            r = self.rng.random()
            if r < 0.5:
                parts.append(self._zh_word())
            elif r < 0.75:
                parts.append(
                    self.rng.choice(self.en_words).capitalize()
                    if self.rng.random() < 0.3
                    else self.rng.choice(self.en_words)
                )
            elif r < 0.85:
                parts.append(self._numeric(6))
            else:
                parts.append(self._identifier())
            if self.rng.random() < 0.2:
                parts.append(self.rng.choice(ZH_PUNCT + ":"))
        sep = " " if self.rng.random() < 0.3 else ""
        return sep.join(parts)

    def _identifier(self) -> str:
        """A name from code or a product: snake_case, CamelCase, hyphenated or dotted."""
        words = [self.rng.choice(self.en_words) for _ in range(self.rng.randint(2, 3))]
        style = self.rng.randrange(4)
        if style == 0:
            return "_".join(words)
        if style == 1:
            return "".join(w.capitalize() for w in words)
        if style == 2:
            return "-".join(w.upper() if len(w) <= 4 else w.capitalize() for w in words)
        return ".".join(words)

    def _caps(self, max_len: int) -> str:
        """Uppercase English: signs, headings, tickets and bilingual form labels."""
        r = self.rng
        words = [r.choice(self.en_words).upper() for _ in range(r.randint(1, max(1, max_len // 6)))]
        if r.random() < 0.4:
            words.append(r.choice(CAPS_TAILS))
        if r.random() < 0.3:
            code = f"{''.join(r.choice(string.ascii_uppercase) for _ in range(2))} {r.randint(100, 9999)}"
            words.insert(r.randrange(len(words) + 1), code)
        if r.random() < 0.2:
            words.append(f"{r.randint(1, 28):02d}{r.choice(['JAN', 'FEB', 'MAR', 'OCT', 'NOV', 'DEC'])}")
        text = " ".join(words)
        if r.random() < 0.4:
            zh = "".join(self._zh_word() for _ in range(r.randint(1, 2)))
            text = f"{zh} {text}" if r.random() < 0.8 else f"{text} {zh}"
        return text

    def _faker_zh(self, max_len: int) -> str:
        line = self.rng.choice(self.faker_zh)
        if self.rng.random() < 0.3:
            line = (
                self.rng.choice(["电话：", "地址：", "姓名：", "日期：", "公司：", "编号：", "备注："]) + line
            )
        return line[: max_len + 6]

    def _faker_en(self, max_len: int) -> str:
        return self.rng.choice(self.faker_en)[: max_len * 2 + 6]

    def _arithmetic(self) -> str:
        """A worksheet or receipt sum: "0.8×25=", "4.87-1.7=", "12 + 30 = 42", "2.5÷0.5="."""
        r = self.rng

        def number() -> str:
            return str(r.randint(0, 999)) if r.random() < 0.5 else f"{r.uniform(0, 100):.{r.randint(1, 2)}f}"

        op = r.choice(("×", "×", "÷", "+", "-", "x", "*", "/"))
        sep = " " if r.random() < 0.3 else ""
        text = f"{number()}{sep}{op}{sep}{number()}{sep}="
        if r.random() < 0.3:
            text += f"{sep}{number()}"
        return text

    def _numeric(self, max_len: int) -> str:
        r = self.rng
        choice = r.randrange(10)
        if choice == 9:
            return self._arithmetic()
        if choice == 0:
            return f"{r.choice(['¥', '￥', '$', '', 'RMB '])}{r.randint(0, 99999)}.{r.randint(0, 99):02d}"
        if choice == 1:
            return f"{r.randint(1990, 2030)}{r.choice(['-', '/', '.', '年'])}{r.randint(1, 12):02d}" + (
                f"{r.choice(['-', '/', '.'])}{r.randint(1, 28):02d}" if r.random() < 0.7 else "月"
            )
        if choice == 2:
            return f"{r.randint(0, 23):02d}:{r.randint(0, 59):02d}" + (
                f":{r.randint(0, 59):02d}" if r.random() < 0.5 else ""
            )
        if choice == 3:
            return f"{r.uniform(0, 100):.{r.randint(0, 2)}f}%"
        if choice == 4:
            alphabet = string.ascii_uppercase + string.digits
            return "".join(r.choice(alphabet) for _ in range(r.randint(4, max(5, min(max_len, 18)))))
        if choice == 5:
            head = f"1{r.randint(3, 9)}{r.randint(0, 9)}{r.choice(['', '-', ' '])}"
            return f"{head}{r.randint(0, 9999):04d}{r.choice(['', '-', ' '])}{r.randint(0, 9999):04d}"
        if choice == 6:
            if r.random() < 0.15:
                return f"-{r.randint(1, 60)}{r.choice(['°C', '℃'])}"
            units = ["元", "件", "个", "kg", "g", "ml", "号", "楼", "室", "次", "天", "%", "cm", "°C", "℃"]
            return f"{r.randint(1, 999)}{r.choice(units)}"
        if choice == 7:
            return " ".join(str(r.randint(0, 10 ** r.randint(1, 6))) for _ in range(r.randint(1, 4)))
        return "".join(
            r.choice(string.digits + ".,-+") for _ in range(r.randint(1, max(2, min(max_len, 14))))
        )

    def _rare(self, max_len: int) -> str:
        n = self.rng.randint(1, max(2, min(max_len, 16)))
        pool = self.rare_pool if self.rng.random() < 0.7 else self.all_chars
        return "".join(self.rng.choice(pool) for _ in range(n))
