using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Jobs;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// The fp32 GEMM kernel on one thread per <see cref="KernelPath"/> this CPU runs: each job is a
/// process with the runtime's own switch (<c>DOTNET_EnableAVX512=0</c> gives the AVX2 tiles,
/// <c>DOTNET_EnableAVX2=0</c> the Vector128 ones), so the path is chosen as in an app. Shapes are
/// arctic_embed_xs's at 128 tokens (attention projection, FFN up and down, one head's scores Q·Kᵀ
/// with K = 32) and at 16 tokens (the projection: 6 + 6 + 4 rows), a CNN layer's im2col
/// GEMM (32 channels × 28·28 pixels × 32·3·3) and a square 512; GFLOP/s = 2·m·n·k / Mean.
/// </summary>
[Config(typeof(PathJobs))]
public class Fp32GemmPathBenchmarks
{
    private float[] _a = null!, _packed = null!, _c = null!;

    [Params("128x384x384", "128x1536x384", "128x384x1536", "128x128x32", "16x384x384", "32x784x288", "512x512x512")]
    public string Shape { get; set; } = "";

    private (int M, int N, int K) Dims => GemmShape.Parse(Shape);

    [GlobalSetup]
    public void Setup()
    {
        KernelDispatch.MaxThreads = 1;
        Console.WriteLine($"kernel paths: {KernelDispatch.Current}");
        var (m, n, k) = Dims;
        var random = new Random(5);
        _a = Enumerable.Range(0, m * k).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        _packed = new float[Kernels.PackedBLength(k, n)];
        Kernels.PackB(b, _packed, 1, k, n, 0, 0);
        _c = new float[m * n];
    }

    [Benchmark]
    public void Gemm()
    {
        var (m, n, k) = Dims;
        Kernels.Gemm(_a, _packed, [], _c, 1, m, n, k, 0, 0, 0, 0, 1f, 0f, 0f);
    }

    /// <summary>One job per path, named after it (the machine's best path is the default job).</summary>
    private sealed class PathJobs : ManualConfig
    {
        public PathJobs()
        {
            AddJob(Job.Default.WithId("Default"));
            AddJob(Job.Default.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_EnableAVX512", "0")).WithId("NoAvx512"));
            AddJob(Job.Default.WithEnvironmentVariables(new EnvironmentVariable("DOTNET_EnableAVX2", "0")).WithId("NoAvx2"));
        }
    }
}
