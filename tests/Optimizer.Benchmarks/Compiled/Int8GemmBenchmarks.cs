using BenchmarkDotNet.Attributes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// The u8 × s8 → s32 GEMM kernel (requantizing to u8) on one thread, against the fp32 GEMM on
/// the same shape: GOP/s = 2·m·n·k / time. The path is the machine's (printed by the run as
/// <see cref="KernelDispatch.Current"/>).
/// </summary>
public class Int8GemmBenchmarks
{
    private byte[] _a = null!, _packed = null!, _y = null!;
    private int[] _bias = null!;
    private float[] _scale = null!, _fa = null!, _fpacked = null!, _fy = null!;

    [Params("64x1024x1024", "256x1024x1024")]
    public string Shape { get; set; } = "";

    private (int M, int N, int K) Dims => GemmShape.Parse(Shape);

    [GlobalSetup]
    public void Setup()
    {
        KernelDispatch.MaxThreads = 1;
        Console.WriteLine($"kernel paths: {KernelDispatch.Current}");
        var (m, n, k) = Dims;
        var random = new Random(3);
        _a = Enumerable.Range(0, m * k).Select(_ => (byte)random.Next(256)).ToArray();
        var b = Enumerable.Range(0, n * k).Select(_ => (sbyte)random.Next(-64, 64)).ToArray();
        _packed = new byte[Kernels.PackedInt8BLength(k, n)];
        Kernels.PackInt8B(b, _packed, k, n, 1);
        _bias = new int[n];
        _scale = Enumerable.Repeat(1e-4f, n).ToArray();
        _y = new byte[m * n];
        _fa = _a.Select(v => (float)v).ToArray();
        _fpacked = new float[Kernels.PackedBLength(k, n)];
        Kernels.PackB(b.Select(v => (float)v).ToArray(), _fpacked, 1, k, n, 1, n * k);
        _fy = new float[m * n];
    }

    [Benchmark(Baseline = true)]
    public void Fp32Gemm()
    {
        var (m, n, k) = Dims;
        Kernels.Gemm(_fa, _fpacked, [], _fy, 1, m, n, k, 0, 0, 0, 0, 1f, 0f, 0f);
    }

    [Benchmark]
    public void Int8Gemm()
    {
        var (m, n, k) = Dims;
        Kernels.QGemm(_a, _packed, _bias, _scale, _y, m, n, k, k, 0, 0, 0);
    }
}
