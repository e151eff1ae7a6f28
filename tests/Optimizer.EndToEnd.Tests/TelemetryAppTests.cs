using System.Globalization;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Issue 17 as an app meets it: a real `dotnet build` of two classes on the digits MLP (static INT8
/// calibrated on the training images, and fp32 validated on the test images), then the app listens
/// to the <c>Optimizer.Runtime</c> meter and activity source with a <c>MeterListener</c> and an
/// <c>ActivityListener</c> and prints what it saw: one duration, one count and one activity per
/// <c>Run</c> with the model, path, variant and batch size; no out-of-range elements for images from
/// the declared data, and out-of-range elements for the same images scaled 10×.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class TelemetryAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Program = """
        using System.Diagnostics;
        using System.Diagnostics.Metrics;
        using System.Globalization;
        using Optimizer.Runtime;

        var durations = new List<(double Seconds, Dictionary<string, object?> Tags)>();
        var counts = new List<Dictionary<string, object?>>();
        var outOfRange = new Dictionary<string, long>();
        var activities = new List<Activity>();
        using var meters = new MeterListener();
        meters.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == OptimizerTelemetry.MeterName) listener.EnableMeasurementEvents(instrument);
        };
        meters.SetMeasurementEventCallback<double>((instrument, value, tags, _) => durations.Add((value, ToDictionary(tags))));
        meters.SetMeasurementEventCallback<long>((instrument, value, tags, _) =>
        {
            var map = ToDictionary(tags);
            if (instrument.Name == OptimizerTelemetry.CountInstrument) counts.Add(map);
            else if (instrument.Name == OptimizerTelemetry.OutOfRangeInstrument)
            {
                var key = map[OptimizerTelemetry.ModelTag] + "/" + map[OptimizerTelemetry.InputTag];
                outOfRange[key] = outOfRange.GetValueOrDefault(key) + value;
            }
        });
        meters.Start();
        using var tracing = new ActivityListener
        {
            ShouldListenTo = source => source.Name == OptimizerTelemetry.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = activities.Add,
        };
        ActivitySource.AddActivityListener(tracing);

        var bytes = File.ReadAllBytes("Data/digits_train_x_1347x64.f32");
        var pixels = new float[bytes.Length / 4];
        Buffer.BlockCopy(bytes, 0, pixels, 0, bytes.Length);
        var scaled = pixels.Select(p => p * 10).ToArray();

        using var quantized = new DigitsStaticInt8();
        using var validated = new DigitsValidated();
        Describe("DigitsStaticInt8", quantized.ExecutionPath, DigitsStaticInt8.Metadata);
        Describe("DigitsValidated", validated.ExecutionPath, DigitsValidated.Metadata);

        // In range: 1 image, then 16, then 1 through Run(input, output).
        quantized.Run(new DigitsStaticInt8.Input(new ModelTensor<float>(pixels[..64], 1, 1, 8, 8)));
        quantized.Run(new DigitsStaticInt8.Input(new ModelTensor<float>(pixels[..(16 * 64)], 16, 1, 8, 8)));
        quantized.Run(new DigitsStaticInt8.Input(new ModelTensor<float>(pixels[..64], 1, 1, 8, 8)), new DigitsStaticInt8.Output(ModelTensor<float>.Zeros(1, 10)));
        validated.Run(new DigitsValidated.Input(new ModelTensor<float>(pixels[..(16 * 64)], 16, 1, 8, 8)));
        Report("in-range");

        quantized.Run(new DigitsStaticInt8.Input(new ModelTensor<float>(scaled[..(16 * 64)], 16, 1, 8, 8)));
        validated.Run(new DigitsValidated.Input(new ModelTensor<float>(scaled[..(16 * 64)], 16, 1, 8, 8)));
        Report("scaled");

        foreach (var (seconds, tags) in durations)
            Console.WriteLine($"duration {seconds.ToString("R", CultureInfo.InvariantCulture)} {Format(tags)}");
        foreach (var tags in counts)
            Console.WriteLine($"count {Format(tags)}");
        foreach (var activity in activities)
            Console.WriteLine($"activity {activity.OperationName} {Format(activity.TagObjects.ToDictionary(t => t.Key, t => t.Value))}");

        void Describe(string name, ExecutionPath path, ModelMetadata metadata) =>
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"model {name} {(path.Kind == ExecutionPathKind.Compiled ? "compiled" : "onnxruntime")} {path.Variant ?? "default"} {metadata.Inputs[0].CalibratedRange?.Min} {metadata.Inputs[0].CalibratedRange?.Max}"));

        void Report(string phase)
        {
            foreach (var model in new[] { "DigitsStaticInt8", "DigitsValidated" })
                Console.WriteLine($"outofrange {phase} {model} {outOfRange.GetValueOrDefault(model + "/input")}");
        }

        static Dictionary<string, object?> ToDictionary(ReadOnlySpan<KeyValuePair<string, object?>> tags)
        {
            var map = new Dictionary<string, object?>();
            foreach (var tag in tags) map[tag.Key] = tag.Value;
            return map;
        }

        static string Format(Dictionary<string, object?> tags) =>
            string.Join(" ", tags.OrderBy(t => t.Key, StringComparer.Ordinal).Select(t => $"{t.Key}={Convert.ToString(t.Value, CultureInfo.InvariantCulture)}"));

        [OnnxModel("Models/digits_mlp.onnx")]
        // MinMax: the input quantizer covers all the calibration pixels (Entropy, the default, clips a few by design, and the counter would count them).
        [Quantize(QuantizationMode.StaticInt8, Calibration = "Data/digits_train_x_1347x64.f32", CalibrationMethod = CalibrationMethod.MinMax)]
        public partial class DigitsStaticInt8;

        [OnnxModel("Models/digits_mlp.onnx")]
        [AccuracyBudget(MinCosine = 0.999, Validation = "Data/digits_test_x_450x64.f32")]
        public partial class DigitsValidated;
        """;

    [ConditionalFact("data")]
    public void A_listener_sees_every_run_with_its_tags_and_inputs_beyond_the_calibrated_range()
    {
        using var app = new TestApp(packages, "TelemetryApp", """
            <ItemGroup>
              <None Include="Data/digits_train_*" CopyToOutputDirectory="PreserveNewest" />
            </ItemGroup>
            """);
        app.CopyFile(Path.Combine(RepositoryPaths.SharedData, "models", "digits_mlp.onnx"), "Models/digits_mlp.onnx");
        foreach (var file in new[] { "digits_train_x_1347x64.f32", "digits_test_x_450x64.f32" })
            app.CopyFile(Path.Combine(RepositoryPaths.SharedData, "digits", file), Path.Combine("Data", file));
        app.WriteFile("Program.cs", Program);

        app.Build().AssertSucceeded("dotnet build");
        var run = ProcessRunner.Run("dotnet", "run --no-build", app.Directory).AssertSucceeded("the built app");
        output.WriteLine(run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // The ranges travelled from the build: the input quantizer's (it covers the 0..1 pixels it was
        // calibrated on, plus half a quantization step) and the validation data's min/max (exactly 0..1).
        var models = lines.Where(l => l.StartsWith("model ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToDictionary(p => p[1]);
        var (quantizedPath, quantizedVariant) = (models["DigitsStaticInt8"][2], models["DigitsStaticInt8"][3]);
        Assert.InRange(double.Parse(models["DigitsStaticInt8"][4], CultureInfo.InvariantCulture), -0.01, 0.0);
        Assert.InRange(double.Parse(models["DigitsStaticInt8"][5], CultureInfo.InvariantCulture), 1.0, 1.01);
        Assert.Equal("0", models["DigitsValidated"][4]);
        Assert.Equal("1", models["DigitsValidated"][5]);

        long OutOfRange(string phase, string model) =>
            long.Parse(lines.Single(l => l.StartsWith($"outofrange {phase} {model} ", StringComparison.Ordinal)).Split(' ')[3], CultureInfo.InvariantCulture);
        Assert.Equal(0, OutOfRange("in-range", "DigitsStaticInt8"));
        Assert.Equal(0, OutOfRange("in-range", "DigitsValidated"));
        // 16 images × 64 pixels scaled 10×: every pixel above 0.1 leaves 0..1 (about half of them).
        Assert.InRange(OutOfRange("scaled", "DigitsStaticInt8"), 300, 16 * 64);
        Assert.InRange(OutOfRange("scaled", "DigitsValidated"), 300, 16 * 64);

        // One duration, one count and one activity per Run (4 runs of the quantized class, 2 of the other), tagged alike.
        string[] expected =
        [
            $"optimizer.batch_size=1 optimizer.execution_path={quantizedPath} optimizer.model=DigitsStaticInt8 optimizer.variant={quantizedVariant}",
            $"optimizer.batch_size=16 optimizer.execution_path={quantizedPath} optimizer.model=DigitsStaticInt8 optimizer.variant={quantizedVariant}",
            $"optimizer.batch_size=1 optimizer.execution_path={quantizedPath} optimizer.model=DigitsStaticInt8 optimizer.variant={quantizedVariant}",
        ];
        var durations = lines.Where(l => l.StartsWith("duration ", StringComparison.Ordinal)).ToList();
        Assert.Equal(6, durations.Count);
        Assert.All(durations, d => Assert.InRange(double.Parse(d.Split(' ')[1], CultureInfo.InvariantCulture), 1e-8, 10));
        Assert.Equal(expected, durations.Take(3).Select(d => d[(d.IndexOf(' ', 9) + 1)..]));
        Assert.Equal(expected, lines.Where(l => l.StartsWith("count ", StringComparison.Ordinal)).Take(3).Select(c => c["count ".Length..]));
        Assert.Equal(expected.Select(e => "activity optimizer.inference " + e), lines.Where(l => l.StartsWith("activity ", StringComparison.Ordinal)).Take(3));
        Assert.Equal(6, lines.Count(l => l.StartsWith("count ", StringComparison.Ordinal)));
        Assert.Equal(6, lines.Count(l => l.StartsWith("activity ", StringComparison.Ordinal)));
    }
}
