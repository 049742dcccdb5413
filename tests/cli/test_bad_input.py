"""Every user error: one line on stderr naming the cause (and what to do), exit status 2, no
traceback, and no file that existed before changed (or removed, or added).

Each case runs as its own child process (``ForkRunner``: one fork per command from a server that
imported ember once); a few also run as plain ``python -m ember`` subprocesses. The cases act on
a "world" folder built once per worker: data files, config files, a trained run and damaged or
edited copies of it. After every case the world is compared file by file with its snapshot.
"""
import hashlib
import json
import os
import shutil

import numpy as np
import pytest

import ember

ANIMALS_ROWS = 240


# ---------------------------------------------------------------------------------------------
# the world

def _csv(rows, header="a,b,y"):
    return (header + "\n" + "".join(",".join(map(str, r)) + "\n" for r in rows)).encode()


GOOD = [(i, i % 5, "xy"[i % 2]) for i in range(12)]

FILES = {
    "empty.csv": b"",
    "blank_lines.csv": b"\n\n\n",
    "header_only.csv": b"a,b,y\n",
    "binary.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)),
    "latin1.csv": "a,b,y\n1,2,caf\xe9\n3,4,x\n".encode("latin-1"),
    "ragged.csv": b"a,b,y\n1,2,x\n3,4\n",
    "too_many_fields.csv": b"a,b,y\n1,2,x,9\n",
    "missing.csv": b"a,b,y\n1,2,x\n3,,y\n4,5,x\n6,7,y\n",
    "na_target.csv": b"a,b,y\n1,2,x\n3,4,NA\n4,5,x\n6,7,y\n",
    "one_class.csv": b"a,b,y\n1,2,x\n3,4,x\n4,5,x\n",
    "other_columns.csv": b"weight,colour,species\n1,red,fox\n",
    "typo.csv": b"a,y\n1,x\n2,y\nthree,x\n4,y\n5,x\n",
    "duplicate_header.csv": b"a,a,y\n1,2,x\n3,4,y\n",
    "only_target.csv": b"y\nx\ny\n",
    "inf_target.csv": _csv([(i, i, "inf" if i == 3 else i % 2) for i in range(12)]),
    "inf_feature.csv": _csv([(i, "1e999" if i == 4 else i, i % 2) for i in range(12)]),
    "neg_inf_feature.csv": _csv([(i, "-inf" if i == 2 else i, i % 2) for i in range(12)]),
    "float32_overflow.csv": _csv([(i, "3.5e38" if i == 1 else i, i % 2) for i in range(12)]),
    "nan_text.csv": _csv([(i, "-nan" if i == 5 else i, i % 2) for i in range(12)]),
    "ids.csv": _csv([(f"id{i}", i % 3, i % 2) for i in range(1500)], "id,x,y"),
    "few_rows.csv": b"a,y\n1,x\n2,y\n",
    "regression_inf.csv": _csv([(i, i, 0.5 * i if i != 6 else "Infinity") for i in range(30)]),
    "good.csv": _csv(GOOD),
    "predict_inf.csv": b"weight,legs,habitat\n20.5,4,forest\ninf,2,river\n",
    "predict_huge.csv": b"weight,legs,habitat\n20.5,4,forest\n20.5,3e38,river\n",
    "predict_nan.csv": b"weight,legs,habitat\n20.5,4,forest\n,2,river\n",
    "predict_text.csv": b"weight,legs,habitat\n20.5,four,forest\n",
    "unseen_label.csv": b"weight,legs,habitat,species\n20.5,4,forest,wolf\n",
    "no_target.csv": b"weight,legs,habitat\n20.5,4,forest\n",
    # config files
    "bad_syntax.toml": b"hidden = [8\n",
    "bad_syntax.json": b'{"hidden": [8,',
    "unknown_key.json": b'{"learning_rate": 0.1}',
    "list.json": b"[1, 2]",
    "deep.json": b"[" * 100000,
    "deep.toml": b"a = " + b"[" * 100000,
    "not_utf8.json": b'{"lr": "\xff"}',
    "huge.json": b'{"seed": 1' + b" " * (1 << 20) + b"}",
    "dropna_string.json": b'{"dropna": "false"}',
    "plots_string.json": b'{"plots": "no"}',
    "hidden_floats.json": b'{"hidden": [1.7, 2.9]}',
    "hidden_null.json": b'{"hidden": null}',
    "epochs_float.json": b'{"epochs": 2.5}',
    "lr_1e400.json": b'{"lr": 1e400}',
    "lr_list.json": b'{"lr": [0.1]}',
    "data_number.json": b'{"data": 3}',
    "target_number.json": b'{"target": 5}',
    "batch_list.json": b'{"batch_size": [1]}',
    "seed_true.json": b'{"seed": true}',
    "optimizer_object.json": b'{"optimizer": {"name": "adam"}}',
    "activation_list.toml": b'activation = ["relu"]\n',
    "date.toml": b"seed = 1979-05-27\n",
    "dropout_string.toml": b'dropout = "0.1"\n',
    "value_check.json": b'{"dropout": 1.5}',
    "notes/readme.txt": b"my own notes\n",
    "afile": b"just a file\n",
}


