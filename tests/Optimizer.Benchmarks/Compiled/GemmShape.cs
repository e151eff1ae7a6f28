namespace Optimizer.Benchmarks.Compiled;

/// <summary>A GEMM benchmark's <c>[Params]</c> shape, written <c>MxNxK</c>.</summary>
internal static class GemmShape
{
    public static (int M, int N, int K) Parse(string shape) =>
        shape.Split('x').Select(int.Parse).ToArray() is [var m, var n, var k] ? (m, n, k) : throw new FormatException($"'{shape}' is not MxNxK.");
}
