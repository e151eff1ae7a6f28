// How static INT8 writes the quantized graph (the Format option), as ONNX Runtime's quantize_static
// does with QuantFormat:
// - Qdq (default): float operators between QuantizeLinear/DequantizeLinear pairs. The portable form:
//   every runtime reads it, ORT fuses it into its quantized kernels, our compiled backend and the
//   accuracy budget (which reverts layers to float32 by name) work on it.
// - QOperator: the quantized operators themselves (QLinearConv, QLinearMatMul, com.microsoft QGemm,
//   QLinearAdd/Mul, QLinear(Global)AveragePool, QLinearConcat), Q/DQ only at float boundaries. Same
//   numerics in ORT (its QDQ fusion produces exactly these), smaller file: the int32 bias carries no
//   scale tensor and the Q/DQ nodes between quantized ops are gone (ch_ppocr cls: 35% → <30% of fp32).

namespace Optimizer.Passes.Quantization;

/// <summary>The operator format of a statically quantized model.</summary>
public enum QuantizationFormat
{
    /// <summary>QuantizeLinear/DequantizeLinear around float operators (ONNX Runtime fuses them).</summary>
    Qdq,

    /// <summary>Quantized operators (QLinearConv, QGemm, QLinearAdd, …); smaller files, ONNX Runtime only.</summary>
    QOperator,
}
