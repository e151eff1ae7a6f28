namespace Optimizer.Runtime;

/// <summary>How static INT8 quantization turns calibration statistics into activation ranges.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum CalibrationMethod
{
    /// <summary>The default: the range that minimizes the KL divergence between the float and quantized histograms (TensorRT's and ONNX Runtime's entropy calibration).</summary>
    Entropy,

    /// <summary>Clips each tail of the range where the percentile of all observed values is reached: the lowest and highest (100 − <see cref="QuantizeAttribute.Percentile"/>)% of values fall outside (see <see cref="QuantizeAttribute.Percentile"/>).</summary>
    Percentile,

    /// <summary>The observed minimum and maximum: no clipping, coarser steps.</summary>
    MinMax,
}
