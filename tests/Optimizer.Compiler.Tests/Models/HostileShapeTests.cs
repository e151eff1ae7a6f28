using System.Diagnostics;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// Shapes no kernel can address (counts that wrap a long, more elements than an int indexes)
/// are reported as not compiled, never wrapped into a small arena or thrown out of the compiler;
/// and a long chain compiles in time linear in its length.
/// </summary>
public sealed class HostileShapeTests
{
    private const long TwoTo32 = 1L << 32;

    [Fact]
    public void An_input_whose_element_count_wraps_a_long_is_not_compiled()
    {
        var model = Chain([TwoTo32, TwoTo32], 1);

        var result = KernelCompiler.Compile(model);

        Assert.Null(result.Program);
        var reason = Assert.Single(result.Unsupported);
        Assert.Equal("Input", reason.OpType);
        Assert.Contains("cannot address", reason.Reason);
    }

    [Fact]
    public void A_reshape_to_more_elements_than_an_int_indexes_is_not_compiled()
    {
        var model = Chain([1, 16], 1);
        model.Graph.Initializers.Add(OnnxTensor.FromInt64s("huge", [3], [1L << 31, 1L << 31, 0]));
        model.Graph.Nodes.Add(new OnnxNode("Reshape", ["y", "huge"], ["z"], "reshape"));
        model.Graph.Outputs[0] = new ValueInfo("z", ValueTypeInfo.Tensor(TensorElementType.Float, null));

        var result = KernelCompiler.Compile(model);

        Assert.Null(result.Program);
        Assert.Contains(result.Unsupported, u => u.OpType == "Reshape");
    }

    [Fact]
    public void A_100k_node_chain_compiles_and_reuses_its_arena()
    {
        const int length = 100_000;
        var model = Chain([1, 16], length);
        var stopwatch = Stopwatch.StartNew();

        var result = KernelCompiler.Compile(model);

        Assert.True(stopwatch.Elapsed < TimeSpan.FromSeconds(150), $"compiling {length:N0} nodes took {stopwatch.Elapsed.TotalSeconds:F0} s: a step is no longer linear");
        using var program = result.Program;
        Assert.NotNull(program);
        Assert.Equal(length, program.Steps.Count);
        var arena = ProgramLayout.For(program, []).ArenaBytes;
        Assert.True(arena <= 4096, $"arena of {arena} bytes: dead values' bytes are not reused");
    }

    /// <summary>x → Relu → Neg → Relu … → y over x of <paramref name="dims"/>.</summary>
    private static OnnxModel Chain(long[] dims, int length)
    {
        var graph = new OnnxGraph("chain");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, dims.Select(Dim.Fixed).ToArray())));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, dims.Select(Dim.Fixed).ToArray())));
        var previous = "x";
        for (var i = 0; i < length; i++)
        {
            var output = i == length - 1 ? "y" : $"v{i}";
            graph.Nodes.Add(new OnnxNode(i % 2 == 0 ? "Relu" : "Neg", [previous], [output], $"n{i}"));
            previous = output;
        }

        return new OnnxModel(graph, [new OpsetImport("", 17)]) { IrVersion = 8 };
    }
}
