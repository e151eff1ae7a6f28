using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;
using static Optimizer.Passes.Tests.Pruning.PruningGraphs;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>Every model in ../shared/data/models prunes each way, still loads in ONNX Runtime, and keeps its output shape.</summary>
public sealed class SharedModelsPruningTests(ITestOutputHelper output)
{
    [ConditionalTheory("data")]
    [InlineData("Unstructured")]
    [InlineData("Channel")]
    [InlineData("NM2x4")]
    public void Every_shared_model_prunes_and_still_runs(string structure)
    {
        var data = SharedData.Folder;
        var shapesCompared = 0;
        foreach (var path in Directory.GetFiles(Path.Combine(data, "models"), "*.onnx").Order(StringComparer.Ordinal))
        {
            var model = OnnxModelLoader.Load(path);
            var result = PassPipeline.Run(model, [Prune(("Structure", structure), ("Scope", "Global"))]);
            output.WriteLine($"{Path.GetFileName(path)}: {result.Reports[0].Summary}");

            var before = OutputShape(model);
            var after = OutputShape(result.Model);
            Assert.Equal(before, after);
            shapesCompared += before is null ? 0 : 1;
        }

        // The four digits models and hello_deepa have one float input of static shape; the others only load.
        Assert.True(shapesCompared >= 5, $"only {shapesCompared} models were run to compare output shapes");
    }

    /// <summary>
    /// The first output's shape after one run on random data when the model has one float input of
    /// static shape (a leading symbolic batch becomes 1); otherwise only checks that the model loads.
    /// </summary>
    private static long[]? OutputShape(OnnxModel model)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        if (model.Graph.Inputs is not [{ Type: { ElementType: TensorElementType.Float, Shape: { } dims } } input]
            || dims.Skip(1).Any(d => d.Size is null))
        {
            return null;
        }

        var shape = dims.Select(d => d.Size ?? 1).ToArray();
        var values = GraphBuilder.Values((int)shape.Aggregate(1L, (a, d) => a * d), 1);
        using var value = OrtValue.CreateTensorValueFromMemory(values, shape);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [input.Name], [value], [session.OutputNames[0]]);
        return outputs[0].GetTensorTypeAndShape().Shape;
    }
}
