using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// The fp32 transposed convolution against a naive scatter loop: the register kernel (sums over the
/// input channels, four taps at a time, eight pixels per vector with a partial last one) with
/// groups, strides, padding, dilation, 9 taps (4 + 4 + 1) and batches 1, 5 and 64. Run it with
/// <c>DOTNET_EnableAVX512=0</c> and <c>DOTNET_EnableAVX2=0</c> (the scalar loop) as well.
/// </summary>
public sealed class ConvTransposeKernelTests
{
    [Theory]
    [InlineData(1, 24, 8, 8, 24, 2, 2, 2, 2, 0, 0, 1, 1, 1)]   // PP-OCRv4 det's 2×2/2 upsampling
    [InlineData(5, 6, 5, 11, 4, 3, 3, 2, 2, 1, 1, 1, 1, 2)]    // groups 2, 9 taps, padding, a partial vector per row, batch 5
    [InlineData(1, 3, 7, 9, 5, 3, 2, 3, 1, 0, 1, 2, 2, 1)]     // stride 3 × 1, dilation 2, asymmetric kernel
    [InlineData(64, 2, 3, 3, 2, 2, 2, 2, 2, 0, 0, 1, 1, 1)]    // batch 64 of tiny planes
    // Two wide with stride = kernel, nothing overlapping: the direct kernel (Kernels.ConvTranspose.NonOverlapping.cs).
    [InlineData(2, 24, 9, 21, 24, 2, 2, 2, 2, 0, 0, 1, 1, 1)]  // rows of 16 + 5 pixels (the scalar tail), batch 2
    [InlineData(1, 10, 6, 13, 6, 2, 2, 2, 2, 0, 0, 1, 1, 2)]   // groups 2 of 5 inputs and 3 outputs (channels one by one)
    [InlineData(1, 7, 5, 17, 9, 3, 2, 3, 2, 0, 0, 1, 1, 1)]    // a 3×2 kernel, strides 3 × 2, channels 4 + 4 + 1
    [InlineData(1, 24, 8, 16, 24, 2, 2, 2, 2, 0, 0, 1, 1, 1, false)] // no bias
    public void Fp32_conv_transpose_matches_a_naive_loop(int n, int inC, int inH, int inW, int outC, int kH, int kW,
        int strideH, int strideW, int padTop, int padLeft, int dilH, int dilW, int groups, bool withBias = true)
    {
        var outH = (inH - 1) * strideH - 2 * padTop + dilH * (kH - 1) + 1;
        var outW = (inW - 1) * strideW - 2 * padLeft + dilW * (kW - 1) + 1;
        var random = new Random(inC * 100 + inW);
        var x = Enumerable.Range(0, n * inC * inH * inW).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var outPerGroup = outC / groups;
        var w = Enumerable.Range(0, inC * outPerGroup * kH * kW).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var bias = withBias ? Enumerable.Range(0, outC).Select(_ => (float)random.NextDouble() - 0.5f).ToArray() : [];
        var y = new float[n * outC * outH * outW];
        Optimizer.Runtime.Compiled.Kernels.ConvTranspose(x, w, bias, y, n, inC, inH, inW, outC, outH, outW, groups, kH, kW,
            strideH, strideW, padTop, padLeft, dilH, dilW);

        var expected = new double[y.Length];
        var inPerGroup = inC / groups;
        for (var i = 0; i < n; i++)
        {
            for (var oc = 0; oc < outC; oc++)
            {
                for (var p = 0; p < outH * outW; p++)
                {
                    expected[(i * outC + oc) * outH * outW + p] = withBias ? bias[oc] : 0;
                }
            }

            for (var ic = 0; ic < inC; ic++)
            {
                for (var ocg = 0; ocg < outPerGroup; ocg++)
                {
                    var oc = ic / inPerGroup * outPerGroup + ocg;
                    for (var ih = 0; ih < inH; ih++)
                    for (var iw = 0; iw < inW; iw++)
                    for (var ky = 0; ky < kH; ky++)
                    for (var kx = 0; kx < kW; kx++)
                    {
                        var (oh, ow) = (ih * strideH - padTop + ky * dilH, iw * strideW - padLeft + kx * dilW);
                        if (oh >= 0 && oh < outH && ow >= 0 && ow < outW)
                        {
                            expected[((i * outC + oc) * outH + oh) * outW + ow] +=
                                x[((i * inC + ic) * inH + ih) * inW + iw] * w[((ic * outPerGroup + ocg) * kH + ky) * kW + kx];
                        }
                    }
                }
            }
        }

        for (var j = 0; j < y.Length; j++)
        {
            Assert.True(Math.Abs(y[j] - expected[j]) <= 1e-4 + 1e-4 * Math.Abs(expected[j]), $"element {j}: {y[j]} vs {expected[j]}");
        }
    }
}