def _edit_json(path, edit):
    data = json.loads(path.read_text())
    edit(data)
    path.write_text(json.dumps(data))


def _edit_checkpoint(path, edit):
    state = ember.load(path)
    edit(state)
    ember.save(state, path)  # a new, valid checksum: only the schema checks can catch it


CONFIG_EDITS = {
    "hidden_huge": lambda d: d["config"].update(hidden=[30000000]),
    "features_string": lambda d: d["info"].update(n_features="3"),
    "no_info": lambda d: d.pop("info"),
    "outputs_zero": lambda d: d["info"].update(n_outputs=0),
    "mean_short": lambda d: d["preprocessing"].update(mean=[0.0]),
    "std_zero": lambda d: d["preprocessing"]["std"].__setitem__(0, 0.0),
    "task_weird": lambda d: d["preprocessing"]["encoding"].update(task="ranking"),
    "lr_auto": lambda d: d["config"].update(lr="auto"),
    "activation_bad": lambda d: d["config"].update(activation="swish2"),
    "dropna_string": lambda d: d["config"].update(dropna="false"),
    "classes_one": lambda d: d["preprocessing"]["encoding"].update(classes=["fox"]),
    "data_changed": lambda d: d["info"].update(data_path=d["info"]["data_path"] + ".changed.csv"),
    "data_gone": lambda d: d["info"].update(data_path="/nonexistent/animals.csv"),
}

CHECKPOINT_EDITS = {
    "epoch_string": lambda s: s.update(epoch="5"),
    "epoch_negative": lambda s: s.update(epoch=-5),
    "history_number": lambda s: s.update(history=3),
    "no_optimizer": lambda s: s.pop("optimizer"),
    "wrong_shapes": lambda s: s["model"].update({"0.weight": ember.zeros(2, 2)}),
    "kind": lambda s: s.update(kind="something-else"),
    "history_short": lambda s: s["history"]["loss"].pop(),
    "rng_garbage": lambda s: s.update(rng={"bit_generator": {"state": 5}}),
    "loader_rng_garbage": lambda s: s.update(loader_rng={"seed": "x", "bit_generator": {}}),
    "best_state_shapes": lambda s: s.update(best_state={"0.weight": ember.zeros(1)}),
    "bad_epochs": lambda s: s.update(bad_epochs=99),
    "no_param_groups": lambda s: s["optimizer"].update(param_groups=[]),
    "not_a_dict": None,  # the whole checkpoint is a list
}


CNN_EDITS = {
    # config.json of a --model cnn run
    "as_mlp": lambda d: d["config"].update(model="mlp"),
    "as_lstm": lambda d: d["config"].update(model="lstm"),
    "hidden_huge": lambda d: d["config"].update(hidden=[30000000]),
    "features_65": lambda d: (d["info"].update(n_features=65),
                              d["preprocessing"].update(mean=d["preprocessing"]["mean"] + [0.0],
                                                        std=d["preprocessing"]["std"] + [1.0]),
                              d["preprocessing"]["encoding"]["feature_names"].append("x")),
}


