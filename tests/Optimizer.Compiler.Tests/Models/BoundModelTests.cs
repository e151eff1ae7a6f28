using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;
using Optimizer.Tests.Shared;
using Xunit.Abstractions;

namespace Optimizer.Compiler.Tests.Models;

/// <summary>
/// The PaddleOCR direction classifier (opset 9: HardSwish written as Clip/Mul/Div, Slice and Cast in
/// its shape arithmetic; batch, height and width symbolic) compiled once and run at several image
/// sizes and batch sizes against ONNX Runtime: logits within rtol 1e-3 + atol 1e-4. Inputs are
/// deterministic values in [-1, 1).
/// </summary>
public sealed class BoundModelTests(ITestOutputHelper output)
{
    private static readonly Lazy<KernelProgram> Program = new(() => ProgramRunner.Compile(SharedModels.Load("ch_ppocr_mobile_v2.0_cls_infer.onnx")));

    [ConditionalTheory("data")]
    [InlineData(1, 48, 192)]
    [InlineData(3, 48, 192)]
    [InlineData(1, 48, 320)]
    [InlineData(2, 48, 100)]
    public void Ocr_direction_classifier_matches_onnx_runtime(int batch, int height, int width)
    {
        var model = SharedModels.Load("ch_ppocr_mobile_v2.0_cls_infer.onnx");
        var inputs = SharedModels.SyntheticInputs(FixedShapes.Bind(model.Clone(), new Dictionary<string, long> { ["p2o.DynamicDimension.1"] = height, ["p2o.DynamicDimension.2"] = width }), batch);
        var expected = SharedModels.RunOrt(model, inputs)[0];
        var actual = ProgramRunner.Floats(ProgramRunner.Run(Program.Value, inputs.Select(i => OnnxTensor.FromFloats(i.Name, i.Shape, i.Values)).ToArray())[0]);
        output.WriteLine($"{height}x{width}, batch {batch}: [{string.Join(", ", actual.Take(4))}] vs ORT [{string.Join(", ", expected.Take(4))}]");
        Assert.Null(Tolerance.Compare(expected, actual, 1e-3, 1e-4));
    }
}
