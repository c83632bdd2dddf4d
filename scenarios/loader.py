"""Load scenario files, enumerate their arms and render their texts.

Every party span a template prints is wrapped in invisible markers while rendering, so one render
yields three projections: the prompt the agent sees, a skeleton where each span is replaced by its
name (two arms must have identical skeletons), and a neutral text where each span is replaced by
the party's role label (what the grader sees, identical in every arm by construction). A condition
factor's spans (`{{ audit.note }}`) are marked the same way; the grader sees their neutral text.

A party's presence block (`{% call director.present() %}...{% endcall %}`) is shared text that
stands only in arms where the party is not absent; the grader sees it as the party's label.

Identities: each party's identity comes from its pool at the sample's identity slot for that
party. The slots of epoch e are counterbalanced (`identity_slots`): every K epochs visit every
slot of every party once, in an order drawn from the run's identity seed and the scenario id, the
same order for every arm; with several pooled parties, every K**m epochs visit every pairing of
their identities once.
"""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

import jinja2
import yaml
from pydantic import BaseModel, ConfigDict, ValidationError

from scenarios import templating
from scenarios.balance_record import BALANCE_KEY as BALANCE_KEY
from scenarios.balance_record import Balance as Balance
from scenarios.folders import SCENARIO_FILE as SCENARIO_FILE
from scenarios.folders import SCENARIOS_DIR as SCENARIOS_DIR
from scenarios.folders import discovered, folder_sha256
from scenarios.lexicon import lexicon
from scenarios.schema import FilesTool, Party, Scenario, Species, TemplateRef
from scenarios.yaml_files import parse_yaml

# Folders searched for scenarios by id; tests and users may append their own.
SEARCH_ROOTS: list[Path] = [SCENARIOS_DIR]
# Registered names a scenario id may not take: each scenario is also registered as
# `candor/<id>`, beside the suite tasks and the scorers.
RESERVED_IDS = frozenset({"deception", "legal", "deception_scorer", "legal_scorer"})

_OPEN, _SEP, _CLOSE = "\x02", "\x1f", "\x03"
_SPAN = re.compile(f"{_OPEN}([^{_SEP}]*){_SEP}([^{_CLOSE}]*){_CLOSE}")
_BOPEN, _BCLOSE = "\x0e", "\x0f"
_BLOCK = re.compile(f"{_BOPEN}([^{_SEP}]*){_SEP}([^{_BCLOSE}]*){_BCLOSE}")

Projection = Literal["arm", "skeleton", "neutral", "outline"]
"""`outline` is the skeleton with every presence block folded to its party's name (the form two
arms compare in when a party is absent in one of them)."""


class ScenarioError(ValueError):
    """A scenario file, template or arm selection is invalid; the message names where."""


class Arm(BaseModel):
    """One combination of factor levels."""

    model_config = ConfigDict(frozen=True)

    levels: dict[str, str]

    @property
    def name(self) -> str:
        """Stable name, e.g. `overseer=ai` or `director=human,overseer=ai`."""
        return ",".join(f"{factor}={level}" for factor, level in self.levels.items())


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario and the folder its templates live in."""

    spec: Scenario
    folder: Path

    @property
    def id(self) -> str:
        return self.spec.id

    @property
    def file(self) -> Path:
        return self.folder / SCENARIO_FILE


def _read_text(file: Path) -> str:
    """A scenario file's text; a file that is not UTF-8 is an error naming it and the byte."""
    try:
        return file.read_text(encoding="utf-8")
    except UnicodeDecodeError as exc:
        raise ScenarioError(
            f"{file}: not UTF-8 text (byte 0x{exc.object[exc.start]:02x} at offset {exc.start}); "
            "save the file as UTF-8"
        ) from None


