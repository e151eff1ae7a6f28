using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// An If whose condition is computed from an input at run time (silero's sample-rate switch):
/// both branches are compiled behind control steps and each call runs the one its condition picks,
/// at any batch, against ONNX Runtime.
/// </summary>
public sealed class RuntimeIfTests
{
    [Theory]
    [InlineData(16000, 1)]
    [InlineData(8000, 1)]
    [InlineData(16000, 5)]
    [InlineData(8000, 3)]
    public void Each_call_runs_the_branch_its_condition_picks(long sampleRate, int batch)
    {
        var model = SampleRateSwitch();
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        Assert.Contains(program.Steps, s => s.Kind == StepKind.SkipUnless);
        Assert.Equal(program.Steps.Count, Optimizer.Engine.Compilation.ScheduleText.Format(program).Count);

        var x = Enumerable.Range(0, batch * 4).Select(i => (float)Math.Sin(i + 1)).ToArray();
        OnnxTensor[] inputs = [OnnxTensor.FromFloats("x", [batch, 4], x), OnnxTensor.FromInt64s("sr", [], [sampleRate])];
        var expected = SharedModels.Floats(OrtRunner.Run(model, inputs)[0]);
        var actual = ProgramRunner.Floats(ProgramRunner.Run(program, inputs)[0]);

        Assert.Equal(expected, actual);
    }

    /// <summary>y = If(sr == 16000, then: Relu(x) · 2, else: −x + 1), x [batch, 4], sr an int64 scalar input.</summary>
    private static OnnxModel SampleRateSwitch()
    {
        var graph = new OnnxGraph("switch");
        graph.DeclaredInputs.Add(new ValueInfo("x", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(4)])));
        graph.DeclaredInputs.Add(new ValueInfo("sr", ValueTypeInfo.Tensor(TensorElementType.Int64, [])));
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(4)])));
        graph.Initializers.Add(OnnxTensor.FromInt64s("rate", [], [16000]));
        graph.Initializers.Add(OnnxTensor.FromFloats("two", [], [2f]));
        graph.Initializers.Add(OnnxTensor.FromFloats("one", [], [1f]));
        graph.Nodes.Add(new OnnxNode("Equal", ["sr", "rate"], ["is16k"], "is16k"));

        var then = new OnnxGraph("then");
        then.Outputs.Add(new ValueInfo("then_y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(4)])));
        then.Nodes.Add(new OnnxNode("Relu", ["x"], ["relu"], "relu"));
        then.Nodes.Add(new OnnxNode("Mul", ["relu", "two"], ["then_y"], "twice"));
        var otherwise = new OnnxGraph("else");
        otherwise.Outputs.Add(new ValueInfo("else_y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Named("batch"), Dim.Fixed(4)])));
        otherwise.Nodes.Add(new OnnxNode("Neg", ["x"], ["neg"], "neg"));
        otherwise.Nodes.Add(new OnnxNode("Add", ["neg", "one"], ["else_y"], "plus_one"));

        var branch = new OnnxNode("If", ["is16k"], ["y"], "switch");
        branch.SetAttribute(OnnxAttribute.FromGraph("then_branch", then));
        branch.SetAttribute(OnnxAttribute.FromGraph("else_branch", otherwise));
        graph.Nodes.Add(branch);
        return new OnnxModel(graph, [new OpsetImport("", 13)]) { IrVersion = 8 };
    }
}
