using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;

namespace Optimizer.Passes.Tests.Pruning;

/// <summary>The 450 digits test images (8×8, float32) and labels from ../shared/data/digits, and top-1 accuracy in ONNX Runtime.</summary>
internal sealed class DigitsSet
{
    private DigitsSet(string folder, float[] images, byte[] labels)
    {
        Folder = folder;
        Images = images;
        Labels = labels;
    }

    public string Folder { get; }

    public float[] Images { get; }

    public byte[] Labels { get; }

    /// <summary>The data set, for tests marked <c>[ConditionalFact("data")]</c>.</summary>
    public static DigitsSet Load()
    {
        var data = SharedData.Folder;
        return new DigitsSet(data,
            SharedData.ReadFloats(Path.Combine(data, "digits", "digits_test_x_450x64.f32")),
            File.ReadAllBytes(Path.Combine(data, "digits", "digits_test_y_450.u8")));
    }

    public OnnxModel LoadModel(string fileName) => OnnxModelLoader.Load(Path.Combine(Folder, "models", fileName));

    /// <summary>Runs the whole set as one batch; returns top-1 accuracy and the output's shape.</summary>
    public (double Accuracy, long[] OutputShape) Evaluate(OnnxModel model)
    {
        using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR };
        using var session = new InferenceSession(OnnxModelWriter.ToBytes(model), options);
        using var input = OrtValue.CreateTensorValueFromMemory(Images, [Labels.Length, 1, 8, 8]);
        using var runOptions = new RunOptions();
        using var outputs = session.Run(runOptions, [session.InputNames[0]], [input], [session.OutputNames[0]]);
        var shape = outputs[0].GetTensorTypeAndShape().Shape;
        var logits = outputs[0].GetTensorDataAsSpan<float>();
        var classes = (int)shape[^1];
        var correct = 0;
        for (var i = 0; i < Labels.Length; i++)
        {
            var row = logits.Slice(i * classes, classes);
            var best = 0;
            for (var c = 1; c < classes; c++)
            {
                best = row[c] > row[best] ? c : best;
            }

            correct += best == Labels[i] ? 1 : 0;
        }

        return ((double)correct / Labels.Length, shape);
    }
}
