using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Optimizer.Training.Conversion;
using Optimizer.Training.Native;
using TorchSharp;
using Xunit.Abstractions;

namespace Optimizer.Training.Tests;

/// <summary>The TorchSharp graph computes what ONNX Runtime computes (≤ 1e-4), on real models.</summary>
public class ForwardParityTests(ITestOutputHelper output)
{
    private const double Tolerance = 1e-4;

    [ConditionalTheory("data/models")]
    [InlineData("digits_mlp.onnx")]
    [InlineData("digits_cnn.onnx")]
    [InlineData("digits_cnn_bn_unfused.onnx")]
    [InlineData("hello_deepa.onnx")]
    public void Shared_model_matches_OnnxRuntime(string file)
    {
        var models = TestData.Models;
        var model = OnnxModelLoader.Load(Path.Combine(models, file));
        var input = model.Graph.Inputs[0];
        var shape = input.Type!.Shape!.Select(d => (int)(d.Size ?? 4)).ToArray();
        var values = TestData.Random(shape.Aggregate(1, (p, d) => p * d), seed: 7);

        var difference = MaxDifference(model, input.Name, values, shape);
        output.WriteLine($"{file}: max |torch - ort| = {difference:E2}");
        Assert.True(difference <= Tolerance, $"{file}: {difference}");
    }

    [ConditionalFact("onnx-conformance/pytorch-converted")]
    public void Pytorch_converted_conformance_cases_with_covered_ops_match_OnnxRuntime()
    {
        var root = TestData.PytorchConverted;
        var compared = new List<string>();
        var uncovered = new List<string>();
        foreach (var folder in Directory.GetDirectories(root).Order(StringComparer.Ordinal))
        {
            var model = OnnxModelLoader.Load(Path.Combine(folder, "model.onnx"));
            var inputPath = Path.Combine(folder, "test_data_set_0", "input_0.pb");
            if (model.Graph.Inputs.Count != 1 || !File.Exists(inputPath) || !model.Graph.Nodes.All(OperatorKernels.Supports))
            {
                uncovered.Add(Path.GetFileName(folder));
                continue;
            }
            var tensor = OnnxTensor.Parse(File.ReadAllBytes(inputPath));
            if (tensor.ElementType != TensorElementType.Float) { uncovered.Add(Path.GetFileName(folder)); continue; }
            // ONNX Runtime refuses a few of these old-opset originals; their reference outputs stand in.
            var shape = tensor.Dims.Select(d => (int)d).ToArray();
            List<(string, float[], int[])> expected;
            try
            {
                expected = TestData.RunOrt(model, model.Graph.Inputs[0].Name, tensor.ToFloatArray(), shape);
            }
            catch (Microsoft.ML.OnnxRuntime.OnnxRuntimeException)
            {
                expected = model.Graph.Outputs.Select((o, k) => OnnxTensor.Parse(File.ReadAllBytes(Path.Combine(folder, "test_data_set_0", $"output_{k}.pb"))))
                    .Select((t, k) => (model.Graph.Outputs[k].Name, t.ToFloatArray(), t.Dims.Select(d => (int)d).ToArray())).ToList();
            }
            var difference = MaxDifference(model, model.Graph.Inputs[0].Name, tensor.ToFloatArray(), shape, expected);
            output.WriteLine($"{Path.GetFileName(folder)}: {difference:E2}");
            Assert.True(difference <= Tolerance, $"{Path.GetFileName(folder)}: {difference}");
            compared.Add(Path.GetFileName(folder));
        }
        output.WriteLine($"compared {compared.Count}; not covered {uncovered.Count}: {string.Join(", ", uncovered)}");
        // Conv/pool/BatchNorm in 1-D, 2-D and 3-D, Linear, activations and softmax: most of the suite.
        Assert.True(compared.Count >= 60, $"only {compared.Count} cases compared");
    }

    private static double MaxDifference(OnnxModel model, string inputName, float[] values, int[] shape) =>
        MaxDifference(model, inputName, values, shape, TestData.RunOrt(model, inputName, values, shape));

    private static double MaxDifference(OnnxModel model, string inputName, float[] values, int[] shape, List<(string Name, float[] Values, int[] Shape)> expected)
    {
        TorchNativeLibrary.EnsureLoaded();
        using var scope = torch.NewDisposeScope();
        using var graph = TorchGraph.Create(model);
        using var _ = torch.no_grad();
        var input = torch.tensor(values, shape.Select(d => (long)d).ToArray());
        var outputs = graph.Forward(new Dictionary<string, torch.Tensor> { [inputName] = input }, expected.Select(e => e.Name).ToArray());
        var worst = 0.0;
        foreach (var (name, reference, referenceShape) in expected)
        {
            var actual = outputs[name].contiguous();
            Assert.Equal(referenceShape.Select(d => (long)d), actual.shape);
            var data = actual.data<float>().ToArray();
            for (var i = 0; i < data.Length; i++)
                worst = Math.Max(worst, Math.Abs(data[i] - reference[i]));
        }
        return worst;
    }
}
