using Optimizer.Engine.Calibration;
using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Passes.Calibration;
using Optimizer.Passes.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.BiasCorrection;

/// <summary>
/// Global 50% pruning + INT8 of the digits models, measured on the 450 test images (the requirement: each ≤ 1 pp
/// below fp32). Bias correction uses only the 1347 training images (the calibration set); its figures on that set
/// are printed beside the test figures. Nothing here is tuned: the correction has no parameters.
/// </summary>
public sealed class DigitsBiasCorrectionTests(ITestOutputHelper output)
{
    private const string Key = "Data/digits_train.f32";

    private sealed record Digits(string Folder, PassContext Context, float[] TrainX, byte[] TrainY, float[] TestX, byte[] TestY)
    {
        public OnnxModel Load(string file) => OnnxModelLoader.Load(Path.Combine(Folder, "models", file));
    }

    private static Digits Load()
    {
        var data = SharedData.Folder;
        var digits = Path.Combine(data, "digits");
        var train = SharedData.ReadFloats(Path.Combine(digits, "digits_train_x_1347x64.f32"));
        var context = new PassContext
        {
            CalibrationData = TestSamples.Named(Key, Quantization.DigitsData.TrainingImages(data)),
            Executor = new OnnxRuntimeModelExecutor(),
        };
        return new Digits(data, context, train, File.ReadAllBytes(Path.Combine(digits, "digits_train_y_1347.u8")),
            SharedData.ReadFloats(Path.Combine(digits, "digits_test_x_450x64.f32")), File.ReadAllBytes(Path.Combine(digits, "digits_test_y_450.u8")));
    }

    private static PassRequest Request(string pass, params (string Name, string Value)[] options) => new(pass, options.ToDictionary(o => o.Name, o => o.Value));

    private static PassRequest GlobalHalf(params (string Name, string Value)[] extra) => Request("Prune", [("Sparsity", "0.5"), ("Scope", "Global"), .. extra]);

    private static PassRequest StaticInt8 => Request("Quantize", ("Mode", "StaticInt8"), ("Calibration", Key));

    private static double Accuracy(OnnxModel model, float[] images, byte[] labels)
    {
        var logits = Ort.Run(model, (model.Graph.Inputs[0].Name, images, [labels.Length, 1, 8, 8]));
        var correct = 0;
        for (var i = 0; i < labels.Length; i++)
        {
            var best = 0;
            for (var c = 1; c < 10; c++)
            {
                best = logits[i * 10 + c] > logits[i * 10 + best] ? c : best;
            }

            correct += best == labels[i] ? 1 : 0;
        }

        return (double)correct / labels.Length;
    }

    private void Figures(Digits d, string label, OnnxModel model)
    {
        var (calibration, test) = (Accuracy(model, d.TrainX, d.TrainY), Accuracy(model, d.TestX, d.TestY));
        output.WriteLine($"  {label,-40} calibration set {calibration:P2}   test {test:P2}");

    }

    [ConditionalFact("data")]
    public void Cnn_global_half_pruning_plus_static_int8_stays_within_one_point()
    {
        var d = Load();

        var model = d.Load("digits_cnn.onnx");
        var fp32 = Accuracy(model, d.TestX, d.TestY);
        // Prune names no Calibration: the pipeline hands it the StaticInt8 request's data set.
        var corrected = PassPipeline.Run(model, [GlobalHalf(), StaticInt8], d.Context);
        var uncorrected = PassPipeline.Run(model, [GlobalHalf(("BiasCorrection", "false")), StaticInt8], d.Context);
        var prunedOnly = PassPipeline.Run(model, [GlobalHalf(("Calibration", Key))], d.Context);
        var accuracy = Accuracy(corrected.Model, d.TestX, d.TestY);

        output.WriteLine("digits_cnn (450 test images; calibration set = the 1347 training images):");
        Figures(d, "fp32", model);
        Figures(d, "global 50% pruned, bias corrected", prunedOnly.Model);
        Figures(d, "pruned + static INT8, uncorrected", uncorrected.Model);
        Figures(d, "pruned + static INT8, bias corrected", corrected.Model);
        foreach (var report in corrected.Reports)
        {
            output.WriteLine($"  [{report.Pass}] {report.Summary}");
            foreach (var change in report.Changed)
            {
                output.WriteLine($"      {change.Node}: {change.Detail}");
            }
        }

        Assert.Contains("bias corrected in 3 layers", corrected.Reports[0].Summary);
        Assert.True(fp32 - accuracy <= 0.01 + 1e-9, $"global 50% pruning + static INT8 dropped top-1 from {fp32:P2} to {accuracy:P2}");
    }

    [ConditionalFact("data")]
    public void Mlp_global_half_pruning_plus_static_or_dynamic_int8_stays_within_one_point()
    {
        var d = Load();

        var model = d.Load("digits_mlp.onnx");
        var fp32 = Accuracy(model, d.TestX, d.TestY);
        var withStatic = PassPipeline.Run(model, [GlobalHalf(), StaticInt8], d.Context);
        var withDynamic = PassPipeline.Run(model, [GlobalHalf(("Calibration", Key)), Request("Quantize", ("Mode", "DynamicInt8"))], d.Context);
        var staticUncorrected = PassPipeline.Run(model, [GlobalHalf(("BiasCorrection", "false")), StaticInt8], d.Context);
        var dynamicUncorrected = PassPipeline.Run(model, [GlobalHalf(), Request("Quantize", ("Mode", "DynamicInt8"))], d.Context);

        output.WriteLine("digits_mlp (450 test images; calibration set = the 1347 training images):");
        Figures(d, "fp32", model);
        Figures(d, "pruned + static INT8, uncorrected", staticUncorrected.Model);
        Figures(d, "pruned + static INT8, bias corrected", withStatic.Model);
        Figures(d, "pruned + dynamic INT8, uncorrected", dynamicUncorrected.Model);
        Figures(d, "pruned + dynamic INT8, bias corrected", withDynamic.Model);
        output.WriteLine($"  [{withDynamic.Reports[0].Pass}] {withDynamic.Reports[0].Summary}");

        Assert.Contains("bias corrected in 3 layers", withStatic.Reports[0].Summary);
        Assert.Contains("bias corrected in 3 layers", withDynamic.Reports[0].Summary);
        foreach (var (name, result) in new[] { ("static", withStatic), ("dynamic", withDynamic) })
        {
            var accuracy = Accuracy(result.Model, d.TestX, d.TestY);
            Assert.True(fp32 - accuracy <= 0.01 + 1e-9, $"global 50% pruning + {name} INT8 dropped top-1 from {fp32:P2} to {accuracy:P2}");
        }
    }
}