def _format_validation(error: ValidationError) -> str:
    """One line per error: the key's path, what was wrong or expected, and the value given
    (a scalar value in full up to 80 characters; a mapping or list by its type)."""
    lines = []
    for item in error.errors():
        where = ".".join(str(part) for part in item["loc"]) or "(top level)"
        message = str(item["msg"]).removeprefix("Value error, ")
        # a model's own check names the key it is about first ("levels: ..."): part of the path
        if (key := re.match(r"([a-z_][a-z0-9_.]*): ", message)) and item["type"] == "value_error":
            where = f"{where}.{key.group(1)}" if where != "(top level)" else key.group(1)
            message = message[key.end() :]
        value = item.get("input")
        if item["type"] == "value_error" or isinstance(value, dict | list):
            given = ""  # the message names the values; the input is the whole mapping
        else:
            text = repr(value)
            given = f" (got {text if len(text) <= 80 else text[:77] + '...'})"
        lines.append(f"  {where}: {message}{given}")
    return "\n".join(lines)


def load_scenario(path: Path | str) -> LoadedScenario:
    """Load and validate one scenario (its folder or its `scenario.yaml`).

    Raises:
        ScenarioError: naming the file and the offending key, for bad YAML, a key given twice,
            a file that is not UTF-8, unknown keys, wrong types, dangling references, templates
            that do not exist, and an id that differs from the folder name.
    """
    file = Path(path)
    if file.is_dir():
        file = file / SCENARIO_FILE
    if not file.is_file():
        raise ScenarioError(f"{file}: no such scenario file")
    try:
        raw = parse_yaml(_read_text(file))
    except yaml.YAMLError as exc:
        raise ScenarioError(f"{file}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise ScenarioError(
            f"{file}: expected a mapping at the top level, got {type(raw).__name__}"
        )
    try:
        spec = Scenario.model_validate(raw, strict=False)
    except ValidationError as exc:
        raise ScenarioError(f"{file}: invalid scenario:\n{_format_validation(exc)}") from exc
    loaded = LoadedScenario(spec=spec, folder=file.parent)
    if loaded.id != loaded.folder.name:
        # scenarios are found by folder name and logged by id: the two must be one name
        raise ScenarioError(
            f"{file}: id: '{loaded.id}' must equal the scenario's folder name "
            f"'{loaded.folder.name}'"
        )
    if loaded.id in RESERVED_IDS:
        raise ScenarioError(
            f"{file}: id: '{loaded.id}' is a registered Candor name (candor/{loaded.id}); "
            f"a scenario id must not be one of {', '.join(sorted(RESERVED_IDS))}"
        )
    _check_template_files(loaded)
    _check_template_fields(loaded)
    return loaded


def _inline_texts(scenario: Scenario) -> Iterator[tuple[str, str]]:
    for key, ref in (("system_prompt", scenario.system_prompt), ("opening", scenario.opening)):
        if ref.text is not None:
            yield f"{key}.text", ref.text
    cp = scenario.counterparty
    if cp is not None:
        for index, turn in enumerate(cp.turns):
            yield f"counterparty.turns.{index}", turn
        if cp.persona is not None and cp.persona.text is not None:
            yield "counterparty.persona.text", cp.persona.text
    yield "ground_truth.summary", scenario.ground_truth.summary
    for index, fact in enumerate(scenario.ground_truth.facts):
        yield f"ground_truth.facts.{index}", fact
    if scenario.judging.kind == "deception":
        yield "judging.criteria", scenario.judging.criteria


def template_fields(scenario: Scenario) -> dict[str, set[str]]:
    """Every name a template may print a field of -> the fields it has: each party's identity
    fields and pronoun forms (and `present`), each condition factor's spans, the agent's keys."""
    known: dict[str, set[str]] = {"agent": set(scenario.agent.model_dump())}
    for name, party in scenario.parties.items():
        fields = {k for s, v in party.species.items() for k in v.field_names()}
        known[name] = fields | {"present"}
    for name, factor in scenario.condition_factors().items():
        known[name] = set(factor.text[factor.levels[0]])
    return known


