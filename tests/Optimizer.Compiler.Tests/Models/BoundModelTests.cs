using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The PaddleOCR direction classifier (opset 9: HardSwish written as Clip/Mul/Div, Slice and Cast in
/// its shape arithmetic) compiled with its image size bound, at two image sizes and two batch sizes,
/// against ONNX Runtime: logits within rtol 1e-3 + atol 1e-4. Inputs are deterministic values in [-1, 1).
/// </summary>
public sealed class BoundModelTests(ITestOutputHelper output)
{
    [ConditionalTheory("data")]
    [InlineData(48, 192)]
    [InlineData(48, 320)]
    public void Ocr_direction_classifier_matches_onnx_runtime(int height, int width)
    {
        var original = SharedModels.Load("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        var model = FixedShapes.Bind(original.Clone(), new Dictionary<string, long> { ["p2o.DynamicDimension.1"] = height, ["p2o.DynamicDimension.2"] = width });
        var result = KernelCompiler.Compile(model);
        Assert.True(result.IsSupported, string.Join("; ", result.Unsupported));
        using var program = result.Program!;
        foreach (var batch in new[] { 1, 3 })
        {
            var inputs = SharedModels.SyntheticInputs(model, batch);
            var expected = SharedModels.RunOrt(original, inputs)[0];
            var actual = ProgramRunner.Floats(ProgramRunner.Run(program, inputs.Select(i => OnnxTensor.FromFloats(i.Name, i.Shape, i.Values)).ToArray(), batch)[0]);
            output.WriteLine($"{height}x{width}, batch {batch}: [{string.Join(", ", actual.Take(4))}] vs ORT [{string.Join(", ", expected.Take(4))}]");
            Assert.Null(Tolerance.Compare(expected, actual, 1e-3, 1e-4));
        }
    }
}
