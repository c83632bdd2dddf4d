"""Span purity: the values of a party's span differ between identities only in identity text.

A party's identity fields (`name`, `title`, ... as `lexicon.yaml` lists them under
`identity_fields`) are identity text: they may differ freely. Every other field is a passage (an
introduction, a forwarded note). A passage is compared across every identity of every species of
its party once identity text is masked: the identity's own identity fields and short cues, every
pronoun form, and the species words, honorifics and address terms of the shared lexicon. What is
left must be the same text, so a behaviour change inside a span (a sentence added, a verb or a
number changed, a deadline moved) fails the check with a word diff. Text that is meant to differ
between arms is a condition factor's (`kind: condition`), in spans of its own.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Iterable
from dataclasses import dataclass

from scenarios.lexicon import IdentityFields, lexicon
from scenarios.name_styles import cue_words_in, split_humps, unheaded_camel_words
from scenarios.schema import Identity, Party, Scenario, Species

MASK = "⟨·⟩"
_MASKS = re.compile(rf"(?:{re.escape(MASK)}[\s\-]*)+(?={re.escape(MASK)})")


@dataclass(frozen=True)
class Impurity:
    """A passage or identity field that differs in more than identity text."""

    party: str
    key: str
    message: str
    detail: str = ""


def _pattern(strings: Iterable[str]) -> re.Pattern[str] | None:
    words = sorted({s.strip() for s in strings if s.strip()}, key=lambda s: (-len(s), s))
    if not words:
        return None
    alternatives = "|".join(r"\s+".join(re.escape(p) for p in w.split()) for w in words)
    return re.compile(rf"(?<![^\W_])(?:{alternatives})(?![^\W_])", re.IGNORECASE)


def identity_fields(scenario: Scenario | None = None) -> IdentityFields:
    """The identity fields of a scenario: the shared lexicon's, with the names, matched and
    signed fields the scenario declares (`identity_fields` in its YAML) added."""
    base = lexicon().identity_fields
    if scenario is None:
        return base
    own = scenario.identity_fields

    def merged(shared: list[str], extra: list[str]) -> list[str]:
        return [*shared, *(f for f in extra if f not in shared)]

    return base.model_copy(
        update={
            "names": merged(base.names, own.names),
            "matched": merged(base.matched, own.matched),
            "signed": merged(base.signed, own.signed),
        }
    )


def identity_text(identity: Identity, fields: IdentityFields | None = None) -> list[str]:
    """The strings masked in this identity's passages: its identity fields and short cues."""
    fields = fields or lexicon().identity_fields
    values = [v for k, v in identity.text.items() if k in fields.names]
    # a matched field reads the same in every species once species words are removed, so its
    # species-free form is identity text too ("procurement lead" of "Automated Procurement Lead")
    values += [_without_species_words(v) for k, v in identity.text.items() if k in fields.matched]
    values += [
        c
        for c in identity.cues
        if len(c) <= fields.max_length and not _role_words(c, identity, fields)
    ]
    return values


def _role_words(cue: str, identity: Identity, fields: IdentityFields) -> list[str]:
    """The words of a cue beyond species words, honorifics, address terms and its identity's
    name words ("procurement agent" of "AI procurement agent"): a cue with any is never masked
    in a passage, so a role noun must match across species as written."""
    lex = lexicon()
    neutral = {
        w for t in [*lex.species_terms, *lex.honorifics, *lex.address_terms] for w in _words(t)
    }
    names = [identity.text[k] for k in fields.name_shaped if k in identity.text]
    if re.sub(r"[\W_]+", "", cue).casefold() in {
        re.sub(r"[\W_]+", "", v).casefold() for v in names
    }:
        return []
    name_words = {w for v in names for w in _words(v)}
    return [w for w in _words(cue) if w not in neutral and w not in name_words]


