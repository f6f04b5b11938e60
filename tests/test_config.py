from pathlib import Path

import pytest
import yaml

from her2resist.config import load_config, validate_config
from her2resist.errors import InputError


def test_defaults_fill_and_resources_point_into_the_workflow(project_root: Path) -> None:
    config = load_config(project_root / "config" / "config.yaml")
    assert config["biomarkers"]["altered_if"] == "oncogenic"
    assert Path(config["pathways"]).is_file()
    assert Path(config["hotspots"]).is_file()
    assert Path(config["gene_coordinates"]).name == "genes_grch38.tsv"


def test_minimal_config_gets_every_default() -> None:
    config = validate_config({"clinical": {"table": "c.tsv"}})
    assert config["filters"]["min_vaf"] == {"tissue": 0.05, "ctdna": 0.003}
    assert config["clinical"]["time_unit"] == "months"
    assert config["endpoints"] == ["pfs", "os", "orr", "cbr"]


def test_typo_in_key_suggests_the_closest_valid_key() -> None:
    with pytest.raises(InputError) as caught:
        validate_config({"clinical": {"table": "c.tsv"}, "biomarkrs": {}})
    assert "unknown key 'biomarkrs'" in str(caught.value)
    assert "did you mean 'biomarkers'" in str(caught.value)


def test_nested_typo_and_bad_enum_reported_together() -> None:
    with pytest.raises(InputError) as caught:
        validate_config(
            {
                "clinical": {"table": "c.tsv", "time_unt": "days"},
                "biomarkers": {"altered_if": "any"},
            }
        )
    text = str(caught.value)
    assert "did you mean 'time_unit'" in text
    assert "use one of oncogenic, nonsynonymous" in text
    assert len(caught.value.problems) == 2


def test_yaml_is_data_only(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text("clinical: !!python/object/apply:os.system ['echo hacked']\n")
    with pytest.raises(InputError, match="not valid YAML"):
        load_config(path)


def test_config_round_trips_through_yaml(tmp_path: Path) -> None:
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump({"clinical": {"table": "x.tsv"}, "genome_build": "GRCh37"}))
    assert Path(load_config(path)["gene_coordinates"]).name == "genes_grch37.tsv"
