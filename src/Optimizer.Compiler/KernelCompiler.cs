using Optimizer.Compiler.Build;
using Optimizer.Compiler.Linking;
using Optimizer.Compiler.Shapes;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler;

/// <summary>
/// Compiles an ONNX model into a <see cref="KernelProgram"/> when every node is covered by the
/// kernel set (float32, plus QDQ uint8/int8). The graph is built at three bindings of its symbolic
/// dimensions (<see cref="BindingPlan"/>), each size traced as an expression of them
/// (<see cref="Dim"/>); the linker keeps a program only when all builds agree on every expression.
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
        if (!BlankDimensions.Any(model))
        {
            return CompileDeclared(model);
        }

        // The first naming's reasons are the ones to report: the others only merge its symbols.
        CompileResult? first = null;
        foreach (var named in BlankDimensions.Namings(model))
        {
            var result = CompileDeclared(named);
            if (result.Program is not null)
            {
                return result;
            }

            first ??= result;
        }

        return first!;
    }

    /// <summary>Compiles a model whose every input dimension is a size or a symbol.</summary>
    private static CompileResult CompileDeclared(OnnxModel model)
    {
        var (symbols, problems) = CheckSignature(model);
        problems.AddRange(WithBranches(model.Graph).Where(n => !NodeEmitter.IsSupported(n))
            .Select(n => new UnsupportedNode(GraphBuilder.NameOf(n), n.OpType,
                n.IsDefaultDomain || n.Domain == "com.microsoft" ? $"operator {n.OpType} is not in the kernel set" : $"operator domain '{n.Domain}' is not supported")));
        if (problems.Count > 0)
        {
            return new CompileResult(null, problems);
        }

        var failures = new List<IReadOnlyList<UnsupportedNode>>();
        foreach (var bindings in BindingPlan.Attempts(symbols))
        {
            var builds = new List<(BuildContext, Val[])>();
            foreach (var binding in bindings)
            {
                var (ctx, unsupported, outputs) = GraphBuilder.Build(model, binding);
                if (unsupported.Count > 0)
                {
                    failures.Add(unsupported);
                    builds = null;
                    break;
                }

                builds.Add((ctx, outputs));
            }

            if (builds is null)
            {
                continue;
            }

            try
            {
                return new CompileResult(ProgramLinker.Link(model, bindings, builds), []);
            }
            catch (UnsupportedException e)
            {
                return new CompileResult(null, [new UnsupportedNode(model.Graph.Name, "Graph", e.Message)]);
            }
        }

        // An attempt whose sizes fit the model gets as far as the operators the kernel set lacks: that
        // is the reason to report (another attempt's sizes may only have been too small for a window).
        return new CompileResult(null, failures.FirstOrDefault(f => f.Any(u => u.Reason.Contains("is not in the kernel set", StringComparison.Ordinal))) ?? failures[0]);
    }

    /// <summary>The graph's nodes and those of its If branches (compiled in place), depth first.</summary>
    private static IEnumerable<OnnxNode> WithBranches(OnnxGraph graph)
    {
        foreach (var node in graph.Nodes)
        {
            yield return node;
            if (node is { OpType: "If", IsDefaultDomain: true })
            {
                foreach (var inner in node.Attributes.Where(a => a.HasSubgraphs).SelectMany(a => a.ReadSubgraphs()).SelectMany(WithBranches))
                {
                    yield return inner;
                }
            }
        }
    }

    /// <summary>Whether the model compiles, with the reasons per node when it does not (compiles it to find out).</summary>
    public static IReadOnlyList<UnsupportedNode> CheckCoverage(OnnxModel model)
    {
        var result = Compile(model);
        result.Program?.Dispose();
        return result.Unsupported;
    }

    /// <summary>The symbolic dimensions in order of first appearance among the inputs, and the inputs the kernels cannot take.</summary>
    private static (List<string> Symbols, List<UnsupportedNode> Problems) CheckSignature(OnnxModel model)
    {
        var problems = new List<UnsupportedNode>();
        var symbols = new List<string>();
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
                else if (d.Symbol is { } s && !symbols.Contains(s))
                {
                    symbols.Add(s);
                }
            }
        }

        return (symbols, problems);
    }
}
