using Optimizer.Compiler;
using Optimizer.Onnx;
using Optimizer.Passes.Data;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Engine.Benchmarking;

/// <summary>
/// A model's kernel program for timing its compiled path, or why it has none: the nodes the
/// compiler refused (the operators the kernel set lacks, as the compiler says), or the timed
/// shapes the program does not take.
/// </summary>
internal sealed class CompiledForTiming
{
    /// <summary>Reasons shown at most: a model of unsupported operators can have hundreds of nodes.</summary>
    private const int MaxReasons = 3;

    private CompiledForTiming(byte[]? program, string? whyNot, IReadOnlyList<string>? refusedOperators = null)
    {
        Program = program;
        WhyNot = whyNot;
        RefusedOperators = refusedOperators ?? [];
    }

    /// <summary>The program's bytes (<see cref="KernelProgram.ToBytes()"/>); null when <see cref="WhyNot"/> says why not.</summary>
    public byte[]? Program { get; }

    /// <summary>Why the model has no compiled row, e.g. <c>does not compile: top (TopK): operator TopK is not in the kernel set</c>.</summary>
    public string? WhyNot { get; }

    /// <summary>The operators of the nodes the compiler refused, sorted (<c>Graph</c> for a whole-graph reason).</summary>
    public IReadOnlyList<string> RefusedOperators { get; }

    /// <summary>Compiles <paramref name="model"/> (what the build does with the optimized model) and checks it can run at <paramref name="feeds"/>.</summary>
    public static CompiledForTiming Compile(OnnxModel model, IReadOnlyList<Feed> feeds)
    {
        CompileResult result;
        try
        {
            result = KernelCompiler.Compile(model);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // As in the build: a compiler defect leaves the model on ONNX Runtime, it does not stop the bench.
            return new CompiledForTiming(null, $"does not compile: the kernel compiler failed: {e.GetType().Name}: {e.Message}");
        }

        using var program = result.Program;
        if (program is null)
        {
            var operators = result.Unsupported.Select(u => u.OpType).Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal).ToList();
            return new CompiledForTiming(null, "does not compile: " + Describe(result.Unsupported), operators);
        }

        if (TimedProgram.Refusal(program, feeds) is { } refusal)
            return new CompiledForTiming(null, "compiles, but its kernels cannot run the timed inputs: " + refusal);
        return new CompiledForTiming(program.ToBytes(), null);
    }

    /// <summary>The compiler's reasons, e.g. <c>top (TopK): operator TopK is not in the kernel set</c>, at most <see cref="MaxReasons"/> of them.</summary>
    private static string Describe(IReadOnlyList<UnsupportedNode> unsupported)
    {
        var reasons = unsupported.Select(u => u.ToString()).Distinct(StringComparer.Ordinal).ToList();
        return string.Join("; ", reasons.Take(MaxReasons)) + (reasons.Count > MaxReasons ? $"; and {reasons.Count - MaxReasons} more" : "");
    }
}
