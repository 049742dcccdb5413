"""Which of Keras 3's public names ember.keras is not expected to have, and why.

Every public name of the checked Keras modules is either present in ember.keras, or listed here in
exactly one of three tables (as ``torch_scope.py`` does for torch):

* ``OUT_OF_SCOPE``: makes no sense for ember (TPU/JAX/TensorFlow machinery, complex numbers and
  signal processing, string preprocessing, image augmentation, quantisation, pretrained models…).
* ``OWNED``: in scope, but another issue adds it (the functional API, Model and constraints:
  issue 14; convolution and images: issue 15; sequences and attention: issue 16; distributed
  training: issue 17; export and adapters: issue 18; TensorBoard, CSVLogger and BackupAndRestore:
  issue 19; optimizers: the optimizer work of issue 13). Those issues move names from here.
* ``TODO``: in scope, not there yet. The test fails when one of them appears in ember.keras, so
  the list stays true.

Names are grouped by reason; the reason is the dict key.
"""
from api_signatures import scope_names


OUT_OF_SCOPE = {
    "keras": {
        "other backends' machinery: JAX/TF tracing scopes, rematerialisation, dtype policies and "
        "mixed precision (ember computes eagerly in float32)": """
            DTypePolicy FloatDTypePolicy dtype_policies mixed_precision RematScope remat
            StatelessScope SymbolicScope Function Operation src tree""",
        "quantisation and distillation": "Quantizer quantizers distillation",
        "TensorFlow SavedModel archives (keras.export.ExportArchive needs TensorFlow; ONNX export "
        "is Model.export(format='onnx'))": "export",
        "pretrained applications, dataset downloads, legacy and TF preprocessing modules, "
        "visualisation of bounding boxes": """
            applications datasets legacy preprocessing visualization""",
    },
    "keras.layers": {
        "image augmentation and image processing (pipelines of tf.image-style transforms)": """
            AugMix AutoContrast ContrastLimitedAdaptiveHistogramEqualization CutMix Equalization
            MaxNumBoundingBoxes MixUp RandAugment RandomColorDegeneration RandomColorJitter
            RandomElasticTransform RandomErasing RandomGaussianBlur RandomGrayscale RandomHue
            RandomInvert RandomPerspective RandomPosterization RandomSaturation RandomSharpness
            RandomShear Solarization""",
        "string and hashing preprocessing (vocabularies of strings, farmhash)": """
            HashedCrossing Hashing IntegerLookup StringLookup TextVectorization""",
        "audio spectrograms (complex FFTs)": "MelSpectrogram STFTSpectrogram",
        "layers that wrap other frameworks (JAX/Flax, TensorFlow SavedModel, torch modules)":
            "FlaxLayer JaxLayer TFSMLayer TorchModuleWrapper",
    },
    "keras.losses": {
        "CTC needs a CTC op (speech/OCR alignment), not in ember's engine": "CTC ctc",
    },
    "keras.callbacks": {
        "Orbax checkpoints are JAX's format": "OrbaxCheckpoint",
    },
    "keras.optimizers": {
        "the legacy (Keras 2) optimizer module": "legacy",
    },
    "keras.ops": {
        "complex numbers and Fourier transforms (ember has no complex dtype)": """
            angle conj conjugate fft fft2 ifft2 imag irfft istft polar real rfft stft
            view_as_complex view_as_real""",
        "the general eigen-decomposition (complex eigenvalues; ember has no complex dtype)": "eig",
        "forward-mode differentiation (ember's autograd is reverse mode)": "jvp",
        "CTC loss and decoding (no CTC op in the engine)": "ctc_decode ctc_loss",
    },
    "keras.utils": {
        "file and image I/O, downloads and dataset builders that return tf.data (TensorFlow)": """
            array_to_img audio_dataset_from_directory get_file image_dataset_from_directory
            img_to_array load_img save_img text_dataset_from_directory
            timeseries_dataset_from_array FeatureSpace bounding_boxes legacy""",
        "model plots through pydot/graphviz": "model_to_dot plot_model",
    },
    "keras.initializers": {
        "STFT initializers (complex Fourier bases)": "STFT STFTInitializer stft",
    },
}

OWNED = {}  # every in-scope name is present

TODO = {}

# Names present in both whose parameters differ, with the reason (or the issue that fixes them).
SIGNATURE_EXCEPTIONS = {
    ("keras", "Input"): "issue 14: Input(ragged=...) and optional=; the symbolic Input is the "
                        "functional API's",
    ("keras.layers", "Input"): "as keras.Input",
    ("keras", "KerasTensor"): "issue 14: the symbolic tensor's constructor is internal",
    ("keras.layers", "InputLayer"): "issue 14: positional order of the functional API's InputLayer",
    ("keras.layers", "BatchNormalization"): "issue 14: Keras 2's renorm arguments",
    **{("keras.layers", n): "issue 16: recurrent layers' positional order"
       for n in ("GRU", "GRUCell", "LSTM", "LSTMCell", "SimpleRNN", "SimpleRNNCell")},
    ("keras.utils", "deserialize_keras_object"): "issue 14: the saving module's signature",
    **{("keras.initializers", n): "Keras's Initializer takes no arguments but reports *args"
       for n in ("Initializer", "Ones", "Zeros", "ones", "zeros")},
    ("keras", "Initializer"): "as keras.initializers.Initializer",
}

names = scope_names  # {name: reason} for a module in one of the tables above