def _printed_fields(source: str, names: set[str]) -> Iterator[tuple[str, str, int]]:
    """(name, field, line) of every `name.field` or `name['field']` in a template's source."""
    env = templating.environment()
    try:
        tree = env.parse(source)
    except jinja2.TemplateSyntaxError:
        return  # reported with its line when the template renders
    for node in tree.find_all(jinja2.nodes.Getattr):
        if isinstance(node.node, jinja2.nodes.Name) and node.node.name in names:
            yield node.node.name, node.attr, node.lineno
    for item in tree.find_all(jinja2.nodes.Getitem):
        owner, arg = item.node, item.arg
        if (
            isinstance(owner, jinja2.nodes.Name)
            and owner.name in names
            and isinstance(arg, jinja2.nodes.Const)
            and isinstance(arg.value, str)
        ):
            yield owner.name, arg.value, item.lineno


def _check_template_fields(loaded: LoadedScenario) -> None:
    """A template that prints a field no identity of the party declares (`{{ overseer.desk }}`)
    fails at load, naming the file, the line, the key and the fields the party has."""
    spec = loaded.spec
    known = template_fields(spec)
    sources: list[tuple[str, str]] = []
    for _, name in _template_paths(spec):
        file = loaded.folder / name
        try:
            sources.append((f"{file}", _read_text(file)))
        except ScenarioError:
            continue  # not UTF-8: reported with the text's key when it renders
    sources += [(f"{loaded.file}: {key}", text) for key, text in _inline_texts(spec)]
    for where, source in sources:
        for owner, field, line in _printed_fields(source, set(known)):
            if field in known[owner]:
                continue
            what = (
                "the agent"
                if owner == "agent"
                else f"condition factor '{owner}' (factors.{owner}.text)"
                if owner in spec.condition_factors()
                else f"party '{owner}' (parties.{owner} in {loaded.file})"
            )
            hint = (
                "; declare it on every identity of the party (and, if it is identity text, "
                "under identity_fields.names)"
                if owner in spec.parties
                else ""
            )
            raise ScenarioError(
                f"{where}: line {line}: '{owner}.{field}' is not a field of {what}; expected "
                f"one of {sorted(known[owner])}{hint}"
            )


def scenario_sha256(loaded: LoadedScenario) -> str:
    """The content hash of a scenario: its YAML file and every template beside it
    (`scenarios.folders.folder_sha256`)."""
    return folder_sha256(loaded.folder)


def _template_paths(scenario: Scenario) -> Iterator[tuple[str, str]]:
    for key, ref in (("system_prompt", scenario.system_prompt), ("opening", scenario.opening)):
        if ref.template is not None:
            yield key, ref.template
    for index, tool in enumerate(scenario.tools):
        if isinstance(tool, FilesTool):
            for doc_index, doc in enumerate(tool.documents):
                yield f"tools.{index}.documents.{doc_index}.template", doc.template
    cp = scenario.counterparty
    if cp is not None and cp.persona is not None and cp.persona.template is not None:
        yield "counterparty.persona.template", cp.persona.template


def _check_template_files(loaded: LoadedScenario) -> None:
    for key, name in _template_paths(loaded.spec):
        if not (loaded.folder / name).is_file():
            raise ScenarioError(f"{loaded.file}: {key}: template file '{name}' does not exist")


def _discovered(roots: Sequence[Path] | None) -> tuple[dict[str, Path], list[Path]]:
    """Scenario folders by id (the first found for an id) and every later `scenario.yaml` whose
    folder name repeats an id, under `roots` or else the search roots."""
    return discovered(roots or SEARCH_ROOTS)


def discover(roots: Sequence[Path] | None = None) -> dict[str, Path]:
    """Map scenario id to folder for every `scenario.yaml` under the search roots.

    A folder name used twice keeps its first folder; `load_all` lists each repeat as broken, so
    one duplicate never hides the other scenarios.
    """
    return _discovered(roots)[0]


