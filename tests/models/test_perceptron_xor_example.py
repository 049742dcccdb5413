import pathlib
import runpy

EXAMPLE = pathlib.Path(__file__).parents[2] / "examples" / "perceptron_xor.py"


def test_example_shows_perceptron_failing_and_mlp_solving_xor(capsys):
    runpy.run_path(str(EXAMPLE), run_name="__main__")
    out = capsys.readouterr().out
    assert "AND: mistakes per epoch" in out and "OR : mistakes per epoch" in out
    xor_line = next(line for line in out.splitlines() if line.strip().startswith("XOR:"))
    assert "accuracy 1.00" not in xor_line          # no line separates XOR's classes
    assert "not linearly separable" in out
    assert "accuracy 1.00" in out.split("One hidden layer")[1]
    assert "training health: No problems found." in out
