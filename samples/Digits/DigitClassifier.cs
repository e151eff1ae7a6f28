using Optimizer.Runtime;

namespace Digits;

/// <summary>The digits MLP, quantized to INT8 (dynamic) at build time.</summary>
[OnnxModel("Models/digits_mlp.onnx")]
[Quantize(QuantizationMode.DynamicInt8)]
public partial class DigitClassifier;

/// <summary>The same model with no passes: the fp32 baseline, through the same generated path.</summary>
[OnnxModel("Models/digits_mlp.onnx")]
public partial class DigitClassifierFp32;
