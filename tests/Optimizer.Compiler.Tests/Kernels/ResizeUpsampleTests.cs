using Optimizer.Compiler.Tests.Support;
using Optimizer.Onnx;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Kernels;

/// <summary>
/// Resize nodes whose nearest sampling repeats each pixel a whole number of times compile to one
/// <see cref="StepKind.Upsample"/> (by the sampling tables, whatever coordinate and rounding modes
/// make them so; from scales or sizes; with fixed or symbolic sides), the rest to the table-driven
/// <see cref="StepKind.Resize"/>; each against ONNX Runtime on odd sizes.
/// </summary>
public sealed class ResizeUpsampleTests
{
    [Theory]
    [InlineData("asymmetric", "floor", 2f, 2f, true)]                 // PaddleOCR's FPN
    [InlineData("half_pixel", "round_prefer_floor", 2f, 2f, true)]   // the defaults: the same tables at ×2
    [InlineData("asymmetric", "floor", 3f, 4f, true)]
    [InlineData("asymmetric", "floor", 1f, 8f, true)]
    [InlineData("asymmetric", "ceil", 2f, 2f, false)]                 // rounds up: o = 1 reads pixel 1, not a repeat
    [InlineData("asymmetric", "floor", 1.5f, 2f, false)]              // not a whole factor
    public void Nearest_resize_with_fixed_sides_matches_onnx_runtime(string coordinates, string rounding, float scaleH, float scaleW, bool repeats)
    {
        var (h, w) = (5, 7);
        var model = ResizeModel([Dim.Fixed(1), Dim.Fixed(3), Dim.Fixed(h), Dim.Fixed(w)], [1, 1, scaleH, scaleW], coordinates, rounding);
        using var program = OrtComparison.AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [1, 3, h, w], SmallModels.Values(3 * h * w, seed: 3))]);

        Assert.Equal(repeats ? StepKind.Upsample : StepKind.Resize, Assert.Single(program.Steps).Kind);
    }

    [Theory]
    [InlineData(2, 9, 11)]
    [InlineData(1, 4, 4)]
    public void Upsampling_of_symbolic_sides_matches_onnx_runtime_at_each_size(int batch, int h, int w)
    {
        var model = ResizeModel([Dim.Named("n"), Dim.Fixed(5), Dim.Named("h"), Dim.Named("w")], [1, 1, 4, 2], "asymmetric", "floor");
        using var program = OrtComparison.AssertSameAsOrt(model, [OnnxTensor.FromFloats("x", [batch, 5, h, w], SmallModels.Values(batch * 5 * h * w, seed: 4))]);

        Assert.Equal(StepKind.Upsample, Assert.Single(program.Steps).Kind);
    }

    private static OnnxModel ResizeModel(Dim[] shape, float[] scales, string coordinates, string rounding)
    {
        var graph = new OnnxGraph("resize");
        graph.DeclaredInputs.Add(SmallModels.Tensor("x", shape));
        graph.Initializers.Add(OnnxTensor.FromFloats("scales", [4], scales));
        graph.Nodes.Add(new OnnxNode("Resize", ["x", "", "scales"], ["y"], "resize")
        {
            Attributes =
            {
                OnnxAttribute.FromString("mode", "nearest"),
                OnnxAttribute.FromString("coordinate_transformation_mode", coordinates),
                OnnxAttribute.FromString("nearest_mode", rounding),
            },
        });
        graph.Outputs.Add(new ValueInfo("y", ValueTypeInfo.Tensor(TensorElementType.Float, [Dim.Unknown, Dim.Unknown, Dim.Unknown, Dim.Unknown])));
        return new OnnxModel(graph, [new OpsetImport("", 13)]) { IrVersion = 7 };
    }
}
