namespace Optimizer.Passes.Calibration;

/// <summary>How an activation's quantization range is chosen from its observed values.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum: no clipping, coarser steps when outliers exist.</summary>
    MinMax,

    /// <summary>Clips each tail at a percentile of the observed values (option <c>Percentile</c>, default 99.999).</summary>
    Percentile,

    /// <summary>The clipping threshold that minimizes the KL divergence between the observed and the quantized distribution.</summary>
    Entropy,
}
