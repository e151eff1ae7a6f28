namespace Optimizer.Runtime;

/// <summary>How static INT8 quantization turns calibration statistics into activation ranges.</summary>
#if OPTIMIZER_SCHEMA_COPY
internal
#else
public
#endif
enum CalibrationMethod
{
    /// <summary>
    /// The default: <see cref="MinMax"/> for models with attention (a Softmax over the product of two
    /// run-time values: transformer encoders, whose rare large activations carry signal that clipping
    /// destroys: arctic_embed_xs keeps a pooled cosine of 0.984 with MinMax, 0.943 with Entropy), and
    /// <see cref="Entropy"/> for every other model.
    /// </summary>
    Auto,

    /// <summary>The range that minimizes the KL divergence between the float and quantized histograms (TensorRT's and ONNX Runtime's entropy calibration).</summary>
    Entropy,

    /// <summary>Clips each tail of the range where the percentile of all observed values is reached: the lowest and highest (100 − <see cref="QuantizeAttribute.Percentile"/>)% of values fall outside (see <see cref="QuantizeAttribute.Percentile"/>).</summary>
    Percentile,

    /// <summary>The observed minimum and maximum: no clipping, coarser steps.</summary>
    MinMax,
}
