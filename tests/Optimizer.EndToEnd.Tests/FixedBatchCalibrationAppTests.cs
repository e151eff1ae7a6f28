using System.Globalization;
using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// A model whose batch is fixed at 1 (hello_deepa.onnx, [1, 25, 96]) calibrates StaticInt8 from an
/// .npz of 8 samples [8, 25, 96] through a real `dotnet build`: the samples are fed one at a time
/// (before issue 12 they were fed as one batch and calibration failed with OPT1255). The app then
/// runs the generated class and is checked against ONNX Runtime on the original model.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class FixedBatchCalibrationAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const int Samples = 8;

    [ConditionalFact("data/models")]
    public void Fixed_batch_1_model_calibrates_from_8_samples_and_runs()
    {
        var model = Path.Combine(RepositoryPaths.SharedData, "models", WakeWordData.ModelFile);
        using var app = new TestApp(packages, "FixedBatchApp");
        app.CopyFile(model, "Models/" + WakeWordData.ModelFile);
        WakeWordData.WriteNpz(Path.Combine(app.Directory, "Data", "wake_word_calibration.npz"), Samples);
        app.WriteFile("Program.cs", """
            using System.Globalization;
            using Optimizer.Runtime;

            var data = new float[25 * 96];
            for (var i = 0; i < data.Length; i++) data[i] = MathF.Sin(i * 0.37f);
            using var wakeWord = new WakeWord();
            var score = wakeWord.Run(new WakeWord.Input(new ModelTensor<float>(data, 1, 25, 96))).Value39.Span[0];
            Console.WriteLine(score.ToString("R", CultureInfo.InvariantCulture));

            [OnnxModel("Models/hello_deepa.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/wake_word_calibration.npz")]
            public partial class WakeWord;
            """);

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build");
        build.SummaryLine(WakeWordData.ModelFile, "quantize StaticInt8");
        Assert.Contains("QuantizeLinear", app.OptimizedModelText());

        var input = Enumerable.Range(0, 25 * 96).Select(i => MathF.Sin(i * 0.37f)).ToArray();
        var expected = OriginalModelReference.RunSingleInput(model, input, [1, 25, 96]).Single();
        var printed = float.Parse(app.Run().AssertSucceeded("the built app").Output.Trim(), CultureInfo.InvariantCulture);
        output.WriteLine($"ORT original {expected:R}, app StaticInt8 {printed:R}");
        Assert.InRange(Math.Abs(printed - expected), 0, 0.05);
    }
}
