using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>The GEMM kernels against naive loops, on shapes with ragged edges (m not a multiple of the row block, n of 16, k of 4).</summary>
public sealed class KernelTests
{
    [Theory]
    [InlineData(1, 1, 1)]
    [InlineData(5, 17, 3)]
    [InlineData(13, 33, 70)]
    [InlineData(64, 100, 257)]
    public void Fp32_gemm_matches_a_naive_product_with_bias_and_relu(int m, int n, int k)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        var a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var bias = Enumerable.Range(0, n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var packed = new float[Optimizer.Runtime.Compiled.Kernels.PackedBLength(k, n)];
        Optimizer.Runtime.Compiled.Kernels.PackB(b, packed, 1, k, n, 0, k * n);
        var c = new float[m * n];
        Optimizer.Runtime.Compiled.Kernels.Gemm(a, packed, bias, c, 1, m, n, k, 0, 0, 0, 1, 1.5f, 0, 0);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var kk = 0; kk < k; kk++)
                {
                    sum += a[i * k + kk] * b[kk * n + j];
                }

                var expected = Math.Max(0, 1.5 * sum + bias[j]);
                Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-4 + 1e-4 * Math.Abs(expected), $"({i},{j}): {c[i * n + j]} vs {expected}");
            }
        }
    }

    [Theory]
    [InlineData(1, 1, 1, 0)]
    [InlineData(5, 17, 3, 0)]
    [InlineData(13, 33, 70, 1)]
    [InlineData(64, 100, 257, 2)]
    [InlineData(1, 200, 50, 0)] // one row (a squeeze-excite conv) with a partial last quad
    [InlineData(1, 40, 64, 1)] // one row, whole quads
    [InlineData(6, 24, 50, 0)] // a 4-row tile and a 2-row one, both with the partial quad
    public void Int8_gemm_is_exact_and_requantizes_like_onnx_runtime(int m, int n, int k, int outputKind)
    {
        var random = new Random(m * 1000 + n * 10 + k);
        var a = Enumerable.Range(0, m * k).Select(_ => (byte)random.Next(256)).ToArray();
        var b = Enumerable.Range(0, n * k).Select(_ => (sbyte)random.Next(-64, 64)).ToArray();
        var bias = Enumerable.Range(0, n).Select(_ => random.Next(-5000, 5000)).ToArray();
        var scale = Enumerable.Range(0, n).Select(_ => (float)(random.NextDouble() * 1e-3)).ToArray();
        Assert.True(Optimizer.Runtime.Compiled.Kernels.Int8PairsFit(b, k, n, 1));
        var packed = new byte[Optimizer.Runtime.Compiled.Kernels.PackedInt8BLength(k, n)];
        Optimizer.Runtime.Compiled.Kernels.PackInt8B(b, packed, k, n, 1);
        var y = new byte[m * n * (outputKind == 2 ? 4 : 1)];
        Optimizer.Runtime.Compiled.Kernels.QGemm(a, packed, bias, scale, y, m, n, k, k, outputKind, 7, 0);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                var acc = bias[j];
                for (var kk = 0; kk < k; kk++)
                {
                    acc += a[i * k + kk] * b[j * k + kk];
                }

                var value = acc * scale[j];
                if (outputKind == 2)
                {
                    Assert.Equal(value, BitConverter.ToSingle(y, (i * n + j) * 4));
                    continue;
                }

                var q = Math.Clamp(MathF.Round(value) + 7, outputKind == 1 ? -128 : 0, outputKind == 1 ? 127 : 255);
                Assert.Equal(outputKind == 1 ? (byte)(sbyte)q : (byte)q, y[i * n + j]);
            }
        }
    }

    [Fact]
    public void The_selected_paths_follow_the_hardware()
    {
        var isa = KernelDispatch.Current;
        var fma = System.Runtime.Intrinsics.X86.Avx2.IsSupported && System.Runtime.Intrinsics.X86.Fma.IsSupported;
        Assert.Equal(fma && System.Runtime.Intrinsics.X86.Avx512F.IsSupported, isa.Fp32Gemm == KernelPath.Avx512F);
        Assert.Equal(fma && !System.Runtime.Intrinsics.X86.Avx512F.IsSupported, isa.Fp32Gemm == KernelPath.Avx2Fma);
        Assert.Equal(System.Runtime.Intrinsics.X86.AvxVnni.IsSupported, isa.Int8Gemm == KernelPath.AvxVnni);
    }
}
