"""Load, default and validate the workflow configuration (safe YAML, JSON schema)."""

from __future__ import annotations

import copy
import difflib
from pathlib import Path
from typing import Any

import jsonschema
import yaml

from her2resist.clinical.adam import clinical_settings
from her2resist.errors import Findings, InputError
from her2resist.paths import RESOURCES, SCHEMAS

# Config keys that name a resource file; null means the workflow's own copy.
RESOURCE_DEFAULTS = {
    "pathways": "pathways.yaml",
    "hotspots": "hotspots.tsv",
    "protein_domains": "protein_domains.tsv",
    "civic_evidence": "civic_anti_her2_evidence.tsv",
}


def load_schema(name: str) -> dict[str, Any]:
    # libyaml's loader where PyYAML has it: the schema is read at parse time, 10x faster
    with open(SCHEMAS / name, encoding="utf-8") as handle:
        return yaml.load(handle, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))


def _set_defaults(validator, properties, instance, schema):
    """Fill in schema defaults while validating (as snakemake's validator does)."""
    if isinstance(instance, dict):
        for name, subschema in properties.items():
            if "default" in subschema and name not in instance:
                instance[name] = copy.deepcopy(subschema["default"])
    validate_properties = jsonschema.Draft202012Validator.VALIDATORS["properties"]
    yield from validate_properties(validator, properties, instance, schema)


_DefaultingValidator = jsonschema.validators.extend(
    jsonschema.Draft202012Validator, {"properties": _set_defaults}
)


def _schema_keys(schema: dict[str, Any], path: list[str | int]) -> list[str]:
    node = schema
    for key in path:
        props = node.get("properties", {})
        if isinstance(key, str) and key in props:
            node = props[key]
            if "$ref" in node:
                node = schema["$defs"][node["$ref"].split("/")[-1]]
        else:
            return []
    return list(node.get("properties", {}))


def validate_config(config: dict[str, Any], source: str = "config") -> dict[str, Any]:
    """Return a defaulted copy of ``config``; raise InputError listing every problem."""
    schema = load_schema("config.schema.yaml")
    config = copy.deepcopy(config) if config else {}
    validator = _DefaultingValidator(schema)
    found = Findings()
    for error in sorted(validator.iter_errors(config), key=lambda e: list(map(str, e.path))):
        key = ".".join(str(p) for p in error.absolute_path) or "(top level)"
        if error.validator == "additionalProperties":
            known = _schema_keys(schema, list(error.absolute_path))
            for name in [k for k in error.instance if k not in known]:
                close = difflib.get_close_matches(name, known, n=1)
                hint = f"did you mean '{close[0]}'?" if close else f"valid keys: {', '.join(known)}"
                found.error(source, f"unknown key '{name}'", f"key {key}", hint=hint)
            continue
        hint = None
        if error.validator == "enum":
            hint = "use one of " + ", ".join(map(str, error.validator_value))
        found.error(source, error.message, f"key {key}", hint=hint)
    clinical = config.get("clinical")
    if isinstance(clinical, dict) and not (
        clinical.get("table") or clinical.get("adam") or config.get("cbioportal_study")
    ):
        found.error(
            source,
            "no clinical data: give clinical.table or clinical.adam.adsl",
            "key clinical",
            hint="point clinical.table at the clinical table (or clinical.adam at ADaM)",
        )
    if found.problems:
        raise InputError(found.problems)
    if clinical.get("adam"):
        # ADaM: ids are USUBJID and PFS/OS come from ADTTE in months (clinical/adam.py).
        config["clinical"] = clinical_settings(clinical)
    return config


def resolve_resources(config: dict[str, Any]) -> dict[str, Any]:
    """Point resource keys left null at the workflow's own resources/."""
    config = copy.deepcopy(config)
    for key, filename in RESOURCE_DEFAULTS.items():
        if not config.get(key):
            config[key] = str(RESOURCES / filename)
    if not config.get("gene_coordinates"):
        build = config.get("genome_build", "GRCh38").lower()
        config["gene_coordinates"] = str(RESOURCES / f"genes_{build}.tsv")
    return config


def load_config(path: str | Path) -> dict[str, Any]:
    """Read a YAML config safely (data only, never evaluated), validate and default it."""
    path = Path(path)
    if not path.is_file():
        raise InputError.one(str(path), "config file not found", hint="pass --configfile PATH")
    try:
        with open(path, encoding="utf-8-sig") as handle:
            raw = yaml.safe_load(handle)
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = mark.line + 1 if mark else None
        raise InputError.one(str(path), f"not valid YAML: {error}", where=line) from None
    if raw is not None and not isinstance(raw, dict):
        raise InputError.one(str(path), "the config must be a mapping of keys to values")
    return resolve_resources(validate_config(raw or {}, str(path)))
