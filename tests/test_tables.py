from pathlib import Path

import pandas as pd
import pytest

from her2resist.errors import InputError
from her2resist.tables import read_table


@pytest.mark.parametrize(
    ("raw", "name"),
    [
        ("\ufeffpatient_id\tage\r\nP1\t50\r\nP2\t61\r\n".encode(), "bom_crlf.tsv"),
        (b"patient_id,age\rP1,50\rP2,61\r", "cr_only.csv"),
        ("patient_id\tage\tsite\nP1\t50\tK\u00f6ln\nP2\t61\tx\n".encode("latin-1"), "latin1.tsv"),
    ],
)
def test_encodings_and_line_endings(tmp_path: Path, raw: bytes, name: str) -> None:
    path = tmp_path / name
    path.write_bytes(raw)
    table = read_table(path, required=["patient_id", "age"])
    assert list(table["patient_id"]) == ["P1", "P2"]
    assert list(table["age"]) == ["50", "61"]


def test_xlsx_with_title_row_above_header(tmp_path: Path) -> None:
    path = tmp_path / "clinical.xlsx"
    with pd.ExcelWriter(path) as writer:
        pd.DataFrame(
            [["Trial XYZ clinical export", None], ["patient_id", "age"], ["P1", 50]]
        ).to_excel(writer, header=False, index=False)
    table = read_table(path, required=["patient_id", "age"])
    assert list(table.columns) == ["patient_id", "age"]
    assert table.loc[0, "patient_id"] == "P1"


def test_missing_column_names_what_was_found(tmp_path: Path) -> None:
    path = tmp_path / "t.tsv"
    path.write_text("id\tage\nP1\t3\n")
    with pytest.raises(InputError) as caught:
        read_table(path, required=["patient_id"])
    assert "missing column(s) patient_id; found id, age" in str(caught.value)
    assert str(path) in str(caught.value)
