namespace Optimizer.Runtime;

/// <summary>How static INT8 writes the quantized model.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum QuantizationFormat
{
    /// <summary>
    /// The default: QuantizeLinear/DequantizeLinear pairs around float operators, which ONNX
    /// Runtime fuses into its quantized kernels; the portable form every backend reads.
    /// </summary>
    Qdq,

    /// <summary>
    /// The quantized operators themselves (QLinearConv, QGemm, QLinearAdd, …), as ONNX Runtime's
    /// quantize_static writes with QuantFormat.QOperator: same ONNX Runtime results, a smaller file
    /// (no bias scales, no Q/DQ pairs between quantized ops). Runs on ONNX Runtime only.
    /// </summary>
    QOperator,
}