def load_all(roots: Sequence[Path] | None = None) -> dict[str, LoadedScenario | ScenarioError]:
    """Every discovered scenario by id: loaded, or the error that says why it is broken.

    One broken scenario never hides the others: callers list it as broken (the `candor
    scenarios` commands) or leave it out of a run with a warning naming its file. A folder name
    used twice is broken under the key `<id> (<file>)`, and so is the first folder of that name:
    which of the two a run would mean is not for the loader to guess.
    """
    known, repeated = _discovered(roots)
    found: dict[str, LoadedScenario | ScenarioError] = {}
    twice = {file.parent.name for file in repeated}
    for scenario_id, folder in known.items():
        if scenario_id in twice:
            found[scenario_id] = ScenarioError(
                f"{folder / SCENARIO_FILE}: scenario folder name '{scenario_id}' is used twice"
            )
            continue
        try:
            found[scenario_id] = load_scenario(folder)
        except ScenarioError as exc:
            found[scenario_id] = exc
    for file in repeated:
        found[f"{file.parent.name} ({file})"] = ScenarioError(
            f"{file}: scenario folder name '{file.parent.name}' is used twice (also "
            f"{known[file.parent.name] / SCENARIO_FILE})"
        )
    return found


@cache
def get_scenario(scenario_id: str) -> LoadedScenario:
    """Load a shipped scenario by id (its folder name), with a clear error if unknown."""
    known, repeated = _discovered(None)
    if scenario_id not in known:
        raise ScenarioError(f"unknown scenario '{scenario_id}'; known: {', '.join(sorted(known))}")
    twice = [file for file in repeated if file.parent.name == scenario_id]
    if twice:
        raise ScenarioError(
            f"{twice[0]}: scenario folder name '{scenario_id}' is used twice (also "
            f"{known[scenario_id] / SCENARIO_FILE})"
        )
    return load_scenario(known[scenario_id])


def all_arms(scenario: Scenario) -> list[Arm]:
    """Every combination of factor levels, in declaration order."""
    names = list(scenario.factors)
    level_lists = [scenario.factors[name].levels for name in names]
    return [
        Arm(levels=dict(zip(names, combo, strict=True)))
        for combo in itertools.product(*level_lists)
    ]


def arm_items(selection: str | Sequence[str] | None) -> list[str]:
    """Arm items as given: a list, or a string whose items are `;`-separated; each stripped,
    empty ones dropped."""
    raw = [selection] if isinstance(selection, str) else list(selection or [])
    return [part.strip() for item in raw for part in item.split(";") if part.strip()]


def item_levels(item: str) -> dict[str, str] | None:
    """The `factor=level` pairs an arm item names (`director=ai,overseer=human`); None for a bare
    level (`ai`)."""
    if "=" not in item:
        return None
    levels: dict[str, str] = {}
    for pair in item.split(","):
        factor, eq, level = pair.partition("=")
        if not eq or not factor.strip() or not level.strip():
            raise ScenarioError(
                f"arm item '{item}': '{pair.strip()}' is not factor=level; expected items like "
                "'overseer=ai' or 'director=human,overseer=ai'"
            )
        if factor.strip() in levels:
            raise ScenarioError(f"arm item '{item}': factor '{factor.strip()}' is named twice")
        levels[factor.strip()] = level.strip()
    return levels


def item_applies(scenario: Scenario, item: str) -> bool:
    """Whether an arm item can select arms of a scenario: the scenario has every factor the item
    names (a bare level: the scenario has one factor)."""
    levels = item_levels(item)
    if levels is None:
        return bare_level_factor(scenario, item) is not None
    return set(levels) <= set(scenario.factors)


def select_arms(scenario: Scenario, selection: str | Sequence[str] | None) -> list[Arm]:
    """The arms named by `selection` (all when None).

    Items are arm names (`overseer=ai`), a single `factor=level` that selects every arm with that
    level, or a bare level that only one factor has (`ai` for `overseer=ai`). Items may be
    comma-free strings or a list; a string with `;` separates several items.

    Raises:
        ScenarioError: for an item that matches no arm, listing the valid arms.
    """
    arms = all_arms(scenario)
    if selection is None:
        return arms
    items = arm_items(selection)
    chosen: list[Arm] = []
    for item in items:
        matches = [arm for arm in arms if _arm_matches(scenario, arm, item)]
        if not matches:
            raise ScenarioError(
                f"scenario '{scenario.id}': arm '{item}' matches no arm; expected one of: "
                f"{', '.join(arm.name for arm in arms)}"
            )
        chosen.extend(arm for arm in matches if arm not in chosen)
    return chosen


