"""Which of torch's public names ember is not expected to have, and why.

Every public name of the checked torch modules is either present in ember, or listed here in
exactly one of three tables:

* ``OUT_OF_SCOPE``: makes no sense for a NumPy library on the CPU without convolution or
  recurrence (TorchScript, CUDA kernels, sparse and quantised tensors, complex numbers, …).
* ``OWNED``: in scope, but another issue adds it (convolution and images: issue 15; sequences:
  issue 16; distributed training: issue 17). Those issues move names from here to ember.
* ``TODO``: in scope, not there yet. The coverage figures count these as missing, and the test
  fails when one of them appears in ember, so the list stays true.

Names are grouped by reason; the reason is the dict key.
"""
from api_signatures import scope_names


OUT_OF_SCOPE = {
    "torch": {
        "ATen's embedding_bag kernel: three bookkeeping outputs (offset2bag, bag_size, "
        "max_indices) whose contents depend on the mode; F.embedding_bag and nn.EmbeddingBag "
        "are the public forms": "embedding_bag",
        "TorchScript, torch.jit, torch.export and compiler internals (ember runs eagerly)": """
            AliasDb AnyType Argument ArgumentSpec AwaitType Block BoolType CallStack Capsule
            ClassType Code CompilationUnit CompleteArgumentSpec ComplexType ConcreteModuleType
            ConcreteModuleTypeBuilder DeepCopyMemoTable DeviceObjType DictType EnumType ErrorReport
            ExecutionPlan FileCheck FloatType FunctionSchema Future FutureType Gradient Graph
            GraphExecutorState IODescriptor InferredType IntType InterfaceType JITException ListType
            LiteScriptModule LockingLogger Node NoneType NoopLogger NumberType OperatorInfo
            OptionalType PyObjectType RRefType ScriptClass ScriptClassFunction ScriptDict
            ScriptDictIterator ScriptDictKeyIterator ScriptFunction ScriptList ScriptListIterator
            ScriptMethod ScriptModule ScriptModuleSerializer ScriptObject ScriptObjectProperty
            StaticModule StreamObjType StringType SymBoolType SymIntType Tag TensorType TracingState
            TupleType Type UnionType Use Value ModuleDict ParameterDict BufferDict
            import_ir_module import_ir_module_from_buffer merge_type_from_type_comment parse_ir
            parse_schema parse_type_comment unify_type_list fork wait export cond cpp
            SymBool SymFloat SymInt sym_constrain_range sym_constrain_range_for_size sym_float
            sym_fresh_size sym_int sym_ite sym_max sym_min sym_not sym_sqrt sym_sum
            DisableTorchFunction DisableTorchFunctionSubclass DispatchKey DispatchKeySet
            ExcludeDispatchKeyGuard AggregationType AVG SUM BenchmarkConfig
            BenchmarkExecutionStats ThroughputBenchmark FatalError""",
        "storage objects and torch's file format (ember saves safetensors, never pickles)": """
            BoolStorage ByteStorage CharStorage DoubleStorage FloatStorage IntStorage LongStorage
            ShortStorage TypedStorage UntypedStorage PyTorchFileReader PyTorchFileWriter
            SerializationStorageContext DeserializationStorageContext from_file""",
        "device streams and events (CUDA/accelerator scheduling)": "Stream Event",
        "CUDA, cuDNN, MIOpen, MKL-DNN and FBGEMM kernels with a public name": """
            cudnn_affine_grid_generator cudnn_batch_norm cudnn_convolution
            cudnn_convolution_add_relu cudnn_convolution_relu cudnn_convolution_transpose
            cudnn_grid_sampler cudnn_is_acceptable miopen_batch_norm miopen_convolution
            miopen_convolution_add_relu miopen_convolution_relu miopen_convolution_transpose
            miopen_ctc_loss miopen_depthwise_convolution miopen_rnn mkldnn_adaptive_avg_pool2d
            mkldnn_convolution mkldnn_linear_backward_weights mkldnn_max_pool2d mkldnn_max_pool3d
            mkldnn_rnn_layer fbgemm_linear_fp16_weight fbgemm_linear_fp16_weight_fp32_activation
            fbgemm_linear_int8_weight fbgemm_linear_int8_weight_fp32_activation
            fbgemm_linear_quantize_weight fbgemm_pack_gemm_matrix_fp16 fbgemm_pack_quantized_matrix""",
        "ATen internals exposed under torch (native_* kernels, batch-norm statistics of SyncBatchNorm)": """
            native_batch_norm native_dropout native_group_norm
            native_layer_norm native_norm norm_except_dim batch_norm_backward_elemt
            batch_norm_backward_reduce batch_norm_elemt batch_norm_gather_stats
            batch_norm_gather_stats_with_counts batch_norm_stats batch_norm_update_stats
            slice_inverse hash_tensor empty_permuted""",
        "mixed-precision internals (ember's autocast is disabled: NumPy has no bfloat16)": """
            autocast_decrement_nesting autocast_increment_nesting clear_autocast_cache
            get_autocast_cpu_dtype get_autocast_dtype get_autocast_gpu_dtype
            get_autocast_ipu_dtype get_autocast_xla_dtype is_autocast_cache_enabled
            is_autocast_cpu_enabled is_autocast_enabled is_autocast_ipu_enabled
            is_autocast_xla_enabled set_autocast_cache_enabled set_autocast_cpu_dtype
            set_autocast_cpu_enabled set_autocast_dtype set_autocast_enabled set_autocast_gpu_dtype
            set_autocast_ipu_dtype set_autocast_ipu_enabled set_autocast_xla_dtype
            set_autocast_xla_enabled""",
        "dtypes NumPy does not have (bfloat16, float8/float4, sub-byte and shell integer types)": """
            bfloat16 float4_e2m1fn_x2 float8_e4m3fn float8_e4m3fnuz float8_e5m2 float8_e5m2fnuz
            float8_e8m0fnu int1 int2 int3 int4 int5 int6 int7 uint1 uint2 uint3 uint4 uint5 uint6
            uint7 uint16 uint32 uint64 bit bits16 bits1x8 bits2x4 bits4x2 bits8""",
        "complex numbers (ember's tensors are real)": """
            complex complex32 complex64 complex128 cfloat cdouble chalf polar view_as_complex
            view_as_complex_copy view_as_real view_as_real_copy""",
        "sparse tensors and their kernels": """
            sparse_bsc_tensor sparse_bsr_tensor sparse_compressed_tensor sparse_coo_tensor
            sparse_csc_tensor sparse_csr_tensor dsmm hsmm hspmm saddmm smm spmm sspaddmm
            ccol_indices_copy col_indices_copy crow_indices_copy row_indices_copy indices_copy
            values_copy resize_as_sparse_""",
        "quantised tensors": """
            dequantize empty_quantized fake_quantize_per_channel_affine
            fake_quantize_per_tensor_affine fused_moving_avg_obs_fake_quant choose_qparams_optimized
            int_repr q_per_channel_axis q_per_channel_scales q_per_channel_zero_points q_scale
            q_zero_point qint32 qint8 quint2x4 quint4x2 quint8 qscheme quantize_per_channel
            quantize_per_tensor quantize_per_tensor_dynamic quantized_batch_norm quantized_gru_cell
            quantized_lstm_cell quantized_max_pool1d quantized_max_pool2d quantized_max_pool3d
            quantized_rnn_relu_cell quantized_rnn_tanh_cell""",
        "short-time Fourier transforms (complex output)": "stft istft",
        "DataLoader worker internals": "thread_safe_generator",
    },
    "torch.Tensor": {
        "storage, pointers and memory pinning of the C++ tensor": """
            storage storage_type untyped_storage const_data_ptr set_ is_set_to record_stream
            module_load grad_dtype""",
        "devices ember does not have": "ipu mtia xpu to_mkldnn",
        "sparse tensors": """
            ccol_indices coalesce col_indices crow_indices dense_dim indices is_coalesced
            row_indices smm sparse_dim sparse_mask sparse_resize_ sparse_resize_and_clear_ sspaddmm
            to_sparse to_sparse_bsc to_sparse_bsr to_sparse_coo to_sparse_csc to_sparse_csr values
            resize_as_sparse_""",
        "quantised tensors": """
            dequantize int_repr q_per_channel_axis q_per_channel_scales q_per_channel_zero_points
            q_scale q_zero_point qscheme""",
        "complex numbers and dtypes NumPy does not have": "bfloat16 cdouble cfloat chalf",
        "nested tensors": "to_padded_tensor",
        "short-time Fourier transforms (complex output)": "stft istft",
        "removed from torch long ago (they raise when called there)": "reinforce eig symeig lstsq solve",
        "ATen internals": "slice_inverse hash_tensor index",
    },
    "torch.nn": {
        "submodules that are quantisation or fused-kernel namespaces": """
            intrinsic qat quantizable quantized""",
        "lazy modules (shape inference on first call): their parameters are a torch prototype": """
            LazyLinear UninitializedBuffer UninitializedParameter""",
        "helper modules of torch.nn that are not API (type aliases, the gradient of conv)": """
            common_types factory_kwargs grad attention""",
    },
    "torch.nn.functional": {
        "names torch.nn.functional imports for itself (typing, modules, docs)": """
            BroadcastingList1 BroadcastingList2 BroadcastingList3 Callable DType Optional
            TYPE_CHECKING Tensor dataclasses importlib math np torch warnings grad
            reproducibility_notes sparse_support_notes tf32_notes boolean_dispatch
            assert_int_or_pair handle_torch_function has_torch_function has_torch_function_unary
            has_torch_function_variadic GRID_SAMPLE_INTERPOLATION_MODES GRID_SAMPLE_PADDING_MODES""",
        "CUDA-only grouped and scaled matrix products (float8)": """
            grouped_mm scaled_mm scaled_grouped_mm ScalingType SwizzleType""",
    },
    "torch.utils.data": {
        "DataPipes (torchdata's deprecated API)": """
            DFIterDataPipe DataChunk IterDataPipe MapDataPipe argument_validation
            functional_datapipe guaranteed_datapipes_determinism non_deterministic
            runtime_validation runtime_validation_disabled""",
        "private": "_DatasetKind",
    },
    "torch.linalg": {
        "complex-valued results (the general eigen-decomposition)": "eig eigvals",
        "a documentation string, not a function": "common_notes",
    },
    "torch.utils.checkpoint": {
        "selective activation checkpointing: policies over torch's dispatcher ops (ember's ops "
        "are Python Functions without a dispatcher to intercept)": """
            CheckpointPolicy SelectiveCheckpointContext create_selective_checkpoint_contexts
            SAC_IGNORED_OPS""",
        "sharing one recomputation between several backward calls of torch's non-reentrant "
        "engine (ember recomputes per backward)": "GraphExecGroup",
    },
    "torch.nn.utils.prune": {
        "the torch package itself, imported by the module (it has no __all__)": "torch",
    },
    "torch.autograd": {
        "legacy autograd.Function form removed from torch's docs": "NestedIOFunction",
        "second derivatives (ember's backward builds no graph: create_graph=True is refused)":
            "gradgradcheck",
    },
}