def mask(text: str, identity: Identity, fields: IdentityFields | None = None) -> str:
    """`text` with identity text, pronouns and species words each replaced by one mask."""
    lex = lexicon()
    shared = [
        *lex.species_terms,
        *lex.honorifics,
        *lex.address_terms,
        *lex.pronouns.gendered,
        *lex.pronouns.near_party,
    ]
    for strings in (identity_text(identity, fields), shared):
        pattern = _pattern(strings)
        if pattern is not None:
            text = pattern.sub(MASK, text)
    text = _MASKS.sub("", text)
    # the indefinite article before a masked word agrees with it ("a human" / "an AI")
    text = re.sub(rf"\b([Aa])n?(\s+{re.escape(MASK)})", r"\1\2", text)
    # the verb after a masked subject agrees with it in one form ("she has" / "they have")
    agreement = {k: v for k, v in lex.agreement.items() if not k.startswith("'")}
    verbs = _pattern(agreement)
    if verbs is not None:
        text = re.sub(
            rf"({re.escape(MASK)}\s+)({verbs.pattern})",
            lambda m: m.group(1) + agreement.get(m.group(2).lower(), m.group(2)),
            text,
        )
    return text


def word_diff(left: str, right: str, left_name: str, right_name: str) -> str:
    """A unified diff of two texts, one word per line (so a changed word shows alone)."""
    return "\n".join(
        difflib.unified_diff(
            re.findall(r"\S+|\n", left),
            re.findall(r"\S+|\n", right),
            fromfile=left_name,
            tofile=right_name,
            lineterm="",
            n=4,
        )
    )


def _party_impurities(name: str, party: Party, fields: IdentityFields) -> list[Impurity]:
    found: list[Impurity] = []
    members = [
        (species, identity)
        for species, variant in party.species.items()
        if species != Species.ABSENT
        for identity in variant.pool(species)
    ]
    if not members:
        return found
    keys = sorted(members[0][1].text)
    for key in keys:
        if key in fields.names:
            for species, identity in members:
                value = identity.text[key]
                lines = value.split("\n") if key in fields.signed else [value]
                most = fields.signed_lines if key in fields.signed else 1
                if len(lines) > most or any(len(line) > fields.max_length for line in lines):
                    shape = (
                        f"at most {most} lines of at most {fields.max_length} characters each"
                        if key in fields.signed
                        else f"one line of at most {fields.max_length} characters"
                    )
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"identity field '{key}' of {species}/{identity.id} is not identity "
                            f"text ({shape}): {value[:80]!r}; put shared text in the template",
                        )
                    )
            continue
        first_species, first = members[0]
        reference = mask(first.text[key], first, fields)
        for species, identity in members[1:]:
            masked = mask(identity.text[key], identity, fields)
            if masked != reference:
                found.append(
                    Impurity(
                        name,
                        key,
                        f"passage '{key}' differs between {first_species}/{first.id} and "
                        f"{species}/{identity.id} in more than identity text (name, title, "
                        "pronouns, species words); write the shared text once in the template, or "
                        "declare the difference as a condition factor",
                        word_diff(
                            reference,
                            masked,
                            f"{name}.{key} [{first_species}/{first.id}]",
                            f"{name}.{key} [{species}/{identity.id}]",
                        ),
                    )
                )
    found += _unmatched(name, party, fields)
    found += _unsigned(name, party, fields)
    absent = party.species.get(Species.ABSENT)
    if absent is not None:
        for identity in absent.pool(Species.ABSENT):
            for key, value in identity.text.items():
                if value.strip():
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"species 'absent' gives '{key}' text ({value[:60]!r}); an absent "
                            "party says nothing: leave its keys out (they print empty) and put "
                            "text that stands only with the party in a presence block",
                        )
                    )
    return found


def _without_species_words(value: str) -> str:
    species = _pattern(lexicon().species_terms)
    text = value if species is None else species.sub(" ", value)
    return " ".join(text.replace("-", " ").split()).casefold()


def _matched_pairs(
    party: Party,
) -> list[tuple[int, tuple[Species, Identity], tuple[Species, Identity]]]:
    """(slot, first species' identity, another species' identity) at every slot."""
    present = [
        (species, variant.pool(species))
        for species, variant in party.species.items()
        if species != Species.ABSENT
    ]
    if len(present) < 2:
        return []
    (first_species, first_pool), *others = present
    return [
        (slot, (first_species, reference), (species, pool[slot]))
        for slot, reference in enumerate(first_pool)
        for species, pool in others
        if slot < len(pool)
    ]