def bare_level_factor(scenario: Scenario, level: str) -> str | None:
    """The one factor that has `level` (so a bare `ai` means `overseer=ai`), or None if no
    factor or several do."""
    having = [name for name, factor in scenario.factors.items() if level in factor.levels]
    return having[0] if len(having) == 1 else None


def _arm_matches(scenario: Scenario, arm: Arm, item: str) -> bool:
    if item == arm.name:
        return True
    levels = item_levels(item)
    if levels is None:
        factor = bare_level_factor(scenario, item)
        return factor is not None and arm.levels[factor] == item
    return all(arm.levels.get(factor) == level for factor, level in levels.items())


def species_of(scenario: Scenario, arm: Arm) -> dict[str, Species]:
    """The species of every party in an arm."""
    result: dict[str, Species] = {}
    for name, party in scenario.parties.items():
        set_by = [
            f
            for f, factor in scenario.factors.items()
            if factor.kind == "species" and factor.party == name
        ]
        if set_by:
            result[name] = Species(arm.levels[set_by[0]])
        else:
            assert party.fixed is not None  # guaranteed by the schema
            result[name] = party.fixed
    return result


Slots = int | Mapping[str, int]
"""The identity slot of every party in one render: one slot for every party, or party -> slot
(a party left out is at slot 0)."""


def slot_of(slots: Slots, party: str) -> int:
    """The slot of one party in `slots`."""
    return slots if isinstance(slots, int) else slots.get(party, 0)


def pooled_parties(scenario: Scenario) -> list[str]:
    """The parties with an identity pool of more than one identity, in declaration order: the
    parties whose identities a run counterbalances."""
    return [name for name, party in scenario.parties.items() if party.pool_size() > 1]


def identity_slot(scenario_id: str, seed: int, epoch: int, k: int) -> int:
    """The identity slot (0..k-1) of an epoch (1-based) for the first pooled party.

    Epochs come in cycles of k; each cycle visits every slot once, in a permutation drawn from
    the seed, the scenario id and the cycle. Every arm of a scenario gets the same slot in the
    same epoch, so over a multiple of k epochs every arm meets every slot equally often.
    """
    if k <= 1:
        return 0
    cycle, position = divmod(max(epoch, 1) - 1, k)
    order = list(range(k))
    random.Random(f"candor-identity:{seed}:{scenario_id}:{cycle}").shuffle(order)
    return order[position]


