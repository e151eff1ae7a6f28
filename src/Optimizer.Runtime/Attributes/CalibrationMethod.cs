namespace Optimizer.Runtime;

/// <summary>How static INT8 quantization turns calibration statistics into activation ranges.</summary>
public enum CalibrationMethod
{
    /// <summary>The default: the range that minimizes the KL divergence between the float and quantized histograms (TensorRT's and ONNX Runtime's entropy calibration).</summary>
    Entropy,

    /// <summary>Clips each range at a percentile of the absolute values (see <see cref="QuantizeAttribute.Percentile"/>).</summary>
    Percentile,

    /// <summary>The observed minimum and maximum: no clipping, coarser steps.</summary>
    MinMax,
}
