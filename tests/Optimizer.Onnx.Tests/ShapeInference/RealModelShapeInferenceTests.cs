using Optimizer.Tests.Shared;
using Microsoft.ML.OnnxRuntime;
using Xunit.Abstractions;

namespace Optimizer.Onnx.Tests.ShapeInference;

/// <summary>
/// Inferred shapes agree with what ONNX Runtime actually produces: every intermediate value of
/// the real models is exposed as an output, the model is run on a fixed input, and each
/// inferred fixed dimension must equal the real one (symbolic and unknown dims are not checked).
/// </summary>
public sealed class RealModelShapeInferenceTests(ITestOutputHelper output)
{
    // Measured: 9 of the 11 models; arctic_embed_xs (int64 token ids) and silero_vad (If subgraphs) are left out.
    private const int MinimumModelsChecked = 9;

    [ConditionalFact("data/models", "onnx-conformance/light")]
    public void Inferred_fixed_dimensions_match_onnx_runtime_on_the_shared_models()
    {
        var shared = RepositoryLayout.RequiredShared("");
        var files = Directory.GetFiles(Path.Combine(shared, "data", "models"), "*.onnx").Order(StringComparer.Ordinal)
            .Concat(new[] { "light_bvlc_alexnet.onnx", "light_squeezenet.onnx", "light_inception_v1.onnx" }.Select(f => Path.Combine(shared, "onnx-conformance", "light", f)));
        var mismatches = new List<string>();
        var modelsChecked = 0;
        foreach (var file in files)
        {
            var model = OnnxModelLoader.Load(file);
            if (model.Graph.Inputs.Any(i => i.Type?.ElementType != TensorElementType.Float) || model.Graph.Nodes.Any(n => n.Attributes.Any(a => a.HasSubgraphs)))
            {
                output.WriteLine($"{Path.GetFileName(file)}: left out (non-float inputs or subgraphs; no fixed input to feed)");
                continue;
            }

            var inferred = Onnx.ShapeInference.Infer(model);
            var checkable = model.Graph.Nodes.Where(Onnx.ShapeInference.IsSupported).Select(n => n.Outputs[0])
                .Where(o => inferred.TryGetValue(o, out var t) && t.Shape is not null && model.Graph.Outputs.All(x => x.Name != o)).ToArray();
            // A model with nothing inferred to check would pass vacuously: count it as a failure.
            if (checkable.Length == 0)
            {
                mismatches.Add($"{Path.GetFileName(file)}: no inferred shape to check against ONNX Runtime");
                continue;
            }

            var actual = RunExposing(model, checkable);
            foreach (var name in checkable)
            {
                var shape = inferred[name].Shape!;
                var real = actual[name];
                if (shape.Count != real.Length || shape.Where((d, i) => d.Size is { } size && size != real[i]).Any())
                {
                    mismatches.Add($"{Path.GetFileName(file)}: {name} inferred [{string.Join(",", shape)}], ONNX Runtime [{string.Join(",", real)}]");
                }
            }

            output.WriteLine($"{Path.GetFileName(file)}: {checkable.Length} inferred shapes checked against ONNX Runtime");
            modelsChecked++;
        }

        Assert.True(mismatches.Count == 0, string.Join("\n", mismatches));
        Assert.True(modelsChecked >= MinimumModelsChecked, $"only {modelsChecked} models were checked against ONNX Runtime");
    }

    private static Dictionary<string, long[]> RunExposing(OnnxModel model, IReadOnlyList<string> values)
    {
        var copy = model.Clone();
        copy.Graph.Outputs.AddRange(values.Select(v => new ValueInfo(v, null)));
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL, GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(copy), options);
        var inputs = copy.Graph.Inputs.Select(i =>
        {
            var dims = i.Type!.Shape!.Select(d => d.Size is > 0 ? d.Size.Value : 1L).ToArray();
            return OrtValue.CreateTensorValueFromMemory(new float[dims.Aggregate(1L, (a, b) => a * b)], dims);
        }).ToArray();
        try
        {
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, copy.Graph.Inputs.Select(i => i.Name).ToArray(), inputs, values.ToArray());
            return values.Select((v, i) => (v, outputs[i].GetTensorTypeAndShape().Shape)).ToDictionary(p => p.v, p => p.Shape);
        }
        finally
        {
            foreach (var input in inputs) input.Dispose();
        }
    }
}
