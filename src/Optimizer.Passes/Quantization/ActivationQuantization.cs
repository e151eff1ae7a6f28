using Optimizer.Passes.Calibration;

namespace Optimizer.Passes.Quantization;

/// <summary>Affine (asymmetric) 8-bit parameters for a calibrated range.</summary>
internal readonly record struct AffineParameters(float Scale, int ZeroPoint)
{
    public static AffineParameters For(TensorRange range, QuantizedActivationType type)
    {
        var (qmin, qmax) = type == QuantizedActivationType.UInt8 ? (0, 255) : (-128, 127);
        var span = range.Max - range.Min;
        if (!(span > 0))
        {
            return new AffineParameters(1f, type == QuantizedActivationType.UInt8 ? 0 : 0);
        }

        var scale = span / (qmax - qmin);
        var zeroPoint = (int)Math.Clamp(Math.Round(qmin - range.Min / scale, MidpointRounding.ToEven), qmin, qmax);
        return new AffineParameters(scale, zeroPoint);
    }
}