def _cnn_runs(root):
    """A one-epoch ``--model cnn`` run on digits, edited and damaged copies of it, and CSV rows
    with its columns."""
    from .conftest import ember as run_ember
    result = run_ember("train", "digits", "--model", "cnn", "--epochs", "1", "--out", root / "cnn", "--quiet",
                       "--no-plots", timeout=600)
    assert result.returncode == 0, result.stderr
    for name in (*CNN_EDITS, "corrupted", "ckpt_shapes", "truncated"):
        shutil.copytree(root / "cnn", root / f"cnn_{name}")
    for name, edit in CNN_EDITS.items():
        _edit_json(root / f"cnn_{name}" / "config.json", edit)
    raw = bytearray((root / "cnn_corrupted" / "model.safetensors").read_bytes())
    raw[-3] ^= 0x55
    (root / "cnn_corrupted" / "model.safetensors").write_bytes(bytes(raw))
    model = root / "cnn_truncated" / "model.safetensors"
    model.write_bytes(model.read_bytes()[:1000])
    _edit_checkpoint(root / "cnn_ckpt_shapes" / "checkpoint.safetensors",
                     lambda s: s["model"].update({"1.weight": ember.zeros(32, 1, 5, 5)}))
    names = json.loads((root / "cnn" / "config.json").read_text())["preprocessing"]["encoding"]["feature_names"]
    rows = [["0"] * len(names), ["1"] * (len(names) - 1) + ["inf"]]
    (root / "digit_rows_inf.csv").write_text("\n".join(",".join(r) for r in [names] + rows) + "\n")
    (root / "digit_rows.csv").write_text("\n".join(",".join(r) for r in [names] + rows[:1]) + "\n")
    (root / "digit_rows_short.csv").write_text(",".join(names[:-1]) + "\n" + ",".join(["0"] * (len(names) - 1)) + "\n")


def _snapshot(root):
    files = {}
    for folder, dirs, names in os.walk(root):
        for name in names + [d for d in dirs if os.path.islink(os.path.join(folder, d))]:
            path = os.path.join(folder, name)
            rel = os.path.relpath(path, root)
            if os.path.islink(path) or not os.path.isfile(path):
                files[rel] = ("special", os.lstat(path).st_mode)
                continue
            with open(path, "rb") as handle:
                files[rel] = (hashlib.sha256(handle.read()).hexdigest(), os.stat(path).st_mtime_ns)
    return files


@pytest.fixture(scope="session")
def world(tmp_path_factory, trained_run, animals_csv):
    root = tmp_path_factory.mktemp("world")
    for name, data in FILES.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_bytes(data)
    shutil.copy(animals_csv, root / "animals.csv")
    changed = (root / "animals.csv").read_text().replace("forest", "river", 1)
    (root / "animals.csv.changed.csv").write_text(changed)
    (root / "run").mkdir()
    for name in ("config.json", "model.safetensors", "checkpoint.safetensors", "metrics.json"):
        shutil.copy(trained_run / name, root / "run" / name)
    _edit_json(root / "run" / "config.json", lambda d: d["info"].update(data_path=str(root / "animals.csv")))
    for name in ("corrupted", "truncated", "deep_header", "model_nan", "model_fifo", "model_folder", "no_checkpoint",
                 "metrics_bad", "metrics_type", "config_fifo", "config_deep", "config_not_json",
                 "locked", *(f"config_{n}" for n in CONFIG_EDITS), *(f"ckpt_{n}" for n in CHECKPOINT_EDITS)):
        shutil.copytree(root / "run", root / name)
    for name in ("model.safetensors", "checkpoint.safetensors"):
        raw = bytearray((root / "corrupted" / name).read_bytes())
        raw[-5] ^= 0xFF
        (root / "corrupted" / name).write_bytes(bytes(raw))
    model = root / "truncated" / "model.safetensors"
    model.write_bytes(model.read_bytes()[:100])
    (root / "deep_header" / "model.safetensors").write_bytes((100000).to_bytes(8, "little") + b"[" * 100000)
    (root / "model_fifo" / "model.safetensors").unlink()
    os.mkfifo(root / "model_fifo" / "model.safetensors")
    (root / "model_folder" / "model.safetensors").unlink()
    (root / "model_folder" / "model.safetensors").mkdir()
    (root / "no_checkpoint" / "checkpoint.safetensors").unlink()
    _edit_checkpoint(root / "model_nan" / "model.safetensors",
                     lambda s: s["0.weight"].fill_(float("nan")))
    (root / "metrics_bad" / "metrics.json").write_text("{not json")
    _edit_json(root / "metrics_type" / "metrics.json", lambda d: d["test"].update(accuracy="high"))
    (root / "config_fifo" / "config.json").unlink()
    os.mkfifo(root / "config_fifo" / "config.json")
    (root / "config_deep" / "config.json").write_text("[" * 5000)
    (root / "config_not_json" / "config.json").write_text("config = 1")
    for name, edit in CONFIG_EDITS.items():
        _edit_json(root / f"config_{name}" / "config.json", edit)
    for name, edit in CHECKPOINT_EDITS.items():
        path = root / f"ckpt_{name}" / "checkpoint.safetensors"
        if edit is None:
            ember.save([1, 2, 3], path)
        else:
            _edit_checkpoint(path, edit)
    _cnn_runs(root)
    os.mkfifo(root / "fifo.csv")
    os.mkfifo(root / "fifo.json")
    (root / "dir.json").mkdir()
    (root / "empty_dir").mkdir()
    import fcntl
    holder = open(root / "locked" / ".ember-lock", "a")
    fcntl.flock(holder, fcntl.LOCK_EX | fcntl.LOCK_NB)  # another "ember train" writing there
    yield root
    holder.close()