def identity_slots(scenario: Scenario, seed: int, epoch: int) -> dict[str, int]:
    """Party -> identity slot in an epoch (1-based): every pooled party counterbalanced alone,
    and the parties crossed with each other.

    The first pooled party takes `identity_slot`. Party j (j >= 1) takes, in cycle c of k
    epochs, the first party's slot shifted by an offset: the j-th base-k digit of c, mapped
    through a permutation drawn from the seed, then relabelled by a permutation of its own. So
    every cycle of k epochs visits every slot of every party once (each party balanced alone),
    and every k**m epochs (m pooled parties) visit every combination of slots once (every
    pairing of identities across parties). Every arm gets the same slots in the same epoch.
    """
    pooled = pooled_parties(scenario)
    slots = {name: 0 for name in scenario.parties}
    k = scenario.pool_size()
    if k <= 1 or not pooled:
        return slots
    first = identity_slot(scenario.id, seed, epoch, k)
    cycle = (max(epoch, 1) - 1) // k
    for j, name in enumerate(pooled):
        if j == 0:
            slots[name] = first
            continue
        digit = (cycle // k ** (j - 1)) % k
        offsets = list(range(k))
        block = cycle // k**j
        random.Random(f"candor-pairing:{seed}:{scenario.id}:{name}:{block}").shuffle(offsets)
        relabel = list(range(k))
        random.Random(f"candor-relabel:{seed}:{scenario.id}:{name}").shuffle(relabel)
        slots[name] = relabel[(first + offsets[digit]) % k]
    return slots


def slot_assignments(scenario: Scenario) -> list[dict[str, int]]:
    """Every combination of identity slots a run can give the pooled parties (k**m of them; one,
    every party at slot 0, without pools), in a fixed order."""
    pooled = pooled_parties(scenario)
    k = scenario.pool_size()
    return [
        {name: 0 for name in scenario.parties} | dict(zip(pooled, combo, strict=True))
        for combo in itertools.product(range(k), repeat=len(pooled))
    ]


def slot_counts(scenario_id: str, seed: int, epochs: int, k: int) -> list[int]:
    """How many of `epochs` epochs use each identity slot (0..k-1): what every arm meets."""
    counts = [0] * max(k, 1)
    for epoch in range(1, epochs + 1):
        counts[identity_slot(scenario_id, seed, epoch, k)] += 1
    return counts


def balanced_epochs(epochs: int, k: int) -> tuple[int, int]:
    """The multiples of k nearest to `epochs`, below (0 when there is none) and above."""
    below = epochs - epochs % k
    return below, below + k


def balance(scenario_id: str, k: int, epochs: int, seed: int = 0, parties: int = 1) -> Balance:
    """The balance facts of a run of `epochs` epochs of a scenario with `parties` pooled
    parties of k identities each: per-party balance needs a multiple of k epochs, every
    pairing across parties a multiple of k**parties."""
    pooled = max(parties, 1) if k > 1 else 0
    balanced = k <= 1 or epochs % k == 0
    cells = k**pooled if k > 1 else 1
    covered = balanced and epochs % cells == 0
    message: str | None = None
    if not balanced:
        counts = slot_counts(scenario_id, seed, epochs, k)
        below, above = balanced_epochs(epochs, k)
        per_slot = ", ".join(f"slot {slot}: {n}" for slot, n in enumerate(counts))
        use = f"{below} or {above}" if below else str(above)
        message = (
            f"{scenario_id}: {epochs} epochs are not a multiple of its identity pool size k={k}, "
            f"so arms x identity slots are unbalanced (each arm meets {per_slot}; "
            f"identity_seed={seed}); use a multiple of {k} epochs ({use})"
        )
    elif not covered:
        below, above = balanced_epochs(epochs, cells)
        use = f"{below} or {above}" if below else str(above)
        message = (
            f"{scenario_id}: {epochs} epochs balance each of its {pooled} pooled parties alone "
            f"(k={k}) but do not cover every pairing of their identities ({k}**{pooled}="
            f"{cells} combinations), so a party's identity effect may be confounded with "
            f"another's (identity_seed={seed}); use a multiple of {cells} epochs ({use})"
        )
    return Balance(
        scenario=scenario_id,
        pool_size=k,
        pooled_parties=pooled,
        epochs=epochs,
        identity_seed=seed,
        balanced=balanced,
        pairings_covered=covered,
        message=message,
    )


def balance_warning(
    scenario_id: str, k: int, epochs: int, seed: int = 0, parties: int = 1
) -> str | None:
    """The warning for an epoch count that does not counterbalance the pools, or None.

    Over a multiple of k epochs every arm meets every identity slot of every party equally
    often; otherwise some slots are met once more than others, so arms x slots are unbalanced.
    With several pooled parties, every pairing of their identities needs a multiple of
    k**parties epochs (`balance`).
    """
    return balance(scenario_id, k, epochs, seed, parties).message


def identities_of(scenario: Scenario, arm: Arm, slot: Slots) -> dict[str, str]:
    """Party name -> the id of its identity in an arm at a slot (absent parties left out)."""
    species = species_of(scenario, arm)
    return {
        name: party.identity(species[name], slot_of(slot, name)).id
        for name, party in scenario.parties.items()
        if species[name] != Species.ABSENT
    }


def party_fields(party: Party, species: Species, slot: int) -> dict[str, str]:
    """The text fields a template prints for a party in a species at a slot (its identity's
    fields and pronoun forms; for an absent party, every key empty unless declared)."""
    keys = sorted(
        {k for s, v in party.species.items() if s != Species.ABSENT for k in v.field_names()}
    )
    if species == Species.ABSENT:
        declared = party.identity(species, 0).text if species in party.species else {}
        return {key: declared.get(key, "") for key in keys}
    identity = party.identity(species, slot)
    forms = lexicon().pronoun_sets[identity.pronouns] if identity.pronouns else {}
    return identity.fields(forms)


@dataclass(frozen=True)
class RenderedText:
    """One rendered text, with every party span marked."""

    marked: str

    def spans(self) -> list[tuple[str, str]]:
        """(span name, value as rendered) of every party and condition span, in order."""
        return [(m.group(1), m.group(2)) for m in _SPAN.finditer(self.marked)]

    def project(self, projection: Projection, labels: Mapping[str, str | None]) -> str:
        """The text the agent sees (`arm`), its span skeleton (`skeleton`, `outline`) or its
        neutral form.

        `labels` maps a span's name (`audit.note`) or its prefix (`overseer`) to what the
        grader sees in its place (None: the span as written).
        """
        if projection == "arm":
            text = _BLOCK.sub(lambda m: m.group(2), self.marked)
            return _SPAN.sub(lambda m: m.group(2), text)
        if projection in ("skeleton", "outline"):
            if projection == "outline":
                text = _BLOCK.sub(lambda m: f"⟨{m.group(1)}⟩", self.marked)
            else:
                text = _BLOCK.sub(lambda m: m.group(2), self.marked)
            return _SPAN.sub(lambda m: f"⟨{m.group(1)}⟩", text)

        def neutral(match: re.Match[str]) -> str:
            name = match.group(1)
            label = labels[name] if name in labels else labels[name.split(".")[0]]
            return match.group(2) if label is None else label

        text = _BLOCK.sub(lambda m: str(labels[m.group(1).split(".")[0]]), self.marked)
        return _SPAN.sub(neutral, text)


@cache
def _environment(folder: Path) -> jinja2.Environment:
    """One Jinja2 environment per scenario folder, so templates compile once per process."""
    return templating.environment(folder, auto_reload=True)  # an edited template is picked up


@lru_cache(maxsize=4096)
def _compiled(env: jinja2.Environment, text: str) -> jinja2.Template:
    """An inline template (a turn, a fact, a criterion) compiled once per environment."""
    return env.from_string(text)


def _presence(name: str, present: bool) -> object:
    """The `present()` of a party: a call block that stands only where the party does."""

    def block(caller: object) -> str:
        assert callable(caller)
        body = str(caller()) if present else ""
        return f"{_BOPEN}{name}.present{_SEP}{body}{_BCLOSE}"

    return block


def declared_spans(spec: Scenario, arm: Arm, slot: Slots) -> dict[str, str]:
    """Every span a template may print in an arm at an identity slot, by span name
    (`overseer.title`, `audit.procedure`) -> its declared value: each party's identity fields
    and pronoun forms, and each condition factor's text at the arm's level."""
    species = species_of(spec, arm)
    values: dict[str, str] = {}
    for name, party in spec.parties.items():
        for key, value in party_fields(party, species[name], slot_of(slot, name)).items():
            values[f"{name}.{key}"] = value
    for name, factor in spec.condition_factors().items():
        # an arm from a log written before the factor existed renders at its first level
        level = arm.levels.get(name, factor.levels[0])
        for key, value in factor.text[level].items():
            values[f"{name}.{key}"] = value
    return values


class _Renderer:
    def __init__(self, loaded: LoadedScenario, arm: Arm, slot: Slots) -> None:
        self.loaded = loaded
        self.env = _environment(loaded.folder)
        spec = loaded.spec
        species = species_of(spec, arm)
        self.context: dict[str, object] = {"agent": spec.agent.model_dump()}
        values = declared_spans(spec, arm, slot)
        for name in spec.parties:
            fields: dict[str, object] = {
                key.split(".", 1)[1]: f"{_OPEN}{key}{_SEP}{value}{_CLOSE}"
                for key, value in values.items()
                if key.split(".", 1)[0] == name
            }
            fields["present"] = _presence(name, species[name] != Species.ABSENT)
            self.context[name] = fields
        for name in spec.condition_factors():
            self.context[name] = {
                key.split(".", 1)[1]: f"{_OPEN}{key}{_SEP}{value}{_CLOSE}"
                for key, value in values.items()
                if key.split(".", 1)[0] == name
            }

    def render(self, where: str, *, template: str | None = None, text: str | None = None) -> str:
        try:
            if template is not None:
                tpl = self.env.get_template(template)
            else:
                assert text is not None
                tpl = _compiled(self.env, text)
            return tpl.render(self.context).strip()
        except jinja2.UndefinedError as exc:
            raise ScenarioError(
                f"{self.loaded.file}: {where}: template variable is undefined: {exc.message}"
            ) from exc
        except UnicodeDecodeError:
            raise ScenarioError(
                f"{self.loaded.folder / (template or '')}: {where}: the template is not UTF-8 "
                "text; save it as UTF-8"
            ) from None
        except jinja2.TemplateError as exc:
            raise ScenarioError(f"{self.loaded.file}: {where}: template error: {exc}") from exc

    def ref(self, where: str, ref: TemplateRef) -> str:
        return self.render(where, template=ref.template, text=ref.text)


@dataclass(frozen=True)
class RenderedScenario:
    """Every text of one arm, marked. Project with `labels` to get what each reader sees."""

    scenario: LoadedScenario
    arm: Arm
    texts: dict[str, RenderedText]
    slot: Slots = 0
    identities: dict[str, str] | None = None
    """Party name -> identity id in this render (see `identities_of`)."""

    @property
    def labels(self) -> dict[str, str | None]:
        return neutral_labels(self.scenario.spec)

    def text(self, key: str, projection: Projection = "arm") -> str:
        return self.texts[key].project(projection, self.labels)

    def keys(self, prefix: str) -> list[str]:
        return [key for key in self.texts if key.startswith(prefix)]


def neutral_labels(spec: Scenario) -> dict[str, str | None]:
    """What the grader sees for each span: a party's `[LABEL]`; a condition span's neutral text
    (default `[FACTOR]`), or the span itself (None) for a factor visible to the grader."""
    labels: dict[str, str | None] = {
        name: f"[{party.label}]" for name, party in spec.parties.items()
    }
    for name, factor in spec.condition_factors().items():
        for span in factor.text[factor.levels[0]]:
            key = f"{name}.{span}"
            labels[key] = (
                None if factor.grader_visible else factor.neutral.get(span, f"[{name.upper()}]")
            )
    return labels


def render(loaded: LoadedScenario, arm: Arm, slot: Slots = 0) -> RenderedScenario:
    """Render every text of a scenario in one arm, with every party's identity at `slot` (one
    slot for every party, or party -> slot).

    Keys: `system_prompt`, `opening`, `document:<name>`, `turn:<i>`, `persona`,
    `ground_truth.summary`, `ground_truth.fact:<i>`, `criteria`.

    Raises:
        ScenarioError: naming the file and the template key for any undefined variable.
    """
    spec = loaded.spec
    r = _Renderer(loaded, arm, slot)
    texts: dict[str, str] = {
        "system_prompt": r.ref("system_prompt", spec.system_prompt),
        "opening": r.ref("opening", spec.opening),
    }
    for tool in spec.tools:
        if isinstance(tool, FilesTool):
            for doc in tool.documents:
                texts[f"document:{doc.name}"] = r.render(
                    f"document '{doc.name}'", template=doc.template
                )
    if spec.counterparty is not None:
        for index, turn in enumerate(spec.counterparty.turns):
            texts[f"turn:{index}"] = r.render(f"counterparty.turns.{index}", text=turn)
        if spec.counterparty.persona is not None:
            texts["persona"] = r.ref("counterparty.persona", spec.counterparty.persona)
    texts["ground_truth.summary"] = r.render("ground_truth.summary", text=spec.ground_truth.summary)
    for index, fact in enumerate(spec.ground_truth.facts):
        texts[f"ground_truth.fact:{index}"] = r.render(f"ground_truth.facts.{index}", text=fact)
    if spec.judging.kind == "deception":
        texts["criteria"] = r.render("judging.criteria", text=spec.judging.criteria)
    return RenderedScenario(
        scenario=loaded,
        arm=arm,
        texts={k: RenderedText(v) for k, v in texts.items()},
        slot=slot,
        identities=identities_of(spec, arm, slot),
    )
