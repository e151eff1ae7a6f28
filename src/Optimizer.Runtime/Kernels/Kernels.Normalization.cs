using System.Numerics.Tensors;

namespace Optimizer.Runtime.Compiled;

public static partial class Kernels
{
    /// <summary>
    /// LayerNormalization over the last <paramref name="cols"/> elements of each of
    /// <paramref name="rows"/> rows: <c>(x − mean) / √(var + ε) · scale + bias</c> (bias may be empty;
    /// scale and bias hold <paramref name="cols"/> floats). Each row's mean and 1/√(var + ε) go to
    /// <paramref name="mean"/> and <paramref name="invStdDev"/> when they are not empty (ONNX's optional outputs).
    /// </summary>
    public static void LayerNorm(ReadOnlySpan<float> x, ReadOnlySpan<float> scale, ReadOnlySpan<float> bias, Span<float> y, Span<float> mean, Span<float> invStdDev,
        int rows, int cols, float epsilon)
    {
        scale = scale.Slice(0, cols);
        for (var r = 0; r < rows; r++)
        {
            var src = x.Slice(r * cols, cols);
            var dst = y.Slice(r * cols, cols);
            var average = TensorPrimitives.Sum(src) / cols;
            TensorPrimitives.Subtract(src, average, dst);
            var variance = TensorPrimitives.SumOfSquares(dst) / cols;
            var inverse = 1f / MathF.Sqrt(variance + epsilon);
            TensorPrimitives.Multiply(dst, inverse, dst);
            if (!mean.IsEmpty)
            {
                mean[r] = average;
            }

            if (!invStdDev.IsEmpty)
            {
                invStdDev[r] = inverse;
            }

            if (bias.IsEmpty)
            {
                TensorPrimitives.Multiply(dst, scale, dst);
            }
            else
            {
                TensorPrimitives.FusedMultiplyAdd(dst, scale, bias.Slice(0, cols), dst);
            }
        }
    }
}
