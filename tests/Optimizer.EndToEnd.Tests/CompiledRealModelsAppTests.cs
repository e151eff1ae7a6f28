using System.Globalization;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.EndToEnd.Tests;

/// <summary>
/// Issue 14's "through the generated class" for the two real models with several symbolic
/// dimensions besides the encoder (ArcticEncoderAppTests): the OCR direction classifier
/// (batch, height, width) and the silero voice-activity model (batch, samples, an int64 scalar and
/// LSTM state inside If branches). A real `dotnet build` embeds their kernel programs and generated
/// schedules; the app runs each generated class twice, with <c>Path = Compiled</c> and
/// <c>Path = OnnxRuntime</c>, at several shapes, and prints the largest difference per output.
/// Inputs are generated (a speech-like signal carried chunk to chunk for silero, a smooth text-line
/// pattern for OCR): the repository has no real recordings or crops of either.
/// </summary>
[Collection(PackedPackagesCollection.Name)]
public sealed class CompiledRealModelsAppTests(PackedPackages packages, ITestOutputHelper output)
{
    private const string Program = """
        using System.Globalization;
        using Optimizer.Runtime;

        using var ocrCompiled = new TextDirection(new ModelOptions { Path = ExecutionPathKind.Compiled });
        using var ocrOrt = new TextDirection(new ModelOptions { Path = ExecutionPathKind.OnnxRuntime });
        Console.WriteLine($"path ocr {ocrCompiled.ExecutionPath}");
        foreach (var (batch, height, width) in new[] { (1, 48, 192), (3, 48, 192), (1, 48, 320), (2, 48, 100) })
        {
            var pixels = new float[batch * 3 * height * width];
            for (var i = 0; i < pixels.Length; i++)
            {
                int x = i % width, y = i / width % height, channel = i / (width * height) % 3, sample = i / (3 * width * height);
                pixels[i] = MathF.Sin(x * 0.21f + sample) * MathF.Cos(y * 0.13f + channel) * 0.8f;
            }

            var input = new TextDirection.Input(new ModelTensor<float>(pixels, batch, 3, height, width));
            Compare($"ocr {batch}x{height}x{width}", ocrCompiled.Run(input), ocrOrt.Run(input));
        }

        using var vadCompiled = new VoiceActivity(new ModelOptions { Path = ExecutionPathKind.Compiled });
        using var vadOrt = new VoiceActivity(new ModelOptions { Path = ExecutionPathKind.OnnxRuntime });
        Console.WriteLine($"path vad {vadCompiled.ExecutionPath}");
        foreach (var (batch, samples) in new[] { (1, 512), (2, 1024), (1, 1536) })
        {
            var state = new float[2 * batch * 64];
            for (var chunk = 0; chunk < 3; chunk++)
            {
                var audio = new float[batch * samples];
                for (var i = 0; i < audio.Length; i++)
                {
                    float t = (chunk * samples + i % samples) / 16000f;
                    audio[i] = 0.4f * MathF.Sin(2 * MathF.PI * (180 + 40 * (i / samples)) * t) * (0.5f + 0.5f * MathF.Sin(2 * MathF.PI * 4 * t)) + 0.02f * MathF.Sin(i * 12.9898f);
                }

                var input = new VoiceActivity.Input(
                    new ModelTensor<float>(audio, batch, samples), new ModelTensor<long>([16000L]),
                    new ModelTensor<float>(state, 2, batch, 64), new ModelTensor<float>((float[])state.Clone(), 2, batch, 64));
                var compiled = vadCompiled.Run(input);
                Compare($"vad {batch}x{samples} chunk {chunk}", compiled, vadOrt.Run(input));
                state = compiled.Hn.Span.ToArray();
            }
        }

        // Every float output of the two runs: the largest absolute difference, and the compiled values' size.
        static void Compare(string what, object compiled, object reference)
        {
            foreach (var property in compiled.GetType().GetProperties().Where(p => p.PropertyType == typeof(ModelTensor<float>)))
            {
                var a = ((ModelTensor<float>)property.GetValue(compiled)!).Span.ToArray();
                var b = ((ModelTensor<float>)property.GetValue(reference)!).Span.ToArray();
                double diff = a.Length == b.Length ? a.Zip(b, (x, y) => (double)Math.Abs(x - y)).DefaultIfEmpty().Max() : double.PositiveInfinity;
                double scale = a.Select(x => (double)Math.Abs(x)).DefaultIfEmpty().Max();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"diff {what.Replace(' ', '_')} {property.Name} {diff:R} {scale:R} {a.Length}"));
            }
        }

        [OnnxModel("Models/ch_ppocr_mobile_v2.0_cls_infer.onnx")]
        public partial class TextDirection;

        [OnnxModel("Models/silero_vad_legacy.onnx")]
        public partial class VoiceActivity;
        """;

    [ConditionalFact("data/models")]
    public void Ocr_classifier_and_silero_run_on_their_generated_kernel_schedules_as_onnx_runtime_does()
    {
        using var app = new TestApp(packages, "CompiledModelsApp");
        foreach (var model in new[] { "ch_ppocr_mobile_v2.0_cls_infer.onnx", "silero_vad_legacy.onnx" })
            app.CopyFile(Path.Combine(RepositoryPaths.SharedData, "models", model), "Models/" + model);
        app.WriteFile("Program.cs", Program);

        app.Build().AssertSucceeded("dotnet build");
        var run = ProcessRunner.Run("dotnet", "run --no-build", app.Directory).AssertSucceeded("the built app");
        output.WriteLine(run.Output);
        var lines = run.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

        // The generated schedule ran (not the interpreter, not ONNX Runtime).
        Assert.StartsWith("path ocr Compiled(generated; ", lines.Single(l => l.StartsWith("path ocr ", StringComparison.Ordinal)));
        Assert.StartsWith("path vad Compiled(generated; ", lines.Single(l => l.StartsWith("path vad ", StringComparison.Ordinal)));

        var diffs = lines.Where(l => l.StartsWith("diff ", StringComparison.Ordinal)).Select(l => l.Split(' ')).ToList();
        Assert.Equal(4 + 3 * 3 * 3, diffs.Count); // 4 OCR shapes × 1 output, 3 VAD shapes × 3 chunks × 3 outputs
        // The OCR probabilities and the speech probability agree to 3e-7 and 1e-4 (measured); the LSTM
        // state carries the float-order differences of the STFT convolution and log before it (up to
        // 7e-3 on states of magnitude 2 measured, after a chunk fed the compiled state back), while a
        // wrong gate, weight or branch would differ by the states' own size.
        Assert.All(diffs, d =>
        {
            double diff = double.Parse(d[3], CultureInfo.InvariantCulture), scale = double.Parse(d[4], CultureInfo.InvariantCulture);
            double tolerance = d[2] is "Hn" or "Cn" ? 1e-2 * scale : 5e-4;
            Assert.True(scale > 0, $"{d[1]} {d[2]}: all zeros");
            Assert.True(diff <= tolerance, $"{d[1]} {d[2]}: compiled differs from ONNX Runtime by {diff} (values up to {scale})");
        });
    }
}
