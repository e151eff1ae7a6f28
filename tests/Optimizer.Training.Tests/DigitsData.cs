using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Passes;
using Optimizer.Training.FineTuning;

namespace Optimizer.Training.Tests;

/// <summary>The digits train/test split of ../shared/data as training sets, and ONNX Runtime accuracy.</summary>
internal static class DigitsData
{
    public static TrainingSet Train => Load("digits_train_x_1347x64.f32", "digits_train_y_1347.u8", 1347);
    public static TrainingSet Test => Load("digits_test_x_450x64.f32", "digits_test_y_450.u8", 450);

    private static TrainingSet Load(string inputs, string labels, int count)
    {
        var folder = TestData.Digits;
        var data = RawFloat32Parser.Parse(File.ReadAllBytes(Path.Combine(folder, inputs)), [count, 1, 8, 8]);
        return new TrainingSet(data, File.ReadAllBytes(Path.Combine(folder, labels)).Select(b => (int)b).ToArray());
    }

    /// <summary>Top-1 accuracy of <paramref name="model"/> in ONNX Runtime on <paramref name="set"/>.</summary>
    public static double Accuracy(OnnxModel model, TrainingSet set)
    {
        var n = set.Inputs.SampleCount;
        var outputs = TestData.RunOrt(model, model.Graph.Inputs[0].Name, set.Inputs.Values, [n, 1, 8, 8])[0].Values;
        var classes = outputs.Length / n;
        var correct = 0;
        for (var i = 0; i < n; i++)
        {
            var row = outputs.AsSpan(i * classes, classes);
            if (row.IndexOf(row.ToArray().Max()) == set.Labels![i]) correct++;
        }
        return (double)correct / n;
    }

    public static OnnxModel Pruned(string file, params (string Key, string Value)[] prune)
    {
        var model = OnnxModelLoader.Load(Path.Combine(TestData.Models, file));
        return PassPipeline.Run(model, [new PassRequest("Prune", prune.ToDictionary(p => p.Key, p => p.Value))]).Model;
    }
}
