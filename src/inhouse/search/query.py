"""What a person types, read into terms the databases' full-text syntax cannot trip on.

Words are runs of letters and digits; everything else separates them, so no input can
reach the MATCH or tsquery syntax as an operator. ``"two words"`` is a phrase,
``lapt*`` a prefix (two letters at least), anything else a word; all terms must match.
Both databases stem the words they are given (FTS5's porter tokenizer, PostgreSQL's
english configuration), so "laptops" finds "laptop".

``parse_any_word`` reads a sentence typed for another purpose (a request's subject)
into its telling words, any of which may match: the more of them a thing holds, the
better it ranks.
"""

import re
from dataclasses import dataclass

MAX_TERMS = 8
MAX_WORD = 60
MIN_PREFIX = 2
# A sentence's words worth matching on their own: short words and the commonest ones
# would match nearly everything (PostgreSQL drops these itself; FTS5 does not).
MIN_ANY_WORD = 3
COMMON_WORDS = frozenset(
    {
        "the", "and", "for", "with", "not", "can", "cannot", "how", "what", "when",
        "where", "why", "who", "our", "your", "you", "are", "was", "were", "has", "have",
        "had", "from", "this", "that", "there", "into", "out", "but", "all", "any", "its",
        "too", "get", "got", "need", "please", "help", "does", "doesn", "don",
    }
)  # fmt: skip

_TOKEN = re.compile(r'"([^"]*)"?|([^\s"]+)')
_WORD = re.compile(r"[^\W_]+")


@dataclass(frozen=True)
class Term:
    words: tuple[str, ...]
    prefix: bool = False

    def fts5(self) -> str:
        # Every word is letters and digits only, so quoting it makes it a plain string.
        quoted = '"' + " ".join(self.words) + '"'
        return quoted + "*" if self.prefix else quoted

    def tsquery(self) -> str:
        lexemes = [f"'{word}'" for word in self.words]
        if self.prefix:
            lexemes[-1] += ":*"
        return " <-> ".join(lexemes)


@dataclass(frozen=True)
class ParsedQuery:
    terms: tuple[Term, ...]
    # Whether one term matching is enough (else all must).
    any_term: bool = False

    def __bool__(self) -> bool:
        return bool(self.terms)

    def fts5(self) -> str:
        return (" OR " if self.any_term else " ").join(term.fts5() for term in self.terms)

    def tsquery(self) -> str:
        joiner = " | " if self.any_term else " & "
        return joiner.join(f"({term.tsquery()})" for term in self.terms)


def parse(text: str) -> ParsedQuery:
    """The terms of ``text``; none when it holds no word (then nothing matches)."""
    terms: list[Term] = []
    for match in _TOKEN.finditer(text):
        phrase, bare = match.group(1), match.group(2)
        source = phrase if phrase is not None else bare
        words = tuple(word.casefold()[:MAX_WORD] for word in _WORD.findall(source))
        if not words:
            continue
        prefix = bool(bare and bare.endswith("*") and len(words[-1]) >= MIN_PREFIX)
        terms.append(Term(words=words, prefix=prefix))
        if len(terms) == MAX_TERMS:
            break
    return ParsedQuery(terms=tuple(terms))


def parse_any_word(text: str) -> ParsedQuery:
    """The distinct telling words of ``text`` (at most ``MAX_TERMS``), any of which
    matches; none when it holds no such word."""
    words: list[str] = []
    for word in _WORD.findall(text):
        folded = word.casefold()[:MAX_WORD]
        if len(folded) >= MIN_ANY_WORD and folded not in COMMON_WORDS and folded not in words:
            words.append(folded)
            if len(words) == MAX_TERMS:
                break
    return ParsedQuery(terms=tuple(Term(words=(word,)) for word in words), any_term=True)
