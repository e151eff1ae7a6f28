using Optimizer.Compiler.Linking;
using Optimizer.Compiler.Shapes;
using Optimizer.Runtime.Compiled;

namespace Optimizer.Compiler.Tests.Shapes;

/// <summary>The algebra sizes are traced in: canonical forms, exact division, floor atoms, and the program's postfix form.</summary>
public sealed class SymbolicSizeTests
{
    private static readonly SymbolBinding Binding = new(["batch", "seq"], [3, 7]);

    private static Dim B => Binding.Of("batch");

    private static Dim S => Binding.Of("seq");

    [Fact]
    public void Equal_sizes_written_differently_are_one_expression()
    {
        var a = B * S * 384;
        var b = (Dim)384 * S * B;
        var c = B * (S * 2 + S) * 128;

        Assert.Equal(a.Size, b.Size);
        Assert.Equal(a.Size, c.Size);
        Assert.Equal("384*batch*seq", a.Size.Key);
        Assert.Equal(3 * 7 * 384, a.Value);
    }

    [Fact]
    public void Division_by_a_factor_is_exact_and_anything_else_is_a_floor()
    {
        Assert.Equal(S.Size, (B * S * 384 / (B * 384)).Size);
        Assert.Equal("floor((-1+seq)/(2))", ((S - 1) / 2).Size.Key);
        Assert.Equal(3, ((S - 1) / 2).Value);
        Assert.True((S * S - S * S + 5).IsConstant);
    }

    [Theory]
    [InlineData(1, 1)]
    [InlineData(2, 9)]
    [InlineData(64, 513)]
    public void The_program_form_evaluates_as_the_traced_size(long batch, long seq)
    {
        var sizes = new[] { B * S * 384, (S + 15) / 16 * 16 * B, (S * 2 + 1 - 3) / 2 + 1, B * S * S * 4 - S, (Dim)42 };
        foreach (var size in sizes)
        {
            var code = SizeCode.Of(size.Size);
            Assert.Equal(size.Size.Evaluate([batch, seq]), code.Evaluate([batch, seq]));
        }
    }

    [Theory]
    [InlineData(1, 3, 3, 1, 1)]
    [InlineData(16, 3, 3, 17, 23)]
    [InlineData(5, 1, 7, 40, 2)]
    [InlineData(96, 3, 3, 80, 80)] // blocked: one block per worker, not the im2col
    public void Kernel_sizes_agree_with_the_kernels(int c, int kh, int kw, int oh, int ow)
    {
        var window = new Optimizer.Compiler.Build.NodeEmitter.Window(oh + kh - 1, ow + kw - 1, kh, kw, oh, ow, 0, 0, 0, 0, 1, 1, 1, 1);
        Assert.Equal(Runtime.Compiled.Kernels.PackedBLength(c * kh, oh * ow), KernelSizes.PackedBLength(c * kh, oh * ow).Value);
        Assert.Equal(Runtime.Compiled.Kernels.ConvScratchLength(c, oh + kh - 1, ow + kw - 1, kh, kw, oh, ow, 0, 0, 1, 1, 1, 1, 1), KernelSizes.ConvScratchLength(c, 1, window).Value);
        Assert.Equal(Runtime.Compiled.Kernels.QConvScratchLength(c, kh, kw, oh, ow), KernelSizes.QConvScratchLength(c, kh, kw, oh, ow).Value);
        foreach (var (strideH, strideW) in new[] { (1, 1), (2, 1), (1, 2), (2, 2), (3, 3) })
        {
            Assert.Equal(Runtime.Compiled.Kernels.QConvDepthwiseScratchLength(kh, kw, oh, ow, strideH, strideW),
                KernelSizes.QConvDepthwiseScratchLength(kh, kw, oh, ow, strideH, strideW).Value);
        }
    }

    [Fact]
    public void A_malformed_program_expression_is_refused()
    {
        Assert.Throws<InvalidDataException>(() => new SizeExpression([new SizeOp(SizeOpKind.Add)]));
        Assert.Throws<InvalidDataException>(() => new SizeExpression([new SizeOp(SizeOpKind.Constant, 1), new SizeOp(SizeOpKind.Constant, 2)]));
        Assert.Throws<InvalidDataException>(() => new SizeExpression([new SizeOp((SizeOpKind)99, 1)]));
    }
}
