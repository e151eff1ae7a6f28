using Optimizer.Engine.DataFiles;
using Optimizer.Onnx;
using Optimizer.Passes;
using Xunit.Abstractions;

namespace Optimizer.Hostile.Tests.Fuzz;

/// <summary>
/// Bounded fuzz smokes of the entry points no other project fuzzes: the pass pipeline on a model the loader
/// accepted, and the <c>.npy</c> reader. Every failure must be the coded exception; anything else is kept as a crash file.
/// (The loader, shape inference and the generator's manifest parser are fuzzed in their own test projects.)
/// </summary>
public sealed class FuzzTests(ITestOutputHelper output)
{
    private static readonly IReadOnlyList<PassRequest> DefaultPasses = [];
    private static readonly IReadOnlyList<PassRequest> DynamicQuantization = [new PassRequest("Quantize", new Dictionary<string, string> { ["Mode"] = "DynamicInt8" })];

    [Fact]
    public void The_pipeline_on_any_loaded_model_fails_only_with_coded_errors()
    {
        var iteration = 0;
        var result = new FuzzRun("pipeline", bytes =>
        {
            var model = OnnxModelLoader.Load(bytes, baseDirectory: null);
            // Alternate the always-on clean-up and fusion with a quantizing plan, then save as the engine does.
            var passes = iteration++ % 2 == 0 ? DefaultPasses : DynamicQuantization;
            OnnxModelWriter.ToBytes(PassPipeline.Run(model, passes).Model);
        }, e => e is OnnxFormatException or PassException).Run();
        output.WriteLine(result.ToString());
        Assert.True(result.Execs > 0, "no input was executed");
        Assert.True(result.Crashes.Count == 0, result.ToString());
    }

    [Fact]
    public void The_npy_reader_fails_only_with_coded_errors()
    {
        var result = new FuzzRun("npy", bytes => NpyParser.Parse(bytes), e => e is PassException).Run();
        output.WriteLine(result.ToString());
        Assert.True(result.Execs > 0, "no input was executed");
        Assert.True(result.Crashes.Count == 0, result.ToString());
    }
}
