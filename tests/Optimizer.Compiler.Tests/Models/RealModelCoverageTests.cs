using Optimizer.Compiler.Tests.Support;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The coverage table of the real models: compiled? and the operators that keep each out. Symbolic
/// dims other than the batch are bound to a size first (binding several at run time is separate work),
/// so what is printed is the kernel set's operator coverage.
/// </summary>
public sealed class RealModelCoverageTests(ITestOutputHelper output)
{
    public static readonly TheoryData<string, string> Models = new()
    {
        { "arctic_embed_xs.onnx", "sequence_length=8" },
        { "ch_ppocr_mobile_v2.0_cls_infer.onnx", "p2o.DynamicDimension.1=48,p2o.DynamicDimension.2=192" },
        { "silero_vad_legacy.onnx", "sequence=512" },
        { "hello_deepa.onnx", "" },
        { "digits_cnn.onnx", "" },
    };

    [ConditionalTheory("data")]
    [MemberData(nameof(Models))]
    public void Prints_coverage(string file, string bind)
    {
        var sizes = bind.Split(',', StringSplitOptions.RemoveEmptyEntries).Select(p => p.Split('=')).ToDictionary(p => p[0], p => long.Parse(p[1]));
        var model = FixedShapes.Bind(SharedModels.Load(file), sizes);
        var reasons = KernelCompiler.CheckCoverage(model);
        output.WriteLine($"{file}: {(reasons.Count == 0 ? "compiled" : "not compiled")}");
        foreach (var group in reasons.GroupBy(r => r.OpType))
        {
            output.WriteLine($"  {group.Key} ×{group.Count()}: {group.First().Reason}");
        }

        Assert.All(reasons, r => Assert.False(string.IsNullOrWhiteSpace(r.Reason)));
    }
}
