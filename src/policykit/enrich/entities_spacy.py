"""The optional statistical backend: spaCy's named entities, through the same tables.

``pk.enrich(con, entities="spacy")`` (or ``"spacy:MODEL"``, default model
``en_core_web_sm``) reads names with a spaCy pipeline instead of the built-in recogniser.
spaCy and its models are not dependencies of policykit: install them yourself
(``pip install spacy`` and ``python -m spacy download en_core_web_sm``; the models are
published by spaCy's authors on GitHub, not on PyPI). Without them the run stops with
one line saying what to install.

Labels map as in the evaluation: PERSON/PER -> person, ORG -> organisation,
GPE/LOC/FAC -> place, EVENT -> event; the others (NORP, DATE, MONEY, PRODUCT...) are not
entities here. Listed names keep the gazetteer's canonical name and type. Within one
article a one-word person ("Trump") joins the longer person name ending in it ("Donald
Trump"), as the built-in recogniser does.
"""

from __future__ import annotations

import functools

from ..errors import ConfigError
from .entities import Found, Gazetteer, _key, prepare_text

DEFAULT_MODEL = "en_core_web_sm"
LABELS = {
    "PERSON": "person",
    "PER": "person",
    "ORG": "organisation",
    "GPE": "place",
    "LOC": "place",
    "FAC": "place",
    "EVENT": "event",
}


def parse_backend(value: str | None) -> tuple[str, str | None]:
    """``"builtin"`` or ``"spacy[:MODEL]"`` -> (backend, model); anything else is an error."""
    if value in (None, "", "builtin"):
        return "builtin", None
    if not isinstance(value, str) or not (value == "spacy" or value.startswith("spacy:")):
        raise ConfigError(
            f"entities={value!r} is not a recogniser: use 'builtin' (the default) or "
            "'spacy' / 'spacy:MODEL'"
        )
    model = value.partition(":")[2] or DEFAULT_MODEL
    return "spacy", model


@functools.lru_cache(maxsize=2)
def load_model(model: str):
    """The spaCy pipeline ``model`` (cached per process), or a one-line ConfigError."""
    try:
        import spacy
    except ImportError:
        raise ConfigError(
            "entities='spacy' needs spaCy, which is not installed: pip install spacy, then "
            f"python -m spacy download {model} (or use the built-in recogniser)"
        ) from None
    try:
        # The parser and lemmatiser are not needed for entities; leave them out for speed.
        return spacy.load(model, exclude=["parser", "lemmatizer"])
    except (OSError, ImportError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ConfigError(
            f"spaCy model {model!r} cannot be loaded ({first[:160]}): "
            f"python -m spacy download {model}"
        ) from None


def version(model: str) -> str:
    """What identifies the backend's output, for the stage's configuration hash."""
    nlp = load_model(model)
    meta = getattr(nlp, "meta", {}) or {}
    return f"spacy:{model}:{meta.get('version', '?')}"


def find_entities_spacy(text: str | None, gaz: Gazetteer, model: str) -> list[Found]:
    """The entities of one article's text, by spaCy; spans are offsets in ``text``."""
    if not text:
        return []
    doc = load_model(model)(text)
    found: dict[str, Found] = {}
    for ent in doc.ents:
        etype = LABELS.get(ent.label_)
        if etype is None:
            continue
        surface = " ".join(ent.text.split())
        if surface.lower().startswith("the "):
            surface = surface[4:]
        if not surface:
            continue
        words = tuple(prepare_text(surface).split())
        listed = gaz.index.get(words) or (gaz.upper.get(words) if surface.isupper() else None)
        if listed is not None:
            entry = gaz.entries[listed]
            name, etype, origin = entry.name, entry.type, entry.origin
        else:
            name, origin = surface, "spacy"
        f = found.get(_key(name))
        if f is None:
            f = found[_key(name)] = Found(name, etype, origin, 0, True, [], "spacy")
        f.mentions += 1
        f.spans.append((ent.start_char, ent.end_char))
    persons = {
        f.name.split()[-1]: f for f in found.values() if f.type == "person" and " " in f.name
    }
    for key, f in list(found.items()):
        full = persons.get(f.name) if f.type == "person" and " " not in f.name else None
        if full is not None:
            full.mentions += f.mentions
            full.spans.extend(f.spans)
            del found[key]
    return list(found.values())