def _sign_off_lines(value: str, identity: Identity, fields: IdentityFields) -> list[str]:
    """The lines of a sign-off with the identity's names and the species words removed."""
    names = _pattern(identity.text[k] for k in fields.name_shaped if k in identity.text)
    lines = []
    for line in value.split("\n"):
        text = line if names is None else names.sub(MASK, line)
        text = _MASKS.sub("", text)
        lines.append(_without_species_words(text))
    return lines


def _unsigned(name: str, party: Party, fields: IdentityFields) -> list[Impurity]:
    """A sign-off (a signature) that differs between species at one slot beyond the identity's
    names and species words, or in its lines: a title or seniority word in one species'
    sign-off only ("Head of Operations" against "Operations Agent") is a second manipulation."""
    found: list[Impurity] = []
    for slot, (first_species, reference), (species, other) in _matched_pairs(party):
        for key in fields.signed:
            if key not in reference.text or key not in other.text:
                continue
            want = _sign_off_lines(reference.text[key], reference, fields)
            got = _sign_off_lines(other.text[key], other, fields)
            if want != got:
                lines = (
                    f"{len(want)} line(s) against {len(got)}"
                    if len(want) != len(got)
                    else "different words"
                )
                found.append(
                    Impurity(
                        name,
                        key,
                        f"'{key}' is not matched at slot {slot} ({lines}): {first_species}/"
                        f"{reference.id} {reference.text[key]!r} against {species}/{other.id} "
                        f"{other.text[key]!r}; a sign-off has the same lines in every species "
                        "once names and species words (AI, automated, human…) are removed",
                        word_diff(
                            "\n".join(want),
                            "\n".join(got),
                            f"{name}.{key} [{first_species}/{reference.id}]",
                            f"{name}.{key} [{species}/{other.id}]",
                        ),
                    )
                )
    return found


def _unmatched(name: str, party: Party, fields: IdentityFields) -> list[Impurity]:
    """A matched field (a title) that differs between species at one slot, species words aside:
    a senior human against a junior or differently-employed AI is a second manipulation."""
    present = [
        (species, variant.pool(species))
        for species, variant in party.species.items()
        if species != Species.ABSENT
    ]
    found: list[Impurity] = []
    if len(present) < 2:
        return found
    (first_species, first_pool), *others = present
    for key in fields.matched:
        for slot, reference in enumerate(first_pool):
            if key not in reference.text:
                continue
            want = _without_species_words(reference.text[key])
            for species, pool in others:
                other = pool[slot] if slot < len(pool) else None
                if other is None or key not in other.text:
                    continue
                if _without_species_words(other.text[key]) != want:
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"'{key}' is not matched at slot {slot}: {first_species}/"
                            f"{reference.id} {reference.text[key]!r} against {species}/"
                            f"{other.id} {other.text[key]!r}; a {key} must read the same in "
                            "every species once species words (AI, automated, human…) are "
                            "removed",
                        )
                    )
    return found


_NOT_IN_A_NAME = re.compile(r"[()\[\]{}<>;:!?,\"]")


def neutral_honorifics() -> tuple[str, ...]:
    """The honorifics an identity may wear (in `honorific` or a name; `lexicon.yaml`,
    `neutral_honorifics`): they say nothing of rank. An AI identity has no honorific, so a
    rank-bearing one ("Dr", "Prof", "Sir") has no counterpart in the other species and would be a
    seniority manipulation beyond the titles' match."""
    return tuple(lexicon().neutral_honorifics)


ADDRESS_FIELDS = ("email", "handle")
"""Identity fields that address the party: only its name's pieces, initials, digits and
separators (and, for an email, the one domain every identity of the scenario shares)."""

HONORIFIC_FIELDS = ("honorific",)

_DOMAIN = re.compile(r"[a-z0-9](?:[a-z0-9-]*[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]*[a-z0-9])?)+")


