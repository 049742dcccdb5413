"""Every bad input: one line on stderr naming the problem, exit status 2, no traceback."""
import pytest

FILES = {
    "empty.csv": b"",
    "header_only.csv": b"a,b,y\n",
    "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "ragged.csv": b"a,b,y\n1,2,x\n3,4\n",
    "missing.csv": b"a,b,y\n1,2,x\n3,,y\n4,5,x\n6,7,y\n",
    "one_class.csv": b"a,b,y\n1,2,x\n3,4,x\n4,5,x\n",
    "other_columns.csv": b"weight,colour,species\n1,red,fox\n",
    "typo.csv": b"a,y\n1,x\n2,y\nthree,x\n4,y\n5,x\n",
    "config.toml": b"hidden = [8\n",
    "config.json": b'{"learning_rate": 0.1}',
}


@pytest.fixture
def files(tmp_path, trained_run):
    for name, data in FILES.items():
        (tmp_path / name).write_bytes(data)
    corrupted = tmp_path / "corrupted_run"
    corrupted.mkdir()
    for name in ("config.json", "model.safetensors", "checkpoint.safetensors"):
        raw = bytearray((trained_run / name).read_bytes())
        if name != "config.json":
            raw[-5] ^= 0xFF
        (corrupted / name).write_bytes(bytes(raw))
    truncated = tmp_path / "truncated_run"
    truncated.mkdir()
    (truncated / "config.json").write_bytes((trained_run / "config.json").read_bytes())
    (truncated / "model.safetensors").write_bytes((trained_run / "model.safetensors").read_bytes()[:100])
    return tmp_path


CASES = [
    (["train", "{d}/nope.csv"], "file not found: "),
    (["train", "{d}"], "expected a CSV file, got a directory"),
    (["train", "{d}/binary.csv"], "binary.csv' as UTF-8 text"),
    (["train", "{d}/empty.csv"], "empty"),
    (["train", "{d}/header_only.csv"], "no data rows"),
    (["train", "{d}/ragged.csv"], "line 3 has 2 fields"),
    (["train", "mnist"], "unknown data set 'mnist'; choose one of iris, wine, breast_cancer, digits"),
    (["train", "{animals}", "--target", "colour"], "target column 'colour' not found"),
    (["train", "{d}/missing.csv"], "missing values: column 'b' in 1 row (row 2)"),
    (["train", "{d}/one_class.csv"], "single class"),
    (["train", "iris", "--lr", "-1"], "invalid --lr '-1'"),
    (["train", "iris", "--lr", "fast"], "invalid --lr 'fast'"),
    (["train", "iris", "--hidden", "0"], "invalid --hidden '0'"),
    (["train", "iris", "--hidden", "64,x"], "invalid --hidden '64,x'"),
    (["train", "iris", "--val-split", "1.5"], "invalid --val-split '1.5'"),
    (["train", "iris", "--val-split", "0.5", "--test-split", "0.5"], "sum below 1"),
    (["train", "iris", "--dropout", "1"], "invalid --dropout '1'"),
    (["train", "iris", "--epochs", "0"], "invalid --epochs '0'"),
    (["train", "iris", "--batch-size", "-3"], "invalid --batch-size '-3'"),
    (["train", "iris", "--optimizer", "lbfgs"], "invalid --optimizer 'lbfgs': choose one of sgd"),
    (["train", "iris", "--activation", "swish2"], "invalid --activation"),
    (["train", "iris", "--clip-norm", "0"], "invalid --clip-norm '0'"),
    (["train", "iris", "--momentum", "0.9"], "--momentum has no effect with --optimizer adam"),
    (["train", "iris", "--target", "y"], "--target applies to CSV files only"),
    (["train", "iris", "--nonsense"], "unrecognized arguments: --nonsense"),
    (["train", "iris", "--config", "{d}/config.toml"], "cannot parse config file"),
    (["train", "iris", "--config", "{d}/config.json"], "unknown option(s) learning_rate"),
    (["train", "iris", "--config", "{d}/none.toml"], "config file not found"),
    (["info", "{d}"], "is not an ember run folder"),
    (["info", "{d}/no_such_run"], "is not a run folder"),
    (["evaluate", "{d}", "iris"], "is not an ember run folder"),
    (["train", "--resume", "{d}/corrupted_run"], "corrupted file: "),
    (["predict", "{d}/corrupted_run", "{animals}"], "checksum does not match"),
    (["predict", "{d}/truncated_run", "{animals}"], "truncated"),
    (["predict", "{run}", "{d}/other_columns.csv"],
     "other_columns.csv' differ from the training data's: missing ['legs', 'habitat'], unexpected ['colour']"),
    (["predict", "{run}", "{d}/missing.csv"], "missing.csv' differ from the training data's"),
    (["evaluate", "{run}", "{d}/nope.csv"], "file not found"),
    (["evaluate", "{run}", "wine"], "different columns"),
    (["train", "{d}/typo.csv"], "column 'a' is numeric but has non-numeric values in 1 row (row 3), e.g. 'three'"),
    (["train", "diabetes", "--task", "classification"], "diabetes is a regression data set"),
    (["evaluate", "{run}", "{d}/header_only.csv"], "no data rows"),
]


def _argv(args, files, run, animals):
    return [a.format(d=files, run=run, animals=animals) for a in args]


@pytest.mark.parametrize("args, expected", CASES, ids=[" ".join(a) for a, _ in CASES])
def test_bad_input_is_one_line_and_status_2(files, trained_run, animals_csv, args, expected, capsys,
                                            monkeypatch):
    """In-process through ``main`` (fast); the subprocess test below checks the real exit path."""
    from ember.cli.main import main
    monkeypatch.chdir(files)
    status = main(_argv(args, files, trained_run, animals_csv))
    captured = capsys.readouterr()
    assert status == 2, (captured.out, captured.err)
    lines = captured.err.strip().splitlines()
    assert len(lines) == 1, captured.err
    assert lines[0].startswith("ember: error: ") and expected in lines[0], lines[0]


SUBPROCESS_CASES = [CASES[0], CASES[10], CASES[12], CASES[15], CASES[24], CASES[31], CASES[34]]


@pytest.mark.parametrize("args, expected", SUBPROCESS_CASES, ids=[" ".join(a) for a, _ in SUBPROCESS_CASES])
def test_bad_input_as_a_subprocess(cli, files, trained_run, animals_csv, args, expected):
    result = cli(*_argv(args, files, trained_run, animals_csv))
    assert result.returncode == 2, (result.stdout, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("ember: error: ") and expected in lines[0], lines[0]


def test_lr_auto_and_diagnose_flags_exist(cli, tmp_path):
    """With ember.diagnostics present they run; the flags are always accepted by the parser."""
    result = cli("train", "iris", "--lr", "auto", "--diagnose", "--epochs", "1", "--out", tmp_path / "r",
                 "--quiet", "--no-plots")
    assert result.returncode in (0, 2), result.stderr
    if result.returncode == 2:
        assert "needs ember.diagnostics" in result.stderr
