using Optimizer.Compiler.Build;
using Optimizer.Compiler.Linking;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler;

/// <summary>
/// Compiles an ONNX model into a <see cref="KernelProgram"/> when every node is covered by the
/// kernel set (float32, plus QDQ uint8/int8). One symbolic dimension (the batch) is allowed:
/// the graph is built for two batch sizes, every size and argument is solved as linear in the
/// batch, and a third build checks it.
/// </summary>
public static class KernelCompiler
{
    private static readonly TensorElementType[] InputTypes = ElementTypes.All.ToArray();

    /// <summary>The operators the compiler knows (nodes may still be refused for attributes, types or shapes).</summary>
    public static IReadOnlySet<string> SupportedOperators => NodeEmitter.SupportedOps;

    /// <summary>Compiles <paramref name="model"/>; <see cref="CompileResult.Unsupported"/> says why not when it cannot.</summary>
    public static CompileResult Compile(OnnxModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        var (symbol, problems) = CheckSignature(model);
        problems.AddRange(model.Graph.Nodes.Where(n => !NodeEmitter.IsSupported(n))
            .Select(n => new UnsupportedNode(GraphBuilder.NameOf(n), n.OpType,
                n.IsDefaultDomain || n.Domain == "com.microsoft" ? $"operator {n.OpType} is not in the kernel set" : $"operator domain '{n.Domain}' is not supported")));
        problems.AddRange(IfConditions.Refused(model.Graph));
        if (problems.Count > 0)
        {
            return new CompileResult(null, problems);
        }

        var batches = symbol is null ? new long[] { 1 } : [2, 3, 4];
        var builds = new List<(BuildContext, Val[])>();
        foreach (var batch in batches)
        {
            var (ctx, unsupported, outputs) = GraphBuilder.Build(model, symbol, batch);
            if (unsupported.Count > 0)
            {
                return new CompileResult(null, unsupported);
            }

            builds.Add((ctx, outputs));
        }

        try
        {
            var program = ProgramLinker.Link(model, symbol, builds);
            return new CompileResult(program, []);
        }
        catch (UnsupportedException e)
        {
            return new CompileResult(null, [new UnsupportedNode(model.Graph.Name, "Graph", e.Message)]);
        }
    }

    /// <summary>Whether the model compiles, with the reasons per node when it does not (compiles it to find out).</summary>
    public static IReadOnlyList<UnsupportedNode> CheckCoverage(OnnxModel model)
    {
        var result = Compile(model);
        result.Program?.Dispose();
        return result.Unsupported;
    }

    private static (string? Symbol, List<UnsupportedNode> Problems) CheckSignature(OnnxModel model)
    {
        var problems = new List<UnsupportedNode>();
        var symbols = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var input in model.Graph.Inputs)
        {
            if (input.Type is not { Kind: ValueKind.Tensor, Shape: { } shape } type || !InputTypes.Contains(type.ElementType))
            {
                problems.Add(new UnsupportedNode(input.Name, "Input", $"input type {input.Type?.ToString() ?? "unknown"} (float32, uint8, int8, int32, int64 or bool tensors of known rank are supported)"));
                continue;
            }

            foreach (var d in shape)
            {
                if (d.Size is null && d.Symbol is null)
                {
                    problems.Add(new UnsupportedNode(input.Name, "Input", "a dimension is unknown (neither a number nor a named symbol)"));
                }
                else if (d.Symbol is { } s)
                {
                    symbols.Add(s);
                }
            }
        }

        if (symbols.Count > 1)
        {
            problems.Add(new UnsupportedNode(model.Graph.Name, "Input", $"{symbols.Count} symbolic dimensions ({string.Join(", ", symbols)}); one (the batch) is supported"));
        }

        return (symbols.FirstOrDefault(), problems);
    }
}
