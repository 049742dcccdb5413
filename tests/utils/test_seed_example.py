"""The seeds' TensorDataset/DataLoader cell (examples/seeds_data_tensordataset.py) runs on ember."""
import re
import runpy
from pathlib import Path

import pytest

EXAMPLE = Path(__file__).resolve().parents[2] / "examples" / "seeds_data_tensordataset.py"


def test_seed_cell_prints_the_notes_first_sample_and_three_batches(capsys):
    pytest.importorskip("pandas")
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "Input sample: tensor([0, 1, 1, 0, 0, 2, 1])" in out
    assert "Label sample: tensor(0)" in out
    labels = re.findall(r"batch_labels: tensor\(\[([\d, ]+)\]\)", out)
    assert [len(b.split(",")) for b in labels] == [2, 2, 1]
    assert sorted(int(v) for b in labels for v in b.split(",")) == [0, 0, 1, 1, 2]
