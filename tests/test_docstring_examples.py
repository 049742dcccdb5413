"""The Examples in the engine's docstrings run and print what they claim."""
import doctest
import importlib

import pytest

import ember

# ember.Tensor, like torch.Tensor, reports its module as "ember": its examples run with "ember"'s
MODULES = ["ember", "ember.autograd", "ember._creation", "ember._dtype", "ember.random", "ember.autograd.function",
           "ember.autograd.custom_function", "ember.autograd.differentiate", "ember.autograd.functional",
           "ember.autograd.grad_mode", "ember.autograd.gradcheck", "ember.ops.elementwise",
           "ember.ops.reduction", "ember.ops.shape", "ember.ops.linalg", "ember.ops.activation",
           "ember.ops.sorting", "ember.ops.dropout", "ember.ops.normalization", "ember.ops.loss",
           "ember.ops.conv", "ember.ops.pooling", "ember.ops.resample", "ember.ops.padding",
           "ember.ops._sliding", "ember.ops._workspace", "ember.ops.linalg_factor", "ember.linalg",
           "ember.ops.recurrent", "ember.ops.recurrent_gru", "ember.ops.attention",
           "ember.ops.embedding", "ember.ops.linalg_lstsq", "ember.ops.linalg_ldl",
           "ember.ops.lobpcg", "ember.keras.ops.einops", "ember.keras.ops.vectorize",
           "ember.ops.ctc", "ember.nn.functional.ctc",
           "ember.nn.functional.embedding", "ember.keras.layers.dot_attention",
           "ember.nn.modules.adaptive", "ember._kernel_aliases",
           "ember.keras.layers.reshaping_nd", "ember.keras.layers.rnn_base",
           "ember.keras.layers.einsum_dense", "ember.keras.callbacks.swap_ema",
           "ember.keras.optimizers.wrappers", "ember.onnx.op_trace", "ember.onnx.op_math", "ember.onnx.op_logic",
           "ember.onnx.op_shape", "ember.onnx.op_layers"]
MODULES += ["ember.keras.ops.image", "ember.keras.ops.image_core", "ember.keras.ops.image_extra",
            "ember.ops.sampling", "ember.nn.functional.sampling",
            "ember.keras.layers.image_preprocessing", "ember.keras.layers.image_augmentation"]
MODULES += ["ember.keras.layers.spectral_normalization", "ember.keras.layers.pipeline",
            "ember.keras.layers.node", "ember.nn.modules.sync_batchnorm",
            "ember.keras.layers.group_query_attention", "ember.keras.layers.conv_lstm"]
MODULES += ["ember.nn.utils.parametrize", "ember.nn.utils.parametrizations",
            "ember.nn.utils.weight_norm", "ember.nn.utils.spectral_norm", "ember.nn.utils.fusion",
            "ember.nn.utils.init", "ember.nn.utils.memory_format", "ember.nn.utils.stateless",
            "ember.nn.utils.prune", "ember.utils.checkpoint", "ember.func"]
MODULES += ["ember.keras.optimizers.muon", "ember.optim.muon", "ember.keras.layers.symbolic_ops"]
MODULES += ["ember.optim.swa_utils", "ember.ops.recompute", "ember.ops.backward_hook"]
MODULES += ["ember.nn.backward_hooks", "ember.nn.module_state", "ember.nn.module_tools",
            "ember.optim.optimizer_hooks", "ember.nn.global_hooks"]
MODULES += ["ember.keras.layers.layer_weights", "ember.keras.layers.keras_op_specs"]
DISTRIBUTIONS = ["distribution", "exp_family", "constraints", "utils", "kl", "normal", "categorical",
                 "bernoulli", "uniform", "transforms", "_transform_base", "_transform_pointwise",
                 "transformed_distribution", "independent", "multivariate_normal",
                 "one_hot_categorical", "exponential", "laplace", "cauchy", "poisson", "geometric",
                 "binomial", "log_normal", "half_normal", "gumbel", "_kl_forms", "gamma",
                 "dirichlet", "beta", "chi2", "studentT", "_kl_gamma_forms", "relaxed_bernoulli",
                 "relaxed_categorical", "mixture_same_family", "lowrank_multivariate_normal",
                 "half_cauchy", "pareto", "weibull", "inverse_gamma", "kumaraswamy",
                 "fishersnedecor", "negative_binomial", "multinomial", "_kl_pareto_forms",
                 "_transform_structured", "constraint_registry", "logistic_normal",
                 "generalized_pareto", "continuous_bernoulli", "von_mises", "lkj_cholesky",
                 "wishart"]
MODULES += ["ember.ops.random_gamma"]
MODULES += ["ember.distributions"] + [f"ember.distributions.{m}" for m in DISTRIBUTIONS]
MODULES += ["ember.special", "ember.ops.special_functions", "ember.ops.bessel",
            "ember.ops.orthogonal_polynomials", "ember.ops.incomplete_gamma"]


@pytest.mark.parametrize("name", MODULES)
def test_docstring_examples(name):
    module = importlib.import_module(name)
    finder = doctest.DocTestFinder(exclude_empty=True)
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    for test in finder.find(module, name, globs={"ember": ember}):
        if test.name.startswith(name) and test.examples:
            ember.manual_seed(0)
            runner.run(test)
    assert runner.tries > 0 and runner.failures == 0  # a module without examples tests nothing