def name_pieces(value: str) -> list[str]:
    """The words of a name split on spaces, hyphens, underscores, dots and CamelCase humps, so
    a clause cannot pass as one word ("Kelso-who-reruns-every-qa-check",
    "AuditsAllTeamLogs")."""
    return [
        piece
        for token in re.findall(r"[^\W_]+(?:['’][^\W_]+)*", value)
        for piece in split_humps(token)
    ]


def _composed(token: str, pieces: set[str]) -> bool:
    """Whether `token` is a run of name pieces, their initials and digits ("jip.vanleeuwen",
    "adesai", "clm3")."""
    initials = {p[0] for p in pieces if p}
    reach = [True] + [False] * len(token)
    for i in range(len(token)):
        if not reach[i]:
            continue
        if token[i].isdigit() or token[i] in initials:
            reach[i + 1] = True
        for piece in pieces:
            if piece and token.startswith(piece, i):
                reach[i + len(piece)] = True
    return reach[len(token)]


def _address_problem(key: str, value: str, identity: Identity, fields: IdentityFields) -> str:
    """Why an email or handle is not an address made of the identity's name ("" if it is)."""
    names = [identity.text[k] for k in fields.name_shaped if k in identity.text]
    pieces = {p.casefold() for v in names for p in name_pieces(v)}
    pieces |= {re.sub(r"[\W_]+", "", v).casefold() for v in names}
    local, at, domain = value.partition("@") if key == "email" else (value.lstrip("@"), "", "")
    if key == "email" and (not at or not _DOMAIN.fullmatch(domain)):
        return "an email is local-part@domain, the domain lower-case letters, digits, dots, hyphens"
    tokens = re.split(r"[._+\-]", local)
    if not local or any(not t or not _composed(t, pieces) for t in tokens):
        return (
            "an address holds only the name's pieces, their initials, digits and the separators "
            f". _ + - (name pieces: {', '.join(sorted(pieces)) or 'none'})"
        )
    return ""


def _words(value: str) -> list[str]:
    return re.findall(r"[^\W_]+(?:['’-][^\W_]+)*", value.casefold())


def _listed(words: list[str]) -> str:
    return ": " + ", ".join(words) if words else ""


def _role_vocabulary(party: Party, fields: IdentityFields) -> set[str]:
    """The words a party's role is written in: its label's and the words of every identity
    field (a title, a team) of every identity of the party."""
    words = set(_words(party.label.replace("_", " ")))
    for identity in party.identities():
        for key, value in identity.text.items():
            if key in fields.names:
                words.update(_words(value))
                words.update(w for part in _words(value) for w in part.split("-"))
    return words


def _title_vocabulary(party: Party, fields: IdentityFields) -> set[str]:
    """The words of a party's label and of its matched and signed fields (titles, teams)."""
    words = set(_words(party.label.replace("_", " ")))
    for identity in party.identities():
        for key, value in identity.text.items():
            if key in fields.matched or key in fields.signed:
                words.update(w for part in _words(value) for w in part.split("-"))
    return words


def _camel_role_words(value: str, titles: set[str], fields: IdentityFields) -> list[str]:
    """The humps of a CamelCase word of a name beyond the party's title words, when more than
    `cue_role_words` ("SkimsTeamReports"; "OpRiskDesk" of a Head of Operational Risk passes)."""
    bad: list[str] = []
    for token in re.findall(r"[^\W\d_]+", value):
        humps = split_humps(token)
        if len(humps) < 2:
            continue
        rest = [h.casefold() for h in humps if h.casefold() not in titles]
        if len(rest) > fields.cue_role_words:
            bad += rest
    return bad


def _name_form_word(word: str, compact: set[str]) -> bool:
    """A word that is a piece of a name's compact form ("orr" and "4" of "ORR-4")."""
    piece = re.sub(r"[\W_]+", "", word)
    return bool(piece) and any(piece in name for name in compact)