OWNED = {}  # issue 15's names are all present now

TODO = {}  # every name in scope is present (torch.distributions: all 67 names)

# torch accepts these parameters, ember deliberately does not (or calls them otherwise)
SIGNATURE_EXCEPTIONS = {
    ("torch", "add"): "torch.add(x, 2, 3): the Scalar overload's positional alpha is not "
                      "reachable from Python; alpha is keyword-only",
    ("torch", "sub"): "as add",
    ("torch", "subtract"): "as add",
    ("torch.Tensor", "add"): "as torch.add",
    ("torch.Tensor", "add_"): "as torch.add",
    ("torch.Tensor", "sub"): "as torch.add",
    ("torch.Tensor", "sub_"): "as torch.add",
    ("torch.Tensor", "subtract"): "as torch.add",
    ("torch.Tensor", "subtract_"): "as torch.add",
    ("torch", "save"): "ember.save writes safetensors + JSON: no pickle_module/pickle_protocol",
    ("torch", "load"): "ember.load reads safetensors + JSON: no pickle_module; weights_only is "
                       "always true",
    ("torch.Tensor", "uniform_"): "'from' is a Python keyword: ember names the bounds a, b",
    ("torch.Tensor", "expand"): "implicit is an internal flag of torch's tracer",
    ("torch.Tensor", "copy_"): "copy_(other=…): a TorchScript overload, not torch's Python one",
    ("torch", "result_type"): "scalar/scalar1/scalar2: the keyword names of torch's Number "
                              "overloads; ember takes (tensor, other) for every combination",
    ("torch", "isin"): "element/test_element: the keyword names of torch's Scalar overloads",
    ("torch", "asarray"): "requires_grad defaults to False, as torch's documentation says (the "
                          "schema records None)",
    ("torch", "histogramdd"): "range/weight/density keyword-only, as torch documents them",
    ("torch", "nuclear_norm"): "torch's deprecated (input, keepdim) overload: ember takes "
                               "(input, dim=None, keepdim=False), which covers both",
    ("torch.Tensor", "nuclear_norm"): "as torch.nuclear_norm",
    ("torch.nn.functional", "fractional_max_pool2d"): "a boolean_dispatch wrapper without a "
        "signature, so ATen's (self, kernel_size, output_size, random_samples) is read; ember "
        "takes the Python function's (kernel_size, output_size, output_ratio, return_indices, "
        "_random_samples), as fractional_max_pool2d_with_indices shows it",
    ("torch.nn.functional", "fractional_max_pool3d"): "as fractional_max_pool2d",
}

# torch classes whose ember counterpart lives under another module path (code that checks
# type(x).__module__ sees this difference)
MODULE_EXCEPTIONS = {
    "MultiheadAttention": "torch keeps it in torch.nn.modules.activation; issue 16 put ember's in "
                          "ember.nn.modules.attention",
    "Generator": "torch._C's C++ class; ember's lives in ember.random",
    "LinAlgError": "torch._C's exception class; ember's lives in ember.linalg",
    "autocast": "torch.amp.autocast_mode: ember's amp is one module, ember.amp",
    "GradScaler": "torch.amp.grad_scaler: ember's amp is one module, ember.amp",
}

names = scope_names  # {name: reason} for a module in one of the tables above