# ---------------------------------------------------------------------------------------------
# the cases: (argv, words the one line must contain[, fault to inject])

T = ["--epochs", "1", "--quiet", "--no-plots"]
CASES = [
    # options
    (["train", "iris", "--lr", "-1"], "invalid --lr '-1'"),
    (["train", "iris", "--lr", "0"], "invalid --lr '0'"),
    (["train", "iris", "--lr", "fast"], "invalid --lr 'fast'"),
    (["train", "iris", "--lr", "nan"], "invalid --lr 'nan'"),
    (["train", "iris", "--lr", "inf"], "invalid --lr 'inf'"),
    (["train", "iris", "--lr", "1e400"], "invalid --lr '1e400'"),
    (["train", "iris", "--hidden", "0"], "invalid --hidden '0'"),
    (["train", "iris", "--hidden", "64,x"], "invalid --hidden '64,x'"),
    (["train", "iris", "--hidden", "1.5"], "invalid --hidden '1.5'"),
    (["train", "iris", "--hidden", "-4"], "invalid --hidden '-4'"),
    (["train", "iris", "--hidden", "100000000"], "GiB to train, more than"),
    (["train", "iris", "--hidden", "60000,60000"], "GiB to train, more than"),
    (["train", "iris", "--val-split", "1.5"], "invalid --val-split '1.5'"),
    (["train", "iris", "--test-split", "-0.1"], "invalid --test-split '-0.1'"),
    (["train", "iris", "--val-split", "0.5", "--test-split", "0.5"], "sum below 1"),
    (["train", "iris", "--dropout", "1"], "invalid --dropout '1'"),
    (["train", "iris", "--dropout", "x"], "invalid --dropout 'x'"),
    (["train", "iris", "--epochs", "0"], "invalid --epochs '0'"),
    (["train", "iris", "--epochs", "2.5"], "invalid --epochs '2.5'"),
    (["train", "iris", "--epochs", "1e999"], "invalid --epochs '1e999'"),
    (["train", "iris", "--batch-size", "-3"], "invalid --batch-size '-3'"),
    (["train", "iris", "--batch-size", "half"], "invalid --batch-size 'half'"),
    (["train", "iris", "--batch-size", "2.5"], "invalid --batch-size '2.5'"),
    (["train", "iris", "--optimizer", "lbfgs"], "invalid --optimizer 'lbfgs': choose one of sgd"),
    (["train", "iris", "--activation", "swish2"], "invalid --activation"),
    (["train", "iris", "--init", "he"], "invalid --init 'he'"),
    (["train", "iris", "--lr-schedule", "linear"], "invalid --lr-schedule 'linear'"),
    (["train", "iris", "--task", "ranking"], "invalid --task 'ranking'"),
    (["train", "iris", "--clip-norm", "0"], "invalid --clip-norm '0'"),
    (["train", "iris", "--clip-value", "x"], "invalid --clip-value 'x'"),
    (["train", "iris", "--seed", "-1"], "invalid --seed '-1'"),
    (["train", "iris", "--seed", "x"], "invalid --seed 'x'"),
    (["train", "iris", "--seed", str(2**64)], "in [0, 2**63 - 1]"),
    (["train", "iris", "--hidden", ",".join(["4"] * 300)], "300 hidden layers; at most 256"),
    (["train", "iris", "--weight-decay", "-1"], "invalid --weight-decay '-1'"),
    (["train", "iris", "--l1", "x"], "invalid --l1 'x'"),
    (["train", "iris", "--l2", "-0.5"], "invalid --l2 '-0.5'"),
    (["train", "iris", "--early-stopping", "-1"], "invalid --early-stopping '-1'"),
    (["train", "iris", "--momentum", "0.9"], "--momentum has no effect with --optimizer adam"),
    (["train", "iris", "--momentum", "1.5", "--optimizer", "sgd"], "invalid --momentum '1.5'"),
    (["train", "iris", "--target", "y"], "--target applies to CSV files only"),
    (["train", "iris", "--nonsense"], "unrecognized arguments: --nonsense"),
    (["train", "iris", "--lr"], "expected one argument"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["train", "iris", "--allow-data-change"], "--allow-data-change applies to --resume only"),
    (["train", "--resume", "{w}/run", "--lr", "0.1"], "only --epochs"),
    (["train", "--resume", "{w}/run", "--overwrite"], "only --epochs"),
    (["train", "--resume", "{w}/run", "--epochs", "0"], "invalid --epochs '0'"),
    # config files
    (["train", "iris", "--config", "{w}/bad_syntax.toml"], "cannot parse config file"),
    (["train", "iris", "--config", "{w}/bad_syntax.json"], "is not valid JSON"),
    (["train", "iris", "--config", "{w}/unknown_key.json"], "unknown option(s) learning_rate"),
    (["train", "iris", "--config", "{w}/list.json"], "must hold a table/object of options"),
    (["train", "iris", "--config", "{w}/deep.json"], "nests 100000 levels deep"),
    (["train", "iris", "--config", "{w}/deep.toml"], "nests too deeply"),
    (["train", "iris", "--config", "{w}/not_utf8.json"], "is not UTF-8 text"),
    (["train", "iris", "--config", "{w}/huge.json"], "larger than 1 MiB"),
    (["train", "iris", "--config", "{w}/none.toml"], "config file not found"),
    (["train", "iris", "--config", "{w}/fifo.json"], "is a FIFO (named pipe), not a config file"),
    (["train", "iris", "--config", "{w}/dir.json"], "is a folder, not a config file"),
    (["train", "iris", "--config", "{w}/dropna_string.json"], "dropna must be true or false, got 'false'"),
    (["train", "iris", "--config", "{w}/plots_string.json"], "plots must be true or false, got 'no'"),
    (["train", "iris", "--config", "{w}/hidden_floats.json"], "hidden must be a list of layer sizes"),
    (["train", "iris", "--config", "{w}/hidden_null.json"], "got None (null)"),
    (["train", "iris", "--config", "{w}/epochs_float.json"], "epochs must be an integer or null, got 2.5"),
    (["train", "iris", "--config", "{w}/lr_1e400.json"], "lr must be a finite number"),
    (["train", "iris", "--config", "{w}/lr_list.json"], "lr must be a finite number"),
    (["train", "iris", "--config", "{w}/data_number.json"], "data must be a string"),
    (["train", "iris", "--config", "{w}/target_number.json"], "target must be a string"),
    (["train", "iris", "--config", "{w}/batch_list.json"], "batch_size must be an integer or one of 'full'"),
    (["train", "iris", "--config", "{w}/seed_true.json"], "seed must be an integer, got True"),
    (["train", "iris", "--config", "{w}/optimizer_object.json"], "optimizer must be a string"),
    (["train", "iris", "--config", "{w}/activation_list.toml"], "activation must be a string"),
    (["train", "iris", "--config", "{w}/date.toml"], "seed must be an integer"),
    (["train", "iris", "--config", "{w}/dropout_string.toml"], "dropout must be a finite number, got '0.1'"),
    (["train", "iris", "--config", "{w}/value_check.json"], "invalid --dropout 1.5"),
    # data
    (["train", "{w}/nope.csv"], "file not found: "),
    (["train", "{w}/empty_dir"], "expected a CSV file, got a directory"),
    (["train", "{w}/fifo.csv"], "is a FIFO (named pipe), not a CSV file"),
    (["train", "/dev/zero"], "is a character device, not a CSV file"),
    (["train", "{w}/binary.csv"], "binary.csv' as UTF-8 text"),
    (["train", "{w}/latin1.csv"], "as UTF-8 text"),
    (["train", "{w}/empty.csv"], "empty file"),
    (["train", "{w}/blank_lines.csv"], "no header and no rows"),
    (["train", "{w}/header_only.csv"], "no data rows"),
    (["train", "{w}/ragged.csv"], "line 3 has 2 fields"),
    (["train", "{w}/too_many_fields.csv"], "line 2 has 4 fields"),
    (["train", "{w}/missing.csv"], "missing values: column 'b' in 1 row (row 2)"),
    (["train", "{w}/na_target.csv"], "column 'y' in 1 row (row 2)"),
    (["train", "{w}/one_class.csv"], "single class"),
    (["train", "{w}/typo.csv"], "column 'a' is numeric but has non-numeric values in 1 row (row 3), e.g. 'three'"),
    (["train", "{w}/duplicate_header.csv"], "duplicate column names: ['a']"),
    (["train", "{w}/only_target.csv"], "has no input columns besides the target"),
    (["train", "{w}/inf_target.csv"], "column 'y' in 1 row (row 4), e.g. 'inf'"),
    (["train", "{w}/inf_feature.csv"], "column 'b' in 1 row (row 5), e.g. '1e999'"),
    (["train", "{w}/neg_inf_feature.csv"], "e.g. '-inf'"),
    (["train", "{w}/float32_overflow.csv"], "e.g. '3.5e38'"),
    (["train", "{w}/nan_text.csv"], "e.g. '-nan'"),
    (["train", "{w}/regression_inf.csv", "--task", "regression"], "e.g. 'Infinity'"),
    (["train", "{w}/ids.csv"], "has 1500 distinct text values"),
    (["train", "{w}/few_rows.csv"], "at least 3 are needed"),
    (["train", "{w}/good.csv", "--target", "colour"], "target column 'colour' not found"),
    (["train", "{w}/good.csv", "--task", "regression"], "must be numeric for regression"),
    (["train", "mnist"], "unknown data set 'mnist'; choose one of iris, wine, breast_cancer, digits"),
    (["train", "diabetes", "--task", "classification"], "diabetes is a regression data set"),
    (["train", "{w}/good.csv"] + T, "permission denied; check the file's permissions", "eacces_read"),
    # run folders: reading
    (["info", "{w}/empty_dir"], "is not an ember run folder"),
    (["info", "{w}/no_such_run"], "is not a run folder"),
    (["info", "{w}/afile"], "is not a run folder"),
    (["evaluate", "{w}/empty_dir", "iris"], "is not an ember run folder"),
    (["predict", "{w}/corrupted", "{w}/animals.csv"], "checksum does not match"),
    (["predict", "{w}/truncated", "{w}/animals.csv"], "truncated"),
    (["predict", "{w}/deep_header", "{w}/animals.csv"], "nests 100000 levels deep"),
    (["predict", "{w}/model_fifo", "{w}/animals.csv"], "is a FIFO (named pipe), not a file"),
    (["predict", "{w}/model_nan", "{w}/animals.csv"], "the model's outputs for rows 1, 2, 3, 4, 5 and"),
    (["predict", "{w}/model_folder", "{w}/animals.csv"], "is a folder"),
    (["info", "{w}/metrics_bad"], "metrics.json is not valid JSON"),
    (["info", "{w}/metrics_type"], "test must be null or"),
    (["info", "{w}/config_fifo"], "is a FIFO (named pipe), not a run configuration"),
    (["info", "{w}/config_deep"], "nests 5000 levels deep"),
    (["info", "{w}/config_not_json"], "is not valid JSON"),
    (["predict", "{w}/config_hidden_huge", "{w}/animals.csv"], "0.weight should have shape (30000000, 5), the file holds shape (128, 5)"),
    (["info", "{w}/config_features_string"], "info.n_features must be an integer >= 1, got '3'"),
    (["info", "{w}/config_no_info"], "is not a run configuration"),
    (["info", "{w}/config_outputs_zero"], "info.n_outputs must be an integer >= 1"),
    (["info", "{w}/config_mean_short"], "does not describe"),
    (["info", "{w}/config_std_zero"], "preprocessing.std[0] must be a finite number >= 1e-30"),
    (["info", "{w}/config_task_weird"], "preprocessing.encoding.task must be one of"),
    (["info", "{w}/config_lr_auto"], "config.lr must be a finite number >= 0, got 'auto'"),
    (["info", "{w}/config_activation_bad"], "invalid --activation 'swish2'"),
    (["info", "{w}/config_dropna_string"], "config.dropna must be true or false"),
    (["info", "{w}/config_classes_one"], "encoding.classes must be null or"),
    # run folders: resuming
    (["train", "--resume", "{w}/corrupted"], "corrupted file: "),
    (["train", "--resume", "{w}/no_checkpoint"], "missing checkpoint.safetensors"),
    (["train", "--resume", "{w}/empty_dir"], "is not an ember run folder"),
    (["train", "--resume", "{w}/config_data_changed"], "changed since the run started; give --allow-data-change"),
    (["train", "--resume", "{w}/config_data_gone"], "file not found"),
    (["train", "--resume", "{w}/locked"], "another ember process is writing to"),
    (["train", "--resume", "{w}/ckpt_epoch_string"], "epoch must be an integer >= 0, got '5'"),
    (["train", "--resume", "{w}/ckpt_epoch_negative"], "epoch must be an integer >= 0, got -5"),
    (["train", "--resume", "{w}/ckpt_history_number"], "history must be an object"),
    (["train", "--resume", "{w}/ckpt_no_optimizer"], "lacks the key(s) 'optimizer'"),
    (["train", "--resume", "{w}/ckpt_wrong_shapes"], "model weights do not have the shapes"),
    (["train", "--resume", "{w}/ckpt_kind"], "kind must be one of 'ember-checkpoint'"),
    (["train", "--resume", "{w}/ckpt_history_short"], "one row per epoch"),
    (["train", "--resume", "{w}/ckpt_rng_garbage"], "does not fit this run's model and optimizer"),
    (["train", "--resume", "{w}/ckpt_loader_rng_garbage"], "does not fit this run's model and optimizer"),
    (["train", "--resume", "{w}/ckpt_best_state_shapes"], "best weights do not have the shapes"),
    (["train", "--resume", "{w}/ckpt_bad_epochs"], "contradict each other"),
    (["train", "--resume", "{w}/ckpt_no_param_groups"], "optimizer.param_groups must be a list of 1 to"),
    (["train", "--resume", "{w}/ckpt_not_a_dict"], "is not an ember training checkpoint"),
    # run folders: writing
    (["train", "iris", "--out", "{w}/run"] + T, "animals.csv, created"),
    (["train", "iris", "--out", "{w}/notes"] + T, "is not empty (it holds 'readme.txt')"),
    (["train", "iris", "--out", "{w}/afile"] + T, "exists and is not a folder"),
    (["train", "iris", "--out", "{w}/afile/run"] + T, "a part of the path is not a folder"),
    (["train", "iris", "--out", "{w}/locked", "--overwrite"] + T, "another ember process is writing to"),
    (["train", "iris", "--out", "{new}"] + T, "no space left on the device", "enospc"),
    (["train", "iris", "--out", "{new}"] + T, "permission denied", "eacces"),
    (["train", "iris", "--out", "{new}"] + T, "larger than this system allows", "fsize"),
    (["predict", "{w}/run", "{w}/animals.csv", "--out", "{new}.csv"], "no space left", "enospc"),
    (["predict", "{w}/run", "{w}/animals.csv", "--out", "{new}.csv"], "permission denied", "eacces"),
    (["predict", "{w}/run", "{w}/animals.csv", "--out", "{w}/empty_dir"], "cannot write the predictions"),
    (["predict", "{w}/run", "{w}/animals.csv", "--out", "{w}/nowhere/p.csv"], "no such file or folder"),
    (["activations", "--out", "{w}/nowhere/a.png"], "cannot write the plot"),
    (["predict", "{w}/run", "{w}/animals.csv", "--out", "{w}/run/model.safetensors"],
     "is a file of the run itself"),
    (["predict", "{w}/run", "{w}/animals.csv"], "cannot write the output (standard output)", "stdout_full"),
    (["datasets"], "cannot write the output (standard output)", "stdout_full"),
    # run folders of --model cnn
    (["info", "{w}/cnn_as_mlp"], "0.weight should have shape (128, 64), the file holds nothing"),
    (["predict", "{w}/cnn_as_lstm", "{w}/digit_rows.csv"], "1.rnn.weight_ih_l0 should have shape (512, 1)"),
    (["evaluate", "{w}/cnn_hidden_huge", "digits"], "8.weight should have shape (30000000, 1024)"),
    (["info", "{w}/cnn_features_65"], "65 features are not a side x side picture"),
    (["predict", "{w}/cnn_corrupted", "{w}/digit_rows_inf.csv"], "checksum does not match"),
    (["predict", "{w}/cnn_truncated", "{w}/digit_rows_inf.csv"], "truncated"),
    (["train", "--resume", "{w}/cnn_ckpt_shapes"], "model weights do not have the shapes"),
    (["train", "--resume", "{w}/cnn_as_mlp"], "model weights do not have the shapes"),
    (["predict", "{w}/cnn", "{w}/digit_rows_inf.csv"], "row 2), e.g. 'inf'"),
    (["predict", "{w}/cnn", "{w}/digit_rows_short.csv"], "differ from the training data's: missing ['pixel_7_7']"),
    (["evaluate", "{w}/cnn", "iris"], "different columns"),
    (["evaluate", "{w}/cnn", "{w}/digit_rows.csv"], "has no target column"),
    (["train", "--resume", "{w}/cnn", "--lr", "0.1"], "only --epochs"),
    (["train", "digits", "--model", "cnn", "--out", "{w}/cnn"] + T, "digits, created"),
    # predict and evaluate on bad data
    (["predict", "{w}/run", "{w}/other_columns.csv"],
     "other_columns.csv' differ from the training data's: missing ['legs', 'habitat'], unexpected ['colour']"),
    (["predict", "{w}/run", "{w}/missing.csv"], "missing.csv' differ from the training data's"),
    (["predict", "{w}/run", "{w}/predict_inf.csv"], "column 'weight' in 1 row (row 2), e.g. 'inf'"),
    (["predict", "{w}/run", "{w}/predict_huge.csv"], "the values of row 2 are so far outside the training data"),
    (["predict", "{w}/run", "{w}/predict_nan.csv"], "missing values: column 'weight' in 1 row (row 2)"),
    (["predict", "{w}/run", "{w}/predict_text.csv"], "column 'legs' is numeric but has non-numeric"),
    (["predict", "{w}/run", "{w}/fifo.csv"], "is a FIFO"),
    (["predict", "{w}/run", "/dev/zero"], "is a character device"),
    (["predict", "{w}/run", "{w}/header_only.csv"], "no data rows"),
    (["evaluate", "{w}/run", "{w}/nope.csv"], "file not found"),
    (["evaluate", "{w}/run", "wine"], "different columns"),
    (["evaluate", "{w}/run", "{w}/unseen_label.csv"], "labels not seen in training"),
    (["evaluate", "{w}/run", "{w}/no_target.csv"], "has no target column 'species' to evaluate against"),
    (["evaluate", "{w}/run", "{w}/header_only.csv"], "no data rows"),
]