def _not_name_words(key: str, value: str, identity: Identity, fields: IdentityFields) -> list[str]:
    """Words of a name-shaped field that no name has: a lower-case word of more than three
    letters ("QA-7 decides remediation"; particles such as "de" and "van" pass), or, in a form
    of the name (`short`, `first_name`, ...), a word the identity's `name` lacks."""
    lex = lexicon()
    honorific = {w for t in lex.honorifics for w in _words(t)}
    neutral = {h.casefold() for h in neutral_honorifics()}
    raw = name_pieces(value)
    bad = [w for w in raw if w[0].islower() and len(w) > 3]
    bad += [w for w in raw if w.casefold() in honorific and w.casefold() not in neutral]
    full = identity.text.get("name")
    if key in fields.name_shaped and key not in ("name", "full_name") and full is not None:
        own = {p.casefold() for p in name_pieces(full)}
        bad += [w for w in raw if w.casefold() not in own and w.casefold() not in honorific]
    return sorted(set(bad))


def name_rule_fields(fields: IdentityFields) -> list[str]:
    """The identity fields held to the name rules: the name-shaped ones, and every other
    identity field that is not matched across species, a sign-off, an address or an
    honorific (a scenario's own `names:` field that is not `matched` must be a name)."""
    other = {*fields.matched, *fields.signed, *ADDRESS_FIELDS, *HONORIFIC_FIELDS}
    return [
        *fields.name_shaped,
        *(k for k in fields.names if k not in other and k not in fields.name_shaped),
    ]


def _email_domains(scenario: Scenario) -> set[str]:
    return {
        identity.text["email"].partition("@")[2].casefold()
        for party in scenario.parties.values()
        for identity in party.identities()
        if "@" in identity.text.get("email", "")
    }


def _cue_named(name: str, key: str, where: str, value: str) -> list[Impurity]:
    """A name or an address's local part built of a cue word of `name_styles.yaml`
    ("Forensic Auditor", "Watchdog", "lookwell@..."): what the party does or how closely it
    looks, written into the species span. Cues are not held to it: a cue's role noun ("human
    investigator", "AI investigator") is the party's role, the same in every species."""
    hits = cue_words_in(value.partition("@")[0] if key == "email" else value)
    if not hits:
        return []
    listed = ", ".join(f"{piece!r} ({cue})" for piece, cue in hits)
    return [
        Impurity(
            name,
            key,
            f"'{key}' of {where} is built of a cue word: {value!r} has {listed}; a name says "
            "who the party is, never what it does or how closely it looks (the cue_words of "
            "scenarios/name_styles.yaml: audit*, watch, sentinel*, ...), which would put a "
            "detection-risk cue inside the species span; choose a neutral name",
        )
    ]


