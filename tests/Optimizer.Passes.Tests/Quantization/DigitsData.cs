using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Data;
using Optimizer.Passes.Tests.Support;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>The digits data sets in <c>../shared/data/digits</c> and top-1 accuracy through ONNX Runtime.</summary>
internal static class DigitsData
{
    public const string CalibrationKey = "Data/digits_train.f32";

    public static PassContext Context(string data) => new()
    {
        CalibrationData = TestSamples.Named(CalibrationKey, TrainingImages(data)),
        Executor = new OnnxRuntimeModelExecutor(),
    };

    /// <summary>The 1347 training images for the digits models' input [batch, 1, 8, 8], as the engine reads the raw file for it.</summary>
    public static SampleSet TrainingImages(string data)
    {
        var model = OnnxModelLoader.Load(Path.Combine(data, "models", "digits_mlp.onnx"));
        var raw = RawFloat32Parser.Parse(File.ReadAllBytes(Path.Combine(data, "digits", "digits_train_x_1347x64.f32")), [1347, 64]);
        return FloatInputSamples.From(model, raw, $"1347 samples from '{CalibrationKey}'");
    }

    public static double Accuracy(OnnxModel model, string data)
    {
        var images = SharedData.ReadFloats(Path.Combine(data, "digits", "digits_test_x_450x64.f32"));
        var labels = File.ReadAllBytes(Path.Combine(data, "digits", "digits_test_y_450.u8"));
        var logits = Ort.Run(model, (model.Graph.Inputs[0].Name, images, [labels.Length, 1, 8, 8]));
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var row = logits.AsSpan(i * 10, 10);
            correct += row.IndexOf(TensorPrimitivesMax(row)) == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Length;
    }

    private static float TensorPrimitivesMax(ReadOnlySpan<float> row)
    {
        var max = float.NegativeInfinity;
        foreach (var v in row)
        {
            max = Math.Max(max, v);
        }

        return max;
    }

    public static PassRequest StaticInt8(string method = "Entropy", string activationType = "UInt8", string reduceRange = "true") => new("Quantize", new Dictionary<string, string>
    {
        ["Mode"] = "StaticInt8", ["Calibration"] = CalibrationKey, ["CalibrationMethod"] = method, ["ActivationType"] = activationType, ["ReduceRange"] = reduceRange,
    });
}