def _argv(args, world, new):
    return [a.format(w=world, new=new) for a in args]


def _ids():
    seen, ids = {}, []
    for case in CASES:
        name = " ".join(case[0]).replace("{w}/", "").replace("{new}", "NEW") + (f" [{case[2]}]" if len(case) > 2 else "")
        seen[name] = seen.get(name, 0) + 1
        ids.append(name if seen[name] == 1 else f"{name} #{seen[name]}")
    return ids


def _check_one_line(result, expected):
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, (result.returncode, result.stdout[-500:], result.stderr[-2000:])
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("ember: error: ") and expected in lines[0], lines[0]


def test_the_table_has_at_least_100_cases():
    assert len(CASES) >= 100


@pytest.mark.parametrize("case", CASES, ids=_ids())
def test_user_error_is_one_line_status_2_and_changes_nothing(forked, world, tmp_path, case):
    args, expected, *fault = case
    inject = fault[0] if fault else None
    before = _snapshot(world)
    new = tmp_path / "new"
    result = forked(*_argv(args, world, new), cwd=tmp_path, inject=inject)
    _check_one_line(result, expected)
    assert _snapshot(world) == before, "a file of the world was changed, removed or added"


SUBPROCESS = ["train iris --lr -1", "train nope.csv", "train --resume ckpt_epoch_string",
              "predict corrupted animals.csv", "train iris --nonsense", "train inf_feature.csv",
              "train iris --config deep.json"]


@pytest.mark.parametrize("words", SUBPROCESS)
def test_user_error_as_a_python_m_ember_subprocess(cli, world, tmp_path, words):
    args = [w if w.startswith("-") or w in ("train", "predict", "iris", "-1") else f"{world}/{w}"
            for w in words.split()]
    result = cli(*args, cwd=tmp_path)
    _check_one_line(result, "")
