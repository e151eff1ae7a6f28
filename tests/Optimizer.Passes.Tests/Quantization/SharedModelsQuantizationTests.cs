using Microsoft.ML.OnnxRuntime;
using Optimizer.Onnx;
using Optimizer.Passes.Tests.Support;
using Xunit.Abstractions;

namespace Optimizer.Passes.Tests.Quantization;

/// <summary>Every real model in ../shared/data/models quantizes without error and still loads and runs in ONNX Runtime.</summary>
public sealed class SharedModelsQuantizationTests(ITestOutputHelper output)
{
    [Fact]
    public void Every_shared_model_quantizes_and_still_runs()
    {
        if (SharedData.Folder is not { } data)
        {
            output.WriteLine("SKIPPED: ../shared/data is absent.");
            return;
        }

        foreach (var path in Directory.GetFiles(Path.Combine(data, "models"), "*.onnx").Order(StringComparer.Ordinal))
        {
            var model = OnnxModelLoader.Load(path);
            var result = PassPipeline.Run(model, [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })]);
            var report = result.Reports[0];
            output.WriteLine($"{Path.GetFileName(path)}: {report.Summary}; {OnnxModelWriter.ToBytes(model).Length} → {OnnxModelWriter.ToBytes(result.Model).Length} bytes");
            foreach (var skip in report.Skipped)
            {
                output.WriteLine($"    skipped {skip.Node}: {skip.Reason}");
            }

            using var options = new SessionOptions { LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_FATAL };
            using var session = new InferenceSession(OnnxModelWriter.ToBytes(result.Model), options);
            Assert.NotEmpty(session.OutputNames);
        }
    }
}
