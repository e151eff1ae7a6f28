using Optimizer.Runtime;

namespace SemanticSearch;

/// <summary>
/// The arctic-embed-xs sentence encoder, quantized to INT8 (dynamic) at build time. The build checks
/// it on the tokenized sentences in Data/validation.npz and fails if any sentence's mean-pooled
/// embedding drifts below cosine 0.99 from the original's.
/// </summary>
[OnnxModel("Models/arctic_embed_xs.onnx")]
[Quantize(QuantizationMode.DynamicInt8)]
[AccuracyBudget(MinCosine = 0.99, Validation = "Data/validation.npz")]
public partial class Encoder;

/// <summary>The same model with no passes: the fp32 baseline, through the same generated path.</summary>
[OnnxModel("Models/arctic_embed_xs.onnx")]
public partial class EncoderFp32;
