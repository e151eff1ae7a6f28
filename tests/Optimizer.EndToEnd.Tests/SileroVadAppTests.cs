using Optimizer.EndToEnd.Tests.RealData;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// A streaming model with state inputs calibrates through a real `dotnet build`: silero_vad_legacy.onnx
/// (input [batch, seq] float, sr int64 scalar, h/c [2, batch, 64]) quantized StaticInt8 from a folder of
/// ONNX test_data_set_* feeds whose h/c carry the model's own state chunk to chunk (<see cref="SileroVadData"/>).
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class SileroVadAppTests(PackedPackages packages, ITestOutputHelper output)
{
    [ConditionalFact("data/models")]
    public void Static_int8_calibrates_from_test_data_set_feeds_with_state_inputs()
    {
        var model = Path.Combine(RepositoryPaths.SharedData, "models", SileroVadData.ModelFile);
        using var app = new TestApp(packages, "VadApp");
        app.CopyFile(model, "Models/" + SileroVadData.ModelFile);
        var probabilities = SileroVadData.WriteTestDataSets(model, Path.Combine(app.Directory, "Data", "vad_calibration"), chunks: 32);
        output.WriteLine("fp32 speech probability per chunk: " + string.Join(" ", probabilities.Select(p => p.ToString("0.00"))));
        app.WriteFile("Program.cs", """
            using Optimizer.Runtime;

            Console.WriteLine("built");

            [OnnxModel("Models/silero_vad_legacy.onnx")]
            [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/vad_calibration")]
            public partial class VoiceActivity;
            """);

        var build = app.BuildLogged(output).AssertSucceeded("dotnet build");

        // The 32 feeds (each with its sr scalar and the h/c state the model produced for the audio before it)
        // were read, fed one at a time, and verified on: the figures name them.
        var summary = build.SummaryLine(SileroVadData.ModelFile, "quantize StaticInt8");
        Assert.Contains("on 32 calibration samples", summary);
        Assert.DoesNotContain(build.Output.Split('\n'), line => line.Contains("error OPT"));
        // This legacy export keeps every layer inside If branches (one per sample rate), and static INT8
        // quantizes the main graph only: the build says so (OPT1205) instead of passing it off as done.
        Assert.Contains(build.Output.Split('\n'), line => line.Contains("warning OPT1205") && line.Contains("quantized 0 nodes") && line.Contains("subgraph"));
        Assert.DoesNotContain(ReportLayer.Read(app.MarkdownReport()), layer => layer.Quantized);
    }
}