def _shapes(name: str, party: Party, fields: IdentityFields, domains: set[str]) -> list[Impurity]:
    """A name that is not a name, or a cue that is not an identity form: a cue is masked in
    every passage, so a clause declared as a cue ("that checks every answer against the logs")
    or written into a name would hide behaviour inside a span.

    A cue's role words (what is left once species words, honorifics and its identity's name
    are removed) are at most `cue_role_words`, none a clause word; and a cue of more than one
    role word takes them from the party's role (its label and identity fields) or its name's
    pieces: "procurement lead" of a procurement lead passes, "decides remediation" does not."""
    lex = lexicon()
    clause = {w.casefold() for w in fields.clause_words}
    neutral = {
        w for t in [*lex.species_terms, *lex.honorifics, *lex.address_terms] for w in _words(t)
    }
    vocabulary = _role_vocabulary(party, fields)
    titles = _title_vocabulary(party, fields)
    found: list[Impurity] = []
    for species, variant in party.species.items():
        if species == Species.ABSENT:
            continue
        for identity in variant.pool(species):
            where = f"{species}/{identity.id}"
            names = [identity.text[k] for k in fields.name_shaped if k in identity.text]
            for key in name_rule_fields(fields):
                value = identity.text.get(key)
                if value is None:
                    continue
                words = [w.casefold() for w in name_pieces(value)]
                bad = sorted({w for w in words if w in clause})
                bad += _not_name_words(key, value, identity, fields)
                bad += _camel_role_words(value, titles, fields)
                bad += unheaded_camel_words(value)
                if _NOT_IN_A_NAME.search(value) or len(words) > fields.name_words or bad:
                    declared = (
                        ""
                        if key in fields.name_shaped
                        else f"; if '{key}' is not a name, list it under identity_fields.matched "
                        "so it is compared across species like a title"
                    )
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"'{key}' of {where} is not a name: {value!r} (a name has at most "
                            f"{fields.name_words} words once split on hyphens, underscores, "
                            "dots and CamelCase humps, no brackets or clause punctuation, "
                            "none of the lexicon's clause_words, no lower-case word of more "
                            "than three letters, no honorific but "
                            f"{'/'.join(neutral_honorifics())}, a CamelCase word ending in a "
                            "naming head of name_styles.yaml (Desk, Ops, Planner, ...) or "
                            "beginning with a surname particle (Mc, De, ...), and a form of "
                            f"the name only the name's words{_listed(bad)}); put what the "
                            "party does in the "
                            f"shared template text{declared}",
                            word_diff("", value, "a name", f"{name}.{key} [{where}]"),
                        )
                    )
            for key in [*name_rule_fields(fields), *ADDRESS_FIELDS]:
                value = identity.text.get(key)
                if value is not None:
                    found += _cue_named(name, key, where, value)
            for key in ADDRESS_FIELDS:
                value = identity.text.get(key)
                if value is None:
                    continue
                why = _address_problem(key, value, identity, fields)
                if not why and key == "email" and len(domains) > 1:
                    why = (
                        "every identity of the scenario writes from one shared domain; found "
                        + ", ".join(sorted(domains))
                    )
                if why:
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"'{key}' of {where} is not an address of its name: {value!r} "
                            f"({why}); put what the party does in the shared template text",
                        )
                    )
            for key in HONORIFIC_FIELDS:
                value = identity.text.get(key)
                honorific = "" if value is None else value.strip().rstrip(".")
                if honorific and honorific not in neutral_honorifics():
                    found.append(
                        Impurity(
                            name,
                            key,
                            f"'{key}' of {where} is {value!r}; an honorific is empty or one of "
                            f"{', '.join(neutral_honorifics())} (an AI identity has none, so a "
                            "rank or credential such as Dr, Prof or Trainee has no counterpart "
                            "in the other species and is a seniority manipulation)",
                        )
                    )
            values = {v.casefold() for v in identity.text.values()}
            name_words = {w for v in names for w in _words(v)}
            compact = {re.sub(r"[\W_]+", "", v).casefold() for v in names}
            for cue in identity.cues:
                if cue.casefold() in values or re.sub(r"[\W_]+", "", cue).casefold() in compact:
                    continue
                rest = [w for w in _words(cue) if w not in neutral and w not in name_words]
                bad = sorted({w for w in rest if w in clause})
                if len(rest) > 1:
                    bad += sorted(
                        {
                            w
                            for w in rest
                            if w not in vocabulary
                            and not all(p in vocabulary for p in w.split("-"))
                            and not _name_form_word(w, compact)
                        }
                    )
                if _NOT_IN_A_NAME.search(cue) or len(rest) > fields.cue_role_words or bad:
                    found.append(
                        Impurity(
                            name,
                            "cues",
                            f"cue {cue!r} of {where} is not an identity form (a declared "
                            "identity field value, a form of its name, or species words, "
                            f"honorifics and its name with at most {fields.cue_role_words} role "
                            "words, none of the lexicon's clause_words, and more than one only "
                            f"from the party's label and identity fields{_listed(bad)}); cues "
                            "are masked in passages, so a cue may not carry behaviour",
                            word_diff(
                                " ".join(w for w in rest if w not in bad),
                                " ".join(rest),
                                "identity text",
                                f"{name}.cues [{where}]",
                            ),
                        )
                    )
    return found


def impurities(scenario: Scenario) -> list[Impurity]:
    """Every party span of the scenario that differs in more than identity text."""
    fields = identity_fields(scenario)
    domains = _email_domains(scenario)
    return [
        problem
        for name, party in scenario.parties.items()
        for problem in [
            *_shapes(name, party, fields, domains),
            *_party_impurities(name, party, fields),
        ]
    ]
