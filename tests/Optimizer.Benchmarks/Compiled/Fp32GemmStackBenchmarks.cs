using BenchmarkDotNet.Attributes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Benchmarks.Compiled;

/// <summary>
/// The fp32 GEMM as an encoder runs it: the 36 projections of arctic_embed_xs's six layers
/// (Q, K, V, output 384 → 384, FFN 384 → 1536 → 384) one after another, each with its own weights
/// (42 MB in all, more than the L3), so every panel comes from DRAM or L3 as in the model, unlike
/// <see cref="Fp32GemmPathBenchmarks"/> where one product's weights stay in cache. The gap between the
/// two is what the weights' prefetch (<c>Kernels.GemmAvx2.cs</c>) has to close.
/// Run: <c>dotnet run -c Release --project tests/Optimizer.Benchmarks -- --filter '*GemmStack*'</c>.
/// </summary>
public class Fp32GemmStackBenchmarks
{
    private const int Hidden = 384, Intermediate = 1536, Layers = 6;
    private readonly List<(int K, int N, float[] Packed)> _projections = [];
    private float[] _a = null!, _c = null!, _bias = null!;

    [Params(16, 128)]
    public int Tokens { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        KernelDispatch.MaxThreads = 1;
        Console.WriteLine($"kernel paths: {KernelDispatch.Current}");
        var random = new Random(5);
        float[] Values(int count) => Enumerable.Range(0, count).Select(_ => (float)random.NextDouble() - 0.5f).ToArray();
        for (var layer = 0; layer < Layers; layer++)
        {
            foreach (var (k, n) in new[] { (Hidden, Hidden), (Hidden, Hidden), (Hidden, Hidden), (Hidden, Hidden), (Hidden, Intermediate), (Intermediate, Hidden) })
            {
                var packed = new float[Kernels.PackedBLength(k, n)];
                Kernels.PackB(Values(k * n), packed, 1, k, n, 0, 0);
                _projections.Add((k, n, packed));
            }
        }

        _a = Values(Tokens * Intermediate);
        _c = new float[Tokens * Intermediate];
        _bias = Values(Intermediate);
    }

    /// <summary>All 36 products with their bias; GFLOP/s = 2 · tokens · Σ k·n / Mean (0.45 GFLOP per layer at 128 tokens).</summary>
    [Benchmark]
    public void Projections()
    {
        foreach (var (k, n, packed) in _projections)
        {
            Kernels.Gemm(_a.AsSpan(0, Tokens * k), packed, _bias.AsSpan(0, n), _c.AsSpan(0, Tokens * n), 1, Tokens, n, k, 0, 0, 0, 0, 1f, 0f, 0f);
        }
    }
}
