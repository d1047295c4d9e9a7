"""Language of an article, detected offline with py3langid where the metadata had none.

The detector reads the title and the first 2,000 characters of the summary and body.
Text shorter than 20 letters is left undetected (NULL): a guess on a few words is
mostly noise. Codes are ISO 639-1 (``en``, ``hi``...), as in the metadata.
"""

from __future__ import annotations

MIN_LETTERS = 20
MAX_CHARS = 2000


def _model():
    import py3langid  # loads its bundled model once, on first use

    return py3langid


def detect_language(title: str | None, summary: str | None, body: str | None) -> str | None:
    """The ISO 639-1 code of the text, or None when there is too little text."""
    text = " ".join(p for p in (title, summary, body) if p)[:MAX_CHARS]
    if sum(ch.isalpha() for ch in text) < MIN_LETTERS:
        return None
    return _model().classify(text)[0]
